package io.raet4j.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.PubSubCounterDescriptor;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.CounterDescriptor;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link RaetMetrics} over real stacks on loopback UDP and a {@link SimpleMeterRegistry}: a pair joined, messages and
 * publications exchanged, and the registry's meters compared with the stacks' counters: read on the test thread while
 * the stacks run in its loop or each on a thread of its own, on another thread all through a stack's close, and after
 * it. Nothing sleeps: duty cycles run until a condition holds, within a deadline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaetMetricsTest
{
    private static final int MESSAGES = 100;
    private static final int MESSAGE_LENGTH = 64;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int STACK_METERS =
        TransportCounterDescriptor.values().length + StackCounterDescriptor.values().length;

    @TempDir
    Path tempDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong received = new AtomicLong();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
    private Stack alpha;
    private Stack beta;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        isRunning.set(false);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        CloseHelper.quietCloseAll(closeables);
        registry.close();
    }

    @Test
    void shouldNameMetersAfterTheLayerAndTheDescriptorsConstant()
    {
        assertEquals("raet4j.stack.retransmits", RaetMetrics.meterName(StackCounterDescriptor.RETRANSMITS));
        assertEquals("raet4j.pubsub.publications.sent",
            RaetMetrics.meterName(PubSubCounterDescriptor.PUBLICATIONS_SENT));
        assertEquals("raet4j.transport.bytes.received",
            RaetMetrics.meterName(TransportCounterDescriptor.BYTES_RECEIVED));
        assertEquals("raet4j.stack.messages.offered", RaetMetrics.meterName(StackCounterDescriptor.MESSAGES_OFFERED));

        final Set<String> names = new HashSet<>();
        for (final CounterDescriptor descriptor : allDescriptors())
        {
            assertTrue(names.add(RaetMetrics.meterName(descriptor)), "one name per counter: " + descriptor);
        }
        assertThrows(IllegalArgumentException.class, () -> RaetMetrics.meterName(UnknownLayer.SOMETHING));
    }

    @Test
    void shouldShowEveryCounterOfEachStackWithItsValueDescriptionAndTags()
    {
        joinPair();
        bind(new RaetMetrics(alpha, Tags.of("service", "orders")));
        bind(new RaetMetrics(beta));

        exchangeMessages();

        assertEquals(2 * STACK_METERS, registry.getMeters().size(), "no pub/sub meters without the layer");
        assertMetersShowCounters(alpha, Tags.of("service", "orders"));
        assertMetersShowCounters(beta, Tags.empty());
        assertEquals(MESSAGES, meter(alpha, StackCounterDescriptor.MESSAGES_OFFERED).count());
        assertEquals(MESSAGES, meter(alpha, StackCounterDescriptor.MESSAGES_DELIVERED).count());
        assertEquals(0, meter(alpha, StackCounterDescriptor.MESSAGES_FAILED).count());
        assertEquals(MESSAGES, meter(beta, StackCounterDescriptor.MESSAGES_RECEIVED).count());
        assertEquals(0, meter(beta, StackCounterDescriptor.MESSAGES_OFFERED).count());
        assertEquals(1, meter(alpha, StackCounterDescriptor.JOINS).count());
        assertEquals(1, meter(beta, StackCounterDescriptor.JOINS).count());
        assertTrue(meter(alpha, TransportCounterDescriptor.BYTES_SENT).count() > MESSAGES * MESSAGE_LENGTH);
        assertEquals("Segments retransmitted",
            meter(alpha, StackCounterDescriptor.RETRANSMITS).getId().getDescription());
        assertEquals("orders", meter(alpha, StackCounterDescriptor.RETRANSMITS).getId().getTag("service"));
        assertEquals(String.format("%016x", alpha.estateId()),
            meter(alpha, StackCounterDescriptor.RETRANSMITS).getId().getTag(RaetMetrics.ESTATE_ID_TAG));
    }

    @Test
    void shouldShowThePubSubLayersCountersWhenTheLayerIsBound()
    {
        final PubSub publisherLayer = launchPubSub("alpha");
        final PubSub subscriberLayer = launchPubSub("beta");
        bind(new RaetMetrics(publisherLayer));
        bind(new RaetMetrics(subscriberLayer, Tags.of("role", "subscriber")));
        final AtomicLong delivered = new AtomicLong();
        subscriberLayer.subscribe("metrics.>",
            (topic, estateId, buffer, offset, length) -> delivered.incrementAndGet());
        publisherLayer.stack().join("127.0.0.1:" + port(subscriberLayer.stack()));
        final Publisher publisher = publisherLayer.publisher("metrics.test");
        runLayersUntil(() -> 1 == publisher.remoteSubscribers(), publisherLayer, subscriberLayer);

        for (int i = 0; i < MESSAGES; i++)
        {
            message.putInt(0, i);
            while (1 != publisher.publish(message, 0, MESSAGE_LENGTH))
            {
                runLayersUntil(() -> true, publisherLayer, subscriberLayer);
            }
        }
        runLayersUntil(() -> MESSAGES == delivered.get(), publisherLayer, subscriberLayer);

        final int meters = STACK_METERS + PubSubCounterDescriptor.values().length;
        assertEquals(2 * meters, registry.getMeters().size());
        for (final PubSub layer : List.of(publisherLayer, subscriberLayer))
        {
            assertMetersShowCounters(layer.stack(), Tags.empty());
            for (final PubSubCounterDescriptor descriptor : PubSubCounterDescriptor.values())
            {
                assertEquals(layer.counter(descriptor), meter(layer.stack(), descriptor).count(), descriptor::name);
            }
        }
        assertEquals(MESSAGES, meter(publisherLayer.stack(), PubSubCounterDescriptor.PUBLICATIONS_SENT).count());
        assertEquals(1, meter(publisherLayer.stack(), PubSubCounterDescriptor.TOPICS_DECLARED).count());
        assertEquals(MESSAGES, meter(subscriberLayer.stack(), PubSubCounterDescriptor.PUBLICATIONS_RECEIVED).count());
        assertEquals(MESSAGES, meter(subscriberLayer.stack(), PubSubCounterDescriptor.PUBLICATIONS_DELIVERED).count());
        assertEquals("subscriber",
            meter(subscriberLayer.stack(), PubSubCounterDescriptor.PUBLICATIONS_DELIVERED).getId().getTag("role"));
    }

    @Test
    void shouldReadTheMetersOnAnotherThreadWhileEachStackRunsOnItsOwn()
    {
        joinPair();
        bind(new RaetMetrics(alpha));
        bind(new RaetMetrics(beta));
        final long betaId = beta.estateId();
        alpha.handOver();
        beta.handOver();
        final AtomicLong offered = new AtomicLong();
        start("duty-alpha", () ->
        {
            while (isRunning.get())
            {
                if (offered.get() < MESSAGES)
                {
                    final long result = alpha.offer(betaId, 0, message, 0, MESSAGE_LENGTH);
                    assertTrue(result >= 0 || Stack.BACK_PRESSURED == result, () -> "offer returned " + result);
                    offered.addAndGet(result >= 0 ? 1 : 0);
                }
                idle(alpha.doWork());
            }
            alpha.handOver();
        });
        start("duty-beta", () ->
        {
            while (isRunning.get())
            {
                idle(beta.doWork() + beta.poll((estateId, channel, buffer, offset, length) ->
                    received.incrementAndGet(), 64));
            }
            beta.handOver();
        });

        final List<Meter> meters = registry.getMeters();
        final double[] last = new double[meters.size()];
        final FunctionCounter delivered = meter(alpha, StackCounterDescriptor.MESSAGES_DELIVERED);
        final FunctionCounter receivedMeter = meter(beta, StackCounterDescriptor.MESSAGES_RECEIVED);
        long rounds = 0;
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (delivered.count() < MESSAGES || receivedMeter.count() < MESSAGES)
        {
            assertTrue(System.nanoTime() < deadlineNs, () -> "delivered " + delivered.count() + ", received " +
                receivedMeter.count() + ", offered " + offered.get());
            assertNull(failure.get());
            for (int i = 0; i < meters.size(); i++)
            {
                final double value = ((FunctionCounter)meters.get(i)).count();
                assertTrue(value >= last[i], meters.get(i).getId()::toString);
                last[i] = value;
            }
            rounds++;
            Thread.yield();
        }
        stopThreads();

        assertNull(failure.get());
        assertTrue(rounds > 0);
        assertEquals(MESSAGES, delivered.count());
        assertEquals(MESSAGES, receivedMeter.count());
        assertEquals(MESSAGES, received.get());
        assertMetersShowCounters(alpha, Tags.empty());
        assertMetersShowCounters(beta, Tags.empty());
    }

    @Test
    void shouldKeepTheMetersReadableOnAnotherThreadThroughTheStacksCloseWithItsLastValues()
    {
        joinPair();
        bind(new RaetMetrics(alpha));
        exchangeMessages();
        final Path statusFile = alpha.statusFile();
        final List<Meter> meters = registry.getMeters();
        final AtomicLong rounds = new AtomicLong();
        start("reader", () ->
        {
            final double[] last = new double[meters.size()];
            while (isRunning.get())
            {
                for (int i = 0; i < meters.size(); i++)
                {
                    final double value = ((FunctionCounter)meters.get(i)).count();
                    assertTrue(value >= last[i], meters.get(i).getId()::toString);
                    last[i] = value;
                }
                rounds.incrementAndGet();
            }
        });
        awaitRounds(rounds, 1_000);

        alpha.close();
        awaitRounds(rounds, rounds.get() + 1_000);
        stopThreads();

        assertNull(failure.get(), "another thread read the meters all through the close");
        assertFalse(Files.exists(statusFile), "the stack deleted its status file: the binder's mapping outlives it");
        assertMetersShowCounters(alpha, Tags.empty());
        assertEquals(MESSAGES, meter(alpha, StackCounterDescriptor.MESSAGES_OFFERED).count());
        assertEquals(MESSAGES, meter(alpha, StackCounterDescriptor.MESSAGES_DELIVERED).count());
        for (final Meter meter : registry.getMeters())
        {
            assertFalse(Double.isNaN(((FunctionCounter)meter).count()), meter.getId()::toString);
        }
        assertThrows(IllegalStateException.class, () -> new RaetMetrics(alpha), "a closed stack is not bound");
    }

    @Test
    void shouldRemoveItsMetersWhenClosedAndRefuseAnotherBinderOfTheSameStackMeanwhile()
    {
        alpha = launch("alpha");
        final RaetMetrics first = bind(new RaetMetrics(alpha));
        first.bindTo(registry);
        assertEquals(STACK_METERS, registry.getMeters().size(), "binding again registers nothing new");

        final RaetMetrics second = new RaetMetrics(alpha);
        closeables.add(second);
        assertThrows(IllegalStateException.class, () -> second.bindTo(registry));
        assertEquals(STACK_METERS, registry.getMeters().size(), "nothing registered by a refused binder");

        first.close();
        assertEquals(0, registry.getMeters().size());
        assertThrows(IllegalStateException.class, () -> first.bindTo(registry));
        second.bindTo(registry);
        assertEquals(STACK_METERS, registry.getMeters().size());
        assertMetersShowCounters(alpha, Tags.empty());
    }

    @Test
    void shouldBindAStackFromItsStatusFileAlone()
    {
        alpha = launch("alpha");
        for (int i = 0; i < 10; i++)
        {
            alpha.doWork();
        }
        bind(RaetMetrics.ofStatusFile(alpha.statusFile().getParent(), alpha.estateId(), Tags.of("via", "file")));

        assertEquals(STACK_METERS, registry.getMeters().size());
        assertMetersShowCounters(alpha, Tags.of("via", "file"));
        assertTrue(meter(alpha, TransportCounterDescriptor.DUTY_CYCLES).count() >= 10);
    }

    @Test
    void shouldReadEveryMeterWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threadBean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threadBean.isThreadAllocatedMemorySupported());
        threadBean.setThreadAllocatedMemoryEnabled(true);
        alpha = launch("alpha");
        alpha.doWork();
        bind(new RaetMetrics(alpha));
        final FunctionCounter[] meters = registry.getMeters().stream()
            .map(FunctionCounter.class::cast).toArray(FunctionCounter[]::new);
        double sum = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sum += readAll(meters);
        }

        // A one-off allocation by the JVM itself (JIT, OSR) can land in a round; one per read would be in every round.
        long allocated = -1;
        final StringBuilder rounds = new StringBuilder();
        for (int round = 0; round < 5 && 0 != allocated; round++)
        {
            final long before = threadBean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++)
            {
                sum += readAll(meters);
            }
            allocated = threadBean.getCurrentThreadAllocatedBytes() - before;
            rounds.append(allocated).append(" B ");
        }

        assertTrue(sum > 0);
        assertEquals(0L, allocated, "bytes allocated per 10,000 reads of " + meters.length + " meters: " + rounds);
    }

    private void awaitRounds(final AtomicLong rounds, final long atLeast)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (rounds.get() < atLeast)
        {
            assertTrue(System.nanoTime() < deadlineNs, "the reader is stuck at " + rounds.get() + " rounds");
            assertNull(failure.get());
            Thread.yield();
        }
    }

    private static double readAll(final FunctionCounter[] meters)
    {
        double sum = 0;
        for (final FunctionCounter meter : meters)
        {
            sum += meter.count();
        }
        return sum;
    }

    private RaetMetrics bind(final RaetMetrics metrics)
    {
        closeables.add(metrics);
        metrics.bindTo(registry);
        return metrics;
    }

    private FunctionCounter meter(final Stack stack, final CounterDescriptor descriptor)
    {
        return registry.get(RaetMetrics.meterName(descriptor))
            .tag(RaetMetrics.STACK_TAG, stack.name())
            .tag(RaetMetrics.ESTATE_ID_TAG, String.format("%016x", stack.estateId()))
            .functionCounter();
    }

    /**
     * Every transport and stack counter of a stack has its meter, with its label as description, the stack's tags and
     * those given, and the counter's value exactly: the stack does not run while this reads.
     */
    private void assertMetersShowCounters(final Stack stack, final Tags extraTags)
    {
        assertMeters(stack, TransportCounterDescriptor.values(), stack::counter, extraTags);
        assertMeters(stack, StackCounterDescriptor.values(), stack::counter, extraTags);
    }

    private <D extends CounterDescriptor> void assertMeters(
        final Stack stack, final D[] descriptors, final ToLongFunction<D> counter, final Tags extraTags)
    {
        for (final D descriptor : descriptors)
        {
            final FunctionCounter meter = meter(stack, descriptor);
            assertEquals(counter.applyAsLong(descriptor), meter.count(), () -> RaetMetrics.meterName(descriptor));
            assertEquals(descriptor.label(), meter.getId().getDescription());
            assertEquals(Meter.Type.COUNTER, meter.getId().getType());
            extraTags.forEach((tag) -> assertEquals(tag.getValue(), meter.getId().getTag(tag.getKey())));
        }
    }

    private void joinPair()
    {
        alpha = launch("alpha");
        beta = launch("beta");
        alpha.join("127.0.0.1:" + port(beta));
        runUntil(() -> alpha.isJoined(beta.estateId()) && beta.isJoined(alpha.estateId()));
    }

    /**
     * Alpha offers {@link #MESSAGES} to beta, and both run until alpha learnt each was delivered and beta's
     * application polled each.
     */
    private void exchangeMessages()
    {
        final long betaId = beta.estateId();
        for (int i = 0; i < MESSAGES; i++)
        {
            message.putInt(0, i);
            long result = alpha.offer(betaId, 0, message, 0, MESSAGE_LENGTH);
            while (result < 0)
            {
                assertEquals(Stack.BACK_PRESSURED, result);
                runUntil(() -> true);
                result = alpha.offer(betaId, 0, message, 0, MESSAGE_LENGTH);
            }
        }
        runUntil(() -> MESSAGES == received.get() &&
            MESSAGES == alpha.counter(StackCounterDescriptor.MESSAGES_DELIVERED));
    }

    /**
     * Run both stacks' duty cycles in this thread, beta's application polling, until the condition holds: at least
     * one round, and at most {@link #DEADLINE_NS}.
     */
    private void runUntil(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        do
        {
            assertTrue(System.nanoTime() < deadlineNs, "condition not reached in time");
            alpha.doWork();
            beta.doWork();
            beta.poll((estateId, channel, buffer, offset, length) -> received.incrementAndGet(), 64);
        }
        while (!condition.getAsBoolean());
    }

    private static void runLayersUntil(final BooleanSupplier condition, final PubSub... layers)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        do
        {
            assertTrue(System.nanoTime() < deadlineNs, "condition not reached in time");
            for (final PubSub layer : layers)
            {
                layer.doWork();
            }
        }
        while (!condition.getAsBoolean());
    }

    private Stack launch(final String name)
    {
        final Stack stack = Stack.launch(context(name));
        closeables.add(stack);
        return stack;
    }

    private PubSub launchPubSub(final String name)
    {
        final PubSub layer = PubSub.launch(new PubSubContext(context(name)));
        closeables.add(layer);
        return layer;
    }

    private StackContext context(final String name)
    {
        return new StackContext(new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .statusDir(tempDir.resolve("status-" + name)))
            .keepDir(tempDir.resolve("keep-" + name));
    }

    private static int port(final Stack stack)
    {
        return ((InetSocketAddress)stack.localAddress()).getPort();
    }

    private static void idle(final int workCount)
    {
        if (0 == workCount)
        {
            Thread.yield();
        }
    }

    private void start(final String name, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, name);
        threads.add(thread);
        thread.start();
    }

    private void stopThreads()
    {
        isRunning.set(false);
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            assertFalse(thread.isAlive(), thread.getName());
        }
    }

    private static List<CounterDescriptor> allDescriptors()
    {
        final List<CounterDescriptor> all = new ArrayList<>();
        all.addAll(List.of(TransportCounterDescriptor.values()));
        all.addAll(List.of(StackCounterDescriptor.values()));
        all.addAll(List.of(PubSubCounterDescriptor.values()));
        return all;
    }

    /**
     * The counters of a layer this module does not know.
     */
    private enum UnknownLayer implements CounterDescriptor
    {
        SOMETHING;

        public int id()
        {
            return 3000;
        }

        public String label()
        {
            return "Something";
        }
    }
}
