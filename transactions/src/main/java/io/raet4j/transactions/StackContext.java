package io.raet4j.transactions;

import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.crypto.PacketAeadFactory;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transport.Context;
import org.agrona.BitUtil;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.raet4j.transport.Context.MAX_BUFFER_BYTES;
import static io.raet4j.transport.Context.requirePositive;
import static io.raet4j.transport.Context.requireRange;

/**
 * Configuration of the transactions layer of one stack: acceptance and the keep, encryption and rekeying, the join,
 * alive and message timers, message and buffer limits, congestion control and channel modes. It holds the transport's
 * {@link Context} (name, media, addresses, status file, duty cycle), which {@link #conclude()} concludes first. A
 * layer above keeps its own settings in a context of its own that holds this one. Fluent accessors named like the
 * property; defaults come from system properties declared once as {@code *_PROP_NAME} and {@code *_DEFAULT}.
 * <p>
 * NOT thread safe: build it on one thread and hand it to {@link Stack#launch(StackContext)}.
 */
public final class StackContext
{
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

    /** Property for {@link #sendBudgetSegments()}. */
    public static final String SEND_BUDGET_PROP_NAME = "raet4j.send.budget.segments";
    /** Default most data sent to one estate in one duty cycle, in full segments (small ones count a quarter). */
    public static final int SEND_BUDGET_DEFAULT = 64;

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

    /** Property for {@link #layerCountersMax()}. */
    public static final String LAYER_COUNTERS_MAX_PROP_NAME = "raet4j.layer.counters.max";
    /** Default room in the status file for the counters of the layers above the stack. */
    public static final int LAYER_COUNTERS_MAX_DEFAULT = 128;

    /** Property for {@link #minRtoNs()}. */
    public static final String MIN_RTO_PROP_NAME = "raet4j.rto.min.ns";
    /** Default lower bound of the retransmission timeout. */
    public static final long MIN_RTO_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Property for {@link #ackHoldMaxNs()}. */
    public static final String ACK_HOLD_MAX_PROP_NAME = "raet4j.ack.hold.max.ns";
    /**
     * Default {@link #ackHoldMaxNs()}: 100 us, a tenth of the minimum RTO, so that a held ack never looks like loss.
     */
    public static final long ACK_HOLD_MAX_DEFAULT_NS = TimeUnit.MICROSECONDS.toNanos(100);

    /** Property for {@link #maxRtoNs()}. */
    public static final String MAX_RTO_PROP_NAME = "raet4j.rto.max.ns";
    /** Default upper bound of the retransmission timeout. */
    public static final long MAX_RTO_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Property for {@link #initialRtoNs()}. */
    public static final String INITIAL_RTO_PROP_NAME = "raet4j.rto.initial.ns";
    /** Default retransmission timeout before any round trip was measured. */
    public static final long INITIAL_RTO_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(50);

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
    /** Property for {@link #aead()}: {@code auto}, {@code java} or {@code sodium}. */
    public static final String AEAD_PROP_NAME = PacketAeadFactory.AEAD_PROP_NAME;
    /** Default {@link #aead()}: the fastest implementation available, the pure-Java one if no other loads. */
    public static final String AEAD_DEFAULT = PacketAeadFactory.AEAD_DEFAULT;
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

    /** Number of channels per estate pair. */
    public static final int CHANNEL_COUNT = 256;

    private final Context transport;
    private boolean isConcluded;
    private Path keepDir;
    private String acceptPolicy = System.getProperty(ACCEPT_POLICY_PROP_NAME, ACCEPT_POLICY_DEFAULT);
    private boolean encryption = Boolean.parseBoolean(System.getProperty(ENCRYPTION_PROP_NAME, "true"));
    private boolean laneEncryption = Boolean.parseBoolean(System.getProperty(LANE_ENCRYPTION_PROP_NAME, "false"));
    private String aead = System.getProperty(AEAD_PROP_NAME, AEAD_DEFAULT);
    private PacketAeadFactory aeadFactory;
    private long rekeyAfterPackets = Long.getLong(REKEY_PACKETS_PROP_NAME, REKEY_PACKETS_DEFAULT);
    private long rekeyAfterNs = Long.getLong(REKEY_INTERVAL_PROP_NAME, REKEY_INTERVAL_DEFAULT_NS);
    private int handshakesPerSecond = Integer.getInteger(HANDSHAKE_RATE_PROP_NAME, HANDSHAKE_RATE_DEFAULT);
    private int maxMessageBytes = Integer.getInteger(MAX_MESSAGE_PROP_NAME, MAX_MESSAGE_DEFAULT);
    private int sendBufferMaxBytes = Integer.getInteger(SEND_BUFFER_MAX_PROP_NAME, SEND_BUFFER_MAX_DEFAULT);
    private int maxUnackedSegments = Integer.getInteger(MAX_UNACKED_SEGMENTS_PROP_NAME, MAX_UNACKED_SEGMENTS_DEFAULT);
    private int receiveWindowSegments = Integer.getInteger(RECEIVE_WINDOW_PROP_NAME, RECEIVE_WINDOW_DEFAULT);
    private int sendBudgetSegments = Integer.getInteger(SEND_BUDGET_PROP_NAME, SEND_BUDGET_DEFAULT);
    private long keepaliveIntervalNs = Long.getLong(KEEPALIVE_INTERVAL_PROP_NAME, KEEPALIVE_INTERVAL_DEFAULT_NS);
    private long livenessTimeoutNs = Long.getLong(LIVENESS_TIMEOUT_PROP_NAME, LIVENESS_TIMEOUT_DEFAULT_NS);
    private long sessionTimeoutNs = Long.getLong(SESSION_TIMEOUT_PROP_NAME, SESSION_TIMEOUT_DEFAULT_NS);
    private int estateCountersMax = Integer.getInteger(ESTATE_COUNTERS_MAX_PROP_NAME, ESTATE_COUNTERS_MAX_DEFAULT);
    private int layerCountersMax = Integer.getInteger(LAYER_COUNTERS_MAX_PROP_NAME, LAYER_COUNTERS_MAX_DEFAULT);
    private long reapTimeoutNs = Long.getLong(REAP_TIMEOUT_PROP_NAME, REAP_TIMEOUT_DEFAULT_NS);
    private long joinTimeoutNs = Long.getLong(JOIN_TIMEOUT_PROP_NAME, JOIN_TIMEOUT_DEFAULT_NS);
    private long messageTimeoutNs = Long.getLong(MESSAGE_TIMEOUT_PROP_NAME, MESSAGE_TIMEOUT_DEFAULT_NS);
    private long minRtoNs = Long.getLong(MIN_RTO_PROP_NAME, MIN_RTO_DEFAULT_NS);
    private long ackHoldMaxNs = Long.getLong(ACK_HOLD_MAX_PROP_NAME, ACK_HOLD_MAX_DEFAULT_NS);
    private long maxRtoNs = Long.getLong(MAX_RTO_PROP_NAME, MAX_RTO_DEFAULT_NS);
    private long initialRtoNs = Long.getLong(INITIAL_RTO_PROP_NAME, INITIAL_RTO_DEFAULT_NS);
    private int initialCwndSegments = Integer.getInteger(INITIAL_CWND_PROP_NAME, INITIAL_CWND_DEFAULT);
    private int minCwndSegments = Integer.getInteger(MIN_CWND_PROP_NAME, MIN_CWND_DEFAULT);
    private int maxCwndSegments = Integer.getInteger(MAX_CWND_PROP_NAME, MAX_CWND_DEFAULT);
    private final DeliveryMode[] channelModes = new DeliveryMode[CHANNEL_COUNT];

    /**
     * New context with defaults from system properties, over a new transport context.
     */
    public StackContext()
    {
        this(new Context());
    }

    /**
     * New context with defaults from system properties, over the transport context given.
     *
     * @param transport the transport's settings: name, media, addresses, status file, duty cycle.
     */
    public StackContext(final Context transport)
    {
        if (null == transport)
        {
            throw new NullPointerException("transport context is null: pass new Context() for the defaults");
        }
        this.transport = transport;
        Arrays.fill(channelModes, DeliveryMode.RELIABLE_ORDERED);
        final String keep = System.getProperty(KEEP_DIR_PROP_NAME);
        if (null != keep)
        {
            keepDir = Path.of(keep);
        }
    }

    /**
     * The transport's settings this context holds.
     *
     * @return the transport context.
     */
    public Context transport()
    {
        return transport;
    }

    /**
     * Validate and fill in defaults, the transport context's first (unless it was concluded already). May be called
     * once.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException    if already concluded.
     * @throws IllegalArgumentException if a setting is out of range.
     * @throws IllegalStateException    if {@link #aead()} names an implementation that is not available.
     */
    public StackContext conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("stack context already concluded");
        }
        if (!transport.isConcluded())
        {
            transport.conclude();
        }
        isConcluded = true;

        if (null == acceptPolicy || !(acceptPolicy.equalsIgnoreCase("always") ||
            acceptPolicy.equalsIgnoreCase("once") || acceptPolicy.equalsIgnoreCase("never")))
        {
            throw new IllegalArgumentException("acceptPolicy must be always, once or never: " + acceptPolicy);
        }
        acceptPolicy = acceptPolicy.toLowerCase(Locale.ROOT);
        aeadFactory = PacketAeadFactory.select(null == aead ? null : aead.toLowerCase(Locale.ROOT));
        requireRange("rekeyAfterPackets", rekeyAfterPackets, 16, 1L << 40);
        requirePositive("rekeyAfterNs", rekeyAfterNs);
        requireRange("handshakesPerSecond", handshakesPerSecond, 1, 10_000_000);
        concludeBuffers();
        concludeTimers();
        requireRange("estateCountersMax", estateCountersMax, 0, 100_000);
        requireRange("layerCountersMax", layerCountersMax, 0, 100_000);
        requireRange("minCwndSegments", minCwndSegments, 1, 1 << 24);
        requireRange("maxCwndSegments", maxCwndSegments, minCwndSegments, 1 << 24);
        requireRange("initialCwndSegments", initialCwndSegments, minCwndSegments, maxCwndSegments);

        return this;
    }

    private void concludeBuffers()
    {
        requireRange("maxMessageBytes", maxMessageBytes, 1, MAX_MESSAGE_LIMIT);
        requireRange("sendBufferMaxBytes", sendBufferMaxBytes, 64 * 1024, MAX_BUFFER_BYTES);
        if (sendBufferMaxBytes < maxMessageBytes)
        {
            sendBufferMaxBytes = maxMessageBytes;
        }
        requireRange("maxUnackedSegments", maxUnackedSegments, 64, 1 << 24);
        requireRange("receiveWindowSegments", receiveWindowSegments, 16, 1 << 20);
        requireRange("sendBudgetSegments", sendBudgetSegments, 1, 1 << 20);
        final long windowBytes = (long)BitUtil.findNextPositivePowerOfTwo(receiveWindowSegments) *
            PacketWriter.maxDataPayload(transport.mtuBytes());
        if (windowBytes > MAX_BUFFER_BYTES)
        {
            throw new IllegalArgumentException(
                "receiveWindowSegments x segment payload must be at most 1 GiB: " + windowBytes);
        }
    }

    private void concludeTimers()
    {
        requirePositive("keepaliveIntervalNs", keepaliveIntervalNs);
        requirePositive("livenessTimeoutNs", livenessTimeoutNs);
        requirePositive("sessionTimeoutNs", sessionTimeoutNs);
        requirePositive("reapTimeoutNs", reapTimeoutNs);
        requirePositive("joinTimeoutNs", joinTimeoutNs);
        requirePositive("messageTimeoutNs", messageTimeoutNs);
        requirePositive("minRtoNs", minRtoNs);
        if (ackHoldMaxNs < 0 || ackHoldMaxNs >= minRtoNs)
        {
            throw new IllegalArgumentException("ackHoldMaxNs must be in 0..minRtoNs-1 (" + (minRtoNs - 1) +
                "), or a held ack would look like loss to the sender: " + ackHoldMaxNs);
        }
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
     * Room in the status file for the counters of the layers above the stack (pub/sub and others), which they
     * allocate through {@link Stack#addCounters(Class)}.
     *
     * @return the number of counters.
     */
    public int layerCountersMax()
    {
        return layerCountersMax;
    }

    /**
     * Room in the status file for the counters of the layers above the stack.
     *
     * @param layerCountersMax 0 to 100,000.
     * @return this for a fluent API.
     */
    public StackContext layerCountersMax(final int layerCountersMax)
    {
        this.layerCountersMax = layerCountersMax;
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
    public StackContext keepDir(final Path keepDir)
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
    public StackContext acceptPolicy(final String acceptPolicy)
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
    public StackContext encryption(final boolean encryption)
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
    public StackContext laneEncryption(final boolean laneEncryption)
    {
        this.laneEncryption = laneEncryption;
        return this;
    }

    /**
     * Which implementation of ChaCha20-Poly1305 seals and opens packets: {@code auto} (default) takes libsodium when
     * {@code raet4j-sodium} is on the path and the library loads, and the pure-Java one otherwise, so a missing native
     * library never stops the stack; {@code java} forces the pure-Java one; {@code sodium} forces libsodium and makes
     * {@link #conclude()} fail if it does not load. All speak the same wire format: the two ends of a session need
     * not agree. The choice made is in {@link #aeadFactory()} and in the counter
     * {@link StackCounterDescriptor#AEAD_IMPLEMENTATION}.
     *
     * @return the name asked for.
     */
    public String aead()
    {
        return aead;
    }

    /**
     * Which implementation of ChaCha20-Poly1305 to use; see {@link #aead()}.
     *
     * @param aead {@code auto}, {@code java} or {@code sodium}.
     * @return this for a fluent API.
     */
    public StackContext aead(final String aead)
    {
        this.aead = aead;
        return this;
    }

    /**
     * The implementation chosen by {@link #conclude()} from {@link #aead()}.
     *
     * @return the factory of the packet AEADs, or null before {@link #conclude()}.
     */
    public PacketAeadFactory aeadFactory()
    {
        return aeadFactory;
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
    public StackContext rekeyAfterPackets(final long rekeyAfterPackets)
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
    public StackContext rekeyAfterNs(final long rekeyAfterNs)
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
    public StackContext handshakesPerSecond(final int handshakesPerSecond)
    {
        this.handshakesPerSecond = handshakesPerSecond;
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
    public StackContext maxMessageBytes(final int maxMessageBytes)
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
    public StackContext sendBufferMaxBytes(final int sendBufferMaxBytes)
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
    public StackContext maxUnackedSegments(final int maxUnackedSegments)
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
    public StackContext receiveWindowSegments(final int receiveWindowSegments)
    {
        this.receiveWindowSegments = receiveWindowSegments;
        return this;
    }

    /**
     * Most data (new and retransmitted segments) the duty cycle sends to one estate before it goes on to its other
     * work: polling, timers, the application's next offers, in full segments: a new segment whose payload and frame
     * header fit in a quarter of a full segment counts a quarter, any other segment (and every retransmission) one,
     * so small messages go up to four times as many per service. Channels are served in channel order within it, so a
     * message offered on a low channel number waits at most one budget's worth of sending behind a backlog on a
     * higher one; a larger budget sends more per duty cycle, a smaller one keeps each cycle short (with sealing, a
     * budget of 2,048 segments of 1 KiB took about 20 ms on the development machine). Default
     * {@value #SEND_BUDGET_DEFAULT}.
     *
     * @return the budget in segments.
     */
    public int sendBudgetSegments()
    {
        return sendBudgetSegments;
    }

    /**
     * Most data segments sent to one estate per duty cycle.
     *
     * @param sendBudgetSegments 1 to 2^20.
     * @return this for a fluent API.
     */
    public StackContext sendBudgetSegments(final int sendBudgetSegments)
    {
        this.sendBudgetSegments = sendBudgetSegments;
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
    public StackContext keepaliveIntervalNs(final long keepaliveIntervalNs)
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
    public StackContext livenessTimeoutNs(final long livenessTimeoutNs)
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
    public StackContext sessionTimeoutNs(final long sessionTimeoutNs)
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
    public StackContext estateCountersMax(final int estateCountersMax)
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
    public StackContext reapTimeoutNs(final long reapTimeoutNs)
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
    public StackContext joinTimeoutNs(final long joinTimeoutNs)
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
    public StackContext messageTimeoutNs(final long messageTimeoutNs)
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
    public StackContext minRtoNs(final long minRtoNs)
    {
        this.minRtoNs = minRtoNs;
        return this;
    }

    /**
     * Longest an ack is held for a reply to carry it. An ack that fell due waits one duty cycle for data in any case;
     * beyond that it waits only while the estate's recent pattern says a reply is coming (most recent acks rode on
     * data going the other way) and only about twice as long as those replies took, at most this long. A one-way
     * stream never holds its acks past the cycle. 0 turns the adaptive hold off.
     *
     * @return the hold limit in nanoseconds.
     */
    public long ackHoldMaxNs()
    {
        return ackHoldMaxNs;
    }

    /**
     * Longest an ack is held for a reply to carry it; see {@link #ackHoldMaxNs()}.
     *
     * @param ackHoldMaxNs in nanoseconds, 0 to hold one duty cycle only, less than {@link #minRtoNs()}.
     * @return this for a fluent API.
     */
    public StackContext ackHoldMaxNs(final long ackHoldMaxNs)
    {
        this.ackHoldMaxNs = ackHoldMaxNs;
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
    public StackContext maxRtoNs(final long maxRtoNs)
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
    public StackContext initialRtoNs(final long initialRtoNs)
    {
        this.initialRtoNs = initialRtoNs;
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
    public StackContext initialCwndSegments(final int initialCwndSegments)
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
    public StackContext minCwndSegments(final int minCwndSegments)
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
    public StackContext maxCwndSegments(final int maxCwndSegments)
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
    public StackContext channelMode(final int channel, final DeliveryMode mode)
    {
        if (channel < 0 || channel >= CHANNEL_COUNT || null == mode || DeliveryMode.NULL_VAL == mode)
        {
            throw new IllegalArgumentException("bad channel or mode: " + channel + " " + mode);
        }
        channelModes[channel] = mode;
        return this;
    }
}
