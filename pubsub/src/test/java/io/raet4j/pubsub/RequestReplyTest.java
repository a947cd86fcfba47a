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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request and reply over real stacks on loopback: every request ends exactly once, with a reply or a reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestReplyTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private final List<String> ends = new ArrayList<>();
    private final ReplyHandler handler = new ReplyHandler()
    {
        public void onReply(
            final long requestId, final long responderEstateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            ends.add(requestId + ":reply:" + buffer.getInt(offset));
        }

        public void onFailure(final long requestId, final RequestFailure reason)
        {
            ends.add(requestId + ":" + reason);
        }
    };

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
    void shouldSayNoRespondersAtTheNextDutyCycleNotInsideTheCall()
    {
        final PubSub alpha = mesh.launch("alpha");
        final long id = alpha.request(alpha.publisher("nobody.here"), payload, 0, 4, TIMEOUT_NS, handler);
        assertEquals(1, id);
        assertEquals(List.of(), ends, "never inside request");
        mesh.step();
        assertEquals(List.of("1:NO_RESPONDERS"), ends);
        mesh.run(100);
        assertEquals(1, ends.size(), "exactly once");
    }

    @Test
    void shouldAnswerLocallyFirstAndRemotelyInTurn()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub one = mesh.launch("one");
        final PubSub two = mesh.launch("two");
        one.respond("svc.>", doubler(1000));
        two.respond("svc.*", doubler(2000));
        mesh.join(one, requester);
        mesh.join(two, requester);
        mesh.run(500);
        final Publisher svc = requester.publisher("svc.double");

        for (int i = 1; i <= 4; i++)
        {
            payload.putInt(0, i);
            requester.request(svc, payload, 0, 4, TIMEOUT_NS, handler);
        }
        assertTrue(mesh.runUntil(() -> 4 == ends.size(), 10_000), ends::toString);
        final long fromOne = ends.stream().filter((e) -> e.contains(":reply:10")).count();
        assertEquals(2, fromOne, "two estates in turn: " + ends);

        final ResponderRegistration local = requester.respond("svc.double", doubler(0));
        payload.putInt(0, 21);
        final long localId = requester.request(svc, payload, 0, 4, TIMEOUT_NS, handler);
        assertEquals(4, ends.size());
        mesh.step();
        assertEquals(localId + ":reply:42", ends.get(4), "the local responder first");
        local.close();
        mesh.run(10);
        assertEquals(5, ends.size());
    }

    @Test
    void shouldTimeOutThenDropTheLateReply()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub slow = mesh.launch("slow");
        slow.respond("slow.op", doubler(0));
        mesh.join(slow, requester);
        mesh.run(500);
        mesh.paused.add(slow);

        final long id = requester.request(requester.publisher("slow.op"), payload, 0, 4, TIMEOUT_NS, handler);
        mesh.run(TIMEOUT_NS / PubSubMesh.STEP_NS - 10);
        assertEquals(List.of(), ends, "not yet");
        mesh.run(20);
        assertEquals(List.of(id + ":TIMEOUT"), ends);

        mesh.paused.clear();
        assertTrue(mesh.runUntil(() -> 1 == requester.counter(PubSubCounterDescriptor.REPLIES_UNMATCHED), 10_000));
        assertEquals(1, ends.size(), "the late reply is dropped: the request ended once");
    }

    @Test
    void shouldFailWithPeerDeadWhenTheResponderLeaves()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub leaving = mesh.launch("leaving");
        leaving.respond("x.y", doubler(0));
        mesh.join(leaving, requester);
        mesh.run(500);
        mesh.paused.add(leaving);

        final long id = requester.request(requester.publisher("x.y"), payload, 0, 4, TimeUnit.SECONDS.toNanos(60),
            handler);
        mesh.run(10);
        leaving.close();
        assertTrue(mesh.runUntil(() -> 1 == ends.size(), 100_000));
        assertEquals(List.of(id + ":PEER_DEAD"), ends);
    }

    @Test
    void shouldFailWhenTheResponderThrowsOrDoesNotReply()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub broken = mesh.launch("broken");
        broken.respond("throws", (topic, estateId, buffer, offset, length, replier) ->
        {
            throw new IllegalStateException("responder bug");
        });
        broken.respond("silent", (topic, estateId, buffer, offset, length, replier) -> {});
        mesh.join(broken, requester);
        mesh.run(500);

        final long first = requester.request(requester.publisher("throws"), payload, 0, 4, TIMEOUT_NS, handler);
        final long second = requester.request(requester.publisher("silent"), payload, 0, 4, TIMEOUT_NS, handler);
        assertTrue(mesh.runUntil(() -> 2 == ends.size(), 10_000));
        assertEquals(List.of(first + ":RESPONDER_FAILED", second + ":RESPONDER_FAILED"), ends);
        assertEquals(1, mesh.errors.size(), "the responder's exception went to its error handler");
        assertEquals("responder bug", mesh.errors.get(0).getMessage());
    }

    @Test
    void shouldEndWaitingRequestsWhenTheLayerCloses()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub other = mesh.launch("other");
        other.respond("a", doubler(0));
        mesh.join(other, requester);
        mesh.run(500);
        mesh.paused.add(other);
        final Publisher a = requester.publisher("a");
        final long id = requester.request(a, payload, 0, 4, TIMEOUT_NS, handler);
        requester.close();
        assertEquals(List.of(id + ":CLOSED"), ends);
        assertEquals(PubSub.CLOSED, requester.request(a, payload, 0, 4, TIMEOUT_NS, handler));
    }

    @Test
    void shouldGatherTheRepliesOfEveryResponder()
    {
        final PubSub requester = mesh.launch("requester");
        final PubSub one = mesh.launch("one");
        final PubSub two = mesh.launch("two");
        final PubSub slow = mesh.launch("slow");
        one.respond("census.>", doubler(1000));
        two.respond("census.*", doubler(2000));
        slow.respond(">", doubler(3000));
        requester.respond("census.count", doubler(0));
        mesh.join(one, requester);
        mesh.join(two, requester);
        mesh.join(slow, requester);
        final Publisher census = requester.publisher("census.count");
        assertTrue(mesh.runUntil(() -> 3 == census.remoteResponders(), 10_000));
        mesh.paused.add(slow);

        final List<String> gathered = new ArrayList<>();
        final GatherHandler gather = new GatherHandler()
        {
            public void onReply(
                final long requestId, final long responderEstateId, final DirectBuffer buffer, final int offset,
                final int length)
            {
                gathered.add(requestId + ":reply:" + buffer.getInt(offset));
            }

            public void onEnd(final long requestId, final int replies, final int responders)
            {
                gathered.add(requestId + ":end:" + replies + "/" + responders);
            }
        };
        payload.putInt(0, 5);
        final long id = requester.requestAll(census, payload, 0, 4, TIMEOUT_NS, gather);
        assertEquals(List.of(), gathered, "never inside the call");
        assertTrue(mesh.runUntil(() -> 3 == gathered.size(), 10_000), gathered::toString);
        assertTrue(gathered.containsAll(List.of(id + ":reply:10", id + ":reply:1010", id + ":reply:2010")),
            gathered::toString);
        mesh.run(TIMEOUT_NS / PubSubMesh.STEP_NS + 10);
        assertEquals(id + ":end:3/4", gathered.get(3), "the slow one timed out: the end says 3 of 4");
        mesh.run(100);
        assertEquals(4, gathered.size(), "one end");

        gathered.clear();
        final PubSub alone = mesh.launch("alone");
        final long none = alone.requestAll(alone.publisher("nobody"), payload, 0, 4, TIMEOUT_NS, gather);
        mesh.step();
        assertEquals(List.of(none + ":end:0/0"), gathered);
    }

    private static Responder doubler(final int add)
    {
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[4]);
        return (topic, estateId, buffer, offset, length, replier) ->
        {
            reply.putInt(0, add + 2 * buffer.getInt(offset));
            replier.reply(reply, 0, 4);
        };
    }
}
