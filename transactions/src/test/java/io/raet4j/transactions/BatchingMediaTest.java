package io.raet4j.transactions;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.Media;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A media that only hands datagrams to its socket in {@link Media#flush()}, as a batching one does: the stack must
 * flush it in every duty cycle, after a join made outside a cycle and before closing it, so that nothing it sent is
 * left queued between cycles.
 */
class BatchingMediaTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;

    /**
     * Queues up to {@link #CAPACITY} datagrams, copied, and sends them through the wrapped media on flush; refuses a
     * send with {@link Media#SEND_WOULD_BLOCK} when full.
     */
    static final class QueueingMedia implements Media
    {
        static final int CAPACITY = 32;

        private final Media inner;
        private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        private final ArrayDeque<SocketAddress> destinations = new ArrayDeque<>();
        long flushes;
        long flushed;
        long wouldBlocks;
        int queuedAtClose = -1;

        QueueingMedia(final Media inner)
        {
            this.inner = inner;
        }

        int queued()
        {
            return queue.size();
        }

        public int receive(final DatagramHandler handler, final int limit)
        {
            return inner.receive(handler, limit);
        }

        public int send(final ByteBuffer buffer, final SocketAddress destination)
        {
            if (queue.size() == CAPACITY)
            {
                wouldBlocks++;
                return SEND_WOULD_BLOCK;
            }
            final int length = buffer.remaining();
            queue.add(ByteBuffer.allocateDirect(length).put(buffer).flip());
            destinations.add(destination);
            return length;
        }

        public int flush()
        {
            flushes++;
            int sent = 0;
            while (!queue.isEmpty())
            {
                inner.send(queue.poll(), destinations.poll());
                sent++;
            }
            flushed += sent;
            return sent + inner.flush();
        }

        public SocketAddress resolve(final String address)
        {
            return inner.resolve(address);
        }

        public SocketAddress localAddress()
        {
            return inner.localAddress();
        }

        public int maxDatagramLength()
        {
            return inner.maxDatagramLength();
        }

        public void close()
        {
            queuedAtClose = queue.size();
            inner.close();
        }
    }

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
    void shouldFlushEveryCycleAfterAJoinAndBeforeClose()
    {
        final QueueingMedia[] batching = new QueueingMedia[2];
        final Stack a = pair.startA(FaultProfile.none(), ctx ->
        {
            batching[0] = new QueueingMedia(ctx.transport().media());
            ctx.transport().media(batching[0]);
        });
        final Stack b = pair.startB(FaultProfile.none(), ctx ->
        {
            batching[1] = new QueueingMedia(ctx.transport().media());
            ctx.transport().media(batching[1]);
        }, "127.0.0.1:0");
        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        a.addDeliveryHandler(outcomes);

        a.join(pair.addressOf(b));
        assertEquals(0, batching[0].queued(), "the Join was flushed by join itself");
        final int[] mostQueued = {0};
        assertTrue(pair.runUntil(() ->
        {
            mostQueued[0] = Math.max(mostQueued[0], Math.max(batching[0].queued(), batching[1].queued()));
            return a.isJoined(b.estateId()) && b.isJoined(a.estateId());
        }, 100_000), "joined");

        final int count = 5_000;
        final StackTest.OrderedVerifier verifier = new StackTest.OrderedVerifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(Payloads.MAX_SIZE);
        final long[] offered = {0};
        assertTrue(pair.runUntil(() ->
        {
            mostQueued[0] = Math.max(mostQueued[0], Math.max(batching[0].queued(), batching[1].queued()));
            while (offered[0] < count)
            {
                final int length = Payloads.size(offered[0]);
                Payloads.fill(msg, offered[0], length);
                if (a.offer(b.estateId(), 0, msg, 0, length) < 0)
                {
                    break;
                }
                offered[0]++;
            }
            b.poll(verifier, 100);
            return offered[0] == count && verifier.next == count && outcomes.total() == count;
        }, 20_000_000), "delivered " + verifier.next + " of " + count);

        assertEquals(0, mostQueued[0], "datagrams left queued between duty cycles");
        assertEquals(0, verifier.corrupt);
        assertEquals(0, outcomes.failed.size());
        assertTrue(batching[0].flushed > count / 10, "a sent through flush: " + batching[0].flushed);

        final long flushedBeforeClose = batching[0].flushed;
        a.close();
        assertEquals(0, batching[0].queuedAtClose, "the Leave was flushed before the media was closed");
        assertTrue(batching[0].flushed > flushedBeforeClose, "the Leave went out through flush");
    }
}
