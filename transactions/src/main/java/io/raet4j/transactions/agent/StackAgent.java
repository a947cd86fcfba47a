package io.raet4j.transactions.agent;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ControlledMessageHandler;
import io.raet4j.transactions.DutyCycleTask;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.alive.Aliver;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.event.Events;
import io.raet4j.transactions.join.Joinent;
import io.raet4j.transactions.join.Joiner;
import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.KeepChange;
import io.raet4j.transactions.keep.KeepWriter;
import io.raet4j.transactions.keep.RemoteEstateRecord;
import io.raet4j.transactions.keep.Trust;
import io.raet4j.transactions.message.Messenger;
import io.raet4j.transactions.message.SendChannel;
import io.raet4j.transactions.packet.PacketDispatcher;
import io.raet4j.transactions.packet.PacketSender;
import io.raet4j.transactions.security.HandshakeCrypto;
import io.raet4j.transport.media.Media;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.ArrayUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The duty cycle of a stack: one agent does all socket I/O and runs every transaction. Each cycle reads the clock
 * once ({@link Cycle}), receives datagrams and hands them to the {@link PacketDispatcher}, fires the estates' timers
 * ({@link EstateTimers}), serves the estates with work pending (liveness frames from the {@link Aliver}, acks,
 * retransmissions and new segments from the {@link Messenger}, coalesced into datagrams by the {@link PacketSender}),
 * applies keep changes, and last hands the events the cycle queued to the application ({@link Events}), when every
 * transaction is settled.
 * <p>
 * <b>Threading:</b> NOT thread safe: every method runs on the duty-cycle thread, and so do the application's calls to
 * offer and poll ({@link ThreadOwner} refuses others).
 */
public final class StackAgent implements Agent
{
    private static final long KEEP_RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int RECEIVE_LIMIT = 64;

    private final StackContext ctx;
    private final long stallThresholdNs;
    private final Media media;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final Runnable heartbeat;
    private final Trust trust;
    private final KeepWriter keepWriter;
    private final Consumer<KeepChange> keepChangeHandler = this::onKeepChange;
    private final ManyToOneConcurrentArrayQueue<KeepChange> operatorChanges = new ManyToOneConcurrentArrayQueue<>(256);
    private final TransactionCounters counters;
    private final ThreadOwner owner;
    private final Cycle cycle;
    private final LocalEstate local;
    private final Estates estates = new Estates();
    private final Events events;
    private final EstateTimers timers;
    private final PacketSender sender;
    private final EstateLifecycle lifecycle;
    private final Messenger messenger;
    private final Aliver aliver;
    private final Joiner joiner;
    private final Joinent joinent;
    private final PacketDispatcher dispatcher;

    private long lastKeepRetryNs;
    private long lastHeartbeatNs;
    private RemoteEstate claimEstate;
    private SendChannel claimChannel;
    private boolean isInCycle;
    private DutyCycleTask[] tasks = new DutyCycleTask[0];
    private boolean isClosed;

    /**
     * Wire a stack's transactions.
     *
     * @param ctx             the stack's settings.
     * @param media           sent and received over.
     * @param counters        the stack's totals.
     * @param errorHandler    told of anything thrown inside the duty cycle.
     * @param heartbeat       run once a second (the status file's liveness).
     * @param estateId        this estate's id.
     * @param trust           the keep's decisions and this estate's keys.
     * @param keepWriter      writes the keep, or null for a stack without one.
     * @param countersManager for each estate's counters.
     * @param keepDir         the keep's directory, named in join failures.
     */
    public StackAgent(
        final StackContext ctx,
        final Media media,
        final TransactionCounters counters,
        final ErrorHandler errorHandler,
        final Runnable heartbeat,
        final long estateId,
        final Trust trust,
        final KeepWriter keepWriter,
        final CountersManager countersManager,
        final String keepDir)
    {
        this.ctx = ctx;
        this.media = media;
        this.clock = ctx.transport().nanoClock();
        this.stallThresholdNs = ctx.transport().stallThresholdNs();
        this.errorHandler = errorHandler;
        this.heartbeat = heartbeat;
        this.trust = trust;
        this.keepWriter = keepWriter;
        this.counters = counters;
        this.owner = new ThreadOwner(ctx.transport().name(), this.counters.apiMisuse);
        final RandomGenerator random = ctx.transport().random();
        final LongSupplier nonces = random::nextLong;
        int session = 0;
        while (0 == session)
        {
            session = (int)nonces.getAsLong();
        }
        final long startNs = clock.nanoTime();
        final long peerTickNs =
            Math.max(1, Math.min(ctx.keepaliveIntervalNs() / 4, TimeUnit.MILLISECONDS.toNanos(250)));
        final HandshakeCrypto crypto = new HandshakeCrypto();

        this.cycle = new Cycle(startNs);
        this.lastHeartbeatNs = startNs;
        this.local = new LocalEstate(ctx, media, estateId, session);
        this.events = new Events(errorHandler);
        this.timers = new EstateTimers(startNs, this::onEstateTimer, errorHandler);
        this.sender = new PacketSender(ctx.transport().mtuBytes(), media, local, cycle, estates, this.counters);
        this.lifecycle = new EstateLifecycle(
            ctx, local, estates, timers, events, this.counters, cycle, countersManager, peerTickNs);
        this.messenger = new Messenger(ctx, local, estates, sender, this.counters, cycle, events, lifecycle);
        lifecycle.messenger(messenger);
        this.aliver = new Aliver(ctx, estates, sender, cycle, lifecycle, nonces);
        this.joiner = new Joiner(ctx, local, estates, sender, this.counters, cycle, events, lifecycle, timers, trust,
            crypto, keepDir, nonces);
        this.joinent = new Joinent(
            ctx, local, estates, sender, this.counters, cycle, events, lifecycle, joiner, trust, crypto, keepDir);
        this.dispatcher = new PacketDispatcher(
            local, estates, sender, this.counters, cycle, errorHandler, joiner, joinent, aliver, messenger, lifecycle);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "raet4j-stack-" + local.name();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        if (isClosed || isInCycle)
        {
            return 0;
        }
        int workCount = runTasks();
        if (isClosed)
        {
            return workCount;
        }
        isInCycle = true;
        try
        {
            final long nowNs = clock.nanoTime();
            if (cycle.begin(nowNs, stallThresholdNs) > 0)
            {
                onStall();
            }
            try
            {
                workCount += media.receive(dispatcher, RECEIVE_LIMIT);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
            workCount += timers.poll(nowNs);
            workCount += serviceActive();
            flushMedia();
            workCount += applyKeepChanges(nowNs);
            if (nowNs - lastHeartbeatNs >= HEARTBEAT_INTERVAL_NS)
            {
                lastHeartbeatNs = nowNs;
                heartbeat.run();
            }
            counters.dutyCycles.incrementRelease();
        }
        finally
        {
            isInCycle = false;
        }
        // Last: handlers see settled state, and may call the API, close included.
        workCount += events.drain();
        if (!isClosed)
        {
            // Whatever the handlers or a late step sent; nothing when the batch is empty.
            flushMedia();
        }
        return workCount;
    }

    /**
     * Hand the datagrams a batching media queued to the kernel (see {@link Media#flush()}).
     */
    private void flushMedia()
    {
        try
        {
            media.flush();
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    /**
     * Add work run at the start of every duty cycle, at a safe point; adding one twice has no effect.
     *
     * @param task to run.
     */
    public void addTask(final DutyCycleTask task)
    {
        for (final DutyCycleTask existing : tasks)
        {
            if (existing == task)
            {
                return;
            }
        }
        tasks = ArrayUtil.add(tasks, task);
    }

    /**
     * Remove work added with {@link #addTask}.
     *
     * @param task to remove.
     * @return true if it had been added.
     */
    public boolean removeTask(final DutyCycleTask task)
    {
        final DutyCycleTask[] before = tasks;
        tasks = ArrayUtil.remove(tasks, task);
        return tasks != before;
    }

    private int runTasks()
    {
        int workCount = 0;
        final DutyCycleTask[] tasks = this.tasks;
        for (final DutyCycleTask task : tasks)
        {
            try
            {
                workCount += task.doWork();
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
        return workCount;
    }

    private int applyKeepChanges(final long nowNs)
    {
        int workCount = 0;
        if (null != keepWriter)
        {
            // Records the writer's queue refused are handed over again, at most once a millisecond: a refused
            // attempt costs a task allocation, and the writer drains at disk speed anyway.
            if (trust.hasUnsaved() && nowNs - lastKeepRetryNs >= KEEP_RETRY_INTERVAL_NS)
            {
                lastKeepRetryNs = nowNs;
                workCount += trust.saveDeferred();
            }
            workCount += keepWriter.drainChanges(keepChangeHandler);
        }
        if (!operatorChanges.isEmpty())
        {
            workCount += operatorChanges.drain(keepChangeHandler);
        }
        return workCount;
    }

    /**
     * This thread stalled (a GC pause, a stopped process): every peer is asked whether it is alive, since the stall
     * does not count against their liveness.
     */
    private void onStall()
    {
        counters.dutyCycleStalls.incrementRelease();
        for (int i = 0, size = estates.size(); i < size; i++)
        {
            final RemoteEstate estate = estates.get(i);
            if (estate.isSessionUp())
            {
                aliver.request(estate);
            }
        }
    }

    /**
     * Polls of the timer wheel since the stack started. For tests.
     *
     * @return the number of polls.
     */
    public long timerWheelPolls()
    {
        return timers.timerWheelPolls();
    }

    // ---------------------------------------------------------------------------------------------------------
    // API, called on the duty-cycle thread through Stack
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Who may call the data API.
     *
     * @return the stack's owner.
     */
    public ThreadOwner owner()
    {
        return owner;
    }

    /**
     * The application's handlers, added and removed through {@link Stack}.
     *
     * @return the event queue that holds them.
     */
    public Events events()
    {
        return events;
    }

    /**
     * This estate's id.
     *
     * @return the id.
     */
    public long estateId()
    {
        return local.id();
    }

    /**
     * This estate's name.
     *
     * @return the name.
     */
    public String name()
    {
        return local.name();
    }

    /**
     * The session of this run of the stack.
     *
     * @return the session.
     */
    public int session()
    {
        return local.session();
    }

    /**
     * See {@link Stack#join(String)}.
     *
     * @param address          to join.
     * @param pinnedSigningKey the key the estate there must hold, or null.
     * @return the join's correlation id.
     */
    public long join(final SocketAddress address, final byte[] pinnedSigningKey)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("join");
        }
        final long correlationId = joiner.join(address, pinnedSigningKey);
        // The Join may have been sent outside a duty cycle: a batching media must not hold it until the next one.
        flushMedia();
        return correlationId;
    }

    /**
     * See {@link Stack#offer}.
     *
     * @param toEstateId receiver.
     * @param channel    0 to 255.
     * @param buffer     holding the message.
     * @param offset     of the message.
     * @param length     of the message.
     * @return the message id, or a negative status of {@link Stack}.
     */
    public long offer(
        final long toEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("offer");
        }
        if (isClosed)
        {
            return Stack.CLOSED;
        }
        return messenger.offer(toEstateId, channel, buffer, offset, length);
    }

    /**
     * See {@link Stack#tryClaim}.
     *
     * @param toEstateId receiver.
     * @param channel    0 to 255.
     * @param length     of the message.
     * @return the claim's position, or a negative status of {@link Stack}; when a position, {@link #claimEstate()}
     *         and {@link #claimChannel()} say where.
     */
    public long tryClaim(final long toEstateId, final int channel, final int length)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("tryClaim");
        }
        if (isClosed)
        {
            return Stack.CLOSED;
        }
        final SendChannel sendChannel = messenger.claimChannel(toEstateId, channel, length);
        if (null == sendChannel)
        {
            return messenger.lastOfferStatus();
        }
        final long position = sendChannel.claim(length);
        if (position < 0)
        {
            return messenger.backPressured();
        }
        claimEstate = estates.byId(toEstateId);
        claimChannel = sendChannel;
        return position;
    }

    /**
     * The receiver of the last successful {@link #tryClaim}.
     *
     * @return the estate.
     */
    public RemoteEstate claimEstate()
    {
        return claimEstate;
    }

    /**
     * The channel of the last successful {@link #tryClaim}.
     *
     * @return the send channel.
     */
    public SendChannel claimChannel()
    {
        return claimChannel;
    }

    /**
     * Commit a claim.
     *
     * @param estate      receiver.
     * @param sendChannel the claim's channel.
     * @param position    of the claim.
     * @param length      of the message.
     * @return the message id, or a negative status of {@link Stack}.
     */
    public long commitClaim(
        final RemoteEstate estate, final SendChannel sendChannel, final long position, final int length)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("BufferClaim.commit");
        }
        if (isClosed)
        {
            return Stack.NOT_CONNECTED;
        }
        return messenger.commit(estate, sendChannel, position, length);
    }

    /**
     * See {@link Stack#poll}.
     *
     * @param handler  called for each message.
     * @param limit    most messages handed over.
     * @param channels polled, or null for the application's.
     * @return the number handed over.
     */
    public int poll(final MessageHandler handler, final int limit, final ChannelSet channels)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("poll");
        }
        return messenger.poller().poll(handler, limit, channels);
    }

    /**
     * See {@link Stack#controlledPoll}.
     *
     * @param handler  called for each message.
     * @param limit    most messages consumed.
     * @param channels polled, or null for the application's.
     * @return the number consumed.
     */
    public int controlledPoll(final ControlledMessageHandler handler, final int limit, final ChannelSet channels)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("controlledPoll");
        }
        return messenger.poller().controlledPoll(handler, limit, channels);
    }

    /**
     * The messenger, for a channel reservation's offers, reservation and release.
     *
     * @return the messenger.
     */
    public Messenger messenger()
    {
        return messenger;
    }

    /**
     * See {@link Stack#isJoined}.
     *
     * @param id of the estate.
     * @return true if it has a session.
     */
    public boolean isJoined(final long id)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("isJoined");
        }
        final RemoteEstate estate = estates.byId(id);
        return null != estate && estate.isSessionUp();
    }

    /**
     * See {@code Stack.estateId(String)}.
     *
     * @param estateName of the estate.
     * @return its id, or 0.
     */
    public long estateIdByName(final String estateName)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("estateIdByName");
        }
        for (int i = 0, size = estates.size(); i < size; i++)
        {
            final RemoteEstate estate = estates.get(i);
            if (estateName.equals(estate.name()))
            {
                return estate.id();
            }
        }
        return 0;
    }

    /**
     * See {@link Stack#outstandingMessages}.
     *
     * @param id of the estate.
     * @return messages offered to it and not yet ended.
     */
    public long outstandingMessages(final long id)
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("outstandingMessages");
        }
        final RemoteEstate estate = estates.byId(id);
        return null == estate ? 0 : estate.channels.outstandingMessages();
    }

    /**
     * See {@link Stack#estateCount}.
     *
     * @return the number of estates known.
     */
    public int estateCount()
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("estateCount");
        }
        return estates.size();
    }

    /**
     * The estates known, for a snapshot: read on the duty-cycle thread only.
     *
     * @return the estates.
     */
    public Estates estates()
    {
        if (!owner.isOwner())
        {
            owner.claimOrRefuse("estates");
        }
        return estates;
    }

    /**
     * An operator's change made through this stack's API, from any thread; applied by the next duty cycle.
     *
     * @param change the change.
     */
    public void onOperatorChange(final KeepChange change)
    {
        while (!operatorChanges.offer(change))
        {
            Thread.onSpinWait();
        }
    }

    private void onKeepChange(final KeepChange change)
    {
        trust.onChange(change);
        final RemoteEstateRecord record = change.current();
        if (null == record || Acceptance.REJECTED != record.status())
        {
            return;
        }
        // An operator rejected an estate: if it is here, it is cut off now and its messages fail.
        for (int i = estates.size() - 1; i >= 0; i--)
        {
            final RemoteEstate estate = estates.get(i);
            if (estate.hasJoinedOnce() && change.name().equals(estate.name()))
            {
                lifecycle.forget(estate, FailureReason.REJECTED.ordinal());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers and the send loop
    // ---------------------------------------------------------------------------------------------------------

    private void onEstateTimer(final RemoteEstate estate)
    {
        if (null != estate.counters)
        {
            estate.counters.silentMs.setRelease((cycle.liveNs() - estate.lastHeardLiveNs) / 1_000_000);
            estate.counters.rttUs.setRelease(estate.path.srttNs() / 1_000);
        }
        if (joiner.onTimer(estate))
        {
            return;
        }
        switch (estate.state())
        {
            case JOINED:
            case UNREACHABLE:
                aliver.onTimer(estate);
                break;
            case DEAD:
                if (cycle.liveNs() - estate.deadSinceLiveNs >= ctx.reapTimeoutNs())
                {
                    lifecycle.forget(estate, FailureReason.PEER_DEAD.ordinal());
                    return;
                }
                joiner.rejoinIfDue(estate);
                break;
            default:
                break;
        }
        timers.schedule(estate, Joiner.nextDeadlineNs(estate, cycle.nowNs() + lifecycle.peerTickNs()));
    }

    private int serviceActive()
    {
        int workCount = 0;
        for (int i = 0; i < estates.activeCount(); )
        {
            final RemoteEstate estate = estates.active(i);
            boolean isStillActive;
            try
            {
                workCount += service(estate);
                isStillActive = isBusy(estate);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
                isStillActive = false;
            }
            if (isStillActive && estate.isActive)
            {
                i++;
            }
            else if (i < estates.activeCount() && estates.active(i) == estate)
            {
                estates.deactivate(i);
            }
        }
        return workCount;
    }

    private static boolean isBusy(final RemoteEstate estate)
    {
        if (!estate.isSessionUp())
        {
            return false;
        }
        return estate.alive.isDue() || estate.hasBlocked || Messenger.isBusy(estate);
    }

    /**
     * Serve one estate: a held datagram first; then, in as few datagrams as the pair's MTU allows, the liveness
     * frames, the acks and nacks, and, when no join is in progress, retransmissions and new segments.
     */
    private int service(final RemoteEstate estate)
    {
        if (!estate.isSessionUp())
        {
            return 0;
        }
        if (estate.hasBlocked && !sender.retryBlocked(estate))
        {
            // The peer's socket queue is still full: nothing more is built for it until the waiting datagram goes.
            return 0;
        }
        sender.begin(estate);
        int workCount = aliver.append(estate);
        workCount += messenger.appendAcks(estate);
        if (!estate.joiner.isInProgress())
        {
            workCount += messenger.appendData(estate);
            if (!estate.isSessionUp())
            {
                return workCount;
            }
        }
        sender.flush(estate);
        return workCount;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Close
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     */
    @Override
    public void onClose()
    {
        if (isClosed)
        {
            return;
        }
        cycle.now(clock.nanoTime());
        if (trust.hasUnsaved())
        {
            trust.saveDeferredBeforeClose(KeepWriter.CLOSE_TIMEOUT_MS / 2);
            counters.accountKeepWrites(trust.writesDropped(), trust.writesDeferred());
        }
        for (int i = 0, size = estates.size(); i < size; i++)
        {
            final RemoteEstate estate = estates.get(i);
            if (estate.isSessionUp())
            {
                try
                {
                    sendLeave(estate);
                }
                catch (final Throwable ex)
                {
                    errorHandler.onError(ex);
                }
            }
            messenger.close(estate);
            joiner.onClose(estate);
        }
        // The Leaves go to the kernel before the stack closes the media.
        flushMedia();
        isClosed = true;
        events.drain();
        for (final DutyCycleTask task : tasks)
        {
            try
            {
                task.onClose();
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
        events.drain();
    }

    /**
     * The last datagram to a peer: the final Ack of every reliable channel received on, then Leave. When all of it
     * fits in one datagram, and no unordered channel handed a message over ahead of its confirmed prefix, the Leave
     * says so: the peer then knows that whatever those Acks do not confirm was not delivered (its failed outcomes are
     * certain). The datagram is opened whole or not at all, so the Acks and the Leave cannot be taken apart.
     */
    private void sendLeave(final RemoteEstate estate)
    {
        sender.begin(estate);
        final boolean isFinal = messenger.appendFinalAcks(estate);
        if (!sender.writer().appendLeave(isFinal))
        {
            sender.flushAndBegin(estate);
            sender.writer().appendLeave(false);
        }
        sender.flush(estate);
    }

    /**
     * Whether the agent has closed.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

}
