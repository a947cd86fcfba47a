package io.raet4j.bench;

import io.raet4j.bench.harness.RaetSystem;
import io.raet4j.bench.harness.RawUdpSystem;
import io.raet4j.bench.harness.Report;
import io.raet4j.bench.harness.Row;
import io.raet4j.bench.harness.Rows;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Round-trip latency of raet4j against raw UDP, measured in one run on the same machine: first two threads
 * ping-ponging over plain non-blocking {@link DatagramChannel}s on 127.0.0.1, then two stacks, each in invoker
 * mode on its own thread, ping-ponging reliable messages on channel 0. Every thread busy-spins (an idle pass calls
 * {@link BusySpinIdleStrategy#idle(int)}, i.e. {@link Thread#onSpinWait()}). Latencies go to an HdrHistogram;
 * the results are printed as a markdown table and written as JSON rows.
 * <p>
 * The raw side uses the calls {@code UdpMedia} uses ({@code send(buffer, address)} and {@code receive(buffer)} on
 * unconnected channels, direct buffers), so the ratio is the cost of the protocol, not of a different socket API.
 * Both sides are the harness's own runners ({@link RawUdpSystem} and {@link RaetSystem}): this command only
 * alternates and merges their rounds, so its figures and the harness's come from the same code.
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

    private static final double[] PERCENTILES = { 50.0, 90.0, 99.0, 99.9 };

    private final int count;
    private final int warmup;
    private final int size;
    private final int rounds;
    private final Path out;
    private final boolean encryption;

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

        final RawUdpSystem rawSystem = new RawUdpSystem();
        final RaetSystem raetSystem = RaetSystem.udp(encryption);
        final RaetSystem laneSystem = RaetSystem.lane();
        final Histogram raw = Rows.newHistogram();
        final Histogram raet = Rows.newHistogram();
        final Histogram lane = Rows.newHistogram();
        for (int round = 0; round < rounds; round++)
        {
            final int roundCount = count / rounds + (round < count % rounds ? 1 : 0);
            final int roundWarmup = 0 == round ? warmup : warmup / 10;
            rawSystem.recordRoundTrips(size, roundWarmup, roundCount, raw);
            raetSystem.recordRoundTrips(size, roundWarmup, roundCount, raet);
            System.out.println("round " + (round + 1) + " raet4j udp: " + raetSystem.lastRunCounters());
            laneSystem.recordRoundTrips(size, roundWarmup, roundCount, lane);
            System.out.println("round " + (round + 1) + " raet4j lane: " + laneSystem.lastRunCounters());
        }
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());

        final StringBuilder table = new StringBuilder();
        table.append("| system | idle strategy | threading | CPUs | p50 us | p90 us | p99 us | p99.9 us | max us |\n");
        table.append("|---|---|---|---|---|---|---|---|---|\n");
        row(table, "raw UDP (DatagramChannel)", RawUdpSystem.LATENCY_THREADING, cpus, raw);
        final String raetName = encryption ?
            "raet4j (reliable ordered, ChaCha20-Poly1305)" : "raet4j (reliable ordered, clear text)";
        row(table, raetName, RaetSystem.THREADING, cpus, raet);
        row(table, "raet4j over a lane (Unix-domain datagram sockets, clear text)", RaetSystem.THREADING, cpus, lane);
        ratioRow(table, "raet4j / raw UDP", raet, raw);
        ratioRow(table, "raet4j lane / raet4j UDP", lane, raet);
        System.out.println();
        System.out.print(table);
        System.out.printf(Locale.ROOT, "%nmean: raw UDP %.2f us, raet4j %.2f us, raet4j lane %.2f us%n",
            raw.getMean() / 1_000.0, raet.getMean() / 1_000.0, lane.getMean() / 1_000.0);

        final List<Row> rows = new ArrayList<>(Rows.latency(
            RawUdpSystem.SYSTEM, RawUdpSystem.MEDIA, false, size, raw, RawUdpSystem.IDLE,
            RawUdpSystem.LATENCY_THREADING));
        rows.addAll(Rows.latency("raet4j", RaetSystem.MEDIA_UDP, encryption, size, raet, RaetSystem.BUSY_SPIN,
            RaetSystem.THREADING));
        rows.addAll(Rows.latency("raet4j", RaetSystem.MEDIA_LANE, false, size, lane, RaetSystem.BUSY_SPIN,
            RaetSystem.THREADING));
        Report.writeJson(rows, out);
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
        table.append("| ").append(system).append(" | ").append(RaetSystem.BUSY_SPIN).append(" | ").append(threading)
            .append(" | ").append(cpus).append(" |");
        for (int i = 0; i <= PERCENTILES.length; i++)
        {
            table.append(String.format(Locale.ROOT, " %.1f |", value(histogram, i)));
        }
        table.append('\n');
    }

    private static void ratioRow(
        final StringBuilder table, final String label, final Histogram top, final Histogram bottom)
    {
        table.append("| ").append(label).append(" | | | |");
        for (int i = 0; i <= PERCENTILES.length; i++)
        {
            table.append(String.format(Locale.ROOT, " %.2fx |", value(top, i) / value(bottom, i)));
        }
        table.append('\n');
    }

    /**
     * Percentile {@code i} of {@link #PERCENTILES}, or the maximum for {@code i == PERCENTILES.length}, in
     * microseconds.
     */
    private static double value(final Histogram histogram, final int i)
    {
        final long ns = i < PERCENTILES.length ?
            histogram.getValueAtPercentile(PERCENTILES[i]) : histogram.getMaxValue();
        return ns / 1_000.0;
    }
}
