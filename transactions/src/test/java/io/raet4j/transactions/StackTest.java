package io.raet4j.transactions;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transactions.join.Joiner;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real stacks on loopback UDP through the fault-injecting media, driven with injected clocks.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StackTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;
    private final Outcomes outcomes = new Outcomes();

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

    static final class Outcomes implements DeliveryHandler
    {
        final LongHashSet delivered = new LongHashSet();
        final Map<FailureReason, Integer> failedByReason = new EnumMap<>(FailureReason.class);
        final Map<FailureReason, Integer> uncertainByReason = new EnumMap<>(FailureReason.class);
        final LongHashSet failed = new LongHashSet();
        final LongHashSet uncertain = new LongHashSet();
        long duplicateOutcomes;

        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            if (hasOutcome(channel, messageId) || !delivered.add(key(channel, messageId)))
            {
                duplicateOutcomes++;
            }
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            if (hasOutcome(channel, messageId) || !failed.add(key(channel, messageId)))
            {
                duplicateOutcomes++;
            }
            failedByReason.merge(reason, 1, Integer::sum);
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            if (hasOutcome(channel, messageId) || !uncertain.add(key(channel, messageId)))
            {
                duplicateOutcomes++;
            }
            uncertainByReason.merge(reason, 1, Integer::sum);
        }

        boolean hasOutcome(final int channel, final long messageId)
        {
            final long key = key(channel, messageId);
            return delivered.contains(key) || failed.contains(key) || uncertain.contains(key);
        }

        long total()
        {
            return delivered.size() + failed.size() + uncertain.size();
        }

        static long key(final int channel, final long messageId)
        {
            return ((long)channel << 48) | messageId;
        }
    }

    /**
     * Receiver that checks an ordered stream of {@link Payloads}.
     */
    static final class OrderedVerifier implements MessageHandler
    {
        long next;
        long corrupt;
        long bytes;

        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            if (!Payloads.verify(buffer, offset, next, length))
            {
                corrupt++;
            }
            bytes += length;
            next++;
        }
    }

    @Test
    void shouldJoinAndExchangeMessagesBothWays()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        assertTrue(pair.presenceA.contains("beta:JOINED"), pair.presenceA.toString());
        assertTrue(pair.presenceB.contains("alpha:JOINED"), pair.presenceB.toString());

        final UnsafeBuffer msg = new UnsafeBuffer(new byte[64]);
        msg.putStringWithoutLengthAscii(0, "hello beta");
        assertEquals(0, a.offer(b.estateId(), 0, msg, 0, 10));
        msg.putStringWithoutLengthAscii(0, "hello alfa");
        assertEquals(0, b.offer(a.estateId(), 3, msg, 0, 10));

        final StringBuilder atB = new StringBuilder();
        final StringBuilder atA = new StringBuilder();
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> atB.append(id).append('/').append(ch).append('/')
                .append(buf.getStringWithoutLengthAscii(off, len)), 10);
            a.poll((id, ch, buf, off, len) -> atA.append(id).append('/').append(ch).append('/')
                .append(buf.getStringWithoutLengthAscii(off, len)), 10);
            return atA.length() > 0 && atB.length() > 0 && outcomes.delivered.size() == 1;
        }, 10_000));
        assertEquals(a.estateId() + "/0/hello beta", atB.toString());
        assertEquals(b.estateId() + "/3/hello alfa", atA.toString());
        assertEquals(0, outcomes.failed.size());
    }

    @Test
    void shouldDeliverEveryMessageExactlyOnceInOrderAtTwentyPercentLoss()
    {
        final long seed = Long.getLong("raet4j.test.seed", 42);
        final FaultProfile loss = new FaultProfile().lossRate(0.2).seed(seed);
        final Stack a = pair.startA(loss, ctx -> {});
        final Stack b = pair.startB(loss.copy().seed(seed + 1), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final int count = 100_000;
        final OrderedVerifier verifier = new OrderedVerifier();
        final long sentBytes = transfer(a, b, 0, count, verifier, 20_000_000);

        assertEquals(count, verifier.next, "messages received");
        assertEquals(0, verifier.corrupt, "corrupt or out of order");
        assertEquals(sentBytes, verifier.bytes);
        assertEquals(count, outcomes.delivered.size(), "delivered outcomes");
        assertEquals(0, outcomes.failed.size(), "failed outcomes");
        assertEquals(0, outcomes.duplicateOutcomes);

        final long first = a.counter(StackCounterDescriptor.SEGMENTS_SENT);
        final long again = a.counter(StackCounterDescriptor.RETRANSMITS);
        final double transmissionsPerSegment = (double)(first + again) / first;
        System.out.printf(
            "20%% loss: %d messages, %d bytes, %d segments, %d retransmits, %.3f transmissions per delivered segment," +
            " dropped by media %d/%d, %d steps of %d us (%.2f s of protocol time), %d RTO expiries, %d nacks%n",
            count, sentBytes, first, again, transmissionsPerSegment, pair.mediaA.droppedCount(),
            pair.mediaA.sentCount(), pair.steps, StackPair.STEP_NS / 1000, pair.steps * StackPair.STEP_NS / 1e9,
            a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS), b.counter(StackCounterDescriptor.NACKS_SENT));
        assertTrue(pair.mediaA.droppedCount() > 0.18 * pair.mediaA.sentCount(), "loss was injected");
        assertTrue(transmissionsPerSegment < 1.4, "transmissions per delivered segment " + transmissionsPerSegment);
    }

    @Test
    void shouldRepairWholeBurstLostAtTailWithinFewRoundTrips()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final long[] received = new long[2];
        final MessageHandler verifier = (id, channel, buffer, offset, length) ->
        {
            if (1000 != length || buffer.getLong(offset) != received[0])
            {
                received[1]++;
            }
            received[0]++;
        };
        final UnsafeBuffer message = new UnsafeBuffer(new byte[1000]);

        // Round trips first, so that the smoothed RTT forgets the join's first sample and settles at the path's.
        long sequence = 0;
        for (; sequence < 60; sequence++)
        {
            message.putLong(0, sequence);
            assertTrue(a.offer(b.estateId(), 0, message, 0, 1000) >= 0);
            final long expected = sequence + 1;
            assertTrue(pair.runUntil(() -> b.poll(verifier, 10) >= 0 && received[0] == expected, 1_000));
        }

        // Everything alpha can send is lost, as when the receiver's socket overflows: the congestion window fills
        // with lost segments, so nothing new follows them to reveal a gap, and the receiver cannot nack.
        final int burst = 400;
        for (int i = 0; i < burst; i++, sequence++)
        {
            message.putLong(0, sequence);
            assertTrue(a.offer(b.estateId(), 0, message, 0, 1000) >= 0);
        }
        pair.recorderA.isDropping = true;
        long droppedBefore;
        do
        {
            droppedBefore = pair.recorderA.dropped;
            a.doWork();
        }
        while (pair.recorderA.dropped > droppedBefore);
        pair.recorderA.isDropping = false;
        assertTrue(pair.recorderA.dropped >= 32 && pair.recorderA.dropped < burst,
            "a window's worth was sent and lost: " + pair.recorderA.dropped);

        final long startSteps = pair.steps;
        final long total = sequence;
        assertTrue(pair.runUntil(() -> b.poll(verifier, 100) >= 0 && received[0] == total, 100_000));
        final long repairUs = (pair.steps - startSteps) * StackPair.STEP_NS / 1000;
        final long timeouts = a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS);
        final long detected = a.counter(StackCounterDescriptor.LOSSES_DETECTED);
        final long probes = a.counter(StackCounterDescriptor.TAIL_PROBES);
        System.out.printf("tail burst: %d datagrams lost, repaired in %d us of protocol time, %d tail probes," +
            " %d RTO expiries, %d segments detected lost by later acks, %d retransmits%n",
            pair.recorderA.dropped, repairUs, probes, timeouts, detected,
            a.counter(StackCounterDescriptor.RETRANSMITS));

        assertEquals(0, received[1], "messages out of order or malformed");
        // The probe timeout sends one segment; its ack shows every segment sent before it lost, and they go at once.
        // Repairing them one probe per timeout instead would take one minimum RTO of 1 ms per lost segment.
        assertTrue(probes >= 1, "tail probes " + probes);
        assertTrue(timeouts <= 1, "RTO expiries " + timeouts);
        // Each 1000 B message is one segment in a datagram of its own; all but the probed one are found by the ack.
        assertTrue(detected >= pair.recorderA.dropped - 1,
            "segments detected lost " + detected + " of " + pair.recorderA.dropped);
        assertTrue(repairUs < 1_000, "repair took " + repairUs + " us");
        assertTrue(pair.runUntil(() -> outcomes.delivered.size() == total, 10_000));
        assertEquals(0, outcomes.failed.size());
    }

    @Test
    void shouldDeliverExactlyOnceInOrderDespiteDuplicationReorderingCorruptionAndDelay()
    {
        final FaultProfile faults = new FaultProfile().lossRate(0.05).duplicateRate(0.05).reorderRate(0.05)
            .corruptRate(0.02).delayNs(20_000).delayJitterNs(50_000).seed(7);
        final Stack a = pair.startA(faults, ctx -> {});
        final Stack b = pair.startB(faults.copy().seed(8), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final int count = 20_000;
        final OrderedVerifier verifier = new OrderedVerifier();
        transfer(a, b, 0, count, verifier, 20_000_000);

        assertEquals(count, verifier.next);
        assertEquals(0, verifier.corrupt);
        assertEquals(count, outcomes.delivered.size());
        assertEquals(0, outcomes.duplicateOutcomes);
        assertTrue(b.counter(StackCounterDescriptor.MALFORMED_PACKETS) > 0, "corruption was detected and counted");
        assertTrue(b.counter(StackCounterDescriptor.DUPLICATE_SEGMENTS) > 0, "duplicates were counted");
    }

    @Test
    void shouldDeliverUnorderedChannelExactlyOnce()
    {
        final FaultProfile loss = new FaultProfile().lossRate(0.1).reorderRate(0.1).seed(11);
        final Stack a = pair.startA(loss, ctx -> ctx.channelMode(5, DeliveryMode.RELIABLE_UNORDERED));
        final Stack b = pair.startB(loss.copy().seed(12), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final int count = 20_000;
        final LongHashSet seen = new LongHashSet();
        final long[] problems = new long[1];
        final MessageHandler handler = (id, ch, buf, off, len) ->
        {
            final long index = buf.getLong(off);
            if (ch != 5 || !seen.add(index) || len != 8 + (int)(index % 3000))
            {
                problems[0]++;
            }
        };
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(4096);
        long offered = 0;
        long outOfOrder = 0;
        long last = -1;
        final long[] lastSeen = {-1};
        for (long step = 0; step < 5_000_000 && seen.size() < count; step++)
        {
            while (offered < count)
            {
                final int length = 8 + (int)(offered % 3000);
                msg.putLong(0, offered);
                if (a.offer(b.estateId(), 5, msg, 0, length) < 0)
                {
                    break;
                }
                offered++;
            }
            pair.step();
            b.poll((id, ch, buf, off, len) ->
            {
                handler.onMessage(id, ch, buf, off, len);
                lastSeen[0] = buf.getLong(off);
            }, 64);
            if (lastSeen[0] < last)
            {
                outOfOrder++;
            }
            last = lastSeen[0];
        }
        assertTrue(pair.runUntil(() -> outcomes.delivered.size() == count, 1_000_000));
        assertEquals(count, seen.size());
        assertEquals(0, problems[0]);
        assertEquals(0, outcomes.failed.size());
        System.out.println("unordered: messages seen ahead of a gap at least " + outOfOrder + " times");
    }

    @Test
    void shouldSendBestEffortWithoutRetransmissionOrOutcomes()
    {
        final FaultProfile loss = new FaultProfile().lossRate(0.1).seed(3);
        final Stack a = pair.startA(loss, ctx -> ctx.channelMode(9, DeliveryMode.BEST_EFFORT));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final int count = 5_000;
        final LongHashSet seen = new LongHashSet();
        final long[] duplicates = new long[1];
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[2000]);
        for (int i = 0; i < count; i++)
        {
            msg.putLong(0, i);
            final int length = 0 == i % 10 ? 2000 : 100;
            while (a.offer(b.estateId(), 9, msg, 0, length) < 0)
            {
                pair.step();
            }
            pair.step();
            b.poll((id, ch, buf, off, len) ->
            {
                if (!seen.add(buf.getLong(off)))
                {
                    duplicates[0]++;
                }
            }, 64);
        }
        pair.runUntil(() -> b.poll((id, ch, buf, off, len) -> seen.add(buf.getLong(off)), 64) < 0, 1000);

        assertEquals(0, duplicates[0]);
        assertTrue(seen.size() < count, "some were lost");
        assertTrue(seen.size() > count * 0.75, "most arrived: " + seen.size());
        assertEquals(0, a.counter(StackCounterDescriptor.RETRANSMITS));
        assertEquals(0, outcomes.total(), "best effort has no outcomes");
        assertEquals(0, a.outstandingMessages(b.estateId()));
    }

    @Test
    void shouldApplyFlowControlWhenReceiverDoesNotPollAndLoseNothing()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.sendBufferMaxBytes(64 * 1024)
            .maxMessageBytes(64 * 1024));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.receiveWindowSegments(64), "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
        long offered = 0;
        long backPressured = 0;
        for (int i = 0; i < 2_000; i++)
        {
            msg.putLong(0, offered);
            final long result = a.offer(b.estateId(), 0, msg, 0, 1000);
            if (result == Stack.BACK_PRESSURED)
            {
                backPressured++;
            }
            else
            {
                assertEquals(offered, result);
                offered++;
            }
            pair.step();
        }
        assertTrue(backPressured > 0, "sender was back-pressured");
        assertEquals(0, outcomes.total(), "nothing confirmed while the receiver does not poll");

        final long[] next = {0};
        final long[] wrong = {0};
        final long total = offered;
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) ->
            {
                if (buf.getLong(off) != next[0]++)
                {
                    wrong[0]++;
                }
            }, 100);
            return outcomes.delivered.size() == total;
        }, 1_000_000));
        assertEquals(total, next[0]);
        assertEquals(0, wrong[0]);
    }

    @Test
    void shouldEndInFlightMessagesTruthfullyWhenReceiverVanishesPastSessionTimeout()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(
            500)).keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final long bId = b.estateId();

        final OrderedVerifier verifier = new OrderedVerifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(Payloads.MAX_SIZE);
        long offered = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final int length = Payloads.size(offered);
            Payloads.fill(msg, offered, length);
            if (a.offer(bId, 0, msg, 0, length) >= 0)
            {
                offered++;
            }
            pair.step();
            b.poll(verifier, 100);
        }
        pair.isBRunning = false;
        pair.mediaB.close();
        for (int i = 0; i < 100; i++)
        {
            final int length = Payloads.size(offered);
            Payloads.fill(msg, offered, length);
            if (a.offer(bId, 0, msg, 0, length) >= 0)
            {
                offered++;
            }
            pair.step();
        }
        // More segments than the receive window, on a channel of its own: it cannot be sent whole without acks.
        final UnsafeBuffer large = new UnsafeBuffer(new byte[4 * 1024 * 1024]);
        final long largeId = a.offer(bId, 1, large, 0, large.capacity());
        assertTrue(largeId >= 0, "offer returned " + largeId + " " + pair.presenceA);
        final long total = offered + 1;
        assertTrue(pair.runUntil(() -> outcomes.total() == total, 2_000_000));
        assertEquals("[beta:JOINED, beta:UNREACHABLE, beta:DEAD]", pair.presenceA.toString());
        assertTrue(outcomes.failed.contains(Outcomes.key(1, largeId)), "the message never sent whole failed");
        assertEquals(outcomes.failed.size(), (long)outcomes.failedByReason.get(FailureReason.PEER_DEAD));
        assertEquals(outcomes.uncertain.size(), (long)outcomes.uncertainByReason.getOrDefault(
            FailureReason.PEER_DEAD, 0));
        assertEquals(0, outcomes.duplicateOutcomes);
        assertEquals(0, verifier.corrupt);
        for (long id = 0; id < total; id++)
        {
            final long key = Outcomes.key(0, id);
            if (outcomes.delivered.contains(key))
            {
                assertTrue(id < verifier.next, "message " + id + " reported delivered was received");
            }
            if (outcomes.failed.contains(key))
            {
                assertTrue(id >= verifier.next, "message " + id + " reported failed must not have been received");
            }
        }
        assertEquals(Stack.NOT_CONNECTED, a.offer(bId, 0, msg, 0, 10));
    }

    @Test
    void shouldFailMessagesWithTimeoutWhenNotDeliveredInTime()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.messageTimeoutNs(
            TimeUnit.MILLISECONDS.toNanos(50)));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.receiveWindowSegments(16), "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[1000]);
        int offered = 0;
        for (int i = 0; i < 100; i++)
        {
            if (a.offer(b.estateId(), 0, msg, 0, 1000) >= 0)
            {
                offered++;
            }
        }
        final int total = offered;
        assertTrue(pair.runUntil(() -> outcomes.total() == total, 100_000));
        assertEquals(0, outcomes.delivered.size(), "the receiving application never polled");
        assertTrue(outcomes.failedByReason.getOrDefault(FailureReason.TIMEOUT, 0) > 0, "never sent whole: failed");
        assertTrue(outcomes.uncertainByReason.getOrDefault(FailureReason.TIMEOUT, 0) > 0,
            "sent whole and held unpolled by the receiver: the sender cannot know, uncertain");
        assertEquals(0, outcomes.duplicateOutcomes);
    }

    @Test
    void shouldNotDeclarePeerDeadWhenLocalStackStalledPastLivenessTimeout()
    {
        final long livenessNs = TimeUnit.SECONDS.toNanos(2);
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.livenessTimeoutNs(livenessNs)
            .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(200)));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.livenessTimeoutNs(TimeUnit.SECONDS.toNanos(60)),
            "127.0.0.1:0");
        pair.joinAtoB();
        pair.runUntil(() -> false, 10_000);

        pair.clockA.advance(3 * livenessNs);
        pair.runUntil(() -> false, 200_000);

        assertEquals(1, a.counter(TransportCounterDescriptor.DUTY_CYCLE_STALLS));
        assertFalse(pair.presenceA.contains("beta:DEAD"), pair.presenceA.toString());
        assertTrue(a.isJoined(b.estateId()));
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[16]);
        a.addDeliveryHandler(outcomes);
        assertTrue(a.offer(b.estateId(), 0, msg, 0, 16) >= 0);
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> {}, 10);
            return 1 == outcomes.delivered.size();
        }, 10_000));
    }

    @Test
    void shouldReportPeerUnreachableThenDeadAfterLocalStallWhenPeerReallyStoppedAnswering()
    {
        final long livenessNs = TimeUnit.SECONDS.toNanos(2);
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.livenessTimeoutNs(livenessNs)
            .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(200)).sessionTimeoutNs(2 * livenessNs));
        pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();

        pair.isBRunning = false;
        pair.clockA.advance(3 * livenessNs);
        pair.runUntil(() -> pair.presenceA.contains("beta:DEAD"), 1_000_000);

        assertEquals(1, a.counter(TransportCounterDescriptor.DUTY_CYCLE_STALLS));
        assertEquals("[beta:JOINED, beta:UNREACHABLE, beta:DEAD]", pair.presenceA.toString(),
            "the stall itself counted for nothing: a full liveness timeout, then the session timeout, of silence");
    }

    @Test
    void shouldEndMessagesTheOldIncarnationMayHaveAndResendTheRestWhenPeerRestarts()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final String bAddress = pair.addressOf(b);
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final long bId = b.estateId();

        final LongHashSet receivedByFirst = new LongHashSet();
        final LongHashSet receivedBySecond = new LongHashSet();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(Payloads.MAX_SIZE);
        long offered = 0;
        for (int i = 0; i < 500; i++)
        {
            final int length = Math.max(8, Payloads.size(offered + 2));
            msg.putLong(0, offered);
            if (a.offer(bId, 0, msg, 0, length) >= 0)
            {
                offered++;
            }
            pair.step();
            if (i < 300)
            {
                b.poll((id, ch, buf, off, len) -> receivedByFirst.add(buf.getLong(off)), 5);
            }
        }
        // More segments than the receive window: still not sent whole when the receiver dies, so it goes to the next.
        final ExpandableDirectByteBuffer large = new ExpandableDirectByteBuffer(4 * 1024 * 1024);
        large.putLong(0, offered);
        assertTrue(a.offer(bId, 0, large, 0, 4 * 1024 * 1024) >= 0);
        offered++;
        pair.step();
        final int beforeRestartSession = b.session();
        pair.isBRunning = false;
        pair.mediaB.close();
        b.close();

        final Stack b2 = pair.startB(FaultProfile.none(), ctx -> {}, bAddress);
        assertTrue(beforeRestartSession != b2.session());
        final long total = offered;
        assertTrue(pair.runUntil(() ->
        {
            b2.poll((id, ch, buf, off, len) -> assertTrue(receivedBySecond.add(buf.getLong(off))), 100);
            return outcomes.total() == total;
        }, 2_000_000), "outcomes " + outcomes.total() + " of " + total + " " + pair.presenceA);

        assertEquals(0, outcomes.failed.size(), "nothing certainly undelivered: what was not sent whole was resent");
        assertEquals(0, outcomes.duplicateOutcomes);
        assertTrue(receivedBySecond.size() > 0, "messages not yet sent whole went to the new incarnation");
        assertTrue(outcomes.uncertain.size() > 0, "messages the old incarnation held unpolled are uncertain");
        assertEquals(outcomes.uncertain.size(), (long)outcomes.uncertainByReason.get(FailureReason.PEER_RESTARTED));
        for (long id = 0; id < total; id++)
        {
            final boolean first = receivedByFirst.contains(id);
            final boolean second = receivedBySecond.contains(id);
            assertFalse(first && second, "message " + id + " reached both incarnations");
            if (outcomes.delivered.contains(Outcomes.key(0, id)))
            {
                assertTrue(first || second, "message " + id + " reported delivered was received");
            }
        }
        assertTrue(a.counter(StackCounterDescriptor.SESSIONS_RENEWED) >= 1);
        assertTrue(pair.presenceA.contains("beta:RENEWED"), pair.presenceA.toString());
    }

    @Test
    void shouldCountAndDropMalformedForgedAndUnknownDatagramsAndKeepServing() throws Exception
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
        final InetSocketAddress bAddress = (InetSocketAddress)b.localAddress();
        final long[] received = {0};

        try (DatagramChannel raw = DatagramChannel.open())
        {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            final java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < 1000; i++)
            {
                final byte[] garbage = new byte[random.nextInt(200)];
                random.nextBytes(garbage);
                raw.send(ByteBuffer.wrap(garbage), bAddress);
                if (0 == i % 50)
                {
                    pair.step();
                }
            }
            final io.raet4j.codec.PacketWriter forged = new io.raet4j.codec.PacketWriter(1408);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            forged.begin(a.estateId(), b.estateId(), a.session(), b.session());
            forged.appendData(0, DeliveryMode.RELIABLE_ORDERED, true, true, 0, 8, 0, 0, payload, 0, 8);
            forged.finish();
            raw.send(forged.byteBuffer(), bAddress);
            forged.begin(0x777, b.estateId(), 1234, b.session());
            forged.appendData(0, DeliveryMode.RELIABLE_ORDERED, true, true, 0, 8, 0, 0, payload, 0, 8);
            forged.finish();
            raw.send(forged.byteBuffer(), bAddress);
        }
        pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> received[0]++, 10);
            return false;
        }, 1000);

        assertEquals(0, received[0], "nothing forged reached the application");
        assertEquals(1000, b.counter(StackCounterDescriptor.MALFORMED_PACKETS) +
            b.counter(StackCounterDescriptor.UNSUPPORTED_VERSION), "every garbage datagram counted");
        assertEquals(2, b.counter(StackCounterDescriptor.UNSEALED_PACKETS),
            "clear-text data from a spoofed address and from an unknown estate");

        a.addDeliveryHandler(outcomes);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[32]);
        assertTrue(a.offer(b.estateId(), 0, msg, 0, 32) >= 0);
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> received[0]++, 10);
            return 1 == received[0] && 1 == outcomes.delivered.size();
        }, 10_000), "the stack keeps serving");
    }

    @Test
    void shouldAnswerJoinWithNoCommonVersionWithVersionUnsupportedAndKeepNoState() throws Exception
    {
        pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        try (DatagramChannel raw = DatagramChannel.open())
        {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            raw.configureBlocking(false);
            final io.raet4j.codec.PacketWriter writer = new io.raet4j.codec.PacketWriter(1408);
            writer.begin(0x999, 0, 77, 0);
            writer.appendJoin(Joiner.PROTOCOL_VERSION + 1, Joiner.PROTOCOL_VERSION + 2, 12345,
                "from-the-future");
            writer.finish();
            raw.send(writer.byteBuffer(), b.localAddress());

            final ByteBuffer answer = ByteBuffer.allocateDirect(1408);
            assertTrue(pair.runUntil(() -> receive(raw, answer) > 0, 10_000), "an answer came back");
            final io.raet4j.codec.PacketReader reader = new io.raet4j.codec.PacketReader();
            assertEquals(io.raet4j.codec.PacketReader.OK, reader.wrap(new UnsafeBuffer(answer), 0, answer.position()));
            assertTrue(reader.nextFrame());
            assertEquals(io.raet4j.codec.sbe.JoinAckDecoder.TEMPLATE_ID, reader.templateId());
            assertEquals(io.raet4j.codec.sbe.JoinStatus.VERSION_UNSUPPORTED, reader.joinAck().status());
            assertEquals(12345, reader.joinAck().nonce());
        }
        assertEquals(0, b.estateCount(), "no state kept for the refused joiner");
        assertEquals(1, b.counter(StackCounterDescriptor.JOINS_REFUSED));
    }

    private static int receive(final DatagramChannel channel, final ByteBuffer buffer)
    {
        try
        {
            buffer.clear();
            return null == channel.receive(buffer) ? 0 : buffer.position();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void shouldRefuseBadOffersWithStatusCodes()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.maxMessageBytes(1024 * 1024));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[16]);
        assertEquals(Stack.NOT_CONNECTED, a.offer(b.estateId(), 0, msg, 0, 16));
        pair.joinAtoB();
        assertEquals(Stack.INVALID_CHANNEL, a.offer(b.estateId(), 256, msg, 0, 16));
        assertEquals(Stack.MESSAGE_TOO_LARGE, a.offer(b.estateId(), 0, msg, 0, 1024 * 1024 + 1));
        assertEquals(Stack.NOT_CONNECTED, a.offer(12345, 0, msg, 0, 16));
        final BufferClaim claim = new BufferClaim();
        assertEquals(Stack.MESSAGE_TOO_LARGE, a.tryClaim(b.estateId(), 0, 100_000, claim));
        a.close();
        assertEquals(Stack.CLOSED, a.offer(b.estateId(), 0, msg, 0, 16));
    }

    @Test
    void shouldSendClaimedMessagesWithoutCopy()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final BufferClaim claim = new BufferClaim();
        final LongHashSet seen = new LongHashSet();
        for (long i = 0; i < 1000; i++)
        {
            while (a.tryClaim(b.estateId(), 1, 8, claim) < 0)
            {
                pair.step();
            }
            claim.buffer().putLong(claim.offset(), i);
            assertEquals(i, claim.commit());
            pair.step();
            b.poll((id, ch, buf, off, len) -> seen.add(buf.getLong(off)), 100);
        }
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> seen.add(buf.getLong(off)), 100);
            return 1000 == outcomes.delivered.size();
        }, 100_000));
        assertEquals(1000, seen.size());
    }

    @Test
    void shouldReportDeadThenAliveWhenPeerComesBackAndReapedWhenItDoesNot()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx
            .livenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .reapTimeoutNs(TimeUnit.SECONDS.toNanos(2)));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        pair.isBRunning = false;
        assertTrue(pair.runUntil(() -> pair.presenceA.contains("beta:DEAD"), 1_000_000));
        assertFalse(a.isJoined(b.estateId()));

        pair.isBRunning = true;
        assertTrue(pair.runUntil(() -> pair.presenceA.contains("beta:ALIVE"), 1_000_000), pair.presenceA.toString());
        assertTrue(a.isJoined(b.estateId()));
        assertFalse(pair.presenceB.contains("alpha:DEAD"), "the stalled peer did not declare the live one dead");
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[16]);
        assertTrue(a.offer(b.estateId(), 0, msg, 0, 16) >= 0);
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> {}, 10);
            return 1 == outcomes.delivered.size();
        }, 100_000), "messages flow again after the renewal");

        pair.isBRunning = false;
        pair.mediaB.close();
        assertTrue(pair.runUntil(() -> pair.presenceA.contains("beta:REAPED"), 2_000_000), pair.presenceA.toString());
        assertEquals(0, a.estateCount());
        assertEquals(1, a.counter(StackCounterDescriptor.ESTATES_REAPED));
    }

    @Test
    void shouldCoalesceSmallMessagesIntoFewDatagrams()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final long packetsBefore = a.counter(TransportCounterDescriptor.PACKETS_SENT);
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < 60; i++)
        {
            assertEquals(i, a.offer(b.estateId(), 0, msg, 0, 16));
        }
        a.doWork();
        final long packets = a.counter(TransportCounterDescriptor.PACKETS_SENT) - packetsBefore;
        assertEquals(60, a.counter(StackCounterDescriptor.SEGMENTS_SENT), "within the initial congestion window");
        // 16 B + 35 B Data frame overhead = 51 B; (1408 - 40) / 51 = 26 frames per datagram, so 60 need 3.
        assertEquals(3, packets, "60 messages of 16 B went out in " + packets + " datagrams");
        final long[] received = {0};
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, ch, buf, off, len) -> received[0]++, 1000);
            return 60 == received[0] && 60 == outcomes.delivered.size();
        }, 10_000));
    }

    /**
     * Offer messages {@code from} to {@code to} of {@link Payloads} on channel 0 while stepping both stacks and
     * polling the receiver, until every message has an outcome.
     */
    private long transfer(
        final Stack a, final Stack b, final long from, final long to, final MessageHandler handler, final long maxSteps)
    {
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(Payloads.MAX_SIZE);
        long next = from;
        long bytes = 0;
        long filled = -1;
        for (long step = 0; step < maxSteps; step++)
        {
            while (next < to)
            {
                final int length = Payloads.size(next);
                if (filled != next)
                {
                    Payloads.fill(msg, next, length);
                    filled = next;
                }
                final long result = a.offer(b.estateId(), 0, msg, 0, length);
                if (result < 0)
                {
                    assertEquals(Stack.BACK_PRESSURED, result);
                    break;
                }
                bytes += length;
                next++;
            }
            pair.step();
            b.poll(handler, 256);
            if (next == to && outcomes.total() == to - from)
            {
                return bytes;
            }
        }
        throw new AssertionError("transfer incomplete: offered " + (next - from) + " outcomes " + outcomes.total());
    }
}
