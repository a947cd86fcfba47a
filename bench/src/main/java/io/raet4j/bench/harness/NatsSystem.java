package io.raet4j.bench.harness;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Core NATS (not JetStream) as a {@link PubSubSystem}: a {@code nats-server} the pubsub section started on a loopback
 * port, and the {@code io.nats:jnats} client with its defaults, one connection per publisher or subscriber.
 * <ul>
 *     <li>{@link #roundTrip}: connection A publishes on {@code bench.ping} and waits in
 *     {@link Subscription#nextMessage(Duration)} on {@code bench.pong}; connection B publishes each ping back on
 *     {@code bench.pong} from its dispatcher thread.</li>
 *     <li>{@link #fanOut}: a publisher thread publishes on {@code bench.data} through its connection; each of the N
 *     subscriber connections counts in its dispatcher thread.</li>
 * </ul>
 * Core NATS delivers at most once and cuts off a slow consumer; with {@link FanOut}'s window nothing is dropped, and a
 * drop would fail the run.
 * <p>
 * Threading: each call opens its connections and closes them before it returns; NOT for calls from two threads at
 * once.
 */
public final class NatsSystem implements PubSubSystem
{
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "nats";
    /** Media of the rows. */
    public static final String MEDIA = "tcp";
    /** The server's executable, from Debian's {@code nats-server} package. */
    public static final String EXECUTABLE = "nats-server";
    /** Idle of the round-trip rows: every thread is the client library's or blocks in it. */
    public static final String IDLE = "blocking (jnats threads)";
    /** Idle of the fan-out rows. */
    public static final String FAN_OUT_IDLE = "blocking (jnats threads); publisher backs off (spin, yield, park)";
    /** Threading of the round-trip rows. */
    public static final String ROUND_TRIP_THREADING = "jnats, 2 connections: pinger on its own thread (publish, " +
        "then blocking nextMessage), ponger replying from its dispatcher thread; each connection has reader and " +
        "writer threads; nats-server a separate process";

    private static final String PING = "bench.ping";
    private static final String PONG = "bench.pong";
    private static final String DATA = "bench.data";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final int port;
    private final String serverVersion;

    /**
     * Against a running server.
     *
     * @param port          its loopback port.
     * @param serverVersion for the label, e.g. {@code nats-server: v2.9.10}.
     */
    public NatsSystem(final int port, final String serverVersion)
    {
        this.port = port;
        this.serverVersion = serverVersion;
    }

    /**
     * The server's command line: listen on 127.0.0.1 at a port, nothing else changed from its defaults.
     *
     * @param port the port.
     * @return the arguments after the executable.
     */
    static List<String> serverArguments(final int port)
    {
        return List.of("-a", "127.0.0.1", "-p", Integer.toString(port));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return "nats core pub/sub (" + serverVersion + ", jnats)";
    }

    /**
     * The threading text of a fan-out row.
     *
     * @param subscribers the fan-out.
     * @return the text.
     */
    static String fanOutThreading(final int subscribers)
    {
        return String.format(Locale.ROOT, "jnats, 1+%d connections: publisher thread (backs off while %d ahead of " +
            "the slowest subscriber) and its connection's reader and writer threads; each subscriber connection " +
            "with reader, writer and dispatcher threads (counts in the dispatcher); nats-server a separate process",
            subscribers, FanOut.WINDOW);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> roundTrip(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        if (sizeBytes < 8 || warmup < 0 || count < 1)
        {
            throw new IllegalArgumentException("need sizeBytes >= 8, warmup >= 0 and count >= 1");
        }
        final Histogram histogram = Rows.newHistogram();
        final Failures failures = new Failures();
        final List<Connection> connections = new ArrayList<>();
        try
        {
            final Connection pinger = connect("harness-ping", failures, connections);
            final Connection ponger = connect("harness-pong", failures, connections);
            final Dispatcher echo = ponger.createDispatcher((message) -> ponger.publish(PONG, message.getData()));
            echo.subscribe(PING);
            final Subscription pongs = pinger.subscribe(PONG);
            ponger.flush(TIMEOUT);
            pinger.flush(TIMEOUT);
            final int total = warmup + count;
            final long runStartNs = System.nanoTime();
            for (int i = 0; i < total; i++)
            {
                PubSubSystem.checkBudget("nats", runStartNs, i, total);
                final byte[] ping = new byte[sizeBytes];
                final long startNs = System.nanoTime();
                FanOut.number(ping, startNs);
                pinger.publish(PING, ping);
                final Message pong = pongs.nextMessage(TIMEOUT);
                final long rttNs = System.nanoTime() - startNs;
                failures.check();
                if (null == pong)
                {
                    throw new TimeoutException("nats: no pong within " + TIMEOUT);
                }
                if (!java.util.Arrays.equals(ping, pong.getData()))
                {
                    throw new IllegalStateException("nats: pong echoed another ping");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                }
            }
        }
        finally
        {
            closeAll(connections);
        }
        return Rows.latency(SYSTEM, MEDIA, false, sizeBytes, histogram, IDLE, ROUND_TRIP_THREADING);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> fanOut(final int sizeBytes, final int subscribers, final double seconds) throws Exception
    {
        final FanOut run = new FanOut("nats 1:" + subscribers, subscribers, sizeBytes);
        final Failures failures = new Failures(run::fail);
        final List<Connection> connections = new ArrayList<>();
        final FanOut.Window window;
        try
        {
            final Connection source = connect("harness-pub", failures, connections);
            for (int i = 0; i < subscribers; i++)
            {
                final int subscriber = i;
                final Connection sink = connect("harness-sub-" + i, failures, connections);
                sink.createDispatcher((message) -> run.onMessage(subscriber, message.getData())).subscribe(DATA);
                sink.flush(TIMEOUT);
            }
            window = run.run(List.of(new Thread(() -> publish(run, source, sizeBytes), "nats-pub")), seconds);
        }
        finally
        {
            closeAll(connections);
        }
        return Rows.throughput(SYSTEM, PubSubSystem.fanOutMedia(MEDIA, subscribers), false, sizeBytes,
            window.publications(), window.seconds(), FAN_OUT_IDLE, fanOutThreading(subscribers));
    }

    private static void publish(final FanOut run, final Connection source, final int sizeBytes)
    {
        try
        {
            final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            long sequence = 0;
            long limit = 0;
            while (run.isPublishing())
            {
                if (sequence >= limit)
                {
                    limit = run.limit();
                    if (sequence >= limit)
                    {
                        idle.idle(0);
                        continue;
                    }
                    idle.reset();
                }
                // jnats keeps the array until its writer thread sends it: a new one per publication.
                final byte[] data = new byte[sizeBytes];
                FanOut.number(data, sequence);
                source.publish(DATA, data);
                sequence++;
            }
            run.published(sequence);
        }
        catch (final RuntimeException ex)
        {
            run.fail(ex);
        }
    }

    private Connection connect(final String name, final Failures failures, final List<Connection> connections)
        throws IOException, InterruptedException
    {
        final Connection connection = Nats.connect(new Options.Builder()
            .server("nats://127.0.0.1:" + port)
            .connectionName(name)
            .noReconnect()
            .connectionTimeout(TIMEOUT)
            .errorListener(failures)
            .build());
        connections.add(connection);
        return connection;
    }

    private static void closeAll(final List<Connection> connections) throws InterruptedException
    {
        for (final Connection connection : connections)
        {
            connection.close();
        }
    }

    /**
     * The client's errors, which it reports on its own threads: the first is kept and fails the run.
     */
    private static final class Failures implements ErrorListener
    {
        private final java.util.concurrent.atomic.AtomicReference<Throwable> first =
            new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.function.Consumer<Throwable> sink;

        Failures()
        {
            this.sink = (cause) -> first.compareAndSet(null, cause);
        }

        Failures(final java.util.function.Consumer<Throwable> sink)
        {
            this.sink = sink;
        }

        void check()
        {
            final Throwable cause = first.get();
            if (null != cause)
            {
                throw new IllegalStateException("nats client: " + cause.getMessage(), cause);
            }
        }

        public void errorOccurred(final Connection connection, final String error)
        {
            sink.accept(new IllegalStateException("server error: " + error));
        }

        public void exceptionOccurred(final Connection connection, final Exception exception)
        {
            sink.accept(exception);
        }

        public void slowConsumerDetected(final Connection connection, final Consumer consumer)
        {
            sink.accept(new IllegalStateException("slow consumer: messages dropped at " +
                connection.getOptions().getConnectionName()));
        }
    }
}
