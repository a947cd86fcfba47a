package io.raet4j.transactions;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.RenewDecoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.transactions.message.ChannelMessageHandler;
import io.raet4j.transactions.message.MessageOutcomeListener;
import io.raet4j.transactions.message.PathState;
import io.raet4j.transactions.message.ReceiveChannel;
import io.raet4j.transactions.message.SendChannel;
import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.KeepChange;
import io.raet4j.transactions.keep.KeepWriter;
import io.raet4j.transactions.security.CookieJar;
import io.raet4j.transactions.security.HandshakeCrypto;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transactions.security.Transcripts;
import io.raet4j.transport.Context;
import io.raet4j.transport.EstateRegistry;
import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import io.raet4j.transport.status.SystemCounterDescriptor;
import io.raet4j.transport.status.SystemCounters;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.DeadlineTimerWheel;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The duty cycle of a stack: one agent does all socket I/O and runs every transaction. Each cycle reads the clock
 * once, detects its own stalls, receives and dispatches datagrams, fires per-estate timers from a
 * {@link DeadlineTimerWheel}, then serves the estates with work pending: acks and nacks, retransmissions, new
 * segments coalesced into datagrams up to the MTU, and keepalives.
 * <p>
 * NOT thread safe: every method runs on the duty-cycle thread, and so do the application's calls to offer and poll.
 */
final class StackAgent implements Agent, DatagramHandler, MessageOutcomeListener, ChannelMessageHandler
{
    static final int PROTOCOL_VERSION = 3;
    static final int MIN_PROTOCOL_VERSION = 3;
    private static final int REPORTED_REFUSALS_MAX = 4096;
    private static final FailureReason[] REASONS = FailureReason.values();
    private static final int RECEIVE_LIMIT = 64;
    private static final int DATAGRAM_OVERHEAD_BYTES = 320;
    private static final int MIN_RECEIVE_CREDIT = 16;
    private static final long KEEP_RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int TIMER_LIMIT = 256;
    private static final int MAX_TICKS_PER_CYCLE = 1 << 20;
    private static final long TIMER_TICK_NS = 1L << 16;
    private static final int TICKS_PER_WHEEL = 1024;
    /** Ticks the wheel must lag the clock by before it is moved ahead in one step rather than polled tick by tick. */
    private static final long SKIP_AHEAD_MIN_TICKS = 4;
    /** Most timers scanned for the earliest deadline when the known bound has passed; beyond, poll tick by tick. */
    private static final int SKIP_AHEAD_SCAN_MAX_TIMERS = 16;
    private static final long RENEW_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long JOIN_RETRY_INITIAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long JOIN_RETRY_MAX_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int HEADER_FLAG_RENEW = PacketWriter.FLAG_RENEW;
    private static final byte[] ZERO_KEY = new byte[PacketWriter.KEY_LENGTH];
    private static final long PENDING_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Context ctx;
    private final CountersManager countersManager;
    private final String keepDir;
    private int estateCountersAllocated;
    private RemoteEstate outcomeEstate;
    private final Media media;
    private final NanoClock clock;
    private final SystemCounters counters;
    private final ErrorHandler errorHandler;
    private final Runnable heartbeat;
    private final PacketWriter writer;
    private final PacketReader reader = new PacketReader();
    private final EstateRegistry<RemoteEstate> registry = new EstateRegistry<>();
    private final DeadlineTimerWheel timerWheel;
    private final Long2ObjectHashMap<RemoteEstate> estateByTimerId = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler timerHandler = this::onTimer;
    private final long[] rangeStarts = new long[Math.max(PacketWriter.MAX_ACK_RANGES, PacketWriter.MAX_NACK_RANGES)];
    private final long[] rangeEnds = new long[rangeStarts.length];
    private final int maxPayload;
    private final int receivePayload;
    private final int receiveCreditSegments;
    private final JoinLimits roadLimits;
    private final JoinLimits laneLimits;
    private final org.agrona.collections.LongHashSet reportedRefusals = new org.agrona.collections.LongHashSet();
    private final long estateId;
    private final String name;
    private final int session;
    private final long peerTickNs;
    private final Trust trust;
    private final KeepWriter keepWriter;
    private final Consumer<KeepChange> keepChangeHandler = this::onKeepChange;
    private final java.util.HashMap<SocketAddress, byte[]> pinnedKeys = new java.util.HashMap<>();
    private final ManyToOneConcurrentArrayQueue<KeepChange> operatorChanges = new ManyToOneConcurrentArrayQueue<>(256);
    private final HandshakeCrypto crypto = new HandshakeCrypto();
    private final CookieJar cookieJar;
    private final boolean isEncrypted;
    private final boolean isLaneEncrypted;
    private final byte[] cookieIn = new byte[CookieJar.COOKIE_LENGTH];
    private final byte[] cookieOut = new byte[CookieJar.COOKIE_LENGTH];
    private final AtomicCounter joinCookiesSent;
    private final AtomicCounter badCookies;
    private final AtomicCounter joinsRateLimited;
    private final AtomicCounter badSignatures;
    private final AtomicCounter joinsPending;
    private final AtomicCounter pinnedKeyMismatch;
    private final AtomicCounter replayed;
    private final AtomicCounter tampered;
    private final AtomicCounter unknownKey;
    private final AtomicCounter unsealed;
    private final AtomicCounter keyUpdates;
    private final AtomicCounter keepWritesDropped;
    private final AtomicCounter keepWritesDeferred;

    private final AtomicCounter bytesReceived;
    private final AtomicCounter packetsReceived;
    private final AtomicCounter bytesSent;
    private final AtomicCounter packetsSent;
    private final AtomicCounter malformed;
    private final AtomicCounter unsupportedVersion;
    private final AtomicCounter unknownEstate;
    private final AtomicCounter staleSession;
    private final AtomicCounter unknownFrames;
    private final AtomicCounter duplicates;
    private final AtomicCounter outOfWindow;
    private final AtomicCounter segmentsSent;
    private final AtomicCounter retransmits;
    private final AtomicCounter retransmitTimeouts;
    private final AtomicCounter acksSent;
    private final AtomicCounter acksReceived;
    private final AtomicCounter nacksSent;
    private final AtomicCounter nacksReceived;
    private final AtomicCounter messagesDelivered;
    private final AtomicCounter messagesFailed;
    private final AtomicCounter messagesReceived;
    private final AtomicCounter sendWouldBlock;
    private final AtomicCounter dutyCycles;
    private final AtomicCounter congestionEvents;
    private final AtomicCounter lossesDetected;
    private final AtomicCounter tailProbes;
    private final AtomicCounter messagesUncertain;
    private final AtomicCounter estatesUnreachable;
    private final AtomicCounter sessionsResumed;
    private final AtomicCounter joinsFailed;

    private RemoteEstate[] active = new RemoteEstate[16];
    private int activeCount;
    private RemoteEstate[] readable = new RemoteEstate[16];
    private int readableCount;

    private long nowNs;
    private long earliestDeadlineBoundNs = Long.MAX_VALUE;
    private volatile Thread owner = Thread.currentThread();
    private boolean hasOwnerRun;
    private long lastKeepRetryNs;
    private long timerWheelPolls;
    private long cycle;
    private long liveNs;
    private long lastCycleNs;
    private long totalStallNs;
    private long lastHeartbeatNs;
    private long lastRenewNs;
    private long nextCorrelationId = 1;
    private long lastOfferStatus;
    private boolean isClosed;

    private DeliveryHandler deliveryHandler;
    private PresenceHandler presenceHandler;
    private JoinHandler joinHandler;
    private MessageHandler messageHandler;

    StackAgent(
        final Context ctx,
        final Media media,
        final SystemCounters counters,
        final ErrorHandler errorHandler,
        final Runnable heartbeat,
        final long estateId,
        final Trust trust,
        final KeepWriter keepWriter,
        final CountersManager countersManager,
        final String keepDir)
    {
        this.ctx = ctx;
        this.keepDir = keepDir;
        this.countersManager = countersManager;
        this.trust = trust;
        this.keepWriter = keepWriter;
        this.isEncrypted = ctx.encryption();
        this.isLaneEncrypted = ctx.laneEncryption();
        this.media = media;
        this.clock = ctx.nanoClock();
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.heartbeat = heartbeat;
        this.writer = new PacketWriter(ctx.mtuBytes());
        this.maxPayload = PacketWriter.maxDataPayload(
            ctx.mtuBytes() - (ctx.encryption() || ctx.laneEncryption() ? PacketWriter.SEALED_OVERHEAD : 0));
        this.receiveCreditSegments = receiveCredit(
            media.receiveBufferBytes(), ctx.mtuBytes(), ctx.receiveWindowSegments());
        // A peer may seal less than this stack does, so its segments may be as long as the unsealed maximum.
        this.receivePayload = PacketWriter.maxDataPayload(ctx.mtuBytes());
        this.roadLimits = new JoinLimits(
            ctx.mtuBytes(), ctx.maxMessageBytes(), receiveCreditSegments, ctx.encryption());
        this.laneLimits = new JoinLimits(
            ctx.mtuBytes(), ctx.maxMessageBytes(), receiveCreditSegments, ctx.laneEncryption());
        this.estateId = estateId;
        this.name = ctx.name();
        int s = 0;
        while (0 == s)
        {
            s = ThreadLocalRandom.current().nextInt();
        }
        this.session = s;
        this.peerTickNs = Math.max(1, Math.min(ctx.keepaliveIntervalNs() / 4, TimeUnit.MILLISECONDS.toNanos(250)));
        final long startNs = clock.nanoTime();
        this.nowNs = startNs;
        this.lastCycleNs = startNs;
        this.liveNs = startNs;
        this.lastHeartbeatNs = startNs;
        this.lastRenewNs = startNs - RENEW_INTERVAL_NS;
        this.timerWheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TIMER_TICK_NS, TICKS_PER_WHEEL);
        this.cookieJar = new CookieJar(crypto, ctx.handshakesPerSecond(), startNs);

        bytesReceived = counters.get(SystemCounterDescriptor.BYTES_RECEIVED);
        packetsReceived = counters.get(SystemCounterDescriptor.PACKETS_RECEIVED);
        bytesSent = counters.get(SystemCounterDescriptor.BYTES_SENT);
        packetsSent = counters.get(SystemCounterDescriptor.PACKETS_SENT);
        malformed = counters.get(SystemCounterDescriptor.MALFORMED_PACKETS);
        unsupportedVersion = counters.get(SystemCounterDescriptor.UNSUPPORTED_VERSION);
        unknownEstate = counters.get(SystemCounterDescriptor.UNKNOWN_ESTATE);
        staleSession = counters.get(SystemCounterDescriptor.STALE_SESSION);
        unknownFrames = counters.get(SystemCounterDescriptor.UNKNOWN_FRAMES);
        duplicates = counters.get(SystemCounterDescriptor.DUPLICATE_SEGMENTS);
        outOfWindow = counters.get(SystemCounterDescriptor.OUT_OF_WINDOW_SEGMENTS);
        segmentsSent = counters.get(SystemCounterDescriptor.SEGMENTS_SENT);
        retransmits = counters.get(SystemCounterDescriptor.RETRANSMITS);
        retransmitTimeouts = counters.get(SystemCounterDescriptor.RETRANSMIT_TIMEOUTS);
        acksSent = counters.get(SystemCounterDescriptor.ACKS_SENT);
        acksReceived = counters.get(SystemCounterDescriptor.ACKS_RECEIVED);
        nacksSent = counters.get(SystemCounterDescriptor.NACKS_SENT);
        nacksReceived = counters.get(SystemCounterDescriptor.NACKS_RECEIVED);
        messagesDelivered = counters.get(SystemCounterDescriptor.MESSAGES_DELIVERED);
        messagesFailed = counters.get(SystemCounterDescriptor.MESSAGES_FAILED);
        messagesReceived = counters.get(SystemCounterDescriptor.MESSAGES_RECEIVED);
        sendWouldBlock = counters.get(SystemCounterDescriptor.SEND_WOULD_BLOCK);
        dutyCycles = counters.get(SystemCounterDescriptor.DUTY_CYCLES);
        congestionEvents = counters.get(SystemCounterDescriptor.CONGESTION_EVENTS);
        lossesDetected = counters.get(SystemCounterDescriptor.LOSSES_DETECTED);
        tailProbes = counters.get(SystemCounterDescriptor.TAIL_PROBES);
        messagesUncertain = counters.get(SystemCounterDescriptor.MESSAGES_UNCERTAIN);
        estatesUnreachable = counters.get(SystemCounterDescriptor.ESTATES_UNREACHABLE);
        sessionsResumed = counters.get(SystemCounterDescriptor.SESSIONS_RESUMED);
        joinsFailed = counters.get(SystemCounterDescriptor.JOINS_FAILED);
        joinCookiesSent = counters.get(SystemCounterDescriptor.JOIN_COOKIES_SENT);
        badCookies = counters.get(SystemCounterDescriptor.BAD_COOKIES);
        joinsRateLimited = counters.get(SystemCounterDescriptor.JOINS_RATE_LIMITED);
        badSignatures = counters.get(SystemCounterDescriptor.BAD_SIGNATURES);
        joinsPending = counters.get(SystemCounterDescriptor.JOINS_PENDING);
        pinnedKeyMismatch = counters.get(SystemCounterDescriptor.PINNED_KEY_MISMATCH);
        replayed = counters.get(SystemCounterDescriptor.REPLAYED_PACKETS);
        tampered = counters.get(SystemCounterDescriptor.TAMPERED_PACKETS);
        unknownKey = counters.get(SystemCounterDescriptor.UNKNOWN_KEY_PACKETS);
        unsealed = counters.get(SystemCounterDescriptor.UNSEALED_PACKETS);
        keyUpdates = counters.get(SystemCounterDescriptor.KEY_UPDATES);
        keepWritesDropped = counters.get(SystemCounterDescriptor.KEEP_WRITES_DROPPED);
        keepWritesDeferred = counters.get(SystemCounterDescriptor.KEEP_WRITES_DEFERRED);
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "raet4j-stack-" + name;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        if (isClosed)
        {
            return 0;
        }
        nowNs = clock.nanoTime();
        cycle++;
        final long gapNs = nowNs - lastCycleNs;
        if (gapNs > ctx.stallThresholdNs())
        {
            onStall(gapNs);
        }
        lastCycleNs = nowNs;
        liveNs = nowNs - totalStallNs;

        int workCount = 0;
        try
        {
            workCount += media.receive(this, RECEIVE_LIMIT);
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
        workCount += pollTimers();
        workCount += serviceActive();
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

        if (nowNs - lastHeartbeatNs >= HEARTBEAT_INTERVAL_NS)
        {
            lastHeartbeatNs = nowNs;
            heartbeat.run();
        }
        dutyCycles.incrementRelease();

        return workCount;
    }

    /**
     * Expire the timers due by {@link #nowNs}. The wheel advances at most one tick per poll, so it is caught up to the
     * clock by polling in a loop, bounded per cycle; a stack whose duty cycle runs rarely (an idle estate driven every
     * 50 ms lags by about 760 ticks) first moves the wheel ahead in one step, see {@link #skipAhead()}.
     */
    private int pollTimers()
    {
        int expired = 0;
        for (int ticks = 0; ticks < MAX_TICKS_PER_CYCLE && timerWheel.currentTickTime() <= nowNs; ticks++)
        {
            skipAhead();
            timerWheelPolls++;
            expired += timerWheel.poll(nowNs, timerHandler, TIMER_LIMIT - expired);
            if (expired >= TIMER_LIMIT)
            {
                break;
            }
        }
        return expired;
    }

    /**
     * When the wheel lags the clock by {@value #SKIP_AHEAD_MIN_TICKS} ticks or more, move it straight to the tick of
     * {@code min(nowNs, earliest deadline)}: the spokes in between hold no timer due by then, and polling them one by
     * one is the whole cost of an idle cycle. The wheel never moves past a deadline, since a timer whose spoke is
     * skipped is only looked at again a revolution later. {@link #earliestDeadlineBoundNs} is a lower bound on every
     * scheduled deadline, lowered by {@link #schedule} and left alone by expiries and cancellations; once the wheel
     * has reached it, it is recomputed from the timers if they are few, otherwise the wheel is polled tick by tick as
     * before (a stack with many timers runs its duty cycle often). Allocates nothing: the scan uses the map's cached
     * iterator.
     */
    private void skipAhead()
    {
        final long tickEndNs = timerWheel.currentTickTime();
        if (nowNs - tickEndNs < SKIP_AHEAD_MIN_TICKS * TIMER_TICK_NS)
        {
            return;
        }
        if (earliestDeadlineBoundNs < tickEndNs)
        {
            if (timerWheel.timerCount() > SKIP_AHEAD_SCAN_MAX_TIMERS)
            {
                return;
            }
            earliestDeadlineBoundNs = earliestDeadlineNs();
        }
        timerWheel.currentTickTime(Math.min(nowNs, earliestDeadlineBoundNs));
    }

    private long earliestDeadlineNs()
    {
        long earliestNs = Long.MAX_VALUE;
        final Long2ObjectHashMap<RemoteEstate>.KeyIterator timerIds = estateByTimerId.keySet().iterator();
        while (timerIds.hasNext())
        {
            earliestNs = Math.min(earliestNs, timerWheel.deadline(timerIds.nextLong()));
        }
        return earliestNs;
    }

    /**
     * Polls of the timer wheel since the stack started: one per tick walked, so a measure of what idle duty cycles
     * cost. For tests.
     *
     * @return the number of polls.
     */
    long timerWheelPolls()
    {
        return timerWheelPolls;
    }

    private void onStall(final long gapNs)
    {
        totalStallNs += gapNs;
        counters.get(SystemCounterDescriptor.DUTY_CYCLE_STALLS).incrementRelease();
        for (int i = 0, size = registry.size(); i < size; i++)
        {
            final RemoteEstate estate = registry.get(i);
            if (estate.isSessionUp())
            {
                requestAlive(estate);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // API, called on the duty-cycle thread through Stack
    // ---------------------------------------------------------------------------------------------------------

    void handlers(
        final DeliveryHandler deliveryHandler, final PresenceHandler presenceHandler)
    {
        this.deliveryHandler = deliveryHandler;
        this.presenceHandler = presenceHandler;
    }

    void joinHandler(final JoinHandler joinHandler)
    {
        this.joinHandler = joinHandler;
    }

    /**
     * Give the stack to a thread: from now on only it may run the duty cycle and call the data API. Dedicated mode
     * gives it to the runner's thread before that thread starts.
     *
     * @param thread the new owner.
     */
    void owner(final Thread thread)
    {
        owner = thread;
        hasOwnerRun = true;
    }

    /**
     * A call from a thread that is not the owner. It takes the stack over when nobody holds it: before the first duty
     * cycle (an application may launch a stack on one thread and run it on another), after {@link #handOver()}, or
     * once the owner thread has ended. Otherwise it is refused. Off the hot path: the owner's calls only compare.
     */
    void claimOrRefuse(final String call)
    {
        final Thread current = Thread.currentThread();
        final Thread running = owner;
        if (current == running)
        {
            hasOwnerRun = true;
            return;
        }
        if (null == running || !hasOwnerRun || !running.isAlive())
        {
            owner = current;
            hasOwnerRun = true;
            return;
        }
        refuse(call);
    }

    /**
     * The owner gives the stack up, so that another thread's next call takes it over: for an application that moves
     * its loop between threads (a pool, a framework's event loop).
     */
    void handOver()
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("handOver");
        }
        owner = null;
    }

    /**
     * A call from a thread that does not own the stack: the single-threaded API would corrupt state silently, so it
     * is refused loudly instead. Costs a thread comparison on the hot path.
     */
    private void refuse(final String call)
    {
        counters.get(SystemCounterDescriptor.API_MISUSE).incrementRelease();
        final Thread current = Thread.currentThread();
        final Thread running = owner;
        throw new IllegalStateException("Stack." + call + " called on thread '" + current.getName() +
            "', but stack '" + name + "' is run by thread '" + (null == running ? "?" : running.getName()) +
            "': the duty cycle and the data API (doWork, offer, tryClaim, poll, join) are single-threaded; call " +
            "them from that thread (in dedicated mode, from the application agent given to start), or hand work " +
            "over to it through a queue");
    }

    /**
     * The limits this stack announces to an estate at an address: the lane's sealing setting on host-local media,
     * else the road's.
     */
    private JoinLimits ownLimits(final SocketAddress address)
    {
        return media.isHostLocal(address) ? laneLimits : roadLimits;
    }

    long estateId()
    {
        return estateId;
    }

    String name()
    {
        return name;
    }

    int session()
    {
        return session;
    }

    long join(final SocketAddress address, final byte[] pinnedSigningKey)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("join");
        }
        RemoteEstate estate = registry.byAddress(address);
        final long correlationId = nextCorrelationId++;
        if (null == estate)
        {
            estate = newEstate(0, null, address);
            estate.state = RemoteEstate.State.JOINING;
            registry.add(estate);
        }
        estate.isInitiator = true;
        estate.isAppJoin = true;
        estate.joinCorrelationId = correlationId;
        estate.pinnedSigningKey = null == pinnedSigningKey ? null : pinnedSigningKey.clone();
        if (null == pinnedSigningKey)
        {
            pinnedKeys.remove(address);
        }
        else
        {
            // Outlives this join: whoever is at the address must hold the key, whichever side joins.
            pinnedKeys.put(address, estate.pinnedSigningKey);
        }
        startJoin(estate, RemoteEstate.State.DEAD == estate.state);
        return correlationId;
    }

    long offer(final long toEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("offer");
        }
        final SendChannel sendChannel = sendChannelFor(toEstateId, channel, length);
        if (null == sendChannel)
        {
            return lastOfferStatus;
        }
        final long result = sendChannel.offer(buffer, offset, length, liveNs + ctx.messageTimeoutNs());
        return accountOffer(registry.byId(toEstateId), result);
    }

    long tryClaim(final long toEstateId, final int channel, final int length, final BufferClaim claim)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("tryClaim");
        }
        final SendChannel sendChannel = sendChannelFor(toEstateId, channel, length);
        if (null == sendChannel)
        {
            return lastOfferStatus;
        }
        if (length > sendChannel.maxPayload())
        {
            return Stack.MESSAGE_TOO_LARGE;
        }
        final long position = sendChannel.claim(length);
        if (position < 0)
        {
            counters.get(SystemCounterDescriptor.BACK_PRESSURE_EVENTS).incrementRelease();
            return Stack.BACK_PRESSURED;
        }
        claim.wrap(this, registry.byId(toEstateId), sendChannel, position, length);
        return position;
    }

    long commitClaim(final RemoteEstate estate, final SendChannel sendChannel, final long position, final int length)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("BufferClaim.commit");
        }
        if (isClosed || !estate.isSessionUp() || !estate.isRegistered())
        {
            return Stack.NOT_CONNECTED;
        }
        final long messageId = sendChannel.commit(position, length, liveNs + ctx.messageTimeoutNs());
        return accountOffer(estate, messageId);
    }

    private SendChannel sendChannelFor(final long toEstateId, final int channel, final int length)
    {
        if (isClosed)
        {
            lastOfferStatus = Stack.CLOSED;
            return null;
        }
        if (channel < 0 || channel >= Context.CHANNEL_COUNT)
        {
            lastOfferStatus = Stack.INVALID_CHANNEL;
            return null;
        }
        if (length < 0 || length > ctx.maxMessageBytes())
        {
            lastOfferStatus = Stack.MESSAGE_TOO_LARGE;
            return null;
        }
        final RemoteEstate estate = registry.byId(toEstateId);
        if (null == estate || !estate.isSessionUp())
        {
            lastOfferStatus = Stack.NOT_CONNECTED;
            return null;
        }
        if (length > estate.peerMaxMessage)
        {
            // The receiver said in the join that it takes no longer message.
            lastOfferStatus = Stack.MESSAGE_TOO_LARGE;
            return null;
        }
        return sendChannel(estate, channel);
    }

    private long accountOffer(final RemoteEstate estate, final long result)
    {
        if (result < 0)
        {
            counters.get(SystemCounterDescriptor.BACK_PRESSURE_EVENTS).incrementRelease();
            return Stack.BACK_PRESSURED;
        }
        counters.get(SystemCounterDescriptor.MESSAGES_OFFERED).incrementRelease();
        if (null != estate.counters)
        {
            estate.counters.offered.incrementRelease();
        }
        activate(estate);
        return result;
    }

    int poll(final MessageHandler handler, final int limit)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("poll");
        }
        int count = 0;
        messageHandler = handler;
        try
        {
            for (int i = 0; i < readableCount && count < limit; )
            {
                final RemoteEstate estate = readable[i];
                boolean hasMore = false;
                for (final ReceiveChannel channel : estate.usedReceive)
                {
                    if (count < limit)
                    {
                        final int polled = channel.poll(this, estate.id(), limit - count);
                        count += polled;
                        if (polled > 0 && null != estate.counters)
                        {
                            estate.counters.received.getAndAddRelease(polled);
                        }
                    }
                    if (channel.isAckPending())
                    {
                        activate(estate);
                    }
                    hasMore |= channel.hasReadable();
                }
                if (hasMore)
                {
                    i++;
                }
                else
                {
                    estate.isReadable = false;
                    readable[i] = readable[--readableCount];
                    readable[readableCount] = null;
                }
            }
        }
        finally
        {
            messageHandler = null;
        }
        if (count > 0)
        {
            messagesReceived.getAndAddRelease(count);
        }
        return count;
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(
        final long fromEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        messageHandler.onMessage(fromEstateId, channel, buffer, offset, length);
    }

    boolean isJoined(final long id)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("isJoined");
        }
        final RemoteEstate estate = registry.byId(id);
        return null != estate && estate.isSessionUp();
    }

    long estateIdByName(final String estateName)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("estateIdByName");
        }
        for (int i = 0, size = registry.size(); i < size; i++)
        {
            final RemoteEstate estate = registry.get(i);
            if (estateName.equals(estate.name()))
            {
                return estate.id();
            }
        }
        return 0;
    }

    long outstandingMessages(final long id)
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("outstandingMessages");
        }
        final RemoteEstate estate = registry.byId(id);
        long count = 0;
        if (null != estate)
        {
            for (final SendChannel channel : estate.usedSend)
            {
                count += channel.outstandingMessages();
            }
        }
        return count;
    }

    int estateCount()
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("estateCount");
        }
        return registry.size();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receive path
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     */
    public void onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        packetsReceived.incrementRelease();
        bytesReceived.getAndAddRelease(length);
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
            if (reader.unknownFrames() > 0)
            {
                unknownFrames.getAndAddRelease(reader.unknownFrames());
            }
            if (!reader.nextFrame())
            {
                return;
            }

            switch (reader.templateId())
            {
                case JoinDecoder.TEMPLATE_ID:
                    onJoin(source);
                    return;
                case JoinAckDecoder.TEMPLATE_ID:
                    onJoinAck(source);
                    return;
                case JoinCookieDecoder.TEMPLATE_ID:
                    onJoinCookie(source);
                    return;
                case RenewDecoder.TEMPLATE_ID:
                    onRenew(source);
                    return;
                default:
                    if (isSealedFor(source))
                    {
                        // Only the join exchange and Renew travel in clear text; anything else must be sealed.
                        unsealed.incrementRelease();
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
            malformed.incrementRelease();
            errorHandler.onError(ex);
        }
    }

    /**
     * Whether packets to and from this address are sealed: the lane setting for host-local media, else the road's.
     */
    private boolean isSealedFor(final SocketAddress address)
    {
        return media.isHostLocal(address) ? isLaneEncrypted : isEncrypted;
    }

    private boolean isRefused(final int status)
    {
        if (PacketReader.OK == status)
        {
            return false;
        }
        if (PacketReader.BAD_SCHEMA == status || PacketReader.BAD_VERSION == status)
        {
            unsupportedVersion.incrementRelease();
        }
        else
        {
            malformed.incrementRelease();
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
        if (!isSealedFor(source))
        {
            unsealed.incrementRelease();
            return;
        }
        // Cheap checks first: ids, address, sessions, state; then the key id and the replay window; only then the AEAD.
        final RemoteEstate estate = checkEstatePacket(source);
        if (null == estate)
        {
            return;
        }
        final int keyId = reader.keyId();
        final SessionKeys keys = null != estate.keys && estate.keys.knowsKey(keyId) ? estate.keys :
            null != estate.previousKeys && estate.previousKeys.knowsKey(keyId) ? estate.previousKeys : null;
        if (null == keys)
        {
            unknownKey.incrementRelease();
            return;
        }
        switch (keys.open(reader, buffer, offset, length))
        {
            case SessionKeys.OPENED:
                break;
            case SessionKeys.REPLAYED:
                replayed.incrementRelease();
                return;
            case SessionKeys.TAMPERED:
                tampered.incrementRelease();
                return;
            default:
                unknownKey.incrementRelease();
                return;
        }
        if (PacketReader.OK != reader.wrapOpened(buffer, offset, length - PacketWriter.SEALED_TAG_LENGTH))
        {
            // Authentic but malformed: the peer's bug, not an attack; counted and dropped all the same.
            malformed.incrementRelease();
            return;
        }
        if (reader.unknownFrames() > 0)
        {
            unknownFrames.getAndAddRelease(reader.unknownFrames());
        }
        if (reader.nextFrame())
        {
            onEstateFrames(estate);
        }
    }

    private RemoteEstate checkEstatePacket(final SocketAddress source)
    {
        final long srcId = reader.srcEstateId();
        final RemoteEstate estate = registry.byId(srcId);
        if (null == estate || estate.isPlaceholder() || !source.equals(estate.address()) || !estate.hasJoinedOnce)
        {
            unknownEstate.incrementRelease();
            sendRenew(source, srcId, reader.srcSession(), RenewReason.UNKNOWN_ESTATE);
            return null;
        }
        if (reader.dstEstateId() != estateId || reader.dstSession() != session ||
            reader.srcSession() != estate.session || !estate.isSessionUp())
        {
            staleSession.incrementRelease();
            sendRenew(source, srcId, reader.srcSession(), RenewReason.STALE_SESSION);
            return null;
        }

        if (estate.isRenewedEarly)
        {
            // The peer asked for a renewal and our state is already discarded: until its JoinAck, anything it sent
            // belongs to the old pair state or races ahead of the JoinAck; it is dropped and, if reliable, resent.
            staleSession.incrementRelease();
            return null;
        }
        return estate;
    }

    private void onEstateFrames(final RemoteEstate estate)
    {
        estate.lastHeardLiveNs = liveNs;
        if (RemoteEstate.State.UNREACHABLE == estate.state)
        {
            becomeReachable(estate);
        }
        do
        {
            switch (reader.templateId())
            {
                case DataDecoder.TEMPLATE_ID:
                    onData(estate);
                    break;
                case AckDecoder.TEMPLATE_ID:
                    onAck(estate);
                    break;
                case NackDecoder.TEMPLATE_ID:
                    onNack(estate);
                    break;
                case AliveDecoder.TEMPLATE_ID:
                {
                    final AliveDecoder alive = reader.alive();
                    estate.isAliveAckPending = true;
                    estate.aliveAckNonce = alive.nonce();
                    estate.aliveAckEchoNs = alive.timestampNs();
                    activate(estate);
                    break;
                }
                case AliveAckDecoder.TEMPLATE_ID:
                {
                    final AliveAckDecoder aliveAck = reader.aliveAck();
                    if (aliveAck.nonce() == estate.aliveNonce)
                    {
                        estate.path.onRttSample(nowNs - aliveAck.echoTimestampNs());
                    }
                    break;
                }
                case LeaveDecoder.TEMPLATE_ID:
                    // With final acks, the frames before it confirmed everything the peer's application got: the
                    // rest certainly was not delivered.
                    declareDead(estate, -1, FailureReason.PEER_LEFT.ordinal(), reader.leave().flags().finalAcks());
                    return;
                default:
                    malformed.incrementRelease();
                    return;
            }
        }
        while (reader.nextFrame());
    }

    private void onData(final RemoteEstate estate)
    {
        final DataDecoder data = reader.data();
        final int channel = data.channel();
        final ReceiveChannel receiveChannel = receiveChannel(estate, channel);
        final io.raet4j.codec.sbe.DataFlagsDecoder flags = data.flags();
        final int result = receiveChannel.onData(
            data.mode(),
            flags.begin(),
            flags.end(),
            data.seq(),
            data.messageLength(),
            reader.buffer(),
            reader.dataPayloadOffset(),
            reader.dataPayloadLength());

        switch (result)
        {
            case ReceiveChannel.ACCEPTED:
                if (!estate.isReadable)
                {
                    estate.isReadable = true;
                    if (readableCount == readable.length)
                    {
                        readable = Arrays.copyOf(readable, readableCount * 2);
                    }
                    readable[readableCount++] = estate;
                }
                break;
            case ReceiveChannel.DUPLICATE:
                duplicates.incrementRelease();
                break;
            case ReceiveChannel.OUT_OF_WINDOW:
                outOfWindow.incrementRelease();
                break;
            default:
                malformed.incrementRelease();
                return;
        }
        if (receiveChannel.isAckPending() || ReceiveChannel.DUPLICATE == result)
        {
            receiveChannel.markAckPending();
            if (estate.ackPendingSinceCycle < 0)
            {
                estate.ackPendingSinceCycle = cycle;
            }
            activate(estate);
        }
    }

    private void onAck(final RemoteEstate estate)
    {
        acksReceived.incrementRelease();
        final AckDecoder ack = reader.ack();
        final int channel = ack.channel();
        final long cumulativeSeq = ack.cumulativeSeq();
        final long deliveredSeq = ack.deliveredSeq();
        final int window = ack.windowSegments();
        int count = 0;
        for (final AckDecoder.RangesDecoder range : ack.ranges())
        {
            rangeStarts[count] = range.startSeq();
            rangeEnds[count] = range.endSeq();
            count++;
        }
        final SendChannel sendChannel = existingSendChannel(estate, channel);
        if (null == sendChannel)
        {
            return;
        }
        final PathState path = estate.path;
        sendChannel.onAck(cumulativeSeq, window, rangeStarts, rangeEnds, count, nowNs, path);
        final int lost = sendChannel.lostDetectedByLastAck();
        if (lost > 0)
        {
            lossesDetected.getAndAddRelease(lost);
            if (path.onLoss(nowNs))
            {
                congestionEvents.incrementRelease();
            }
        }
        outcomeEstate = estate;
        if (sendChannel.onDelivered(deliveredSeq, this, estate.id()) > 0)
        {
            // A confirmed delivery is progress too: the peer answers. Without this, the backoff of delivery probes
            // whose answers were lost outlived the answer that finally came, and the next tail loss waited for it.
            path.onProgress();
        }
        activate(estate);
    }

    private void onNack(final RemoteEstate estate)
    {
        nacksReceived.incrementRelease();
        final NackDecoder nack = reader.nack();
        final int channel = nack.channel();
        int count = 0;
        for (final NackDecoder.MissingDecoder range : nack.missing())
        {
            rangeStarts[count] = range.startSeq();
            rangeEnds[count] = range.endSeq();
            count++;
        }
        final SendChannel sendChannel = existingSendChannel(estate, channel);
        if (null == sendChannel)
        {
            return;
        }
        final PathState path = estate.path;
        if (sendChannel.onNack(rangeStarts, rangeEnds, count, nowNs, path.inFlightNs()) > 0)
        {
            if (path.onLoss(nowNs))
            {
                congestionEvents.incrementRelease();
            }
            activate(estate);
        }
    }

    private void onJoin(final SocketAddress source)
    {
        final JoinDecoder join = reader.join();
        final int minVersion = join.minVersion();
        final int maxVersion = join.maxVersion();
        final long nonce = join.nonce();
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();
        final boolean isRenewFlagged = 0 != (reader.flags() & HEADER_FLAG_RENEW);

        if (0 == srcId || 0 == srcSession)
        {
            malformed.incrementRelease();
            return;
        }
        if (0 != reader.dstEstateId() && estateId != reader.dstEstateId())
        {
            staleSession.incrementRelease();
            return;
        }
        // No state before the joiner proves it receives at its address: a cookie, made and checked at a bounded rate.
        // The rate also bounds answers and reports to joiners of another version.
        if (!cookieJar.tryAcquire(nowNs))
        {
            joinsRateLimited.incrementRelease();
            return;
        }
        if (minVersion > PROTOCOL_VERSION || maxVersion < MIN_PROTOCOL_VERSION)
        {
            counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
            writer.begin(estateId, srcId, session, srcSession);
            writer.appendJoinAck(JoinStatus.VERSION_UNSUPPORTED, PROTOCOL_VERSION, nonce, name);
            sendTo(source);
            if (isFirstReport(nonce))
            {
                // Unauthenticated (no cookie yet) and so possibly spoofed; reported once per join all the same.
                reportRefused(JoinFailures.versionMismatch(
                    format(source), reader.joinName(), minVersion, maxVersion, PROTOCOL_VERSION, false));
            }
            return;
        }
        join.getCookie(cookieIn, 0, CookieJar.COOKIE_LENGTH);
        if (!cookieJar.check(source, srcId, srcSession, nonce, cookieIn, nowNs))
        {
            if (!isZero(cookieIn))
            {
                badCookies.incrementRelease();
            }
            cookieJar.make(source, srcId, srcSession, nonce, nowNs, cookieOut);
            writer.begin(estateId, srcId, session, srcSession);
            writer.appendJoinCookie(nonce, cookieOut);
            sendTo(source);
            joinCookiesSent.incrementRelease();
            return;
        }

        final byte[] signature = new byte[PacketWriter.SIGNATURE_LENGTH];
        join.getSignature(signature, 0, signature.length);
        RemoteEstate estate = registry.byId(srcId);
        if (null != estate && nonce == estate.lastJoinNonceSeen && srcSession == estate.session &&
            null != estate.lastJoinAck && source.equals(estate.address()) &&
            Arrays.equals(signature, estate.lastJoinSignature))
        {
            // The joiner did not get our answer: the same answer again, same keys, no new cryptography.
            resendJoinAck(estate);
            return;
        }
        if (null != estate && estate.isRecentJoinNonce(nonce))
        {
            // An earlier join of this estate, answered and superseded: a replay (its cookie may still be valid). The
            // joiner has one join outstanding, the newest, so an older one needs no answer, and taking it as new
            // would renew the pair or install keys the joiner never derived.
            replayed.incrementRelease();
            return;
        }

        final byte[] signKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] agreeKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] ephemeralKey = new byte[PacketWriter.KEY_LENGTH];
        join.getSigningKey(signKey, 0, signKey.length);
        join.getAgreementKey(agreeKey, 0, agreeKey.length);
        join.getEphemeralKey(ephemeralKey, 0, ephemeralKey.length);
        final JoinLimits peerLimits = new JoinLimits(
            join.mtu(), join.maxMessageLength(), join.receiveCredit(), join.options().encrypted());
        final String joinerName = reader.joinName();
        final byte[] transcript = Transcripts.join(reader.flags(), srcId, srcSession, minVersion, maxVersion, nonce,
            cookieIn, signKey, agreeKey, ephemeralKey, peerLimits, joinerName);
        if (!HandshakeCrypto.verify(signKey, transcript, signature))
        {
            badSignatures.incrementRelease();
            return;
        }
        final JoinLimits ownLimits = ownLimits(source);
        final byte[] pinned = pinnedKeys.get(null != estate ? estate.address() : source);
        if (null != pinned && !Arrays.equals(pinned, signKey))
        {
            // This stack pinned the key of the estate at this address or with this id: no other key gets in, not
            // by answering our join and not by joining us.
            pinnedKeyMismatch.incrementRelease();
            refuseJoin(source, srcId, srcSession, joinerName, nonce, signature, JoinRefusal.PINNED_KEY_MISMATCH,
                peerLimits, ownLimits);
            return;
        }
        if (srcId == estateId || (null != estate && !joinerName.equals(estate.name())))
        {
            refuseJoin(source, srcId, srcSession, joinerName, nonce, signature, JoinRefusal.ID_IN_USE, peerLimits,
                ownLimits);
            return;
        }
        if (peerLimits.isEncrypted() != ownLimits.isEncrypted())
        {
            refuseJoin(source, srcId, srcSession, joinerName, nonce, signature, JoinRefusal.ENCRYPTION_MISMATCH,
                peerLimits, ownLimits);
            return;
        }
        if (!isUsable(peerLimits))
        {
            refuseJoin(source, srcId, srcSession, joinerName, nonce, signature, JoinRefusal.LIMITS_MISMATCH,
                peerLimits, ownLimits);
            return;
        }

        final Acceptance decision = trust.decideJoiner(joinerName, srcId, signKey, agreeKey, format(source));
        accountKeepWrites();
        if (Acceptance.REJECTED == decision)
        {
            refuseJoin(source, srcId, srcSession, joinerName, nonce, signature,
                trust.refusalOf(joinerName, signKey, agreeKey), peerLimits, ownLimits);
            return;
        }
        if (Acceptance.PENDING == decision)
        {
            joinsPending.incrementRelease();
            sendSignedJoinAck(source, srcId, srcSession, JoinStatus.PENDING, JoinRefusal.PENDING_ACCEPTANCE, nonce,
                signature, ownLimits);
            if (isFirstReport(nonce))
            {
                reportRefused(JoinFailures.refusedHere(
                    format(source), joinerName, JoinRefusal.PENDING_ACCEPTANCE, peerLimits, ownLimits, keepDir));
            }
            return;
        }

        // Allow: an ephemeral agreement bound to both long-term keys gives this session's keys.
        final byte[] ephemeralPrivate = crypto.newAgreementPrivateKey();
        final byte[] ephemeralPublic = HandshakeCrypto.agreementPublicKey(ephemeralPrivate);
        final byte[] ephemeralShared = new byte[32];
        final byte[] staticShared = new byte[32];
        final boolean agreed = HandshakeCrypto.agree(ephemeralPrivate, ephemeralKey, ephemeralShared, 0) &&
            HandshakeCrypto.agree(trust.agreePrivate(), agreeKey, staticShared, 0);
        Arrays.fill(ephemeralPrivate, (byte)0);
        if (!agreed)
        {
            badSignatures.incrementRelease();
            return;
        }
        // Whether this side's state for the pair will be fresh (new, or renewed now): told to the joiner in the signed
        // JoinAck, so both sides renew together.
        final boolean isRenewal = null != estate && estate.hasJoinedOnce && nonce != estate.lastJoinNonceSeen &&
            (RemoteEstate.State.DEAD == estate.state || srcSession != estate.session || isRenewFlagged);
        final boolean isFresh = null == estate || !estate.hasJoinedOnce || isRenewal;
        final int ackFlags = isFresh ? HEADER_FLAG_RENEW : 0;
        final byte[] ackSignature = signJoinAck(signature, ackFlags, srcId, srcSession, JoinStatus.ACCEPTED,
            JoinRefusal.NONE, nonce, ephemeralPublic, ownLimits);
        final SessionKeys keys = SessionKeys.derive(
            ephemeralShared, staticShared, signature, ackSignature, false, ctx.rekeyAfterPackets(),
            ctx.rekeyAfterNs(), nowNs);
        Arrays.fill(ephemeralShared, (byte)0);
        Arrays.fill(staticShared, (byte)0);

        if (null == estate)
        {
            final RemoteEstate atAddress = registry.byAddress(source);
            if (null != atAddress && atAddress.isPlaceholder())
            {
                estate = atAddress;
                registry.identify(estate, srcId, joinerName, source);
                estate.isSealed = isSealedFor(source);
            }
            else
            {
                if (null != atAddress)
                {
                    forget(atAddress, FailureReason.PEER_RESTARTED.ordinal());
                }
                estate = newEstate(srcId, joinerName, source);
                registry.add(estate);
            }
            estate.session = srcSession;
            estate.rememberJoinNonce(nonce);
            installKeys(estate, keys, true);
            applyPeerLimits(estate, peerLimits);
            becomeJoined(estate, false);
        }
        else
        {
            final boolean isSessionChange = srcSession != estate.session;
            if (!source.equals(estate.address()))
            {
                registry.identify(estate, srcId, joinerName, source);
                estate.isSealed = isSealedFor(source);
            }
            estate.session = srcSession;
            estate.rememberJoinNonce(nonce);
            installKeys(estate, keys, isRenewal || isSessionChange);
            if (!estate.isSessionUp() || isRenewal)
            {
                if (!estate.hasJoinedOnce || isRenewal)
                {
                    applyPeerLimits(estate, peerLimits);
                }
                becomeJoined(estate, isRenewal);
            }
            else
            {
                estate.lastHeardLiveNs = liveNs;
                if (RemoteEstate.State.UNREACHABLE == estate.state)
                {
                    becomeReachable(estate);
                }
            }
        }
        estate.peerSigningKey = signKey;
        writer.begin(estateId, srcId, session, srcSession);
        writer.flags(ackFlags);
        writer.appendJoinAck(JoinStatus.ACCEPTED, PROTOCOL_VERSION, nonce, name, trust.signPublic(),
            trust.agreePublic(), ephemeralPublic, ackSignature, ownLimits, JoinRefusal.NONE);
        writer.finish();
        estate.lastJoinSignature = signature;
        estate.lastJoinAck = copyOut(writer);
        sendTo(source);
    }

    /**
     * Refuse a join with a signed JoinAck REJECTED that says why, and tell this stack's application once per join.
     */
    private void refuseJoin(
        final SocketAddress source,
        final long srcId,
        final int srcSession,
        final String joinerName,
        final long nonce,
        final byte[] joinSignature,
        final JoinRefusal refusal,
        final JoinLimits peerLimits,
        final JoinLimits ownLimits)
    {
        counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
        sendSignedJoinAck(source, srcId, srcSession, JoinStatus.REJECTED, refusal, nonce, joinSignature, ownLimits);
        if (isFirstReport(nonce))
        {
            reportRefused(
                JoinFailures.refusedHere(format(source), joinerName, refusal, peerLimits, ownLimits, keepDir));
        }
    }

    /**
     * Whether a refusal of this join (nonce) is new to the application: a joiner resends its Join until answered,
     * and asks again every 250 ms while pending, so each join is reported once. Bounded: forgotten past a few
     * thousand joins, at worst reported again.
     */
    private boolean isFirstReport(final long nonce)
    {
        if (reportedRefusals.size() >= REPORTED_REFUSALS_MAX)
        {
            reportedRefusals.clear();
        }
        return reportedRefusals.add(nonce);
    }

    private void reportRefused(final JoinFailure refusal)
    {
        if (null != joinHandler)
        {
            try
            {
                joinHandler.onJoinRefused(refusal);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * Limits this stack can work with: a datagram of at least the smallest MTU, messages of a byte or more, credit.
     */
    private static boolean isUsable(final JoinLimits limits)
    {
        return limits.mtu() >= Context.MTU_MIN && limits.maxMessageLength() >= 1 && limits.receiveCredit() >= 1;
    }

    /**
     * The pair's limits from what the peer announced: the smaller MTU, the peer's message limit and credit. Applied
     * only when the pair's channels are new or renewed, never under channels in use.
     */
    private void applyPeerLimits(final RemoteEstate estate, final JoinLimits peer)
    {
        estate.pairMtu = Math.min(ctx.mtuBytes(), peer.mtu());
        estate.maxPayload = PacketWriter.maxDataPayload(
            estate.pairMtu - (estate.isSealed ? PacketWriter.SEALED_OVERHEAD : 0));
        estate.peerMaxMessage = peer.maxMessageLength();
        estate.peerCredit = Math.max(1, Math.min(peer.receiveCredit(), ctx.maxUnackedSegments()));
    }

    private static byte[] copyOut(final PacketWriter writer)
    {
        final byte[] bytes = new byte[writer.length()];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }

    private void resendJoinAck(final RemoteEstate estate)
    {
        final byte[] bytes = estate.lastJoinAck;
        final ByteBuffer out = writer.byteBuffer();
        out.clear();
        out.put(bytes).flip();
        send(out, bytes.length, estate.address());
        writer.begin(estateId, 0, session, 0);
    }

    private byte[] signJoinAck(
        final byte[] joinSignature,
        final int flags,
        final long toId,
        final int toSession,
        final JoinStatus status,
        final JoinRefusal refusal,
        final long nonce,
        final byte[] ephemeralPublic,
        final JoinLimits ownLimits)
    {
        final byte[] transcript = Transcripts.joinAck(
            joinSignature, flags, estateId, session, toId, toSession, status.value(), PROTOCOL_VERSION, nonce,
            trust.signPublic(), trust.agreePublic(), null == ephemeralPublic ? ZERO_KEY : ephemeralPublic, ownLimits,
            refusal.value(), name);
        return HandshakeCrypto.sign(trust.signPrivate(), trust.signPublic(), transcript);
    }

    private void sendSignedJoinAck(
        final SocketAddress to,
        final long toId,
        final int toSession,
        final JoinStatus status,
        final JoinRefusal refusal,
        final long nonce,
        final byte[] joinSignature,
        final JoinLimits ownLimits)
    {
        final byte[] ackSignature =
            signJoinAck(joinSignature, 0, toId, toSession, status, refusal, nonce, null, ownLimits);
        writer.begin(estateId, toId, session, toSession);
        writer.appendJoinAck(status, PROTOCOL_VERSION, nonce, name, trust.signPublic(), trust.agreePublic(), null,
            ackSignature, ownLimits, refusal);
        sendTo(to);
    }

    private void installKeys(final RemoteEstate estate, final SessionKeys keys, final boolean dropOld)
    {
        if (null != estate.previousKeys)
        {
            estate.previousKeys.destroy();
            estate.previousKeys = null;
        }
        if (dropOld)
        {
            if (null != estate.keys)
            {
                estate.keys.destroy();
            }
        }
        else
        {
            // Crossing joins make two key sets for one pair: the newest sends, both open, the oldest goes next time.
            estate.previousKeys = estate.keys;
        }
        estate.keys = keys;
    }

    private void accountKeepWrites()
    {
        final long dropped = trust.writesDropped();
        if (dropped > keepWritesDropped.get())
        {
            keepWritesDropped.setRelease(dropped);
        }
        final long deferred = trust.writesDeferred();
        if (deferred > keepWritesDeferred.get())
        {
            keepWritesDeferred.setRelease(deferred);
        }
    }

    /**
     * An operator's change made through this stack's API, from any thread; applied by the next duty cycle.
     */
    void onOperatorChange(final KeepChange change)
    {
        while (!operatorChanges.offer(change))
        {
            Thread.onSpinWait();
        }
    }

    private void onKeepChange(final KeepChange change)
    {
        trust.onChange(change);
        final io.raet4j.transactions.keep.RemoteEstateRecord record = change.current();
        if (null == record || Acceptance.REJECTED != record.status())
        {
            return;
        }
        // An operator rejected an estate: if it is here, it is cut off now and its messages fail.
        for (int i = registry.size() - 1; i >= 0; i--)
        {
            final RemoteEstate estate = registry.get(i);
            if (estate.hasJoinedOnce && change.name().equals(estate.name()))
            {
                forget(estate, FailureReason.REJECTED.ordinal());
            }
        }
    }

    private static boolean isZero(final byte[] bytes)
    {
        int bits = 0;
        for (final byte b : bytes)
        {
            bits |= b;
        }
        return 0 == bits;
    }

    private void onJoinAck(final SocketAddress source)
    {
        final JoinAckDecoder joinAck = reader.joinAck();
        final JoinStatus status = joinAck.status();
        final long nonce = joinAck.nonce();
        final int ackFlags = reader.flags();
        final String acceptorName = reader.joinName();
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();

        RemoteEstate estate = registry.byAddress(source);
        if (null == estate || 0 == estate.joinNonce || nonce != estate.joinNonce)
        {
            unknownEstate.incrementRelease();
            return;
        }
        if (reader.dstEstateId() != estateId || reader.dstSession() != session || 0 == srcId || 0 == srcSession)
        {
            staleSession.incrementRelease();
            return;
        }
        if (JoinStatus.VERSION_UNSUPPORTED == status)
        {
            // Unsigned by nature (the acceptor may not speak this version), but it echoes the join's random nonce, so
            // only someone who saw the Join can forge it, who could as well drop it: the join fails at once.
            counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
            joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.versionMismatch(format(source),
                acceptorName, joinAck.version(), joinAck.version(), PROTOCOL_VERSION, true));
            return;
        }
        if (null == estate.joinSignature)
        {
            // An answer to a Join this stack never signed (no cookie yet): not ours to trust.
            unknownEstate.incrementRelease();
            return;
        }
        final byte[] signKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] agreeKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] ephemeralKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] ackSignature = new byte[PacketWriter.SIGNATURE_LENGTH];
        joinAck.getSigningKey(signKey, 0, signKey.length);
        joinAck.getAgreementKey(agreeKey, 0, agreeKey.length);
        joinAck.getEphemeralKey(ephemeralKey, 0, ephemeralKey.length);
        joinAck.getSignature(ackSignature, 0, ackSignature.length);
        final JoinLimits peerLimits = new JoinLimits(
            joinAck.mtu(), joinAck.maxMessageLength(), joinAck.receiveCredit(), joinAck.options().encrypted());
        final JoinRefusal refusal = joinAck.refusal();
        final byte[] transcript = Transcripts.joinAck(estate.joinSignature, reader.flags(), srcId, srcSession, estateId,
            session, status.value(), joinAck.version(), nonce, signKey, agreeKey, ephemeralKey, peerLimits,
            refusal.value(), acceptorName);
        if (!HandshakeCrypto.verify(signKey, transcript, ackSignature))
        {
            badSignatures.incrementRelease();
            return;
        }
        if (null != estate.pinnedSigningKey && !Arrays.equals(estate.pinnedSigningKey, signKey))
        {
            // Someone answers for the estate with another key than the one pinned: an impostor, never trusted. It
            // answered this join's random nonce, so it saw the Join and could as well drop it: the join fails now.
            pinnedKeyMismatch.incrementRelease();
            joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.pinnedKeyMismatch(
                format(source), acceptorName, signKey, estate.pinnedSigningKey));
            return;
        }
        final JoinLimits ownLimits = ownLimits(source);

        switch (status)
        {
            case ACCEPTED:
            {
                if (joinAck.version() < MIN_PROTOCOL_VERSION || joinAck.version() > PROTOCOL_VERSION)
                {
                    counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                    joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.versionMismatch(format(source),
                        acceptorName, joinAck.version(), joinAck.version(), PROTOCOL_VERSION, true));
                    return;
                }
                if (peerLimits.isEncrypted() != ownLimits.isEncrypted())
                {
                    counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                    joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.encryptionMismatch(
                        format(source), acceptorName, false, ownLimits.isEncrypted()));
                    return;
                }
                if (!isUsable(peerLimits))
                {
                    counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                    joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.refusedHere(
                        format(source), acceptorName, JoinRefusal.LIMITS_MISMATCH, peerLimits, ownLimits, keepDir));
                    return;
                }
                final JoinRefusal localRefusal =
                    trust.checkAcceptor(acceptorName, srcId, signKey, agreeKey, format(source));
                if (JoinRefusal.NONE != localRefusal)
                {
                    counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                    accountKeepWrites();
                    joinFailed(estate, FailureReason.REJECTED.ordinal(),
                        JoinFailures.refusedLocally(format(source), acceptorName, localRefusal, keepDir));
                    return;
                }
                accountKeepWrites();
                final byte[] ephemeralShared = new byte[32];
                final byte[] staticShared = new byte[32];
                final boolean agreed =
                    HandshakeCrypto.agree(estate.joinEphemeralPrivate, ephemeralKey, ephemeralShared, 0) &&
                    HandshakeCrypto.agree(trust.agreePrivate(), agreeKey, staticShared, 0);
                if (!agreed)
                {
                    badSignatures.incrementRelease();
                    return;
                }
                final SessionKeys keys = SessionKeys.derive(
                    ephemeralShared, staticShared, estate.joinSignature, ackSignature, true,
                    ctx.rekeyAfterPackets(), ctx.rekeyAfterNs(), nowNs);
                Arrays.fill(ephemeralShared, (byte)0);
                Arrays.fill(staticShared, (byte)0);
                clearJoinSecrets(estate);
                final RemoteEstate known = registry.byId(srcId);
                if (null != known && null != known.name() && !acceptorName.equals(known.name()))
                {
                    // An id this stack holds answered under another name: refuse it, as a Join would be refused.
                    counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                    joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.refusedHere(format(source),
                        acceptorName, JoinRefusal.ID_IN_USE, peerLimits, ownLimits, keepDir));
                    return;
                }
                if (null != known && known != estate)
                {
                    // The estate also joined us (crossing joins) or moved address: keep the record with its id.
                    final boolean isRenewRequested = estate.isRenewRequested;
                    final boolean sentRenewFlag = estate.sentRenewFlag;
                    if (estate.isPlaceholder())
                    {
                        registry.remove(estate);
                        cancelTimer(estate);
                    }
                    else
                    {
                        forget(estate, FailureReason.PEER_RESTARTED.ordinal());
                    }
                    known.isInitiator = true;
                    known.isRenewRequested |= isRenewRequested;
                    known.sentRenewFlag |= sentRenewFlag;
                    estate = known;
                }
                else if (!estate.isPlaceholder() && estate.id() != srcId)
                {
                    // A different estate answers at this address (the old one restarted with a new id): the old
                    // one is gone, its messages fail, and the new one is a new estate.
                    forget(estate, FailureReason.PEER_RESTARTED.ordinal());
                    estate = newEstate(srcId, acceptorName, source);
                    estate.isInitiator = true;
                    registry.add(estate);
                }
                if (estate.isPlaceholder() || !source.equals(estate.address()))
                {
                    registry.identify(estate, srcId, acceptorName, source);
                    estate.isSealed = isSealedFor(source);
                }
                final boolean isSessionChange = srcSession != estate.session;
                final boolean isAcceptorFresh = 0 != (ackFlags & HEADER_FLAG_RENEW);
                final boolean isRenewal = estate.hasJoinedOnce && (isSessionChange || isAcceptorFresh ||
                    (!estate.isRenewedEarly && (RemoteEstate.State.DEAD == estate.state ||
                    estate.isRenewRequested || estate.sentRenewFlag)));
                if (!estate.hasJoinedOnce || isRenewal)
                {
                    applyPeerLimits(estate, peerLimits);
                }
                installKeys(estate, keys, isRenewal || isSessionChange || estate.isRenewedEarly);
                estate.peerSigningKey = signKey;
                estate.session = srcSession;
                estate.version = joinAck.version();
                estate.joinNonce = 0;
                if (!estate.isSessionUp() || isRenewal)
                {
                    becomeJoined(estate, isRenewal);
                }
                else if (RemoteEstate.State.UNREACHABLE == estate.state)
                {
                    estate.lastHeardLiveNs = liveNs;
                    becomeReachable(estate);
                }
                estate.isRenewRequested = false;
                estate.sentRenewFlag = false;
                estate.isRenewedEarly = false;
                estate.isAppJoin = false;
                break;
            }
            case PENDING:
                estate.isJoinPending = true;
                estate.pendingPeerName = acceptorName;
                estate.lastHeardLiveNs = liveNs;
                // Waiting for an operator: ask again soon, so that an acceptance takes effect within a second.
                estate.joinBackoffNs = PENDING_RETRY_NS;
                estate.nextJoinSendNs = Math.min(estate.nextJoinSendNs, nowNs + PENDING_RETRY_NS);
                break;
            default:
                counters.get(SystemCounterDescriptor.JOINS_REFUSED).incrementRelease();
                joinFailed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.refusedByPeer(
                    format(source), acceptorName, name, refusal, peerLimits, ownLimits));
                break;
        }
    }

    private void onJoinCookie(final SocketAddress source)
    {
        final JoinCookieDecoder joinCookie = reader.joinCookie();
        final RemoteEstate estate = registry.byAddress(source);
        if (null == estate || 0 == estate.joinNonce || joinCookie.nonce() != estate.joinNonce)
        {
            unknownEstate.incrementRelease();
            return;
        }
        if (reader.dstEstateId() != estateId || reader.dstSession() != session)
        {
            staleSession.incrementRelease();
            return;
        }
        final byte[] cookie = new byte[PacketWriter.COOKIE_LENGTH];
        joinCookie.getCookie(cookie, 0, cookie.length);
        if (null != estate.joinCookie && Arrays.equals(cookie, estate.joinCookie))
        {
            return;
        }
        estate.joinCookie = cookie;
        estate.hasJoinCookie = true;
        signJoin(estate);
        sendJoin(estate);
    }

    private void signJoin(final RemoteEstate estate)
    {
        final byte[] transcript = Transcripts.join(estate.sentRenewFlag ? HEADER_FLAG_RENEW : 0, estateId, session,
            MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, estate.joinNonce, estate.joinCookie, trust.signPublic(),
            trust.agreePublic(), estate.joinEphemeralPublic, ownLimits(estate.address()), name);
        estate.joinSignature = HandshakeCrypto.sign(trust.signPrivate(), trust.signPublic(), transcript);
    }

    private static void clearJoinSecrets(final RemoteEstate estate)
    {
        if (null != estate.joinEphemeralPrivate)
        {
            Arrays.fill(estate.joinEphemeralPrivate, (byte)0);
        }
        estate.joinEphemeralPrivate = null;
        estate.joinEphemeralPublic = null;
        estate.joinCookie = null;
        estate.joinSignature = null;
    }

    private void onRenew(final SocketAddress source)
    {
        if (reader.dstEstateId() != estateId || reader.dstSession() != session)
        {
            staleSession.incrementRelease();
            return;
        }
        final RemoteEstate estate = registry.byAddress(source);
        if (null == estate)
        {
            unknownEstate.incrementRelease();
            return;
        }
        if (0 != estate.joinNonce)
        {
            return;
        }
        if (estate.isSealed)
        {
            // A Renew cannot be authenticated (its sender may have no keys left), so it only starts a new handshake;
            // whether state is renewed is decided by the signed JoinAck (its RENEW flag) or a changed session.
            if (estate.hasJoinedOnce)
            {
                startJoin(estate, RemoteEstate.State.DEAD == estate.state);
            }
            return;
        }
        estate.isRenewRequested = true;
        if (estate.isSessionUp())
        {
            // The peer has no state for this pair: discard ours now, not when the JoinAck comes, so that nothing
            // received or acknowledged meanwhile is applied to sequence numbers the peer has restarted.
            renew(estate);
            estate.isRenewedEarly = true;
        }
        startJoin(estate, true);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Transactions: join, alive, dead, renewal
    // ---------------------------------------------------------------------------------------------------------

    private RemoteEstate newEstate(final long id, final String estateName, final SocketAddress address)
    {
        final RemoteEstate estate = new RemoteEstate(id, estateName, address, new PathState(
            ctx.minRtoNs(),
            ctx.maxRtoNs(),
            ctx.initialRtoNs(),
            ctx.initialCwndSegments(),
            ctx.minCwndSegments(),
            ctx.maxCwndSegments(),
            maxPayload + PacketWriter.DATA_FRAME_OVERHEAD));
        estate.lastHeardLiveNs = liveNs;
        estate.lastSentLiveNs = liveNs;
        estate.isSealed = isSealedFor(address);
        // Until the join says otherwise: this stack's own limits.
        applyPeerLimits(estate, ownLimits(address));
        return estate;
    }

    private void startJoin(final RemoteEstate estate, final boolean isRenew)
    {
        long nonce = 0;
        while (0 == nonce)
        {
            nonce = ThreadLocalRandom.current().nextLong();
        }
        estate.joinNonce = nonce;
        clearJoinSecrets(estate);
        estate.joinEphemeralPrivate = crypto.newAgreementPrivateKey();
        estate.joinEphemeralPublic = HandshakeCrypto.agreementPublicKey(estate.joinEphemeralPrivate);
        estate.sentRenewFlag |= isRenew || estate.isRenewRequested;
        estate.joinDeadlineLiveNs = liveNs + ctx.joinTimeoutNs();
        estate.joinBackoffNs = JOIN_RETRY_INITIAL_NS;
        estate.joinsSent = 0;
        estate.hasJoinCookie = false;
        estate.isJoinPending = false;
        sendJoin(estate);
        schedule(estate, nowNs + estate.joinBackoffNs);
    }

    private void sendJoin(final RemoteEstate estate)
    {
        writer.begin(estateId, 0, session, 0);
        if (estate.sentRenewFlag)
        {
            writer.flags(HEADER_FLAG_RENEW);
        }
        // Until the acceptor's cookie arrives, the Join carries the keys but no signature: the acceptor keeps nothing.
        writer.appendJoin(MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, estate.joinNonce, name, estate.joinCookie,
            trust.signPublic(), trust.agreePublic(), estate.joinEphemeralPublic, estate.joinSignature,
            ownLimits(estate.address()));
        sendTo(estate.address());
        estate.joinsSent++;
        estate.nextJoinSendNs = nowNs + estate.joinBackoffNs;
    }

    private void sendRenew(final SocketAddress to, final long toId, final int toSession, final RenewReason reason)
    {
        if (0 == toId || 0 == toSession || nowNs - lastRenewNs < RENEW_INTERVAL_NS)
        {
            return;
        }
        lastRenewNs = nowNs;
        writer.begin(estateId, toId, session, toSession);
        writer.appendRenew(reason);
        sendTo(to);
    }

    private void becomeJoined(final RemoteEstate estate, final boolean isRenewal)
    {
        final boolean wasDead = RemoteEstate.State.DEAD == estate.state;
        final boolean wasUp = estate.isSessionUp();
        final boolean isFirst = !estate.hasJoinedOnce;
        if (isRenewal)
        {
            renew(estate);
        }
        estate.state = RemoteEstate.State.JOINED;
        estate.hasJoinedOnce = true;
        estate.lastHeardLiveNs = liveNs;
        if (null == estate.counters && estateCountersAllocated < ctx.estateCountersMax())
        {
            estate.counters = EstateCounters.allocate(countersManager, estate.id(), estate.name(),
                format(estate.address()));
            estateCountersAllocated += null == estate.counters ? 0 : 1;
        }
        updateState(estate);
        counters.get(SystemCounterDescriptor.JOINS).incrementRelease();
        schedule(estate, nowNs + peerTickNs);
        activate(estate);
        if (isFirst)
        {
            presence(estate.id(), estate.name(), PresenceEvent.JOINED);
        }
        else if (wasDead)
        {
            presence(estate.id(), estate.name(), PresenceEvent.ALIVE);
        }
        else if (wasUp && isRenewal)
        {
            presence(estate.id(), estate.name(), PresenceEvent.RENEWED);
        }
    }

    /**
     * Action R: the peer's state for the pair is gone or about to be (it restarted, or discarded it). Messages it may
     * have received end uncertain, the rest are sent again from sequence 0 on the new session.
     */
    private void renew(final RemoteEstate estate)
    {
        counters.get(SystemCounterDescriptor.SESSIONS_RENEWED).incrementRelease();
        for (final SendChannel channel : estate.usedSend)
        {
            channel.renew(
                this,
                estate.id(),
                FailureReason.PEER_RESTARTED.ordinal(),
                estate.path,
                estate.maxPayload,
                estate.peerMaxMessage,
                FailureReason.TOO_LARGE.ordinal(),
                estate.peerCredit);
        }
        for (final ReceiveChannel channel : estate.usedReceive)
        {
            channel.reset();
        }
        estate.path.reset();
    }

    /**
     * Silent for the liveness timeout: reported unreachable, the session and everything in flight kept.
     */
    private void becomeUnreachable(final RemoteEstate estate)
    {
        estate.state = RemoteEstate.State.UNREACHABLE;
        updateState(estate);
        estatesUnreachable.incrementRelease();
        presence(estate.id(), estate.name(), PresenceEvent.UNREACHABLE);
    }

    /**
     * An unreachable estate was heard from within the session timeout: the session resumes where it stopped. The
     * retransmission backoff built up while it was silent ends and every channel's timer fires at once, so what it
     * missed is resent now rather than after the backed-off timeout.
     */
    private void becomeReachable(final RemoteEstate estate)
    {
        estate.state = RemoteEstate.State.JOINED;
        updateState(estate);
        sessionsResumed.incrementRelease();
        estate.path.onProgress();
        for (final SendChannel channel : estate.usedSend)
        {
            if (Long.MAX_VALUE != channel.rtoDeadlineNs())
            {
                channel.rearmRetransmitTimer(nowNs, 0);
            }
        }
        requestAlive(estate);
        presence(estate.id(), estate.name(), PresenceEvent.REACHABLE);
    }

    /**
     * End the estate's session: DEAD. Every message not yet confirmed ends, failed if it certainly was not delivered
     * and uncertain otherwise (see {@link SendChannel#failAll}); all channel state is discarded.
     *
     * @param estate             whose session ends.
     * @param timedOutChannel    channel whose message deadline passed (its messages end TIMEOUT), or -1.
     * @param reason             ordinal of the reason for the other channels' messages.
     * @param isKnownUndelivered true if the peer left saying what it delivered, so the rest certainly was not.
     */
    private void declareDead(
        final RemoteEstate estate, final int timedOutChannel, final int reason, final boolean isKnownUndelivered)
    {
        if (RemoteEstate.State.DEAD == estate.state)
        {
            return;
        }
        estate.state = RemoteEstate.State.DEAD;
        updateState(estate);
        estate.deadSinceLiveNs = liveNs;
        estate.hasBlocked = false;
        counters.get(SystemCounterDescriptor.ESTATES_DEAD).incrementRelease();
        for (final SendChannel channel : estate.usedSend)
        {
            final int channelReason = channel.channel() == timedOutChannel ? FailureReason.TIMEOUT.ordinal() : reason;
            channel.failAll(this, estate.id(), channelReason, estate.path, isKnownUndelivered);
        }
        for (final ReceiveChannel channel : estate.usedReceive)
        {
            channel.reset();
        }
        estate.path.reset();
        schedule(estate, nowNs + peerTickNs);
        presence(estate.id(), estate.name(), PresenceEvent.DEAD);
    }

    /**
     * A join this stack started failed. An estate that had joined before becomes DEAD (its messages end with the
     * reason); a placeholder is removed with presence JOIN_FAILED. A join the application asked for is reported to
     * the join handler with why; the automatic re-joins of a dead estate only count.
     */
    private void joinFailed(final RemoteEstate estate, final int reason, final JoinFailure failure)
    {
        estate.joinNonce = 0;
        clearJoinSecrets(estate);
        estate.isRenewedEarly = false;
        estate.isJoinPending = false;
        joinsFailed.incrementRelease();
        final boolean isReported = estate.isAppJoin;
        estate.isAppJoin = false;
        if (estate.hasJoinedOnce)
        {
            declareDead(estate, -1, reason, false);
        }
        else
        {
            registry.remove(estate);
            cancelTimer(estate);
            presence(estate.joinCorrelationId, format(estate.address()), PresenceEvent.JOIN_FAILED);
        }
        if (isReported && null != joinHandler)
        {
            try
            {
                joinHandler.onJoinFailed(estate.joinCorrelationId, failure);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    private void forget(final RemoteEstate estate, final int reason)
    {
        if (estate.hasJoinedOnce && RemoteEstate.State.DEAD != estate.state)
        {
            declareDead(estate, -1, reason, false);
        }
        registry.remove(estate);
        cancelTimer(estate);
        removeActive(estate);
        clearJoinSecrets(estate);
        installKeys(estate, null, true);
        estate.lastJoinAck = null;
        if (null != estate.counters)
        {
            estate.counters.close();
            estate.counters = null;
            estateCountersAllocated--;
        }
        if (outcomeEstate == estate)
        {
            outcomeEstate = null;
        }
        if (estate.hasJoinedOnce)
        {
            counters.get(SystemCounterDescriptor.ESTATES_REAPED).incrementRelease();
            presence(estate.id(), estate.name(), PresenceEvent.REAPED);
        }
    }

    private static void updateState(final RemoteEstate estate)
    {
        if (null != estate.counters)
        {
            estate.counters.state(estate.state);
        }
    }

    private void requestAlive(final RemoteEstate estate)
    {
        estate.isAlivePending = true;
        activate(estate);
    }

    private boolean onTimer(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final RemoteEstate estate = estateByTimerId.remove(timerId);
        if (null == estate || estate.timerId != timerId)
        {
            return true;
        }
        estate.timerId = Long.MAX_VALUE;
        try
        {
            onEstateTimer(estate);
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
        return true;
    }

    private void onEstateTimer(final RemoteEstate estate)
    {
        if (null != estate.counters)
        {
            estate.counters.silentMs.setRelease((liveNs - estate.lastHeardLiveNs) / 1_000_000);
            estate.counters.rttUs.setRelease(estate.path.srttNs() / 1_000);
        }
        if (0 != estate.joinNonce)
        {
            if (liveNs >= estate.joinDeadlineLiveNs)
            {
                final String address = format(estate.address());
                joinFailed(estate, FailureReason.PEER_DEAD.ordinal(), estate.isJoinPending ?
                    JoinFailures.pending(address, estate.pendingPeerName, name) :
                    JoinFailures.noAnswer(address, estate.joinsSent, estate.hasJoinCookie, ctx.joinTimeoutNs()));
                if (estate.isPlaceholder() || !estate.hasJoinedOnce)
                {
                    return;
                }
            }
            else if (nowNs >= estate.nextJoinSendNs)
            {
                estate.joinBackoffNs = Math.min(JOIN_RETRY_MAX_NS, estate.joinBackoffNs * 2);
                sendJoin(estate);
            }
        }

        switch (estate.state)
        {
            case JOINED:
                if (liveNs - estate.lastHeardLiveNs >= ctx.livenessTimeoutNs())
                {
                    becomeUnreachable(estate);
                }
                if (liveNs - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
                {
                    requestAlive(estate);
                }
                break;
            case UNREACHABLE:
                if (liveNs - estate.lastHeardLiveNs >= ctx.sessionTimeoutNs())
                {
                    declareDead(estate, -1, FailureReason.PEER_DEAD.ordinal(), false);
                }
                else if (liveNs - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
                {
                    requestAlive(estate);
                }
                break;
            case DEAD:
                if (liveNs - estate.deadSinceLiveNs >= ctx.reapTimeoutNs())
                {
                    forget(estate, FailureReason.PEER_DEAD.ordinal());
                    return;
                }
                if (estate.isInitiator && 0 == estate.joinNonce &&
                    liveNs - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
                {
                    startJoin(estate, true);
                    estate.lastSentLiveNs = liveNs;
                }
                break;
            default:
                break;
        }

        long next = nowNs + peerTickNs;
        if (0 != estate.joinNonce)
        {
            next = Math.min(next, estate.nextJoinSendNs);
        }
        schedule(estate, next);
    }

    private void schedule(final RemoteEstate estate, final long deadlineNs)
    {
        cancelTimer(estate);
        final long timerId = timerWheel.scheduleTimer(deadlineNs);
        estate.timerId = timerId;
        estateByTimerId.put(timerId, estate);
        earliestDeadlineBoundNs = Math.min(earliestDeadlineBoundNs, deadlineNs);
    }

    private void cancelTimer(final RemoteEstate estate)
    {
        if (Long.MAX_VALUE != estate.timerId)
        {
            timerWheel.cancelTimer(estate.timerId);
            estateByTimerId.remove(estate.timerId);
            estate.timerId = Long.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Send path
    // ---------------------------------------------------------------------------------------------------------

    private void activate(final RemoteEstate estate)
    {
        if (null != estate && !estate.isActive && estate.isRegistered())
        {
            estate.isActive = true;
            if (activeCount == active.length)
            {
                active = Arrays.copyOf(active, activeCount * 2);
            }
            active[activeCount++] = estate;
        }
    }

    private void removeActive(final RemoteEstate estate)
    {
        if (!estate.isActive)
        {
            return;
        }
        for (int i = 0; i < activeCount; i++)
        {
            if (active[i] == estate)
            {
                active[i] = active[--activeCount];
                active[activeCount] = null;
                break;
            }
        }
        estate.isActive = false;
    }

    private int serviceActive()
    {
        int workCount = 0;
        for (int i = 0; i < activeCount; )
        {
            final RemoteEstate estate = active[i];
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
            else
            {
                estate.isActive = false;
                active[i] = active[--activeCount];
                active[activeCount] = null;
            }
        }
        return workCount;
    }

    private boolean isBusy(final RemoteEstate estate)
    {
        if (!estate.isSessionUp())
        {
            return false;
        }
        if (estate.isAlivePending || estate.isAliveAckPending || estate.hasBlocked)
        {
            return true;
        }
        for (final SendChannel channel : estate.usedSend)
        {
            if (channel.isActive())
            {
                return true;
            }
        }
        for (final ReceiveChannel channel : estate.usedReceive)
        {
            if (channel.isAckPending() || channel.hasGaps())
            {
                return true;
            }
        }
        return false;
    }

    private int service(final RemoteEstate estate)
    {
        if (!estate.isSessionUp())
        {
            return 0;
        }
        int workCount = 0;
        final PathState path = estate.path;
        if (estate.hasBlocked && !retryBlocked(estate))
        {
            // The peer's socket queue is still full: nothing more is built for it until the waiting datagram goes.
            return 0;
        }
        beginPacket(estate);

        if (estate.isAliveAckPending)
        {
            if (!writer.appendAliveAck(estate.aliveAckNonce, estate.aliveAckEchoNs))
            {
                flushAndBegin(estate);
                writer.appendAliveAck(estate.aliveAckNonce, estate.aliveAckEchoNs);
            }
            estate.isAliveAckPending = false;
            workCount++;
        }
        if (estate.isAlivePending)
        {
            estate.aliveNonce = ThreadLocalRandom.current().nextLong();
            if (!writer.appendAlive(estate.aliveNonce, nowNs))
            {
                flushAndBegin(estate);
                writer.appendAlive(estate.aliveNonce, nowNs);
            }
            estate.isAlivePending = false;
            workCount++;
        }

        // The sender ignores a nack for a segment it sent within its smoothed RTT, so reporting gaps often costs
        // only small frames; without an RTT sample of its own the receiver reports them every minimum RTO.
        final long renackAfterNs = 0 != path.srttNs() ? 2 * path.srttNs() : ctx.minRtoNs();
        // An ack that fell due in this cycle waits one cycle for data to ride with (a reply the application is about
        // to offer), unless data is already waiting: one datagram per exchange instead of two. Never longer.
        final boolean holdAcks = estate.ackPendingSinceCycle == cycle && !hasDataToSend(estate);
        if (!holdAcks)
        {
            estate.ackPendingSinceCycle = -1;
        }
        for (final ReceiveChannel channel : estate.usedReceive)
        {
            if (channel.isAckPending() && !holdAcks)
            {
                if (!channel.appendAck(writer, rangeStarts, rangeEnds))
                {
                    flushAndBegin(estate);
                    channel.appendAck(writer, rangeStarts, rangeEnds);
                }
                acksSent.incrementRelease();
                workCount++;
            }
            if (channel.isNackDue(nowNs, renackAfterNs))
            {
                if (!channel.appendNack(writer, rangeStarts, rangeEnds, nowNs))
                {
                    flushAndBegin(estate);
                    channel.appendNack(writer, rangeStarts, rangeEnds, nowNs);
                }
                nacksSent.incrementRelease();
                workCount++;
            }
        }

        if (0 == estate.joinNonce)
        {
            for (final SendChannel channel : estate.usedSend)
            {
                if (channel.oldestDeadlineNs() <= liveNs)
                {
                    flush(estate);
                    declareDead(estate, channel.channel(), FailureReason.PEER_DEAD.ordinal(), false);
                    return workCount + 1;
                }
                final int timedOut = channel.onRetransmitTimer(nowNs, path);
                if (SendChannel.TIMER_TAIL_PROBE == timedOut)
                {
                    tailProbes.incrementRelease();
                    channel.rearmRetransmitTimer(nowNs, path.rtoNs());
                }
                else if (SendChannel.TIMER_DELIVERY_PROBE == timedOut)
                {
                    path.onBackoff();
                    channel.rearmRetransmitTimer(nowNs, path.rtoNs());
                }
                else if (timedOut > 0)
                {
                    retransmitTimeouts.incrementRelease();
                    if (path.onRetransmitTimeout(nowNs))
                    {
                        congestionEvents.incrementRelease();
                    }
                    channel.rearmRetransmitTimer(nowNs, path.rtoNs());
                }
                else if (0 == timedOut)
                {
                    channel.rearmRetransmitTimer(nowNs, path.rtoNs());
                }
                int result;
                while (!estate.hasBlocked && (result = channel.appendRetransmit(writer, nowNs)) != 0)
                {
                    if (result < 0)
                    {
                        flushAndBegin(estate);
                        continue;
                    }
                    retransmits.incrementRelease();
                    if (null != estate.counters)
                    {
                        estate.counters.retransmits.incrementRelease();
                    }
                    workCount++;
                }
                while (!estate.hasBlocked && channel.hasNew() && channel.isWithinPeerWindow() &&
                    (DeliveryMode.BEST_EFFORT == channel.mode() || path.canSend()))
                {
                    if (!channel.appendNew(writer, nowNs, path))
                    {
                        flushAndBegin(estate);
                        continue;
                    }
                    segmentsSent.incrementRelease();
                    workCount++;
                }
            }
        }

        flush(estate);
        return workCount;
    }

    private static boolean hasDataToSend(final RemoteEstate estate)
    {
        for (final SendChannel channel : estate.usedSend)
        {
            if (channel.hasRetransmit() || (channel.hasNew() && channel.isWithinPeerWindow()))
            {
                return true;
            }
        }
        return false;
    }

    private void beginPacket(final RemoteEstate estate)
    {
        if (estate.isSealed)
        {
            writer.beginSealed(estateId, estate.id(), session, estate.session);
        }
        else
        {
            writer.begin(estateId, estate.id(), session, estate.session);
        }
        writer.limitLength(estate.pairMtu);
    }

    private void flushAndBegin(final RemoteEstate estate)
    {
        flush(estate);
        beginPacket(estate);
    }

    private void flush(final RemoteEstate estate)
    {
        if (writer.hasFrames())
        {
            if (writer.isSealed())
            {
                final SessionKeys keys = estate.keys;
                if (null == keys)
                {
                    writer.begin(estateId, estate.id(), session, estate.session);
                    return;
                }
                final long updatesBefore = keys.sendUpdates();
                sendToEstate(keys.seal(writer, nowNs), estate);
                if (keys.sendUpdates() != updatesBefore)
                {
                    keyUpdates.incrementRelease();
                }
            }
            else
            {
                sendToEstate(writer.finish(), estate);
            }
            estate.lastSentLiveNs = liveNs;
        }
    }

    private void sendToEstate(final int length, final RemoteEstate estate)
    {
        if (estate.hasBlocked)
        {
            // One datagram already waits for this peer (the service loops stop building after a block, so this is
            // rare): this one is not sent; what it carried is sent again by the reliable channels' recovery.
            sendWouldBlock.incrementRelease();
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
            activate(estate);
        }
    }

    private boolean retryBlocked(final RemoteEstate estate)
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
            estate.lastSentLiveNs = liveNs;
        }
        return true;
    }

    private void sendTo(final SocketAddress address)
    {
        final int length = writer.finish();
        send(writer.byteBuffer(), length, address);
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
            sendWouldBlock.incrementRelease();
        }
        return result;
    }

    private void countSent(final int length)
    {
        packetsSent.incrementRelease();
        bytesSent.getAndAddRelease(length);
    }

    private SendChannel sendChannel(final RemoteEstate estate, final int channel)
    {
        if (null == estate.sendChannels)
        {
            estate.sendChannels = new SendChannel[Context.CHANNEL_COUNT];
        }
        SendChannel sendChannel = estate.sendChannels[channel];
        if (null == sendChannel)
        {
            sendChannel = new SendChannel(
                channel,
                ctx.channelMode(channel),
                estate.maxPayload,
                ctx.sendBufferMaxBytes(),
                ctx.maxUnackedSegments(),
                estate.peerCredit);
            estate.sendChannels[channel] = sendChannel;
            estate.usedSend = append(estate.usedSend, sendChannel);
        }
        return sendChannel;
    }

    /**
     * Credit, in segments, that acks grant each peer: the receive window, bounded by how many datagrams of the MTU the
     * socket can hold unread. The kernel charges each datagram its buffer's true size (Linux: the payload rounded
     * up to a power of two, plus about 300 bytes of bookkeeping, measured on loopback) against the receive buffer;
     * three quarters of it is granted, leaving room for acks and other traffic.
     *
     * @param receiveBufferBytes as the media reports it, 0 for a media that does not drop for want of room.
     * @param mtuBytes           the datagram size segments fill.
     * @param windowSegments     the configured receive window.
     * @return the credit in segments, at least 16.
     */
    static int receiveCredit(final int receiveBufferBytes, final int mtuBytes, final int windowSegments)
    {
        if (receiveBufferBytes <= 0)
        {
            return windowSegments;
        }
        final long trueSize = BitUtil.findNextPositivePowerOfTwo(mtuBytes + DATAGRAM_OVERHEAD_BYTES) +
            DATAGRAM_OVERHEAD_BYTES;
        final long fits = (receiveBufferBytes * 3L / 4) / trueSize;
        return (int)Math.max(MIN_RECEIVE_CREDIT, Math.min(windowSegments, fits));
    }

    private static SendChannel existingSendChannel(final RemoteEstate estate, final int channel)
    {
        return null == estate.sendChannels ? null : estate.sendChannels[channel];
    }

    private ReceiveChannel receiveChannel(final RemoteEstate estate, final int channel)
    {
        if (null == estate.receiveChannels)
        {
            estate.receiveChannels = new ReceiveChannel[Context.CHANNEL_COUNT];
        }
        ReceiveChannel receiveChannel = estate.receiveChannels[channel];
        if (null == receiveChannel)
        {
            receiveChannel = new ReceiveChannel(
                channel, ctx.receiveWindowSegments(), receiveCreditSegments, receivePayload, ctx.maxMessageBytes());
            estate.receiveChannels[channel] = receiveChannel;
            estate.usedReceive = append(estate.usedReceive, receiveChannel);
        }
        return receiveChannel;
    }

    private static <T> T[] append(final T[] array, final T element)
    {
        final T[] grown = Arrays.copyOf(array, array.length + 1);
        grown[array.length] = element;
        return grown;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outcomes and presence
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     */
    public void onDelivered(final long toEstateId, final int channel, final long messageId)
    {
        messagesDelivered.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.delivered.incrementRelease();
        }
        if (null != deliveryHandler)
        {
            try
            {
                deliveryHandler.onDelivered(toEstateId, channel, messageId);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onFailed(final long toEstateId, final int channel, final long messageId, final int reason)
    {
        messagesFailed.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.failed.incrementRelease();
        }
        if (null != deliveryHandler)
        {
            try
            {
                deliveryHandler.onFailed(toEstateId, channel, messageId, REASONS[reason]);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onUncertain(final long toEstateId, final int channel, final long messageId, final int reason)
    {
        messagesUncertain.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.uncertain.incrementRelease();
        }
        if (null != deliveryHandler)
        {
            try
            {
                deliveryHandler.onUncertain(toEstateId, channel, messageId, REASONS[reason]);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * The counters of the estate whose messages are ending: the one the agent is working on (set around the channel
     * calls that report outcomes), else looked up.
     */
    private EstateCounters estateCounters(final long id)
    {
        final RemoteEstate estate = null != outcomeEstate && outcomeEstate.id() == id ? outcomeEstate :
            registry.byId(id);
        return null == estate ? null : estate.counters;
    }

    private void presence(final long id, final String estateName, final PresenceEvent event)
    {
        if (null != presenceHandler)
        {
            try
            {
                presenceHandler.onPresence(id, estateName, event);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        if (isClosed)
        {
            return;
        }
        nowNs = clock.nanoTime();
        if (trust.hasUnsaved())
        {
            trust.saveDeferredBeforeClose(KeepWriter.CLOSE_TIMEOUT_MS / 2);
            accountKeepWrites();
        }
        for (int i = 0, size = registry.size(); i < size; i++)
        {
            final RemoteEstate estate = registry.get(i);
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
            for (final SendChannel channel : estate.usedSend)
            {
                channel.failAll(this, estate.id(), FailureReason.CLOSED.ordinal(), estate.path, false);
            }
        }
        isClosed = true;
    }

    /**
     * The last datagram to a peer: the final Ack of every reliable channel received on, then Leave. When all of it
     * fits in one datagram, and no unordered channel handed a message over ahead of its confirmed prefix, the Leave
     * says so: the peer then knows that whatever those Acks do not confirm was not delivered (its failed outcomes are
     * certain). The datagram is opened whole or not at all, so the Acks and the Leave cannot be taken apart.
     */
    private void sendLeave(final RemoteEstate estate)
    {
        beginPacket(estate);
        boolean isFinal = true;
        for (final ReceiveChannel channel : estate.usedReceive)
        {
            if (!channel.isReliable())
            {
                continue;
            }
            isFinal &= !channel.hasDeliveredAhead();
            if (!channel.appendAck(writer, rangeStarts, rangeEnds))
            {
                isFinal = false;
                flushAndBegin(estate);
                channel.appendAck(writer, rangeStarts, rangeEnds);
            }
        }
        if (!writer.appendLeave(isFinal))
        {
            flushAndBegin(estate);
            writer.appendLeave(false);
        }
        flush(estate);
    }

    static String format(final SocketAddress address)
    {
        if (address instanceof java.net.InetSocketAddress)
        {
            final java.net.InetSocketAddress inet = (java.net.InetSocketAddress)address;
            final String host = inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    boolean isClosed()
    {
        return isClosed;
    }
}
