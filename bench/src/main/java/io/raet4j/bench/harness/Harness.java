package io.raet4j.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end harness: one command that measures, in one run on this machine, round-trip latency and one-way
 * reliable throughput of raw UDP (the floor), raet4j over UDP with encryption on and off, raet4j over a lane, and
 * Aeron over UDP and IPC with an embedded media driver in the threading mode and idle strategy found best for it on
 * this machine by a sweep; then the pubsub section ({@link PubSubSection}: raet4j's pub/sub next to its own offer,
 * NATS and MQTT) and the scale bench. It writes {@code latest.json} (every figure whose metric is one of
 * {@link Rows#STANDARD_METRICS}), {@code latest-extra.json} (the other figures: loss, scale), {@code latest.md}
 * (tables with ratios to raw UDP and to Aeron) and {@code latest.svg} (latency curves and throughput bars).
 * <p>
 * {@code java -jar raet4j-bench.jar harness [--quick] [--sizes 32,256,1400,65536] [--count N] [--seconds S]
 * [--no-scale] [--no-aeron-sweep] [--no-loss] [--no-mtu] [--no-pubsub | --pubsub-only] [--pubsub-sizes 32,1400]
 * [--out DIR]}
 * <p>
 * {@code --pubsub-only} runs the pubsub section alone, with the raet4j offer rows it compares against.
 */
public final class Harness
{
    /** Round trips each system runs in the warm-up pass. */
    static final int WARMUP_ROUND_TRIPS = 20_000;
    /** Seconds of throughput each system runs in the warm-up pass. */
    static final double WARMUP_THROUGHPUT_S = 1.0;

    /** Message sizes of the default run. */
    public static final int[] DEFAULT_SIZES = { 32, 256, 1400, 65_536 };
    /** Recorded round trips per system and size (fewer for 64 KiB). */
    public static final int DEFAULT_COUNT = 20_000;
    /** Measured seconds of each throughput run. */
    public static final double DEFAULT_SECONDS = 2.0;
    /** Default output directory. */
    public static final String DEFAULT_OUT = "bench/results";

    private static final java.util.Set<String> SCALE_METRICS = java.util.Set.of(
        ScaleBench.JOINS_PER_SEC_METRIC, ScaleBench.HUB_JOIN_BUSY_METRIC, ScaleBench.DUTY_CYCLE_METRIC,
        ScaleBench.HUB_CPU_PER_ESTATE_METRIC, ScaleBench.BYTES_PER_IDLE_ESTATE_METRIC,
        ScaleBench.ESTATE_STACK_HEAP_METRIC, ScaleBench.ESTATE_CPU_PER_ESTATE_METRIC);

    private Harness()
    {
    }

    /**
     * Run the harness.
     *
     * @param args options, see the class comment.
     * @throws Exception if a run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        int[] sizes = DEFAULT_SIZES;
        int count = DEFAULT_COUNT;
        double seconds = DEFAULT_SECONDS;
        boolean isScale = true;
        boolean isSweep = true;
        boolean isLoss = true;
        boolean isMtu = true;
        boolean isPubSub = true;
        boolean isPubSubOnly = false;
        boolean isWarmupPass = true;
        int[] pubSubSizes = PubSubSection.DEFAULT_SIZES;
        Path out = Path.of(DEFAULT_OUT);
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    count = 5_000;
                    seconds = 1.0;
                    isScale = false;
                    isSweep = false;
                    break;
                case "--sizes":
                    sizes = parseSizes(args[++i]);
                    break;
                case "--pubsub-sizes":
                    pubSubSizes = parseSizes(args[++i]);
                    break;
                case "--no-pubsub":
                    isPubSub = false;
                    break;
                case "--pubsub-only":
                    isPubSubOnly = true;
                    break;
                case "--count":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "--seconds":
                    seconds = Double.parseDouble(args[++i]);
                    break;
                case "--no-scale":
                    isScale = false;
                    break;
                case "--no-aeron-sweep":
                    isSweep = false;
                    break;
                case "--no-loss":
                    isLoss = false;
                    break;
                case "--no-mtu":
                    isMtu = false;
                    break;
                case "--no-warmup-pass":
                    isWarmupPass = false;
                    break;
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("usage: harness [--quick] [--sizes 32,256,1400,65536] " +
                        "[--count N] [--seconds S] [--no-scale] [--no-aeron-sweep] [--no-loss] [--no-mtu] " +
                        "[--no-warmup-pass] " +
                        "[--no-pubsub | --pubsub-only] [--pubsub-sizes 32,1400] [--out DIR]; unknown: " + args[i]);
            }
        }
        if (isPubSubOnly && !isPubSub)
        {
            throw new IllegalArgumentException("--pubsub-only and --no-pubsub exclude each other");
        }
        final String command = "java -jar bench/target/raet4j-bench.jar harness" +
            (0 == args.length ? "" : " " + String.join(" ", args));
        if (isPubSubOnly)
        {
            runPubSubOnly(command, pubSubSizes, count, seconds, out, System.out);
        }
        else
        {
            run(command, sizes, count, seconds, isScale, isSweep, isLoss, isMtu, isWarmupPass,
                isPubSub ? pubSubSizes : null, out, System.out);
        }
    }

    private static int[] parseSizes(final String text)
    {
        final String[] parts = text.split(",");
        final int[] sizes = new int[parts.length];
        for (int j = 0; j < parts.length; j++)
        {
            sizes[j] = Integer.parseInt(parts[j].trim());
        }
        return sizes;
    }

    /**
     * Measure the pubsub section alone, with the raet4j offer rows it compares against, and write the outputs.
     *
     * @param command the command line, for the report.
     * @param sizes   payload sizes of the section.
     * @param count   recorded round trips per system and size.
     * @param seconds measured seconds of each throughput run.
     * @param outDir  where to write latest.json, latest-extra.json, latest.md and latest.svg.
     * @param out     progress output.
     * @return every row.
     * @throws IOException if the outputs cannot be written.
     */
    public static List<Row> runPubSubOnly(
        final String command,
        final int[] sizes,
        final int count,
        final double seconds,
        final Path outDir,
        final PrintStream out) throws IOException
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        out.printf(Locale.ROOT, "raet4j harness %s (pubsub section only): %d round trips, %.1f s throughput runs, " +
            "%d CPUs, Java %s%n", started, count, seconds, cpus, Runtime.version());
        final List<String> failures = new ArrayList<>();
        final List<Row> rows = new ArrayList<>(PubSubSection.run(sizes, count, seconds, List.of(), failures, out));
        writeReport(command, started, cpus, sizes, count, seconds, failures, rows, sizes, outDir, out);
        return rows;
    }

    /**
     * Measure everything and write the outputs.
     *
     * @param command the command line, for the report.
     * @param sizes   message sizes.
     * @param count   recorded round trips per system and size.
     * @param seconds measured seconds of each throughput run.
     * @param isScale whether to run the scale bench.
     * @param isSweep whether to sweep Aeron's configurations first (else its defaults: SHARED, busy spin).
     * @param isLoss  whether to run the loss bench.
     * @param isMtu   whether to measure throughput of the first size at {@link MtuBench#JUMBO_MTU} too.
     * @param isWarmupPass whether every system first runs once unrecorded (see {@link #warmUp}).
     * @param pubSubSizes payload sizes of the pubsub section, or null to skip it.
     * @param outDir  where to write latest.json, latest-extra.json, latest.md and latest.svg.
     * @param out     progress output.
     * @return every row.
     * @throws Exception if a run fails.
     */
    public static List<Row> run(
        final String command,
        final int[] sizes,
        final int count,
        final double seconds,
        final boolean isScale,
        final boolean isSweep,
        final boolean isLoss,
        final boolean isMtu,
        final boolean isWarmupPass,
        final int[] pubSubSizes,
        final Path outDir,
        final PrintStream out) throws Exception
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        out.printf(Locale.ROOT, "raet4j harness %s: sizes %s, %d round trips, %.1f s throughput runs, %d CPUs, " +
            "Java %s%n", started, java.util.Arrays.toString(sizes), count, seconds, cpus, Runtime.version());

        AeronSystem.Config aeronUdpLatency = AeronSystem.Config.udp();
        AeronSystem.Config aeronUdpThroughput = AeronSystem.Config.udp();
        AeronSystem.Config aeronIpcLatency = AeronSystem.Config.ipc();
        AeronSystem.Config aeronIpcThroughput = AeronSystem.Config.ipc();
        if (isSweep)
        {
            final AeronSweep.Best udp = AeronSweep.sweep(AeronSystem.MEDIA_UDP, AeronSystem.MTU_DEFAULT, out);
            final AeronSweep.Best ipc = AeronSweep.sweep(AeronSystem.MEDIA_IPC, AeronSystem.MTU_DEFAULT, out);
            aeronUdpLatency = udp.latencyConfig();
            aeronUdpThroughput = udp.throughputConfig();
            aeronIpcLatency = ipc.latencyConfig();
            aeronIpcThroughput = ipc.throughputConfig();
            out.printf("aeron best: udp latency %s, udp throughput %s, ipc latency %s, ipc throughput %s%n",
                aeronUdpLatency.describe(), aeronUdpThroughput.describe(), aeronIpcLatency.describe(),
                aeronIpcThroughput.describe());
        }

        final List<Row> rows = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        if (isWarmupPass)
        {
            warmUp(sizes[0], aeronUdpLatency, aeronUdpThroughput, aeronIpcLatency, aeronIpcThroughput, out);
        }
        measureSystems(sizes, count, seconds, aeronUdpLatency, aeronUdpThroughput, aeronIpcLatency,
            aeronIpcThroughput, failures, rows, out);
        if (isMtu)
        {
            for (final SystemUnderTest system : MtuBench.systems(MtuBench.JUMBO_MTU, aeronUdpThroughput))
            {
                measure(out, failures, rows, system, "throughput at MTU " + MtuBench.JUMBO_MTU, sizes[0],
                    () -> MtuBench.relabel(system.throughput(sizes[0], seconds), MtuBench.JUMBO_MTU));
            }
        }
        for (final boolean encryption : new boolean[]{ true, false })
        {
            final RaetSystem system = RaetSystem.udp(encryption);
            measure(out, failures, rows, system, "allocation", 32, () -> system.allocation(32));
        }
        if (isLoss)
        {
            rows.addAll(LossBench.run(32, seconds, count, out));
        }
        if (null != pubSubSizes)
        {
            rows.addAll(PubSubSection.run(pubSubSizes, count, seconds, rows, failures, out));
        }
        if (isScale)
        {
            try
            {
                rows.addAll(ScaleBench.run(ScaleBench.DEFAULT_ESTATES, out));
            }
            catch (final Exception ex)
            {
                failures.add("scale bench: " + ex);
                out.println("scale bench FAILED: " + ex);
            }
        }

        writeReport(command, started, cpus, sizes, count, seconds, failures, rows, pubSubSizes, outDir, out);
        return rows;
    }

    /**
     * Round trip and one-way throughput of every system at every size.
     */
    private static void measureSystems(
        final int[] sizes,
        final int count,
        final double seconds,
        final AeronSystem.Config aeronUdpLatency,
        final AeronSystem.Config aeronUdpThroughput,
        final AeronSystem.Config aeronIpcLatency,
        final AeronSystem.Config aeronIpcThroughput,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        for (final int size : sizes)
        {
            final int sizeCount = size >= 16_384 ? Math.max(1_000, count / 10) : count;
            final int warmup = Math.max(500, sizeCount / 4);
            for (final SystemUnderTest system : systems(aeronUdpLatency, aeronIpcLatency))
            {
                measure(out, failures, rows, system, "latency", size, () -> system.latency(size, warmup, sizeCount));
            }
            for (final SystemUnderTest system : systems(aeronUdpThroughput, aeronIpcThroughput))
            {
                measure(out, failures, rows, system, "throughput", size, () -> system.throughput(size, seconds));
            }
        }
    }

    /**
     * Fresh instances of the systems every size is measured on, in the order they run.
     */
    private static List<SystemUnderTest> systems(final AeronSystem.Config aeronUdp, final AeronSystem.Config aeronIpc)
    {
        return List.of(
            new RawUdpSystem(),
            RaetSystem.udp(true),
            RaetSystem.udp(false),
            RaetSystem.udpMmsg(true),
            RaetSystem.udpMmsg(false),
            RaetSystem.lane(),
            RaetSystem.shm(),
            new AeronSystem(aeronUdp),
            new AeronSystem(aeronIpc));
    }

    /**
     * Run every system once, unrecorded, before anything is measured: {@value #WARMUP_ROUND_TRIPS} round trips and a
     * {@value #WARMUP_THROUGHPUT_S} s throughput run each, at the first size. All systems share one JVM, so without it
     * the first ones measured pay for the JIT compiler's work, which on 2 CPUs competes with their two spinning
     * threads (the encrypted 32 B throughput row, measured second, read 0.9 M msg/s where separate JVMs gave 2 M).
     */
    private static void warmUp(
        final int size,
        final AeronSystem.Config aeronUdpLatency,
        final AeronSystem.Config aeronUdpThroughput,
        final AeronSystem.Config aeronIpcLatency,
        final AeronSystem.Config aeronIpcThroughput,
        final PrintStream out)
    {
        out.printf(Locale.ROOT, "warm-up pass, not recorded: %d round trips and %.1f s of throughput per system at " +
            "%d B%n", WARMUP_ROUND_TRIPS, WARMUP_THROUGHPUT_S, size);
        final List<Row> discarded = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final SystemUnderTest system : systems(aeronUdpLatency, aeronIpcLatency))
        {
            measure(out, failures, discarded, system, "warm-up latency", size,
                () -> system.latency(size, 0, WARMUP_ROUND_TRIPS));
        }
        for (final SystemUnderTest system : systems(aeronUdpThroughput, aeronIpcThroughput))
        {
            measure(out, failures, discarded, system, "warm-up throughput", size,
                () -> system.throughput(size, WARMUP_THROUGHPUT_S));
        }
        out.println("warm-up pass done" + (failures.isEmpty() ? "" : ", failures: " + failures));
    }

    /**
     * Writes latest.json (the standard metrics), latest-extra.json (the others), latest.md and latest.svg to
     * {@code outDir}, and the markdown to {@code out}; the pubsub section's tables if {@code pubSubSizes} is not null.
     */
    private static void writeReport(
        final String command,
        final String started,
        final int cpus,
        final int[] sizes,
        final int count,
        final double seconds,
        final List<String> failures,
        final List<Row> rows,
        final int[] pubSubSizes,
        final Path outDir,
        final PrintStream out) throws IOException
    {
        final String markdown = "# raet4j harness run\n\n" +
            "- started " + started + ", " + cpus + " CPUs, Java " + Runtime.version() + ", " +
            System.getProperty("os.name") + " " + System.getProperty("os.version") + "\n" +
            "- command: `" + command + "` (sizes " +
            java.util.Arrays.toString(sizes) + ", " + count + " round trips, " + seconds + " s throughput runs)\n" +
            (failures.isEmpty() ? "" : "- FAILED runs: " + failures + "\n") +
            Report.markdown(rows, cpus) + MtuBench.table(rows, MtuBench.JUMBO_MTU, cpus) + lossTable(rows) +
            (null == pubSubSizes ? "" : PubSubGoals.markdown(rows, pubSubSizes, PubSubSection.FAN_OUTS)) +
            scaleTable(rows);
        final List<Row> standard = new ArrayList<>();
        final List<Row> extra = new ArrayList<>();
        for (final Row row : rows)
        {
            (Rows.STANDARD_METRICS.contains(row.metric()) ? standard : extra).add(row);
        }
        Report.writeJson(standard, outDir.resolve("latest.json"));
        Report.writeJson(extra, outDir.resolve("latest-extra.json"));
        Report.write(outDir.resolve("latest.md"), markdown);
        Report.write(outDir.resolve("latest.svg"), Report.svg(rows, sizes[0],
            "raet4j harness " + started + " (" + cpus + " CPUs)"));
        out.println();
        out.print(markdown);
        out.println("wrote " + outDir.resolve("latest.json").toAbsolutePath() +
            ", latest-extra.json, latest.md, latest.svg");
    }

    /**
     * One measurement of a system: its rows.
     */
    @FunctionalInterface
    interface Measurement
    {
        /**
         * Run it.
         *
         * @return its rows.
         * @throws Exception if it fails.
         */
        List<Row> run() throws Exception;
    }

    /**
     * Run one measurement, add its rows and print a line of progress; a failure is printed and listed, never thrown,
     * so that one failed system does not end the run.
     *
     * @param out         progress output.
     * @param failures    where a failure is listed.
     * @param rows        where the rows go.
     * @param label       of the system.
     * @param what        e.g. {@code latency}.
     * @param size        message size.
     * @param measurement the measurement.
     */
    static void measure(
        final PrintStream out,
        final List<String> failures,
        final List<Row> rows,
        final String label,
        final String what,
        final int size,
        final Measurement measurement)
    {
        final long startNs = System.nanoTime();
        try
        {
            final List<Row> result = measurement.run();
            rows.addAll(result);
            out.printf(Locale.ROOT, "%-50s %-10s %6d B  %s  (%.1f s)%n", label, what, size,
                summary(result), (System.nanoTime() - startNs) / 1e9);
        }
        catch (final Exception ex)
        {
            failures.add(label + " " + what + " " + size + " B: " + ex.getMessage());
            out.printf(Locale.ROOT, "%-50s %-10s %6d B  FAILED: %s%n", label, what, size, ex);
        }
    }

    private static void measure(
        final PrintStream out,
        final List<String> failures,
        final List<Row> rows,
        final SystemUnderTest system,
        final String what,
        final int size,
        final Measurement measurement)
    {
        try
        {
            measure(out, failures, rows, system.label(), what, size, measurement);
        }
        finally
        {
            if (system instanceof AutoCloseable)
            {
                try
                {
                    ((AutoCloseable)system).close();
                }
                catch (final Exception ex)
                {
                    out.println("close failed: " + ex);
                }
            }
        }
    }

    private static String summary(final List<Row> rows)
    {
        final StringBuilder text = new StringBuilder();
        for (final Row row : rows)
        {
            if (row.metric().equals("rttP50Us") || row.metric().equals("rttP999Us") ||
                row.metric().equals("msgsPerSec") || row.metric().equals("mbPerSec") ||
                row.metric().startsWith("alloc") || row.metric().startsWith("urgent") ||
                row.metric().equals("bulkMsgsPerSec"))
            {
                text.append(String.format(Locale.ROOT, "%s=%.1f ", row.metric(), row.value()));
            }
        }
        return text.toString().trim();
    }

    private static String lossTable(final List<Row> rows)
    {
        final StringBuilder out = new StringBuilder();
        for (final Row row : rows)
        {
            if (row.media().contains("loss") && (row.metric().equals("msgsPerSec") ||
                row.metric().equals(LossBench.TX_PER_SEGMENT_METRIC) || row.metric().equals("rttP999Us")))
            {
                if (0 == out.length())
                {
                    out.append("\n#### Loss (both directions for raet4j; Aeron's receive-side loss generator), " +
                        "32 B\n\n")
                        .append("| system | loss | metric | value | unit |\n|---|---|---|---|---|\n");
                }
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.3f | %s |%n", row.system(), row.media(),
                    row.metric(), row.value(), row.unit()));
            }
        }
        return out.toString();
    }

    private static String scaleTable(final List<Row> rows)
    {
        final StringBuilder out = new StringBuilder();
        for (final Row row : rows)
        {
            if (SCALE_METRICS.contains(row.metric()) || row.metric().endsWith(ScaleBench.EXTRAPOLATED_SUFFIX))
            {
                if (0 == out.length())
                {
                    out.append("\n#### Scale: one hub stack and N joined estates, alive traffic only\n\n")
                        .append("| metric | N / threading | value | unit |\n|---|---|---|---|\n");
                }
                out.append(String.format(Locale.ROOT, "| %s | %s | %,.1f | %s |%n", row.metric(), row.threading(),
                    row.value(), row.unit()));
            }
        }
        return out.toString();
    }
}
