package io.raet4j.ipc;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sanity check that {@link SharedMemoryMedia} allocates nothing once warm, measured as
 * {@link UnixDatagramMediaAllocationTest} measures the Unix lane: on send from direct and heap buffers to alternating
 * destinations, on receive with the source address (the heartbeat written on the way), on a reply to that source, on
 * a receive that finds the ring empty and on a send refused by a full ring of a live yard. A JMH {@code -prof gc}
 * proof belongs in bench.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedMemoryMediaAllocationTest
{
    private static final int WARM_UP_ITERATIONS = 20_000;
    private static final int MEASURED_ITERATIONS = 100_000;
    private static final int MEASURED_ROUNDS = 5;
    private static final int LENGTH = 256;

    @TempDir
    Path tempDir;

    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final DatagramHandler handler = this::onDatagram;
    private final ByteBuffer direct = ByteBuffer.allocateDirect(LENGTH);
    private final ByteBuffer heap = ByteBuffer.allocate(LENGTH);
    private SharedMemoryMedia a;
    private SharedMemoryMedia b;
    private SharedMemoryMedia c;
    private SocketAddress toB;
    private SocketAddress toC;
    private SocketAddress lastSource;
    private long bytesReceived;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldNotAllocateWhenSendingAndReceiving()
    {
        open();
        final long[] rounds = measure(this::sendAndReceive);

        assertTrue(errors.isEmpty(), errors::toString);
        assertEquals(0L, rounds[rounds.length - 1], "bytes allocated per round of " + MEASURED_ITERATIONS +
            " iterations of 3 sends and 3 receives, and a receive finding nothing: " + text(rounds));
    }

    @Test
    void shouldNotAllocateWhenTheRingIsFullOrEmpty()
    {
        open();
        direct.clear().limit(LENGTH);
        while (LENGTH == a.send(direct, toB))
        {
            direct.clear().limit(LENGTH);
        }
        final long[] rounds = measure(this::sendWouldBlockAndReceiveNothing);

        assertTrue(errors.isEmpty(), errors::toString);
        assertTrue(a.sendWouldBlocks() > MEASURED_ITERATIONS);
        assertEquals(0L, rounds[rounds.length - 1], "bytes allocated per round of " + MEASURED_ITERATIONS +
            " sends refused by a full ring and receives finding nothing: " + text(rounds));
    }

    private void open()
    {
        a = open("a");
        b = open("b");
        c = open("c");
        toB = a.resolve(b.localAddress().toString());
        toC = a.resolve(c.localAddress().toString());
    }

    private SharedMemoryMedia open(final String name)
    {
        final SharedMemoryMedia media = SharedMemoryMedia.open(
            "shm:" + tempDir.resolve("lane").resolve(name), 1408, SharedMemoryMedia.MIN_RING_CAPACITY, errors::add);
        closeables.add(media);
        return media;
    }

    /**
     * a sends to b from a direct buffer and to c from a heap buffer, b replies to the source it was given, and
     * each receives; c then finds its queue empty.
     *
     * @return 1 when all went as expected.
     */
    private int sendAndReceive()
    {
        direct.clear().limit(LENGTH);
        heap.clear().limit(LENGTH / 2);
        int ok = LENGTH == a.send(direct, toB) ? 1 : 0;
        ok &= LENGTH / 2 == a.send(heap, toC) ? 1 : 0;
        ok &= 1 == b.receive(handler, 10) ? 1 : 0;
        direct.clear().limit(LENGTH / 4);
        ok &= LENGTH / 4 == b.send(direct, lastSource) ? 1 : 0;
        ok &= 1 == a.receive(handler, 10) ? 1 : 0;
        ok &= 1 == c.receive(handler, 10) ? 1 : 0;
        ok &= 0 == c.receive(handler, 10) ? 1 : 0;

        return ok;
    }

    /**
     * Sends to a yard whose ring is full, which heartbeats without reading, then receives from one that is empty.
     *
     * @return 1 when the send was refused and the receive found nothing.
     */
    private int sendWouldBlockAndReceiveNothing()
    {
        direct.clear().limit(LENGTH);
        int ok = Media.SEND_WOULD_BLOCK == a.send(direct, toB) ? 1 : 0;
        ok &= 0 == b.receive(handler, 0) ? 1 : 0;
        ok &= 0 == c.receive(handler, 10) ? 1 : 0;

        return ok;
    }

    private long[] measure(final java.util.function.IntSupplier cycle)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        for (int i = 0; i < WARM_UP_ITERATIONS; i++)
        {
            assertEquals(1, cycle.getAsInt(), "warm-up iteration " + i + ": " + errors);
        }

        // A one-off allocation by the JVM itself (JIT, OSR) can land in a round; per-operation allocation lands in
        // every round and would be at least 16 B x 100,000. So a round of exactly 0 bytes is required, within 5.
        final long[] rounds = new long[MEASURED_ROUNDS];
        int round = 0;
        long allocated = -1;
        while (round < MEASURED_ROUNDS && 0 != allocated)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            int ok = 0;
            for (int i = 0; i < MEASURED_ITERATIONS; i++)
            {
                ok += cycle.getAsInt();
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(MEASURED_ITERATIONS, ok, errors::toString);
            rounds[round++] = allocated;
        }

        final long[] measured = java.util.Arrays.copyOf(rounds, round);
        System.out.println(getClass().getSimpleName() + ": bytes allocated per round of " + MEASURED_ITERATIONS +
            ": " + text(measured));
        return measured;
    }

    private void onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        bytesReceived += length;
        lastSource = source;
    }

    private static String text(final long[] rounds)
    {
        final StringBuilder text = new StringBuilder();
        for (final long round : rounds)
        {
            text.append(round).append(" B ");
        }
        return text.toString().trim();
    }
}
