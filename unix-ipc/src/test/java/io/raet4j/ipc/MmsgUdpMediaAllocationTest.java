package io.raet4j.ipc;

import io.raet4j.transport.media.DatagramHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sanity check that {@link MmsgUdpMedia} allocates nothing once warm with 16 interleaved peers: a hub receives one
 * datagram from each of 16 peers in one batch (16 sources, each interned), replies to each source it was given from
 * direct and heap buffers alternately (the destination of every send slot changes each time), flushes, and each peer
 * receives its reply; then a receive finds the socket empty ({@code EAGAIN}) and a flush finds nothing queued. A JMH
 * {@code -prof gc} proof belongs in bench.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MmsgUdpMediaAllocationTest
{
    private static final int PEERS = 16;
    private static final int WARM_UP_ITERATIONS = 10_000;
    private static final int MEASURED_ITERATIONS = 20_000;
    private static final int MEASURED_ROUNDS = 5;
    private static final int LENGTH = 32;

    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final DatagramHandler hubHandler = this::onHubDatagram;
    private final DatagramHandler peerHandler = this::onPeerDatagram;
    private final ByteBuffer direct = ByteBuffer.allocateDirect(LENGTH);
    private final ByteBuffer heap = ByteBuffer.allocate(LENGTH);
    private final SocketAddress[] sources = new SocketAddress[PEERS];
    private final MmsgUdpMedia[] peers = new MmsgUdpMedia[PEERS];
    private MmsgUdpMedia hub;
    private SocketAddress toHub;
    private int sourceCount;
    private long bytesReceived;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldNotAllocateWhenSendingFlushingAndReceivingWithSixteenInterleavedPeers()
    {
        hub = open();
        for (int i = 0; i < PEERS; i++)
        {
            peers[i] = open();
        }
        toHub = peers[0].resolve("udp:127.0.0.1:" + hub.localAddress().getPort());

        final long[] rounds = measure(this::exchange);

        assertTrue(errors.isEmpty(), errors::toString);
        assertEquals(PEERS, sourceCount);
        assertEquals(0, hub.uncachedSources());
        assertEquals(0L, rounds[rounds.length - 1], "bytes allocated per round of " + MEASURED_ITERATIONS +
            " iterations of 16 sends, flushes and receives each way: " + text(rounds));
    }

    private MmsgUdpMedia open()
    {
        final MmsgUdpMedia media = MmsgUdpMedia.open("udp:127.0.0.1:0", 1408, errors::add);
        closeables.add(media);
        return media;
    }

    /**
     * Each peer sends to the hub and flushes; the hub receives all 16, replies to each source and flushes; each peer
     * receives its reply; the hub then finds nothing to receive or flush.
     *
     * @return 1 when all went as expected.
     */
    private int exchange()
    {
        int ok = 1;
        for (final MmsgUdpMedia peer : peers)
        {
            direct.clear().limit(LENGTH);
            ok &= LENGTH == peer.send(direct, toHub) ? 1 : 0;
            ok &= 1 == peer.flush() ? 1 : 0;
        }

        sourceCount = 0;
        ok &= PEERS == hub.receive(hubHandler, 64) ? 1 : 0;
        ok &= PEERS == sourceCount ? 1 : 0;
        for (int i = 0; i < sourceCount; i++)
        {
            final ByteBuffer buffer = 0 == (i & 1) ? direct : heap;
            buffer.clear().limit(LENGTH / 2);
            ok &= LENGTH / 2 == hub.send(buffer, sources[i]) ? 1 : 0;
        }
        ok &= PEERS == hub.flush() ? 1 : 0;

        for (final MmsgUdpMedia peer : peers)
        {
            ok &= 1 == peer.receive(peerHandler, 10) ? 1 : 0;
        }
        ok &= 0 == hub.receive(hubHandler, 64) ? 1 : 0;
        ok &= 0 == hub.flush() ? 1 : 0;

        return ok;
    }

    private long[] measure(final IntSupplier cycle)
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
        // every round and would be at least 16 B x 20,000. So a round of exactly 0 bytes is required, within 5.
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

        final long[] measured = Arrays.copyOf(rounds, round);
        System.out.println(getClass().getSimpleName() + ": bytes allocated per round of " + MEASURED_ITERATIONS +
            ": " + text(measured));
        return measured;
    }

    private void onHubDatagram(
        final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        bytesReceived += length;
        sources[sourceCount++] = source;
    }

    private void onPeerDatagram(
        final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        bytesReceived += length;
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
