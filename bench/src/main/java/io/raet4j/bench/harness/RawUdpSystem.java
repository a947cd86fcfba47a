package io.raet4j.bench.harness;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The floor: two threads, each with one plain non-blocking {@link DatagramChannel} on 127.0.0.1, busy-spinning, with
 * no protocol at all. The calls are those {@code UdpMedia} makes ({@code send(buffer, address)} and
 * {@code receive(buffer)} on unconnected channels, direct buffers), so a ratio to this system is the cost of the
 * protocol, not of a different socket API.
 * <p>
 * A message of {@code sizeBytes} travels as {@code ceil(sizeBytes / maxDatagramBytes)} datagrams of at most
 * {@code maxDatagramBytes} (default {@value #DEFAULT_MAX_DATAGRAM_BYTES}, about what raet4j's default 1408 B MTU
 * carries) and of nearly equal lengths, back to back, and the receiver waits for all of them: UDP itself cannot
 * carry 64 KiB in one datagram (65,507 B at most), and a datagram above the path MTU would be fragmented by IP,
 * which raet4j never asks for.
 * <p>
 * There is no reliability:
 * <ul>
 *     <li>latency: a datagram lost on loopback stalls the ping-pong, and the run fails after
 *     5 s with a message saying so;</li>
 *     <li>throughput ("blast"): the sender sends as fast as {@code send} accepts, every datagram carrying a
 *     sequence number in its first 8 bytes; the receiver checks the sequence and length of each datagram and counts a
 *     message only if all its datagrams arrived, in order, with the right lengths. Lost messages are excluded from
 *     the throughput rows and reported as a third row, {@code lostPercent} (unit {@code %}), over the messages the
 *     sender sent in the measured window. Both sockets ask for {@value #SOCKET_BUFFER_BYTES} B {@code SO_RCVBUF}
 *     and {@code SO_SNDBUF} (the kernel caps them at {@code net.core.rmem_max} / {@code wmem_max}).</li>
 * </ul>
 * <p>
 * Threading: each call starts its two threads and joins them before it returns; an instance may be reused but NOT
 * called from two threads at once.
 */
public final class RawUdpSystem implements SystemUnderTest
{
    /** Default largest datagram, bytes. */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1400;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD_BYTES = 65_507;
    /** Socket buffers asked for, bytes. */
    public static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "raw-udp";
    /** Row value of {@link Row#media()}. */
    public static final String MEDIA = "udp";
    /** Row value of {@link Row#idle()}. */
    public static final String IDLE = "busy-spin";
    /** Row value of {@link Row#threading()} for ping-pong. */
    public static final String LATENCY_THREADING = "2 threads (ping, pong), 1 socket each";
    /** Row value of {@link Row#threading()} for the blast. */
    public static final String THROUGHPUT_THREADING = "2 threads (sender, receiver), 1 socket each";
    /** Metric of the third throughput row: messages sent in the measured window that did not arrive whole. */
    public static final String LOST_PERCENT_METRIC = "lostPercent";
    /** Warm-up of a throughput run before the measured window, seconds. */
    public static final double THROUGHPUT_WARMUP_S = 1.0;

    private static final int ROUND_TRIP_TIMEOUT_S = 5;
    private static final long ROUND_TRIP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(ROUND_TRIP_TIMEOUT_S);
    private static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SEQUENCE_BYTES = 8;

    private final int maxDatagramBytes;

    /**
     * The floor with datagrams of at most {@value #DEFAULT_MAX_DATAGRAM_BYTES} B.
     */
    public RawUdpSystem()
    {
        this(DEFAULT_MAX_DATAGRAM_BYTES);
    }

    /**
     * The floor with datagrams of at most {@code maxDatagramBytes}.
     *
     * @param maxDatagramBytes largest datagram, 8 to {@value #MAX_UDP_PAYLOAD_BYTES}.
     */
    public RawUdpSystem(final int maxDatagramBytes)
    {
        if (maxDatagramBytes < SEQUENCE_BYTES || maxDatagramBytes > MAX_UDP_PAYLOAD_BYTES)
        {
            throw new IllegalArgumentException("maxDatagramBytes must be 8 to 65507: " + maxDatagramBytes);
        }
        this.maxDatagramBytes = maxDatagramBytes;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return "raw-udp (DatagramChannel, datagrams <= " + maxDatagramBytes + " B, busy-spin, no reliability)";
    }

    /**
     * Datagrams per message of a size.
     *
     * @param sizeBytes message size.
     * @return {@code ceil(sizeBytes / maxDatagramBytes)}, at least 1.
     */
    public int datagramsPerMessage(final int sizeBytes)
    {
        return Math.max(1, (sizeBytes + maxDatagramBytes - 1) / maxDatagramBytes);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> latency(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        final Histogram histogram = Rows.newHistogram();
        recordRoundTrips(sizeBytes, warmup, count, histogram);
        return Rows.latency(SYSTEM, MEDIA, false, sizeBytes, histogram, IDLE, LATENCY_THREADING);
    }

    /**
     * Ping-pong on fresh sockets and threads, adding the recorded round trips, in nanoseconds, to a histogram: what
     * {@link #latency} reports, for callers that merge several runs (the {@code pingpong} command).
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
        checkSize(sizeBytes);
        if (warmup < 0 || count < 1)
        {
            throw new IllegalArgumentException("need warmup >= 0 and count >= 1");
        }
        try (DatagramChannel ping = openChannel(); DatagramChannel pong = openChannel())
        {
            final InetSocketAddress pingAddress = (InetSocketAddress)ping.getLocalAddress();
            final InetSocketAddress pongAddress = (InetSocketAddress)pong.getLocalAddress();
            final int total = warmup + count;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread ponger = new Thread(
                () -> pong(pong, pingAddress, sizeBytes, total, failure), "raw-udp-pong");
            final Thread pinger = new Thread(
                () -> ping(ping, pongAddress, sizeBytes, warmup, total, histogram, failure), "raw-udp-ping");
            runPair(pinger, ponger, failure, "raw-udp ping-pong");
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Returns three rows: the two of {@link Rows#throughput} over whole messages received, then
     * {@value #LOST_PERCENT_METRIC}.
     */
    @Override
    public List<Row> throughput(final int sizeBytes, final double seconds) throws Exception
    {
        checkSize(sizeBytes);
        if (!(seconds > 0))
        {
            throw new IllegalArgumentException("seconds must be positive: " + seconds);
        }
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        final long windowStartNs = startNs + (long)(THROUGHPUT_WARMUP_S * 1e9);
        final long windowEndNs = windowStartNs + (long)(seconds * 1e9);
        final BlastReceiver receiver;
        final Blaster sender;
        try (DatagramChannel from = openChannel(); DatagramChannel to = openChannel())
        {
            final InetSocketAddress toAddress = (InetSocketAddress)to.getLocalAddress();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            receiver = new BlastReceiver(to, sizeBytes, windowStartNs, windowEndNs, failure);
            sender = new Blaster(from, toAddress, sizeBytes, startNs, windowEndNs, failure, receiver);
            runPair(new Thread(sender, "raw-udp-blast"), new Thread(receiver, "raw-udp-sink"), failure,
                "raw-udp blast");
        }
        if (receiver.messagesInWindow == 0)
        {
            throw new IllegalStateException("raw-udp blast: no message arrived whole in the measured window");
        }
        final double windowSeconds = (receiver.lastInWindowNs - windowStartNs) / 1e9;
        final long sentInWindow = receiver.lastMessageInWindow - receiver.firstMessageInWindow + 1;
        final double lostPercent = 100.0 * (sentInWindow - receiver.messagesInWindow) / sentInWindow;
        final List<Row> rows = new ArrayList<>(Rows.throughput(
            SYSTEM, MEDIA, false, sizeBytes, receiver.messagesInWindow, windowSeconds, IDLE, THROUGHPUT_THREADING));
        rows.add(new Row(SYSTEM, MEDIA, false, LOST_PERCENT_METRIC, sizeBytes, lostPercent, "%", IDLE,
            THROUGHPUT_THREADING));
        return rows;
    }

    // -----------------------------------------------------------------------------------------------------------
    // Ping-pong
    // -----------------------------------------------------------------------------------------------------------

    private void ping(
        final DatagramChannel channel,
        final InetSocketAddress to,
        final int sizeBytes,
        final int warmup,
        final int total,
        final Histogram histogram,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            final int datagrams = datagramsPerMessage(sizeBytes);
            final ByteBuffer sendBuffer = BufferUtil.allocateDirectAligned(
                BitUtil.align(sizeBytes, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
            final ByteBuffer receiveBuffer = BufferUtil.allocateDirectAligned(
                BitUtil.align(MAX_UDP_PAYLOAD_BYTES + 1, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
            final IdleStrategy idle = new BusySpinIdleStrategy();
            for (int i = 0; i < total; i++)
            {
                final long startNs = System.nanoTime();
                sendBuffer.putLong(0, startNs);
                sendMessage(channel, to, sendBuffer, sizeBytes, idle);

                long echoedNs = 0;
                for (int d = 0; d < datagrams; d++)
                {
                    receiveBuffer.clear();
                    while (null == channel.receive(receiveBuffer))
                    {
                        if (System.nanoTime() - startNs > ROUND_TRIP_TIMEOUT_NS)
                        {
                            throw new IllegalStateException("no echo within " + ROUND_TRIP_TIMEOUT_S +
                                " s: a datagram was lost on loopback, and the raw floor does not retransmit");
                        }
                        idle.idle(0);
                    }
                    if (0 == d)
                    {
                        echoedNs = receiveBuffer.getLong(0);
                    }
                }
                final long rttNs = System.nanoTime() - startNs;
                if (echoedNs != startNs)
                {
                    throw new IllegalStateException("raw pong echoed another ping");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                }
            }
        }
        catch (final IOException ex)
        {
            failure.compareAndSet(null, new UncheckedIOException(ex));
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private void pong(
        final DatagramChannel channel,
        final InetSocketAddress to,
        final int sizeBytes,
        final int total,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            final int datagrams = datagramsPerMessage(sizeBytes);
            final ByteBuffer message = BufferUtil.allocateDirectAligned(
                BitUtil.align(sizeBytes + MAX_UDP_PAYLOAD_BYTES + 1, BitUtil.CACHE_LINE_LENGTH),
                BitUtil.CACHE_LINE_LENGTH);
            final IdleStrategy idle = new BusySpinIdleStrategy();
            for (int i = 0; i < total; i++)
            {
                message.clear();
                for (int d = 0; d < datagrams; d++)
                {
                    while (null == channel.receive(message))
                    {
                        if (null != failure.get())
                        {
                            return;
                        }
                        idle.idle(0);
                    }
                }
                if (message.position() != sizeBytes)
                {
                    throw new IllegalStateException(
                        "raw pong received " + message.position() + " B for a " + sizeBytes + " B message");
                }
                sendMessage(channel, to, message, sizeBytes, idle);
            }
        }
        catch (final IOException ex)
        {
            failure.compareAndSet(null, new UncheckedIOException(ex));
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    /**
     * Send bytes 0 to {@code sizeBytes} of a buffer as {@link #datagramsPerMessage} datagrams of nearly equal length.
     */
    private void sendMessage(
        final DatagramChannel channel,
        final InetSocketAddress to,
        final ByteBuffer buffer,
        final int sizeBytes,
        final IdleStrategy idle) throws IOException
    {
        final int datagrams = datagramsPerMessage(sizeBytes);
        for (int i = 0; i < datagrams; i++)
        {
            final int offset = datagramOffset(sizeBytes, datagrams, i);
            buffer.limit(offset + datagramLength(sizeBytes, datagrams, i)).position(offset);
            while (0 == channel.send(buffer, to))
            {
                idle.idle(0);
            }
        }
    }

    /**
     * Offset of datagram {@code index} in a message: the message is cut into {@code datagrams} pieces whose lengths
     * differ by at most one byte, so each is at least 8 bytes long and can carry a sequence number.
     */
    static int datagramOffset(final int sizeBytes, final int datagrams, final int index)
    {
        return index * (sizeBytes / datagrams) + Math.min(index, sizeBytes % datagrams);
    }

    /**
     * Length of datagram {@code index} of a message, see {@link #datagramOffset}.
     */
    static int datagramLength(final int sizeBytes, final int datagrams, final int index)
    {
        return sizeBytes / datagrams + (index < sizeBytes % datagrams ? 1 : 0);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Blast
    // -----------------------------------------------------------------------------------------------------------

    /**
     * Sends messages from {@code startNs} to {@code endNs} as fast as {@code send} accepts them. Datagram {@code s}
     * of the run carries {@code s} in its first 8 bytes; message {@code m} is datagrams {@code m * k} to
     * {@code m * k + k - 1}, {@code k} being {@link #datagramsPerMessage}.
     */
    private final class Blaster implements Runnable
    {
        private final DatagramChannel channel;
        private final InetSocketAddress to;
        private final int sizeBytes;
        private final long startNs;
        private final long endNs;
        private final AtomicReference<Throwable> failure;
        private final BlastReceiver receiver;

        Blaster(
            final DatagramChannel channel,
            final InetSocketAddress to,
            final int sizeBytes,
            final long startNs,
            final long endNs,
            final AtomicReference<Throwable> failure,
            final BlastReceiver receiver)
        {
            this.channel = channel;
            this.to = to;
            this.sizeBytes = sizeBytes;
            this.startNs = startNs;
            this.endNs = endNs;
            this.failure = failure;
            this.receiver = receiver;
        }

        public void run()
        {
            try
            {
                final ByteBuffer buffer = BufferUtil.allocateDirectAligned(
                    BitUtil.align(sizeBytes, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
                final int datagrams = datagramsPerMessage(sizeBytes);
                final IdleStrategy idle = new BusySpinIdleStrategy();
                while (System.nanoTime() < startNs)
                {
                    idle.idle(0);
                }
                long sequence = 0;
                int checkClock = 0;
                while (null == failure.get())
                {
                    if (0 == (checkClock++ & 63) && System.nanoTime() >= endNs)
                    {
                        break;
                    }
                    for (int i = 0; i < datagrams; i++)
                    {
                        final int offset = datagramOffset(sizeBytes, datagrams, i);
                        buffer.limit(offset + datagramLength(sizeBytes, datagrams, i)).position(offset);
                        buffer.putLong(offset, sequence++);
                        while (0 == channel.send(buffer, to))
                        {
                            idle.idle(0);
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                failure.compareAndSet(null, new UncheckedIOException(ex));
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                receiver.senderDone();
            }
        }
    }

    /**
     * Checks every datagram and counts the messages that arrived whole, in order, whose last datagram arrived in the
     * measured window; stops when the sender is done and nothing arrived for {@link #QUIET_NS}.
     */
    private final class BlastReceiver implements Runnable
    {
        private final DatagramChannel channel;
        private final int sizeBytes;
        private final long windowStartNs;
        private final long windowEndNs;
        private final AtomicReference<Throwable> failure;
        private volatile boolean isSenderDone;
        private long messagesInWindow;
        private long firstMessageInWindow = -1;
        private long lastMessageInWindow = -1;
        private long lastInWindowNs;

        BlastReceiver(
            final DatagramChannel channel,
            final int sizeBytes,
            final long windowStartNs,
            final long windowEndNs,
            final AtomicReference<Throwable> failure)
        {
            this.channel = channel;
            this.sizeBytes = sizeBytes;
            this.windowStartNs = windowStartNs;
            this.windowEndNs = windowEndNs;
            this.failure = failure;
        }

        void senderDone()
        {
            isSenderDone = true;
        }

        public void run()
        {
            try
            {
                final int datagrams = datagramsPerMessage(sizeBytes);
                final ByteBuffer buffer = BufferUtil.allocateDirectAligned(
                    BitUtil.align(MAX_UDP_PAYLOAD_BYTES + 1, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
                final IdleStrategy idle = new BusySpinIdleStrategy();
                long expected = 0;
                boolean isMessageWhole = true;
                long lastReceiveNs = System.nanoTime();
                while (null == failure.get())
                {
                    buffer.clear();
                    if (null == channel.receive(buffer))
                    {
                        if (isSenderDone && System.nanoTime() - lastReceiveNs > QUIET_NS)
                        {
                            break;
                        }
                        idle.idle(0);
                        continue;
                    }
                    final long nowNs = System.nanoTime();
                    lastReceiveNs = nowNs;
                    final int length = buffer.position();
                    if (length < SEQUENCE_BYTES)
                    {
                        throw new IllegalStateException("raw blast: datagram of " + length + " B");
                    }
                    final long sequence = buffer.getLong(0);
                    if (sequence < expected)
                    {
                        throw new IllegalStateException(
                            "raw blast: datagram " + sequence + " after " + (expected - 1) + " (reordered)");
                    }
                    if (sequence != expected)
                    {
                        // Lost datagrams: the message in progress is broken unless the gap ends exactly at this one.
                        isMessageWhole = sequence % datagrams == 0;
                    }
                    expected = sequence + 1;
                    final int index = (int)(sequence % datagrams);
                    final int expectedLength = datagramLength(sizeBytes, datagrams, index);
                    if (length != expectedLength)
                    {
                        throw new IllegalStateException(
                            "raw blast: datagram of " + length + " B, expected " + expectedLength);
                    }
                    if (index == datagrams - 1)
                    {
                        if (isMessageWhole && nowNs >= windowStartNs && nowNs < windowEndNs)
                        {
                            final long message = sequence / datagrams;
                            if (firstMessageInWindow < 0)
                            {
                                firstMessageInWindow = message;
                            }
                            lastMessageInWindow = message;
                            lastInWindowNs = nowNs;
                            messagesInWindow++;
                        }
                        isMessageWhole = true;
                    }
                }
            }
            catch (final IOException ex)
            {
                failure.compareAndSet(null, new UncheckedIOException(ex));
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
        if (sizeBytes < SEQUENCE_BYTES)
        {
            throw new IllegalArgumentException("sizeBytes must be at least 8: " + sizeBytes);
        }
    }

    private static DatagramChannel openChannel() throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Start the second thread, then the first; wait for the first, then for the second (interrupted if the first
     * failed), and throw the first failure.
     */
    static void runPair(
        final Thread first, final Thread second, final AtomicReference<Throwable> failure, final String what)
        throws Exception
    {
        second.start();
        first.start();
        first.join();
        if (null != failure.get())
        {
            second.interrupt();
        }
        second.join(TimeUnit.SECONDS.toMillis(30));
        final Throwable cause = failure.get();
        if (null != cause)
        {
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
        if (second.isAlive())
        {
            throw new IllegalStateException(what + ": " + second.getName() + " did not finish");
        }
    }
}
