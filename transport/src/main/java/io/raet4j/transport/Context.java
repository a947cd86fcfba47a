package io.raet4j.transport;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transport.media.Media;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Configuration of one stack: its estate, its media, its timers and limits. Fluent accessors named like the
 * property; defaults come from system properties declared once as {@code *_PROP_NAME} and {@code *_DEFAULT}.
 * {@link #conclude()} validates, fills in what was left unset, and may be called once.
 * <p>
 * NOT thread safe: build it on one thread and hand it to the stack.
 */
public final class Context
{
    /** How the duty-cycle agent is run. */
    public enum ThreadingMode
    {
        /** The stack starts its own thread, an {@code AgentRunner}. */
        DEDICATED,
        /** The caller drives the agent from its own loop through an {@code AgentInvoker}. */
        INVOKER
    }

    /** Property for {@link #mtuBytes()}. */
    public static final String MTU_PROP_NAME = "raet4j.mtu";
    /** Default largest datagram, in bytes. */
    public static final int MTU_DEFAULT = 1408;
    /** Smallest datagram length the protocol works with. */
    public static final int MTU_MIN = 576;
    /** Largest datagram length the protocol allows. */
    public static final int MTU_MAX = 65000;

    /** Property for {@link #maxMessageBytes()}. */
    public static final String MAX_MESSAGE_PROP_NAME = "raet4j.max.message.bytes";
    /** Default largest message, 16 MiB. */
    public static final int MAX_MESSAGE_DEFAULT = 16 * 1024 * 1024;
    /** Largest message the protocol allows, 1 GiB. */
    public static final int MAX_MESSAGE_LIMIT = 1024 * 1024 * 1024;

    /** Property for {@link #sendBufferMaxBytes()}. */
    public static final String SEND_BUFFER_MAX_PROP_NAME = "raet4j.send.buffer.max.bytes";
    /** Default send buffer limit per channel, 32 MiB. */
    public static final int SEND_BUFFER_MAX_DEFAULT = 32 * 1024 * 1024;

    /** Property for {@link #maxUnackedSegments()}. */
    public static final String MAX_UNACKED_SEGMENTS_PROP_NAME = "raet4j.max.unacked.segments";
    /** Default limit of segments held per channel until acknowledged. */
    public static final int MAX_UNACKED_SEGMENTS_DEFAULT = 65536;

    /** Property for {@link #receiveWindowSegments()}. */
    public static final String RECEIVE_WINDOW_PROP_NAME = "raet4j.receive.window.segments";
    /** Default receive window per channel, in segments. */
    public static final int RECEIVE_WINDOW_DEFAULT = 2048;

    /** Property for {@link #socketReceiveBufferBytes()}. */
    public static final String SOCKET_RCVBUF_PROP_NAME = "raet4j.socket.rcvbuf";
    /** Default {@code SO_RCVBUF} asked for: 4 MiB (the kernel grants at most {@code net.core.rmem_max}). */
    public static final int SOCKET_RCVBUF_DEFAULT = 4 * 1024 * 1024;

    /** Property for {@link #socketSendBufferBytes()}. */
    public static final String SOCKET_SNDBUF_PROP_NAME = "raet4j.socket.sndbuf";
    /** Default {@code SO_SNDBUF} asked for: 1 MiB (the kernel grants at most {@code net.core.wmem_max}). */
    public static final int SOCKET_SNDBUF_DEFAULT = 1024 * 1024;

    /** Property for {@link #keepaliveIntervalNs()}. */
    public static final String KEEPALIVE_INTERVAL_PROP_NAME = "raet4j.keepalive.interval.ns";
    /** Default keepalive interval. */
    public static final long KEEPALIVE_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Property for {@link #livenessTimeoutNs()}. */
    public static final String LIVENESS_TIMEOUT_PROP_NAME = "raet4j.liveness.timeout.ns";
    /** Default time without hearing from a peer before it is reported unreachable (its session is kept). */
    public static final long LIVENESS_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    /** Property for {@link #sessionTimeoutNs()}. */
    public static final String SESSION_TIMEOUT_PROP_NAME = "raet4j.session.timeout.ns";
    /**
     * Default time without hearing from a peer before its session ends: it is declared dead and its messages end.
     * Long enough that a 10 s GC pause, a stopped process or a network blip of tens of seconds fails nothing.
     */
    public static final long SESSION_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);

    /** Property for {@link #reapTimeoutNs()}. */
    public static final String REAP_TIMEOUT_PROP_NAME = "raet4j.reap.timeout.ns";
    /** Default time a dead peer is kept before it is reaped. */
    public static final long REAP_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);

    /** Property for {@link #joinTimeoutNs()}. */
    public static final String JOIN_TIMEOUT_PROP_NAME = "raet4j.join.timeout.ns";
    /** Default time a join may take before it fails. */
    public static final long JOIN_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);

    /** Property for {@link #messageTimeoutNs()}. */
    public static final String MESSAGE_TIMEOUT_PROP_NAME = "raet4j.message.timeout.ns";
    /**
     * Default time a reliable message may wait for confirmation of its delivery before its peer's session ends: twice
     * the session timeout, so that a silent peer's session limit governs, and this only catches a peer that answers
     * but does not deliver (its application stopped polling).
     */
    public static final long MESSAGE_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(120);

    /** Property for {@link #estateCountersMax()}. */
    public static final String ESTATE_COUNTERS_MAX_PROP_NAME = "raet4j.estate.counters.max";
    /** Default number of estates whose counters the status file holds. */
    public static final int ESTATE_COUNTERS_MAX_DEFAULT = 100;

    /** Property for {@link #minRtoNs()}. */
    public static final String MIN_RTO_PROP_NAME = "raet4j.rto.min.ns";
    /** Default lower bound of the retransmission timeout. */
    public static final long MIN_RTO_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Property for {@link #maxRtoNs()}. */
    public static final String MAX_RTO_PROP_NAME = "raet4j.rto.max.ns";
    /** Default upper bound of the retransmission timeout. */
    public static final long MAX_RTO_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Property for {@link #initialRtoNs()}. */
    public static final String INITIAL_RTO_PROP_NAME = "raet4j.rto.initial.ns";
    /** Default retransmission timeout before any round trip was measured. */
    public static final long INITIAL_RTO_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Property for {@link #stallThresholdNs()}. */
    public static final String STALL_THRESHOLD_PROP_NAME = "raet4j.stall.threshold.ns";
    /** Default gap between duty cycles that counts as a stall of the local stack. */
    public static final long STALL_THRESHOLD_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Property for {@link #initialCwndSegments()}. */
    public static final String INITIAL_CWND_PROP_NAME = "raet4j.cwnd.initial";
    /** Default initial congestion window, in segments. */
    public static final int INITIAL_CWND_DEFAULT = 64;

    /** Property for {@link #minCwndSegments()}. */
    public static final String MIN_CWND_PROP_NAME = "raet4j.cwnd.min";
    /** Default smallest congestion window, in segments. */
    public static final int MIN_CWND_DEFAULT = 16;

    /** Property for {@link #maxCwndSegments()}. */
    public static final String MAX_CWND_PROP_NAME = "raet4j.cwnd.max";
    /** Default largest congestion window, in segments. */
    public static final int MAX_CWND_DEFAULT = 65536;

    /** Property for {@link #keepDir()}. */
    public static final String KEEP_DIR_PROP_NAME = "raet4j.keep.dir";
    /** Property for {@link #acceptPolicy()}. */
    public static final String ACCEPT_POLICY_PROP_NAME = "raet4j.accept";
    /** Default {@link #acceptPolicy()}: accept a name's first keys, refuse different keys for it later. */
    public static final String ACCEPT_POLICY_DEFAULT = "once";
    /** Property for {@link #encryption()}. */
    public static final String ENCRYPTION_PROP_NAME = "raet4j.encryption";
    /** Property for {@link #laneEncryption()}. */
    public static final String LANE_ENCRYPTION_PROP_NAME = "raet4j.lane.encryption";
    /** Property for {@link #rekeyAfterPackets()}. */
    public static final String REKEY_PACKETS_PROP_NAME = "raet4j.rekey.packets";
    /** Default {@link #rekeyAfterPackets()}: 2^30 packets per key and direction. */
    public static final long REKEY_PACKETS_DEFAULT = 1L << 30;
    /** Property for {@link #rekeyAfterNs()}. */
    public static final String REKEY_INTERVAL_PROP_NAME = "raet4j.rekey.interval.ns";
    /** Default {@link #rekeyAfterNs()}: 10 minutes. */
    public static final long REKEY_INTERVAL_DEFAULT_NS = TimeUnit.MINUTES.toNanos(10);
    /** Property for {@link #handshakesPerSecond()}. */
    public static final String HANDSHAKE_RATE_PROP_NAME = "raet4j.handshake.rate";
    /** Default {@link #handshakesPerSecond()}. */
    public static final int HANDSHAKE_RATE_DEFAULT = 2_000;

    /** Property for {@link #statusDir()}. */
    public static final String STATUS_DIR_PROP_NAME = "raet4j.status.dir";

    /** Largest send buffer or receive window in bytes, 1 GiB. */
    public static final int MAX_BUFFER_BYTES = 1 << 30;

    /** Number of channels per estate pair. */
    public static final int CHANNEL_COUNT = 256;

    private boolean isConcluded;
    private String name;
    private long estateId;
    private String bindAddress = "127.0.0.1:0";
    private String laneAddress;
    private Media media;
    private NanoClock nanoClock;
    private RandomGenerator random;
    private EpochClock epochClock;
    private IdleStrategy idleStrategy;
    private ThreadingMode threadingMode = ThreadingMode.INVOKER;
    private Path statusDir;
    private Path keepDir;
    private String acceptPolicy = System.getProperty(ACCEPT_POLICY_PROP_NAME, ACCEPT_POLICY_DEFAULT);
    private boolean encryption = Boolean.parseBoolean(System.getProperty(ENCRYPTION_PROP_NAME, "true"));
    private boolean laneEncryption = Boolean.parseBoolean(System.getProperty(LANE_ENCRYPTION_PROP_NAME, "false"));
    private long rekeyAfterPackets = Long.getLong(REKEY_PACKETS_PROP_NAME, REKEY_PACKETS_DEFAULT);
    private long rekeyAfterNs = Long.getLong(REKEY_INTERVAL_PROP_NAME, REKEY_INTERVAL_DEFAULT_NS);
    private int handshakesPerSecond = Integer.getInteger(HANDSHAKE_RATE_PROP_NAME, HANDSHAKE_RATE_DEFAULT);
    private boolean deleteStatusDirOnClose = true;
    private ErrorHandler errorHandler;
    private int mtuBytes = Integer.getInteger(MTU_PROP_NAME, MTU_DEFAULT);
    private int maxMessageBytes = Integer.getInteger(MAX_MESSAGE_PROP_NAME, MAX_MESSAGE_DEFAULT);
    private int sendBufferMaxBytes = Integer.getInteger(SEND_BUFFER_MAX_PROP_NAME, SEND_BUFFER_MAX_DEFAULT);
    private int maxUnackedSegments = Integer.getInteger(MAX_UNACKED_SEGMENTS_PROP_NAME, MAX_UNACKED_SEGMENTS_DEFAULT);
    private int receiveWindowSegments = Integer.getInteger(RECEIVE_WINDOW_PROP_NAME, RECEIVE_WINDOW_DEFAULT);
    private int socketReceiveBufferBytes = Integer.getInteger(SOCKET_RCVBUF_PROP_NAME, SOCKET_RCVBUF_DEFAULT);
    private int socketSendBufferBytes = Integer.getInteger(SOCKET_SNDBUF_PROP_NAME, SOCKET_SNDBUF_DEFAULT);
    private long keepaliveIntervalNs = Long.getLong(KEEPALIVE_INTERVAL_PROP_NAME, KEEPALIVE_INTERVAL_DEFAULT_NS);
    private long livenessTimeoutNs = Long.getLong(LIVENESS_TIMEOUT_PROP_NAME, LIVENESS_TIMEOUT_DEFAULT_NS);
    private long sessionTimeoutNs = Long.getLong(SESSION_TIMEOUT_PROP_NAME, SESSION_TIMEOUT_DEFAULT_NS);
    private int estateCountersMax = Integer.getInteger(ESTATE_COUNTERS_MAX_PROP_NAME, ESTATE_COUNTERS_MAX_DEFAULT);
    private long reapTimeoutNs = Long.getLong(REAP_TIMEOUT_PROP_NAME, REAP_TIMEOUT_DEFAULT_NS);
    private long joinTimeoutNs = Long.getLong(JOIN_TIMEOUT_PROP_NAME, JOIN_TIMEOUT_DEFAULT_NS);
    private long messageTimeoutNs = Long.getLong(MESSAGE_TIMEOUT_PROP_NAME, MESSAGE_TIMEOUT_DEFAULT_NS);
    private long minRtoNs = Long.getLong(MIN_RTO_PROP_NAME, MIN_RTO_DEFAULT_NS);
    private long maxRtoNs = Long.getLong(MAX_RTO_PROP_NAME, MAX_RTO_DEFAULT_NS);
    private long initialRtoNs = Long.getLong(INITIAL_RTO_PROP_NAME, INITIAL_RTO_DEFAULT_NS);
    private long stallThresholdNs = Long.getLong(STALL_THRESHOLD_PROP_NAME, STALL_THRESHOLD_DEFAULT_NS);
    private int initialCwndSegments = Integer.getInteger(INITIAL_CWND_PROP_NAME, INITIAL_CWND_DEFAULT);
    private int minCwndSegments = Integer.getInteger(MIN_CWND_PROP_NAME, MIN_CWND_DEFAULT);
    private int maxCwndSegments = Integer.getInteger(MAX_CWND_PROP_NAME, MAX_CWND_DEFAULT);
    private final DeliveryMode[] channelModes = new DeliveryMode[CHANNEL_COUNT];

    /**
     * New context with defaults from system properties.
     */
    public Context()
    {
        Arrays.fill(channelModes, DeliveryMode.RELIABLE_ORDERED);
        final String dir = System.getProperty(STATUS_DIR_PROP_NAME);
        if (null != dir)
        {
            statusDir = Path.of(dir);
        }
        final String keep = System.getProperty(KEEP_DIR_PROP_NAME);
        if (null != keep)
        {
            keepDir = Path.of(keep);
        }
    }

    /**
     * Validate and fill in defaults. May be called once.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException    if already concluded.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public Context conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        isConcluded = true;

        if (null == name)
        {
            name = "estate-" + Long.toHexString(0 != estateId ? estateId :
                ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFFL);
        }
        if (null == acceptPolicy || !(acceptPolicy.equalsIgnoreCase("always") ||
            acceptPolicy.equalsIgnoreCase("once") || acceptPolicy.equalsIgnoreCase("never")))
        {
            throw new IllegalArgumentException("acceptPolicy must be always, once or never: " + acceptPolicy);
        }
        acceptPolicy = acceptPolicy.toLowerCase(java.util.Locale.ROOT);
        requireRange("rekeyAfterPackets", rekeyAfterPackets, 16, 1L << 40);
        requirePositive("rekeyAfterNs", rekeyAfterNs);
        requireRange("handshakesPerSecond", handshakesPerSecond, 1, 10_000_000);
        final int nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > 255)
        {
            throw new IllegalArgumentException("name must be 1 to 255 UTF-8 bytes: " + name);
        }
        if (null == random)
        {
            random = ThreadLocalRandom.current();
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (null == epochClock)
        {
            epochClock = SystemEpochClock.INSTANCE;
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        }
        if (null == statusDir)
        {
            statusDir = Path.of(System.getProperty("java.io.tmpdir"), "raet4j-" + System.getProperty("user.name"))
                .resolve(name + "-" + ProcessHandle.current().pid());
        }

        requireRange("mtuBytes", mtuBytes, MTU_MIN, MTU_MAX);
        requireRange("maxMessageBytes", maxMessageBytes, 1, MAX_MESSAGE_LIMIT);
        requireRange("sendBufferMaxBytes", sendBufferMaxBytes, 64 * 1024, MAX_BUFFER_BYTES);
        if (sendBufferMaxBytes < maxMessageBytes)
        {
            sendBufferMaxBytes = maxMessageBytes;
        }
        requireRange("maxUnackedSegments", maxUnackedSegments, 64, 1 << 24);
        requireRange("receiveWindowSegments", receiveWindowSegments, 16, 1 << 20);
        requireRange("socketReceiveBufferBytes", socketReceiveBufferBytes, 0, MAX_BUFFER_BYTES);
        requireRange("socketSendBufferBytes", socketSendBufferBytes, 0, MAX_BUFFER_BYTES);
        final long windowBytes = (long)org.agrona.BitUtil.findNextPositivePowerOfTwo(receiveWindowSegments) *
            io.raet4j.codec.PacketWriter.maxDataPayload(mtuBytes);
        if (windowBytes > MAX_BUFFER_BYTES)
        {
            throw new IllegalArgumentException(
                "receiveWindowSegments x segment payload must be at most 1 GiB: " + windowBytes);
        }
        requirePositive("keepaliveIntervalNs", keepaliveIntervalNs);
        requirePositive("livenessTimeoutNs", livenessTimeoutNs);
        requirePositive("sessionTimeoutNs", sessionTimeoutNs);
        requireRange("estateCountersMax", estateCountersMax, 0, 100_000);
        requirePositive("reapTimeoutNs", reapTimeoutNs);
        requirePositive("joinTimeoutNs", joinTimeoutNs);
        requirePositive("messageTimeoutNs", messageTimeoutNs);
        requirePositive("minRtoNs", minRtoNs);
        requirePositive("stallThresholdNs", stallThresholdNs);
        if (maxRtoNs < minRtoNs || initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs)
        {
            throw new IllegalArgumentException(
                "need minRtoNs <= initialRtoNs <= maxRtoNs: " + minRtoNs + ", " + initialRtoNs + ", " + maxRtoNs);
        }
        if (livenessTimeoutNs <= keepaliveIntervalNs)
        {
            throw new IllegalArgumentException("livenessTimeoutNs (" + livenessTimeoutNs +
                ") must exceed keepaliveIntervalNs (" + keepaliveIntervalNs + "): raise the liveness timeout or " +
                "send keepalives more often");
        }
        if (sessionTimeoutNs < livenessTimeoutNs)
        {
            throw new IllegalArgumentException("sessionTimeoutNs (" + sessionTimeoutNs +
                ") must be at least livenessTimeoutNs (" + livenessTimeoutNs + "): a peer is reported unreachable " +
                "before its session ends");
        }
        requireRange("minCwndSegments", minCwndSegments, 1, 1 << 24);
        requireRange("maxCwndSegments", maxCwndSegments, minCwndSegments, 1 << 24);
        requireRange("initialCwndSegments", initialCwndSegments, minCwndSegments, maxCwndSegments);

        return this;
    }

    /**
     * Has {@link #conclude()} been called.
     *
     * @return true once concluded.
     */
    public boolean isConcluded()
    {
        return isConcluded;
    }

    /**
     * Name of the local estate, 1 to 255 UTF-8 bytes. Default {@code estate-<id in hex>}.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Name of the local estate.
     *
     * @param name 1 to 255 UTF-8 bytes.
     * @return this for a fluent API.
     */
    public Context name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * Id of the local estate. Default 0 until the stack launches, which then takes the id of the keep's identity
     * (derived from its signing key, so stable across restarts); a non-zero id set here is used instead.
     *
     * @return the id, 0 if it comes from the keep.
     */
    public long estateId()
    {
        return estateId;
    }

    /**
     * Id of the local estate.
     *
     * @param estateId non-zero id; zero means the id of the keep's identity.
     * @return this for a fluent API.
     */
    public Context estateId(final long estateId)
    {
        this.estateId = estateId;
        return this;
    }

    /**
     * A second address to bind when no {@link #media()} is given, usually a lane yard {@code unix:PATH} beside a road
     * {@link #bindAddress()}: one stack, one duty cycle, both media (see
     * {@link io.raet4j.transport.media.CompositeMedia}). Default null: only the bind address.
     *
     * @return the second address, or null.
     */
    public String laneAddress()
    {
        return laneAddress;
    }

    /**
     * A second address to bind, such as a lane yard.
     *
     * @param laneAddress {@code unix:PATH} (needs {@code raet4j-unix-ipc} on the class path) or {@code host:port}.
     * @return this for a fluent API.
     */
    public Context laneAddress(final String laneAddress)
    {
        this.laneAddress = laneAddress;
        return this;
    }

    /**
     * Address to bind the UDP media to when no {@link #media()} is given, {@code host:port}. Default
     * {@code 127.0.0.1:0} (an ephemeral port on loopback).
     *
     * @return the bind address.
     */
    public String bindAddress()
    {
        return bindAddress;
    }

    /**
     * Address to bind the UDP media to when no {@link #media()} is given.
     *
     * @param bindAddress {@code host:port}.
     * @return this for a fluent API.
     */
    public Context bindAddress(final String bindAddress)
    {
        this.bindAddress = bindAddress;
        return this;
    }

    /**
     * Media to use instead of a UDP media bound to {@link #bindAddress()}; the stack closes it.
     *
     * @return the media, or null to let the stack open one.
     */
    public Media media()
    {
        return media;
    }

    /**
     * Media to use instead of a UDP media bound to {@link #bindAddress()}; the stack takes ownership.
     *
     * @param media to use.
     * @return this for a fluent API.
     */
    public Context media(final Media media)
    {
        this.media = media;
        return this;
    }

    /**
     * Clock for every timer of the stack. Tests inject a controllable one.
     *
     * @return the nano clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Clock for every timer of the stack.
     *
     * @param nanoClock to use.
     * @return this for a fluent API.
     */
    public Context nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * Source of the protocol's random numbers that need not be secret: sessions, join and alive nonces. Keys,
     * cookies and ephemeral secrets always come from a {@code SecureRandom}.
     *
     * @return the source.
     */
    public RandomGenerator random()
    {
        return random;
    }

    /**
     * Source of the protocol's random numbers that need not be secret, injected like the clock so that a test can
     * replay a run from a seed. Default: {@link ThreadLocalRandom}.
     *
     * @param random to use; called on the duty-cycle thread only.
     * @return this for a fluent API.
     */
    public Context random(final RandomGenerator random)
    {
        this.random = random;
        return this;
    }

    /**
     * Wall clock for the status file heartbeat and error log timestamps.
     *
     * @return the epoch clock.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * Wall clock for the status file heartbeat and error log timestamps.
     *
     * @param epochClock to use.
     * @return this for a fluent API.
     */
    public Context epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * Idle strategy of the agent in {@link ThreadingMode#DEDICATED} mode. Default a {@link BackoffIdleStrategy}.
     *
     * @return the idle strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Idle strategy of the agent in {@link ThreadingMode#DEDICATED} mode.
     *
     * @param idleStrategy to use.
     * @return this for a fluent API.
     */
    public Context idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * How the agent runs. Default {@link ThreadingMode#INVOKER}.
     *
     * @return the threading mode.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * How the agent runs.
     *
     * @param threadingMode to use.
     * @return this for a fluent API.
     */
    public Context threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    /**
     * Directory of the keep: the local identity (name, id, keys) and the remote estates with their keys and acceptance
     * status, see spec/KEEP.md. Default null: a temporary keep, created at launch and deleted at close, so the
     * identity is new at every start.
     *
     * @return the keep directory, or null for a temporary one.
     */
    public Path keepDir()
    {
        return keepDir;
    }

    /**
     * Directory of the keep, created with mode 0700 if missing.
     *
     * @param keepDir to use, or null for a temporary keep.
     * @return this for a fluent API.
     */
    public Context keepDir(final Path keepDir)
    {
        this.keepDir = keepDir;
        return this;
    }

    /**
     * How joiners are accepted: {@code always}, {@code once} (a name's first keys; different keys later are
     * rejected) or {@code never} (new estates wait as pending until an operator accepts them). Default {@code once}.
     *
     * @return the policy name, lower case after {@link #conclude()}.
     */
    public String acceptPolicy()
    {
        return acceptPolicy;
    }

    /**
     * How joiners are accepted.
     *
     * @param acceptPolicy {@code always}, {@code once} or {@code never}, any case.
     * @return this for a fluent API.
     */
    public Context acceptPolicy(final String acceptPolicy)
    {
        this.acceptPolicy = acceptPolicy;
        return this;
    }

    /**
     * Whether packets after the handshake are sealed with ChaCha20-Poly1305 and checked against a replay window.
     * Default true. Joins are signed and accepted by policy either way; false leaves data packets in clear text with
     * only a CRC32C, for benchmarks. Both ends of a pair must use the same setting.
     *
     * @return true if packets are encrypted.
     */
    public boolean encryption()
    {
        return encryption;
    }

    /**
     * Whether packets are encrypted; turning it off is for benchmarks only.
     *
     * @param encryption false to send data packets in clear text.
     * @return this for a fluent API.
     */
    public Context encryption(final boolean encryption)
    {
        this.encryption = encryption;
        return this;
    }

    /**
     * Whether packets to and from yards on a lane (host-local media, {@link
     * io.raet4j.transport.media.Media#isHostLocal}) are sealed. Default false: on a lane the kernel is the only
     * carrier. Joins are signed and accepted by policy either way. Both ends of a lane must use the same setting.
     *
     * @return true if lane packets are encrypted.
     */
    public boolean laneEncryption()
    {
        return laneEncryption;
    }

    /**
     * Whether packets on a lane are encrypted.
     *
     * @param laneEncryption true to seal lane packets as road packets are.
     * @return this for a fluent API.
     */
    public Context laneEncryption(final boolean laneEncryption)
    {
        this.laneEncryption = laneEncryption;
        return this;
    }

    /**
     * Packets sealed with one key, per direction, before the sender moves to the next key. Default 2^30.
     *
     * @return packets per key.
     */
    public long rekeyAfterPackets()
    {
        return rekeyAfterPackets;
    }

    /**
     * Packets sealed with one key before the next.
     *
     * @param rekeyAfterPackets 16 to 2^40.
     * @return this for a fluent API.
     */
    public Context rekeyAfterPackets(final long rekeyAfterPackets)
    {
        this.rekeyAfterPackets = rekeyAfterPackets;
        return this;
    }

    /**
     * Time a send key is used before the sender moves to the next key. Default 10 minutes.
     *
     * @return nanoseconds per key.
     */
    public long rekeyAfterNs()
    {
        return rekeyAfterNs;
    }

    /**
     * Time a send key is used before the next.
     *
     * @param rekeyAfterNs positive nanoseconds.
     * @return this for a fluent API.
     */
    public Context rekeyAfterNs(final long rekeyAfterNs)
    {
        this.rekeyAfterNs = rekeyAfterNs;
        return this;
    }

    /**
     * Most cookie computations and checks per second for joins, the cost an unauthenticated flood can impose;
     * joins beyond it are dropped and counted. Default 2,000.
     *
     * @return handshakes per second.
     */
    public int handshakesPerSecond()
    {
        return handshakesPerSecond;
    }

    /**
     * Most cookie computations and checks per second.
     *
     * @param handshakesPerSecond 1 to 10,000,000.
     * @return this for a fluent API.
     */
    public Context handshakesPerSecond(final int handshakesPerSecond)
    {
        this.handshakesPerSecond = handshakesPerSecond;
        return this;
    }

    /**
     * Directory of the status file (counters and error log). Default
     * {@code ${java.io.tmpdir}/raet4j-${user.name}/<name>-<pid>}.
     *
     * @return the status directory.
     */
    public Path statusDir()
    {
        return statusDir;
    }

    /**
     * Directory of the status file.
     *
     * @param statusDir to use.
     * @return this for a fluent API.
     */
    public Context statusDir(final Path statusDir)
    {
        this.statusDir = statusDir;
        return this;
    }

    /**
     * Delete the status file and its directory when the stack closes. Default true. The directory is deleted only if
     * the stack created it and it is left empty; a directory that existed before is never deleted (nor chmod-ed).
     *
     * @return true if deleted on close.
     */
    public boolean deleteStatusDirOnClose()
    {
        return deleteStatusDirOnClose;
    }

    /**
     * Delete the status file and its directory when the stack closes.
     *
     * @param deleteStatusDirOnClose true to delete.
     * @return this for a fluent API.
     */
    public Context deleteStatusDirOnClose(final boolean deleteStatusDirOnClose)
    {
        this.deleteStatusDirOnClose = deleteStatusDirOnClose;
        return this;
    }

    /**
     * Extra error handler called after an error has been counted and logged; null for none.
     *
     * @return the error handler or null.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Extra error handler called after an error has been counted and logged.
     *
     * @param errorHandler to call, or null.
     * @return this for a fluent API.
     */
    public Context errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Largest datagram sent, in bytes. Default {@value #MTU_DEFAULT}.
     *
     * @return the MTU in bytes.
     */
    public int mtuBytes()
    {
        return mtuBytes;
    }

    /**
     * Largest datagram sent, in bytes.
     *
     * @param mtuBytes {@value #MTU_MIN} to {@value #MTU_MAX}.
     * @return this for a fluent API.
     */
    public Context mtuBytes(final int mtuBytes)
    {
        this.mtuBytes = mtuBytes;
        return this;
    }

    /**
     * Largest message offered, in bytes. Default 16 MiB, at most 1 GiB.
     *
     * @return the largest message in bytes.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * Largest message offered, in bytes.
     *
     * @param maxMessageBytes 1 to 1 GiB.
     * @return this for a fluent API.
     */
    public Context maxMessageBytes(final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    /**
     * Most bytes a channel holds until delivery is confirmed; raised to {@link #maxMessageBytes()} if lower.
     *
     * @return the send buffer limit in bytes.
     */
    public int sendBufferMaxBytes()
    {
        return sendBufferMaxBytes;
    }

    /**
     * Most bytes a channel holds until delivery is confirmed.
     *
     * @param sendBufferMaxBytes at least 64 KiB.
     * @return this for a fluent API.
     */
    public Context sendBufferMaxBytes(final int sendBufferMaxBytes)
    {
        this.sendBufferMaxBytes = sendBufferMaxBytes;
        return this;
    }

    /**
     * Most segments a channel holds until they are acknowledged. Default {@value #MAX_UNACKED_SEGMENTS_DEFAULT}.
     *
     * @return the segment limit.
     */
    public int maxUnackedSegments()
    {
        return maxUnackedSegments;
    }

    /**
     * Most segments a channel holds until they are acknowledged.
     *
     * @param maxUnackedSegments at least 64.
     * @return this for a fluent API.
     */
    public Context maxUnackedSegments(final int maxUnackedSegments)
    {
        this.maxUnackedSegments = maxUnackedSegments;
        return this;
    }

    /**
     * Receive window per channel in segments. Default {@value #RECEIVE_WINDOW_DEFAULT}.
     *
     * @return the receive window in segments.
     */
    public int receiveWindowSegments()
    {
        return receiveWindowSegments;
    }

    /**
     * Receive window per channel in segments.
     *
     * @param receiveWindowSegments at least 16; rounded up to a power of two.
     * @return this for a fluent API.
     */
    public Context receiveWindowSegments(final int receiveWindowSegments)
    {
        this.receiveWindowSegments = receiveWindowSegments;
        return this;
    }

    /**
     * {@code SO_RCVBUF} asked for on UDP sockets, 0 for the OS default. Default {@value #SOCKET_RCVBUF_DEFAULT}. The
     * kernel may grant less; the receive credit each peer is granted is bounded by what it grants, so that a reader
     * falling behind for a moment does not overflow the socket. On Linux raise {@code net.core.rmem_max} for
     * more.
     *
     * @return the requested receive buffer in bytes.
     */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * {@code SO_RCVBUF} asked for on UDP sockets.
     *
     * @param socketReceiveBufferBytes in bytes, 0 for the OS default.
     * @return this for a fluent API.
     */
    public Context socketReceiveBufferBytes(final int socketReceiveBufferBytes)
    {
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        return this;
    }

    /**
     * {@code SO_SNDBUF} asked for on UDP sockets, 0 for the OS default. Default {@value #SOCKET_SNDBUF_DEFAULT}.
     *
     * @return the requested send buffer in bytes.
     */
    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /**
     * {@code SO_SNDBUF} asked for on UDP sockets.
     *
     * @param socketSendBufferBytes in bytes, 0 for the OS default.
     * @return this for a fluent API.
     */
    public Context socketSendBufferBytes(final int socketSendBufferBytes)
    {
        this.socketSendBufferBytes = socketSendBufferBytes;
        return this;
    }

    /**
     * Time without sending to a peer after which an alive probe is sent.
     *
     * @return the keepalive interval in nanoseconds.
     */
    public long keepaliveIntervalNs()
    {
        return keepaliveIntervalNs;
    }

    /**
     * Time without sending to a peer after which an alive probe is sent.
     *
     * @param keepaliveIntervalNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context keepaliveIntervalNs(final long keepaliveIntervalNs)
    {
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        return this;
    }

    /**
     * Time without hearing from a peer after which it is reported {@code UNREACHABLE}. Its session, channels and
     * messages in flight are kept: if it answers again within the {@link #sessionTimeoutNs()} it becomes
     * {@code REACHABLE} and everything resumes, delivered exactly once. Default
     * {@link #LIVENESS_TIMEOUT_DEFAULT_NS} (5 s).
     *
     * @return the liveness timeout in nanoseconds.
     */
    public long livenessTimeoutNs()
    {
        return livenessTimeoutNs;
    }

    /**
     * Time without hearing from a peer after which it is reported unreachable (its session is kept).
     *
     * @param livenessTimeoutNs in nanoseconds, more than the keepalive interval.
     * @return this for a fluent API.
     * @see #livenessTimeoutNs()
     */
    public Context livenessTimeoutNs(final long livenessTimeoutNs)
    {
        this.livenessTimeoutNs = livenessTimeoutNs;
        return this;
    }

    /**
     * Time without hearing from a peer after which its session ends: the peer is declared {@code DEAD}, its channel
     * state is discarded, and every message to it not yet confirmed ends: failed if it was certainly not delivered
     * (not all of it was ever sent), uncertain otherwise. Default {@link #SESSION_TIMEOUT_DEFAULT_NS} (60 s); at least
     * the liveness timeout. Time during which the local stack itself stalled (GC pause, stopped process) does not
     * count.
     *
     * @return the session timeout in nanoseconds.
     */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    /**
     * Time without hearing from a peer after which its session ends.
     *
     * @param sessionTimeoutNs in nanoseconds, at least the liveness timeout.
     * @return this for a fluent API.
     * @see #sessionTimeoutNs()
     */
    public Context sessionTimeoutNs(final long sessionTimeoutNs)
    {
        this.sessionTimeoutNs = sessionTimeoutNs;
        return this;
    }

    /**
     * How many remote estates get counters of their own in the status file (presence state, messages offered,
     * delivered, failed, uncertain and received, retransmits, silence, round trip), readable live by
     * {@code raet4j.jar stat --estates}; estates joined beyond it are counted in the stack's totals only. Default
     * {@link #ESTATE_COUNTERS_MAX_DEFAULT}; each costs nine counters (about 5 KB of the memory-mapped file).
     *
     * @return the number of estates.
     */
    public int estateCountersMax()
    {
        return estateCountersMax;
    }

    /**
     * How many remote estates get counters of their own in the status file.
     *
     * @param estateCountersMax 0 to 100,000.
     * @return this for a fluent API.
     * @see #estateCountersMax()
     */
    public Context estateCountersMax(final int estateCountersMax)
    {
        this.estateCountersMax = estateCountersMax;
        return this;
    }

    /**
     * Time a dead peer is kept before it is reaped.
     *
     * @return the reap timeout in nanoseconds.
     */
    public long reapTimeoutNs()
    {
        return reapTimeoutNs;
    }

    /**
     * Time a dead peer is kept before it is reaped.
     *
     * @param reapTimeoutNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context reapTimeoutNs(final long reapTimeoutNs)
    {
        this.reapTimeoutNs = reapTimeoutNs;
        return this;
    }

    /**
     * Time a join may take before it fails.
     *
     * @return the join timeout in nanoseconds.
     */
    public long joinTimeoutNs()
    {
        return joinTimeoutNs;
    }

    /**
     * Time a join may take before it fails.
     *
     * @param joinTimeoutNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context joinTimeoutNs(final long joinTimeoutNs)
    {
        this.joinTimeoutNs = joinTimeoutNs;
        return this;
    }

    /**
     * Time a reliable message may wait, from its offer, for confirmation that the receiving application got it. When
     * the oldest message of a channel passes it, the peer's session ends (version 1 and later have no way to skip a
     * sequence number): that channel's messages end with reason {@code TIMEOUT}, the others {@code PEER_DEAD}, each
     * failed or uncertain as for {@link #sessionTimeoutNs()}. Default {@link #MESSAGE_TIMEOUT_DEFAULT_NS} (120 s).
     *
     * @return the message timeout in nanoseconds.
     */
    public long messageTimeoutNs()
    {
        return messageTimeoutNs;
    }

    /**
     * Time a reliable message may take to be delivered before it fails with a timeout.
     *
     * @param messageTimeoutNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context messageTimeoutNs(final long messageTimeoutNs)
    {
        this.messageTimeoutNs = messageTimeoutNs;
        return this;
    }

    /**
     * Lower bound of the retransmission timeout.
     *
     * @return the minimum RTO in nanoseconds.
     */
    public long minRtoNs()
    {
        return minRtoNs;
    }

    /**
     * Lower bound of the retransmission timeout.
     *
     * @param minRtoNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context minRtoNs(final long minRtoNs)
    {
        this.minRtoNs = minRtoNs;
        return this;
    }

    /**
     * Upper bound of the retransmission timeout.
     *
     * @return the maximum RTO in nanoseconds.
     */
    public long maxRtoNs()
    {
        return maxRtoNs;
    }

    /**
     * Upper bound of the retransmission timeout.
     *
     * @param maxRtoNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context maxRtoNs(final long maxRtoNs)
    {
        this.maxRtoNs = maxRtoNs;
        return this;
    }

    /**
     * Retransmission timeout before a round trip has been measured.
     *
     * @return the initial RTO in nanoseconds.
     */
    public long initialRtoNs()
    {
        return initialRtoNs;
    }

    /**
     * Retransmission timeout before a round trip has been measured.
     *
     * @param initialRtoNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context initialRtoNs(final long initialRtoNs)
    {
        this.initialRtoNs = initialRtoNs;
        return this;
    }

    /**
     * Gap between the stack's own duty cycles that counts as a stall (GC pause, debugger, SIGSTOP).
     *
     * @return the stall threshold in nanoseconds.
     */
    public long stallThresholdNs()
    {
        return stallThresholdNs;
    }

    /**
     * Gap between the stack's own duty cycles that counts as a stall.
     *
     * @param stallThresholdNs in nanoseconds.
     * @return this for a fluent API.
     */
    public Context stallThresholdNs(final long stallThresholdNs)
    {
        this.stallThresholdNs = stallThresholdNs;
        return this;
    }

    /**
     * Initial congestion window in segments.
     *
     * @return the initial congestion window.
     */
    public int initialCwndSegments()
    {
        return initialCwndSegments;
    }

    /**
     * Initial congestion window in segments.
     *
     * @param initialCwndSegments between the minimum and the maximum window.
     * @return this for a fluent API.
     */
    public Context initialCwndSegments(final int initialCwndSegments)
    {
        this.initialCwndSegments = initialCwndSegments;
        return this;
    }

    /**
     * Smallest congestion window in segments.
     *
     * @return the minimum congestion window.
     */
    public int minCwndSegments()
    {
        return minCwndSegments;
    }

    /**
     * Smallest congestion window in segments.
     *
     * @param minCwndSegments at least 1.
     * @return this for a fluent API.
     */
    public Context minCwndSegments(final int minCwndSegments)
    {
        this.minCwndSegments = minCwndSegments;
        return this;
    }

    /**
     * Largest congestion window in segments.
     *
     * @return the maximum congestion window.
     */
    public int maxCwndSegments()
    {
        return maxCwndSegments;
    }

    /**
     * Largest congestion window in segments.
     *
     * @param maxCwndSegments at least the minimum window.
     * @return this for a fluent API.
     */
    public Context maxCwndSegments(final int maxCwndSegments)
    {
        this.maxCwndSegments = maxCwndSegments;
        return this;
    }

    /**
     * Delivery mode of a channel as this stack sends on it. Default {@link DeliveryMode#RELIABLE_ORDERED}.
     *
     * @param channel 0 to 255.
     * @return the delivery mode.
     */
    public DeliveryMode channelMode(final int channel)
    {
        return channelModes[channel];
    }

    /**
     * Delivery mode of a channel as this stack sends on it.
     *
     * @param channel 0 to 255.
     * @param mode    to use.
     * @return this for a fluent API.
     */
    public Context channelMode(final int channel, final DeliveryMode mode)
    {
        if (channel < 0 || channel >= CHANNEL_COUNT || null == mode || DeliveryMode.NULL_VAL == mode)
        {
            throw new IllegalArgumentException("bad channel or mode: " + channel + " " + mode);
        }
        channelModes[channel] = mode;
        return this;
    }

    private static void requireRange(final String what, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    private static void requirePositive(final String what, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
    }
}
