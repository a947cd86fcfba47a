package io.raet4j.bench.harness;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.ext.RandomLossGenerator;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Aeron as a system under test, the benchmark peer of raet4j: for each call an embedded {@link MediaDriver} in a
 * fresh temporary directory (under {@code /dev/shm} when it is writable, else {@code java.io.tmpdir}), an Aeron
 * client, and exclusive publications with their subscriptions, over loopback UDP
 * ({@code aeron:udp?endpoint=127.0.0.1:PORT}, one port per direction, each bound by its subscription on an
 * ephemeral port) or over shared memory ({@code aeron:ipc}). Publications carry the {@code mtu} and
 * {@code term-length} channel parameters of the {@link Config}; streams are reliable, and the largest message is an
 * eighth of the term length (512 KiB UDP, 2 MiB IPC by default).
 * <p>
 * Log buffers are pre-touched by default ({@link Config#preTouch()}), as in Aeron's low-latency profile. On this
 * kind of virtual machine the first touch of a page costs tens of microseconds, and Aeron streams through fresh log
 * pages until it wraps its three terms: without pre-touch a 64 KiB IPC round trip measured about 400 us at p50
 * instead of about 15 us, and every 64th 32 B message paid a fault. The terms are kept smaller than Aeron's
 * defaults so that pre-touching each publication takes a fraction of a second rather than seconds.
 * <ul>
 *     <li>{@link #latency}: a ping thread claims (or, above {@link Publication#maxPayloadLength()}, offers) a
 *     message holding its send time in its first 8 bytes on the ping stream, then polls the pong stream until the
 *     echo is back; a pong thread polls the ping stream and claims the same bytes back on the pong stream. Both
 *     subscriptions reassemble fragmented messages with a {@link FragmentAssembler}.</li>
 *     <li>{@link #throughput}: a publisher thread offers messages with a sequence number in their first 8 bytes as
 *     fast as back-pressure allows for a warm-up of {@value #THROUGHPUT_WARMUP_S} s and then the measured seconds;
 *     a subscriber thread checks length and order of every message. Only checked messages whose receipt falls in
 *     the measured window count; the run fails unless every message offered is received.</li>
 * </ul>
 * Each call launches its own driver and client in a fresh directory and closes them, and deletes the directory,
 * before it returns: an instance holds no thread, mapping or file between calls, so a caller that never closes it
 * leaks nothing, and no idle driver of an earlier call competes for the CPU with a later measurement. Launching
 * and pre-touching take about 0.1 to 0.5 s per call.
 * <p>
 * With {@link Config#receiveLossRate()} above zero the driver's UDP receive endpoints are
 * {@link DebugReceiveChannelEndpoint}s that drop that fraction of incoming data frames (both directions, heartbeats
 * included) with a {@link RandomLossGenerator}. Aeron finds a lost frame when a later frame or the sender's
 * heartbeat (every 100 ms while idle) shows the gap, then NAKs it; a lost ping or echo therefore costs about
 * 100 ms, and a lost heartbeat or retransmission about 200 ms.
 * <p>
 * Every wait is bounded: a run throws if it makes no progress for {@value #PROGRESS_TIMEOUT_S} s.
 * <p>
 * Threading: each call starts its two threads and joins them before it returns; an instance may be reused but NOT
 * called from two threads at once.
 */
public final class AeronSystem implements SystemUnderTest, AutoCloseable
{
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "aeron";
    /** Media: loopback UDP. */
    public static final String MEDIA_UDP = "udp";
    /** Media: shared memory, {@code aeron:ipc}. */
    public static final String MEDIA_IPC = "ipc";
    /** Default MTU, as Aeron's own default. */
    public static final int MTU_DEFAULT = 1408;
    /**
     * Term length of UDP publications unless configured: the sender is held to the receiver window (128 KiB) anyway,
     * and a small log is cheap to pre-touch.
     */
    public static final int TERM_LENGTH_UDP_DEFAULT = 4 * 1024 * 1024;
    /**
     * Term length of IPC publications unless configured: a publisher window of 8 MiB, and a log (3 terms) that the
     * driver and the client pre-touch in about 0.3 s here, where Aeron's 64 MiB default takes about 1.5 s.
     */
    public static final int TERM_LENGTH_IPC_DEFAULT = 16 * 1024 * 1024;
    /** Warm-up of a throughput run before the measured window, seconds. */
    public static final double THROUGHPUT_WARMUP_S = 1.0;
    /** A run throws when it makes no progress for this long, seconds. */
    public static final int PROGRESS_TIMEOUT_S = 10;

    private static final long PROGRESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(PROGRESS_TIMEOUT_S);
    private static final long JOIN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);
    private static final int FRAGMENT_LIMIT = 256;
    private static final int CHECK_EVERY_MASK = 0xFF;
    private static final int FIRST_STREAM_ID = 1001;
    private static final String LOOPBACK = "127.0.0.1";
    private static final LossGenerator NO_LOSS = (address, buffer, length) -> false;

    /**
     * Idle strategies of the driver agents and of the application threads.
     */
    public enum Idle
    {
        /** {@link BusySpinIdleStrategy}. */
        BUSY_SPIN("busy-spin"),
        /** {@link YieldingIdleStrategy}. */
        YIELDING("yielding"),
        /** {@link BackoffIdleStrategy} with Agrona's defaults: 10 spins, 5 yields, then parks of 1 us to 1 ms. */
        BACKOFF("backoff");

        private final String label;

        Idle(final String label)
        {
            this.label = label;
        }

        /**
         * Name for rows and tables.
         *
         * @return e.g. {@code busy-spin}.
         */
        public String label()
        {
            return label;
        }

        /**
         * A new instance, one per thread.
         *
         * @return the idle strategy.
         */
        public IdleStrategy newIdleStrategy()
        {
            switch (this)
            {
                case BUSY_SPIN:
                    return new BusySpinIdleStrategy();
                case YIELDING:
                    return new YieldingIdleStrategy();
                default:
                    return new BackoffIdleStrategy();
            }
        }
    }

    /**
     * How Aeron runs: media, MTU, driver threading, idle strategies and injected receive loss.
     *
     * @param media           {@value #MEDIA_UDP} or {@value #MEDIA_IPC}.
     * @param mtuBytes        {@code mtu} channel parameter of every publication, a multiple of 32 from 64 to
     *                        65504, e.g. {@value #MTU_DEFAULT} or {@value MtuBench#JUMBO_MTU}.
     * @param termLengthBytes {@code term-length} channel parameter of every publication, 0 for the driver's default
     *                        (16 MiB UDP, 64 MiB IPC).
     * @param preTouch        whether the driver ({@code termBufferSparseFile(false)}) and the client
     *                        ({@code preTouchMappedMemory(true)}) touch every page of a log buffer when they map it,
     *                        as Aeron's low-latency profile does, so that no page fault lands on the data path.
     * @param threadingMode   of the embedded driver.
     * @param driverIdle      idle strategy of the driver's sender, receiver, shared-network and shared agents; the
     *                        conductor uses {@link Idle#BACKOFF} when it has its own thread
     *                        ({@link ThreadingMode#DEDICATED}, {@link ThreadingMode#SHARED_NETWORK}).
     * @param appIdle         idle strategy of the two application threads.
     * @param receiveLossRate fraction of UDP data frames the driver's receive endpoints drop, 0 for none.
     * @param receiveLossSeed seed of the loss generators ({@code -1} for a random seed); the n-th receive endpoint
     *                        uses {@code seed + n}.
     */
    public record Config(
        String media,
        int mtuBytes,
        int termLengthBytes,
        boolean preTouch,
        ThreadingMode threadingMode,
        Idle driverIdle,
        Idle appIdle,
        double receiveLossRate,
        long receiveLossSeed)
    {
        /**
         * Validates the configuration.
         *
         * @param media           {@value #MEDIA_UDP} or {@value #MEDIA_IPC}.
         * @param mtuBytes        {@code mtu} channel parameter.
         * @param termLengthBytes {@code term-length} channel parameter, a power of two from 64 KiB to 1 GiB, or 0
         *                        for the driver's default.
         * @param preTouch        whether log buffers are touched page by page when they are mapped, by the driver
         *                        ({@code termBufferSparseFile(false)}) and by the client
         *                        ({@code preTouchMappedMemory(true)}), as in Aeron's low-latency profile.
         * @param threadingMode   of the embedded driver: DEDICATED, SHARED_NETWORK or SHARED.
         * @param driverIdle      idle strategy of the driver agents.
         * @param appIdle         idle strategy of the application threads.
         * @param receiveLossRate in [0, 1), UDP only.
         * @param receiveLossSeed of the loss generators.
         */
        public Config
        {
            if (!MEDIA_UDP.equals(media) && !MEDIA_IPC.equals(media))
            {
                throw new IllegalArgumentException("media must be udp or ipc: " + media);
            }
            if (mtuBytes < 64 || mtuBytes > 65504 || 0 != (mtuBytes & (DataHeaderFlyweight.HEADER_LENGTH - 1)))
            {
                throw new IllegalArgumentException("mtuBytes must be a multiple of 32 in [64, 65504]: " + mtuBytes);
            }
            if (0 != termLengthBytes &&
                (termLengthBytes < 64 * 1024 || termLengthBytes > 1 << 30 || !BitUtil.isPowerOfTwo(termLengthBytes)))
            {
                throw new IllegalArgumentException(
                    "termLengthBytes must be 0 or a power of two in [64 KiB, 1 GiB]: " + termLengthBytes);
            }
            Objects.requireNonNull(threadingMode, "threadingMode");
            if (ThreadingMode.INVOKER == threadingMode)
            {
                throw new IllegalArgumentException("INVOKER needs a caller to drive the driver; not supported");
            }
            Objects.requireNonNull(driverIdle, "driverIdle");
            Objects.requireNonNull(appIdle, "appIdle");
            if (!(receiveLossRate >= 0.0 && receiveLossRate < 1.0))
            {
                throw new IllegalArgumentException("receiveLossRate must be in [0, 1): " + receiveLossRate);
            }
            if (receiveLossRate > 0.0 && !MEDIA_UDP.equals(media))
            {
                throw new IllegalArgumentException("receive loss needs udp media");
            }
        }

        /**
         * Loopback UDP as {@link #of(String)}.
         *
         * @return the configuration.
         */
        public static Config udp()
        {
            return of(MEDIA_UDP);
        }

        /**
         * IPC as {@link #of(String)}.
         *
         * @return the configuration.
         */
        public static Config ipc()
        {
            return of(MEDIA_IPC);
        }

        /**
         * A media with MTU {@value #MTU_DEFAULT}, term length {@value #TERM_LENGTH_UDP_DEFAULT} B (UDP) or
         * {@value #TERM_LENGTH_IPC_DEFAULT} B (IPC), pre-touched log buffers, no loss, and a SHARED driver with the
         * idle strategies that {@link AeronSweep} found steadiest for latency on 2 cores: yielding everywhere for UDP,
         * a backoff driver and busy-spinning application threads for IPC (where the driver is off the data path).
         *
         * @param media {@value #MEDIA_UDP} or {@value #MEDIA_IPC}.
         * @return the configuration.
         */
        public static Config of(final String media)
        {
            final boolean isIpc = MEDIA_IPC.equals(media);
            return new Config(
                media,
                MTU_DEFAULT,
                isIpc ? TERM_LENGTH_IPC_DEFAULT : TERM_LENGTH_UDP_DEFAULT,
                true,
                ThreadingMode.SHARED,
                isIpc ? Idle.BACKOFF : Idle.YIELDING,
                isIpc ? Idle.BUSY_SPIN : Idle.YIELDING,
                0.0,
                0);
        }

        /**
         * This configuration with another MTU.
         *
         * @param mtuBytes {@code mtu} channel parameter.
         * @return a new configuration.
         */
        public Config withMtuBytes(final int mtuBytes)
        {
            return new Config(media, mtuBytes, termLengthBytes, preTouch, threadingMode, driverIdle,
                appIdle, receiveLossRate, receiveLossSeed);
        }

        /**
         * This configuration with another driver threading mode.
         *
         * @param threadingMode of the embedded driver.
         * @return a new configuration.
         */
        public Config withThreadingMode(final ThreadingMode threadingMode)
        {
            return new Config(media, mtuBytes, termLengthBytes, preTouch, threadingMode, driverIdle,
                appIdle, receiveLossRate, receiveLossSeed);
        }

        /**
         * This configuration with one idle strategy for the driver agents and the application threads.
         *
         * @param idle of the driver agents and the application threads.
         * @return a new configuration.
         */
        public Config withIdle(final Idle idle)
        {
            return new Config(media, mtuBytes, termLengthBytes, preTouch, threadingMode, idle,
                idle, receiveLossRate, receiveLossSeed);
        }

        /**
         * This configuration with other idle strategies.
         *
         * @param driverIdle of the driver agents.
         * @param appIdle    of the application threads.
         * @return a new configuration.
         */
        public Config withIdle(final Idle driverIdle, final Idle appIdle)
        {
            return new Config(media, mtuBytes, termLengthBytes, preTouch, threadingMode, driverIdle,
                appIdle, receiveLossRate, receiveLossSeed);
        }

        /**
         * This configuration with receive-side loss of UDP data frames.
         *
         * @param rate fraction of data frames dropped, in [0, 1).
         * @param seed of the loss generators, {@code -1} for a random seed.
         * @return a new configuration.
         */
        public Config withReceiveLoss(final double rate, final long seed)
        {
            return new Config(media, mtuBytes, termLengthBytes, preTouch, threadingMode, driverIdle,
                appIdle, rate, seed);
        }

        /**
         * Value of {@link Row#idle()}.
         *
         * @return e.g. {@code driver busy-spin (conductor backoff), app busy-spin}.
         */
        public String idleName()
        {
            final String conductor = ThreadingMode.SHARED == threadingMode || Idle.BACKOFF == driverIdle ?
                "" : " (conductor backoff)";
            return "driver " + driverIdle.label() + conductor + ", app " + appIdle.label();
        }

        /**
         * Value of {@link Row#threading()}.
         *
         * @param appRoles roles of the two application threads, e.g. {@code ping, pong}.
         * @return e.g. {@code embedded driver SHARED (1 thread) + 2 app threads (ping, pong)}.
         */
        public String threadingName(final String appRoles)
        {
            final String driverThreads;
            switch (threadingMode)
            {
                case DEDICATED:
                    driverThreads = "3 threads: conductor, sender, receiver";
                    break;
                case SHARED_NETWORK:
                    driverThreads = "2 threads: conductor, sender+receiver";
                    break;
                default:
                    driverThreads = "1 thread";
                    break;
            }
            return "embedded driver " + threadingMode + " (" + driverThreads + ") + 2 app threads (" + appRoles + ")";
        }

        /**
         * Short description for tables and labels.
         *
         * @return e.g. {@code udp MTU 1408 term 4096 KiB SHARED driver busy-spin, app busy-spin}.
         */
        public String describe()
        {
            final String loss = receiveLossRate > 0.0 ?
                String.format(Locale.ROOT, ", receive loss %.4f seed %d", receiveLossRate, receiveLossSeed) : "";
            final String term = 0 == termLengthBytes ? "default" : (termLengthBytes >> 10) + " KiB";
            return String.format(Locale.ROOT, "%s MTU %d term %s%s %s %s%s",
                media, mtuBytes, term, preTouch ? "" : " sparse", threadingMode, idleName(), loss);
        }
    }

    private final Config config;
    private int nextStreamId = FIRST_STREAM_ID;
    private boolean isClosed;

    /**
     * A configured system; each call launches and closes its own driver.
     *
     * @param config how Aeron runs.
     */
    public AeronSystem(final Config config)
    {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Loopback UDP with {@link Config#udp()}.
     *
     * @return the system.
     */
    public static AeronSystem udp()
    {
        return new AeronSystem(Config.udp());
    }

    /**
     * IPC with {@link Config#ipc()}.
     *
     * @return the system.
     */
    public static AeronSystem ipc()
    {
        return new AeronSystem(Config.ipc());
    }

    /**
     * Loopback UDP with {@link Config#udp()} whose driver drops a fraction of the UDP data frames it receives.
     *
     * @param rate fraction of data frames dropped, in [0, 1).
     * @param seed of the loss generators, {@code -1} for a random seed.
     * @return the system.
     */
    public static AeronSystem withReceiveLoss(final double rate, final long seed)
    {
        return withReceiveLoss(Config.udp(), rate, seed);
    }

    /**
     * A UDP configuration, e.g. the best of {@link AeronSweep}, whose driver drops a fraction of the UDP data frames
     * it receives.
     *
     * @param base configuration, media {@value #MEDIA_UDP}.
     * @param rate fraction of data frames dropped, in [0, 1).
     * @param seed of the loss generators, {@code -1} for a random seed.
     * @return the system.
     */
    public static AeronSystem withReceiveLoss(final Config base, final double rate, final long seed)
    {
        return new AeronSystem(base.withReceiveLoss(rate, seed));
    }

    /**
     * How this system runs.
     *
     * @return the configuration.
     */
    public Config config()
    {
        return config;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return "aeron " + config.describe();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> latency(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        if (warmup < 0 || count < 1)
        {
            throw new IllegalArgumentException("need warmup >= 0 and count >= 1");
        }
        final Histogram histogram = Rows.newHistogram();
        pingPong(sizeBytes, warmup, Long.MAX_VALUE, count, Long.MAX_VALUE, histogram);
        return Rows.latency(
            SYSTEM, config.media(), false, sizeBytes, histogram, config.idleName(), config.threadingName("ping, pong"));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> throughput(final int sizeBytes, final double seconds) throws Exception
    {
        return throughput(sizeBytes, seconds, THROUGHPUT_WARMUP_S);
    }

    /**
     * One way, as {@link #throughput(int, double)} with a chosen warm-up.
     *
     * @param sizeBytes     message size, 8 B or more.
     * @param seconds       measured duration.
     * @param warmupSeconds sending before the measured window.
     * @return the two throughput rows ({@link Rows#throughput}).
     * @throws Exception if the run fails, a message fails verification, or the run times out.
     */
    public List<Row> throughput(final int sizeBytes, final double seconds, final double warmupSeconds)
        throws Exception
    {
        final Sink sink = oneWay(sizeBytes, seconds, warmupSeconds);
        return Rows.throughput(SYSTEM, config.media(), false, sizeBytes, sink.messagesInWindow,
            (sink.lastInWindowNs - sink.windowStartNs) / 1e9, config.idleName(),
            config.threadingName("publisher, subscriber"));
    }

    /**
     * Ping-pong whose warm-up and measurement each stop at a count or a time budget, whichever comes first, for a
     * sweep that must finish in bounded time.
     *
     * @param sizeBytes      message size.
     * @param warmup         round trips not recorded, at most.
     * @param warmupBudgetNs time for the warm-up, at most.
     * @param count          round trips recorded, at most.
     * @param budgetNs       time for the recorded round trips, at most.
     * @return the histogram of recorded round trips, ns.
     * @throws Exception if the run fails.
     */
    Histogram latencyHistogram(
        final int sizeBytes, final int warmup, final long warmupBudgetNs, final int count, final long budgetNs)
        throws Exception
    {
        final Histogram histogram = Rows.newHistogram();
        pingPong(sizeBytes, warmup, warmupBudgetNs, count, budgetNs, histogram);
        return histogram;
    }

    /**
     * Messages per second of a one-way run.
     *
     * @param sizeBytes     message size.
     * @param seconds       measured duration.
     * @param warmupSeconds sending before the measured window.
     * @return verified messages per second in the measured window.
     * @throws Exception if the run fails.
     */
    double messagesPerSecond(final int sizeBytes, final double seconds, final double warmupSeconds) throws Exception
    {
        final Sink sink = oneWay(sizeBytes, seconds, warmupSeconds);
        return sink.messagesInWindow / ((sink.lastInWindowNs - sink.windowStartNs) / 1e9);
    }

    /**
     * Refuse further calls. Each call closes its own driver, client and directory before it returns, so there is
     * nothing left to release here. Idempotent.
     */
    public void close()
    {
        isClosed = true;
    }

    // -----------------------------------------------------------------------------------------------------------
    // Driver and streams
    // -----------------------------------------------------------------------------------------------------------

    /**
     * An embedded driver and its client in a fresh directory, for one call.
     */
    private final class Driver implements AutoCloseable
    {
        private final Path rootDir;
        private final Thread deleteOnExit;
        private MediaDriver driver;
        private Aeron aeron;

        Driver()
        {
            if (isClosed)
            {
                throw new IllegalStateException("closed");
            }
            try
            {
                rootDir = Files.createTempDirectory(tempBase(), "raet4j-aeron-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            // A run killed by a signal still removes its driver files, tens of MiB of tmpfs.
            deleteOnExit = new Thread(() -> IoUtil.delete(rootDir.toFile(), true), "aeron-dir-delete");
            Runtime.getRuntime().addShutdownHook(deleteOnExit);
            final String aeronDir = rootDir.resolve("driver").toString();
            try
            {
                driver = MediaDriver.launchEmbedded(driverContext(aeronDir));
                aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(aeronDir)
                    .preTouchMappedMemory(config.preTouch()));
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        public void close()
        {
            try
            {
                CloseHelper.closeAll(aeron, driver);
            }
            finally
            {
                IoUtil.delete(rootDir.toFile(), true);
                try
                {
                    Runtime.getRuntime().removeShutdownHook(deleteOnExit);
                }
                catch (final IllegalStateException ex)
                {
                    // The JVM is already shutting down; the hook deletes the directory again, harmlessly.
                }
            }
        }
    }

    private MediaDriver.Context driverContext(final String aeronDir)
    {
        final ThreadingMode mode = config.threadingMode();
        final Idle driverIdle = config.driverIdle();
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(!config.preTouch())
            .threadingMode(mode)
            .mtuLength(config.mtuBytes())
            .ipcMtuLength(config.mtuBytes())
            .conductorIdleStrategy(ThreadingMode.SHARED == mode ?
                driverIdle.newIdleStrategy() : Idle.BACKOFF.newIdleStrategy())
            .senderIdleStrategy(driverIdle.newIdleStrategy())
            .receiverIdleStrategy(driverIdle.newIdleStrategy())
            .sharedNetworkIdleStrategy(driverIdle.newIdleStrategy())
            .sharedIdleStrategy(driverIdle.newIdleStrategy());
        final double lossRate = config.receiveLossRate();
        if (lossRate > 0.0)
        {
            final long seed = config.receiveLossSeed();
            final AtomicLong endpoints = new AtomicLong();
            context.receiveChannelEndpointSupplier((udpChannel, dispatcher, statusIndicator, driverContext) ->
                new DebugReceiveChannelEndpoint(
                    udpChannel,
                    dispatcher,
                    statusIndicator,
                    driverContext,
                    new RandomLossGenerator(lossRate, -1 == seed ? -1 : seed + endpoints.getAndIncrement()),
                    NO_LOSS));
        }
        return context;
    }

    private static Path tempBase()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * One direction: an exclusive publication and the subscription it is connected to.
     */
    private final class Link implements AutoCloseable
    {
        private final ExclusivePublication publication;
        private final Subscription subscription;

        Link(final Aeron aeron, final int streamId)
        {
            final boolean isUdp = MEDIA_UDP.equals(config.media());
            Subscription sub = null;
            ExclusivePublication pub = null;
            try
            {
                sub = aeron.addSubscription(isUdp ?
                    new ChannelUriStringBuilder().media("udp").endpoint(LOOPBACK + ":0").build() :
                    new ChannelUriStringBuilder().media("ipc").build(), streamId);
                final ChannelUriStringBuilder channel = new ChannelUriStringBuilder().mtu(config.mtuBytes());
                if (0 != config.termLengthBytes())
                {
                    channel.termLength(config.termLengthBytes());
                }
                if (isUdp)
                {
                    final long deadlineNs = System.nanoTime() + PROGRESS_TIMEOUT_NS;
                    String endpoint;
                    while (null == (endpoint = sub.resolvedEndpoint()))
                    {
                        awaitStep(deadlineNs, "subscription endpoint of stream " + streamId);
                    }
                    channel.media("udp").endpoint(endpoint);
                }
                else
                {
                    channel.media("ipc");
                }
                pub = aeron.addExclusivePublication(channel.build(), streamId);
                final long deadlineNs = System.nanoTime() + PROGRESS_TIMEOUT_NS;
                while (!pub.isConnected() || !sub.isConnected())
                {
                    awaitStep(deadlineNs, "connection of stream " + streamId);
                }
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietCloseAll(pub, sub);
                throw ex;
            }
            publication = pub;
            subscription = sub;
        }

        public void close()
        {
            CloseHelper.closeAll(publication, subscription);
        }
    }

    private static void awaitStep(final long deadlineNs, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException("aeron: timed out waiting for " + what);
        }
        if (Thread.currentThread().isInterrupted())
        {
            throw new IllegalStateException("aeron: interrupted waiting for " + what);
        }
        Thread.onSpinWait();
        Thread.yield();
    }

    private int nextStreamId()
    {
        return nextStreamId++;
    }

    private static void checkSize(final int sizeBytes, final ExclusivePublication publication)
    {
        if (sizeBytes < BitUtil.SIZE_OF_LONG || sizeBytes > publication.maxMessageLength())
        {
            throw new IllegalArgumentException(
                "sizeBytes must be in [8, " + publication.maxMessageLength() + "]: " + sizeBytes);
        }
    }

    /**
     * Whether a negative result of {@code offer} or {@code tryClaim} may be retried.
     */
    private static void checkOfferResult(final long result, final String what)
    {
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            throw new IllegalStateException("aeron " + what + ": publication " +
                (Publication.CLOSED == result ? "closed" : "max position exceeded"));
        }
    }

    private static void runPair(
        final Thread first,
        final Thread second,
        final Runnable stopSecond,
        final AtomicReference<Throwable> failure,
        final String what)
        throws Exception
    {
        second.start();
        first.start();
        try
        {
            // Every wait of both threads is bounded by PROGRESS_TIMEOUT_NS, and the first one tells the second
            // when to stop, so both end on their own.
            first.join();
            second.join(JOIN_TIMEOUT_MS);
        }
        finally
        {
            if (first.isAlive() || second.isAlive())
            {
                failure.compareAndSet(null, new IllegalStateException("interrupted or did not finish"));
                stopSecond.run();
                first.join(JOIN_TIMEOUT_MS);
                second.join(JOIN_TIMEOUT_MS);
            }
        }
        final Throwable cause = failure.get();
        if (null != cause)
        {
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Ping-pong
    // -----------------------------------------------------------------------------------------------------------

    private void pingPong(
        final int sizeBytes,
        final int warmup,
        final long warmupBudgetNs,
        final int count,
        final long budgetNs,
        final Histogram histogram)
        throws Exception
    {
        try (Driver driver = new Driver();
            Link ping = new Link(driver.aeron, nextStreamId());
            Link pong = new Link(driver.aeron, nextStreamId()))
        {
            checkSize(sizeBytes, ping.publication);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Ponger ponger = new Ponger(pong.publication, ping.subscription, failure);
            final Pinger pinger = new Pinger(ping.publication, pong.subscription, sizeBytes, warmup, warmupBudgetNs,
                count, budgetNs, histogram, failure, ponger);
            runPair(new Thread(pinger, "aeron-ping"), new Thread(ponger, "aeron-pong"), ponger::stop, failure,
                "aeron ping-pong");
            if (0 == histogram.getTotalCount())
            {
                throw new IllegalStateException("aeron ping-pong: no round trip recorded");
            }
        }
    }

    /**
     * Sends on the ping stream and waits for each echo on the pong stream. Only called from its own thread.
     */
    private final class Pinger implements Runnable, FragmentHandler
    {
        private final ExclusivePublication publication;
        private final Subscription subscription;
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        private final BufferClaim claim = new BufferClaim();
        private final int sizeBytes;
        private final int warmup;
        private final long warmupBudgetNs;
        private final int count;
        private final long budgetNs;
        private final Histogram histogram;
        private final AtomicReference<Throwable> failure;
        private final Ponger ponger;
        private final UnsafeBuffer ping;
        private final IdleStrategy idle;
        private long sentNs;
        private boolean isEchoed;

        Pinger(
            final ExclusivePublication publication,
            final Subscription subscription,
            final int sizeBytes,
            final int warmup,
            final long warmupBudgetNs,
            final int count,
            final long budgetNs,
            final Histogram histogram,
            final AtomicReference<Throwable> failure,
            final Ponger ponger)
        {
            this.publication = publication;
            this.subscription = subscription;
            this.sizeBytes = sizeBytes;
            this.warmup = warmup;
            this.warmupBudgetNs = warmupBudgetNs;
            this.count = count;
            this.budgetNs = budgetNs;
            this.histogram = histogram;
            this.failure = failure;
            this.ponger = ponger;
            this.ping = Rows.messageBuffer(sizeBytes);
            this.idle = config.appIdle().newIdleStrategy();
        }

        public void run()
        {
            try
            {
                roundTrips(warmup, warmupBudgetNs, false);
                roundTrips(count, budgetNs, true);
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                ponger.stop();
            }
        }

        private void roundTrips(final int total, final long budgetNs, final boolean isRecorded)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < total; i++)
            {
                final long rttNs = roundTrip();
                if (isRecorded)
                {
                    histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                }
                if (System.nanoTime() - startNs >= budgetNs)
                {
                    break;
                }
            }
        }

        private long roundTrip()
        {
            final long startNs = System.nanoTime();
            sentNs = startNs;
            isEchoed = false;
            ping.putLong(0, startNs);
            long result;
            idle.reset();
            if (sizeBytes <= publication.maxPayloadLength())
            {
                while ((result = publication.tryClaim(sizeBytes, claim)) < 0)
                {
                    onBlocked(result, startNs);
                }
                claim.buffer().putBytes(claim.offset(), ping, 0, sizeBytes);
                claim.commit();
            }
            else
            {
                while ((result = publication.offer(ping, 0, sizeBytes)) < 0)
                {
                    onBlocked(result, startNs);
                }
            }

            idle.reset();
            int polls = 0;
            while (!isEchoed)
            {
                final int fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
                if (0 == fragments && 0 == (++polls & CHECK_EVERY_MASK))
                {
                    checkProgress(startNs);
                }
                idle.idle(fragments);
            }
            return System.nanoTime() - startNs;
        }

        private void onBlocked(final long result, final long startNs)
        {
            checkOfferResult(result, "ping");
            checkProgress(startNs);
            idle.idle();
        }

        private void checkProgress(final long startNs)
        {
            if (System.nanoTime() - startNs > PROGRESS_TIMEOUT_NS)
            {
                throw new IllegalStateException("no echo within " + PROGRESS_TIMEOUT_S + " s");
            }
            if (null != failure.get())
            {
                throw new IllegalStateException("pong failed");
            }
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (length != sizeBytes || buffer.getLong(offset) != sentNs)
            {
                throw new IllegalStateException("pong echoed another ping: length " + length);
            }
            isEchoed = true;
        }
    }

    /**
     * Echoes every message of the ping stream on the pong stream until stopped. Only called from its own thread,
     * except {@link #stop()}.
     */
    private final class Ponger implements Runnable, FragmentHandler
    {
        private final ExclusivePublication publication;
        private final Subscription subscription;
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        private final BufferClaim claim = new BufferClaim();
        private final AtomicReference<Throwable> failure;
        private final IdleStrategy idle;
        private volatile boolean isRunning = true;

        Ponger(
            final ExclusivePublication publication,
            final Subscription subscription,
            final AtomicReference<Throwable> failure)
        {
            this.publication = publication;
            this.subscription = subscription;
            this.failure = failure;
            this.idle = config.appIdle().newIdleStrategy();
        }

        void stop()
        {
            isRunning = false;
        }

        public void run()
        {
            try
            {
                while (isRunning)
                {
                    idle.idle(subscription.poll(assembler, FRAGMENT_LIMIT));
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long startNs = System.nanoTime();
            long result;
            if (length <= publication.maxPayloadLength())
            {
                while ((result = publication.tryClaim(length, claim)) < 0)
                {
                    onBlocked(result, startNs);
                }
                claim.buffer().putBytes(claim.offset(), buffer, offset, length);
                claim.commit();
            }
            else
            {
                while ((result = publication.offer(buffer, offset, length)) < 0)
                {
                    onBlocked(result, startNs);
                }
            }
        }

        private void onBlocked(final long result, final long startNs)
        {
            checkOfferResult(result, "pong");
            if (!isRunning || System.nanoTime() - startNs > PROGRESS_TIMEOUT_NS)
            {
                throw new IllegalStateException("pong could not echo within " + PROGRESS_TIMEOUT_S + " s");
            }
            idle.idle();
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // One way
    // -----------------------------------------------------------------------------------------------------------

    private Sink oneWay(final int sizeBytes, final double seconds, final double warmupSeconds) throws Exception
    {
        if (!(seconds > 0) || !(warmupSeconds >= 0))
        {
            throw new IllegalArgumentException("need seconds > 0 and warmupSeconds >= 0");
        }
        try (Driver driver = new Driver(); Link link = new Link(driver.aeron, nextStreamId()))
        {
            checkSize(sizeBytes, link.publication);
            final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            final long windowStartNs = startNs + (long)(warmupSeconds * 1e9);
            final long windowEndNs = windowStartNs + (long)(seconds * 1e9);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Sink sink = new Sink(link.subscription, sizeBytes, windowStartNs, windowEndNs, failure);
            final Source source = new Source(link.publication, sizeBytes, windowEndNs, failure, sink);
            runPair(new Thread(source, "aeron-publisher"), new Thread(sink, "aeron-subscriber"), sink::stop, failure,
                "aeron throughput");
            if (sink.received != source.offered)
            {
                throw new IllegalStateException(
                    "aeron throughput: offered " + source.offered + ", received " + sink.received);
            }
            if (0 == sink.messagesInWindow || sink.lastInWindowNs <= windowStartNs)
            {
                throw new IllegalStateException("aeron throughput: no message received in the measured window");
            }
            return sink;
        }
    }

    /**
     * Offers numbered messages until the end of the window. Only called from its own thread.
     */
    private final class Source implements Runnable
    {
        private final ExclusivePublication publication;
        private final BufferClaim claim = new BufferClaim();
        private final int sizeBytes;
        private final long endNs;
        private final AtomicReference<Throwable> failure;
        private final Sink sink;
        private final UnsafeBuffer message;
        private final IdleStrategy idle;
        private long offered;

        Source(
            final ExclusivePublication publication,
            final int sizeBytes,
            final long endNs,
            final AtomicReference<Throwable> failure,
            final Sink sink)
        {
            this.publication = publication;
            this.sizeBytes = sizeBytes;
            this.endNs = endNs;
            this.failure = failure;
            this.sink = sink;
            this.message = Rows.messageBuffer(sizeBytes);
            this.idle = config.appIdle().newIdleStrategy();
        }

        public void run()
        {
            try
            {
                if (sizeBytes <= publication.maxPayloadLength())
                {
                    claimLoop();
                }
                else
                {
                    offerLoop();
                }
                sink.offered(offered);
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
                sink.stop();
            }
        }

        private void claimLoop()
        {
            final ExclusivePublication publication = this.publication;
            final BufferClaim claim = this.claim;
            final int sizeBytes = this.sizeBytes;
            long sequence = 0;
            long lastProgressNs = System.nanoTime();
            int attempts = 0;
            while (true)
            {
                final long result = publication.tryClaim(sizeBytes, claim);
                if (result > 0)
                {
                    claim.buffer().putLong(claim.offset(), sequence);
                    claim.commit();
                    sequence++;
                    if (0 == (++attempts & CHECK_EVERY_MASK))
                    {
                        lastProgressNs = System.nanoTime();
                        if (lastProgressNs - endNs >= 0 || null != failure.get())
                        {
                            break;
                        }
                    }
                }
                else
                {
                    final long nowNs = onBlocked(result, lastProgressNs);
                    if (nowNs - endNs >= 0)
                    {
                        break;
                    }
                }
            }
            offered = sequence;
        }

        private void offerLoop()
        {
            long sequence = 0;
            long lastProgressNs = System.nanoTime();
            while (true)
            {
                message.putLong(0, sequence);
                final long result = publication.offer(message, 0, sizeBytes);
                if (result > 0)
                {
                    sequence++;
                    lastProgressNs = System.nanoTime();
                    if (lastProgressNs - endNs >= 0 || null != failure.get())
                    {
                        break;
                    }
                }
                else
                {
                    final long nowNs = onBlocked(result, lastProgressNs);
                    if (nowNs - endNs >= 0)
                    {
                        break;
                    }
                }
            }
            offered = sequence;
        }

        private long onBlocked(final long result, final long lastProgressNs)
        {
            checkOfferResult(result, "publisher");
            final long nowNs = System.nanoTime();
            if (nowNs - lastProgressNs > PROGRESS_TIMEOUT_NS)
            {
                throw new IllegalStateException("publisher made no progress for " + PROGRESS_TIMEOUT_S + " s");
            }
            if (null != failure.get())
            {
                throw new IllegalStateException("subscriber failed");
            }
            idle.idle();
            return nowNs;
        }
    }

    /**
     * Checks every message and counts those received in the measured window, until it has received every message
     * offered. Only called from its own thread, except {@link #offered(long)} and {@link #stop()}.
     */
    private final class Sink implements Runnable, FragmentHandler
    {
        private final Subscription subscription;
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        private final int sizeBytes;
        private final long windowStartNs;
        private final long windowEndNs;
        private final AtomicReference<Throwable> failure;
        private final IdleStrategy idle;
        private volatile long offeredTotal = -1;
        private volatile boolean isRunning = true;
        private long received;
        private long messagesInWindow;
        private long lastInWindowNs;

        Sink(
            final Subscription subscription,
            final int sizeBytes,
            final long windowStartNs,
            final long windowEndNs,
            final AtomicReference<Throwable> failure)
        {
            this.subscription = subscription;
            this.sizeBytes = sizeBytes;
            this.windowStartNs = windowStartNs;
            this.windowEndNs = windowEndNs;
            this.failure = failure;
            this.idle = config.appIdle().newIdleStrategy();
        }

        void offered(final long total)
        {
            offeredTotal = total;
        }

        void stop()
        {
            isRunning = false;
        }

        public void run()
        {
            try
            {
                long lastProgressNs = System.nanoTime();
                while (isRunning)
                {
                    final long before = received;
                    final int fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
                    if (fragments > 0)
                    {
                        final long nowNs = System.nanoTime();
                        lastProgressNs = nowNs;
                        if (nowNs - windowStartNs >= 0 && nowNs - windowEndNs < 0)
                        {
                            messagesInWindow += received - before;
                            lastInWindowNs = nowNs;
                        }
                    }
                    else
                    {
                        final long total = offeredTotal;
                        if (total >= 0 && received >= total)
                        {
                            break;
                        }
                        if (null != failure.get())
                        {
                            break;
                        }
                        if (System.nanoTime() - lastProgressNs > PROGRESS_TIMEOUT_NS)
                        {
                            throw new IllegalStateException(
                                "subscriber received nothing for " + PROGRESS_TIMEOUT_S + " s");
                        }
                    }
                    idle.idle(fragments);
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (length != sizeBytes)
            {
                throw new IllegalStateException("message " + received + " has length " + length);
            }
            final long sequence = buffer.getLong(offset);
            if (sequence != received)
            {
                throw new IllegalStateException("expected message " + received + ", got " + sequence);
            }
            received++;
        }
    }
}
