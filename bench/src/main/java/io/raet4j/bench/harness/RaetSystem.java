package io.raet4j.bench.harness;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * raet4j as a system under test: two stacks, alpha and beta, each in {@link Context.ThreadingMode#INVOKER} mode and
 * driven by its own thread, exchanging reliable ordered messages on channel 0 over loopback UDP ({@code 127.0.0.1})
 * or over a lane (Unix-domain datagram sockets, {@code unix:PATH}, or shared memory, {@code shm:PATH}). Each run launches fresh stacks with their status
 * files and temporary keeps in a private temporary directory, joins alpha to beta on the calling thread, hands each
 * stack to its thread, and closes everything when the threads are done.
 * <ul>
 *     <li>{@link #latency}: alpha offers a ping holding its send time in its first 8 bytes, then runs its duty
 *     cycle and polls until the echo is back; beta polls and offers each message back. Messages above one segment
 *     are segmented and reassembled by the stacks.</li>
 *     <li>{@link #throughput}: alpha offers as fast as {@code offer} accepts (on {@link Stack#BACK_PRESSURED} it
 *     runs its duty cycle and retries) for a warm-up of {@value #THROUGHPUT_WARMUP_S} s and then the measured
 *     seconds; beta polls and checks every message (length, and the sequence number in its first 8 bytes, in
 *     order). Only checked messages whose receipt falls in the measured window count. At the end alpha runs until
 *     the outcome of every message it offered is known; the run fails if any failed or if beta did not receive
 *     every message offered.</li>
 *     <li>{@link #allocation}: a ping-pong that reports the bytes each thread allocated per measured round trip
 *     ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}): metric
 *     {@value #ALLOC_METRIC}, one row for the ping thread (offer, duty cycles, poll of alpha) and one for the pong
 *     thread, told apart by their threading text, unit {@code B/op}. It is a separate method so that
 *     {@link #latency} keeps returning the five rows of {@link SystemUnderTest}.</li>
 * </ul>
 * <p>
 * Threading: each call starts its two threads and joins them before it returns; an instance may be reused but NOT
 * called from two threads at once.
 */
public final class RaetSystem implements SystemUnderTest
{
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "raet4j";
    /** Media: loopback UDP. */
    public static final String MEDIA_UDP = "udp";
    /** Media: a lane of Unix-domain datagram sockets. */
    public static final String MEDIA_LANE = "lane";
    /** Media: UDP through recvmmsg and sendmmsg, batched per duty cycle ({@code udp:HOST:PORT}). */
    public static final String MEDIA_UDP_MMSG = "udp-mmsg";
    /** Media: a lane over shared memory, one memory-mapped inbox per yard ({@code shm:PATH}). */
    public static final String MEDIA_SHM = "shm";
    /** Row value of {@link Row#threading()}. */
    public static final String THREADING = "invoker, 1 stack per thread, 2 threads";
    /** Name of the default idle strategy, {@link BusySpinIdleStrategy}. */
    public static final String BUSY_SPIN = "busy-spin";
    /** Metric of the ping thread's allocation per round trip. */
    public static final String ALLOC_METRIC = "allocBytesPerOp";
    /** Threading suffix of the allocation row of the ping thread. */
    public static final String PING_THREAD = "ping thread (offer, duty cycles, poll of alpha)";
    /** Threading suffix of the allocation row of the pong thread. */
    public static final String PONG_THREAD = "pong thread (duty cycles, poll, echo offer of beta)";
    /** Warm-up of a throughput run before the measured window, seconds. */
    public static final double THROUGHPUT_WARMUP_S = 1.0;
    /** Default warm-up round trips of {@link #allocation(int)}. */
    public static final int ALLOCATION_WARMUP = 20_000;
    /** Default measured round trips of {@link #allocation(int)}. */
    public static final int ALLOCATION_COUNT = 100_000;

    private static final int CHANNEL = 0;
    private static final long ROUND_TRIP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long SETTLE_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Most messages the throughput source offers between two duty cycles ({@code -Draet4j.bench.offer.burst}, default
     * 256: as many small ones as one duty cycle sends to an estate by default; 64 until 2026-12).
     */
    private static final int OFFER_BURST = Integer.getInteger("raet4j.bench.offer.burst", 256);
    private static final int POLL_LIMIT = 256;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final String media;
    private final boolean encryption;
    private final int mtuBytes;
    private final String idleName;
    private final Supplier<IdleStrategy> idleStrategies;
    private String lastRunCounters = "";
    private double lossRate;
    private long lossSeed;
    private double lastTransmissionsPerSegment;

    /**
     * A configured system.
     *
     * @param media          {@value #MEDIA_UDP} or {@value #MEDIA_LANE}.
     * @param encryption     for UDP, {@link StackContext#encryption(boolean)}; for a lane,
     *                       {@link StackContext#laneEncryption(boolean)} (lanes are clear by default).
     * @param mtuBytes       {@link Context#mtuBytes(int)}, e.g. {@link Context#MTU_DEFAULT} or 8192.
     * @param idleName       name of the idle strategy for the rows, e.g. {@value #BUSY_SPIN}.
     * @param idleStrategies a new idle strategy for each thread.
     */
    public RaetSystem(
        final String media,
        final boolean encryption,
        final int mtuBytes,
        final String idleName,
        final Supplier<IdleStrategy> idleStrategies)
    {
        if (!MEDIA_UDP.equals(media) && !MEDIA_UDP_MMSG.equals(media) && !MEDIA_LANE.equals(media) &&
            !MEDIA_SHM.equals(media))
        {
            throw new IllegalArgumentException("media must be udp, udp-mmsg, lane or shm: " + media);
        }
        if (mtuBytes < Context.MTU_MIN || mtuBytes > Context.MTU_MAX)
        {
            throw new IllegalArgumentException("mtuBytes out of range: " + mtuBytes);
        }
        this.media = media;
        this.encryption = encryption;
        this.mtuBytes = mtuBytes;
        this.idleName = Objects.requireNonNull(idleName, "idleName");
        this.idleStrategies = Objects.requireNonNull(idleStrategies, "idleStrategies");
    }

    /**
     * Loopback UDP, default MTU, busy spin.
     *
     * @param encryption whether packets are sealed.
     * @return the system.
     */
    public static RaetSystem udp(final boolean encryption)
    {
        return new RaetSystem(MEDIA_UDP, encryption, Context.MTU_DEFAULT, BUSY_SPIN, BusySpinIdleStrategy::new);
    }

    /**
     * A lane in clear text (the lane default), default MTU, busy spin.
     *
     * @return the system.
     */
    public static RaetSystem lane()
    {
        return new RaetSystem(MEDIA_LANE, false, Context.MTU_DEFAULT, BUSY_SPIN, BusySpinIdleStrategy::new);
    }

    /**
     * Loopback UDP through the batching media ({@code udp:127.0.0.1:0}), default MTU, busy spin.
     *
     * @param encryption whether packets are sealed.
     * @return the system.
     */
    public static RaetSystem udpMmsg(final boolean encryption)
    {
        return new RaetSystem(MEDIA_UDP_MMSG, encryption, Context.MTU_DEFAULT, BUSY_SPIN, BusySpinIdleStrategy::new);
    }

    /**
     * A shared-memory lane in clear text (the lane default), default MTU, busy spin.
     *
     * @return the system.
     */
    public static RaetSystem shm()
    {
        return new RaetSystem(MEDIA_SHM, false, Context.MTU_DEFAULT, BUSY_SPIN, BusySpinIdleStrategy::new);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return String.format(Locale.ROOT, "raet4j %s (%s, MTU %d B, %s, %s)",
            media, encryption ? "encrypted" : "clear", mtuBytes, idleName, THREADING);
    }

    /**
     * Media of the rows.
     *
     * @return {@value #MEDIA_UDP} or {@value #MEDIA_LANE}.
     */
    public String media()
    {
        return media;
    }

    /**
     * Whether packets are sealed.
     *
     * @return the encryption flag of the rows.
     */
    public boolean encryption()
    {
        return encryption;
    }

    /**
     * MTU of both stacks.
     *
     * @return bytes.
     */
    public int mtuBytes()
    {
        return mtuBytes;
    }

    /**
     * Counters of the last run, for progress output: packets, retransmits, back-pressured offers, and so on.
     *
     * @return one line, empty before the first run.
     */
    public String lastRunCounters()
    {
        return lastRunCounters;
    }

    /**
     * Lose datagrams in both directions at this rate, from these seeds, through the transport's
     * {@code FaultInjectingMedia} over UDP (not for a lane): the loss bench.
     *
     * @param rate of datagrams lost, 0 to 1.
     * @param seed of the loss sequences (alpha uses seed, beta seed + 1).
     * @return this.
     */
    public RaetSystem withLoss(final double rate, final long seed)
    {
        if (MEDIA_LANE.equals(media))
        {
            throw new IllegalArgumentException("loss is injected on UDP only");
        }
        this.lossRate = rate;
        this.lossSeed = seed;
        return this;
    }

    /**
     * Datagrams with Data that alpha sent per segment first sent, in the last throughput run: (segments sent +
     * retransmits) / segments sent; 1.0 without loss.
     *
     * @return the ratio, 0 before a throughput run.
     */
    public double lastTransmissionsPerSegment()
    {
        return lastTransmissionsPerSegment;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> latency(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        final Histogram histogram = Rows.newHistogram();
        recordRoundTrips(sizeBytes, warmup, count, histogram);
        return Rows.latency(SYSTEM, media, encryption, sizeBytes, histogram, idleName, THREADING);
    }

    /**
     * Ping-pong between two fresh stacks, adding the recorded round trips, in nanoseconds, to a histogram: what
     * {@link #latency} reports, for callers that merge several runs (the {@code pingpong} command). The stacks'
     * counters are in {@link #lastRunCounters()} afterwards.
     *
     * @param sizeBytes message size.
     * @param warmup    round trips first, not recorded.
     * @param count     round trips recorded.
     * @param histogram to record into.
     * @throws Exception if the run fails or times out.
     */
    public void recordRoundTrips(final int sizeBytes, final int warmup, final int count, final Histogram histogram)
        throws Exception
    {
        pingPong(sizeBytes, warmup, count, histogram, new long[2]);
    }

    /**
     * Bytes allocated per round trip by each thread of a ping-pong of {@value #ALLOCATION_WARMUP} warm-up and
     * {@value #ALLOCATION_COUNT} measured round trips.
     *
     * @param sizeBytes message size.
     * @return rows two rows {@value #ALLOC_METRIC}, the ping thread's and the pong thread's (threading ends in
     * {@link #PING_THREAD} or {@link #PONG_THREAD}), unit
     * {@code B/op}.
     * @throws Exception if the run fails.
     */
    public List<Row> allocation(final int sizeBytes) throws Exception
    {
        return allocation(sizeBytes, ALLOCATION_WARMUP, ALLOCATION_COUNT);
    }

    /**
     * Bytes allocated per round trip by each thread of a ping-pong, over the measured round trips only.
     *
     * @param sizeBytes message size.
     * @param warmup    round trips first, not measured.
     * @param count     round trips measured.
     * @return rows two rows {@value #ALLOC_METRIC}, the ping thread's and the pong thread's (threading ends in
     * {@link #PING_THREAD} or {@link #PONG_THREAD}), unit
     * {@code B/op}.
     * @throws Exception if the run fails.
     */
    public List<Row> allocation(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        final long[] allocatedBytes = new long[2];
        pingPong(sizeBytes, warmup, count, Rows.newHistogram(), allocatedBytes);
        return List.of(
            new Row(SYSTEM, media, encryption, ALLOC_METRIC, sizeBytes, (double)allocatedBytes[0] / count, "B/op",
                idleName, THREADING + "; " + PING_THREAD),
            new Row(SYSTEM, media, encryption, ALLOC_METRIC, sizeBytes, (double)allocatedBytes[1] / count,
                "B/op", idleName, THREADING + "; " + PONG_THREAD));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> throughput(final int sizeBytes, final double seconds) throws Exception
    {
        checkSize(sizeBytes);
        if (!(seconds > 0))
        {
            throw new IllegalArgumentException("seconds must be positive: " + seconds);
        }
        try (Pair pair = new Pair())
        {
            pair.join();
            final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            final long windowStartNs = startNs + (long)(THROUGHPUT_WARMUP_S * 1e9);
            final long windowEndNs = windowStartNs + (long)(seconds * 1e9);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Sink sink = new Sink(
                pair.beta, idleStrategies.get(), sizeBytes, windowStartNs, windowEndNs, failure);
            final Source source = new Source(
                pair.alpha, pair.beta.estateId(), sizeBytes, startNs, windowEndNs, failure, sink);
            pair.alpha.addDeliveryHandler(source);
            RawUdpSystem.runPair(
                new Thread(source, "raet4j-source"), new Thread(sink, "raet4j-sink"), failure, "raet4j throughput");
            lastRunCounters = pair.counters() + String.format(Locale.ROOT,
                ", offered %d, delivered %d, back-pressured offers %d", source.offered, source.delivered,
                source.backPressured);
            final long segments = pair.alpha.counter(StackCounterDescriptor.SEGMENTS_SENT);
            lastTransmissionsPerSegment = 0 == segments ? 0 :
                (segments + pair.alpha.counter(StackCounterDescriptor.RETRANSMITS)) / (double)segments;
            if (sink.received != source.offered)
            {
                throw new IllegalStateException(
                    "raet4j throughput: offered " + source.offered + ", received " + sink.received);
            }
            if (0 == sink.messagesInWindow)
            {
                throw new IllegalStateException("raet4j throughput: no message received in the measured window");
            }
            final double windowSeconds = (sink.lastInWindowNs - windowStartNs) / 1e9;
            return Rows.throughput(
                SYSTEM, media, encryption, sizeBytes, sink.messagesInWindow, windowSeconds, idleName, THREADING);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Ping-pong
    // -----------------------------------------------------------------------------------------------------------

    private void pingPong(
        final int sizeBytes, final int warmup, final int count, final Histogram histogram, final long[] allocatedBytes)
        throws Exception
    {
        checkSize(sizeBytes);
        if (warmup < 0 || count < 1)
        {
            throw new IllegalArgumentException("need warmup >= 0 and count >= 1");
        }
        try (Pair pair = new Pair())
        {
            pair.join();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Ponger ponger = new Ponger(pair.beta, sizeBytes, warmup, warmup + count, failure);
            final Pinger pinger = new Pinger(
                pair.alpha, pair.beta.estateId(), sizeBytes, warmup, count, histogram, failure, ponger);
            RawUdpSystem.runPair(
                new Thread(pinger, "raet4j-ping"), new Thread(ponger, "raet4j-pong"), failure, "raet4j ping-pong");
            allocatedBytes[0] = pinger.allocatedBytes;
            allocatedBytes[1] = ponger.allocatedBytes;
            lastRunCounters = pair.counters();
        }
    }

    /**
     * Alpha's loop: for each round trip offer a ping holding the send time, then run the duty cycle and poll until
     * the echo is back.
     */
    private final class Pinger implements Runnable, MessageHandler
    {
        private final Stack stack;
        private final long peerId;
        private final int sizeBytes;
        private final int warmup;
        private final int count;
        private final Histogram histogram;
        private final AtomicReference<Throwable> failure;
        private final Ponger ponger;
        private final UnsafeBuffer ping;
        private long echoedNs;
        private int echoedLength;
        private long allocatedBytes;

        Pinger(
            final Stack stack,
            final long peerId,
            final int sizeBytes,
            final int warmup,
            final int count,
            final Histogram histogram,
            final AtomicReference<Throwable> failure,
            final Ponger ponger)
        {
            this.stack = stack;
            this.peerId = peerId;
            this.sizeBytes = sizeBytes;
            this.warmup = warmup;
            this.count = count;
            this.histogram = histogram;
            this.failure = failure;
            this.ponger = ponger;
            this.ping = Rows.messageBuffer(sizeBytes);
        }

        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            echoedNs = buffer.getLong(offset);
            echoedLength = length;
        }

        public void run()
        {
            try
            {
                final Stack stack = this.stack;
                final IdleStrategy idle = idleStrategies.get();
                final int total = warmup + count;
                long allocatedAtStart = 0;
                for (int i = 0; i < total; i++)
                {
                    if (i == warmup)
                    {
                        allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
                    }
                    final long startNs = System.nanoTime();
                    ping.putLong(0, startNs);
                    long result;
                    while ((result = stack.offer(peerId, CHANNEL, ping, 0, sizeBytes)) < 0)
                    {
                        checkOffer(result);
                        checkTimeout(startNs);
                        idle.idle(stack.doWork());
                    }
                    while (true)
                    {
                        final int work = stack.doWork();
                        if (stack.poll(this, 1) > 0)
                        {
                            break;
                        }
                        checkTimeout(startNs);
                        idle.idle(work);
                    }
                    final long rttNs = System.nanoTime() - startNs;
                    if (echoedNs != startNs || echoedLength != sizeBytes)
                    {
                        throw new IllegalStateException("raet4j pong echoed another ping");
                    }
                    if (i >= warmup)
                    {
                        histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                    }
                }
                allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;

                // Let the last acks settle before the stacks close.
                final long settleEndNs = System.nanoTime() + SETTLE_NS;
                while (System.nanoTime() < settleEndNs)
                {
                    idle.idle(stack.doWork());
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                ponger.stop();
            }
        }
    }

    /**
     * Beta's loop: run the duty cycle, poll, and offer every message back to its sender, until stopped.
     */
    private final class Ponger implements Runnable, MessageHandler
    {
        private final Stack stack;
        private final int warmup;
        private final int total;
        private final AtomicReference<Throwable> failure;
        private final UnsafeBuffer echo;
        private volatile boolean isRunning = true;
        private long peerId;
        private int echoLength;
        private boolean isEchoPending;
        private int echoed;
        private long allocatedAtStart;
        private long allocatedBytes;

        Ponger(
            final Stack stack,
            final int sizeBytes,
            final int warmup,
            final int total,
            final AtomicReference<Throwable> failure)
        {
            this.stack = stack;
            this.warmup = warmup;
            this.total = total;
            this.failure = failure;
            this.echo = Rows.messageBuffer(sizeBytes);
        }

        void stop()
        {
            isRunning = false;
        }

        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            peerId = estateId;
            echo.putBytes(0, buffer, offset, length);
            echoLength = length;
            isEchoPending = true;
        }

        public void run()
        {
            try
            {
                final Stack stack = this.stack;
                final IdleStrategy idle = idleStrategies.get();
                if (0 == warmup)
                {
                    allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
                }
                while (isRunning)
                {
                    int work = stack.doWork();
                    work += stack.poll(this, 1);
                    if (isEchoPending)
                    {
                        final long result = stack.offer(peerId, CHANNEL, echo, 0, echoLength);
                        if (result >= 0)
                        {
                            isEchoPending = false;
                            work += stack.doWork();
                            onEchoed();
                        }
                        else
                        {
                            checkOffer(result);
                        }
                    }
                    idle.idle(work);
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
        }

        private void onEchoed()
        {
            echoed++;
            if (echoed == warmup)
            {
                allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
            }
            else if (echoed == total)
            {
                allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Throughput
    // -----------------------------------------------------------------------------------------------------------

    /**
     * Alpha's loop: offer messages numbered from 0 until the end of the window, then run until every outcome is
     * known.
     */
    private final class Source implements Runnable, DeliveryHandler
    {
        private final Stack stack;
        private final long peerId;
        private final int sizeBytes;
        private final long startNs;
        private final long endNs;
        private final AtomicReference<Throwable> failure;
        private final Sink sink;
        private final UnsafeBuffer message;
        private long offered;
        private long delivered;
        private long failed;
        private long backPressured;
        private FailureReason firstFailure;

        Source(
            final Stack stack,
            final long peerId,
            final int sizeBytes,
            final long startNs,
            final long endNs,
            final AtomicReference<Throwable> failure,
            final Sink sink)
        {
            this.stack = stack;
            this.peerId = peerId;
            this.sizeBytes = sizeBytes;
            this.startNs = startNs;
            this.endNs = endNs;
            this.failure = failure;
            this.sink = sink;
            this.message = Rows.messageBuffer(sizeBytes);
        }

        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            delivered++;
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            if (0 == failed++)
            {
                firstFailure = reason;
            }
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            onFailed(estateId, channel, messageId, reason);
        }

        public void run()
        {
            try
            {
                final Stack stack = this.stack;
                final IdleStrategy idle = idleStrategies.get();
                while (System.nanoTime() < startNs)
                {
                    idle.idle(stack.doWork());
                }
                long sequence = 0;
                while (null == failure.get() && System.nanoTime() < endNs)
                {
                    int work = 0;
                    for (int i = 0; i < OFFER_BURST; i++)
                    {
                        message.putLong(0, sequence);
                        final long result = stack.offer(peerId, CHANNEL, message, 0, sizeBytes);
                        if (result < 0)
                        {
                            checkOffer(result);
                            backPressured++;
                            break;
                        }
                        sequence++;
                        work++;
                    }
                    work += stack.doWork();
                    idle.idle(work);
                }
                offered = sequence;

                final long drainStartNs = System.nanoTime();
                while (null == failure.get() && delivered + failed < offered)
                {
                    if (System.nanoTime() - drainStartNs > DRAIN_TIMEOUT_NS)
                    {
                        throw new IllegalStateException("raet4j throughput: " + (offered - delivered - failed) +
                            " outcomes unknown " + TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) +
                            " s after the last offer");
                    }
                    idle.idle(stack.doWork());
                }
                if (failed > 0)
                {
                    throw new IllegalStateException(
                        "raet4j throughput: " + failed + " messages failed, first: " + firstFailure);
                }
                if (0 != stack.outstandingMessages(peerId))
                {
                    throw new IllegalStateException("raet4j throughput: messages outstanding after every outcome");
                }
                final long settleEndNs = System.nanoTime() + SETTLE_NS;
                while (System.nanoTime() < settleEndNs)
                {
                    idle.idle(stack.doWork());
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                sink.stop();
            }
        }
    }

    /**
     * Beta's loop: run the duty cycle and poll, checking each message's length and sequence number, until the
     * source says every outcome is known.
     */
    private static final class Sink implements Runnable, MessageHandler
    {
        private final Stack stack;
        private final IdleStrategy idle;
        private final int sizeBytes;
        private final long windowStartNs;
        private final long windowEndNs;
        private final AtomicReference<Throwable> failure;
        private volatile boolean isRunning = true;
        private long nowNs;
        private long received;
        private long messagesInWindow;
        private long lastInWindowNs;

        Sink(
            final Stack stack,
            final IdleStrategy idle,
            final int sizeBytes,
            final long windowStartNs,
            final long windowEndNs,
            final AtomicReference<Throwable> failure)
        {
            this.stack = stack;
            this.idle = idle;
            this.sizeBytes = sizeBytes;
            this.windowStartNs = windowStartNs;
            this.windowEndNs = windowEndNs;
            this.failure = failure;
        }

        void stop()
        {
            isRunning = false;
        }

        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != sizeBytes)
            {
                throw new IllegalStateException(
                    "raet4j throughput: message " + received + " is " + length + " B, expected " + sizeBytes);
            }
            final long sequence = buffer.getLong(offset);
            if (sequence != received)
            {
                throw new IllegalStateException(
                    "raet4j throughput: message " + sequence + " received where " + received + " was expected");
            }
            received++;
            if (nowNs >= windowStartNs && nowNs < windowEndNs)
            {
                messagesInWindow++;
                lastInWindowNs = nowNs;
            }
        }

        public void run()
        {
            try
            {
                final Stack stack = this.stack;
                final IdleStrategy idle = this.idle;
                while (isRunning && null == failure.get())
                {
                    int work = stack.doWork();
                    nowNs = System.nanoTime();
                    work += stack.poll(this, POLL_LIMIT);
                    idle.idle(work);
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------

    private static void checkSize(final int sizeBytes)
    {
        if (sizeBytes < 8)
        {
            throw new IllegalArgumentException("sizeBytes must be at least 8: " + sizeBytes);
        }
    }

    private static void checkOffer(final long result)
    {
        if (Stack.BACK_PRESSURED != result)
        {
            throw new IllegalStateException("offer returned " + result);
        }
    }

    private static void checkTimeout(final long startNs)
    {
        if (System.nanoTime() - startNs > ROUND_TRIP_TIMEOUT_NS)
        {
            throw new IllegalStateException("no answer within " +
                TimeUnit.NANOSECONDS.toSeconds(ROUND_TRIP_TIMEOUT_NS) + " s");
        }
    }

    /**
     * Two stacks on the configured media, with status files, temporary keeps and lane yards in one private
     * temporary directory. Built and joined on the calling thread; each stack is then driven by exactly one thread.
     */
    private final class Pair implements AutoCloseable
    {
        private final Path dir;
        private final Stack alpha;
        private final Stack beta;

        Pair()
        {
            try
            {
                dir = Files.createTempDirectory("raet4j-harness-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            Stack a = null;
            Stack b = null;
            try
            {
                a = Stack.launch(context("harness-alpha"));
                b = Stack.launch(context("harness-beta"));
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietCloseAll(a, b);
                IoUtil.delete(dir.toFile(), true);
                throw ex;
            }
            alpha = a;
            beta = b;
        }

        private StackContext context(final String name)
        {
            final Context ctx = new Context()
                .name(name)
                .threadingMode(Context.ThreadingMode.INVOKER)
                .idleStrategy(idleStrategies.get())
                .statusDir(dir.resolve(name))
                .mtuBytes(mtuBytes);
            final StackContext stackCtx = new StackContext(ctx);
            if (MEDIA_LANE.equals(media))
            {
                ctx.bindAddress("unix:" + dir.resolve("lane").resolve(name + ".sock"));
                stackCtx.encryption(false).laneEncryption(encryption);
            }
            else if (MEDIA_SHM.equals(media))
            {
                ctx.bindAddress("shm:" + shmDir().resolve(name + ".inbox"));
                stackCtx.encryption(false).laneEncryption(encryption);
            }
            else if (MEDIA_UDP_MMSG.equals(media))
            {
                ctx.bindAddress("udp:127.0.0.1:0");
                stackCtx.encryption(encryption);
            }
            else
            {
                ctx.bindAddress("127.0.0.1:0");
                stackCtx.encryption(encryption);
                if (lossRate > 0)
                {
                    ctx.media(new io.raet4j.transport.media.FaultInjectingMedia(
                        io.raet4j.transport.media.UdpMedia.open("127.0.0.1:0", mtuBytes,
                            ctx.socketReceiveBufferBytes(), ctx.socketSendBufferBytes(), Throwable::printStackTrace),
                        new io.raet4j.transport.media.FaultProfile().lossRate(lossRate)
                            .seed(lossSeed + (name.endsWith("alpha") ? 0 : 1)),
                        org.agrona.concurrent.SystemNanoClock.INSTANCE));
                }
            }
            return stackCtx;
        }

        void join()
        {
            alpha.join(addressOf(beta));
            final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
            while (!alpha.isJoined(beta.estateId()) || !beta.isJoined(alpha.estateId()))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("join of alpha to beta did not complete");
                }
                alpha.doWork();
                beta.doWork();
            }
            // Each measurement runs the stacks on threads of its own: this thread gives them up.
            alpha.handOver();
            beta.handOver();
        }

        String counters()
        {
            return String.format(Locale.ROOT,
                "alpha sent %d packets, %d retransmits (%d timeouts, %d tail probes, %d losses detected by acks), " +
                "%d back-pressure events; beta sent %d packets (%d acks, %d nacks), dropped %d duplicate and %d " +
                "out-of-window segments",
                alpha.counter(TransportCounterDescriptor.PACKETS_SENT),
                alpha.counter(StackCounterDescriptor.RETRANSMITS),
                alpha.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS),
                alpha.counter(StackCounterDescriptor.TAIL_PROBES),
                alpha.counter(StackCounterDescriptor.LOSSES_DETECTED),
                alpha.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS),
                beta.counter(TransportCounterDescriptor.PACKETS_SENT),
                beta.counter(StackCounterDescriptor.ACKS_SENT),
                beta.counter(StackCounterDescriptor.NACKS_SENT),
                beta.counter(StackCounterDescriptor.DUPLICATE_SEGMENTS),
                beta.counter(StackCounterDescriptor.OUT_OF_WINDOW_SEGMENTS));
        }

        /**
         * Where the shared-memory inboxes go: a directory named like {@code dir} in {@code /dev/shm} (memory, never
         * written back to a disk) where there is one, else inside {@code dir}.
         */
        private Path shmDir()
        {
            final Path devShm = Path.of("/dev/shm");
            return Files.isDirectory(devShm) ? devShm.resolve(dir.getFileName()) : dir.resolve("shm");
        }

        public void close()
        {
            CloseHelper.quietCloseAll(alpha, beta);
            IoUtil.delete(dir.toFile(), true);
            if (MEDIA_SHM.equals(media))
            {
                IoUtil.delete(shmDir().toFile(), true);
            }
        }
    }

    /**
     * The address a stack is bound to, for {@link Stack#join(String)}.
     *
     * @param stack a stack.
     * @return {@code 127.0.0.1:port} for UDP, the media's own form ({@code unix:PATH}) otherwise.
     */
    static String addressOf(final Stack stack)
    {
        final SocketAddress address = stack.localAddress();
        return address instanceof InetSocketAddress ?
            "127.0.0.1:" + ((InetSocketAddress)address).getPort() : address.toString();
    }
}
