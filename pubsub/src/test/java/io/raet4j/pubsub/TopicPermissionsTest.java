package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
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
 * Per-topic permissions by estate name over real stacks: each of the four actions denied, the others and other
 * estates unaffected, denials counted, a denied request answered DENIED.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicPermissionsTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);

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
    void shouldNotSendATopicToAnEstateDeniedSubscribe()
    {
        final PubSub hub = mesh.launch("hub");
        final PubSub mallory = mesh.launch("mallory");
        final PubSub alice = mesh.launch("alice");
        hub.permissions().deny("mallory", TopicAction.SUBSCRIBE, "secret.>");
        final List<String> atMallory = new ArrayList<>();
        final List<String> atAlice = new ArrayList<>();
        mallory.subscribe(">", (topic, id, buffer, offset, length) -> atMallory.add(topic));
        final List<String> toldDenied = new ArrayList<>();
        mallory.subscribe("$raet.interest.denied", (topic, id, buffer, offset, length) ->
            toldDenied.add(buffer.getStringWithoutLengthAscii(offset + 8, length - 8)));
        alice.subscribe(">", (topic, id, buffer, offset, length) -> atAlice.add(topic));
        mesh.join(mallory, hub);
        mesh.join(alice, hub);
        final Publisher secret = hub.publisher("secret.plans");
        final Publisher news = hub.publisher("public.news");
        assertTrue(mesh.runUntil(() -> 2 == news.remoteSubscribers(), 10_000));

        assertEquals(1, secret.remoteSubscribers(), "alice only");
        assertEquals(1, secret.publish(payload, 0, 4));
        assertEquals(2, news.publish(payload, 0, 4));
        assertTrue(mesh.runUntil(() -> 2 == atAlice.size() && 1 == atMallory.size(), 10_000));
        mesh.run(500);
        assertEquals(List.of("public.news"), atMallory);
        assertEquals(List.of("secret.plans"), toldDenied, "mallory is told, once, that it will not be sent it");
        assertEquals(List.of("secret.plans", "public.news"), atAlice);
        assertTrue(hub.counter(PubSubCounterDescriptor.DENIALS) >= 1);

        hub.permissions().clear();
        assertEquals(2, secret.remoteSubscribers(), "rules cleared: everything allowed again");
    }

    @Test
    void shouldDropPublicationsFromAnEstateDeniedPublish()
    {
        final PubSub sink = mesh.launch("sink");
        final PubSub mallory = mesh.launch("mallory");
        final PubSub alice = mesh.launch("alice");
        sink.permissions()
            .allow("mallory", TopicAction.PUBLISH, "chat.mallory")
            .deny("mallory", TopicAction.PUBLISH, ">");
        final List<String> received = new ArrayList<>();
        sink.subscribe("chat.*", (topic, id, buffer, offset, length) -> received.add(topic));
        mesh.join(mallory, sink);
        mesh.join(alice, sink);
        final Publisher forged = mallory.publisher("chat.alice");
        final Publisher own = mallory.publisher("chat.mallory");
        final Publisher alices = alice.publisher("chat.alice");
        assertTrue(mesh.runUntil(() -> 1 == forged.remoteSubscribers() && 1 == alices.remoteSubscribers(), 10_000));

        forged.publish(payload, 0, 4);
        own.publish(payload, 0, 4);
        alices.publish(payload, 0, 4);
        assertTrue(mesh.runUntil(() -> 2 == received.size(), 10_000));
        mesh.run(500);
        assertEquals(2, received.size(), "mallory's forged topic dropped: " + received);
        assertTrue(received.contains("chat.mallory") && received.contains("chat.alice"));
        assertEquals(1, sink.counter(PubSubCounterDescriptor.DENIALS));
    }

    @Test
    void shouldNotAskAResponderDeniedRespond()
    {
        final PubSub server = mesh.launch("server");
        final PubSub mallory = mesh.launch("mallory");
        final PubSub asker = mesh.launch("asker");
        server.respond(">", (topic, id, buffer, offset, length, replier) -> replier.reply(buffer, offset, length));
        mallory.respond(">", (topic, id, buffer, offset, length, replier) ->
        {
            throw new IllegalStateException("mallory must never be asked");
        });
        asker.permissions().deny("mallory", TopicAction.RESPOND, ">");
        mesh.join(asker, server);
        mesh.join(asker, mallory);
        final Publisher echo = asker.publisher("echo");
        assertTrue(mesh.runUntil(() -> 1 == echo.remoteResponders(), 10_000), "mallory is not counted");
        final List<String> ends = new ArrayList<>();
        final ReplyHandler handler = recording(ends);

        for (int i = 0; i < 4; i++)
        {
            asker.request(echo, payload, 0, 4, TimeUnit.SECONDS.toNanos(1), handler);
        }
        assertTrue(mesh.runUntil(() -> 4 == ends.size(), 10_000));
        assertEquals(List.of("1:reply", "2:reply", "3:reply", "4:reply"), ends, "all went to the server");
        assertEquals(List.of(), mesh.errors, "mallory was never asked");

        server.close();
        assertTrue(mesh.runUntil(() -> 0 == echo.remoteResponders(), 100_000));
        final long alone = asker.request(echo, payload, 0, 4, TimeUnit.SECONDS.toNanos(1), handler);
        mesh.step();
        assertEquals(alone + ":NO_RESPONDERS", ends.get(4), "a denied responder is no responder");
        assertThrows(IllegalArgumentException.class, () -> asker.permissions().deny("", TopicAction.REQUEST, ">"));
        assertThrows(IllegalArgumentException.class, () -> asker.permissions().deny("x", TopicAction.REQUEST, "a..b"));
    }

    @Test
    void shouldAnswerDeniedToTheDeniedEstate()
    {
        final PubSub server = mesh.launch("server");
        final PubSub mallory = mesh.launch("mallory");
        server.permissions().deny("mallory", TopicAction.REQUEST, "admin.>");
        server.respond(">", (topic, id, buffer, offset, length, replier) -> replier.reply(buffer, offset, length));
        mesh.join(mallory, server);
        final Publisher admin = mallory.publisher("admin.reset");
        final Publisher other = mallory.publisher("other");
        assertTrue(mesh.runUntil(() -> 1 == admin.remoteResponders(), 10_000));
        final List<String> ends = new ArrayList<>();
        final ReplyHandler handler = recording(ends);
        final long first = mallory.request(admin, payload, 0, 4, TimeUnit.SECONDS.toNanos(1), handler);
        final long second = mallory.request(other, payload, 0, 4, TimeUnit.SECONDS.toNanos(1), handler);
        assertTrue(mesh.runUntil(() -> 2 == ends.size(), 10_000));
        assertEquals(List.of(first + ":DENIED", second + ":reply"), ends);
        assertEquals(1, server.counter(PubSubCounterDescriptor.DENIALS));
    }

    private static ReplyHandler recording(final List<String> ends)
    {
        return new ReplyHandler()
        {
            public void onReply(final long id, final long from, final DirectBuffer buffer, final int o, final int l)
            {
                ends.add(id + ":reply");
            }

            public void onFailure(final long id, final RequestFailure reason)
            {
                ends.add(id + ":" + reason);
            }
        };
    }
}
