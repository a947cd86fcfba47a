package io.raet4j.transactions.estate;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketWriter;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.message.PathState;
import io.raet4j.transport.media.Media;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * This stack's own estate as its peers see it: id, name, the session it started, and the limits it announces in the
 * join, which depend on whether a peer is reached over a lane (host-local media) or a road.
 * <p>
 * <b>Threading:</b> immutable once built.
 */
public final class LocalEstate
{
    private static final int MIN_RECEIVE_CREDIT = 16;

    private final long id;
    private final String name;
    private final int session;
    private final Media media;
    private final boolean isEncrypted;
    private final boolean isLaneEncrypted;
    private final int maxPayload;
    private final int receivePayload;
    private final int receiveCreditSegments;
    private final JoinLimits roadLimits;
    private final JoinLimits laneLimits;

    /**
     * This stack's estate.
     *
     * @param ctx     the stack's settings.
     * @param media   the media the stack sends over.
     * @param id      the estate's id.
     * @param session the session this run of the stack uses, never 0.
     */
    public LocalEstate(final StackContext ctx, final Media media, final long id, final int session)
    {
        this.id = id;
        this.name = ctx.transport().name();
        this.session = session;
        this.media = media;
        this.isEncrypted = ctx.encryption();
        this.isLaneEncrypted = ctx.laneEncryption();
        this.maxPayload = PacketWriter.maxDataPayload(
            ctx.transport().mtuBytes() - (ctx.encryption() || ctx.laneEncryption() ? PacketWriter.SEALED_OVERHEAD : 0));
        this.receiveCreditSegments = receiveCredit(
            media.receiveBufferBytes(), ctx.transport().mtuBytes(), ctx.receiveWindowSegments());
        // A peer may seal less than this stack does, so its segments may be as long as the unsealed maximum.
        this.receivePayload = PacketWriter.maxDataPayload(ctx.transport().mtuBytes());
        this.roadLimits = new JoinLimits(
            ctx.transport().mtuBytes(), ctx.maxMessageBytes(), receiveCreditSegments, ctx.encryption());
        this.laneLimits = new JoinLimits(
            ctx.transport().mtuBytes(), ctx.maxMessageBytes(), receiveCreditSegments, ctx.laneEncryption());
    }

    /**
     * The estate's id.
     *
     * @return the id.
     */
    public long id()
    {
        return id;
    }

    /**
     * The estate's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The session of this run of the stack: a peer that sees another one knows the stack restarted.
     *
     * @return the session, never 0.
     */
    public int session()
    {
        return session;
    }

    /**
     * The limits this stack announces to an estate at an address: the lane's sealing setting on host-local media,
     * else the road's.
     *
     * @param address of the peer.
     * @return the limits.
     */
    public JoinLimits limitsFor(final SocketAddress address)
    {
        return media.isHostLocal(address) ? laneLimits : roadLimits;
    }

    /**
     * Whether packets to and from an address are sealed: the lane setting for host-local media, else the road's.
     *
     * @param address of the peer.
     * @return true if sealed.
     */
    public boolean isSealedFor(final SocketAddress address)
    {
        return media.isHostLocal(address) ? isLaneEncrypted : isEncrypted;
    }

    /**
     * The largest segment payload this stack sends at its own MTU, sealed if either medium seals.
     *
     * @return bytes.
     */
    public int maxPayload()
    {
        return maxPayload;
    }

    /**
     * The largest segment payload this stack accepts.
     *
     * @return bytes.
     */
    public int receivePayload()
    {
        return receivePayload;
    }

    /**
     * The credit, in segments, that this stack grants each peer's channel.
     *
     * @return segments.
     */
    public int receiveCreditSegments()
    {
        return receiveCreditSegments;
    }

    /**
     * The credit cap announced in the join: the receive window, bounded by how many datagrams of the MTU the socket
     * can hold unread. The kernel charges each datagram its buffer's true size ({@link PathState#datagramCharge(int)})
     * against the receive buffer; three quarters of it is granted, leaving room for acks and other traffic. A peer
     * sends at most this many segments before the first ack, and keeps what it has in flight on a channel within this
     * many full datagrams' charge, each segment charged as if alone in its datagram: segments of small messages, many
     * to a datagram, are bounded by the window instead.
     *
     * @param receiveBufferBytes as the media reports it, 0 for a media that does not drop for want of room.
     * @param mtuBytes           the datagram size segments fill.
     * @param windowSegments     the configured receive window.
     * @return the credit in segments, at least 16.
     */
    public static int receiveCredit(final int receiveBufferBytes, final int mtuBytes, final int windowSegments)
    {
        if (receiveBufferBytes <= 0)
        {
            return windowSegments;
        }
        final long trueSize = PathState.datagramCharge(mtuBytes);
        final long fits = (receiveBufferBytes * 3L / 4) / trueSize;
        return (int)Math.max(MIN_RECEIVE_CREDIT, Math.min(windowSegments, fits));
    }

    /**
     * An address as people read it: {@code host:port}, IPv6 hosts in brackets, other media as they print.
     *
     * @param address to format.
     * @return the text.
     */
    public static String format(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress)
        {
            final InetSocketAddress inet = (InetSocketAddress)address;
            final String host = inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
