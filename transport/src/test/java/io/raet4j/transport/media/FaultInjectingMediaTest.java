package io.raet4j.transport.media;

import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectingMediaTest
{
    private static final int MTU = 1408;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final DatagramHandler IGNORE = (buffer, offset, length, source) -> {};

    private final CachedNanoClock clock = new CachedNanoClock();
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MTU).order(ByteOrder.nativeOrder());
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final byte[] inboundDatagram = new byte[64];

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldLoseTheConfiguredFractionAndRepeatTheSameDropsForTheSameSeed()
    {
        final int count = 100_000;
        final BitSet first = lossPattern(42, count);
        final BitSet second = lossPattern(42, count);
        final BitSet otherSeed = lossPattern(43, count);

        final double observedLoss = first.cardinality() / (double)count;
        assertTrue(Math.abs(observedLoss - 0.2) <= 0.01, "observed loss " + observedLoss);
        assertEquals(first, second);
        assertNotEquals(first, otherSeed);
    }

    @Test
    void shouldReturnTheLengthOfADroppedDatagramAsIfItHadBeenSent()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().lossRate(1.0));

        assertEquals(100, send(media, 1, 100));
        assertEquals(0, inner.sendCalls());
        assertEquals(1, media.droppedCount());
        assertEquals(1, media.sentCount());
    }

    @Test
    void shouldCorruptExactlyOneByteOfACopyAndLeaveTheCallersBufferAlone()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().corruptRate(1.0).seed(7));
        final byte[] original = new byte[200];
        for (int i = 0; i < original.length; i++)
        {
            original[i] = (byte)(i * 31);
        }

        for (int i = 0; i < 1000; i++)
        {
            sendBuffer.clear();
            sendBuffer.put(original).flip();
            media.send(sendBuffer, RecordingMedia.PEER);

            final byte[] callersBytes = new byte[original.length];
            sendBuffer.get(0, callersBytes);
            assertArrayEquals(original, callersBytes);
        }

        assertEquals(1000, inner.sent().size());
        assertEquals(1000, media.corruptedCount());
        for (final byte[] sent : inner.sent())
        {
            assertEquals(original.length, sent.length);
            assertEquals(1, differingBytes(original, sent));
        }
    }

    @Test
    void shouldDeliverEachDuplicatedDatagramTwiceOverLoopback()
    {
        final List<Throwable> errors = new ArrayList<>();
        final UdpMedia receiver = new UdpMedia(new InetSocketAddress("127.0.0.1", 0), MTU, 0, 0, errors::add);
        closeables.add(receiver);
        final FaultInjectingMedia sender = newMedia(
            new UdpMedia(new InetSocketAddress("127.0.0.1", 0), MTU, 0, 0, errors::add),
            FaultProfile.none().duplicateRate(1.0));

        final int count = 20;
        for (int i = 0; i < count; i++)
        {
            sendBuffer.clear().limit(32);
            sendBuffer.putInt(0, i);
            assertEquals(32, sender.send(sendBuffer, receiver.localAddress()));
        }

        final int[] timesSeen = new int[count];
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int received = 0;
        while (received < count * 2)
        {
            received += receiver.receive((buffer, offset, length, source) -> timesSeen[buffer.getInt(offset)]++, 16);
            if (System.nanoTime() > deadlineNs)
            {
                fail("received " + received + " of " + count * 2 + " within 5 s");
            }
        }

        for (int i = 0; i < count; i++)
        {
            assertEquals(2, timesSeen[i], "datagram " + i);
        }
        assertEquals(count, sender.duplicatedCount());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldReorderDatagramsWithoutLosingAny()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().reorderRate(0.3).seed(11));
        final int count = 10_000;

        for (int i = 0; i < count; i++)
        {
            send(media, i, 16);
            if (i % 100 == 0)
            {
                clock.advance(10_000);
            }
        }
        clock.advance(2 * MS);
        media.receive(IGNORE, 10);

        assertEquals(0, media.heldCount());
        final List<byte[]> sent = inner.sent();
        assertEquals(count, sent.size());
        final BitSet seen = new BitSet(count);
        int outOfOrder = 0;
        int previous = -1;
        for (final byte[] datagram : sent)
        {
            final int seq = new UnsafeBuffer(datagram).getInt(0);
            seen.set(seq);
            outOfOrder += seq < previous ? 1 : 0;
            previous = seq;
        }
        assertEquals(count, seen.cardinality());
        assertTrue(outOfOrder > 0, "nothing was reordered");
        assertTrue(media.reorderedCount() > 2500 && media.reorderedCount() < 3500, "" + media.reorderedCount());
    }

    @Test
    void shouldSendAReorderedDatagramRightAfterTheNextOne()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().reorderRate(0.5).seed(3));

        int checked = 0;
        boolean onlyPreviousHeld = false;
        for (int i = 0; i < 1000; i++)
        {
            final int heldBefore = media.heldCount();
            send(media, i, 16);
            if (onlyPreviousHeld && media.heldCount() == 0)
            {
                final List<Integer> sequences = sequences(inner);
                final int last = sequences.size() - 1;
                assertEquals(i, sequences.get(last - 1));
                assertEquals(i - 1, sequences.get(last));
                checked++;
            }
            assertEquals(i + 1 - media.heldCount(), inner.sent().size());
            onlyPreviousHeld = 0 == heldBefore && 1 == media.heldCount();
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void shouldReleaseAReorderedDatagramAfterOneMillisecondFromReceiveWhenNothingFollows()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().reorderRate(1.0));

        send(media, 1, 16);
        clock.advance(MS - 1);
        media.receive(IGNORE, 10);
        assertEquals(0, inner.sent().size());

        clock.advance(1);
        media.receive(IGNORE, 10);
        assertEquals(List.of(1), sequences(inner));
        assertEquals(1, media.reorderedCount());
    }

    @Test
    void shouldHoldDelayedDatagramsUntilTheInjectedClockPassesTheDeadline()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().delayNs(5 * MS));

        clock.update(1_000_000_000L);
        assertEquals(16, send(media, 1, 16));
        clock.advance(MS);
        assertEquals(16, send(media, 2, 16));
        assertEquals(0, inner.sent().size());

        clock.advance(4 * MS - 1);
        media.receive(IGNORE, 10);
        assertEquals(0, inner.sent().size());

        clock.advance(1);
        media.receive(IGNORE, 10);
        assertEquals(List.of(1), sequences(inner));

        clock.advance(MS);
        media.receive(IGNORE, 10);
        assertEquals(List.of(1, 2), sequences(inner));
        assertEquals(2, media.delayedCount());
        assertEquals(0, media.heldCount());
    }

    @Test
    void shouldKeepJitteredDelaysWithinTheirBounds()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().delayNs(MS).delayJitterNs(MS));

        for (int i = 0; i < 500; i++)
        {
            send(media, i, 16);
        }
        clock.advance(MS - 1);
        media.receive(IGNORE, 10);
        assertEquals(0, inner.sent().size());

        clock.advance(MS / 2);
        media.receive(IGNORE, 10);
        final int releasedHalfway = inner.sent().size();
        assertTrue(releasedHalfway > 150 && releasedHalfway < 350, "released halfway " + releasedHalfway);

        clock.advance(MS / 2 + 1);
        media.receive(IGNORE, 10);
        assertEquals(500, inner.sent().size());
    }

    @Test
    void shouldSendAtOnceRatherThanDropWhenTheHoldPoolIsFull()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = new FaultInjectingMedia(
            inner, FaultProfile.none().delayNs(MS), FaultProfile.none(), clock, 4);
        closeables.add(media);

        for (int i = 0; i < 10; i++)
        {
            assertEquals(16, send(media, i, 16));
        }
        assertEquals(List.of(4, 5, 6, 7, 8, 9), sequences(inner));
        assertEquals(4, media.heldCount());
        assertEquals(6, media.poolExhaustedCount());

        clock.advance(MS);
        media.receive(IGNORE, 10);
        assertEquals(List.of(4, 5, 6, 7, 8, 9, 0, 1, 2, 3), sequences(inner));
        assertEquals(0, media.droppedCount());
    }

    @Test
    void shouldKeepAHeldDatagramWhileTheInnerMediaWouldBlock()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().delayNs(MS));

        send(media, 1, 16);
        inner.sendResultOverride(Media.SEND_WOULD_BLOCK);
        clock.advance(MS);
        media.receive(IGNORE, 10);
        assertEquals(1, media.heldCount());

        inner.clearSendResultOverride();
        media.receive(IGNORE, 10);
        assertEquals(List.of(1), sequences(inner));
        assertEquals(0, media.heldCount());
    }

    @Test
    void shouldApplyInboundLossDuplicationAndCorruption()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia duplicating = new FaultInjectingMedia(
            inner, FaultProfile.none(), FaultProfile.none().duplicateRate(1.0), clock, 0);
        final byte[] original = {1, 2, 3, 4, 5, 6, 7, 8};
        final List<byte[]> delivered = new ArrayList<>();
        final DatagramHandler collect = (buffer, offset, length, source) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            delivered.add(bytes);
            assertSame(RecordingMedia.PEER, source);
        };

        inner.enqueueInbound(original);
        assertEquals(1, duplicating.receive(collect, 10));
        assertEquals(2, delivered.size());
        assertArrayEquals(original, delivered.get(0));
        assertArrayEquals(original, delivered.get(1));
        assertEquals(1, duplicating.inboundDuplicatedCount());

        delivered.clear();
        final FaultInjectingMedia losing = new FaultInjectingMedia(
            inner, FaultProfile.none(), FaultProfile.none().lossRate(1.0), clock, 0);
        inner.enqueueInbound(original);
        assertEquals(1, losing.receive(collect, 10));
        assertEquals(0, delivered.size());
        assertEquals(1, losing.inboundDroppedCount());

        final FaultInjectingMedia corrupting = new FaultInjectingMedia(
            inner, FaultProfile.none(), FaultProfile.none().corruptRate(1.0), clock, 0);
        for (int i = 0; i < 100; i++)
        {
            inner.enqueueInbound(original);
        }
        assertEquals(100, corrupting.receive(collect, 100));
        assertEquals(100, delivered.size());
        for (final byte[] bytes : delivered)
        {
            assertEquals(1, differingBytes(original, bytes));
        }
        assertEquals(100, corrupting.inboundCorruptedCount());
        assertEquals(100, corrupting.receivedCount());
    }

    @Test
    void shouldRefuseInboundDelayOrReordering()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);

        assertThrows(IllegalArgumentException.class, () -> new FaultInjectingMedia(
            inner, FaultProfile.none(), FaultProfile.none().delayNs(MS), clock, 16));
        assertThrows(IllegalArgumentException.class, () -> new FaultInjectingMedia(
            inner, FaultProfile.none(), FaultProfile.none().reorderRate(0.1), clock, 16));
        assertThrows(IllegalArgumentException.class, () -> FaultProfile.none().lossRate(1.5));
        assertThrows(IllegalArgumentException.class, () -> FaultProfile.none().corruptRate(Double.NaN));
    }

    @Test
    void shouldCloseTheInnerMedia()
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = new FaultInjectingMedia(inner, FaultProfile.none(), clock);

        media.close();
        media.close();

        assertTrue(inner.isClosed());
    }

    @Test
    void shouldAllocateNothingInSteadyStateWithEveryFaultOn()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final RecordingMedia inner = new RecordingMedia(MTU).recording(false);
        final FaultProfile faults = FaultProfile.none()
            .lossRate(0.1).duplicateRate(0.1).reorderRate(0.1).corruptRate(0.1).delayNs(MS / 10).delayJitterNs(MS / 10);
        final FaultInjectingMedia media = new FaultInjectingMedia(
            inner, faults, FaultProfile.none().lossRate(0.1).duplicateRate(0.1).corruptRate(0.1), clock, 1024);
        closeables.add(media);
        final DatagramHandler handler = IGNORE;

        for (int i = 0; i < 5; i++)
        {
            churn(media, inner, handler, 50_000);
        }
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        churn(media, inner, handler, 100_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        System.out.println("FaultInjectingMedia allocated " + allocated + " bytes over 100000 send+receive");
        assertTrue(allocated < 4096, "allocated " + allocated);
        assertTrue(media.delayedCount() > 0 && media.reorderedCount() > 0 && media.inboundCorruptedCount() > 0);
    }

    private void churn(
        final FaultInjectingMedia media, final RecordingMedia inner, final DatagramHandler handler, final int count)
    {
        final ByteBuffer buffer = sendBuffer;
        final SocketAddress destination = RecordingMedia.PEER;
        final byte[] inbound = inboundDatagram;
        for (int i = 0; i < count; i++)
        {
            clock.advance(1_000);
            buffer.clear().limit(64);
            buffer.putInt(0, i);
            media.send(buffer, destination);
            inner.enqueueInbound(inbound);
            media.receive(handler, 1);
        }
    }

    private BitSet lossPattern(final long seed, final int count)
    {
        final RecordingMedia inner = new RecordingMedia(MTU);
        final FaultInjectingMedia media = newMedia(inner, FaultProfile.none().lossRate(0.2).seed(seed));
        final BitSet dropped = new BitSet(count);
        for (int i = 0; i < count; i++)
        {
            final long before = media.droppedCount();
            assertEquals(8, send(media, i, 8));
            if (media.droppedCount() != before)
            {
                dropped.set(i);
            }
            clock.advance(1_000);
        }
        assertEquals(count, media.sentCount());
        assertEquals(count - dropped.cardinality(), inner.sent().size());
        return dropped;
    }

    private FaultInjectingMedia newMedia(final Media inner, final FaultProfile outbound)
    {
        final FaultInjectingMedia media = new FaultInjectingMedia(inner, outbound, FaultProfile.none(), clock, 1024);
        closeables.add(media);
        return media;
    }

    private int send(final Media media, final int seq, final int length)
    {
        sendBuffer.clear().limit(length);
        sendBuffer.putInt(0, seq);
        return media.send(sendBuffer, RecordingMedia.PEER);
    }

    private static List<Integer> sequences(final RecordingMedia inner)
    {
        final List<Integer> sequences = new ArrayList<>();
        for (final byte[] datagram : inner.sent())
        {
            sequences.add(new UnsafeBuffer(datagram).getInt(0));
        }
        return sequences;
    }

    private static int differingBytes(final byte[] expected, final byte[] actual)
    {
        int differing = 0;
        for (int i = 0; i < expected.length; i++)
        {
            differing += expected[i] != actual[i] ? 1 : 0;
        }
        return differing;
    }
}
