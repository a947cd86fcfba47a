package io.raet4j.bench.harness;

import io.raet4j.pubsub.Delivery;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * raet4j's pub/sub layer as a {@link PubSubSystem}: one estate per {@link PubSub} (each its own stack on loopback UDP,
 * encrypted or clear, in {@link Context.ThreadingMode#INVOKER} mode with busy spin), the subscribers joined to the
 * publisher (introductions off, so the estates form a star), reliable NORMAL delivery. Each run launches fresh
 * estates in a private temporary directory, joins them and waits for the interest on the calling thread, then hands
 * each stack to the thread that drives it.
 * <ul>
 *     <li>{@link #roundTrip}: two estates, each driven by its own thread.</li>
 *     <li>{@link #fanOut}: the publisher's estate on its own thread; the subscribers' estates on
 *     {@code min(N, subscriberThreads)} driver threads, each running the duty cycles of its share of the estates in
 *     turn. With {@code subscriberThreads} at CPUs - 1 (the default) a 2-CPU machine runs 16 subscriber estates on one
 *     shared thread, and the row says so: sixteen busy-spinning threads on two CPUs would measure the scheduler.</li>
 * </ul>
 * Threading: each call starts its threads and joins them before it returns; NOT for calls from two threads at once.
 */
public final class RaetPubSubSystem implements PubSubSystem
{
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "raet4j-pubsub";
    /** Media of the rows: loopback UDP. */
    public static final String MEDIA = "udp";
    /** System property: print both stacks' non-zero counters after each priority run. */
    public static final String PRIORITY_COUNTERS_PROP_NAME = "raet4j.bench.priority.counters";
    /** Threading of the round-trip rows. */
    public static final String ROUND_TRIP_THREADING = "invoker, 1 stack per thread, 2 threads";

    private static final String PING = "bench.ping";
    private static final String PONG = "bench.pong";
    private static final String DATA = "bench.data";
    private static final long ROUND_TRIP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int PUBLISH_BURST = 64;

    private final boolean encryption;
    private final int subscriberThreads;
    private String lastRunCounters = "";

    /**
     * A configured system.
     *
     * @param encryption        whether the stacks seal their packets.
     * @param subscriberThreads most threads driving subscriber estates in a fan-out run, 1 or more.
     */
    public RaetPubSubSystem(final boolean encryption, final int subscriberThreads)
    {
        if (subscriberThreads < 1)
        {
            throw new IllegalArgumentException("subscriberThreads must be at least 1: " + subscriberThreads);
        }
        this.encryption = encryption;
        this.subscriberThreads = subscriberThreads;
    }

    /**
     * The default for this machine: subscriber estates on at most CPUs - 1 threads (at least one).
     *
     * @param encryption whether the stacks seal their packets.
     * @return the system.
     */
    public static RaetPubSubSystem udp(final boolean encryption)
    {
        return new RaetPubSubSystem(encryption, Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return String.format(Locale.ROOT, "raet4j pub/sub udp (%s, %s, invoker)",
            encryption ? "encrypted" : "clear", RaetSystem.BUSY_SPIN);
    }

    /**
     * Counters of the last run, for progress output: what the publisher's stack sent and retransmitted, and what
     * its subscribers acknowledged.
     *
     * @return one line, empty before the first run.
     */
    public String lastRunCounters()
    {
        return lastRunCounters;
    }

    /**
     * The threading text of a fan-out row.
     *
     * @param subscribers the fan-out.
     * @param threads     threads driving the subscriber estates.
     * @return the text.
     */
    static String fanOutThreading(final int subscribers, final int threads)
    {
        if (threads >= subscribers)
        {
            return String.format(Locale.ROOT, "invoker, 1 stack per thread, 1+%d threads", subscribers);
        }
        return String.format(Locale.ROOT, "invoker; publisher's stack on 1 thread, the %d subscribers' stacks " +
            "shared round-robin by %d driver thread%s (CPUs - 1); 1+%d threads", subscribers, threads,
            1 == threads ? "" : "s", threads);
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
        try (Estates estates = new Estates(2))
        {
            final PubSub alpha = estates.layers[0];
            final PubSub beta = estates.layers[1];
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Ponger ponger = new Ponger(beta, sizeBytes, failure);
            final Pinger pinger = new Pinger(alpha, sizeBytes, warmup, count, histogram, failure, ponger);
            beta.subscribe(PING, ponger::onPublication);
            alpha.subscribe(PONG, pinger::onPublication);
            final Publisher ping = alpha.publisher(PING);
            final Publisher pong = beta.publisher(PONG);
            estates.joinAll(() -> 1 == ping.remoteSubscribers() && 1 == pong.remoteSubscribers());
            final Thread pongThread = new Thread(ponger, "raet4j-pubsub-pong");
            final Thread pingThread = new Thread(pinger, "raet4j-pubsub-ping");
            pongThread.start();
            pingThread.start();
            pingThread.join();
            ponger.isRunning = false;
            pongThread.join(TimeUnit.SECONDS.toMillis(30));
            lastRunCounters = estates.counters();
            final Throwable cause = failure.get();
            if (null != cause)
            {
                throw new IllegalStateException("raet4j pub/sub ping-pong failed: " + cause, cause);
            }
        }
        return Rows.latency(SYSTEM, MEDIA, encryption, sizeBytes, histogram, RaetSystem.BUSY_SPIN,
            ROUND_TRIP_THREADING);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> fanOut(final int sizeBytes, final int subscribers, final double seconds) throws Exception
    {
        final FanOut run = new FanOut(label() + " 1:" + subscribers, subscribers, sizeBytes);
        final int threads = Math.min(subscribers, subscriberThreads);
        final FanOut.Window window;
        try (Estates estates = new Estates(1 + subscribers))
        {
            final PubSub source = estates.layers[0];
            for (int i = 0; i < subscribers; i++)
            {
                final int subscriber = i;
                estates.layers[1 + i].subscribe(DATA,
                    (topic, estateId, buffer, offset, length) -> run.onMessage(subscriber, buffer, offset, length));
            }
            final Publisher publisher = source.publisher(DATA);
            estates.joinAll(() -> subscribers == publisher.remoteSubscribers());

            final List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final List<PubSub> share = new ArrayList<>();
                for (int i = t; i < subscribers; i += threads)
                {
                    share.add(estates.layers[1 + i]);
                }
                all.add(new Thread(() -> drive(run, share), "raet4j-pubsub-sub-" + t));
            }
            all.add(new Thread(() -> publish(run, source, publisher, sizeBytes), "raet4j-pubsub-pub"));
            try
            {
                window = run.run(all, seconds);
            }
            finally
            {
                lastRunCounters = estates.counters();
            }
        }
        return Rows.throughput(SYSTEM, PubSubSystem.fanOutMedia(MEDIA, subscribers), encryption, sizeBytes,
            window.publications(), window.seconds(), RaetSystem.BUSY_SPIN, fanOutThreading(subscribers, threads));
    }

    /**
     * Priorities under contention ({@link PriorityRun}): two estates, each on its own thread, the urgent topic on the
     * given delivery, with or without the LOW bulk beside it.
     *
     * @param urgentDelivery delivery of the urgent topic: HIGH to jump the bulk, LOW to queue behind it.
     * @param withBulk       whether the bulk runs.
     * @param seconds        measured seconds, after {@link PriorityRun#WARMUP_NS} of warm-up.
     * @return rows of {@link PriorityRun#METRICS}, the media naming the case.
     * @throws Exception if the run fails.
     */
    public List<Row> priority(final Delivery urgentDelivery, final boolean withBulk, final double seconds)
        throws Exception
    {
        try (Estates estates = new Estates(2))
        {
            final PriorityRun run = new PriorityRun(estates.layers[0], estates.layers[1], urgentDelivery, withBulk);
            estates.joinAll(run::isReady);
            try
            {
                run.run(seconds);
            }
            finally
            {
                lastRunCounters = estates.counters();
                if (Boolean.getBoolean(PRIORITY_COUNTERS_PROP_NAME))
                {
                    System.out.print(estates.allCounters());
                }
            }
            return run.rows(SYSTEM, MEDIA, encryption, RaetSystem.BUSY_SPIN, ROUND_TRIP_THREADING);
        }
    }

    /**
     * The publisher's thread: publish numbered publications within the window until told to stop, then run the
     * duty cycle until every subscriber has them all.
     */
    private static void publish(final FanOut run, final PubSub source, final Publisher publisher, final int sizeBytes)
    {
        try
        {
            final IdleStrategy idle = new BusySpinIdleStrategy();
            final UnsafeBuffer message = Rows.messageBuffer(sizeBytes);
            final int subscribers = run.subscribers();
            long sequence = 0;
            long limit = 0;
            while (run.isPublishing())
            {
                int work = 0;
                if (sequence >= limit)
                {
                    limit = run.limit();
                }
                for (int i = 0; i < PUBLISH_BURST && sequence < limit; i++)
                {
                    message.putLong(0, sequence);
                    final long copies = publisher.publish(message, 0, sizeBytes);
                    if (copies != subscribers)
                    {
                        if (0 == copies && publisher.lastBackPressured() == subscribers)
                        {
                            break; // no estate took it: publish it again after the duty cycle
                        }
                        throw new IllegalStateException("publication " + sequence + " reached " + copies + " of " +
                            subscribers + " subscribers (" + publisher.lastBackPressured() + " back-pressured)");
                    }
                    sequence++;
                    work++;
                }
                work += source.doWork();
                idle.idle(work);
            }
            run.published(sequence);
            while (!run.isDone())
            {
                idle.idle(source.doWork());
            }
        }
        catch (final RuntimeException ex)
        {
            run.fail(ex);
        }
    }

    /**
     * A subscriber driver thread: run the duty cycles of its estates in turn until the run is done.
     */
    private static void drive(final FanOut run, final List<PubSub> share)
    {
        try
        {
            final IdleStrategy idle = new BusySpinIdleStrategy();
            final PubSub[] layers = share.toArray(new PubSub[0]);
            while (!run.isDone())
            {
                int work = 0;
                for (final PubSub layer : layers)
                {
                    work += layer.doWork();
                }
                idle.idle(work);
            }
        }
        catch (final RuntimeException ex)
        {
            run.fail(ex);
        }
    }

    /**
     * Alpha's loop: for each round trip publish a ping holding the send time, then run the duty cycle until the pong
     * is back.
     */
    private static final class Pinger implements Runnable
    {
        private final PubSub layer;
        private final int sizeBytes;
        private final int warmup;
        private final int count;
        private final Histogram histogram;
        private final AtomicReference<Throwable> failure;
        private final Ponger ponger;
        private final UnsafeBuffer ping;
        private long echoedNs;
        private int echoedLength;
        private boolean isEchoed;

        Pinger(
            final PubSub layer,
            final int sizeBytes,
            final int warmup,
            final int count,
            final Histogram histogram,
            final AtomicReference<Throwable> failure,
            final Ponger ponger)
        {
            this.layer = layer;
            this.sizeBytes = sizeBytes;
            this.warmup = warmup;
            this.count = count;
            this.histogram = histogram;
            this.failure = failure;
            this.ponger = ponger;
            this.ping = Rows.messageBuffer(sizeBytes);
        }

        void onPublication(
            final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
        {
            echoedNs = buffer.getLong(offset);
            echoedLength = length;
            isEchoed = true;
        }

        public void run()
        {
            try
            {
                final PubSub layer = this.layer;
                final Publisher publisher = layer.publisher(PING);
                final IdleStrategy idle = new BusySpinIdleStrategy();
                final int total = warmup + count;
                final long runStartNs = System.nanoTime();
                for (int i = 0; i < total; i++)
                {
                    PubSubSystem.checkBudget("raet4j pub/sub", runStartNs, i, total);
                    final long startNs = System.nanoTime();
                    ping.putLong(0, startNs);
                    isEchoed = false;
                    while (publisher.publish(ping, 0, sizeBytes) < 1)
                    {
                        checkTimeout(startNs, publisher);
                        idle.idle(layer.doWork());
                    }
                    while (!isEchoed)
                    {
                        checkTimeout(startNs, publisher);
                        idle.idle(layer.doWork());
                    }
                    final long rttNs = System.nanoTime() - startNs;
                    if (echoedNs != startNs || echoedLength != sizeBytes)
                    {
                        throw new IllegalStateException("raet4j pub/sub pong echoed another ping");
                    }
                    if (i >= warmup)
                    {
                        histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                ponger.isRunning = false;
            }
        }
    }

    /**
     * Beta's loop: run the duty cycle and publish every ping back on the pong topic, until stopped.
     */
    private static final class Ponger implements Runnable
    {
        private final PubSub layer;
        private final AtomicReference<Throwable> failure;
        private final UnsafeBuffer echo;
        private volatile boolean isRunning = true;
        private int echoLength;
        private boolean isEchoPending;

        Ponger(final PubSub layer, final int sizeBytes, final AtomicReference<Throwable> failure)
        {
            this.layer = layer;
            this.failure = failure;
            this.echo = Rows.messageBuffer(sizeBytes);
        }

        void onPublication(
            final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
        {
            echo.putBytes(0, buffer, offset, length);
            echoLength = length;
            isEchoPending = true;
        }

        public void run()
        {
            try
            {
                final PubSub layer = this.layer;
                final Publisher publisher = layer.publisher(PONG);
                final IdleStrategy idle = new BusySpinIdleStrategy();
                while (isRunning && null == failure.get())
                {
                    int work = layer.doWork();
                    if (isEchoPending)
                    {
                        final long copies = publisher.publish(echo, 0, echoLength);
                        if (copies > 0)
                        {
                            isEchoPending = false;
                            work += layer.doWork();
                        }
                        else if (0 == publisher.lastBackPressured())
                        {
                            throw new IllegalStateException("raet4j pub/sub pong reached no subscriber: " + copies);
                        }
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

    private static void checkTimeout(final long startNs, final Publisher publisher)
    {
        if (System.nanoTime() - startNs > ROUND_TRIP_TIMEOUT_NS)
        {
            throw new IllegalStateException("no pong within " + TimeUnit.NANOSECONDS.toSeconds(ROUND_TRIP_TIMEOUT_NS) +
                " s (" + publisher + ": " + publisher.remoteSubscribers() + " remote subscribers)");
        }
    }

    /**
     * Pub/sub estates on loopback UDP with their status files and keeps in one private temporary directory. Built
     * and joined on the calling thread; each is then driven by exactly one thread.
     */
    private final class Estates implements AutoCloseable
    {
        private final Path dir;
        private final PubSub[] layers;

        Estates(final int count)
        {
            try
            {
                dir = Files.createTempDirectory("raet4j-pubsub-harness-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            layers = new PubSub[count];
            try
            {
                for (int i = 0; i < count; i++)
                {
                    layers[i] = launch((0 == i ? "harness-pub" : "harness-sub-") + (0 == i ? "" : i));
                }
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        private PubSub launch(final String name)
        {
            return PubSub.launch(new PubSubContext(new StackContext(new Context()
                .name(name)
                .threadingMode(Context.ThreadingMode.INVOKER)
                .idleStrategy(new BusySpinIdleStrategy())
                .bindAddress("127.0.0.1:0")
                .statusDir(dir.resolve(name)))
                .encryption(encryption)
                .keepDir(dir.resolve("keep-" + name)))
                .introductions(false));
        }

        /**
         * Join every other estate to the first and run them all on this thread until {@code isReady}, then hand
         * every stack over to the threads that will drive them.
         */
        void joinAll(final BooleanSupplier isReady)
        {
            final String hub = RaetSystem.addressOf(layers[0].stack());
            for (int i = 1; i < layers.length; i++)
            {
                layers[i].stack().join(hub);
            }
            final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
            while (!isReady.getAsBoolean())
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the " + (layers.length - 1) + " subscriber estates did not " +
                        "join and tell their interest within " + TimeUnit.NANOSECONDS.toSeconds(JOIN_TIMEOUT_NS) +
                        " s");
                }
                for (final PubSub layer : layers)
                {
                    layer.doWork();
                }
            }
            for (final PubSub layer : layers)
            {
                layer.stack().handOver();
            }
        }

        /**
         * The publisher's (first estate's) traffic and the subscribers' acknowledgements, read after the threads
         * that drove them are done.
         */
        String counters()
        {
            final Stack hub = layers[0].stack();
            long acks = 0;
            for (int i = 1; i < layers.length; i++)
            {
                acks += layers[i].stack().counter(StackCounterDescriptor.ACKS_SENT);
            }
            return String.format(Locale.ROOT, "publisher sent %d packets, %d segments, %d retransmits, %d " +
                "back-pressure events, %d congestion reductions; subscribers sent %d acks",
                hub.counter(TransportCounterDescriptor.PACKETS_SENT),
                hub.counter(StackCounterDescriptor.SEGMENTS_SENT),
                hub.counter(StackCounterDescriptor.RETRANSMITS),
                hub.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS),
                hub.counter(StackCounterDescriptor.CONGESTION_EVENTS), acks);
        }

        /**
         * Every estate's non-zero stack counters, one per line, read after the threads that drove them are done.
         */
        String allCounters()
        {
            final StringBuilder text = new StringBuilder();
            for (final StackCounterDescriptor descriptor : StackCounterDescriptor.values())
            {
                final StringBuilder line = new StringBuilder();
                boolean isAny = false;
                for (int i = 0; i < layers.length; i++)
                {
                    final long value = layers[i].stack().counter(descriptor);
                    isAny |= 0 != value;
                    line.append(0 == i ? " publisher " : " estate " + i + " ").append(value);
                }
                if (isAny)
                {
                    text.append("      ").append(descriptor).append(line).append('\n');
                }
            }
            return text.toString();
        }

        public void close()
        {
            CloseHelper.quietCloseAll(layers);
            IoUtil.delete(dir.toFile(), true);
        }
    }
}
