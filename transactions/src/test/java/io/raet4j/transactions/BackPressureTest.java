package io.raet4j.transactions;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.Media;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A media whose sends would block (a full receiver queue, as on a lane) must make datagrams wait, not vanish: every
 * message is delivered exactly once and in order, and what would have blocked is not counted as loss.
 */
class BackPressureTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;

    /**
     * Refuses a send with {@link Media#SEND_WOULD_BLOCK} at a seeded rate, and then for a few tries in a row, as a
     * receiver queue that is full for a while.
     */
    static final class WouldBlockMedia implements Media
    {
        private final Media inner;
        private final Random random = new Random(21);
        private final double rate;
        private int blockedFor;
        long wouldBlocks;

        WouldBlockMedia(final Media inner, final double rate)
        {
            this.inner = inner;
            this.rate = rate;
        }

        public int receive(final DatagramHandler handler, final int limit)
        {
            return inner.receive(handler, limit);
        }

        public int send(final ByteBuffer buffer, final SocketAddress destination)
        {
            if (blockedFor > 0 || random.nextDouble() < rate)
            {
                blockedFor = blockedFor > 0 ? blockedFor - 1 : random.nextInt(5);
                wouldBlocks++;
                return SEND_WOULD_BLOCK;
            }
            return inner.send(buffer, destination);
        }

        public int flush()
        {
            return inner.flush();
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
    void shouldHoldDatagramsThatWouldBlockAndDeliverEverythingExactlyOnceInOrder()
    {
        final WouldBlockMedia[] blocking = new WouldBlockMedia[1];
        final Stack a = pair.startA(FaultProfile.none(), ctx ->
        {
            blocking[0] = new WouldBlockMedia(ctx.transport().media(), 0.2);
            ctx.transport().media(blocking[0]);
        });
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        pair.joinAtoB();

        final int count = 20_000;
        final StackTest.OrderedVerifier verifier = new StackTest.OrderedVerifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(Payloads.MAX_SIZE);
        final long[] offered = {0};
        final long[] backPressured = {0};
        assertTrue(pair.runUntil(() ->
        {
            while (offered[0] < count)
            {
                final int length = Payloads.size(offered[0]);
                Payloads.fill(msg, offered[0], length);
                final long result = a.offer(b.estateId(), 0, msg, 0, length);
                if (result < 0)
                {
                    backPressured[0]++;
                    break;
                }
                offered[0]++;
            }
            b.poll(verifier, 100);
            return offered[0] == count && verifier.next == count && outcomes.total() == count;
        }, 20_000_000), "delivered " + verifier.next + " of " + count);

        System.out.printf("would-block media: %d of %d sends refused, %d held and resent, %d retransmits (%d tail " +
            "probes), %d offers back-pressured%n", blocking[0].wouldBlocks,
            a.counter(TransportCounterDescriptor.PACKETS_SENT) + blocking[0].wouldBlocks,
            a.counter(TransportCounterDescriptor.SEND_WOULD_BLOCK),
            a.counter(StackCounterDescriptor.RETRANSMITS), a.counter(StackCounterDescriptor.TAIL_PROBES),
            backPressured[0]);
        assertEquals(0, verifier.corrupt);
        assertEquals(0, outcomes.failed.size());
        assertEquals(0, outcomes.duplicateOutcomes);
        assertTrue(blocking[0].wouldBlocks > 1000, "sends were refused");
        // A held datagram leaves late, so the probe timeout may resend a tail segment that was only delayed; but
        // nothing was lost: no segment found missing by a later ack, no retransmission timeout, no resend but probes.
        assertEquals(0, a.counter(StackCounterDescriptor.LOSSES_DETECTED), "nothing that would block was lost");
        assertEquals(0, a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS), "retransmission timeouts");
        assertEquals(a.counter(StackCounterDescriptor.TAIL_PROBES), a.counter(StackCounterDescriptor.RETRANSMITS),
            "every resend was a tail probe");
    }
}
