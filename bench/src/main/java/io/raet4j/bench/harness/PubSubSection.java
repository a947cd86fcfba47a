package io.raet4j.bench.harness;

import io.raet4j.pubsub.Delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The harness's pubsub section (issue 12), in one run: pub/sub round trip (ping-pong over two topics) and one-way
 * fan-out throughput from 1 publisher to 1, 4 and 16 subscribers, for raet4j's pub/sub layer (encrypted and clear),
 * next to raet4j's own message round trip and throughput ({@code offer}, {@link RaetSystem}), core NATS
 * ({@code nats-server} and jnats) and MQTT QoS 1 and QoS 0 ({@code mosquitto} and Paho). The servers are started on
 * loopback for the section and stopped after it; a server that is not installed has its rows skipped with one line
 * saying so. Its goals are computed by {@link PubSubGoals}.
 */
public final class PubSubSection
{
    /** Payload sizes of the section. */
    public static final int[] DEFAULT_SIZES = { 32, 1400 };
    /** Subscribers per publisher in the fan-out runs. */
    public static final int[] FAN_OUTS = { 1, 4, 16 };

    private PubSubSection()
    {
    }

    /**
     * Measure the section.
     *
     * @param sizes    payload sizes.
     * @param count    recorded round trips per system and size.
     * @param seconds  measured seconds of each throughput run.
     * @param earlier  rows already measured in this run: raet4j's offer rows found there are not measured again.
     * @param failures where failed measurements are listed.
     * @param out      progress output.
     * @return the section's rows, the offer baseline's included when measured here.
     */
    public static List<Row> run(
        final int[] sizes,
        final int count,
        final double seconds,
        final List<Row> earlier,
        final List<String> failures,
        final PrintStream out)
    {
        out.println("pubsub section: sizes " + Arrays.toString(sizes) + ", fan-out 1:" +
            Arrays.toString(FAN_OUTS) + ", window " + FanOut.WINDOW + " publications, warm-up " + FanOut.WARMUP_S +
            " s then " + seconds + " s per fan-out run");
        final List<Row> rows = new ArrayList<>();
        final int warmup = Math.max(500, count / 4);
        baseline(sizes, count, warmup, seconds, earlier, failures, rows, out);
        for (final boolean encryption : new boolean[]{ true, false })
        {
            measureAll(RaetPubSubSystem.udp(encryption), sizes, count, warmup, seconds, failures, rows, out);
        }
        for (final boolean encryption : new boolean[]{ true, false })
        {
            priorities(RaetPubSubSystem.udp(encryption), seconds, failures, rows, out);
        }
        nats(sizes, count, warmup, seconds, failures, rows, out);
        mqtt(sizes, count, warmup, seconds, failures, rows, out);
        return rows;
    }

    /**
     * raet4j's own message round trip and one-way throughput, encrypted and clear, for each size not in
     * {@code earlier}; first an unrecorded ping-pong per encryption setting if nothing ran before.
     */
    private static void baseline(
        final int[] sizes,
        final int count,
        final int warmup,
        final double seconds,
        final List<Row> earlier,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        if (earlier.isEmpty())
        {
            // First in a fresh JVM: warm the JIT on the offer path unrecorded, or the offer rows would carry compile
            // time that the pub/sub rows measured after them do not.
            for (final boolean encryption : new boolean[]{ true, false })
            {
                final RaetSystem system = RaetSystem.udp(encryption);
                Harness.measure(out, failures, new ArrayList<>(), system.label(), "jit warm-up", sizes[0],
                    () -> system.latency(sizes[0], count, 1));
            }
        }
        for (final int size : sizes)
        {
            for (final boolean encryption : new boolean[]{ true, false })
            {
                final RaetSystem system = RaetSystem.udp(encryption);
                if (Double.isNaN(PubSubGoals.value(earlier, RaetSystem.SYSTEM, RaetSystem.MEDIA_UDP, encryption,
                    "rttP50Us", size)))
                {
                    Harness.measure(out, failures, rows, system.label(), "latency", size,
                        () -> system.latency(size, warmup, count));
                }
                if (Double.isNaN(PubSubGoals.value(earlier, RaetSystem.SYSTEM, RaetSystem.MEDIA_UDP, encryption,
                    "msgsPerSec", size)))
                {
                    Harness.measure(out, failures, rows, system.label(), "throughput", size,
                        () -> system.throughput(size, seconds));
                }
            }
        }
    }

    private static void measureAll(
        final PubSubSystem system,
        final int[] sizes,
        final int count,
        final int warmup,
        final double seconds,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        for (final int size : sizes)
        {
            Harness.measure(out, failures, rows, system.label(), "latency", size,
                () -> system.roundTrip(size, warmup, count));
            printCounters(system, out);
        }
        for (final int size : sizes)
        {
            for (final int fanOut : FAN_OUTS)
            {
                Harness.measure(out, failures, rows, system.label(), "fan-out 1:" + fanOut, size,
                    () -> system.fanOut(size, fanOut, seconds));
                printCounters(system, out);
            }
        }
    }

    /**
     * The priority runs alone ({@code raet4j-bench.jar priority [SECONDS]}): encrypted and clear, each case once,
     * then their table.
     *
     * @param args optional measured seconds per case (default 2).
     */
    public static void priorityMain(final String[] args)
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        final List<Row> rows = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final boolean encryption : new boolean[]{ true, false })
        {
            priorities(RaetPubSubSystem.udp(encryption), seconds, failures, rows, System.out);
        }
        System.out.println(PubSubGoals.priorityTable(rows));
        failures.forEach((failure) -> System.out.println("FAILED: " + failure));
        if (!failures.isEmpty())
        {
            System.exit(1);
        }
    }

    /**
     * Priorities under contention ({@link PriorityRun}): urgent publications on HIGH beside a LOW bulk, on LOW behind
     * it, and alone.
     */
    private static void priorities(
        final RaetPubSubSystem system,
        final double seconds,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        final Object[][] cases = { { Delivery.HIGH, true }, { Delivery.LOW, true }, { Delivery.HIGH, false } };
        for (final Object[] c : cases)
        {
            final Delivery delivery = (Delivery)c[0];
            final boolean withBulk = (Boolean)c[1];
            Harness.measure(out, failures, rows, system.label(), "priority: urgent " + delivery +
                (withBulk ? " beside LOW bulk" : " alone"), PriorityRun.URGENT_BYTES,
                () -> system.priority(delivery, withBulk, seconds));
            printCounters(system, out);
        }
    }

    private static void printCounters(final PubSubSystem system, final PrintStream out)
    {
        if (system instanceof RaetPubSubSystem)
        {
            out.println("    " + ((RaetPubSubSystem)system).lastRunCounters());
        }
    }

    private static void nats(
        final int[] sizes,
        final int count,
        final int warmup,
        final double seconds,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        final Optional<Path> executable = ServerProcess.find(NatsSystem.EXECUTABLE);
        if (executable.isEmpty())
        {
            out.println("nats: skipped, " + NatsSystem.EXECUTABLE + " is not installed (Debian: apt-get install " +
                "nats-server)");
            return;
        }
        try (ServerProcess server = ServerProcess.start(NatsSystem.EXECUTABLE, executable.get(),
            ServerProcess.ofPort(NatsSystem::serverArguments)))
        {
            final String version = version(executable.get(), "--version");
            out.println("nats: " + version + " on 127.0.0.1:" + server.port());
            measureAll(new NatsSystem(server.port(), version), sizes, count, warmup, seconds, failures, rows, out);
        }
        catch (final IOException ex)
        {
            failures.add("nats-server: " + ex.getMessage());
            out.println("nats: FAILED to start nats-server: " + ex.getMessage());
        }
    }

    private static void mqtt(
        final int[] sizes,
        final int count,
        final int warmup,
        final double seconds,
        final List<String> failures,
        final List<Row> rows,
        final PrintStream out)
    {
        final Optional<Path> executable = ServerProcess.find(MqttSystem.EXECUTABLE);
        if (executable.isEmpty())
        {
            out.println("mqtt: skipped, " + MqttSystem.EXECUTABLE + " is not installed (Debian: apt-get install " +
                "mosquitto)");
            return;
        }
        try (ServerProcess server = ServerProcess.start(MqttSystem.EXECUTABLE, executable.get(), (port, dir) ->
        {
            final Path config = dir.resolve("mosquitto.conf");
            Files.writeString(config, MqttSystem.mosquittoConfig(port), StandardCharsets.US_ASCII);
            return List.of("-c", config.toString());
        }))
        {
            final String version = version(executable.get(), "-h");
            out.println("mqtt: " + version + " on 127.0.0.1:" + server.port());
            for (final int qos : new int[]{ 1, 0 })
            {
                measureAll(new MqttSystem(server.port(), qos, version), sizes, count, warmup, seconds, failures,
                    rows, out);
            }
        }
        catch (final IOException ex)
        {
            failures.add("mosquitto: " + ex.getMessage());
            out.println("mqtt: FAILED to start mosquitto: " + ex.getMessage());
        }
    }

    /**
     * The first line a server prints for a version option, for labels.
     *
     * @return e.g. {@code nats-server: v2.9.10}, or the executable's name if it printed nothing in time.
     */
    private static String version(final Path executable, final String option)
    {
        final String name = String.valueOf(executable.getFileName());
        try
        {
            final Process process = new ProcessBuilder(executable.toString(), option).redirectErrorStream(true).start();
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                final String line = reader.readLine();
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
                return null == line || line.isBlank() ? name : line.trim();
            }
        }
        catch (final IOException ex)
        {
            return name;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return name;
        }
    }
}
