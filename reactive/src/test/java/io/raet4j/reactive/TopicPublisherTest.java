package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TopicPublisher} over two real pub/sub layers on loopback UDP, each duty cycle on a thread of its own: alpha
 * publishes from the test's thread through a {@link ConcurrentPublisher}, beta's publisher hands the publications to a
 * subscriber as it requests them, and a subscriber that requests nothing holds a blocking topic's publishing thread
 * back instead of a queue growing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicPublisherTest
{
    private static final String KITCHEN = "sensors.kitchen.temp";
    private static final String GARAGE = "sensors.garage.temp";
    private static final int LENGTH = 100;

    private LoopbackLayers layers;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(layers);
    }

    @Test
    void shouldHandEachPublicationOfTwoTopicsOnceInPerTopicOrderToASubscriberRequestingInSmallBatches()
        throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), "sensors.*.temp"));
        final Publisher[] topics = blockingTopics(KITCHEN, GARAGE);
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final RecordingSubscriber<Publication> subscriber = new RecordingSubscriber<>();
        final int[] counted = new int[1];
        subscriber.onEach((publication) ->
        {
            if (0 == ++counted[0] % 3)
            {
                subscriber.request(3);
            }
        });
        publisher.subscribe(subscriber);
        subscriber.request(3);

        final int perTopic = 1_000;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        for (int i = 0; i < perTopic; i++)
        {
            for (int t = 0; t < topics.length; t++)
            {
                payload.putInt(0, t);
                payload.putLong(4, i);
                publish(alphaPublisher, topics[t], payload);
            }
        }
        final List<Publication> publications = subscriber.take(2 * perTopic, 10_000);

        assertEquals(2 * perTopic, publications.size(), () -> "stalled; " + stallReport(publisher, alphaPublisher));
        final long[] next = new long[topics.length];
        for (final Publication publication : publications)
        {
            final UnsafeBuffer received = new UnsafeBuffer(publication.payload());
            final int t = received.getInt(0);
            assertEquals(topics[t].topic(), publication.topic());
            assertEquals(next[t]++, received.getLong(4), "once each, in the order published on " + topics[t].topic());
            assertEquals(alpha().stack().estateId(), publication.estateId());
            assertEquals(LENGTH, publication.length());
        }
        assertEquals(perTopic, next[0]);
        assertEquals(perTopic, next[1]);
        assertEquals(2L * perTopic, publisher.publicationsTaken());
        assertEquals(0, alphaPublisher.skipped());
        assertFalse(subscriber.end().isDone());
        subscriber.assertNoViolations();
    }

    @Test
    void shouldHoldABlockingTopicsPublishingThreadBackWhileTheSubscriberRequestsNothingThenDeliverEverything()
        throws Exception
    {
        layers = new LoopbackLayers((ctx) -> ctx.sendBufferMaxBytes(64 * 1024).receiveWindowSegments(64),
            "beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), KITCHEN));
        final Publisher topic = blockingTopics(KITCHEN)[0];
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final RecordingSubscriber<Publication> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.subscription();

        final int count = 20_000;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        long refusals = 0;
        long heldBackWhenRefused = -1;
        long heldBackDuringStall = 0;
        // Publish until the publishing thread has been refused throughout 1,000 duty cycles of alpha's layer holding
        // its ring back: the topic is blocking, and beta cannot take more.
        while (sent < count)
        {
            payload.putLong(0, sent);
            final long result = alphaPublisher.publish(topic, payload, 0, LENGTH);
            if (ConcurrentPublisher.OFFERED == result)
            {
                sent++;
                heldBackWhenRefused = -1;
                continue;
            }
            assertEquals(PubSub.BACK_PRESSURED, result);
            refusals++;
            if (heldBackWhenRefused < 0)
            {
                heldBackWhenRefused = alphaPublisher.heldBack();
            }
            heldBackDuringStall = alphaPublisher.heldBack() - heldBackWhenRefused;
            if (heldBackDuringStall >= 1_000)
            {
                break;
            }
            assertTrue(System.nanoTime() < deadlineNs, "no stall within 30 s: sent " + sent);
            Thread.yield();
        }
        final long takenDuringStall = publisher.publicationsTaken();
        System.out.printf("a subscriber requesting nothing: beta's TopicPublisher took %,d publications and stopped, " +
            "alpha's layer held its ring back %,d times in a row on the blocking topic, the publishing thread was " +
            "refused %,d times with %,d of %,d published%n", takenDuringStall, heldBackDuringStall, refusals, sent,
            count);

        assertTrue(sent < count, "the publishing thread was held back before publishing everything");
        assertTrue(heldBackDuringStall >= 1_000, "by the blocking topic");
        assertTrue(takenDuringStall > 0 && takenDuringStall < sent, "the ring took some, the stacks hold the rest");
        assertTrue(takenDuringStall * (LENGTH + 16) <= 256 * 1024, "no more than the ring holds");
        assertEquals(0, subscriber.received(), "nothing handed over without demand");

        subscriber.request(Long.MAX_VALUE);
        for (int i = sent; i < count; i++)
        {
            payload.putLong(0, i);
            publish(alphaPublisher, topic, payload);
        }
        final List<Publication> publications = subscriber.take(count, 10_000);
        assertEquals(count, publications.size());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, new UnsafeBuffer(publications.get(i).payload()).getLong(0), "once each, in order");
        }
        assertEquals(0, alphaPublisher.skipped());
        assertEquals(0, alphaPublisher.unpublished());
        subscriber.assertNoViolations();
    }

    @Test
    void shouldUnsubscribeWhenTheSubscriberCancels() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), "sensors.>"));
        final Publisher topic = blockingTopics(KITCHEN)[0];
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final RecordingSubscriber<Publication> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(10);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        for (int i = 0; i < 5; i++)
        {
            publish(alphaPublisher, topic, payload);
        }
        assertEquals(5, subscriber.take(5, 10_000).size());

        subscriber.cancel();
        assertTrue(publisher.isClosed());
        LoopbackLayers.await("alpha learns beta unsubscribed",
            () -> 0 == layers.call("alpha", topic::remoteSubscribers));
        assertEquals(0, (int)layers.call("beta", () -> beta().publisher(KITCHEN).localSubscribers()));
        assertEquals(5, publisher.publicationsTaken());
        assertEquals(0, subscriber.waiting(), "no signal after cancel");
        assertFalse(subscriber.end().isDone());
        subscriber.assertNoViolations();
    }

    @Test
    void shouldCompleteAfterCloseOnceThePublicationsTakenAreHandedOver() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), KITCHEN));
        final Publisher topic = blockingTopics(KITCHEN)[0];
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        for (int i = 0; i < 5; i++)
        {
            publish(alphaPublisher, topic, payload);
        }
        LoopbackLayers.await("beta took five", () -> 5 == publisher.publicationsTaken());
        publisher.close();
        final RecordingSubscriber<Publication> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(2);

        assertEquals(2, subscriber.take(2, 10_000).size());
        subscriber.request(10);
        assertEquals(3, subscriber.take(3, 10_000).size());
        subscriber.end().get(10, TimeUnit.SECONDS);
        assertTrue(publisher.isClosed());
        LoopbackLayers.await("alpha learns beta unsubscribed",
            () -> 0 == layers.call("alpha", topic::remoteSubscribers));
        subscriber.assertNoViolations();
    }

    @Test
    void shouldCompleteWhenTheLayerCloses() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), KITCHEN));
        final Publisher topic = blockingTopics(KITCHEN)[0];
        final RecordingSubscriber<Publication> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        final ConcurrentPublisher alphaPublisher = concurrentPublisher();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        for (int i = 0; i < 3; i++)
        {
            publish(alphaPublisher, topic, payload);
        }
        assertEquals(3, subscriber.take(3, 10_000).size());

        layers.closeLayer("beta");
        subscriber.end().get(10, TimeUnit.SECONDS);
        subscriber.assertNoViolations();
    }

    @Test
    void shouldRefuseABadPatternASecondSubscriberAndACallFromAnotherThread() throws Exception
    {
        layers = new LoopbackLayers("beta", "alpha");
        final IllegalStateException badPattern = assertThrows(IllegalStateException.class,
            () -> layers.call("beta", () -> TopicPublisher.subscribe(beta(), "sensors..temp")));
        assertInstanceOf(IllegalArgumentException.class, badPattern.getCause().getCause());
        final IllegalStateException otherThread = assertThrows(IllegalStateException.class,
            () -> TopicPublisher.subscribe(beta(), KITCHEN));
        assertTrue(otherThread.getMessage().startsWith("Stack.addDutyCycleTask called on thread"),
            otherThread.getMessage());
        assertEquals(0, (int)layers.call("beta", () -> beta().publisher(KITCHEN).localSubscribers()),
            "the refused call subscribed nothing");

        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), KITCHEN));
        final RecordingSubscriber<Publication> first = new RecordingSubscriber<>();
        final RecordingSubscriber<Publication> second = new RecordingSubscriber<>();
        publisher.subscribe(first);
        publisher.subscribe(second);
        first.subscription();
        final CompletionException rejected = assertThrows(CompletionException.class,
            () -> second.end().orTimeout(10, TimeUnit.SECONDS).join());
        assertInstanceOf(IllegalStateException.class, rejected.getCause());
        assertTrue(rejected.getCause().getMessage().contains("unicast"));
        assertFalse(first.end().isDone());
        assertEquals(KITCHEN, publisher.pattern());
    }

    /**
     * What each step of the chain had done when a stream stalled: the counters of both stacks and both handles.
     */
    private String stallReport(final TopicPublisher publisher, final ConcurrentPublisher alphaPublisher)
    {
        final Stack a = alpha().stack();
        final Stack b = beta().stack();
        return "beta's TopicPublisher took " + publisher.publicationsTaken() +
            "; alpha's ConcurrentPublisher held back " + alphaPublisher.heldBack() + ", skipped " +
            alphaPublisher.skipped() +
            "; alpha offered " + a.counter(StackCounterDescriptor.MESSAGES_OFFERED) +
            ", delivered " + a.counter(StackCounterDescriptor.MESSAGES_DELIVERED) +
            ", segments sent " + a.counter(StackCounterDescriptor.SEGMENTS_SENT) +
            ", retransmits " + a.counter(StackCounterDescriptor.RETRANSMITS) +
            ", acks received " + a.counter(StackCounterDescriptor.ACKS_RECEIVED) +
            ", back-pressure events " + a.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS) +
            "; beta received " + b.counter(StackCounterDescriptor.MESSAGES_RECEIVED) +
            ", acks sent " + b.counter(StackCounterDescriptor.ACKS_SENT) +
            ", duplicates " + b.counter(StackCounterDescriptor.DUPLICATE_SEGMENTS) +
            ", out of window " + b.counter(StackCounterDescriptor.OUT_OF_WINDOW_SEGMENTS);
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
     * Alpha's blocking publishers of the topics, once alpha knows of beta's interest in each.
     */
    private Publisher[] blockingTopics(final String... names)
    {
        final Publisher[] topics = layers.call("alpha", () ->
        {
            final Publisher[] made = new Publisher[names.length];
            for (int i = 0; i < names.length; i++)
            {
                made[i] = alpha().publisher(names[i]).blocking();
            }
            return made;
        });
        LoopbackLayers.await("alpha knows of beta's interest", () -> layers.call("alpha", () ->
        {
            for (final Publisher topic : topics)
            {
                if (1 != topic.remoteSubscribers())
                {
                    return false;
                }
            }
            return true;
        }));
        return topics;
    }

    /**
     * Publish from the test's thread, retrying while the ring is full.
     */
    private static void publish(final ConcurrentPublisher publisher, final Publisher topic, final UnsafeBuffer payload)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long result;
        while (ConcurrentPublisher.OFFERED != (result = publisher.publish(topic, payload, 0, payload.capacity())))
        {
            assertEquals(PubSub.BACK_PRESSURED, result);
            assertTrue(System.nanoTime() < deadlineNs, "the ring stayed full for 30 s");
            Thread.yield();
        }
    }
}
