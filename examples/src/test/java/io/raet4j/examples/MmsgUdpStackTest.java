package io.raet4j.examples;

import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks on the batching UDP media ({@code udp:HOST:PORT}, {@code MmsgUdpMedia} from unix-ipc), with real sockets,
 * driven in invoker mode on one controlled clock: between themselves, and with a stack on the transport's own UDP
 * media. A {@code udp:} bind address is refused by the transport unless a provider takes it, so a stack that
 * launches on one runs on the batching media.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MmsgUdpStackTest
{
    private static final long STEP_NS = 10_000;

    @TempDir
    Path tempDir;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<Stack> stacks = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(stacks);
    }

    @Test
    void shouldDeliverExactlyOnceInOrderBetweenTwoStacksOnBatchedUdp()
    {
        final Stack a = launch("mmsg-a", "udp:127.0.0.1:0");
        final Stack b = launch("mmsg-b", "udp:127.0.0.1:0");

        final LaneStackTest.Outcomes outcomes = new LaneStackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        a.join("udp:127.0.0.1:" + port(b));
        assertTrue(run(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 100_000), "joined");

        final int count = 10_000;
        final long[] bytes = {0};
        final LaneStackTest.Verifier verifier = transfer(a, b, count, outcomes, bytes);
        System.out.printf("udp: <-> udp: %d messages, %d bytes, exactly once in order; %d sends would block, " +
            "%d retransmits%n", count, bytes[0], a.counter(TransportCounterDescriptor.SEND_WOULD_BLOCK),
            a.counter(StackCounterDescriptor.RETRANSMITS));
        assertEquals(0, verifier.corrupt);
        assertEquals(count, verifier.next);
        assertEquals(count, outcomes.delivered);
        assertEquals(0, outcomes.failed);
        assertEquals(0, b.counter(StackCounterDescriptor.UNSEALED_PACKETS) +
            b.counter(StackCounterDescriptor.TAMPERED_PACKETS));
    }

    @Test
    void shouldInteroperateWithAStackOnTheDefaultUdpMediaBothWays()
    {
        final Stack batched = launch("mmsg", "udp:127.0.0.1:0");
        final Stack plain = launch("plain", "127.0.0.1:0");

        // The batched stack names its peer in the plain notation; the media resolves both.
        batched.join("127.0.0.1:" + port(plain));
        assertTrue(run(() -> batched.isJoined(plain.estateId()) && plain.isJoined(batched.estateId()), 100_000),
            "joined");

        final int count = 3_000;
        final LaneStackTest.Outcomes fromBatched = new LaneStackTest.Outcomes();
        batched.addDeliveryHandler(fromBatched);
        final LaneStackTest.Verifier atPlain = transfer(batched, plain, count, fromBatched, new long[1]);
        assertEquals(0, atPlain.corrupt);
        assertEquals(count, fromBatched.delivered);
        assertEquals(0, fromBatched.failed);

        final LaneStackTest.Outcomes fromPlain = new LaneStackTest.Outcomes();
        plain.addDeliveryHandler(fromPlain);
        final LaneStackTest.Verifier atBatched = transfer(plain, batched, count, fromPlain, new long[1]);
        assertEquals(0, atBatched.corrupt);
        assertEquals(count, fromPlain.delivered);
        assertEquals(0, fromPlain.failed);
    }

    @Test
    void shouldTellThePeerItLeftWhenClosed()
    {
        final Stack a = launch("leaver", "udp:127.0.0.1:0");
        final Stack b = launch("stayer", "127.0.0.1:0");
        a.join("127.0.0.1:" + port(b));
        assertTrue(run(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 100_000), "joined");

        // The Leave is sent while closing, outside a duty cycle's service: the close must flush it to the kernel.
        final long aId = a.estateId();
        a.close();
        stacks.remove(a);
        assertTrue(run(() -> !b.isJoined(aId), 100_000), "the peer saw the Leave");
        assertFalse(b.isJoined(aId));
    }

    private Stack launch(final String name, final String bind)
    {
        final StackContext ctx = new StackContext(new Context().name(name).bindAddress(bind)
            .nanoClock(clock).statusDir(tempDir.resolve("status-" + name))).keepDir(tempDir.resolve("keep-" + name));
        final Stack stack = Stack.launch(ctx);
        stacks.add(stack);
        return stack;
    }

    private static int port(final Stack stack)
    {
        return ((InetSocketAddress)stack.localAddress()).getPort();
    }

    private LaneStackTest.Verifier transfer(
        final Stack from, final Stack to, final int count, final LaneStackTest.Outcomes outcomes, final long[] bytes)
    {
        final LaneStackTest.Verifier verifier = new LaneStackTest.Verifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(1 << 20);
        final long[] offered = {0};
        assertTrue(run(() ->
        {
            while (offered[0] < count)
            {
                final int length = LaneStackTest.size(offered[0]);
                verifier.payload.encode(msg, 0, length, offered[0]);
                if (from.offer(to.estateId(), 0, msg, 0, length) < 0)
                {
                    break;
                }
                bytes[0] += length;
                offered[0]++;
            }
            to.poll((id, ch, buf, off, len) -> verifier.onMessage(buf, off, len), 100);
            return verifier.next == count && outcomes.delivered + outcomes.failed == count;
        }, 20_000_000), "delivered " + verifier.next);
        return verifier;
    }

    private boolean run(final BooleanSupplier condition, final long maxSteps)
    {
        for (long i = 0; i < maxSteps; i++)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            clock.advance(STEP_NS);
            for (final Stack stack : stacks)
            {
                stack.doWork();
            }
        }
        return condition.getAsBoolean();
    }
}
