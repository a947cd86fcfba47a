package io.raet4j.transactions;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HandoffRing}: whole messages out in the order they went in, whatever their length, fragments all or none,
 * and {@link HandoffRing#hasRoomFor} agreeing with {@link HandoffRing#tryWrite}.
 */
class HandoffRingTest
{
    @Test
    void shouldHandOverRandomMessagesWholeAndInOrderWhenReadsLagWrites()
    {
        final HandoffRing ring = new HandoffRing(HandoffRing.MIN_CAPACITY);
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[ring.maxMessageLength()]);
        final ArrayDeque<long[]> written = new ArrayDeque<>();
        final long[] read = new long[1];
        long next = 0;
        int refused = 0;
        int fragmented = 0;
        for (int step = 0; step < 20_000; step++)
        {
            if (random.nextInt(3) > 0)
            {
                final int length = random.nextInt(8) == 0 ? random.nextInt(ring.maxMessageLength() + 1) :
                    random.nextInt(200);
                fill(message, next, length);
                final boolean hasRoom = ring.hasRoomFor(length);
                final boolean isWritten = ring.tryWrite(5, next, length, message, 0, length);
                if (hasRoom)
                {
                    assertTrue(isWritten, "room was promised for " + length);
                }
                if (isWritten)
                {
                    written.add(new long[]{ next, length });
                    fragmented += length > ring.capacity() / 8 - HandoffRing.HEADER_LENGTH ? 1 : 0;
                    next++;
                }
                else
                {
                    refused++;
                }
            }
            else
            {
                ring.read((type, key, tag, buffer, offset, length) ->
                {
                    final long[] expected = written.poll();
                    assertEquals(5, type);
                    assertEquals(expected[0], key, "in order");
                    assertEquals(expected[1], tag);
                    assertEquals(expected[1], length);
                    for (int i = 0; i < length; i++)
                    {
                        assertEquals((byte)(key * 31 + i), buffer.getByte(offset + i));
                    }
                    read[0]++;
                }, 1 + random.nextInt(10));
            }
        }
        // One read stops at the end of the buffer (Agrona's rings do not wrap within a read): read until empty.
        while (ring.read((type, key, tag, buffer, offset, length) ->
        {
            assertEquals(written.poll()[0], key);
            read[0]++;
        }, Integer.MAX_VALUE) > 0)
        {
            assertTrue(read[0] <= next);
        }
        assertEquals(next, read[0]);
        assertTrue(written.isEmpty());
        assertTrue(refused > 100 && fragmented > 100, "both paths taken: refused " + refused + ", fragmented " +
            fragmented);
    }

    @Test
    void shouldRefuseWhatCouldNeverFitAndSayWhatWould()
    {
        final HandoffRing ring = new HandoffRing(HandoffRing.MIN_CAPACITY);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[ring.maxMessageLength() + 1]);

        assertFalse(ring.hasRoomFor(ring.maxMessageLength() + 1));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ring.tryWrite(1, 1, 1, message, 0, message.capacity()));
        assertTrue(ex.getMessage().contains("capacity of at least " +
            HandoffRing.capacityFor(message.capacity())), ex.getMessage());
        assertTrue(new HandoffRing(HandoffRing.capacityFor(message.capacity())).maxMessageLength() >=
            message.capacity());
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(HandoffRing.MIN_CAPACITY + 1));
    }

    private static void fill(final UnsafeBuffer buffer, final long key, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(key * 31 + i));
        }
    }
}
