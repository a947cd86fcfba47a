package io.raet4j.transport;

import io.raet4j.transport.media.Media;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Configuration of the transport layer of one stack: the local estate's name and id, its media and addresses, the
 * socket buffers, the status file, and the duty cycle every layer of the stack runs on (threading mode, idle strategy,
 * clocks, random source). The layers above keep their own settings in their own context (the transactions layer's is
 * {@code io.raet4j.transactions.StackContext}), which holds this one, so a new layer adds settings without editing
 * this class. Fluent accessors named like the property; defaults come from system properties declared once as
 * {@code *_PROP_NAME} and {@code *_DEFAULT}. {@link #conclude()} validates, fills in what was left unset, and may be
 * called once.
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

    /** Property for {@link #socketReceiveBufferBytes()}. */
    public static final String SOCKET_RCVBUF_PROP_NAME = "raet4j.socket.rcvbuf";
    /** Default {@code SO_RCVBUF} asked for: 4 MiB (the kernel grants at most {@code net.core.rmem_max}). */
    public static final int SOCKET_RCVBUF_DEFAULT = 4 * 1024 * 1024;

    /** Property for {@link #socketSendBufferBytes()}. */
    public static final String SOCKET_SNDBUF_PROP_NAME = "raet4j.socket.sndbuf";
    /** Default {@code SO_SNDBUF} asked for: 1 MiB (the kernel grants at most {@code net.core.wmem_max}). */
    public static final int SOCKET_SNDBUF_DEFAULT = 1024 * 1024;

    /** Property for {@link #stallThresholdNs()}. */
    public static final String STALL_THRESHOLD_PROP_NAME = "raet4j.stall.threshold.ns";
    /** Default gap between duty cycles that counts as a stall of the local stack. */
    public static final long STALL_THRESHOLD_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Property for {@link #statusDir()}. */
    public static final String STATUS_DIR_PROP_NAME = "raet4j.status.dir";

    /** Largest buffer in bytes a setting may ask for, 1 GiB. */
    public static final int MAX_BUFFER_BYTES = 1 << 30;

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
    private boolean deleteStatusDirOnClose = true;
    private ErrorHandler errorHandler;
    private int mtuBytes = Integer.getInteger(MTU_PROP_NAME, MTU_DEFAULT);
    private int socketReceiveBufferBytes = Integer.getInteger(SOCKET_RCVBUF_PROP_NAME, SOCKET_RCVBUF_DEFAULT);
    private int socketSendBufferBytes = Integer.getInteger(SOCKET_SNDBUF_PROP_NAME, SOCKET_SNDBUF_DEFAULT);
    private long stallThresholdNs = Long.getLong(STALL_THRESHOLD_PROP_NAME, STALL_THRESHOLD_DEFAULT_NS);

    /**
     * New context with defaults from system properties.
     */
    public Context()
    {
        final String dir = System.getProperty(STATUS_DIR_PROP_NAME);
        if (null != dir)
        {
            statusDir = Path.of(dir);
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
        final int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
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
        requireRange("socketReceiveBufferBytes", socketReceiveBufferBytes, 0, MAX_BUFFER_BYTES);
        requireRange("socketSendBufferBytes", socketSendBufferBytes, 0, MAX_BUFFER_BYTES);
        requirePositive("stallThresholdNs", stallThresholdNs);

        return this;
    }

    /**
     * Check that a setting lies in a range, for this context and those of the layers above.
     *
     * @param what  the setting's name, for the message.
     * @param value its value.
     * @param min   least value allowed.
     * @param max   greatest value allowed.
     * @throws IllegalArgumentException naming the setting, its range and its value, if out of range.
     */
    public static void requireRange(final String what, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /**
     * Check that a setting is positive, for this context and those of the layers above.
     *
     * @param what  the setting's name, for the message.
     * @param value its value.
     * @throws IllegalArgumentException naming the setting and its value, if not positive.
     */
    public static void requirePositive(final String what, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(what + " must be positive: " + value);
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
     * @param laneAddress {@code unix:PATH} or {@code shm:PATH} (need {@code raet4j-unix-ipc} on the class path) or
     *                    {@code host:port}.
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
     * @param bindAddress {@code host:port}; with {@code raet4j-unix-ipc} on the class path also {@code unix:PATH},
     *                    {@code shm:PATH} or {@code udp:host:port} (UDP with batched system calls).
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
}
