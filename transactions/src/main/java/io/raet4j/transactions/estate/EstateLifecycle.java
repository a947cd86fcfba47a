package io.raet4j.transactions.estate;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketWriter;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.EstateTimers;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.event.Events;
import io.raet4j.transactions.message.Messenger;
import io.raet4j.transactions.message.PathState;
import org.agrona.concurrent.status.CountersManager;

import java.net.SocketAddress;

/**
 * The state machine of a remote estate ({@link EstateState}): every change of state happens here, with what it does to
 * the estate's channels and timer and the presence event it queues. The transactions decide when; this class does it
 * the same way whichever decided.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class EstateLifecycle
{
    private final StackContext ctx;
    private final LocalEstate local;
    private final Estates estates;
    private final EstateTimers timers;
    private final Events events;
    private final TransactionCounters counters;
    private final Cycle cycle;
    private final CountersManager countersManager;
    private final long peerTickNs;
    private Messenger messenger;
    private int estateCountersAllocated;

    /**
     * The state machine.
     *
     * @param ctx             the stack's settings.
     * @param local           this stack's estate.
     * @param estates         every estate known.
     * @param timers          the estates' timers.
     * @param events          presence events are queued here.
     * @param counters        the stack's totals.
     * @param cycle           the duty cycle's clock.
     * @param countersManager for each estate's own counters in the status file.
     * @param peerTickNs      how often a joined estate's timer runs.
     */
    public EstateLifecycle(
        final StackContext ctx,
        final LocalEstate local,
        final Estates estates,
        final EstateTimers timers,
        final Events events,
        final TransactionCounters counters,
        final Cycle cycle,
        final CountersManager countersManager,
        final long peerTickNs)
    {
        this.ctx = ctx;
        this.local = local;
        this.estates = estates;
        this.timers = timers;
        this.events = events;
        this.counters = counters;
        this.cycle = cycle;
        this.countersManager = countersManager;
        this.peerTickNs = peerTickNs;
    }

    /**
     * The messenger, whose channels each change of state acts on; set once when the stack is wired.
     *
     * @param messenger the stack's messenger.
     */
    public void messenger(final Messenger messenger)
    {
        this.messenger = messenger;
    }

    /**
     * How often a joined estate's timer runs.
     *
     * @return nanoseconds.
     */
    public long peerTickNs()
    {
        return peerTickNs;
    }

    /**
     * A new estate, JOINING, with this stack's own limits until the join says otherwise. Not yet added.
     *
     * @param id      its id, or 0 if only the address is known.
     * @param name    its name, or null.
     * @param address its address.
     * @return the estate.
     */
    public RemoteEstate newEstate(final long id, final String name, final SocketAddress address)
    {
        final RemoteEstate estate = new RemoteEstate(id, name, address, new PathState(
            ctx.minRtoNs(),
            ctx.maxRtoNs(),
            ctx.initialRtoNs(),
            ctx.initialCwndSegments(),
            ctx.minCwndSegments(),
            ctx.maxCwndSegments(),
            local.maxPayload() + PacketWriter.DATA_FRAME_OVERHEAD).maxAckDelayNs(ctx.ackHoldMaxNs()));
        estate.lastHeardLiveNs = cycle.liveNs();
        estate.lastSentLiveNs = cycle.liveNs();
        estate.isSealed = local.isSealedFor(address);
        applyPeerLimits(estate, local.limitsFor(address));
        return estate;
    }

    /**
     * The pair's limits from what the peer announced: the smaller MTU, the peer's message limit and credit. Applied
     * only when the pair's channels are new or renewed, never under channels in use.
     *
     * @param estate the peer.
     * @param peer   what it announced.
     */
    public void applyPeerLimits(final RemoteEstate estate, final JoinLimits peer)
    {
        estate.pairMtu = Math.min(ctx.transport().mtuBytes(), peer.mtu());
        estate.maxPayload = PacketWriter.maxDataPayload(
            estate.pairMtu - (estate.isSealed ? PacketWriter.SEALED_OVERHEAD : 0));
        estate.peerMaxMessage = peer.maxMessageLength();
        estate.peerCredit = Math.max(1, Math.min(peer.receiveCredit(), ctx.maxUnackedSegments()));
        estate.peerBufferBudget = estate.peerCredit * PathState.datagramCharge(peer.mtu());
    }

    /**
     * A join completed: JOINED. First time: presence JOINED; after the session had ended: ALIVE; a renewal of a live
     * session (the peer restarted, or lost its state for the pair): its channels restart and presence is RENEWED.
     *
     * @param estate    the estate.
     * @param isRenewal true if the pair's state is renewed on both sides.
     */
    public void becomeJoined(final RemoteEstate estate, final boolean isRenewal)
    {
        final boolean wasDead = EstateState.DEAD == estate.state();
        final boolean wasUp = estate.isSessionUp();
        final boolean isFirst = !estate.hasJoinedOnce();
        if (isRenewal)
        {
            renew(estate);
        }
        if (null == estate.counters && estateCountersAllocated < ctx.estateCountersMax())
        {
            estate.counters = EstateCounters.allocate(countersManager, estate.id(), estate.name(),
                LocalEstate.format(estate.address()));
            estateCountersAllocated += null == estate.counters ? 0 : 1;
        }
        estate.state(EstateState.JOINED);
        estate.lastHeardLiveNs = cycle.liveNs();
        counters.joins.incrementRelease();
        timers.schedule(estate, cycle.nowNs() + peerTickNs);
        estates.activate(estate);
        if (isFirst)
        {
            events.presence(estate.id(), estate.name(), PresenceEvent.JOINED);
        }
        else if (wasDead)
        {
            events.presence(estate.id(), estate.name(), PresenceEvent.ALIVE);
        }
        else if (wasUp && isRenewal)
        {
            events.presence(estate.id(), estate.name(), PresenceEvent.RENEWED);
        }
    }

    /**
     * Action R: the peer's state for the pair is gone or about to be (it restarted, or discarded it). Messages it may
     * have received end uncertain, the rest are sent again from sequence 0 on the new session.
     *
     * @param estate the estate.
     */
    public void renew(final RemoteEstate estate)
    {
        counters.sessionsRenewed.incrementRelease();
        messenger.renewChannels(estate);
    }

    /**
     * The peer said its state for the pair is gone: this side's is discarded now, not when the new join's answer
     * comes, so that nothing received or acknowledged meanwhile applies to sequence numbers the peer restarted.
     * RENEWING until the join completes or fails.
     *
     * @param estate the estate, with a session.
     */
    public void beginRenewing(final RemoteEstate estate)
    {
        renew(estate);
        estate.state(EstateState.RENEWING);
    }

    /**
     * The join that renewed the pair completed: JOINED again, without an event (the renewal's own JoinAck path reports
     * RENEWED when both sides renewed).
     *
     * @param estate the estate, RENEWING.
     */
    public void endRenewing(final RemoteEstate estate)
    {
        estate.state(EstateState.JOINED);
        estate.lastHeardLiveNs = cycle.liveNs();
    }

    /**
     * Silent for the liveness timeout: reported unreachable, the session and everything in flight kept.
     *
     * @param estate the estate, JOINED.
     */
    public void becomeUnreachable(final RemoteEstate estate)
    {
        estate.state(EstateState.UNREACHABLE);
        counters.estatesUnreachable.incrementRelease();
        events.presence(estate.id(), estate.name(), PresenceEvent.UNREACHABLE);
    }

    /**
     * An unreachable estate was heard from within the session timeout: the session resumes where it stopped. The
     * retransmission backoff built up while it was silent ends and every channel's timer fires at once, so what it
     * missed is resent now rather than after the backed-off timeout.
     *
     * @param estate the estate, UNREACHABLE.
     */
    public void becomeReachable(final RemoteEstate estate)
    {
        estate.state(EstateState.JOINED);
        counters.sessionsResumed.incrementRelease();
        messenger.resume(estate);
        estate.alive.request();
        estates.activate(estate);
        events.presence(estate.id(), estate.name(), PresenceEvent.REACHABLE);
    }

    /**
     * The estate was heard from: its liveness restarts, and an unreachable one is reachable again.
     *
     * @param estate the estate.
     */
    public void heard(final RemoteEstate estate)
    {
        estate.lastHeardLiveNs = cycle.liveNs();
        if (EstateState.UNREACHABLE == estate.state())
        {
            becomeReachable(estate);
        }
    }

    /**
     * End the estate's session: DEAD. Every message not yet confirmed ends, failed if it certainly was not delivered
     * and uncertain otherwise (see {@code SendChannel.failAll}); all channel state is discarded.
     *
     * @param estate             whose session ends.
     * @param timedOutChannel    channel whose message deadline passed (its messages end TIMEOUT), or -1.
     * @param reason             ordinal of the reason for the other channels' messages.
     * @param isKnownUndelivered true if the peer left saying what it delivered, so the rest certainly was not.
     */
    public void declareDead(
        final RemoteEstate estate, final int timedOutChannel, final int reason, final boolean isKnownUndelivered)
    {
        if (EstateState.DEAD == estate.state())
        {
            return;
        }
        estate.state(EstateState.DEAD);
        estate.deadSinceLiveNs = cycle.liveNs();
        estate.hasBlocked = false;
        counters.estatesDead.incrementRelease();
        messenger.failAll(estate, timedOutChannel, reason, isKnownUndelivered);
        timers.schedule(estate, cycle.nowNs() + peerTickNs);
        events.presence(estate.id(), estate.name(), PresenceEvent.DEAD);
    }

    /**
     * Remove a join that never completed: presence JOIN_FAILED under the join's correlation id and the address.
     *
     * @param estate        the estate, JOINING.
     * @param correlationId of the join.
     */
    public void dropJoining(final RemoteEstate estate, final long correlationId)
    {
        estates.remove(estate);
        timers.cancel(estate);
        events.presence(correlationId, LocalEstate.format(estate.address()), PresenceEvent.JOIN_FAILED);
    }

    /**
     * Forget the estate: its session ends if it had one (messages end with the reason), every secret is wiped, its
     * counters are freed, and presence REAPED.
     *
     * @param estate the estate.
     * @param reason ordinal of the {@link FailureReason} for messages still outstanding.
     */
    public void forget(final RemoteEstate estate, final int reason)
    {
        if (estate.hasJoinedOnce() && EstateState.DEAD != estate.state())
        {
            declareDead(estate, -1, reason, false);
        }
        estates.remove(estate);
        timers.cancel(estate);
        estate.joiner.clearSecrets();
        estate.installKeys(null, true);
        estate.joinent.forgetAnswer();
        if (null != estate.counters)
        {
            estate.counters.close();
            estate.counters = null;
            estateCountersAllocated--;
        }
        messenger.forget(estate);
        if (estate.hasJoinedOnce())
        {
            counters.estatesReaped.incrementRelease();
            events.presence(estate.id(), estate.name(), PresenceEvent.REAPED);
        }
    }

    /**
     * Forget an estate that never joined, without an event: a placeholder whose join was answered by an estate this
     * stack already knows under its id.
     *
     * @param estate the placeholder.
     */
    public void dropPlaceholder(final RemoteEstate estate)
    {
        estates.remove(estate);
        timers.cancel(estate);
    }
}
