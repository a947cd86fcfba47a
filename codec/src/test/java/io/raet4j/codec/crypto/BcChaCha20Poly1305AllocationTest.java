package io.raet4j.codec.crypto;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sanity check that {@link BcChaCha20Poly1305}, the implementation recommended for the data path, allocates nothing
 * once warm, on seal, on open and on a failed open; the proof with JMH {@code -prof gc} lives in bench
 * ({@code CryptoBenchmark}).
 */
class BcChaCha20Poly1305AllocationTest
{
    private static final int WARM_UP_ITERATIONS = 20_000;
    private static final int MEASURED_ITERATIONS = 100_000;
    private static final int MEASURED_ROUNDS = 5;
    private static final int HEADER_LENGTH = 40;
    private static final int PAYLOAD_LENGTH = 1024;
    private static final int CAPACITY = HEADER_LENGTH + PAYLOAD_LENGTH + PacketAead.TAG_LENGTH;

    private final PacketAead sealer = new BcChaCha20Poly1305();
    private final PacketAead opener = new BcChaCha20Poly1305();

    @Test
    void shouldNotAllocateWhenSealingAndOpeningADirectBuffer()
    {
        assertNoAllocation(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(CAPACITY, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH)));
    }

    @Test
    void shouldNotAllocateWhenSealingAndOpeningAHeapBuffer()
    {
        assertNoAllocation(new UnsafeBuffer(new byte[CAPACITY]));
    }

    private void assertNoAllocation(final MutableDirectBuffer buffer)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        sealer.init(AeadFixtures.key(1));
        opener.init(AeadFixtures.key(1));
        for (int i = 0; i < CAPACITY; i++)
        {
            buffer.putByte(i, (byte)i);
        }

        long nonce = 0;
        for (int i = 0; i < WARM_UP_ITERATIONS; i++)
        {
            assertEquals(3, cycle(buffer, nonce++));
        }

        // A one-off allocation by the JVM itself (JIT, OSR) can land in a round; per-operation allocation lands in
        // every round and would be at least 16 B x 100,000. So a round of exactly 0 bytes is required, within 5.
        final StringBuilder rounds = new StringBuilder();
        long allocated = -1;
        for (int round = 0; round < MEASURED_ROUNDS && 0 != allocated; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            int outcomes = 0;
            for (int i = 0; i < MEASURED_ITERATIONS; i++)
            {
                outcomes += cycle(buffer, nonce++);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(3 * MEASURED_ITERATIONS, outcomes);
            rounds.append(allocated).append(" B ");
        }

        assertEquals(0L, allocated, "bytes allocated per round of " + MEASURED_ITERATIONS +
            " seal + open + failed open: " + rounds);
    }

    /**
     * Seal, open a forgery (one tag bit flipped), then open the genuine packet.
     *
     * @return 3 when all three behaved.
     */
    private int cycle(final MutableDirectBuffer buffer, final long nonce)
    {
        final int sealedLength = sealer.seal(nonce, buffer, 0, HEADER_LENGTH, HEADER_LENGTH, PAYLOAD_LENGTH);
        final int tagIndex = HEADER_LENGTH + PAYLOAD_LENGTH;
        final byte tagByte = buffer.getByte(tagIndex);

        buffer.putByte(tagIndex, (byte)(tagByte ^ 1));
        final boolean forgeryOpened = opener.open(nonce, buffer, 0, HEADER_LENGTH, HEADER_LENGTH, sealedLength);
        buffer.putByte(tagIndex, tagByte);
        final boolean genuineOpened = opener.open(nonce, buffer, 0, HEADER_LENGTH, HEADER_LENGTH, sealedLength);

        return (PAYLOAD_LENGTH + PacketAead.TAG_LENGTH == sealedLength ? 1 : 0) +
            (forgeryOpened ? 0 : 1) + (genuineOpened ? 1 : 0);
    }
}
