package io.raet4j.transactions.alive;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.packet.PacketSender;

import java.util.function.LongSupplier;

/**
 * The alive transaction (RAET's aliver and alivent): an estate silent for the keepalive interval is asked whether it
 * is alive, its answer samples the round trip, and silence decides its presence: past the liveness timeout it is
 * UNREACHABLE (its session kept), past the session timeout DEAD.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Aliver
{
    private final StackContext ctx;
    private final Estates estates;
    private final PacketWriter writer;
    private final PacketSender sender;
    private final Cycle cycle;
    private final EstateLifecycle lifecycle;
    private final LongSupplier nonces;

    /**
     * The aliver.
     *
     * @param ctx       the stack's settings: keepalive interval, liveness and session timeouts.
     * @param estates   every estate known.
     * @param sender    builds and sends datagrams.
     * @param cycle     the duty cycle's clock.
     * @param lifecycle changes an estate's state.
     * @param nonces    random nonces for Alive requests.
     */
    public Aliver(
        final StackContext ctx,
        final Estates estates,
        final PacketSender sender,
        final Cycle cycle,
        final EstateLifecycle lifecycle,
        final LongSupplier nonces)
    {
        this.ctx = ctx;
        this.estates = estates;
        this.writer = sender.writer();
        this.sender = sender;
        this.cycle = cycle;
        this.lifecycle = lifecycle;
        this.nonces = nonces;
    }

    /**
     * Ask an estate whether it is alive, in the next datagram to it.
     *
     * @param estate the estate.
     */
    public void request(final RemoteEstate estate)
    {
        estate.alive.isRequestDue = true;
        estates.activate(estate);
    }

    /**
     * An Alive from an estate with a session: the answer is owed.
     *
     * @param estate the sender.
     * @param reader positioned on the frame.
     */
    public void onAlive(final RemoteEstate estate, final PacketReader reader)
    {
        final AliveDecoder alive = reader.alive();
        final AliveState state = estate.alive;
        state.isAnswerDue = true;
        state.answerNonce = alive.nonce();
        state.answerEchoNs = alive.timestampNs();
        estates.activate(estate);
    }

    /**
     * An AliveAck: if it answers the last request, a round-trip sample.
     *
     * @param estate the sender.
     * @param reader positioned on the frame.
     */
    public void onAliveAck(final RemoteEstate estate, final PacketReader reader)
    {
        final AliveAckDecoder aliveAck = reader.aliveAck();
        if (aliveAck.nonce() == estate.alive.requestNonce)
        {
            estate.path.onRttSample(cycle.nowNs() - aliveAck.echoTimestampNs());
        }
    }

    /**
     * Append the AliveAck and the Alive due to an estate to the datagram being built.
     *
     * @param estate the estate being served.
     * @return the number of frames appended.
     */
    public int append(final RemoteEstate estate)
    {
        final AliveState state = estate.alive;
        int workCount = 0;
        if (state.isAnswerDue)
        {
            if (!writer.appendAliveAck(state.answerNonce, state.answerEchoNs))
            {
                sender.flushAndBegin(estate);
                writer.appendAliveAck(state.answerNonce, state.answerEchoNs);
            }
            state.isAnswerDue = false;
            workCount++;
        }
        if (state.isRequestDue)
        {
            state.requestNonce = nonces.getAsLong();
            if (!writer.appendAlive(state.requestNonce, cycle.nowNs()))
            {
                sender.flushAndBegin(estate);
                writer.appendAlive(state.requestNonce, cycle.nowNs());
            }
            state.isRequestDue = false;
            workCount++;
        }
        return workCount;
    }

    /**
     * The estate's timer: decide its presence from how long it has been silent, and ask it if it is alive when
     * nothing was sent to it for the keepalive interval.
     *
     * @param estate a JOINED or UNREACHABLE estate.
     */
    public void onTimer(final RemoteEstate estate)
    {
        final long liveNs = cycle.liveNs();
        final long silentNs = liveNs - estate.lastHeardLiveNs;
        if (EstateState.JOINED == estate.state())
        {
            if (silentNs >= ctx.livenessTimeoutNs())
            {
                lifecycle.becomeUnreachable(estate);
            }
            if (liveNs - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
            {
                request(estate);
            }
        }
        else if (EstateState.UNREACHABLE == estate.state())
        {
            if (silentNs >= ctx.sessionTimeoutNs())
            {
                lifecycle.declareDead(estate, -1, FailureReason.PEER_DEAD.ordinal(), false);
            }
            else if (liveNs - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
            {
                request(estate);
            }
        }
    }
}
