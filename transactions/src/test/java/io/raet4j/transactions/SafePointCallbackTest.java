package io.raet4j.transactions;

import io.raet4j.transport.media.FaultProfile;
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
 * Callbacks run at safe points: presence events, outcomes and join failures are handed over after the duty cycle's
 * work, so a handler may call back into the stack (offer, poll, join, close) without corrupting state or looping.
 * Two real stacks on loopback, clocks injected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SafePointCallbackTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private StackPair pair;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);

    @BeforeEach
    void setUp()
    {
        pair = new StackPair(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @Test
    void shouldCloseWhenAFailureHandlerOffersAgain()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
        final long bId = b.estateId();
        pair.isBRunning = false;
        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        final List<Long> reOffers = new ArrayList<>();
        a.addDeliveryHandler(outcomes);
        a.addDeliveryHandler(new DeliveryHandler()
        {
            public void onDelivered(final long estateId, final int channel, final long messageId)
            {
            }

            public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason r)
            {
                reOffers.add(a.offer(estateId, channel, message, 0, 8));
            }

            public void onUncertain(
                final long estateId, final int channel, final long messageId, final FailureReason reason)
            {
                reOffers.add(a.offer(estateId, channel, message, 0, 8));
            }
        });
        int offered = 0;
        for (int i = 0; i < 200; i++)
        {
            if (a.offer(bId, 0, message, 0, 8) >= 0)
            {
                offered++;
            }
        }
        pair.step();

        a.close();

        assertEquals(offered, outcomes.total(), "one outcome per message offered");
        assertEquals(0, outcomes.duplicateOutcomes);
        assertEquals(offered, reOffers.size(), "the handler ran once per outcome, and its offers did not loop");
        reOffers.forEach((result) -> assertEquals(Stack.CLOSED, (long)result));
    }

    @Test
    void shouldRefuseANestedPollAndDeliverEveryMessageOnceInOrder()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
        for (long i = 0; i < 50; i++)
        {
            message.putLong(0, i);
            assertTrue(a.offer(b.estateId(), 0, message, 0, 8) >= 0);
        }
        final List<Long> received = new ArrayList<>();
        final int[] nested = {0};
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(
                final long fromEstateId, final int channel, final org.agrona.DirectBuffer buffer, final int offset,
                final int length)
            {
                received.add(buffer.getLong(offset));
                nested[0] += b.poll(this, 10);
            }
        };
        assertTrue(pair.runUntil(() ->
        {
            b.poll(handler, 7);
            return received.size() == 50;
        }, 100_000), "received " + received.size());
        assertEquals(0, nested[0], "a poll inside the handler hands nothing over");
        for (int i = 0; i < 50; i++)
        {
            assertEquals(i, (long)received.get(i));
        }
    }

    @Test
    void shouldOfferFromAPresenceHandlerWhenAnEstateJoins()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final List<Long> offers = new ArrayList<>();
        a.addPresenceHandler((id, name, event) ->
        {
            if (PresenceEvent.JOINED == event)
            {
                message.putLong(0, 42);
                offers.add(a.offer(id, 3, message, 0, 8));
                assertTrue(a.isJoined(id), "the handler sees the state that caused the event");
            }
        });
        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final long[] got = {-1};
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> got[0] = buf.getLong(off), 10);
            return 1 == outcomes.delivered.size();
        }, 100_000));
        assertEquals(1, offers.size());
        assertTrue(offers.get(0) >= 0, "offered from the handler: " + offers.get(0));
        assertEquals(42, got[0]);
    }

    @Test
    void shouldJoinAgainFromAJoinFailedHandler()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(200 * MS));
        final List<JoinFailure> failures = new ArrayList<>();
        final List<Long> joins = new ArrayList<>();
        a.addJoinHandler((correlationId, failure) ->
        {
            failures.add(failure);
            if (failures.size() < 3)
            {
                joins.add(a.join("127.0.0.1:9"));
            }
        });
        joins.add(a.join("127.0.0.1:9"));
        assertTrue(pair.runUntil(() -> failures.size() == 3, 1_000_000), "failures " + failures);
        assertEquals(3, joins.size());
        failures.forEach((failure) -> assertEquals(JoinFailure.Reason.NO_ANSWER, failure.reason()));
        assertEquals(0, a.estateCount(), "every failed join was removed");
    }

    @Test
    void shouldReportAJoinStillOpenAtCloseAsClosed()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final List<JoinFailure> failures = new ArrayList<>();
        a.addJoinHandler((correlationId, failure) -> failures.add(failure));
        a.join("127.0.0.1:9");
        pair.step();
        a.close();
        pair.isARunning = false;
        assertEquals(1, failures.size(), failures.toString());
        assertEquals(JoinFailure.Reason.CLOSED, failures.get(0).reason());
        assertTrue(failures.get(0).message().contains("127.0.0.1:9"), failures.get(0).message());
    }

    @Test
    void shouldCloseFromAPresenceHandler()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        a.addPresenceHandler((id, name, event) ->
        {
            if (PresenceEvent.UNREACHABLE == event)
            {
                a.close();
            }
        });
        pair.isBRunning = false;
        int offered = 0;
        for (int i = 0; i < 10; i++)
        {
            offered += a.offer(b.estateId(), 0, message, 0, 8) >= 0 ? 1 : 0;
        }
        for (int i = 0; i < 2_000 && !a.isClosed(); i++)
        {
            pair.step(10 * MS);
        }
        assertTrue(a.isClosed(), "closed by the handler when beta became unreachable: " + pair.presenceA);
        pair.isARunning = false;
        assertEquals(offered, outcomes.total(), "every message ended once the handler closed the stack");
        assertEquals(0, outcomes.duplicateOutcomes);
        assertEquals(0, a.doWork(), "a closed stack does nothing");
    }

    @Test
    void shouldCallEveryHandlerAddedAndNoneRemoved()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final List<String> first = new ArrayList<>();
        final List<String> second = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        final PresenceHandler removedHandler = (id, name, event) -> removed.add(name + ":" + event);
        a.addPresenceHandler((id, name, event) -> first.add(name + ":" + event));
        a.addPresenceHandler((id, name, event) -> second.add(name + ":" + event));
        a.addPresenceHandler(removedHandler);
        assertTrue(a.removePresenceHandler(removedHandler));
        assertFalse(a.removePresenceHandler(removedHandler));
        pair.joinAtoB();
        pair.runUntil(() -> !first.isEmpty(), 1000);
        assertEquals(List.of("beta:JOINED"), first);
        assertEquals(first, second);
        assertTrue(removed.isEmpty());
        assertEquals(1, a.estates().size());
        final EstateSnapshot snapshot = a.estates().get(0);
        assertEquals(b.estateId(), snapshot.id());
        assertEquals("beta", snapshot.name());
        assertEquals(EstateState.JOINED, snapshot.state());
        assertEquals(pair.addressOf(b), snapshot.address());
    }

    @Test
    void shouldReportRenewedOnBothSidesWhenEitherRestarts()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
        final String bAddress = pair.addressOf(b);
        final long bId = b.estateId();

        // The acceptor restarts (same keep, same address) without a word: the joiner renews the pair.
        pair.isBRunning = false;
        pair.mediaB.close();
        b.close();
        final Stack b2 = pair.startB(FaultProfile.none(), ctx -> {}, bAddress);
        assertEquals(bId, b2.estateId());
        message.putLong(0, 1);
        assertTrue(a.offer(bId, 0, message, 0, 8) >= 0);
        assertTrue(pair.runUntil(() -> pair.presenceA.contains("beta:RENEWED"), 1_000_000), pair.presenceA.toString());
        assertTrue(pair.runUntil(() -> b2.isJoined(a.estateId()) && a.isJoined(bId), 1_000_000));
        assertTrue(pair.presenceB.contains("alpha:JOINED"), "the restarted acceptor joined anew: " + pair.presenceB);

        // The joiner restarts: its new session joins the acceptor, which renews the pair and says so.
        pair.presenceB.clear();
        pair.isARunning = false;
        pair.mediaA.close();
        a.close();
        final Stack a2 = pair.startA(FaultProfile.none(), ctx -> {});
        pair.isARunning = true;
        a2.join(bAddress);
        assertTrue(pair.runUntil(() -> pair.presenceB.contains("alpha:RENEWED"), 1_000_000), pair.presenceB.toString());
        assertFalse(pair.presenceB.contains("alpha:JOINED"), pair.presenceB.toString());
    }
}
