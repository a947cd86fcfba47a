package io.raet4j.pubsub;

import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultInjectingMedia;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import org.agrona.DirectBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Through the fault-injecting media at 20 % loss (each way, with some duplication and reordering): reliable topics
 * lose nothing and stay in order per publisher, and every request ends exactly once with its own reply.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PubSubLossTest
{
    private static final int PUBLICATIONS = 5_000;
    private static final int REQUESTS = 500;
    private static final double DUP = Double.parseDouble(System.getProperty("dup", "0.02"));
    private static final double REORDER = Double.parseDouble(System.getProperty("reorder", "0.05"));

    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final List<FaultInjectingMedia> medias = new ArrayList<>();

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

    private Consumer<StackContext> lossy(final long seed)
    {
        return (ctx) ->
        {
            final FaultInjectingMedia media = new FaultInjectingMedia(
                UdpMedia.open("127.0.0.1:0", Context.MTU_DEFAULT, mesh.errors::add),
                new FaultProfile().lossRate(0.2).duplicateRate(DUP).reorderRate(REORDER).seed(seed),
                mesh.clock);
            medias.add(media);
            ctx.transport().media(media);
        };
    }

    @Test
    void shouldLoseNothingAndKeepOrderPerPublisherAndTopicAtTwentyPercentLoss()
    {
        final PubSub publisher = mesh.launch("pub", lossy(1));
        final PubSub first = mesh.launch("first", lossy(2));
        final PubSub second = mesh.launch("second", lossy(3));
        final Map<String, List<Integer>> atFirst = new HashMap<>();
        final Map<String, List<Integer>> atSecond = new HashMap<>();
        final List<String> presence = new ArrayList<>();
        for (final PubSub member : List.of(publisher, first, second))
        {
            member.stack().addPresenceHandler((id, name, event) ->
                presence.add(member.stack().name() + " sees " + name + " " + event + " at " + mesh.clock.nanoTime()));
        }
        first.subscribe("loss.>", collect(atFirst));
        second.subscribe("loss.a", collect(atSecond));
        mesh.join(first, publisher);
        mesh.join(second, publisher);
        final Publisher a = publisher.publisher("loss.a");
        final Publisher b = publisher.publisher("loss.b");
        assertTrue(mesh.runUntil(() -> 2 == a.remoteSubscribers() && 1 == b.remoteSubscribers(), 200_000),
            () -> "interest: a " + a.remoteSubscribers() + " b " + b.remoteSubscribers() + "; sent by first " +
            first.counter(PubSubCounterDescriptor.INTEREST_SENT) + ", second " +
            second.counter(PubSubCounterDescriptor.INTEREST_SENT) + "; received by pub " +
            publisher.counter(PubSubCounterDescriptor.INTEREST_RECEIVED) + ", malformed " +
            publisher.counter(PubSubCounterDescriptor.MALFORMED_FRAMES) + ", errors " + mesh.errors + " " + presence +
            " second outstanding " + second.stack().outstandingMessages(publisher.stack().estateId()) +
            " second joined " + second.stack().isJoined(publisher.stack().estateId()) + " pub joined " +
            publisher.stack().isJoined(second.stack().estateId()) + " pub received msgs " +
            publisher.stack().counter(StackCounterDescriptor.MESSAGES_RECEIVED) +
            " second offered " +
            second.stack().counter(StackCounterDescriptor.MESSAGES_OFFERED) +
            " second estates " + second.stack().estates() + " pub estates " + publisher.stack().estates() +
            "\nSECOND " + counters(second) + "\nPUB " + counters(publisher));

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[200]);
        int sent = 0;
        long skipped = 0;
        while (sent < PUBLICATIONS)
        {
            for (int i = 0; i < 20 && sent < PUBLICATIONS; i++, sent++)
            {
                payload.putInt(0, sent);
                a.publish(payload, 0, 200);
                skipped += a.lastBackPressured();
                b.publish(payload, 0, 100);
                skipped += b.lastBackPressured();
            }
            mesh.step();
        }
        assertEquals(0, skipped, "nothing was refused for back-pressure in this test");
        assertTrue(mesh.runUntil(() -> size(atFirst, "loss.a") == PUBLICATIONS &&
            size(atFirst, "loss.b") == PUBLICATIONS && size(atSecond, "loss.a") == PUBLICATIONS, 2_000_000),
            "first " + size(atFirst, "loss.a") + "/" + size(atFirst, "loss.b") + ", second " +
            size(atSecond, "loss.a"));
        mesh.run(1_000);

        for (final List<Integer> received :
            List.of(atFirst.get("loss.a"), atFirst.get("loss.b"), atSecond.get("loss.a")))
        {
            assertEquals(PUBLICATIONS, received.size(), "exactly once");
            for (int i = 0; i < PUBLICATIONS; i++)
            {
                assertEquals(i, received.get(i), "in order");
            }
        }
        assertEquals(null, atSecond.get("loss.b"), "second does not want loss.b and was sent none");
        long dropped = 0;
        for (final FaultInjectingMedia media : medias)
        {
            dropped += media.droppedCount();
        }
        assertTrue(dropped > 500, "the media really dropped datagrams: " + dropped);
    }

    @Test
    void shouldEndEveryRequestExactlyOnceWithItsOwnReplyAtTwentyPercentLoss()
    {
        final PubSub requester = mesh.launch("requester", lossy(4));
        final PubSub responder = mesh.launch("responder", lossy(5));
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
        responder.respond("calc.square", (topic, estateId, buffer, offset, length, replier) ->
        {
            final long value = buffer.getLong(offset);
            reply.putLong(0, value * value);
            replier.reply(reply, 0, 8);
        });
        mesh.join(requester, responder);
        final Publisher square = requester.publisher("calc.square");
        assertTrue(mesh.runUntil(() -> 1 == square.remoteResponders(), 200_000), "the responder's interest came");

        final Map<Long, Long> askedById = new HashMap<>();
        final Map<Long, List<String>> endsById = new HashMap<>();
        final MutableLong ended = new MutableLong();
        final ReplyHandler handler = new ReplyHandler()
        {
            public void onReply(
                final long requestId, final long responderEstateId, final DirectBuffer buffer, final int offset,
                final int length)
            {
                ended.increment();
                endsById.computeIfAbsent(requestId, (k) -> new ArrayList<>()).add("reply:" + buffer.getLong(offset));
            }

            public void onFailure(final long requestId, final RequestFailure reason)
            {
                ended.increment();
                endsById.computeIfAbsent(requestId, (k) -> new ArrayList<>()).add(reason.name());
            }
        };
        final UnsafeBuffer request = new UnsafeBuffer(new byte[8]);
        for (long i = 1; i <= REQUESTS; i++)
        {
            request.putLong(0, i);
            final long id = requester.request(square, request, 0, 8, TimeUnit.SECONDS.toNanos(30), handler);
            assertTrue(id > 0);
            askedById.put(id, i);
            if (0 == i % 10)
            {
                mesh.step();
            }
        }
        assertTrue(mesh.runUntil(() -> ended.get() == REQUESTS, 2_000_000), "ended " + ended.get());
        mesh.run(2_000);

        assertEquals(REQUESTS, endsById.size());
        for (final Map.Entry<Long, Long> asked : askedById.entrySet())
        {
            final long value = asked.getValue();
            assertEquals(List.of("reply:" + value * value), endsById.get(asked.getKey()),
                "request " + asked.getKey() + " ended once, with its own reply");
        }
    }

    private static String counters(final PubSub pubSub)
    {
        final StringBuilder out = new StringBuilder();
        for (final StackCounterDescriptor descriptor : StackCounterDescriptor.values())
        {
            final long value = pubSub.stack().counter(descriptor);
            if (0 != value)
            {
                out.append(descriptor).append('=').append(value).append(' ');
            }
        }
        return out.toString();
    }

    private static PublicationHandler collect(final Map<String, List<Integer>> into)
    {
        return (topic, estateId, buffer, offset, length) ->
            into.computeIfAbsent(topic, (k) -> new ArrayList<>()).add(buffer.getInt(offset));
    }

    private static int size(final Map<String, List<Integer>> received, final String topic)
    {
        final List<Integer> list = received.get(topic);
        return null == list ? 0 : list.size();
    }
}
