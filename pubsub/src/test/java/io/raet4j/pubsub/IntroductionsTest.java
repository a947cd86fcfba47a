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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mesh from first joins: estates that each joined one hub are introduced to each other and join, so they exchange
 * publications directly without knowing each other's address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntroductionsTest
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
    void shouldJoinEstatesIntroducedByAHubAndPublishDirectly()
    {
        final PubSub hub = mesh.launch("hub", (ctx) -> {}, (ctx) -> ctx.introductions(true));
        final PubSub pin = mesh.launch("pin", (ctx) -> {}, (ctx) -> ctx.introductions(true));
        final PubSub buzzer = mesh.launch("buzzer", (ctx) -> {}, (ctx) -> ctx.introductions(true));
        final PubSub fourth = mesh.launch("fourth", (ctx) -> {}, (ctx) -> ctx.introductions(true));
        final List<String> buzzed = new ArrayList<>();
        buzzer.subscribe("pin.state", (topic, estateId, buffer, offset, length) -> buzzed.add(topic));
        mesh.join(pin, hub);
        mesh.join(buzzer, hub);
        mesh.join(fourth, hub);

        assertTrue(mesh.runUntil(() -> pin.stack().isJoined(buzzer.stack().estateId()) &&
            pin.stack().isJoined(fourth.stack().estateId()) && buzzer.stack().isJoined(fourth.stack().estateId()),
            100_000), "every pair joined through introductions");
        final Publisher state = pin.publisher("pin.state");
        assertTrue(mesh.runUntil(() -> 1 == state.remoteSubscribers(), 10_000));
        state.publish(new UnsafeBuffer(new byte[1]), 0, 1);
        assertTrue(mesh.runUntil(() -> 1 == buzzed.size(), 10_000));
        final long introduced = pin.counter(PubSubCounterDescriptor.ESTATES_INTRODUCED) +
            buzzer.counter(PubSubCounterDescriptor.ESTATES_INTRODUCED) +
            fourth.counter(PubSubCounterDescriptor.ESTATES_INTRODUCED);
        assertEquals(3, introduced, "three pairs, one join each (the lower id joins)");
        assertEquals(0, hub.counter(PubSubCounterDescriptor.ESTATES_INTRODUCED));
    }

    @Test
    void shouldNotIntroduceWhenOff()
    {
        final PubSub hub = mesh.launch("hub");
        final PubSub pin = mesh.launch("pin");
        final PubSub buzzer = mesh.launch("buzzer");
        mesh.join(pin, hub);
        mesh.join(buzzer, hub);
        mesh.run(20_000);
        assertFalse(pin.stack().isJoined(buzzer.stack().estateId()));
        assertFalse(buzzer.stack().isJoined(pin.stack().estateId()));
    }
}
