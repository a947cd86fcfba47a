package io.raet4j.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A UDP relay between clients and one target, for partition tests. It binds a listen address; each client that sends
 * to it gets an upstream socket of its own, connected to the target, so the target sees one distinct source per client
 * and its answers go back to the client they belong to.
 * <p>
 * It can drop everything ({@link #partition()}), one direction only ({@link #partition(Direction)}), for a while
 * ({@link #partitionFor(Duration)}) or on a {@link ProxySchedule}, and lose datagrams at random
 * ({@link #loss(Direction, double)}). A dropped datagram is still read, so nothing queues up behind a partition, and
 * it is counted. Counters per direction: forwarded, dropped by a partition, lost at random, failed (the socket refused
 * it, the target port was unreachable, or the client limit was reached).
 * <p>
 * One thread runs the relay: a {@link Selector} over non-blocking {@link DatagramChannel}s, one direct buffer for
 * every datagram, nothing allocated per datagram once a client is known (a new client costs a socket and a map
 * entry). A zero-length datagram from the target is not forwarded: a non-blocking read cannot tell it from none.
 * <p>
 * Thread safe: the controls and counters may be used from any thread while the relay runs. Event listeners are
 * called on the thread that made the change (the caller, or the relay thread for timed changes) and must be thread
 * safe.
 * <p>
 * As its own process: {@code java -cp raet4j-reliability.jar io.raet4j.reliability.UdpProxy --listen HOST:PORT
 * --target HOST:PORT [--schedule LIST] [--loss P] [--duration D]}, commands on standard input, one line per event and
 * a JSON summary last (see {@link #usage()}).
 */
public final class UdpProxy implements AutoCloseable
{
    /** Largest datagram relayed; longer ones are truncated by the socket. */
    public static final int MAX_DATAGRAM_LENGTH = 65_535;
    /** Upstream sockets at most, unless set with {@link #maxClients(int)}. */
    public static final int MAX_CLIENTS_DEFAULT = 1024;
    /** Socket buffer size asked for on every channel, as the raet4j stack asks for its own. */
    public static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    /** Exit status of a run that ended as asked. */
    public static final int EXIT_OK = 0;
    /** Exit status of a run that could not start, e.g. the listen address is taken. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of bad arguments. */
    public static final int EXIT_USAGE = 2;

    private static final int C2T_BIT = 1;
    private static final int T2C_BIT = 2;
    private static final int BOTH_BITS = C2T_BIT | T2C_BIT;
    private static final int FORWARDED = 0;
    private static final int DROPPED = 1;
    private static final int LOST = 2;
    private static final int FAILED = 3;
    private static final int BYTES = 4;
    private static final int COUNTER_KINDS = 5;
    private static final int BATCH = 64;
    private static final long MAX_SELECT_MS = 100;

    private final InetSocketAddress target;
    private final DatagramChannel listenChannel;
    private final Selector selector;
    private final InetSocketAddress localAddress;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM_LENGTH);
    private final Map<InetSocketAddress, Client> clientsByAddress = new HashMap<>();
    private final AtomicLongArray counts = new AtomicLongArray(COUNTER_KINDS * 2);
    private final AtomicInteger downBits = new AtomicInteger();
    private final AtomicInteger outages = new AtomicInteger();
    private final ConcurrentLinkedQueue<TimedChange> newChanges = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<TimedChange> dueChanges = new PriorityQueue<>();
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final Object lifecycleLock = new Object();
    private volatile double lossC2t;
    private volatile double lossT2c;
    private volatile int clientCount;
    private volatile boolean isRunning;
    private volatile long closedAtNs;
    private volatile Consumer<String> eventListener = event -> {};
    private SplittableRandom random = new SplittableRandom();
    private int maxClients = MAX_CLIENTS_DEFAULT;
    private Thread thread;
    private boolean isClosed;

    /**
     * Bind the listen address; nothing is relayed until {@link #start()}.
     *
     * @param listen address to bind, port 0 for any free port.
     * @param target address every datagram is relayed to.
     * @throws UncheckedIOException if the address cannot be bound.
     */
    public UdpProxy(final InetSocketAddress listen, final InetSocketAddress target)
    {
        this.target = target;
        DatagramChannel channel = null;
        Selector opened = null;
        try
        {
            channel = DatagramChannel.open();
            configure(channel);
            channel.bind(listen);
            opened = Selector.open();
            channel.register(opened, SelectionKey.OP_READ, null);
            localAddress = (InetSocketAddress)channel.getLocalAddress();
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            closeQuietly(opened);
            throw new UncheckedIOException("cannot bind the proxy to " + listen + ": " + ex.getMessage(), ex);
        }
        listenChannel = channel;
        selector = opened;
    }

    /**
     * Bind and start a proxy.
     *
     * @param listen {@code HOST:PORT} to bind, port 0 for any free port.
     * @param target {@code HOST:PORT} to relay to.
     * @return the running proxy.
     */
    public static UdpProxy start(final String listen, final String target)
    {
        return new UdpProxy(address(listen), address(target)).start();
    }

    /**
     * Read {@code HOST:PORT}, or {@code [IPV6]:PORT}.
     *
     * @param hostPort the text.
     * @return the resolved address.
     * @throws IllegalArgumentException if malformed.
     */
    public static InetSocketAddress address(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1)
        {
            throw new IllegalArgumentException("address must be HOST:PORT, was '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        try
        {
            final int port = Integer.parseInt(hostPort.substring(colon + 1));
            return new InetSocketAddress(host, port);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("address must be HOST:PORT with a port 0..65535, was '" + hostPort +
                "'", ex);
        }
    }

    /**
     * Where events go: partitions starting and ending, new clients. Set before {@link #start()} to see them all.
     *
     * @param listener called with one line per event; must be thread safe.
     * @return this for a fluent API.
     */
    public UdpProxy eventListener(final Consumer<String> listener)
    {
        eventListener = listener;
        return this;
    }

    /**
     * Seed the random loss, so a run can be repeated. Set before {@link #start()}.
     *
     * @param seed of the generator.
     * @return this for a fluent API.
     */
    public UdpProxy seed(final long seed)
    {
        requireNotStarted();
        random = new SplittableRandom(seed);
        return this;
    }

    /**
     * Most clients at once; datagrams of further clients fail. Set before {@link #start()}.
     *
     * @param maxClients at least 1.
     * @return this for a fluent API.
     */
    public UdpProxy maxClients(final int maxClients)
    {
        requireNotStarted();
        if (maxClients < 1)
        {
            throw new IllegalArgumentException("maxClients must be at least 1, was " + maxClients);
        }
        this.maxClients = maxClients;
        return this;
    }

    /**
     * Start relaying on a thread of its own.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException if started or closed before.
     */
    public UdpProxy start()
    {
        synchronized (lifecycleLock)
        {
            requireNotStarted();
            if (isClosed)
            {
                throw new IllegalStateException("closed");
            }
            isRunning = true;
            thread = new Thread(this::run, "udp-proxy-" + localAddress.getPort());
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    /**
     * The bound listen address: where clients send.
     *
     * @return the address, with the port chosen if 0 was asked.
     */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * The listen address as clients write it.
     *
     * @return {@code HOST:PORT}.
     */
    public String localHostPort()
    {
        return localAddress.getAddress().getHostAddress() + ":" + localAddress.getPort();
    }

    /**
     * The address datagrams are relayed to.
     *
     * @return the target.
     */
    public InetSocketAddress target()
    {
        return target;
    }

    /**
     * Drop every datagram in both directions until {@link #heal()}.
     */
    public void partition()
    {
        down(BOTH_BITS);
    }

    /**
     * Drop every datagram in one direction until {@link #heal(Direction)} or {@link #heal()}; the other direction is
     * left as it is.
     *
     * @param direction to drop.
     */
    public void partition(final Direction direction)
    {
        down(bit(direction));
    }

    /**
     * Drop both directions now and heal them after a while, without blocking the caller.
     *
     * @param duration of the partition.
     */
    public void partitionFor(final Duration duration)
    {
        partitionFor(BOTH_BITS, duration);
    }

    /**
     * Drop one direction now and heal it after a while, without blocking the caller.
     *
     * @param direction to drop.
     * @param duration  of the partition.
     */
    public void partitionFor(final Direction direction, final Duration duration)
    {
        partitionFor(bit(direction), duration);
    }

    /**
     * Run a schedule of outages from now, on the relay thread, without blocking the caller.
     *
     * @param schedule of outages, relative to now.
     */
    public void schedule(final ProxySchedule schedule)
    {
        final long baseNs = System.nanoTime();
        for (final ProxySchedule.Outage outage : schedule.outages())
        {
            final int bits = null == outage.direction() ? BOTH_BITS : bit(outage.direction());
            newChanges.add(new TimedChange(baseNs + outage.start().toNanos(), bits, true));
            newChanges.add(new TimedChange(baseNs + outage.end().toNanos(), bits, false));
        }
        selector.wakeup();
    }

    /**
     * Relay both directions again.
     */
    public void heal()
    {
        up(BOTH_BITS);
    }

    /**
     * Relay one direction again.
     *
     * @param direction to relay.
     */
    public void heal(final Direction direction)
    {
        up(bit(direction));
    }

    /**
     * Whether a direction is being dropped.
     *
     * @param direction to ask about.
     * @return true while partitioned.
     */
    public boolean isPartitioned(final Direction direction)
    {
        return 0 != (downBits.get() & bit(direction));
    }

    /**
     * Lose datagrams at random in both directions.
     *
     * @param probability of losing each datagram, 0 to 1.
     */
    public void loss(final double probability)
    {
        loss(Direction.CLIENT_TO_TARGET, probability);
        loss(Direction.TARGET_TO_CLIENT, probability);
    }

    /**
     * Lose datagrams at random in one direction.
     *
     * @param direction to lose in.
     * @param probability of losing each datagram, 0 to 1.
     */
    public void loss(final Direction direction, final double probability)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new IllegalArgumentException("loss probability must be 0..1, was " + probability);
        }
        if (Direction.CLIENT_TO_TARGET == direction)
        {
            lossC2t = probability;
        }
        else
        {
            lossT2c = probability;
        }
        eventListener.accept("loss " + direction.code() + " " + probability);
    }

    /**
     * Datagrams relayed in a direction.
     *
     * @param direction to count.
     * @return the count.
     */
    public long forwarded(final Direction direction)
    {
        return count(FORWARDED, direction);
    }

    /**
     * Bytes relayed in a direction.
     *
     * @param direction to count.
     * @return the payload bytes of the datagrams relayed.
     */
    public long forwardedBytes(final Direction direction)
    {
        return count(BYTES, direction);
    }

    /**
     * Datagrams dropped by a partition in a direction.
     *
     * @param direction to count.
     * @return the count.
     */
    public long dropped(final Direction direction)
    {
        return count(DROPPED, direction);
    }

    /**
     * Datagrams lost at random in a direction.
     *
     * @param direction to count.
     * @return the count.
     */
    public long lost(final Direction direction)
    {
        return count(LOST, direction);
    }

    /**
     * Datagrams that could not be relayed in a direction: socket buffer full, target port unreachable (reported on
     * the next operation of the upstream socket), or too many clients.
     *
     * @param direction to count.
     * @return the count.
     */
    public long failed(final Direction direction)
    {
        return count(FAILED, direction);
    }

    /**
     * Clients seen, each with its upstream socket.
     *
     * @return the count.
     */
    public int clients()
    {
        return clientCount;
    }

    /**
     * Partitions started (each {@code down} that dropped a direction not dropped before).
     *
     * @return the count.
     */
    public int outages()
    {
        return outages.get();
    }

    /**
     * Write the counters as JSON members: {@code forwardedC2t}, {@code forwardedT2c}, {@code bytesC2t},
     * {@code bytesT2c}, {@code droppedC2t}, {@code droppedT2c}, {@code lostC2t}, {@code lostT2c}, {@code failedC2t},
     * {@code failedT2c}, {@code clients}, {@code outages}.
     *
     * @param json to write into.
     * @return the writer.
     */
    public JsonWriter writeCounters(final JsonWriter json)
    {
        final String[] names = {"forwarded", "dropped", "lost", "failed", "bytes"};
        for (final String name : names)
        {
            for (final Direction direction : Direction.values())
            {
                json.put(name + (Direction.CLIENT_TO_TARGET == direction ? "C2t" : "T2c"),
                    count(kindOf(name), direction));
            }
        }
        return json.put("clients", clients()).put("outages", outages());
    }

    /**
     * The counters in one line, for progress output.
     *
     * @return e.g. {@code forwarded c2t 10 t2c 9, dropped c2t 0 t2c 0, ...}.
     */
    public String describeCounters()
    {
        final StringBuilder sb = new StringBuilder(128);
        for (final String name : new String[]{"forwarded", "dropped", "lost", "failed"})
        {
            sb.append(sb.length() > 0 ? ", " : "").append(name)
                .append(" c2t ").append(count(kindOf(name), Direction.CLIENT_TO_TARGET))
                .append(" t2c ").append(count(kindOf(name), Direction.TARGET_TO_CLIENT));
        }
        return sb.append(", clients ").append(clients()).toString();
    }

    /**
     * Stop relaying and close every socket. Idempotent.
     */
    @Override
    public void close()
    {
        final Thread running;
        synchronized (lifecycleLock)
        {
            if (isClosed)
            {
                return;
            }
            isClosed = true;
            running = thread;
            closedAtNs = System.nanoTime();
            isRunning = false;
        }
        if (null == running)
        {
            closeChannels();
            return;
        }
        selector.wakeup();
        try
        {
            running.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The relay thread, for tests that watch what it allocates.
     *
     * @return the thread, or null before {@link #start()}.
     */
    Thread relayThread()
    {
        synchronized (lifecycleLock)
        {
            return thread;
        }
    }

    private void run()
    {
        try
        {
            while (isRunning)
            {
                final long nowNs = System.nanoTime();
                applyDueChanges(nowNs);
                final long timeoutMs = selectTimeoutMs(nowNs);
                if (timeoutMs <= 0)
                {
                    selector.selectNow(readyHandler);
                }
                else
                {
                    selector.select(readyHandler, timeoutMs);
                }
            }
            // A loaded machine may wake the relay late: every change due before the close still happens, in order,
            // so a schedule's events do not depend on how the threads were scheduled.
            applyDueChanges(closedAtNs);
        }
        catch (final IOException | RuntimeException ex)
        {
            eventListener.accept("relay stopped on error: " + ex);
        }
        finally
        {
            closeChannels();
        }
    }

    private void onReady(final SelectionKey key)
    {
        final Object attachment = key.attachment();
        if (null == attachment)
        {
            relayFromClients();
        }
        else
        {
            relayFromTarget((Client)attachment);
        }
    }

    private void relayFromClients()
    {
        for (int i = 0; i < BATCH; i++)
        {
            buffer.clear();
            final SocketAddress from;
            try
            {
                from = listenChannel.receive(buffer);
            }
            catch (final IOException ex)
            {
                increment(FAILED, Direction.CLIENT_TO_TARGET);
                return;
            }
            if (null == from)
            {
                return;
            }
            buffer.flip();
            if (0 != (downBits.get() & C2T_BIT))
            {
                increment(DROPPED, Direction.CLIENT_TO_TARGET);
                continue;
            }
            Client client = clientsByAddress.get(from);
            if (null == client)
            {
                client = newClient((InetSocketAddress)from);
                if (null == client)
                {
                    increment(FAILED, Direction.CLIENT_TO_TARGET);
                    continue;
                }
            }
            if (isLost(lossC2t))
            {
                increment(LOST, Direction.CLIENT_TO_TARGET);
                continue;
            }
            final int length = buffer.remaining();
            try
            {
                if (0 == client.upstream.write(buffer))
                {
                    increment(FAILED, Direction.CLIENT_TO_TARGET);
                }
                else
                {
                    increment(FORWARDED, Direction.CLIENT_TO_TARGET);
                    add(BYTES, Direction.CLIENT_TO_TARGET, length);
                }
            }
            catch (final IOException ex)
            {
                // PortUnreachableException: an earlier datagram found no one at the target (it is restarting).
                increment(FAILED, Direction.CLIENT_TO_TARGET);
            }
        }
    }

    private void relayFromTarget(final Client client)
    {
        for (int i = 0; i < BATCH; i++)
        {
            buffer.clear();
            final int length;
            try
            {
                length = client.upstream.read(buffer);
            }
            catch (final PortUnreachableException ex)
            {
                increment(FAILED, Direction.CLIENT_TO_TARGET);
                continue;
            }
            catch (final IOException ex)
            {
                increment(FAILED, Direction.TARGET_TO_CLIENT);
                return;
            }
            if (length <= 0)
            {
                return;
            }
            buffer.flip();
            if (0 != (downBits.get() & T2C_BIT))
            {
                increment(DROPPED, Direction.TARGET_TO_CLIENT);
            }
            else if (isLost(lossT2c))
            {
                increment(LOST, Direction.TARGET_TO_CLIENT);
            }
            else
            {
                try
                {
                    if (0 == listenChannel.send(buffer, client.address))
                    {
                        increment(FAILED, Direction.TARGET_TO_CLIENT);
                    }
                    else
                    {
                        increment(FORWARDED, Direction.TARGET_TO_CLIENT);
                        add(BYTES, Direction.TARGET_TO_CLIENT, length);
                    }
                }
                catch (final IOException ex)
                {
                    increment(FAILED, Direction.TARGET_TO_CLIENT);
                }
            }
        }
    }

    private Client newClient(final InetSocketAddress address)
    {
        if (clientsByAddress.size() >= maxClients)
        {
            return null;
        }
        DatagramChannel upstream = null;
        try
        {
            upstream = DatagramChannel.open();
            configure(upstream);
            upstream.connect(target);
            final Client client = new Client(address, upstream);
            upstream.register(selector, SelectionKey.OP_READ, client);
            clientsByAddress.put(address, client);
            clientCount = clientsByAddress.size();
            eventListener.accept("client " + format(address) + " via " + format(upstream.getLocalAddress()));
            return client;
        }
        catch (final IOException ex)
        {
            closeQuietly(upstream);
            eventListener.accept("no upstream socket for client " + format(address) + ": " + ex.getMessage());
            return null;
        }
    }

    private boolean isLost(final double probability)
    {
        return probability > 0 && random.nextDouble() < probability;
    }

    private void partitionFor(final int bits, final Duration duration)
    {
        down(bits);
        newChanges.add(new TimedChange(System.nanoTime() + duration.toNanos(), bits, false));
        selector.wakeup();
    }

    private void down(final int bits)
    {
        final int before = downBits.getAndUpdate(current -> current | bits);
        if ((before | bits) != before)
        {
            outages.incrementAndGet();
            eventListener.accept("down " + describe(bits & ~before));
        }
    }

    private void up(final int bits)
    {
        final int before = downBits.getAndUpdate(current -> current & ~bits);
        if (0 != (before & bits))
        {
            eventListener.accept("up " + describe(before & bits));
        }
    }

    private void applyDueChanges(final long nowNs)
    {
        TimedChange change;
        while (null != (change = newChanges.poll()))
        {
            dueChanges.add(change);
        }
        while (null != (change = dueChanges.peek()) && change.atNs - nowNs <= 0)
        {
            dueChanges.poll();
            if (change.isDown)
            {
                down(change.bits);
            }
            else
            {
                up(change.bits);
            }
        }
    }

    private long selectTimeoutMs(final long nowNs)
    {
        final TimedChange next = dueChanges.peek();
        if (null == next || !newChanges.isEmpty())
        {
            return newChanges.isEmpty() ? MAX_SELECT_MS : 0;
        }
        final long untilNs = next.atNs - nowNs;
        return untilNs <= 0 ? 0 : Math.min(MAX_SELECT_MS, TimeUnit.NANOSECONDS.toMillis(untilNs) + 1);
    }

    private long count(final int kind, final Direction direction)
    {
        return counts.get(kind * 2 + direction.ordinal());
    }

    private void increment(final int kind, final Direction direction)
    {
        add(kind, direction, 1);
    }

    private void add(final int kind, final Direction direction, final long amount)
    {
        // Only the relay thread writes a counter: an ordered store is enough for readers on other threads.
        final int index = kind * 2 + direction.ordinal();
        counts.lazySet(index, counts.get(index) + amount);
    }

    private void requireNotStarted()
    {
        if (null != thread)
        {
            throw new IllegalStateException("already started");
        }
    }

    private void closeChannels()
    {
        for (final Client client : clientsByAddress.values())
        {
            closeQuietly(client.upstream);
        }
        closeQuietly(listenChannel);
        closeQuietly(selector);
    }

    private static int kindOf(final String name)
    {
        switch (name)
        {
            case "forwarded":
                return FORWARDED;
            case "dropped":
                return DROPPED;
            case "lost":
                return LOST;
            case "failed":
                return FAILED;
            default:
                return BYTES;
        }
    }

    private static int bit(final Direction direction)
    {
        return Direction.CLIENT_TO_TARGET == direction ? C2T_BIT : T2C_BIT;
    }

    private static String describe(final int bits)
    {
        return BOTH_BITS == bits ? "both" : C2T_BIT == bits ? Direction.CLIENT_TO_TARGET.code() :
            Direction.TARGET_TO_CLIENT.code();
    }

    private static void configure(final DatagramChannel channel) throws IOException
    {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
    }

    private static String format(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress)
        {
            final InetSocketAddress inet = (InetSocketAddress)address;
            return (null == inet.getAddress() ? inet.getHostString() : inet.getAddress().getHostAddress()) + ":" +
                inet.getPort();
        }
        return String.valueOf(address);
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // closing at the end of a test tool: nothing more can be done about it
            }
        }
    }

    /**
     * A client and the upstream socket that speaks for it to the target.
     */
    private static final class Client
    {
        private final InetSocketAddress address;
        private final DatagramChannel upstream;

        Client(final InetSocketAddress address, final DatagramChannel upstream)
        {
            this.address = address;
            this.upstream = upstream;
        }
    }

    /**
     * A partition starting or ending at a time.
     */
    private static final class TimedChange implements Comparable<TimedChange>
    {
        private final long atNs;
        private final int bits;
        private final boolean isDown;

        TimedChange(final long atNs, final int bits, final boolean isDown)
        {
            this.atNs = atNs;
            this.bits = bits;
            this.isDown = isDown;
        }

        @Override
        public int compareTo(final TimedChange other)
        {
            final int byTime = Long.compare(atNs - other.atNs, 0);
            // An end before a start at the same instant, so back-to-back outages stay down.
            return 0 != byTime ? byTime : Boolean.compare(isDown, other.isDown);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Command line
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Usage of the command line.
     *
     * @return the text.
     */
    public static String usage()
    {
        return "usage: java -cp raet4j-reliability.jar io.raet4j.reliability.UdpProxy --listen HOST:PORT " +
            "--target HOST:PORT [options]\n" +
            "  --listen HOST:PORT   address clients send to (port 0: any free port)\n" +
            "  --target HOST:PORT   address every datagram is relayed to, from one upstream socket per client\n" +
            "  --schedule LIST      outages from the start: down[:c2t|:t2c]@START+DURATION, comma separated,\n" +
            "                       e.g. down@5s+8s,down:c2t@20s+2s (durations: 500ms, 2.5s, 2m)\n" +
            "  --loss P             lose each datagram with probability P, both directions (default 0)\n" +
            "  --seed N             seed of the random loss (default 1)\n" +
            "  --duration D         end after D (default: run until quit or SIGTERM)\n" +
            "Commands on standard input, one per line: down, down c2t, down t2c, up, up c2t, up t2c,\n" +
            "loss P, loss c2t|t2c P, stats, quit. End of input does not end the run.\n" +
            "Prints \"listening on HOST:PORT, target HOST:PORT\", one line per event (\"at S s: ...\"), and last\n" +
            "{\"forwardedC2t\",\"forwardedT2c\",\"droppedC2t\",\"droppedT2c\",\"lostC2t\",\"lostT2c\",\"failedC2t\"," +
            "\"failedT2c\",\n" +
            "\"bytesC2t\",\"bytesT2c\",\"clients\",\"outages\",\"seconds\"}. Exit status 0, 1 if the listen address\n" +
            "cannot be bound, 2 for bad arguments.\n";
    }

    /**
     * Run the proxy as a process: until {@code quit}, the end of {@code --duration}, or SIGINT/SIGTERM, which print
     * the summary as well.
     *
     * @param args options, see {@link #usage()}.
     */
    public static void main(final String[] args)
    {
        final Cli cli = new Cli(System.out, System.err);
        Runtime.getRuntime().addShutdownHook(new Thread(cli::finish, "udp-proxy-stop"));
        final int status = cli.run(
            args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        System.out.flush();
        System.exit(status);
    }

    /**
     * Run the proxy's command line without exiting: the testable entry point.
     *
     * @param args options, see {@link #usage()}.
     * @param in   commands, one per line.
     * @param out  events and the JSON summary.
     * @param err  errors.
     * @return the exit status, {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final BufferedReader in, final PrintStream out, final PrintStream err)
    {
        return new Cli(out, err).run(args, in);
    }

    /**
     * One run of the command line: options, the proxy, the commands read, and the summary printed once.
     */
    private static final class Cli
    {
        private static final long FINISH_WAIT_MS = 15_000;

        private final PrintStream out;
        private final PrintStream err;
        private final long startNs = System.nanoTime();
        private final CountDownLatch finished = new CountDownLatch(1);
        private UdpProxy proxy;
        private boolean isFinishing;
        private boolean isFinished;

        Cli(final PrintStream out, final PrintStream err)
        {
            this.out = out;
            this.err = err;
        }

        int run(final String[] args, final BufferedReader in)
        {
            final Map<String, String> options;
            final InetSocketAddress listen;
            final InetSocketAddress target;
            final ProxySchedule schedule;
            final double loss;
            final long seed;
            final Duration duration;
            try
            {
                options = options(args);
                if (options.containsKey("--help"))
                {
                    out.print(usage());
                    return EXIT_OK;
                }
                listen = address(required(options, "--listen"));
                target = address(required(options, "--target"));
                schedule = ProxySchedule.parse(options.getOrDefault("--schedule", ""));
                loss = Double.parseDouble(options.getOrDefault("--loss", "0"));
                seed = Long.parseLong(options.getOrDefault("--seed", "1"));
                duration = options.containsKey("--duration") ?
                    ProxySchedule.parseDuration(options.get("--duration")) : null;
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("udp-proxy: " + ex.getMessage() + " (try --help)");
                return EXIT_USAGE;
            }

            final UdpProxy started;
            try
            {
                started = new UdpProxy(listen, target).seed(seed).eventListener(this::event);
            }
            catch (final UncheckedIOException ex)
            {
                err.println("udp-proxy: " + ex.getMessage());
                return EXIT_FAILED;
            }
            synchronized (this)
            {
                proxy = started;
            }
            out.println("listening on " + started.localHostPort() + ", target " + format(target) +
                (schedule.outages().isEmpty() ? "" : ", schedule " + schedule));
            out.flush();
            if (loss > 0)
            {
                started.loss(loss);
            }
            started.start();
            started.schedule(schedule);
            readCommands(in, null == duration ? Long.MAX_VALUE : startNs + duration.toNanos());
            finish();
            return EXIT_OK;
        }

        private void readCommands(final BufferedReader in, final long endNs)
        {
            final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
            final Thread reader = new Thread(() ->
            {
                try
                {
                    String line;
                    while (null != (line = in.readLine()))
                    {
                        commands.add(line);
                    }
                }
                catch (final IOException ignore)
                {
                    // input closed: commands end, the run goes on until its duration or a signal
                }
            }, "udp-proxy-stdin");
            reader.setDaemon(true);
            reader.start();
            try
            {
                while (true)
                {
                    final long remainingNs = endNs - System.nanoTime();
                    if (remainingNs <= 0)
                    {
                        return;
                    }
                    final String line = commands.poll(remainingNs, TimeUnit.NANOSECONDS);
                    if (null != line && !line.isBlank() && !apply(line.strip()))
                    {
                        return;
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private boolean apply(final String line)
        {
            final String[] words = line.split("\\s+");
            try
            {
                switch (words[0])
                {
                    case "quit":
                        event("quit");
                        return false;
                    case "down":
                    case "up":
                        upOrDown("down".equals(words[0]), words);
                        break;
                    case "loss":
                        if (2 == words.length)
                        {
                            proxy.loss(Double.parseDouble(words[1]));
                        }
                        else if (3 == words.length)
                        {
                            proxy.loss(Direction.ofCode(words[1]), Double.parseDouble(words[2]));
                        }
                        else
                        {
                            throw new IllegalArgumentException("loss takes P, or c2t|t2c P");
                        }
                        break;
                    case "stats":
                        event(proxy.describeCounters());
                        break;
                    default:
                        throw new IllegalArgumentException("unknown command");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("udp-proxy: '" + line + "': " + ex.getMessage() +
                    " (commands: down [c2t|t2c], up [c2t|t2c], loss [c2t|t2c] P, stats, quit)");
                err.flush();
            }
            return true;
        }

        private void upOrDown(final boolean isDown, final String[] words)
        {
            if (words.length > 2)
            {
                throw new IllegalArgumentException("takes at most a direction, c2t or t2c");
            }
            final Direction direction = 2 == words.length ? Direction.ofCode(words[1]) : null;
            if (isDown)
            {
                if (null == direction)
                {
                    proxy.partition();
                }
                else
                {
                    proxy.partition(direction);
                }
            }
            else if (null == direction)
            {
                proxy.heal();
            }
            else
            {
                proxy.heal(direction);
            }
        }

        private synchronized void event(final String event)
        {
            if (!isFinished)
            {
                out.printf("at %.3f s: %s%n", (System.nanoTime() - startNs) / 1e9, event);
                out.flush();
            }
        }

        /**
         * Close the proxy and print the summary, once, whether the run ended or a signal ended it. The proxy is closed
         * outside the lock, because its thread may be printing an event; a second caller waits for the first.
         */
        void finish()
        {
            final UdpProxy closing;
            synchronized (this)
            {
                if (null == proxy)
                {
                    return;
                }
                closing = isFinishing ? null : proxy;
                isFinishing = true;
            }
            if (null == closing)
            {
                awaitFinished();
                return;
            }
            closing.close();
            synchronized (this)
            {
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                out.printf("done: %s, in %.3f s%n", closing.describeCounters(), seconds);
                out.println(closing.writeCounters(new JsonWriter()).put("seconds", seconds));
                out.flush();
                isFinished = true;
            }
            finished.countDown();
        }

        private void awaitFinished()
        {
            try
            {
                finished.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private static Map<String, String> options(final String[] args)
        {
            final Map<String, String> options = new HashMap<>();
            final List<String> known = new ArrayList<>(
                List.of("--listen", "--target", "--schedule", "--loss", "--seed", "--duration"));
            for (int i = 0; i < args.length; i++)
            {
                if ("--help".equals(args[i]) || "-h".equals(args[i]))
                {
                    options.put("--help", "");
                }
                else if (known.contains(args[i]) && i + 1 < args.length)
                {
                    if (null != options.put(args[i], args[++i]))
                    {
                        throw new IllegalArgumentException(args[i - 1] + " given twice");
                    }
                }
                else
                {
                    throw new IllegalArgumentException(known.contains(args[i]) ? args[i] + " needs a value" :
                        "unknown option '" + args[i] + "'");
                }
            }
            return options;
        }

        private static String required(final Map<String, String> options, final String name)
        {
            final String value = options.get(name);
            if (null == value)
            {
                throw new IllegalArgumentException(name + " is required");
            }
            return value;
        }
    }
}
