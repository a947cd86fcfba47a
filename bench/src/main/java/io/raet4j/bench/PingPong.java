package io.raet4j.bench;

import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.status.SystemCounterDescriptor;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Round-trip latency of raet4j against raw UDP, measured in one run on the same machine: first two threads
 * ping-ponging over plain non-blocking {@link DatagramChannel}s on 127.0.0.1, then two stacks, each in invoker
 * mode on its own thread, ping-ponging reliable messages on channel 0. Every thread busy-spins (an idle pass calls
 * {@link BusySpinIdleStrategy#idle(int)}, i.e. {@link Thread#onSpinWait()}). Latencies go to an HdrHistogram;
 * the results are printed as a markdown table and written as JSON rows.
 * <p>
 * The raw side uses the calls {@code UdpMedia} uses ({@code send(buffer, address)} and {@code receive(buffer)} on
 * unconnected channels, direct buffers), so the ratio is the cost of the protocol, not of a different socket API.
 * <p>
 * The measured round trips are split into rounds that alternate raw UDP and raet4j (fresh sockets, stacks and
 * threads each round, all warm-up round trips in the first round, a tenth of them in later rounds), so that both
 * systems meet the same background load on a shared machine.
 * <p>
 * Usage: {@code pingpong [--count N] [--size B] [--warmup N] [--rounds R] [--out FILE]}.
 */
public final class PingPong
{
    /** Default measured round trips. */
    public static final int DEFAULT_COUNT = 100_000;
    /** Default warm-up round trips, not recorded. */
    public static final int DEFAULT_WARMUP = 20_000;
    /** Default payload in bytes. */
    public static final int DEFAULT_SIZE = 32;
    /** Default number of rounds the measured round trips are split into, alternating the two systems. */
    public static final int DEFAULT_ROUNDS = 5;
    /** Default JSON output, relative to the working directory. */
    public static final String DEFAULT_OUT = "bench/results/pingpong-latest.json";

    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long ROUND_TRIP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final int CHANNEL = 0;
    private static final double[] PERCENTILES = { 50.0, 90.0, 99.0, 99.9 };
    private static final String[] METRICS = { "rttP50Us", "rttP90Us", "rttP99Us", "rttP999Us", "rttMaxUs" };
    private static final String IDLE = "busy-spin";
    private static final String RAW_THREADING = "2 threads (ping, pong), 1 socket each";
    private static final String RAET_THREADING = "invoker, 1 stack per thread, 2 threads";

    private final int count;
    private final int warmup;
    private final int size;
    private final int rounds;
    private final Path out;
    private final boolean encryption;
    private long raetAlphaPackets;
    private long raetBetaPackets;
    private long raetBetaAcks;
    private long raetRetransmits;
    private long raetBackPressured;

    private PingPong(
        final int count, final int warmup, final int size, final int rounds, final Path out, final boolean encryption)
    {
        this.encryption = encryption;
        this.count = count;
        this.warmup = warmup;
        this.size = size;
        this.rounds = rounds;
        this.out = out;
    }

    /**
     * Run both ping-pongs and report.
     *
     * @param args {@code [--count N] [--size B] [--warmup N] [--rounds R] [--out FILE] [--encryption on|off]}.
     * @throws Exception if a socket fails or a round trip times out.
     */
    public static void main(final String[] args) throws Exception
    {
        int count = DEFAULT_COUNT;
        int warmup = DEFAULT_WARMUP;
        int size = DEFAULT_SIZE;
        int rounds = DEFAULT_ROUNDS;
        String out = DEFAULT_OUT;
        boolean encryption = true;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("missing value after " + arg);
            }
            final String value = args[++i];
            switch (arg)
            {
                case "--count":
                    count = Integer.parseInt(value);
                    break;
                case "--warmup":
                    warmup = Integer.parseInt(value);
                    break;
                case "--size":
                    size = Integer.parseInt(value);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(value);
                    break;
                case "--out":
                    out = value;
                    break;
                case "--encryption":
                    if (!"on".equals(value) && !"off".equals(value))
                    {
                        throw new IllegalArgumentException("--encryption must be on or off");
                    }
                    encryption = "on".equals(value);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + arg +
                        "; usage: pingpong [--count N] [--size B] [--warmup N] [--rounds R] [--out FILE] " +
                        "[--encryption on|off]");
            }
        }
        if (count < 1 || warmup < 0 || size < 8 || size > 1024 || rounds < 1 || rounds > count)
        {
            throw new IllegalArgumentException("need count >= 1, warmup >= 0, 8 <= size <= 1024, 1 <= rounds <= count");
        }
        new PingPong(count, warmup, size, rounds, Path.of(out), encryption).run();
    }

    private void run() throws Exception
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT,
            "ping-pong: %d warm-up + %d measured round trips per system in %d alternating rounds, %d B payload, " +
            "loopback 127.0.0.1, %d CPUs, load average %s, Java %s%n",
            warmup, count, rounds, size, cpus, loadAverage(), Runtime.version());
        if (cpus <= 2)
        {
            System.out.printf(Locale.ROOT,
                "note: each ping-pong runs 2 busy-spinning threads on %d CPUs: that is the whole core count, so the " +
                "JIT, GC, the OS and any other process preempt a spinner, which shows in the upper percentiles.%n",
                cpus);
        }

        final Histogram raw = new Histogram(HIGHEST_NS, 3);
        final Histogram raet = new Histogram(HIGHEST_NS, 3);
        final Histogram lane = new Histogram(HIGHEST_NS, 3);
        for (int round = 0; round < rounds; round++)
        {
            final int roundCount = count / rounds + (round < count % rounds ? 1 : 0);
            final int roundWarmup = 0 == round ? warmup : warmup / 10;
            rawUdp(raw, roundWarmup, roundCount);
            raet4j(raet, roundWarmup, roundCount, false);
            raet4j(lane, roundWarmup, roundCount, true);
        }
        System.out.printf(Locale.ROOT,
            "raet4j counters over all rounds: alpha sent %d packets, %d retransmits, %d back-pressured offers; " +
            "beta sent %d packets (%d acks)%n",
            raetAlphaPackets, raetRetransmits, raetBackPressured, raetBetaPackets, raetBetaAcks);
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());

        final StringBuilder table = new StringBuilder();
        table.append("| system | idle strategy | threading | CPUs | p50 us | p90 us | p99 us | p99.9 us | max us |\n");
        table.append("|---|---|---|---|---|---|---|---|---|\n");
        row(table, "raw UDP (DatagramChannel)", RAW_THREADING, cpus, raw);
        row(table, encryption ? "raet4j (reliable ordered, ChaCha20-Poly1305)" : "raet4j (reliable ordered, clear text)",
            RAET_THREADING, cpus, raet);
        row(table, "raet4j over a lane (Unix-domain datagram sockets, clear text)", RAET_THREADING, cpus, lane);
        table.append("| raet4j / raw UDP | | | |");
        for (int i = 0; i < METRICS.length; i++)
        {
            table.append(String.format(Locale.ROOT, " %.2fx |", value(raet, i) / value(raw, i)));
        }
        table.append('\n');
        table.append("| raet4j lane / raet4j UDP | | | |");
        for (int i = 0; i < METRICS.length; i++)
        {
            table.append(String.format(Locale.ROOT, " %.2fx |", value(lane, i) / value(raet, i)));
        }
        table.append('\n');
        System.out.println();
        System.out.print(table);
        System.out.printf(Locale.ROOT, "%nmean: raw UDP %.2f us, raet4j %.2f us, raet4j lane %.2f us%n",
            raw.getMean() / 1_000.0, raet.getMean() / 1_000.0, lane.getMean() / 1_000.0);

        writeJson(raw, raet, lane);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static String loadAverage()
    {
        try
        {
            final String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim();
            final String[] fields = text.split(" ");
            return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : text;
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    private static void row(final StringBuilder table, final String system, final String threading, final int cpus,
        final Histogram histogram)
    {
        table.append("| ").append(system).append(" | ").append(IDLE).append(" | ").append(threading)
            .append(" | ").append(cpus).append(" |");
        for (int i = 0; i < METRICS.length; i++)
        {
            table.append(String.format(Locale.ROOT, " %.1f |", value(histogram, i)));
        }
        table.append('\n');
    }

    /**
     * Metric {@code i} of {@link #METRICS} in microseconds.
     */
    private static double value(final Histogram histogram, final int i)
    {
        final long ns = i < PERCENTILES.length ?
            histogram.getValueAtPercentile(PERCENTILES[i]) : histogram.getMaxValue();
        return ns / 1_000.0;
    }

    private void writeJson(final Histogram raw, final Histogram raet, final Histogram lane) throws IOException
    {
        final List<String> rows = new ArrayList<>();
        jsonRows(rows, "raw-udp", "udp", false, RAW_THREADING, raw);
        jsonRows(rows, "raet4j", "udp", encryption, RAET_THREADING, raet);
        jsonRows(rows, "raet4j", "lane", false, RAET_THREADING, lane);
        final String json = "[\n  " + String.join(",\n  ", rows) + "\n]\n";
        final Path parent = out.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(out, json, StandardCharsets.UTF_8);
    }

    private void jsonRows(final List<String> rows, final String system, final String media, final boolean encrypted,
        final String threading, final Histogram histogram)
    {
        for (int i = 0; i < METRICS.length; i++)
        {
            rows.add(String.format(Locale.ROOT,
                "{\"system\":\"%s\",\"media\":\"%s\",\"encrypted\":%b,\"metric\":\"%s\",\"sizeBytes\":%d," +
                "\"value\":%.3f,\"unit\":\"us\",\"idle\":\"%s\",\"threading\":\"%s\"}",
                system, media, encrypted, METRICS[i], size, value(histogram, i), IDLE, threading));
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Raw UDP
    // -----------------------------------------------------------------------------------------------------------

    private void rawUdp(final Histogram histogram, final int warmup, final int count) throws Exception
    {
        try (DatagramChannel ping = openChannel(); DatagramChannel pong = openChannel())
        {
            final InetSocketAddress pingAddress = (InetSocketAddress)ping.getLocalAddress();
            final InetSocketAddress pongAddress = (InetSocketAddress)pong.getLocalAddress();
            final int total = warmup + count;
            final AtomicReference<Throwable> failure = new AtomicReference<>();

            final Thread ponger = new Thread(() -> rawPong(pong, pingAddress, total, failure), "raw-pong");
            final Thread pinger = new Thread(
                () -> rawPing(ping, pongAddress, warmup, total, histogram, failure), "raw-ping");
            runPair(pinger, ponger, failure);
        }
    }

    private static DatagramChannel openChannel() throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        return channel;
    }

    private void rawPing(final DatagramChannel channel, final InetSocketAddress to, final int warmup, final int total,
        final Histogram histogram, final AtomicReference<Throwable> failure)
    {
        try
        {
            final ByteBuffer sendBuffer = BufferUtil.allocateDirectAligned(size, BitUtil.CACHE_LINE_LENGTH);
            final ByteBuffer receiveBuffer = BufferUtil.allocateDirectAligned(2048, BitUtil.CACHE_LINE_LENGTH);
            final IdleStrategy idle = new BusySpinIdleStrategy();
            for (int i = 0; i < total; i++)
            {
                final long startNs = System.nanoTime();
                sendBuffer.clear();
                sendBuffer.putLong(0, startNs);
                while (0 == channel.send(sendBuffer, to))
                {
                    idle.idle(0);
                }
                receiveBuffer.clear();
                while (null == channel.receive(receiveBuffer))
                {
                    checkTimeout(startNs);
                    idle.idle(0);
                }
                final long rttNs = System.nanoTime() - startNs;
                if (receiveBuffer.getLong(0) != startNs)
                {
                    throw new IllegalStateException("raw pong echoed another ping");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(Math.min(rttNs, HIGHEST_NS));
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

    private void rawPong(final DatagramChannel channel, final InetSocketAddress to, final int total,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            final ByteBuffer buffer = BufferUtil.allocateDirectAligned(2048, BitUtil.CACHE_LINE_LENGTH);
            final IdleStrategy idle = new BusySpinIdleStrategy();
            for (int i = 0; i < total && null == failure.get(); i++)
            {
                buffer.clear();
                while (null == channel.receive(buffer))
                {
                    idle.idle(0);
                    if (null != failure.get())
                    {
                        return;
                    }
                }
                buffer.flip();
                while (0 == channel.send(buffer, to))
                {
                    idle.idle(0);
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

    // -----------------------------------------------------------------------------------------------------------
    // raet4j
    // -----------------------------------------------------------------------------------------------------------

    private void raet4j(final Histogram histogram, final int warmup, final int count, final boolean lane)
        throws Exception
    {
        try (LoopbackPair pair = lane ? LoopbackPair.onLane() : new LoopbackPair(null, null, encryption))
        {
            final Stack a = pair.alpha();
            final Stack b = pair.beta();
            final String bAddress = LoopbackPair.addressOf(b);
            final long bId = b.estateId();
            final int total = warmup + count;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final RaetPonger ponger = new RaetPonger(b, size, failure);

            final Thread pongThread = new Thread(ponger, "raet4j-pong");
            final Thread pingThread = new Thread(
                () -> raetPing(a, bAddress, bId, warmup, total, histogram, failure, ponger), "raet4j-ping");
            runPair(pingThread, pongThread, failure);
            raetAlphaPackets += a.counter(SystemCounterDescriptor.PACKETS_SENT);
            raetRetransmits += a.counter(SystemCounterDescriptor.RETRANSMITS);
            raetBackPressured += a.counter(SystemCounterDescriptor.BACK_PRESSURE_EVENTS);
            raetBetaPackets += b.counter(SystemCounterDescriptor.PACKETS_SENT);
            raetBetaAcks += b.counter(SystemCounterDescriptor.ACKS_SENT);
        }
    }

    /**
     * Beta's loop: run the duty cycle, poll, and offer every message back to its sender.
     */
    private static final class RaetPonger implements Runnable, MessageHandler
    {
        private final Stack stack;
        private final AtomicReference<Throwable> failure;
        private final UnsafeBuffer echo;
        private volatile boolean isRunning = true;
        private long peerId;
        private int echoLength;
        private boolean isEchoPending;

        RaetPonger(final Stack stack, final int size, final AtomicReference<Throwable> failure)
        {
            this.stack = stack;
            this.failure = failure;
            this.echo = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        }

        void stop()
        {
            isRunning = false;
        }

        /**
         * Keep the ping to echo it once the poll returns.
         */
        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            peerId = estateId;
            echo.putBytes(0, buffer, offset, length);
            echoLength = length;
            isEchoPending = true;
        }

        /**
         * Busy-spin on the duty cycle until stopped.
         */
        public void run()
        {
            try
            {
                final Stack stack = this.stack;
                final IdleStrategy idle = new BusySpinIdleStrategy();
                while (isRunning)
                {
                    int work = stack.doWork();
                    work += stack.poll(this, 1);
                    if (isEchoPending && stack.offer(peerId, CHANNEL, echo, 0, echoLength) >= 0)
                    {
                        isEchoPending = false;
                        work += stack.doWork();
                    }
                    idle.idle(work);
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
        }
    }

    /**
     * Alpha's loop: join beta, then for each round trip offer a ping holding the send time and spin on the duty
     * cycle and poll until the echo is back.
     */
    private void raetPing(
        final Stack stack, final String bAddress, final long bId, final int warmup, final int total,
        final Histogram histogram, final AtomicReference<Throwable> failure, final RaetPonger ponger)
    {
        try
        {
            final IdleStrategy idle = new BusySpinIdleStrategy();
            stack.join(bAddress);
            final long joinStartNs = System.nanoTime();
            while (!stack.isJoined(bId))
            {
                if (System.nanoTime() - joinStartNs > ROUND_TRIP_TIMEOUT_NS)
                {
                    throw new IllegalStateException("alpha did not join beta");
                }
                idle.idle(stack.doWork());
            }

            final UnsafeBuffer ping = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
            final long[] echoedNs = new long[1];
            final MessageHandler onEcho = (estateId, channel, buffer, offset, length) ->
                echoedNs[0] = buffer.getLong(offset);

            for (int i = 0; i < total; i++)
            {
                final long startNs = System.nanoTime();
                ping.putLong(0, startNs);
                while (stack.offer(bId, CHANNEL, ping, 0, size) < 0)
                {
                    checkTimeout(startNs);
                    idle.idle(stack.doWork());
                }
                while (true)
                {
                    final int work = stack.doWork();
                    if (stack.poll(onEcho, 1) > 0)
                    {
                        break;
                    }
                    checkTimeout(startNs);
                    idle.idle(work);
                }
                final long rttNs = System.nanoTime() - startNs;
                if (echoedNs[0] != startNs)
                {
                    throw new IllegalStateException("raet4j pong echoed another ping");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(Math.min(rttNs, HIGHEST_NS));
                }
            }
            // Let the last acks settle before the stacks close.
            final long settleNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            while (System.nanoTime() < settleNs)
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

    // -----------------------------------------------------------------------------------------------------------

    private static void checkTimeout(final long startNs)
    {
        if (System.nanoTime() - startNs > ROUND_TRIP_TIMEOUT_NS)
        {
            throw new IllegalStateException("no answer within " +
                TimeUnit.NANOSECONDS.toSeconds(ROUND_TRIP_TIMEOUT_NS) + " s");
        }
    }

    private static void runPair(final Thread pinger, final Thread ponger, final AtomicReference<Throwable> failure)
        throws Exception
    {
        ponger.start();
        pinger.start();
        pinger.join();
        if (null != failure.get())
        {
            ponger.interrupt();
        }
        ponger.join(TimeUnit.SECONDS.toMillis(10));
        final Throwable cause = failure.get();
        if (null != cause)
        {
            throw new IllegalStateException("ping-pong failed: " + cause, cause);
        }
        if (ponger.isAlive())
        {
            throw new IllegalStateException(ponger.getName() + " did not finish");
        }
    }
}
