package io.raet4j.transactions;

import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions survive a receiver that stops answering for a while, and outcomes stay true when they do not: a stopped
 * receiver, partitions shorter and longer than the session timeout, a one-way loss of everything the receiver sends.
 * Two real stacks on loopback with injected clocks; minutes of protocol time pass in millisecond steps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionSurvivalTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private StackPair pair;
    private final StackTest.Outcomes outcomes = new StackTest.Outcomes();
    private final Receipts receipts = new Receipts();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[4096]);
    private long offered;

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

    /**
     * What the receiving application got: each message's sequence number (its first 8 bytes), once, in order.
     */
    static final class Receipts implements MessageHandler
    {
        final LongHashSet received = new LongHashSet();
        long duplicates;
        long outOfOrder;
        long highest = -1;

        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = buffer.getLong(offset);
            if (!received.add(sequence))
            {
                duplicates++;
            }
            if (sequence != highest + 1)
            {
                outOfOrder++;
            }
            highest = Math.max(highest, sequence);
        }
    }

    @Test
    void shouldResumeTheSessionAndDeliverEverythingExactlyOnceWhenTheReceiverStopsForTenSeconds()
    {
        start();
        stream(2_000, StackPair.STEP_NS);

        pair.isBRunning = false;
        stream((int)(10 * SECOND / MS), MS);
        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE"), pair.presenceA);

        pair.isBRunning = true;
        finish();

        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE", "beta:REACHABLE"), pair.presenceA);
        assertEquals(List.of("alpha:JOINED"), pair.presenceB, "the stopped side saw its own stall, not the peer");
        assertEquals(1, pair.b.counter(TransportCounterDescriptor.DUTY_CYCLE_STALLS));
        assertEverythingDeliveredExactlyOnce();
    }

    @Test
    void shouldResumeTheSessionWhenAPartitionIsShorterThanTheSessionTimeout()
    {
        start();
        stream(2_000, StackPair.STEP_NS);

        partition(true);
        stream((int)(30 * SECOND / MS), MS);
        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE"), pair.presenceA);
        assertEquals(List.of("alpha:JOINED", "alpha:UNREACHABLE"), pair.presenceB);

        partition(false);
        finish();

        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE", "beta:REACHABLE"), pair.presenceA);
        assertEquals(List.of("alpha:JOINED", "alpha:UNREACHABLE", "alpha:REACHABLE"), pair.presenceB);
        assertEquals(1, pair.a.counter(StackCounterDescriptor.SESSIONS_RESUMED));
        assertEquals(0, pair.a.counter(StackCounterDescriptor.SESSIONS_RENEWED));
        assertEverythingDeliveredExactlyOnce();
    }

    @Test
    void shouldDeliverEverythingExactlyOnceWhenEverythingTheReceiverSendsIsLostForTwentySeconds()
    {
        start();
        stream(2_000, StackPair.STEP_NS);

        pair.mediaB.blackhole(true);
        stream((int)(20 * SECOND / MS), MS);
        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE"), pair.presenceA);
        assertEquals(List.of("alpha:JOINED"), pair.presenceB, "the receiver hears the sender all along");
        assertTrue(receipts.received.size() > outcomes.delivered.size(), "received, not confirmed");

        pair.mediaB.blackhole(false);
        finish();

        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE", "beta:REACHABLE"), pair.presenceA);
        assertEverythingDeliveredExactlyOnce();
    }

    @Test
    void shouldEndTheSessionWithTruthfulOutcomesWhenAPartitionOutlastsTheSessionTimeout()
    {
        start();
        stream(2_000, StackPair.STEP_NS);

        partition(true);
        stream((int)(70 * SECOND / (10 * MS)), 10 * MS);
        assertEquals(List.of("beta:JOINED", "beta:UNREACHABLE", "beta:DEAD"), pair.presenceA);
        assertEquals(List.of("alpha:JOINED", "alpha:UNREACHABLE", "alpha:DEAD"), pair.presenceB);
        assertEquals(offered, outcomes.total(), "the session ended: every message has its outcome");
        assertTrue(outcomes.uncertain.size() > 0, "sent whole, unconfirmed: " + outcomes.uncertainByReason);
        assertEquals(Stack.NOT_CONNECTED, pair.a.offer(pair.b.estateId(), 0, message, 0, 8));

        partition(false);
        final long endedBefore = offered;
        assertTrue(pair.runUntil(() -> pair.presenceA.contains("beta:ALIVE"), 1_000_000), pair.presenceA.toString());
        for (int i = 0; i < 100; i++)
        {
            offerNext();
            pair.step();
            pair.b.poll(receipts, 100);
        }
        finish();

        assertEquals(0, receipts.duplicates, "nothing delivered twice, across the end of a session either");
        for (long sequence = 0; sequence < offered; sequence++)
        {
            final long key = StackTest.Outcomes.key(0, sequence);
            if (outcomes.delivered.contains(key))
            {
                assertTrue(receipts.received.contains(sequence), "message " + sequence + " reported delivered");
            }
            if (outcomes.failed.contains(key))
            {
                assertFalse(receipts.received.contains(sequence), "message " + sequence + " reported failed");
            }
            if (sequence >= endedBefore)
            {
                assertTrue(outcomes.delivered.contains(key), "message " + sequence + " of the new session");
            }
        }
    }

    @Test
    void shouldReportFailedNotUncertainWhatAReceiverThatLeftSaysItNeverGot()
    {
        start();
        for (int i = 0; i < 3_000; i++)
        {
            offerNext();
            pair.step();
            if (0 == i % 2)
            {
                pair.b.poll(receipts, 1);
            }
        }
        assertTrue(receipts.received.size() < offered, "messages wait unpolled at the receiver");
        pair.isBRunning = false;
        pair.b.close();
        assertTrue(pair.runUntil(() -> outcomes.total() == offered, 100_000), pair.presenceA.toString());

        assertEquals(List.of("beta:JOINED", "beta:DEAD"), pair.presenceA);
        assertEquals(0, outcomes.uncertain.size(), "the receiver's last packet said what it delivered");
        assertEquals(receipts.received.size(), outcomes.delivered.size());
        assertEquals(offered - receipts.received.size(), outcomes.failed.size());
        assertEquals(outcomes.failed.size(), (long)outcomes.failedByReason.get(FailureReason.PEER_LEFT));
        for (long sequence = 0; sequence < offered; sequence++)
        {
            assertEquals(receipts.received.contains(sequence),
                outcomes.delivered.contains(StackTest.Outcomes.key(0, sequence)), "message " + sequence);
        }
    }

    @Test
    void shouldEndWhatIsInFlightAtCloseAsUncertainIfSentWholeElseFailed()
    {
        start();
        stream(500, StackPair.STEP_NS);
        pair.isBRunning = false;
        final UnsafeBuffer large = new UnsafeBuffer(new byte[4 * 1024 * 1024]);
        final long largeId = pair.a.offer(pair.b.estateId(), 1, large, 0, large.capacity());
        assertTrue(largeId >= 0);
        for (int i = 0; i < 200; i++)
        {
            offerNext();
            pair.step();
        }
        pair.isARunning = false;
        pair.a.close();

        assertEquals(offered + 1, outcomes.total());
        assertTrue(outcomes.failed.contains(StackTest.Outcomes.key(1, largeId)), "never sent whole: failed");
        assertTrue(outcomes.uncertain.size() > 0, "sent whole to a receiver that stopped polling: uncertain");
        assertEquals(outcomes.uncertain.size(), (long)outcomes.uncertainByReason.get(FailureReason.CLOSED));
        assertEquals(outcomes.failed.size(), (long)outcomes.failedByReason.get(FailureReason.CLOSED));
    }

    private void start()
    {
        pair.startA(FaultProfile.none(), ctx -> {});
        pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
    }

    private void partition(final boolean isPartitioned)
    {
        pair.mediaA.blackhole(isPartitioned);
        pair.mediaB.blackhole(isPartitioned);
    }

    /**
     * Offer a message a step while the stack takes them, the receiver polling when it runs.
     */
    private void stream(final int steps, final long stepNs)
    {
        for (int i = 0; i < steps; i++)
        {
            offerNext();
            pair.step(stepNs);
            if (pair.isBRunning)
            {
                pair.b.poll(receipts, 100);
            }
        }
    }

    private void offerNext()
    {
        final int length = 8 + (int)(offered * 37 % 1500);
        message.putLong(0, offered);
        if (pair.a.offer(pair.b.estateId(), 0, message, 0, length) >= 0)
        {
            offered++;
        }
    }

    private void finish()
    {
        assertTrue(pair.runUntil(() ->
        {
            pair.b.poll(receipts, 100);
            return outcomes.total() == offered;
        }, 2_000_000), "outcomes " + outcomes.total() + " of " + offered + " " + pair.presenceA + " A " +
            StackPair.nonZeroCounters(pair.a));
    }

    private void assertEverythingDeliveredExactlyOnce()
    {
        assertEquals(offered, outcomes.delivered.size(), "failed " + outcomes.failedByReason + " uncertain " +
            outcomes.uncertainByReason);
        assertEquals(0, outcomes.duplicateOutcomes);
        assertEquals(offered, receipts.received.size());
        assertEquals(0, receipts.duplicates);
        assertEquals(0, receipts.outOfOrder);
        assertTrue(offered > 10_000, "offered " + offered);
    }
}
