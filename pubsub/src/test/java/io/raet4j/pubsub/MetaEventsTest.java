package io.raet4j.pubsub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Meta events: a publisher told when its topic's subscribers change, and the layer's $raet topics reporting presence
 * and other estates' interest to local subscriptions only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetaEventsTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;

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
    void shouldTellAPublisherWhenItsSubscribersChange()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        final List<String> changes = new ArrayList<>();
        final Publisher news = publisher.publisher("news.today")
            .subscribersListener((p, remote, local) -> changes.add(remote + "/" + local));
        mesh.step();
        assertEquals(List.of("0/0"), changes, "the counts as they are, first");

        final Subscription localOne = publisher.subscribe("news.>", (t, e, b, o, l) -> {});
        mesh.step();
        assertEquals("0/1", changes.get(1));
        mesh.join(alpha, publisher);
        final Subscription remoteOne = alpha.subscribe("*.today", (t, e, b, o, l) -> {});
        assertTrue(mesh.runUntil(() -> changes.contains("1/1"), 10_000), changes::toString);
        remoteOne.close();
        assertTrue(mesh.runUntil(() -> "0/1".equals(changes.get(changes.size() - 1)), 10_000), changes::toString);
        localOne.close();
        mesh.run(10);
        assertEquals("0/0", changes.get(changes.size() - 1));
        final int told = changes.size();
        mesh.run(100);
        assertEquals(told, changes.size(), "told only on changes: " + changes);
        assertEquals(0, news.remoteSubscribers());
        assertEquals(0, news.localSubscribers());
    }

    @Test
    void shouldReportPresenceAndInterestOnSystemTopicsLocally()
    {
        final PubSub watcher = mesh.launch("watcher");
        final PubSub alpha = mesh.launch("alpha");
        final List<String> events = new ArrayList<>();
        watcher.subscribe("$raet.>", (topic, estateId, buffer, offset, length) ->
            events.add(topic + ":" + buffer.getStringWithoutLengthUtf8(offset + 8, length - 8) + ":" +
            (buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) == alpha.stack().estateId())));
        final List<String> wildcard = new ArrayList<>();
        watcher.subscribe(">", (topic, estateId, buffer, offset, length) -> wildcard.add(topic));

        mesh.join(alpha, watcher);
        final Subscription sub = alpha.subscribe("orders.*", (t, e, b, o, l) -> {});
        assertTrue(mesh.runUntil(() -> events.contains("$raet.interest.add:orders.*:true"), 10_000),
            events::toString);
        sub.close();
        assertTrue(mesh.runUntil(() -> events.contains("$raet.interest.remove:orders.*:true"), 10_000));
        alpha.close();
        assertTrue(mesh.runUntil(() -> events.contains("$raet.presence.dead:alpha:true"), 100_000), events::toString);

        assertEquals("$raet.presence.joined:alpha:true", events.get(0));
        assertEquals(List.of(), wildcard, "a first-token wildcard does not see system topics");
        assertThrows(IllegalArgumentException.class, () -> watcher.publisher("$raet.presence.joined"));
        assertEquals(0, alpha.counter(PubSubCounterDescriptor.PUBLICATIONS_RECEIVED), "never sent to estates");
    }
}
