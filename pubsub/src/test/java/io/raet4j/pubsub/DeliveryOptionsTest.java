package io.raet4j.pubsub;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery options over real stacks: priorities and best effort on their channels, and a slow subscriber beside a
 * fast one, which does not hold the fast one up: it is skipped (and the publisher told), or given the latest value
 * when the topic conflates.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeliveryOptionsTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);

    @BeforeEach
    void setUp()
    {
        mesh = new PubSubMesh(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        mesh.close();
    }

    @Test
    void shouldCarryEachDeliveryOnItsChannel()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub subscriber = mesh.launch("sub");
        final List<String> received = new ArrayList<>();
        subscriber.subscribe("d.>", (topic, estateId, buffer, offset, length) ->
            received.add(topic + ":" + buffer.getInt(offset)));
        mesh.join(subscriber, publisher);
        final Publisher high = publisher.publisher("d.high").delivery(Delivery.HIGH);
        final Publisher low = publisher.publisher("d.low").delivery(Delivery.LOW);
        final Publisher bestEffort = publisher.publisher("d.fast").delivery(Delivery.BEST_EFFORT);
        assertTrue(mesh.runUntil(() -> 1 == high.remoteSubscribers(), 10_000));

        for (int i = 0; i < 10; i++)
        {
            payload.putInt(0, i);
            low.publish(payload, 0, 4);
            high.publish(payload, 0, 4);
        }
        mesh.run(200);
        for (int i = 0; i < 10; i++)
        {
            payload.putInt(0, i);
            bestEffort.publish(payload, 0, 4);
        }
        assertTrue(mesh.runUntil(() -> received.size() >= 29, 10_000), received::toString);
        mesh.run(200);
        for (final String topic : List.of("d.high", "d.low"))
        {
            final List<String> ofTopic = received.stream().filter((r) -> r.startsWith(topic + ":")).toList();
            assertEquals(10, ofTopic.size());
            for (int i = 0; i < 10; i++)
            {
                assertEquals(topic + ":" + i, ofTopic.get(i), "reliable and in order");
            }
        }
        final long bestEffortReceived = received.stream().filter((r) -> r.startsWith("d.fast:")).count();
        assertTrue(bestEffortReceived >= 9, "best effort on loopback: the first may overtake its declaration");
        assertEquals(Delivery.BEST_EFFORT.channel(), PubSub.CHANNEL_FIRST + 4);
        assertTrue(Delivery.HIGH.channel() < Delivery.NORMAL.channel() &&
            Delivery.NORMAL.channel() < Delivery.LOW.channel(), "the stack sends lower channels first");
    }

    @Test
    void shouldLetAHighPublicationOvertakeABacklogOfLowOnes()
    {
        final int backlog = 2_000;
        final int[] high = lowReceivedAroundUrgent(Delivery.HIGH, backlog);
        final int[] sameChannel = lowReceivedAroundUrgent(Delivery.LOW, backlog);
        System.out.printf("priority under contention: %d LOW publications of 1000 B queued, one urgent published " +
            "when the subscriber had %d of them: on HIGH it came after %d LOW ones (%d more); on LOW, the same " +
            "channel, after %d (%d more)%n", backlog, high[0], high[1], high[1] - high[0], sameChannel[1],
            sameChannel[1] - sameChannel[0]);

        assertTrue(high[1] - high[0] < backlog / 10, "HIGH overtakes the LOW backlog");
        assertEquals(backlog, sameChannel[1], "on the same channel, it waits its turn (ordered)");
    }

    /**
     * Queue a backlog of LOW publications (many times what the subscriber's receive window takes at once), run until
     * they flow, then publish one on the given delivery; run until all arrived.
     *
     * @return how many LOW ones the subscriber had when the urgent one was published, and when it came.
     */
    private int[] lowReceivedAroundUrgent(final Delivery urgentDelivery, final int backlog)
    {
        final String tag = urgentDelivery.name().toLowerCase();
        final PubSub publisher = mesh.launch("pub-" + tag,
            (ctx) -> ctx.sendBufferMaxBytes(8 << 20).maxUnackedSegments(8192));
        final PubSub subscriber = mesh.launch("sub-" + tag, (ctx) -> ctx.receiveWindowSegments(64));
        final int[] low = {0};
        final int[] lowAtUrgent = {-1};
        subscriber.subscribe("bulk", (topic, estateId, buffer, offset, length) -> low[0]++);
        subscriber.subscribe("urgent", (topic, estateId, buffer, offset, length) -> lowAtUrgent[0] = low[0]);
        mesh.join(subscriber, publisher);
        final Publisher bulk = publisher.publisher("bulk").delivery(Delivery.LOW);
        final Publisher urgent = publisher.publisher("urgent").delivery(urgentDelivery);
        assertTrue(mesh.runUntil(() -> 1 == bulk.remoteSubscribers() && 1 == urgent.remoteSubscribers(), 10_000));
        payload.putInt(0, -1);
        assertEquals(1, urgent.publish(payload, 0, 4), "declared and delivered once before the contention");
        assertTrue(mesh.runUntil(() -> lowAtUrgent[0] == 0, 10_000));
        lowAtUrgent[0] = -1;

        for (int i = 0; i < backlog; i++)
        {
            payload.putInt(0, i);
            assertEquals(1, bulk.publish(payload, 0, 1000), "the publisher's channel holds the whole backlog");
        }
        assertTrue(mesh.runUntil(() -> low[0] >= backlog / 4, 1_000_000), () -> "low " + low[0]);
        final int lowAtPublish = low[0];
        assertEquals(1, urgent.publish(payload, 0, 4));
        assertTrue(mesh.runUntil(() -> low[0] == backlog && lowAtUrgent[0] >= 0, 1_000_000),
            () -> "low " + low[0] + ", urgent after " + lowAtUrgent[0]);
        return new int[]{ lowAtPublish, lowAtUrgent[0] };
    }

    @Test
    void shouldNotLetASlowSubscriberHoldUpAFastOne()
    {
        final PubSub publisher =
            mesh.launch("pub", (ctx) -> ctx.sendBufferMaxBytes(1 << 20).maxUnackedSegments(1024));
        final PubSub fast = mesh.launch("fast", (ctx) -> ctx.receiveWindowSegments(64));
        final PubSub slow = mesh.launch("slow", (ctx) -> ctx.receiveWindowSegments(64));
        final int[] atFast = {0};
        final int[] atSlow = {0};
        fast.subscribe("feed", (topic, estateId, buffer, offset, length) -> atFast[0]++);
        slow.subscribe("feed", (topic, estateId, buffer, offset, length) -> atSlow[0]++);
        mesh.join(fast, publisher);
        mesh.join(slow, publisher);
        final Publisher feed = publisher.publisher("feed");
        assertTrue(mesh.runUntil(() -> 2 == feed.remoteSubscribers(), 10_000));

        mesh.paused.add(slow);
        final int publications = 20_000;
        long skipped = 0;
        for (int i = 0; i < publications; i++)
        {
            payload.putInt(0, i);
            feed.publish(payload, 0, 1000);
            skipped += feed.lastBackPressured();
            if (0 == i % 8)
            {
                mesh.step();
            }
        }
        assertTrue(mesh.runUntil(() -> atFast[0] == publications, 1_000_000), "fast got " + atFast[0]);
        mesh.paused.clear();
        mesh.run(20_000);

        assertEquals(publications, atFast[0], "the fast subscriber got every publication");
        assertTrue(skipped > 0, "the slow one was skipped while it did not read");
        assertEquals(publications - skipped, atSlow[0], "the slow one got exactly those not skipped");
        assertEquals(skipped, publisher.counter(PubSubCounterDescriptor.PUBLICATIONS_BACK_PRESSURED));
        System.out.printf("slow subscriber beside a fast one: %d publications, fast received %d, slow received %d, " +
            "publisher told %d skipped%n", publications, atFast[0], atSlow[0], skipped);
    }

    @Test
    void shouldGiveASlowSubscriberTheLatestValueWhenTheTopicConflates()
    {
        final PubSub publisher =
            mesh.launch("pub", (ctx) -> ctx.sendBufferMaxBytes(1 << 20).maxUnackedSegments(1024));
        final PubSub fast = mesh.launch("fast", (ctx) -> ctx.receiveWindowSegments(64));
        final PubSub slow = mesh.launch("slow", (ctx) -> ctx.receiveWindowSegments(64));
        final List<Integer> atFast = new ArrayList<>();
        final List<Integer> atSlow = new ArrayList<>();
        fast.subscribe("price", (topic, estateId, buffer, offset, length) -> atFast.add(buffer.getInt(offset)));
        slow.subscribe("price", (topic, estateId, buffer, offset, length) -> atSlow.add(buffer.getInt(offset)));
        mesh.join(fast, publisher);
        mesh.join(slow, publisher);
        final Publisher price = publisher.publisher("price").conflate();
        assertTrue(mesh.runUntil(() -> 2 == price.remoteSubscribers(), 10_000));

        mesh.paused.add(slow);
        final int publications = 20_000;
        for (int i = 0; i < publications; i++)
        {
            payload.putInt(0, i);
            price.publish(payload, 0, 1000);
            assertEquals(0, price.lastBackPressured(), "a conflating topic skips nobody");
            if (0 == i % 8)
            {
                mesh.step();
            }
        }
        assertTrue(mesh.runUntil(() -> atFast.size() == publications, 1_000_000));
        mesh.paused.clear();
        assertTrue(mesh.runUntil(() -> !atSlow.isEmpty() && publications - 1 == atSlow.get(atSlow.size() - 1),
            100_000), "the slow one ends with the latest value");
        mesh.run(1_000);

        assertEquals(publications, atFast.size());
        for (int i = 1; i < atSlow.size(); i++)
        {
            assertTrue(atSlow.get(i) > atSlow.get(i - 1), "in order, never older than what it had");
        }
        final long conflated = publisher.counter(PubSubCounterDescriptor.PUBLICATIONS_CONFLATED);
        assertEquals(publications, atSlow.size() + conflated, "each publication reached it or was conflated");
        System.out.printf("conflating topic, slow subscriber: %d publications, fast %d, slow %d (last %d), " +
            "conflated %d%n", publications, atFast.size(), atSlow.size(), atSlow.get(atSlow.size() - 1), conflated);
    }

    @Test
    void shouldHoldEveryoneBackForASlowSubscriberWhenThePublisherBlocks()
    {
        final PubSub publisher =
            mesh.launch("pub", (ctx) -> ctx.sendBufferMaxBytes(1 << 20).maxUnackedSegments(1024));
        final PubSub fast = mesh.launch("fast", (ctx) -> ctx.receiveWindowSegments(64));
        final PubSub slow = mesh.launch("slow", (ctx) -> ctx.receiveWindowSegments(64));
        final List<Integer> atFast = new ArrayList<>();
        final List<Integer> atSlow = new ArrayList<>();
        fast.subscribe("orders", (topic, estateId, buffer, offset, length) -> atFast.add(buffer.getInt(offset)));
        slow.subscribe("orders", (topic, estateId, buffer, offset, length) -> atSlow.add(buffer.getInt(offset)));
        mesh.join(fast, publisher);
        mesh.join(slow, publisher);
        final Publisher orders = publisher.publisher("orders").blocking();
        assertTrue(mesh.runUntil(() -> 2 == orders.remoteSubscribers(), 10_000));

        mesh.paused.add(slow);
        final int publications = 5_000;
        int next = 0;
        long refused = 0;
        while (next < publications && refused < 100_000)
        {
            payload.putInt(0, next);
            final long result = orders.publish(payload, 0, 1000);
            if (PubSub.BACK_PRESSURED == result)
            {
                assertEquals(1, orders.lastBackPressured(), "the slow one is full");
                refused++;
                mesh.step();
                if (refused == 5_000)
                {
                    mesh.paused.clear();
                }
                continue;
            }
            assertEquals(2, result, "both or none");
            next++;
            if (0 == next % 8)
            {
                mesh.step();
            }
        }
        assertTrue(mesh.runUntil(() -> publications == atFast.size() && publications == atSlow.size(), 1_000_000),
            "fast " + atFast.size() + ", slow " + atSlow.size());
        for (int i = 0; i < publications; i++)
        {
            assertEquals(i, atFast.get(i));
            assertEquals(i, atSlow.get(i));
        }
        assertTrue(refused >= 5_000, "the publisher was held back while the slow one did not read: " + refused);
        assertEquals(0, publisher.counter(PubSubCounterDescriptor.PUBLICATIONS_BACK_PRESSURED), "nobody skipped");
        System.out.printf("blocking publisher: %d publications, both subscribers got all of them in order; " +
            "refused %d times while the slow one did not read%n", publications, refused);
    }
}
