package io.raet4j.transactions.packet;

import io.raet4j.codec.PacketWriter;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transport.media.Media;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Builds, seals and sends datagrams. Frames for one estate are coalesced into one datagram up to the pair's MTU
 * ({@link #begin}, then the transactions append frames to {@link #writer()}, then {@link #flush}); a datagram the
 * peer's socket queue refuses is held and sent first when there is room ({@link #retryBlocked}), and nothing more is
 * built for that peer meanwhile. Every datagram sent is counted here and nowhere else.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class PacketSender
{
    private final PacketWriter writer;
    private final Media media;
    private final LocalEstate local;
    private final Cycle cycle;
    private final Estates estates;
    private final TransactionCounters counters;

    /**
     * A sender.
     *
     * @param mtuBytes the stack's MTU, the largest datagram built.
     * @param media    sent over.
     * @param local    this stack's estate, the source of every packet.
     * @param cycle    the duty cycle's clock.
     * @param estates  to put an estate with a held datagram back in the work list.
     * @param counters the stack's totals.
     */
    public PacketSender(
        final int mtuBytes,
        final Media media,
        final LocalEstate local,
        final Cycle cycle,
        final Estates estates,
        final TransactionCounters counters)
    {
        this.writer = new PacketWriter(mtuBytes);
        this.media = media;
        this.local = local;
        this.cycle = cycle;
        this.estates = estates;
        this.counters = counters;
    }

    /**
     * The writer the transactions append frames to.
     *
     * @return the writer.
     */
    public PacketWriter writer()
    {
        return writer;
    }

    /**
     * Begin a datagram to an estate with a session: sealed or not as the pair is, no longer than the pair's MTU.
     *
     * @param estate the receiver.
     */
    public void begin(final RemoteEstate estate)
    {
        if (estate.isSealed)
        {
            writer.beginSealed(local.id(), estate.id(), local.session(), estate.session);
        }
        else
        {
            writer.begin(local.id(), estate.id(), local.session(), estate.session);
        }
        writer.limitLength(estate.pairMtu);
    }

    /**
     * Begin a clear-text datagram of the join exchange.
     *
     * @param toId      the receiver's id, 0 if not known.
     * @param toSession the receiver's session, 0 if not known.
     * @return the writer.
     */
    public PacketWriter beginClear(final long toId, final int toSession)
    {
        writer.begin(local.id(), toId, local.session(), toSession);
        return writer;
    }

    /**
     * Send the datagram built so far to an estate and begin the next one: the frame that did not fit goes there.
     *
     * @param estate the receiver.
     */
    public void flushAndBegin(final RemoteEstate estate)
    {
        flush(estate);
        begin(estate);
    }

    /**
     * Seal, if the pair seals, and send the datagram built so far to an estate, if it holds any frame.
     *
     * @param estate the receiver.
     */
    public void flush(final RemoteEstate estate)
    {
        if (writer.hasFrames())
        {
            if (writer.isSealed())
            {
                final SessionKeys keys = estate.keys;
                if (null == keys)
                {
                    writer.begin(local.id(), estate.id(), local.session(), estate.session);
                    return;
                }
                final long updatesBefore = keys.sendUpdates();
                sendToEstate(keys.seal(writer, cycle.nowNs()), estate);
                if (keys.sendUpdates() != updatesBefore)
                {
                    counters.keyUpdates.incrementRelease();
                }
            }
            else
            {
                sendToEstate(writer.finish(), estate);
            }
            estate.lastSentLiveNs = cycle.liveNs();
        }
    }

    private void sendToEstate(final int length, final RemoteEstate estate)
    {
        if (estate.hasBlocked)
        {
            // One datagram already waits for this peer (the service loops stop building after a block, so this is
            // rare): this one is not sent; what it carried is sent again by the reliable channels' recovery.
            counters.sendWouldBlock.incrementRelease();
            return;
        }
        final ByteBuffer datagram = writer.byteBuffer();
        if (Media.SEND_WOULD_BLOCK == send(datagram, length, estate.address()))
        {
            // The receiver's queue is full (a lane holds 10 datagrams): the datagram waits and is sent first when
            // there is room, and nothing more is built for this peer meanwhile. Back-pressure reaches offer() through
            // the send buffer, and nothing is dropped.
            if (null == estate.blocked)
            {
                estate.blocked = ByteBuffer.allocateDirect(writer.capacity());
            }
            estate.blocked.clear();
            estate.blocked.put(datagram.clear().limit(length)).flip();
            estate.hasBlocked = true;
            estates.activate(estate);
        }
    }

    /**
     * Send the datagram held for an estate, if its socket queue has room now.
     *
     * @param estate with a held datagram.
     * @return true if it went (or failed for good), false if it still waits.
     */
    public boolean retryBlocked(final RemoteEstate estate)
    {
        final ByteBuffer blocked = estate.blocked;
        final int length = blocked.limit();
        blocked.position(0);
        final int result = media.send(blocked, estate.address());
        if (Media.SEND_WOULD_BLOCK == result)
        {
            return false;
        }
        estate.hasBlocked = false;
        if (result > 0)
        {
            countSent(length);
            estate.lastSentLiveNs = cycle.liveNs();
        }
        return true;
    }

    /**
     * Finish the clear-text datagram built so far and send it to an address.
     *
     * @param address the receiver.
     */
    public void sendTo(final SocketAddress address)
    {
        final int length = writer.finish();
        send(writer.byteBuffer(), length, address);
    }

    /**
     * Send a datagram kept from earlier, as it was (a JoinAck sent again to a joiner that did not get it).
     *
     * @param bytes   the datagram.
     * @param address the receiver.
     */
    public void resend(final byte[] bytes, final SocketAddress address)
    {
        final ByteBuffer out = writer.byteBuffer();
        out.clear();
        out.put(bytes).flip();
        send(out, bytes.length, address);
        writer.begin(local.id(), 0, local.session(), 0);
    }

    /**
     * A copy of the datagram just finished, to send again later as it is.
     *
     * @return the bytes.
     */
    public byte[] copyOut()
    {
        final byte[] bytes = new byte[writer.length()];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }

    /**
     * Send one datagram and count it: sent, or refused because it would block; a retry of a held datagram is not
     * counted again as would-block, see {@link #retryBlocked}.
     */
    private int send(final ByteBuffer datagram, final int length, final SocketAddress address)
    {
        final int result = media.send(datagram, address);
        if (result > 0)
        {
            countSent(length);
        }
        else if (Media.SEND_WOULD_BLOCK == result)
        {
            counters.sendWouldBlock.incrementRelease();
        }
        return result;
    }

    private void countSent(final int length)
    {
        counters.packetsSent.incrementRelease();
        counters.bytesSent.getAndAddRelease(length);
    }
}
