package io.raet4j.examples;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The estates the {@code reactor} and {@code rxjava} examples run against, in this process over UDP on loopback, each
 * layer's duty cycle on a thread of its own (backoff idle), so that the pipelines run on the frameworks' threads and
 * reach raet4j only through its any-thread handles:
 * <ul>
 *     <li>{@code sensors} publishes {@value #READINGS_PER_TOPIC} readings on each of {@code sensor.kitchen.temp},
 *     {@code sensor.garage.temp} and {@code sensor.kitchen.humidity} (payload {@code "TOPIC=VALUE#SEQUENCE"}), from
 *     the calling thread through a {@link ConcurrentPublisher}, once {@link #publishReadings()} is called;</li>
 *     <li>{@code converter} answers {@code svc.convert} (Celsius in, Fahrenheit out); after its
 *     {@value #STALL_AFTER}th answer it stalls for {@value #STALL_MS} ms (its duty cycle stops, as a paused process
 *     would), so that a request made meanwhile times out in the pipeline and is retried;</li>
 *     <li>{@code quote-a} and {@code quote-b} both answer {@code svc.quote}; quote-b's duty cycle runs only every
 *     {@value #SLOW_CYCLE_MS} ms, so quote-a is the faster.</li>
 * </ul>
 * The {@code app} estate is the one the pipelines use: the others join it.
 * <p>
 * Threading: built and closed on one thread; {@link #publishReadings()} and the handles from any thread.
 */
final class ReactiveMesh implements AutoCloseable
{
    /** Readings published per sensor topic. */
    static final int READINGS_PER_TOPIC = 20;
    /** The sensor topics. */
    static final List<String> SENSOR_TOPICS =
        List.of("sensor.kitchen.temp", "sensor.garage.temp", "sensor.kitchen.humidity");
    /** Answers of the converter before it stalls. */
    static final int STALL_AFTER = 5;
    /** How long the converter stalls. */
    static final long STALL_MS = 800;
    /** Period of quote-b's duty cycle. */
    static final long SLOW_CYCLE_MS = 20;
    private static final long SETUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    final PubSub app;
    final PubSub sensors;
    final PubSub converter;
    final PubSub quoteA;
    final PubSub quoteB;
    /** The app's any-thread requests. */
    final ConcurrentPublisher requests;
    /** The app's request topics. */
    final Publisher convert;
    final Publisher quote;
    final AtomicLong conversions = new AtomicLong();
    private final ConcurrentPublisher sensorOut;
    private final List<Publisher> sensorTopics = new ArrayList<>();
    private final List<PubSub> layers = new ArrayList<>();
    private final List<Thread> dutyCycles = new ArrayList<>();
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private volatile long converterStalledUntilNs;

    /**
     * Launch the estates, register the responders, join everyone to the app.
     *
     * @param statusParent parent of the status directories, or null for the default.
     */
    ReactiveMesh(final Path statusParent)
    {
        app = launch("app", statusParent);
        sensors = launch("sensors", statusParent);
        converter = launch("converter", statusParent);
        quoteA = launch("quote-a", statusParent);
        quoteB = launch("quote-b", statusParent);
        converter.respond("svc.convert", (topic, from, buffer, offset, length, replier) ->
        {
            final double celsius = Double.parseDouble(buffer.getStringWithoutLengthAscii(offset, length));
            final UnsafeBuffer reply = ascii(String.format(Locale.ROOT, "%.1f", celsius * 9 / 5 + 32));
            replier.reply(reply, 0, reply.capacity());
            if (STALL_AFTER == conversions.incrementAndGet())
            {
                converterStalledUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_MS);
            }
        });
        quoteA.respond("svc.quote", (topic, from, buffer, offset, length, replier) ->
            replier.reply(ascii("quote-a:101.5"), 0, 13));
        quoteB.respond("svc.quote", (topic, from, buffer, offset, length, replier) ->
            replier.reply(ascii("quote-b:101.7"), 0, 13));
        for (final String topic : SENSOR_TOPICS)
        {
            sensorTopics.add(sensors.publisher(topic));
        }
        sensorOut = ConcurrentPublisher.attach(sensors);
        requests = ConcurrentPublisher.attach(app);
        convert = app.publisher("svc.convert");
        quote = app.publisher("svc.quote");
        final String hub = "127.0.0.1:" + ((InetSocketAddress)app.stack().localAddress()).getPort();
        for (final PubSub layer : List.of(sensors, converter, quoteA, quoteB))
        {
            layer.stack().join(hub);
        }
        runUntil(() -> 1 == convert.remoteResponders() && 2 == quote.remoteResponders());
    }

    /**
     * Run until the sensors see the app's interest in every sensor topic, then hand every layer to a duty-cycle
     * thread of its own. Subscribe the app (on this thread) before.
     */
    void start()
    {
        runUntil(() -> sensorTopics.stream().allMatch((topic) -> 1 == topic.remoteSubscribers()));
        for (final PubSub layer : layers)
        {
            layer.stack().handOver();
            final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 200_000);
            final Thread thread = new Thread(() -> runLayer(layer, idle), "duty-" + layer.stack().name());
            thread.setDaemon(true);
            dutyCycles.add(thread);
            thread.start();
        }
    }

    /**
     * Publish every reading, from the calling thread, as fast as the publisher's ring takes them.
     */
    void publishReadings()
    {
        for (int i = 0; i < READINGS_PER_TOPIC; i++)
        {
            for (int t = 0; t < SENSOR_TOPICS.size(); t++)
            {
                final String topic = SENSOR_TOPICS.get(t);
                final double value = topic.endsWith(".temp") ? 18.0 + t + i * 0.5 : 40.0 + i;
                final UnsafeBuffer reading = ascii(String.format(Locale.ROOT, "%s=%.1f#%d", topic, value, i));
                while (ConcurrentPublisher.OFFERED != sensorOut.publish(sensorTopics.get(t), reading, 0,
                    reading.capacity()))
                {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /**
     * A reading from its payload.
     *
     * @param payload as published.
     * @return the reading.
     */
    static Reading reading(final byte[] payload)
    {
        final String text = new String(payload, StandardCharsets.US_ASCII);
        final int equals = text.indexOf('=');
        final int hash = text.indexOf('#');
        return new Reading(text.substring(0, equals), Double.parseDouble(text.substring(equals + 1, hash)),
            Integer.parseInt(text.substring(hash + 1)));
    }

    static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    static String ascii(final DirectBuffer buffer, final int offset, final int length)
    {
        return buffer.getStringWithoutLengthAscii(offset, length);
    }

    /**
     * Stop the duty-cycle threads and close every layer.
     */
    @Override
    public void close()
    {
        isRunning.set(false);
        for (final Thread thread : dutyCycles)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final PubSub layer : layers)
        {
            layer.stack().handOver();
        }
        CloseHelper.quietCloseAll(layers);
    }

    private void runLayer(final PubSub layer, final IdleStrategy idle)
    {
        while (isRunning.get())
        {
            if (layer == converter && System.nanoTime() < converterStalledUntilNs)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // stalled: no duty cycle at all
                continue;
            }
            final int work = layer.doWork();
            if (layer == quoteB)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SLOW_CYCLE_MS));
            }
            else
            {
                idle.idle(work);
            }
        }
        layer.stack().handOver();
    }

    private void runUntil(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + SETUP_TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("the example's estates did not join and tell their interest " +
                    "within 30 s");
            }
            for (final PubSub layer : layers)
            {
                layer.doWork();
            }
        }
    }

    private PubSub launch(final String name, final Path statusParent)
    {
        final Context transport = new Context().name(name).bindAddress("127.0.0.1:0");
        if (null != statusParent)
        {
            transport.statusDir(statusParent.resolve(name + "-" + ProcessHandle.current().pid()));
        }
        final PubSub pubSub = PubSub.launch(new PubSubContext(new StackContext(transport)
            .maxMessageBytes(64 * 1024)).introductions(false));
        layers.add(pubSub);
        return pubSub;
    }

    /**
     * A sensor reading.
     *
     * @param topic    it was published on.
     * @param value    the measure.
     * @param sequence its number on its topic, from 0.
     */
    record Reading(String topic, double value, int sequence)
    {
        boolean isTemperature()
        {
            return topic.endsWith(".temp");
        }
    }
}
