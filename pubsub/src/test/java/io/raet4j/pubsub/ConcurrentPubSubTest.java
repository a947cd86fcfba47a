package io.raet4j.pubsub;

import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConcurrentPublisher} and {@link ConcurrentSubscription} over two layers on loopback UDP, each layer's duty
 * cycle on a thread of its own: several threads publish on blocking topics, a consumer on another thread drains an
 * any-thread subscription and stalls for a while; every publication arrives once, in each thread's order, and the
 * stall back-pressures the publishing threads instead of losing anything.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrentPubSubTest
{
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 50_000;
    private static final int LENGTH = 24;
    private static final long REFUSALS_DURING_STALL = 1_000;

    @TempDir
    Path tempDir;

    private PubSub source;
    private PubSub sink;
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException
    {
        isRunning.set(false);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        CloseHelper.quietCloseAll(source, sink);
    }

    @Test
    void shouldDeliverEveryPublicationOfSeveralThreadsOnceInOrderThroughAStalledConsumer() throws Exception
    {
        source = launch("source");
        sink = launch("sink");
        final ConcurrentSubscription subscription = ConcurrentSubscription.subscribe(sink, "t.>", 256 * 1024);
        final Publisher[] topics = new Publisher[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++)
        {
            topics[p] = source.publisher("t." + p).blocking();
        }
        final ConcurrentPublisher publisher = ConcurrentPublisher.attach(source, 64 * 1024);
        sink.stack().join("127.0.0.1:" + ((java.net.InetSocketAddress)source.stack().localAddress()).getPort());
        runUntil(() -> java.util.Arrays.stream(topics).allMatch((t) -> 1 == t.remoteSubscribers()));
        runDutyCycles();

        final AtomicLong refusals = new AtomicLong();
        final long[] next = new long[PUBLISHERS];
        final AtomicLong received = new AtomicLong();
        final AtomicLong refusalsDuringStall = new AtomicLong(-1);
        final AtomicLong heldBackDuringStall = new AtomicLong(-1);
        final long total = (long)PUBLISHERS * PER_PUBLISHER;
        final Thread consumer = start("consumer", () ->
        {
            final PublicationHandler check = (topic, estateId, buffer, offset, length) ->
            {
                final int p = buffer.getInt(offset);
                final long sequence = buffer.getLong(offset + 8);
                if (!topic.equals("t." + p) || length != LENGTH || sequence != next[p])
                {
                    throw new AssertionError(topic + ": got " + p + "/" + sequence + ", expected " + next[p]);
                }
                next[p]++;
                received.incrementAndGet();
            };
            while (isRunning.get() && received.get() < total)
            {
                if (received.get() >= total / 4 && refusalsDuringStall.get() < 0)
                {
                    // Stall until the back-pressure went all the way back: the sink's ring full, the source's
                    // blocking topics held back (the sink's window full), the publishing threads refused.
                    final long before = refusals.get();
                    final long heldBefore = publisher.heldBack();
                    while (isRunning.get() && (refusals.get() - before < REFUSALS_DURING_STALL ||
                        publisher.heldBack() - heldBefore < REFUSALS_DURING_STALL))
                    {
                        Thread.onSpinWait();
                    }
                    heldBackDuringStall.set(publisher.heldBack() - heldBefore);
                    refusalsDuringStall.set(refusals.get() - before);
                }
                if (0 == subscription.poll(check, 64))
                {
                    Thread.onSpinWait();
                }
            }
        });
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++)
        {
            final int id = p;
            producers.add(start("publisher-" + p, () ->
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
                payload.putInt(0, id);
                for (long sequence = 0; sequence < PER_PUBLISHER && isRunning.get(); )
                {
                    payload.putLong(8, sequence);
                    final long result = publisher.publish(topics[id], payload, 0, LENGTH);
                    if (ConcurrentPublisher.OFFERED == result)
                    {
                        sequence++;
                    }
                    else if (PubSub.BACK_PRESSURED == result)
                    {
                        refusals.incrementAndGet();
                        Thread.onSpinWait();
                    }
                    else
                    {
                        throw new AssertionError("publish returned " + result);
                    }
                }
            }));
        }
        for (final Thread producer : producers)
        {
            producer.join(TimeUnit.SECONDS.toMillis(150));
        }
        consumer.join(TimeUnit.SECONDS.toMillis(150));
        System.out.printf("%d threads x %,d publications through a ConcurrentPublisher (blocking topics) and a " +
            "ConcurrentSubscription: received %,d, skipped %d, unpublished %d; the consumer stalled at %,d: the " +
            "source's ring was held back by its blocking topics %,d times and the publishing threads refused %,d " +
            "times meanwhile (%,d in all)%n", PUBLISHERS, PER_PUBLISHER, received.get(), publisher.skipped(),
            publisher.unpublished(), total / 4, heldBackDuringStall.get(), refusalsDuringStall.get(),
            refusals.get());

        assertNull(failure.get());
        assertEquals(total, received.get());
        final long[] expected = new long[PUBLISHERS];
        java.util.Arrays.fill(expected, PER_PUBLISHER);
        assertArrayEquals(expected, next, "each thread's publications once, in order");
        assertEquals(0, publisher.skipped());
        assertEquals(0, publisher.unpublished());
        assertTrue(refusalsDuringStall.get() >= REFUSALS_DURING_STALL);
        assertTrue(heldBackDuringStall.get() >= REFUSALS_DURING_STALL, "through the network to the source");
        assertEquals(total, subscription.publicationsReceived());
    }

    @Test
    void shouldRequestFromAnyThreadAndCompleteWithTheReplyOrWhyNot() throws Exception
    {
        source = launch("source");
        sink = launch("sink");
        sink.respond("svc.>", (topic, estateId, buffer, offset, length, replier) ->
            replier.reply(buffer, offset, length));
        source.respond("svc.>", (topic, estateId, buffer, offset, length, replier) ->
            replier.reply(buffer, offset, length));
        final Publisher echo = source.publisher("svc.echo");
        final Publisher nobody = source.publisher("nobody.home");
        final ConcurrentPublisher publisher = ConcurrentPublisher.attach(source);
        sink.stack().join("127.0.0.1:" + ((java.net.InetSocketAddress)source.stack().localAddress()).getPort());
        runUntil(() -> 1 == echo.remoteResponders());
        runDutyCycles();

        final UnsafeBuffer request = new UnsafeBuffer("ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final Reply reply = publisher.request(echo, request, 0, 4, TimeUnit.SECONDS.toNanos(5))
            .get(30, TimeUnit.SECONDS);
        final java.util.concurrent.ExecutionException noResponders = org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> publisher.request(nobody, request, 0, 4, TimeUnit.SECONDS.toNanos(5)).get(30, TimeUnit.SECONDS));
        final List<Reply> all = java.util.Collections.synchronizedList(new ArrayList<>());
        final int replies = publisher.requestAll(echo, request, 0, 4, TimeUnit.SECONDS.toNanos(5), all::add)
            .get(30, TimeUnit.SECONDS);

        assertEquals("ping", new String(reply.payload(), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(source.stack().estateId(), reply.responderEstateId(), "the local responder first");
        final RequestFailedException failed = (RequestFailedException)noResponders.getCause();
        assertEquals(RequestFailure.NO_RESPONDERS, failed.failure());
        assertTrue(failed.getMessage().startsWith("request on nobody.home failed (NO_RESPONDERS): no responder"),
            failed.getMessage());
        assertEquals(2, replies, "the local responder and the sink's");
        assertEquals(2, all.size());
        assertNull(failure.get());
    }

    private PubSub launch(final String name)
    {
        return PubSub.launch(new PubSubContext(new StackContext(new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .statusDir(tempDir.resolve(name)))
            .keepDir(tempDir.resolve("keep-" + name))
            .maxMessageBytes(64 * 1024)));
    }

    private void runUntil(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadlineNs, "condition not met in 30 s");
            source.doWork();
            sink.doWork();
        }
    }

    private void runDutyCycles()
    {
        for (final PubSub layer : List.of(source, sink))
        {
            layer.stack().handOver();
            start("duty-" + layer.stack().name(), () ->
            {
                while (isRunning.get())
                {
                    if (0 == layer.doWork())
                    {
                        Thread.onSpinWait();
                    }
                }
                layer.stack().handOver();
            });
        }
    }

    private Thread start(final String name, final Runnable body)
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
        return thread;
    }
}
