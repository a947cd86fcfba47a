package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TopicSubscriber} over two real pub/sub layers on loopback UDP: a JDK {@link SubmissionPublisher} on alpha
 * feeds it, beta's {@link TopicPublisher} hands the publications on. A stalled subscriber at beta holds a blocking
 * topic back, from beta's ring through the stacks and alpha's {@link ConcurrentPublisher} ring to the subscriber's
 * requests and the producing thread, and then everything arrives once, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicSubscriberTest
{
    private static final String TOPIC = "orders.created";
    private static final int LENGTH = 100;

    private final ExecutorService upstreamExecutor = Executors.newSingleThreadExecutor();
    private LoopbackLayers layers;

    @AfterEach
    void tearDown()
    {
        upstreamExecutor.shutdownNow();
        CloseHelper.quietClose(layers);
    }

    @Test
    void shouldPublishEverythingTheUpstreamProducesInOrderThroughAStalledSubscriberWithoutDropping() throws Exception
    {
        layers = new LoopbackLayers((ctx) -> ctx.sendBufferMaxBytes(64 * 1024).receiveWindowSegments(64),
            "beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), TOPIC));
        final RecordingSubscriber<Publication> receiver = new RecordingSubscriber<>();
        publisher.subscribe(receiver);
        receiver.subscription();
        final Publisher topic = topic(true);
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final TopicSubscriber subscriber = TopicSubscriber.create(
            alphaPublisher, topic, new TopicSubscriber.Options().prefetch(16));

        final int count = 20_000;
        final AtomicInteger submitted = new AtomicInteger();
        final Thread producer;
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            producer = new Thread(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
                    payload.putLong(0, i);
                    upstream.submit(payload.byteArray());     // blocks while the subscriber's demand is used up
                    submitted.incrementAndGet();
                }
            }, "producer");
            producer.start();

            // Stalled: nothing submitted nor handed over while alpha's layer held its ring back 1,000 duty cycles.
            final long[] progress = { -1, 0 };
            LoopbackLayers.await("a stall of the whole path", () ->
            {
                final long now = submitted.get() + subscriber.publicationsHandedOver();
                if (now != progress[0])
                {
                    progress[0] = now;
                    progress[1] = alphaPublisher.heldBack();
                }
                return alphaPublisher.heldBack() - progress[1] >= 1_000;
            });
            final long stalledAt = submitted.get();
            final long handedOverWhenStalled = subscriber.publicationsHandedOver();
            System.out.printf("a stalled subscriber at beta: the producer blocked after %,d of %,d submitted, the " +
                "TopicSubscriber had handed %,d to alpha's ring, beta's ring took %,d; the held item was retried " +
                "%,d times%n", stalledAt, count, handedOverWhenStalled, publisher.publicationsTaken(),
                subscriber.retries());
            assertTrue(stalledAt < count, "the producer was held back");
            assertTrue(stalledAt - handedOverWhenStalled <= 16 + 32 + 1,
                "what was submitted and not handed over waits in the subscriber (16) and the upstream's buffer (32)");
            assertEquals(0, receiver.received());

            receiver.request(Long.MAX_VALUE);
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(producer.isAlive());
        }
        assertEquals((long)count, subscriber.whenHandedOver().get(30, TimeUnit.SECONDS));
        final List<Publication> publications = receiver.take(count, 10_000);
        assertEquals(count, publications.size());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, new UnsafeBuffer(publications.get(i).payload()).getLong(0), "once each, in order");
        }
        assertEquals(0, alphaPublisher.skipped());
        assertEquals(0, alphaPublisher.unpublished());
        receiver.assertNoViolations();
    }

    @Test
    void shouldCompleteWithTheUpstreamsErrorAfterHandingOverWhatItReceived() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), TOPIC));
        final RecordingSubscriber<Publication> receiver = new RecordingSubscriber<>();
        publisher.subscribe(receiver);
        receiver.request(Long.MAX_VALUE);
        final TopicSubscriber subscriber = TopicSubscriber.create(concurrentPublisher(), topic(false));
        final IllegalStateException failure = new IllegalStateException("upstream failed");
        // Five items and the error in one go, as soon as anything is requested.
        final Flow.Publisher<byte[]> upstream = (s) -> s.onSubscribe(new Flow.Subscription()
        {
            private boolean isDone;

            public void request(final long n)
            {
                if (!isDone)
                {
                    isDone = true;
                    for (int i = 0; i < 5; i++)
                    {
                        s.onNext(new byte[]{ (byte)i });
                    }
                    s.onError(failure);
                }
            }

            public void cancel()
            {
                isDone = true;
            }
        });
        upstream.subscribe(subscriber);

        final CompletionException ended = assertThrows(CompletionException.class,
            () -> subscriber.whenHandedOver().orTimeout(10, TimeUnit.SECONDS).join());
        assertSame(failure, ended.getCause());
        assertEquals(5, subscriber.publicationsHandedOver());
        final List<Publication> publications = receiver.take(5, 10_000);
        assertEquals(5, publications.size());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, publications.get(i).payload()[0]);
            assertEquals(TOPIC, publications.get(i).topic());
        }
    }

    @Test
    void shouldStopTheStreamAndCancelTheUpstreamWhenAnItemIsLongerThanThePublisherTakes() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final TopicSubscriber subscriber = TopicSubscriber.create(alphaPublisher, topic(false));
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            upstream.submit(new byte[]{ 1 });
            upstream.submit(new byte[alphaPublisher.maxPublicationLength() + 1]);
            final CompletionException ended = assertThrows(CompletionException.class,
                () -> subscriber.whenHandedOver().orTimeout(10, TimeUnit.SECONDS).join());
            assertInstanceOf(IllegalArgumentException.class, ended.getCause());
            assertTrue(ended.getCause().getMessage().contains("longer than the publisher takes"));
            LoopbackLayers.await("the upstream is cancelled", () -> !upstream.hasSubscribers());
        }
        assertEquals(1, subscriber.publicationsHandedOver());
    }

    @Test
    void shouldEndWithAnErrorSayingSoWhenThePublisherIsClosed()
    {
        layers = new LoopbackLayers("beta", "alpha");
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final TopicSubscriber subscriber = TopicSubscriber.create(alphaPublisher, topic(false));
        layers.call("alpha", () ->
        {
            alphaPublisher.close();
            return null;
        });
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            upstream.submit(new byte[]{ 1 });
            final CompletionException ended = assertThrows(CompletionException.class,
                () -> subscriber.whenHandedOver().orTimeout(10, TimeUnit.SECONDS).join());
            assertInstanceOf(IllegalStateException.class, ended.getCause());
            assertTrue(ended.getCause().getMessage().startsWith("the ConcurrentPublisher is closed"));
        }
        assertEquals(0, subscriber.publicationsHandedOver());
    }

    private PubSub alpha()
    {
        return layers.layer("alpha");
    }

    private PubSub beta()
    {
        return layers.layer("beta");
    }

    private ConcurrentPublisher concurrentPublisher()
    {
        return layers.call("alpha", () -> ConcurrentPublisher.attach(alpha(), 64 * 1024));
    }

    /**
     * Alpha's publisher of the topic, once alpha knows of beta's interest if beta subscribed.
     */
    private Publisher topic(final boolean isBlocking)
    {
        final Publisher topic = layers.call("alpha", () ->
            isBlocking ? alpha().publisher(TOPIC).blocking() : alpha().publisher(TOPIC));
        if (layers.call("beta", () -> beta().publisher(TOPIC).localSubscribers()) > 0)
        {
            LoopbackLayers.await("alpha knows of beta's interest", () -> 1 == layers.call("alpha",
                topic::remoteSubscribers));
        }
        return topic;
    }
}
