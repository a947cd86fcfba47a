package io.raet4j.examples;

import io.raet4j.pubsub.Reply;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the {@code reactor} and {@code rxjava} examples share: the estates ({@link ReactiveMesh}), the run (subscribe,
 * start the duty cycles, publish the readings from another thread, run the framework's pipeline), the counts the
 * pipelines report into ({@link Stats}), and the JSON last line.
 * <p>
 * Threading: {@link #run} on the command's thread; {@link Stats} from the frameworks' threads.
 */
final class ReactiveExample
{
    /** Readings the pipelines take: every reading of every sensor topic. */
    static final int READINGS = ReactiveMesh.READINGS_PER_TOPIC * ReactiveMesh.SENSOR_TOPICS.size();
    /** Temperature readings among them. */
    static final int TEMPERATURES = ReactiveMesh.READINGS_PER_TOPIC * 2;
    /** Most retries of one conversion. */
    static final int MAX_RETRIES = 20;
    /** The estates and the pipeline, for usage texts. */
    static final String DESCRIPTION =
        "Five estates in this process on loopback, each duty cycle on its own thread: sensors publishes " +
        ReactiveMesh.READINGS_PER_TOPIC + " readings\n" +
        "on each of " + ReactiveMesh.SENSOR_TOPICS + ", a converter answers svc.convert (and stalls for " +
        ReactiveMesh.STALL_MS + " ms\n" +
        "after " + ReactiveMesh.STALL_AFTER + " answers), quote-a and quote-b answer svc.quote (quote-b slowly). The " +
        "pipeline fans in sensor.*.temp and\n" +
        "sensor.*.humidity, parses the readings, converts each temperature through svc.convert with a timeout and " +
        "retries,\n" +
        "and asks every svc.quote responder, keeping the fastest reply.\n";
    /** The last line's fields. */
    static final String RESULT =
        "{\"readings\",\"temperatures\",\"humidities\",\"converted\",\"inOrder\",\"timeouts\"," +
        "\"retries\",\"fastest\",\"quotes\",\"seconds\"}; exit status 0 if every temperature was converted once, in " +
        "order.";

    /**
     * A framework's pipeline over the estates.
     */
    interface Pipeline
    {
        /**
         * Subscribe to the topics the pipeline reads, on the setup thread before the estates run.
         *
         * @param mesh the estates.
         */
        void subscribe(ReactiveMesh mesh);

        /**
         * Run the pipeline to its end, on the calling thread (blocking at its end, as an example may).
         *
         * @param mesh  the estates, running.
         * @param stats to count into.
         * @return the fastest quote.
         * @throws Exception if the pipeline fails.
         */
        Reply run(ReactiveMesh mesh, Stats stats) throws Exception;
    }

    private final Path statusParent;

    ReactiveExample(final Path statusParent)
    {
        this.statusParent = statusParent;
    }

    /**
     * Run a pipeline against fresh estates and print its result.
     *
     * @param out      where the lines go.
     * @param pipeline the framework's.
     * @return the exit status.
     */
    int run(final PrintStream out, final Pipeline pipeline)
    {
        final long startNs = System.nanoTime();
        final Stats stats = new Stats(out);
        final Json result = new Json();
        Reply fastest = null;
        String error = null;
        try (ReactiveMesh mesh = new ReactiveMesh(statusParent))
        {
            pipeline.subscribe(mesh);
            mesh.start();
            final Thread sensors = new Thread(mesh::publishReadings, "sensors-publishing");
            sensors.start();
            fastest = pipeline.run(mesh, stats);
            sensors.join();
        }
        catch (final Exception ex)
        {
            error = ex.toString();
        }
        if (null != error)
        {
            result.put("error", error);
        }
        final boolean isClean = null == error && stats.isComplete();
        out.println(result
            .put("readings", stats.readings.get())
            .put("temperatures", stats.temperatures.get())
            .put("humidities", stats.humidities.get())
            .put("converted", stats.converted.get())
            .put("inOrder", stats.isInOrder)
            .put("timeouts", stats.timeouts.get())
            .put("retries", stats.retries.get())
            .put("fastest", null == fastest ? "" : new String(fastest.payload(), StandardCharsets.US_ASCII))
            .put("quotes", stats.quotes)
            .put("seconds", (System.nanoTime() - startNs) / 1e9));
        return isClean ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    /**
     * What a pipeline saw.
     */
    static final class Stats
    {
        final AtomicLong readings = new AtomicLong();
        final AtomicLong temperatures = new AtomicLong();
        final AtomicLong humidities = new AtomicLong();
        final AtomicLong converted = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        private final Map<String, Integer> lastConverted = new HashMap<>();
        private final PrintStream out;
        volatile boolean isInOrder = true;
        /** Replies the quote request gathered in all (the fastest kept, the others counted). */
        volatile int quotes;

        Stats(final PrintStream out)
        {
            this.out = out;
        }

        /**
         * A reading passed through the pipeline.
         *
         * @param reading the reading.
         */
        void onReading(final ReactiveMesh.Reading reading)
        {
            readings.incrementAndGet();
            (reading.isTemperature() ? temperatures : humidities).incrementAndGet();
        }

        /**
         * A temperature came back converted.
         *
         * @param reading    the temperature.
         * @param fahrenheit the converter's reply.
         * @return the line printed.
         */
        synchronized String onConversion(final ReactiveMesh.Reading reading, final String fahrenheit)
        {
            converted.incrementAndGet();
            final Integer last = lastConverted.put(reading.topic(), reading.sequence());
            if (reading.sequence() != (null == last ? 0 : last + 1))
            {
                isInOrder = false;
            }
            final String line = String.format(Locale.ROOT, "%s #%d: %.1f C = %s F", reading.topic(),
                reading.sequence(), reading.value(), fahrenheit);
            out.println(line);
            return line;
        }

        boolean isComplete()
        {
            return READINGS == readings.get() && TEMPERATURES == converted.get() && isInOrder && quotes > 0;
        }
    }
}
