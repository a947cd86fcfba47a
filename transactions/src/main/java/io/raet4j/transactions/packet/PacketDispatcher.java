package io.raet4j.transactions.packet;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.RenewDecoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.alive.Aliver;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.join.Joinent;
import io.raet4j.transactions.join.Joiner;
import io.raet4j.transactions.message.Messenger;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transport.media.DatagramHandler;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Every datagram received comes through here: decoded (malformed, truncated and unknown-version ones counted and
 * dropped), the join exchange and Renew handed to the join transactions, anything else checked cheaply first (known
 * estate, address, both sessions, state), then opened if sealed (key id, replay window, AEAD), and its frames handed
 * to the transaction of their kind. Nothing thrown by a transaction escapes: it is counted as malformed and reported
 * to the error handler.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class PacketDispatcher implements DatagramHandler
{
    private static final long RENEW_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PacketReader reader = new PacketReader();
    private final LocalEstate local;
    private final Estates estates;
    private final PacketSender sender;
    private final TransactionCounters counters;
    private final Cycle cycle;
    private final ErrorHandler errorHandler;
    private final Joiner joiner;
    private final Joinent joinent;
    private final Aliver aliver;
    private final Messenger messenger;
    private final EstateLifecycle lifecycle;
    private long lastRenewNs;

    /**
     * The dispatcher.
     *
     * @param local        this stack's estate.
     * @param estates      every estate known.
     * @param sender       builds and sends datagrams (Renew).
     * @param counters     the stack's totals.
     * @param cycle        the duty cycle's clock.
     * @param errorHandler told of anything a transaction throws.
     * @param joiner       the joins this stack initiates.
     * @param joinent      the joins this stack accepts.
     * @param aliver       liveness.
     * @param messenger    messages.
     * @param lifecycle    changes an estate's state (Leave).
     */
    public PacketDispatcher(
        final LocalEstate local,
        final Estates estates,
        final PacketSender sender,
        final TransactionCounters counters,
        final Cycle cycle,
        final ErrorHandler errorHandler,
        final Joiner joiner,
        final Joinent joinent,
        final Aliver aliver,
        final Messenger messenger,
        final EstateLifecycle lifecycle)
    {
        this.local = local;
        this.estates = estates;
        this.sender = sender;
        this.counters = counters;
        this.cycle = cycle;
        this.errorHandler = errorHandler;
        this.joiner = joiner;
        this.joinent = joinent;
        this.aliver = aliver;
        this.messenger = messenger;
        this.lifecycle = lifecycle;
        this.lastRenewNs = cycle.nowNs() - RENEW_INTERVAL_NS;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        counters.packetsReceived.incrementRelease();
        counters.bytesReceived.getAndAddRelease(length);
        try
        {
            if (PacketReader.isSealed(buffer, offset, length))
            {
                onSealed(buffer, offset, length, source);
                return;
            }
            if (isRefused(reader.wrap(buffer, offset, length)))
            {
                return;
            }
            countUnknownFrames();
            if (!reader.nextFrame())
            {
                return;
            }

            switch (reader.templateId())
            {
                case JoinDecoder.TEMPLATE_ID:
                    joinent.onJoin(source, reader);
                    return;
                case JoinAckDecoder.TEMPLATE_ID:
                    joiner.onJoinAck(source, reader);
                    return;
                case JoinCookieDecoder.TEMPLATE_ID:
                    joiner.onJoinCookie(source, reader);
                    return;
                case RenewDecoder.TEMPLATE_ID:
                    joiner.onRenew(source, reader);
                    return;
                default:
                    if (local.isSealedFor(source))
                    {
                        // Only the join exchange and Renew travel in clear text; anything else must be sealed.
                        counters.unsealedPackets.incrementRelease();
                        return;
                    }
                    final RemoteEstate estate = checkEstatePacket(source);
                    if (null != estate)
                    {
                        onEstateFrames(estate);
                    }
            }
        }
        catch (final Throwable ex)
        {
            counters.malformedPackets.incrementRelease();
            errorHandler.onError(ex);
        }
    }

    private void countUnknownFrames()
    {
        if (reader.unknownFrames() > 0)
        {
            counters.unknownFrames.getAndAddRelease(reader.unknownFrames());
        }
    }

    private boolean isRefused(final int status)
    {
        if (PacketReader.OK == status)
        {
            return false;
        }
        if (PacketReader.BAD_SCHEMA == status || PacketReader.BAD_VERSION == status)
        {
            counters.unsupportedVersion.incrementRelease();
        }
        else
        {
            counters.malformedPackets.incrementRelease();
        }
        return true;
    }

    private void onSealed(
        final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        if (isRefused(reader.wrapSealed(buffer, offset, length)))
        {
            return;
        }
        if (!local.isSealedFor(source))
        {
            counters.unsealedPackets.incrementRelease();
            return;
        }
        // Cheap checks first: ids, address, sessions, state; then the key id and the replay window; only then the AEAD.
        final RemoteEstate estate = checkEstatePacket(source);
        if (null == estate)
        {
            return;
        }
        final SessionKeys keys = estate.keysFor(reader.keyId());
        if (null == keys)
        {
            counters.unknownKeyPackets.incrementRelease();
            return;
        }
        switch (keys.open(reader, buffer, offset, length))
        {
            case SessionKeys.OPENED:
                break;
            case SessionKeys.REPLAYED:
                counters.replayedPackets.incrementRelease();
                return;
            case SessionKeys.TAMPERED:
                counters.tamperedPackets.incrementRelease();
                return;
            default:
                counters.unknownKeyPackets.incrementRelease();
                return;
        }
        if (PacketReader.OK != reader.wrapOpened(buffer, offset, length - PacketWriter.SEALED_TAG_LENGTH))
        {
            // Authentic but malformed: the peer's bug, not an attack; counted and dropped all the same.
            counters.malformedPackets.incrementRelease();
            return;
        }
        countUnknownFrames();
        if (reader.nextFrame())
        {
            onEstateFrames(estate);
        }
    }

    /**
     * The estate a packet of its session comes from, if it is one this stack joined, at its address, in the sessions
     * both sides are in now; otherwise the packet is counted and dropped, and the sender is told to renew.
     */
    private RemoteEstate checkEstatePacket(final SocketAddress source)
    {
        final long srcId = reader.srcEstateId();
        final RemoteEstate estate = estates.byId(srcId);
        if (null == estate || estate.isPlaceholder() || !source.equals(estate.address()) || !estate.hasJoinedOnce())
        {
            counters.unknownEstate.incrementRelease();
            askRenew(source, srcId, reader.srcSession(), RenewReason.UNKNOWN_ESTATE);
            return null;
        }
        if (reader.dstEstateId() != local.id() || reader.dstSession() != local.session() ||
            reader.srcSession() != estate.session || !estate.isSessionUp())
        {
            counters.staleSession.incrementRelease();
            askRenew(source, srcId, reader.srcSession(), RenewReason.STALE_SESSION);
            return null;
        }
        if (EstateState.RENEWING == estate.state())
        {
            // The peer asked for a renewal and our state is already discarded: until its JoinAck, anything it sent
            // belongs to the old pair state or races ahead of the JoinAck; it is dropped and, if reliable, resent.
            counters.staleSession.incrementRelease();
            return null;
        }
        return estate;
    }

    private void onEstateFrames(final RemoteEstate estate)
    {
        lifecycle.heard(estate);
        do
        {
            switch (reader.templateId())
            {
                case DataDecoder.TEMPLATE_ID:
                    messenger.onData(estate, reader);
                    break;
                case AckDecoder.TEMPLATE_ID:
                    messenger.onAck(estate, reader);
                    break;
                case NackDecoder.TEMPLATE_ID:
                    messenger.onNack(estate, reader);
                    break;
                case AliveDecoder.TEMPLATE_ID:
                    aliver.onAlive(estate, reader);
                    break;
                case AliveAckDecoder.TEMPLATE_ID:
                    aliver.onAliveAck(estate, reader);
                    break;
                case LeaveDecoder.TEMPLATE_ID:
                    // With final acks, the frames before it confirmed everything the peer's application got: the
                    // rest certainly was not delivered.
                    lifecycle.declareDead(
                        estate, -1, FailureReason.PEER_LEFT.ordinal(), reader.leave().flags().finalAcks());
                    return;
                default:
                    counters.malformedPackets.incrementRelease();
                    return;
            }
        }
        while (reader.nextFrame());
    }

    /**
     * Tell a sender this stack has no state for its packets (it does not know the estate, or the sessions changed):
     * a Renew, at most one per 10 ms so a flood of stale packets gets few answers.
     */
    private void askRenew(final SocketAddress to, final long toId, final int toSession, final RenewReason reason)
    {
        final long nowNs = cycle.nowNs();
        if (0 == toId || 0 == toSession || nowNs - lastRenewNs < RENEW_INTERVAL_NS)
        {
            return;
        }
        lastRenewNs = nowNs;
        sender.beginClear(toId, toSession).appendRenew(reason);
        sender.sendTo(to);
    }
}
