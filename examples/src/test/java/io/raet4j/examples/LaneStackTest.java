package io.raet4j.examples;

import io.raet4j.ipc.UnixAddress;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks on a lane (Unix-domain datagram sockets) and on a lane and a road at once, with real sockets, driven in
 * invoker mode on one controlled clock.
 */
class LaneStackTest
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

    private Stack launch(final String name, final String bind, final String lane)
    {
        final StackContext ctx = new StackContext(new Context().name(name).bindAddress(bind).laneAddress(lane)
            .nanoClock(clock).statusDir(tempDir.resolve("status-" + name))).keepDir(tempDir.resolve("keep-" + name));
        final Stack stack = Stack.launch(ctx);
        stacks.add(stack);
        return stack;
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

    static final class Outcomes implements DeliveryHandler
    {
        long delivered;
        long failed;

        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            delivered++;
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            failed++;
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            failed++;
        }
    }

    static final class Verifier
    {
        final Payload payload = new Payload();
        long next;
        long corrupt;

        void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!payload.verify(buffer, offset, length) || Payload.sequence(buffer, offset) != next)
            {
                corrupt++;
            }
            next++;
        }
    }

    static int size(final long i)
    {
        // 12 B to 1 MiB, mostly small: one in a hundred up to 64 KiB, one in a thousand up to 1 MiB.
        final long h = (i + 1) * 0x9E3779B97F4A7C15L;
        final long r = (h ^ (h >>> 29)) & Long.MAX_VALUE;
        if (1 == i)
        {
            return 1 << 20;
        }
        if (0 == i % 1000)
        {
            return 65_536 + (int)(r % ((1 << 20) - 65_536));
        }
        if (0 == i % 100)
        {
            return 1_024 + (int)(r % 64_512);
        }
        return Payload.HEADER_LENGTH + (int)(r % 1_400);
    }

    @Test
    void shouldDeliverExactlyOnceInOrderOverALaneWithOwnerOnlyFiles() throws Exception
    {
        final Path lane = tempDir.resolve("lane");
        final Stack a = launch("yard-a", "unix:" + lane.resolve("a.sock"), null);
        final Stack b = launch("yard-b", "unix:" + lane.resolve("b.sock"), null);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane.resolve("a.sock"))));
        assertTrue(a.localAddress() instanceof UnixAddress);

        final Outcomes outcomes = new Outcomes();
        a.addDeliveryHandler(outcomes);
        a.join("unix:" + lane.resolve("b.sock"));
        assertTrue(run(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 100_000), "joined over the lane");

        final int count = 10_000;
        final Verifier verifier = new Verifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(1 << 20);
        final long[] offered = {0};
        final long[] bytes = {0};
        assertTrue(run(() ->
        {
            while (offered[0] < count)
            {
                final int length = size(offered[0]);
                verifier.payload.encode(msg, 0, length, offered[0]);
                if (a.offer(b.estateId(), 0, msg, 0, length) < 0)
                {
                    break;
                }
                bytes[0] += length;
                offered[0]++;
            }
            b.poll((id, ch, buf, off, len) -> verifier.onMessage(buf, off, len), 100);
            return verifier.next == count && outcomes.delivered + outcomes.failed == count;
        }, 20_000_000), "delivered " + verifier.next);
        System.out.printf("lane: %d messages, %d bytes, exactly once in order; %d sends would block and waited, " +
            "%d retransmits%n", count, bytes[0], a.counter(TransportCounterDescriptor.SEND_WOULD_BLOCK),
            a.counter(StackCounterDescriptor.RETRANSMITS));
        assertEquals(0, verifier.corrupt);
        assertEquals(count, outcomes.delivered);
        assertEquals(0, outcomes.failed);
        assertEquals(0, b.counter(StackCounterDescriptor.UNSEALED_PACKETS) + b.counter(
            StackCounterDescriptor.TAMPERED_PACKETS));

        a.close();
        assertFalse(Files.exists(lane.resolve("a.sock")), "socket file removed on close");
    }

    @Test
    void shouldRelayFromAYardToARemoteEstateThroughOneStackOnALaneAndARoad()
    {
        final Path lane = tempDir.resolve("lane");
        final Stack yard = launch("yard", "unix:" + lane.resolve("yard.sock"), null);
        final Stack relay = launch("relay", "127.0.0.1:0", "unix:" + lane.resolve("relay.sock"));
        final Stack remote = launch("remote", "127.0.0.1:0", null);
        final String relayRoad = "127.0.0.1:" + ((InetSocketAddress)relay.localAddress()).getPort();

        yard.join("unix:" + lane.resolve("relay.sock"));
        remote.join(relayRoad);
        assertTrue(run(() -> yard.isJoined(relay.estateId()) && remote.isJoined(relay.estateId()) &&
            relay.isJoined(yard.estateId()) && relay.isJoined(remote.estateId()), 200_000), "both joined the relay");

        final Outcomes fromYard = new Outcomes();
        final Outcomes fromRelay = new Outcomes();
        yard.addDeliveryHandler(fromYard);
        relay.addDeliveryHandler(fromRelay);
        final int count = 5_000;
        final Verifier verifier = new Verifier();
        final Payload payload = new Payload();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(1 << 20);
        final long remoteId = remote.estateId();
        final long[] offered = {0};
        final long[] relayed = {0};
        final long[] relayBackPressured = {0};
        assertTrue(run(() ->
        {
            while (offered[0] < count)
            {
                final int length = size(offered[0]);
                payload.encode(msg, 0, length, offered[0]);
                if (yard.offer(relay.estateId(), 3, msg, 0, length) < 0)
                {
                    break;
                }
                offered[0]++;
            }
            // The relay forwards what its yard sends, through the same API, to the estate across the road.
            relay.poll((id, ch, buf, off, len) ->
            {
                while (relay.offer(remoteId, ch, buf, off, len) < 0)
                {
                    relayBackPressured[0]++;
                    relay.doWork();
                }
                relayed[0]++;
            }, 10);
            remote.poll((id, ch, buf, off, len) -> verifier.onMessage(buf, off, len), 100);
            return verifier.next == count && fromRelay.delivered == count && fromYard.delivered == count;
        }, 20_000_000), "relayed " + relayed[0] + ", received " + verifier.next);

        System.out.printf("relay yard -> lane -> relay -> road -> remote: %d messages exactly once in order, relay " +
            "holds %d estates, relay offers back-pressured %d times%n", verifier.next, relay.estateCount(),
            relayBackPressured[0]);
        assertEquals(0, verifier.corrupt);
        assertEquals(0, fromYard.failed + fromRelay.failed);
        assertEquals(2, relay.estateCount());
        // Each side refuses clear packets where it expects sealed ones and the reverse (UNSEALED_PACKETS): nothing
        // was refused, so the road carried sealed packets (encryption on by default) and the lane clear ones.
        assertEquals(0, remote.counter(StackCounterDescriptor.UNSEALED_PACKETS));
        assertEquals(0, relay.counter(StackCounterDescriptor.UNSEALED_PACKETS));
        assertEquals(0, yard.counter(StackCounterDescriptor.UNSEALED_PACKETS));
    }
}
