package io.raet4j.examples;

import io.raet4j.ipc.SharedMemoryAddress;
import io.raet4j.ipc.UnixAddress;
import io.raet4j.transactions.EstateSnapshot;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks on a shared-memory lane ({@code shm:PATH} inboxes), and a stack serving a Unix lane and a shared-memory lane
 * at once, with real mapped files, driven in invoker mode on one controlled clock, as {@link LaneStackTest} drives
 * stacks on a Unix lane.
 */
@Timeout(300)
class SharedMemoryLaneStackTest
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
        return launch(name, bind, lane, (ctx) -> {});
    }

    private Stack launch(final String name, final String bind, final String lane, final Consumer<StackContext> more)
    {
        final StackContext ctx = new StackContext(new Context().name(name).bindAddress(bind).laneAddress(lane)
            .nanoClock(clock).statusDir(tempDir.resolve("status-" + name))).keepDir(tempDir.resolve("keep-" + name));
        more.accept(ctx);
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

    private String inbox(final String name)
    {
        return "shm:" + tempDir.resolve("shm").resolve(name);
    }

    @Test
    void shouldJoinAndDeliverExactlyOnceInOrderOverASharedMemoryLaneWithOwnerOnlyFiles() throws Exception
    {
        final Path shm = tempDir.resolve("shm");
        final Stack a = launch("yard-a", inbox("a"), null);
        final Stack b = launch("yard-b", inbox("b"), null);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shm)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shm.resolve("a"))));
        assertTrue(a.localAddress() instanceof SharedMemoryAddress, a.localAddress()::toString);
        assertEquals(inbox("a"), a.localAddress().toString());

        final LaneStackTest.Outcomes outcomes = new LaneStackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        a.join(inbox("b"));
        assertTrue(run(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 100_000), "joined over shm");
        assertEquals(List.of(inbox("a")), addresses(b), "b knows a by its inbox");

        final int count = 10_000;
        final LaneStackTest.Verifier verifier = new LaneStackTest.Verifier();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(1 << 20);
        final long[] offered = {0};
        final long[] bytes = {0};
        assertTrue(run(() ->
        {
            while (offered[0] < count)
            {
                final int length = LaneStackTest.size(offered[0]);
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
        System.out.printf("shm lane: %d messages, %d bytes, exactly once in order; %d sends would block and waited, " +
            "%d retransmits%n", count, bytes[0], a.counter(TransportCounterDescriptor.SEND_WOULD_BLOCK),
            a.counter(StackCounterDescriptor.RETRANSMITS));
        assertEquals(0, verifier.corrupt);
        assertEquals(count, outcomes.delivered);
        assertEquals(0, outcomes.failed);
        assertEquals(0, b.counter(StackCounterDescriptor.UNSEALED_PACKETS) +
            b.counter(StackCounterDescriptor.TAMPERED_PACKETS), "clear packets on a lane, as both ends expect");

        a.close();
        assertFalse(Files.exists(shm.resolve("a")), "inbox removed on close");
        assertTrue(Files.exists(shm.resolve("b")));
    }

    @Test
    void shouldKeepAJoinerPendingUnderNeverUntilTheOperatorAcceptsItOverASharedMemoryLane()
    {
        final Stack a = launch("alpha", inbox("alpha"), null);
        final Stack b = launch("beta", inbox("beta"), null, (ctx) -> ctx.acceptPolicy("never"));
        final LaneStackTest.Outcomes outcomes = new LaneStackTest.Outcomes();
        a.addDeliveryHandler(outcomes);

        a.join(inbox("beta"));
        assertTrue(run(() -> b.counter(StackCounterDescriptor.JOINS_PENDING) >= 2, 1_000_000), "join held pending");
        assertFalse(a.isJoined(b.estateId()));
        assertEquals(0, b.estateCount(), "a pending estate has no state");

        assertTrue(b.accept("alpha"));
        assertTrue(run(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 2_000_000), "accepted");
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(64);
        msg.putLong(0, 42);
        assertTrue(a.offer(b.estateId(), 0, msg, 0, 8) >= 0);
        final long[] received = {0};
        assertTrue(run(() ->
        {
            b.poll((id, ch, buf, off, len) -> received[0] = buf.getLong(off), 10);
            return 42 == received[0] && 1 == outcomes.delivered;
        }, 1_000_000));
    }

    @Test
    void shouldServeAUnixYardAndASharedMemoryYardAtOnceFromOneStackWithALaneOfEachKind()
    {
        final Path lane = tempDir.resolve("lane");
        final Stack hub = launch("hub", "unix:" + lane.resolve("hub.sock"), inbox("hub"));
        final Stack viaUnix = launch("via-unix", "unix:" + lane.resolve("u.sock"), null);
        final Stack viaShm = launch("via-shm", inbox("s"), null);

        viaUnix.join("unix:" + lane.resolve("hub.sock"));
        viaShm.join(inbox("hub"));
        assertTrue(run(() -> viaUnix.isJoined(hub.estateId()) && viaShm.isJoined(hub.estateId()) &&
            hub.isJoined(viaUnix.estateId()) && hub.isJoined(viaShm.estateId()), 200_000), "both joined the hub");
        final List<String> known = addresses(hub);
        assertEquals(2, known.size(), known::toString);
        assertTrue(known.contains("unix:" + lane.resolve("u.sock")), known::toString);
        assertTrue(known.contains(inbox("s")), known::toString);

        final LaneStackTest.Outcomes fromHub = new LaneStackTest.Outcomes();
        final LaneStackTest.Outcomes fromUnix = new LaneStackTest.Outcomes();
        final LaneStackTest.Outcomes fromShm = new LaneStackTest.Outcomes();
        hub.addDeliveryHandler(fromHub);
        viaUnix.addDeliveryHandler(fromUnix);
        viaShm.addDeliveryHandler(fromShm);
        final int count = 2_000;
        final LaneStackTest.Verifier hubFromUnix = new LaneStackTest.Verifier();
        final LaneStackTest.Verifier hubFromShm = new LaneStackTest.Verifier();
        final LaneStackTest.Verifier unixFromHub = new LaneStackTest.Verifier();
        final LaneStackTest.Verifier shmFromHub = new LaneStackTest.Verifier();
        final Payload payload = new Payload();
        final ExpandableDirectByteBuffer msg = new ExpandableDirectByteBuffer(1 << 20);
        final long[] offered = new long[4];
        final long unixId = viaUnix.estateId();
        final long shmId = viaShm.estateId();
        final long hubId = hub.estateId();
        assertTrue(run(() ->
        {
            offered[0] = offer(viaUnix, hubId, offered[0], count, payload, msg);
            offered[1] = offer(viaShm, hubId, offered[1], count, payload, msg);
            offered[2] = offer(hub, unixId, offered[2], count, payload, msg);
            offered[3] = offer(hub, shmId, offered[3], count, payload, msg);
            hub.poll((id, ch, buf, off, len) -> (id == unixId ? hubFromUnix : hubFromShm).onMessage(buf, off, len),
                100);
            viaUnix.poll((id, ch, buf, off, len) -> unixFromHub.onMessage(buf, off, len), 100);
            viaShm.poll((id, ch, buf, off, len) -> shmFromHub.onMessage(buf, off, len), 100);
            return hubFromUnix.next == count && hubFromShm.next == count && unixFromHub.next == count &&
                shmFromHub.next == count && fromHub.delivered == 2L * count && fromUnix.delivered == count &&
                fromShm.delivered == count;
        }, 20_000_000), "hub got " + hubFromUnix.next + " + " + hubFromShm.next + ", gave " + unixFromHub.next +
            " + " + shmFromHub.next);

        assertEquals(0, hubFromUnix.corrupt + hubFromShm.corrupt + unixFromHub.corrupt + shmFromHub.corrupt);
        assertEquals(0, fromHub.failed + fromUnix.failed + fromShm.failed);
        assertTrue(hub.localAddress() instanceof UnixAddress, "the bind address is the primary");
        for (final Stack stack : stacks)
        {
            assertEquals(0, stack.counter(StackCounterDescriptor.UNSEALED_PACKETS), stack.name() +
                ": both kinds of lane are host-local, clear on both ends");
        }
    }

    private static long offer(
        final Stack from,
        final long to,
        final long next,
        final int count,
        final Payload payload,
        final ExpandableDirectByteBuffer msg)
    {
        long offered = next;
        while (offered < count)
        {
            final int length = LaneStackTest.size(offered);
            payload.encode(msg, 0, length, offered);
            if (from.offer(to, 1, msg, 0, length) < 0)
            {
                break;
            }
            offered++;
        }
        return offered;
    }

    private static List<String> addresses(final Stack stack)
    {
        final List<String> addresses = new ArrayList<>();
        for (final EstateSnapshot estate : stack.estates())
        {
            addresses.add(estate.address());
        }
        return addresses;
    }
}
