package io.raet4j.bench.harness;

import io.aeron.driver.ThreadingMode;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Aeron configuration the harness compares raet4j against: for one media and MTU, every driver
 * {@link ThreadingMode} (DEDICATED, SHARED_NETWORK, SHARED) times every {@link AeronSystem.Idle} (the same strategy
 * for the driver agents and the application threads; for IPC also a backoff driver with busy-spinning application
 * threads, since the driver is off the IPC data path) gets a short 32 B ping-pong ({@value #LATENCY_WARMUP} warm-up
 * and {@value #LATENCY_COUNT} recorded round trips, cut short after 0.3 s and 1.2 s) and a short one-way run
 * ({@value #THROUGHPUT_WARMUP_S} s warm-up, {@value #THROUGHPUT_S} s measured), each trial on its own embedded
 * driver. A trial that fails is reported and skipped. Each media takes about 30 to 40 s on 2 cores.
 * <p>
 * The best for latency is the lowest p50 round trip among the steady trials, those whose mean round trip is at most
 * {@value #MAX_MEAN_RTT_US} us and whose p99 is at most {@value #MAX_P99_OVER_P50} times their p50; p50s within
 * {@value #P50_TIE_FRACTION} of the lowest count as a tie, which the lower p99 wins (short trials on a shared
 * machine do not resolve smaller differences). If no trial is steady, the lowest mean wins. The guards matter on
 * 2 cores, where the median alone misleads: with more spinning threads than cores a configuration can show a
 * sub-microsecond median while the threads it starves make one round trip in a hundred take milliseconds (IPC with a
 * busy-spinning DEDICATED driver: p50 0.9 us, p99 8.7 ms, mean 420 us), and with backoff idling IPC showed p50
 * 0.3 us next to p99 122 us where busy spin gave p50 0.7 us and p99 0.9 us. The best for throughput is the most
 * verified messages per second.
 * <p>
 * {@link #best(String, int)} caches its answer for the life of the JVM. Usage:
 * {@code java -cp raet4j-bench.jar io.raet4j.bench.harness.AeronSweep [udp] [ipc] [--mtu BYTES]}.
 */
public final class AeronSweep
{
    /** Message size of the sweep. */
    public static final int SIZE_BYTES = 32;
    /** Warm-up round trips of a latency trial, at most. */
    public static final int LATENCY_WARMUP = 5_000;
    /** Recorded round trips of a latency trial, at most. */
    public static final int LATENCY_COUNT = 20_000;
    /** Warm-up of a throughput trial, seconds. */
    public static final double THROUGHPUT_WARMUP_S = 0.4;
    /** Measured window of a throughput trial, seconds. */
    public static final double THROUGHPUT_S = 1.0;
    /** A trial qualifies for the best latency if its mean round trip is at most this, microseconds. */
    public static final double MAX_MEAN_RTT_US = 100.0;
    /** A trial qualifies for the best latency if its p99 round trip is at most this many times its p50. */
    public static final double MAX_P99_OVER_P50 = 10.0;
    /** p50 round trips within this fraction of the lowest p50 of the steady trials tie; the lower p99 wins. */
    public static final double P50_TIE_FRACTION = 0.1;
    /** Threading modes tried. */
    public static final List<ThreadingMode> MODES =
        List.of(ThreadingMode.DEDICATED, ThreadingMode.SHARED_NETWORK, ThreadingMode.SHARED);

    private static final long LATENCY_WARMUP_BUDGET_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long LATENCY_BUDGET_NS = TimeUnit.MILLISECONDS.toNanos(1200);
    private static final Map<String, Best> CACHE = new ConcurrentHashMap<>();

    private AeronSweep()
    {
    }

    /**
     * The figures of one configuration.
     *
     * @param config       tried.
     * @param roundTrips   recorded, 0 if the ping-pong failed.
     * @param p50Us        round trip, microseconds.
     * @param p99Us        round trip, microseconds.
     * @param p999Us       round trip, microseconds.
     * @param maxUs        round trip, microseconds.
     * @param meanUs       round trip, microseconds.
     * @param msgsPerSec   verified one-way messages per second, 0 if the run failed.
     * @param trialSeconds wall time of the trial, driver start and stop included.
     * @param error        why a run failed, empty if none did.
     */
    public record Trial(
        AeronSystem.Config config,
        long roundTrips,
        double p50Us,
        double p99Us,
        double p999Us,
        double maxUs,
        double meanUs,
        double msgsPerSec,
        double trialSeconds,
        String error)
    {
        /**
         * Whether the ping-pong produced figures.
         *
         * @return true if round trips were recorded.
         */
        public boolean hasLatency()
        {
            return roundTrips > 0;
        }

        /**
         * Whether the one-way run produced a figure.
         *
         * @return true if messages were counted.
         */
        public boolean hasThroughput()
        {
            return msgsPerSec > 0;
        }

        /**
         * One line of the sweep table.
         *
         * @return the line.
         */
        public String toTableRow()
        {
            final String idle = config.driverIdle() == config.appIdle() ?
                config.appIdle().label() : config.driverIdle().label() + "/" + config.appIdle().label();
            return String.format(Locale.ROOT, "%-14s %-17s %6d %8.1f %8.1f %8.1f %9.1f %8.1f %11.0f %5.1f  %s",
                config.threadingMode(), idle, roundTrips, p50Us, p99Us, p999Us, maxUs, meanUs,
                msgsPerSec, trialSeconds, error);
        }
    }

    /**
     * Result of a sweep of one media and MTU.
     *
     * @param media      {@value AeronSystem#MEDIA_UDP} or {@value AeronSystem#MEDIA_IPC}.
     * @param mtuBytes   of every trial.
     * @param latency    trial with the lowest p50 round trip among the steady ones, near-ties broken by p99 (see
     *                   {@link AeronSweep}).
     * @param throughput trial with the most messages per second.
     * @param trials     every trial, in the order run.
     */
    public record Best(String media, int mtuBytes, Trial latency, Trial throughput, List<Trial> trials)
    {
        /**
         * Configuration to measure latency with.
         *
         * @return {@code latency().config()}.
         */
        public AeronSystem.Config latencyConfig()
        {
            return latency.config();
        }

        /**
         * Configuration to measure throughput with.
         *
         * @return {@code throughput().config()}.
         */
        public AeronSystem.Config throughputConfig()
        {
            return throughput.config();
        }
    }

    /**
     * The best configurations of a media at MTU {@value AeronSystem#MTU_DEFAULT}, sweeping on the first call and
     * printing the table to standard output.
     *
     * @param media {@value AeronSystem#MEDIA_UDP} or {@value AeronSystem#MEDIA_IPC}.
     * @return the best configurations.
     */
    public static Best best(final String media)
    {
        return best(media, AeronSystem.MTU_DEFAULT);
    }

    /**
     * The best configurations of a media and MTU, sweeping on the first call for this pair and printing the table to
     * standard output; later calls return the cached answer.
     *
     * @param media    {@value AeronSystem#MEDIA_UDP} or {@value AeronSystem#MEDIA_IPC}.
     * @param mtuBytes e.g. {@value AeronSystem#MTU_DEFAULT} or {@value MtuBench#JUMBO_MTU}.
     * @return the best configurations.
     */
    public static synchronized Best best(final String media, final int mtuBytes)
    {
        final String key = media + "/" + mtuBytes;
        Best best = CACHE.get(key);
        if (null == best)
        {
            best = sweep(media, mtuBytes, System.out);
            CACHE.put(key, best);
        }
        return best;
    }

    /**
     * Run every trial of a media and MTU and print the table.
     *
     * @param media    {@value AeronSystem#MEDIA_UDP} or {@value AeronSystem#MEDIA_IPC}.
     * @param mtuBytes of every trial.
     * @param out      for the table, one line per trial as it completes.
     * @return the best configurations.
     * @throws IllegalStateException if no trial produced a latency or a throughput figure.
     */
    public static Best sweep(final String media, final int mtuBytes, final PrintStream out)
    {
        final long startNs = System.nanoTime();
        out.printf(Locale.ROOT, "aeron sweep: %s, MTU %d B, %d B messages, idle = driver agents and app threads%n",
            media, mtuBytes, SIZE_BYTES);
        out.printf(Locale.ROOT, "%-14s %-17s %6s %8s %8s %8s %9s %8s %11s %5s%n",
            "mode", "idle driver/app", "RTs", "p50 us", "p99 us", "p99.9 us", "max us", "mean us", "msgs/s", "s");
        final List<Trial> trials = new ArrayList<>();
        for (final ThreadingMode mode : MODES)
        {
            for (final AeronSystem.Idle[] idle : idlePairs(media))
            {
                final Trial trial = trial(AeronSystem.Config.of(media)
                    .withMtuBytes(mtuBytes).withThreadingMode(mode).withIdle(idle[0], idle[1]));
                out.println(trial.toTableRow());
                out.flush();
                trials.add(trial);
            }
        }

        final double lowestP50Us = trials.stream()
            .filter(AeronSweep::isSteady).mapToDouble(Trial::p50Us).min().orElse(Double.NaN);
        final Optional<Trial> latency = trials.stream()
            .filter((trial) -> isSteady(trial) && trial.p50Us() <= lowestP50Us * (1.0 + P50_TIE_FRACTION))
            .min(Comparator.comparingDouble(Trial::p99Us).thenComparingDouble(Trial::p50Us))
            .or(() -> trials.stream().filter(Trial::hasLatency).min(Comparator.comparingDouble(Trial::meanUs)));
        final Optional<Trial> throughput = trials.stream().filter(Trial::hasThroughput)
            .max(Comparator.comparingDouble(Trial::msgsPerSec));
        if (latency.isEmpty() || throughput.isEmpty())
        {
            throw new IllegalStateException("aeron sweep " + media + ": no trial succeeded");
        }
        final Best best = new Best(media, mtuBytes, latency.get(), throughput.get(), List.copyOf(trials));
        out.printf(Locale.ROOT, "best latency:    %s (p50 %.1f us, p99 %.1f us, mean %.1f us)%n",
            best.latencyConfig().describe(), best.latency().p50Us(), best.latency().p99Us(), best.latency().meanUs());
        out.printf(Locale.ROOT, "best throughput: %s (%.0f msgs/s)%n",
            best.throughputConfig().describe(), best.throughput().msgsPerSec());
        out.printf(Locale.ROOT, "sweep took %.1f s%n", (System.nanoTime() - startNs) / 1e9);
        return best;
    }

    private static List<AeronSystem.Idle[]> idlePairs(final String media)
    {
        final List<AeronSystem.Idle[]> pairs = new ArrayList<>();
        for (final AeronSystem.Idle idle : AeronSystem.Idle.values())
        {
            pairs.add(new AeronSystem.Idle[]{ idle, idle });
        }
        if (AeronSystem.MEDIA_IPC.equals(media))
        {
            // The driver is off the IPC data path: let it park and give both cores to the application threads.
            pairs.add(new AeronSystem.Idle[]{ AeronSystem.Idle.BACKOFF, AeronSystem.Idle.BUSY_SPIN });
        }
        return pairs;
    }

    private static boolean isSteady(final Trial trial)
    {
        return trial.hasLatency() &&
            trial.meanUs() <= MAX_MEAN_RTT_US &&
            trial.p99Us() <= MAX_P99_OVER_P50 * trial.p50Us();
    }

    private static Trial trial(final AeronSystem.Config config)
    {
        final long startNs = System.nanoTime();
        final StringBuilder error = new StringBuilder();
        Histogram histogram = null;
        double msgsPerSec = 0;
        try (AeronSystem system = new AeronSystem(config))
        {
            try
            {
                histogram = system.latencyHistogram(
                    SIZE_BYTES, LATENCY_WARMUP, LATENCY_WARMUP_BUDGET_NS, LATENCY_COUNT, LATENCY_BUDGET_NS);
            }
            catch (final Exception ex)
            {
                error.append("latency: ").append(ex.getMessage()).append(' ');
            }
            try
            {
                msgsPerSec = system.messagesPerSecond(SIZE_BYTES, THROUGHPUT_S, THROUGHPUT_WARMUP_S);
            }
            catch (final Exception ex)
            {
                error.append("throughput: ").append(ex.getMessage());
            }
        }
        catch (final RuntimeException ex)
        {
            error.append("driver: ").append(ex.getMessage());
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        if (null == histogram)
        {
            return new Trial(config, 0, 0, 0, 0, 0, 0, msgsPerSec, seconds, error.toString().trim());
        }
        return new Trial(
            config,
            histogram.getTotalCount(),
            histogram.getValueAtPercentile(50.0) / 1e3,
            histogram.getValueAtPercentile(99.0) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getMaxValue() / 1e3,
            histogram.getMean() / 1e3,
            msgsPerSec,
            seconds,
            error.toString().trim());
    }

    /**
     * Sweep the media named (default udp and ipc) at MTU {@value AeronSystem#MTU_DEFAULT} or {@code --mtu BYTES}.
     *
     * @param args media names and an optional {@code --mtu BYTES}.
     */
    public static void main(final String[] args)
    {
        final List<String> media = new ArrayList<>();
        int mtuBytes = AeronSystem.MTU_DEFAULT;
        for (int i = 0; i < args.length; i++)
        {
            if ("--mtu".equals(args[i]) && i + 1 < args.length)
            {
                mtuBytes = Integer.parseInt(args[++i]);
            }
            else
            {
                media.add(args[i]);
            }
        }
        if (media.isEmpty())
        {
            media.add(AeronSystem.MEDIA_UDP);
            media.add(AeronSystem.MEDIA_IPC);
        }
        for (final String name : media)
        {
            best(name, mtuBytes);
            System.out.println();
        }
    }
}
