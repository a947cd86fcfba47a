package io.raet4j.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Entry point of {@code raet4j-bench.jar}.
 * <ul>
 *     <li>{@code pingpong [--count N] [--size B] [--warmup N] [--rounds R] [--out FILE]}: {@link PingPong},
 *     raet4j against raw UDP round trips in one run.</li>
 *     <li>{@code jmh [args...]}: JMH's own command line ({@code org.openjdk.jmh.Main}), e.g.
 *     {@code jmh StackPathsBenchmark -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s}.</li>
 *     <li>{@code alloc [seconds]}: {@link AllocProbe}, bytes allocated per operation by the benchmark thread
 *     alone.</li>
 *     <li>{@code harness [--quick] [--sizes ...]}: {@link io.raet4j.bench.harness.Harness}, raw UDP, raet4j
 *     (UDP encrypted and clear, lane) and Aeron (UDP, IPC) side by side, latency and throughput per size, scale.</li>
 *     <li>no argument: the ping-pong, then every benchmark of this package with {@code -prof gc} and defaults
 *     suited to a 2-core machine: one fork, 3 warm-up and 5 measured iterations of 1 s.</li>
 * </ul>
 */
public final class BenchMain
{
    /** Benchmarks run by default: every {@code *Benchmark} class of this package. */
    public static final String INCLUDE = "io\\.raet4j\\.bench\\..*Benchmark\\..*";
    /** Where the default run writes JMH's JSON results, relative to the working directory. */
    public static final String JMH_RESULT = "bench/results/jmh-latest.json";

    private BenchMain()
    {
    }

    /**
     * Run the command named by the first argument.
     *
     * @param args command and its arguments.
     * @throws Exception if the command fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (0 == args.length)
        {
            PingPong.main(new String[0]);
            System.out.println();
            runDefaultJmh();
            return;
        }

        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0])
        {
            case "pingpong":
                PingPong.main(rest);
                break;
            case "jmh":
                org.openjdk.jmh.Main.main(rest);
                break;
            case "alloc":
                AllocProbe.main(rest);
                break;
            case "harness":
                io.raet4j.bench.harness.Harness.main(rest);
                break;
            case "memory":
                MemoryPairThroughput.main(rest);
                break;
            case "priority":
                io.raet4j.bench.harness.PubSubSection.priorityMain(rest);
                break;
            default:
                System.err.println("usage: java -jar raet4j-bench.jar " +
                    "[pingpong [--count N] [--size B] [--encryption on|off] [--warmup N] [--rounds R] [--out FILE] | " +
                    "jmh [jmh args...] | alloc [seconds] | harness [--quick] ... | " +
                    "memory [--encryption on|off] [--size B] [--seconds S] | priority [SECONDS]]");
                System.exit(2);
        }
    }

    private static void runDefaultJmh() throws Exception
    {
        final Path result = Path.of(JMH_RESULT);
        final Path parent = result.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        final Options options = new OptionsBuilder()
            .include(INCLUDE)
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .jvmArgsAppend(BenchDefaults.ADD_OPENS)
            .resultFormat(ResultFormatType.JSON)
            .result(result.toString())
            .build();
        new Runner(options).run();
        System.out.println("wrote " + result.toAbsolutePath());
    }
}
