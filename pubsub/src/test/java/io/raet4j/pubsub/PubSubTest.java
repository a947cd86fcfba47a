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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer over real stacks on loopback UDP: interest told to joined estates, publications sent only where they are
 * wanted and handed once to each matching subscription, unsubscription, a dead estate's interest dropped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PubSubTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);

    @BeforeEach
    void setUp()
    {
        mesh = new PubSubMesh(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        mesh.close();
        assertEquals(List.of(), mesh.errors);
    }

    @Test
    void shouldSendOnlyToEstatesWhoseInterestMatchesAndDeliverOncePerSubscription()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        final PubSub beta = mesh.launch("beta");
        final List<String> atAlpha = new ArrayList<>();
        final List<String> atAlphaWide = new ArrayList<>();
        final List<String> atBeta = new ArrayList<>();
        alpha.subscribe("sensors.*.temperature", record("narrow", atAlpha));
        alpha.subscribe("sensors.>", record("wide", atAlphaWide));
        alpha.subscribe("sensors.kitchen.*", record("narrow", atAlpha));
        beta.subscribe("alarms.>", record("beta", atBeta));
        mesh.join(alpha, publisher);
        mesh.join(beta, publisher);
        final Publisher temperature = publisher.publisher("sensors.kitchen.temperature");
        assertTrue(mesh.runUntil(() -> 1 == temperature.remoteSubscribers(), 10_000), "interest arrived");

        for (int i = 0; i < 100; i++)
        {
            payload.putInt(0, i);
            assertEquals(1, temperature.publish(payload, 0, 4), "one estate wants it");
        }
        assertTrue(mesh.runUntil(() -> 100 == atAlphaWide.size() && 200 == atAlpha.size(), 100_000));
        mesh.run(1_000);

        assertEquals(200, atAlpha.size(), "two subscriptions of alpha match, each once: " + atAlpha.size());
        assertEquals(100, atAlphaWide.size());
        for (int i = 0; i < 100; i++)
        {
            assertEquals("wide:sensors.kitchen.temperature:" + i, atAlphaWide.get(i), "in order");
        }
        assertEquals(List.of(), atBeta, "beta's interest does not match: it is sent nothing");
        assertEquals(0, beta.counter(PubSubCounterDescriptor.PUBLICATIONS_RECEIVED));
        assertEquals(100, publisher.counter(PubSubCounterDescriptor.PUBLICATIONS_SENT));
        assertEquals(1, publisher.counter(PubSubCounterDescriptor.TOPICS_DECLARED), "declared once");
    }

    @Test
    void shouldStopSendingWhenTheLastMatchingSubscriptionCloses()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        final List<String> first = new ArrayList<>();
        final List<String> second = new ArrayList<>();
        final Subscription one = alpha.subscribe("a.b", record("1", first));
        final Subscription two = alpha.subscribe("a.b", record("2", second));
        mesh.join(alpha, publisher);
        final Publisher ab = publisher.publisher("a.b");
        assertTrue(mesh.runUntil(() -> 1 == ab.remoteSubscribers(), 10_000));

        one.close();
        mesh.run(200);
        assertEquals(1, ab.remoteSubscribers(), "another subscription has the same pattern");
        assertEquals(1, ab.publish(payload, 0, 4));
        assertTrue(mesh.runUntil(() -> 1 == second.size(), 10_000));
        assertEquals(List.of(), first, "closed");

        two.close();
        assertTrue(mesh.runUntil(() -> 0 == ab.remoteSubscribers(), 10_000), "the estate said it no longer wants it");
        assertEquals(0, ab.publish(payload, 0, 4));
    }

    @Test
    void shouldDeliverToLocalSubscriptionsAndTellLateJoinersTheInterest()
    {
        final PubSub alpha = mesh.launch("alpha");
        final List<String> local = new ArrayList<>();
        alpha.subscribe("x.>", record("local", local));
        final Publisher xy = alpha.publisher("x.y");
        payload.putInt(0, 7);
        assertEquals(1, xy.publish(payload, 0, 4), "no estate joined yet: the local subscription only");
        assertEquals(List.of("local:x.y:7"), local);

        final PubSub late = mesh.launch("late");
        mesh.join(late, alpha);
        final Publisher lateXy = late.publisher("x.y");
        assertTrue(mesh.runUntil(() -> 1 == lateXy.remoteSubscribers(), 10_000), "interest sent at the join");
        payload.putInt(0, 8);
        assertEquals(1, lateXy.publish(payload, 0, 4));
        assertTrue(mesh.runUntil(() -> 2 == local.size(), 10_000));
        assertEquals("local:x.y:8", local.get(1));
    }

    @Test
    void shouldDropTheInterestOfAnEstateThatClosesAtOnce()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        alpha.subscribe(">", (topic, estateId, buffer, offset, length) -> {});
        mesh.join(alpha, publisher);
        final Publisher any = publisher.publisher("any.topic");
        assertTrue(mesh.runUntil(() -> 1 == any.remoteSubscribers(), 10_000));

        alpha.close();
        assertTrue(mesh.runUntil(() -> 0 == any.remoteSubscribers(), 10_000), "alpha left: its interest is gone");
        assertEquals(0, any.publish(payload, 0, 4));
    }

    @Test
    void shouldRefuseBadPatternsAndSystemTopicsWithAMessage()
    {
        final PubSub alpha = mesh.launch("alpha");
        final IllegalArgumentException pattern = assertThrows(IllegalArgumentException.class,
            () -> alpha.subscribe("a..b", (topic, estateId, buffer, offset, length) -> {}));
        assertTrue(pattern.getMessage().contains("empty token"), pattern.getMessage());
        final IllegalArgumentException system =
            assertThrows(IllegalArgumentException.class, () -> alpha.publisher("$raet.presence"));
        assertTrue(system.getMessage().contains("system topic"), system.getMessage());
        assertThrows(IllegalArgumentException.class, () -> alpha.publisher("a.*"));
    }

    @Test
    void shouldGiveARestartedSubscriberItsPublicationsAgain()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub first = mesh.launch("sub");
        first.subscribe("t.>", (topic, estateId, buffer, offset, length) -> {});
        mesh.join(first, publisher);
        final Publisher t = publisher.publisher("t.x");
        assertTrue(mesh.runUntil(() -> 1 == t.remoteSubscribers(), 10_000));
        assertEquals(1, t.publish(payload, 0, 4));
        mesh.run(100);

        first.close();
        assertTrue(mesh.runUntil(() -> 0 == t.remoteSubscribers(), 10_000));
        final PubSub again = mesh.launch("sub");
        final List<String> received = new ArrayList<>();
        again.subscribe("t.>", record("again", received));
        mesh.join(again, publisher);
        assertTrue(mesh.runUntil(() -> 1 == t.remoteSubscribers(), 10_000), "the new session's interest arrived");
        payload.putInt(0, 42);
        assertEquals(1, t.publish(payload, 0, 4));
        assertTrue(mesh.runUntil(() -> 1 == received.size(), 10_000));
        assertEquals("again:t.x:42", received.get(0));
        assertEquals(2, publisher.counter(PubSubCounterDescriptor.TOPICS_DECLARED),
            "declared again in the new session: the old session's ids are gone with it");
    }

    @Test
    void shouldGiveARestartedSubscriberTheLastValueAgain()
    {
        final PubSub publisher = mesh.launch("pub");
        final Publisher config = publisher.publisher("config.mode").retainLastValue();
        final PubSub first = mesh.launch("sub");
        final List<String> before = new ArrayList<>();
        first.subscribe("config.>", record("before", before));
        mesh.join(first, publisher);
        assertTrue(mesh.runUntil(() -> 1 == config.remoteSubscribers(), 10_000));
        payload.putInt(0, 7);
        config.publish(payload, 0, 4);
        assertTrue(mesh.runUntil(() -> 1 == before.size(), 10_000));

        first.close();
        assertTrue(mesh.runUntil(() -> 0 == config.remoteSubscribers(), 10_000));
        payload.putInt(0, 8);
        config.publish(payload, 0, 4);
        final PubSub restarted = mesh.launch("sub");
        final List<String> after = new ArrayList<>();
        restarted.subscribe("config.>", record("after", after));
        mesh.join(restarted, publisher);

        assertTrue(mesh.runUntil(() -> 1 == after.size(), 10_000), "its subscription is back with the last value");
        mesh.run(200);
        assertEquals(List.of("after:config.mode:8"), after, "the value published while it was gone, once");
    }

    @Test
    void shouldLetAHandlerSubscribeUnsubscribeAndPublish()
    {
        final PubSub alpha = mesh.launch("alpha");
        final List<String> seen = new ArrayList<>();
        final Publisher echo = alpha.publisher("echo");
        final Subscription[] late = new Subscription[1];
        final Subscription[] self = new Subscription[1];
        self[0] = alpha.subscribe("ping", (topic, estateId, buffer, offset, length) ->
        {
            seen.add("ping");
            late[0] = alpha.subscribe("ping", record("late", seen));
            self[0].close();
            echo.publish(buffer, offset, length);
        });
        alpha.subscribe("echo", record("echo", seen));
        payload.putInt(0, 5);

        assertEquals(1, alpha.publisher("ping").publish(payload, 0, 4));
        assertEquals(List.of("ping", "echo:echo:5"), seen, "the subscription added meanwhile waits for the next one");
        assertEquals(1, alpha.publisher("ping").publish(payload, 0, 4));
        assertEquals("late:ping:5", seen.get(2));
        assertTrue(self[0].isClosed());
    }

    @Test
    void shouldGiveNewSubscriptionsTheLastValueFirst()
    {
        final PubSub publisher = mesh.launch("pub");
        final Publisher mode = publisher.publisher("cfg.mode").retainLastValue();
        final Publisher plain = publisher.publisher("cfg.plain");
        payload.putInt(0, 1);
        mode.publish(payload, 0, 4);
        payload.putInt(0, 2);
        mode.publish(payload, 0, 4);
        plain.publish(payload, 0, 4);

        final List<String> atPublisher = new ArrayList<>();
        publisher.subscribe("cfg.*", record("local", atPublisher));
        mesh.run(1);
        assertEquals(List.of("local:cfg.mode:2"), atPublisher, "the local publisher's last value, not plain's");

        final PubSub subscriber = mesh.launch("sub");
        final List<String> first = new ArrayList<>();
        subscriber.subscribe("cfg.>", record("first", first));
        mesh.join(subscriber, publisher);
        assertTrue(mesh.runUntil(() -> 1 == first.size(), 10_000), "the last value arrives after the join");
        mesh.run(500);
        assertEquals(List.of("first:cfg.mode:2"), first, "once, and only the retained topic");

        payload.putInt(0, 3);
        assertEquals(2, mode.publish(payload, 0, 4), "the subscriber and the local subscription");
        assertTrue(mesh.runUntil(() -> 2 == first.size(), 10_000));
        assertEquals("first:cfg.mode:3", first.get(1));

        final List<String> second = new ArrayList<>();
        subscriber.subscribe("cfg.mode", record("second", second));
        mesh.run(500);
        assertEquals(List.of("second:cfg.mode:3"), second, "kept by the subscriber's stack, not sent again");
        assertEquals(2, first.size(), "the first subscription is not given it again");
    }

    private static PublicationHandler record(final String who, final List<String> into)
    {
        return (topic, estateId, buffer, offset, length) ->
            into.add(who + ":" + topic + ":" + (length >= 4 ? buffer.getInt(offset) : -1));
    }
}
