package io.raet4j.examples;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class PayloadTest
{
    private final Payload payload = new Payload();

    @Test
    void shouldVerifyWhatItEncodesForEveryLengthAroundWordBoundaries()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        for (int length = Payload.HEADER_LENGTH; length < 64; length++)
        {
            payload.encode(buffer, 3, length, length * 31L);

            assertTrue(payload.verify(buffer, 3, length), "length " + length);
            assertEquals(length * 31L, Payload.sequence(buffer, 3));
        }
    }

    @Test
    void shouldLayOutSequenceAndChecksumLittleEndian()
    {
        final byte[] bytes = new byte[100];
        payload.encode(new UnsafeBuffer(bytes), 0, bytes.length, 0x0102030405060708L);

        final ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0102030405060708L, view.getLong(0));
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 12, bytes.length - 12);
        assertEquals((int)crc.getValue(), view.getInt(8));
    }

    @Test
    void shouldVerifyMessagesInDirectBuffers()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(200_000));
        payload.encode(buffer, 0, 150_000, 42);

        assertTrue(payload.verify(buffer, 0, 150_000));
    }

    @Test
    void shouldDetectAnyFlippedByte()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[40]);
        for (int i = 0; i < 40; i++)
        {
            payload.encode(buffer, 0, 40, 9);
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 0x10));

            assertFalse(payload.verify(buffer, 0, 40), "flipped byte " + i);
        }
    }

    @Test
    void shouldRefuseMessagesShorterThanTheHeader()
    {
        assertFalse(payload.verify(new UnsafeBuffer(new byte[11]), 0, 11));
    }

    @Test
    void shouldDeriveDifferentBodiesFromDifferentSequences()
    {
        final UnsafeBuffer a = new UnsafeBuffer(new byte[32]);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[32]);
        Payload.fillPattern(a, 0, 32, 1);
        Payload.fillPattern(b, 0, 32, 2);

        assertNotEquals(a, b);
        assertTrue(Payload.matchesPattern(a, 0, 32, 1));
        assertFalse(Payload.matchesPattern(a, 0, 32, 2));
    }

    @Test
    void shouldVerifyShortMessagesAgainstTheExpectedSequenceOnly()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        for (int length = Payload.MIN_LENGTH; length < Payload.HEADER_LENGTH; length++)
        {
            for (long sequence = 0; sequence < 100; sequence++)
            {
                buffer.setMemory(0, buffer.capacity(), (byte)0x5A);
                payload.encode(buffer, 3, length, sequence);

                final String what = "length " + length + ", sequence " + sequence;
                assertTrue(Payload.isShort(length), what);
                assertTrue(Payload.verifyShort(buffer, 3, length, sequence), what);
                assertFalse(payload.verify(buffer, 3, length), what);
                assertEquals((byte)0x5A, buffer.getByte(2), what);
                assertEquals((byte)0x5A, buffer.getByte(3 + length), what);
                assertTrue(Payload.matchesPattern(buffer, 3, length, sequence), what);
                if (length > 1)
                {
                    // Two or more bytes: no collision among the neighbours a loss or reordering would bring.
                    assertFalse(Payload.verifyShort(buffer, 3, length, sequence + 1), what);
                    assertFalse(Payload.verifyShort(buffer, 3, length, sequence - 1), what);
                }
            }
        }
    }

    @Test
    void shouldRefuseAOneByteMessageOfAnotherSequenceUnlessItsByteCollides()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1]);
        int collisions = 0;
        for (long sequence = 0; sequence < 10_000; sequence++)
        {
            payload.encode(buffer, 0, 1, sequence);

            assertTrue(Payload.verifyShort(buffer, 0, 1, sequence));
            if (Payload.verifyShort(buffer, 0, 1, sequence + 1))
            {
                collisions++;
            }
        }
        // One byte checks eight bits: about one wrong message in 256 passes, 39 in 10,000 expected.
        assertTrue(collisions < 100, "collisions " + collisions);
    }

    @Test
    void shouldRefuseAShortMessageWithAFlippedBit()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[11]);
        for (int i = 0; i < 11 * 8; i++)
        {
            payload.encode(buffer, 0, 11, 77);
            buffer.putByte(i >> 3, (byte)(buffer.getByte(i >> 3) ^ (1 << (i & 7))));

            assertFalse(Payload.verifyShort(buffer, 0, 11, 77), "flipped bit " + i);
        }
    }

    @Test
    void shouldNotVerifyALongMessageAsShortNorAnEmptyOne()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        payload.encode(buffer, 0, Payload.HEADER_LENGTH, 5);

        assertFalse(Payload.isShort(Payload.HEADER_LENGTH));
        assertTrue(payload.verify(buffer, 0, Payload.HEADER_LENGTH));
        assertFalse(Payload.verifyShort(buffer, 0, Payload.HEADER_LENGTH, 5));
        assertFalse(Payload.verifyShort(buffer, 0, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> payload.encode(buffer, 0, 0, 5));
    }

    @Test
    void shouldStartTheMixedSizesWithOneByteAndOneMebibyte()
    {
        assertEquals(1024 * 1024, Payload.MIXED_MAX_LENGTH);
        for (final long seed : new long[]{ 1, 0, -7, Long.MAX_VALUE })
        {
            assertEquals(1, Payload.mixedLength(0, seed));
            assertEquals(1024 * 1024, Payload.mixedLength(1, seed));
        }
    }

    @Test
    void shouldMixSizesOfOneByteToOneMebibyteInTheirClasses()
    {
        final int messages = 100_000;
        long totalBytes = 0;
        int large = 0;
        int medium = 0;
        int shorts = 0;
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        int largestSmall = 0;
        int smallestLarge = Integer.MAX_VALUE;
        for (long i = 0; i < messages; i++)
        {
            final int length = Payload.mixedLength(i, 1);
            final String what = "message " + i + " of " + length + " bytes";
            assertTrue(length >= 1 && length <= 1024 * 1024, what);
            if (i > 1 && 0 == i % 1000)
            {
                assertTrue(length >= 65_537, what);
                smallestLarge = Math.min(smallestLarge, length);
            }
            else if (i > 1 && 0 == i % 100)
            {
                assertTrue(length >= 1024 && length <= 65_535, what);
            }
            else if (i > 1)
            {
                assertTrue(length <= 1400, what);
                largestSmall = Math.max(largestSmall, length);
            }
            large += length > 65_536 ? 1 : 0;
            medium += length > 1400 && length <= 65_536 ? 1 : 0;
            shorts += Payload.isShort(length) ? 1 : 0;
            smallest = Math.min(smallest, length);
            largest = Math.max(largest, length);
            totalBytes += length;
        }

        assertEquals(100, large, "one in a thousand above 64 KiB, and message 1");
        assertTrue(medium > 880 && medium <= 900, "about one in a hundred 1400 B..64 KiB: " + medium);
        assertTrue(shorts > 600 && shorts < 1000, "about 11 in 1400 of the small ones are short: " + shorts);
        assertEquals(1, smallest);
        assertEquals(1024 * 1024, largest);
        assertEquals(1400, largestSmall);
        assertTrue(smallestLarge < 100_000, "smallest large " + smallestLarge);
        // Pins the function: the same seed gives the same sizes on every run and every machine.
        assertEquals(156_712_922L, totalBytes);
    }

    @Test
    void shouldDeriveMixedSizesFromASplittableRandomOfTheSeed()
    {
        for (final long seed : new long[]{ 1, 42, -3 })
        {
            final SplittableRandom random = new SplittableRandom(seed);
            for (long i = 0; i < 5_000; i++)
            {
                final long h = random.nextLong();
                final int expected;
                if (i < 2)
                {
                    expected = 0 == i ? 1 : 1024 * 1024;
                }
                else if (0 == i % 1000)
                {
                    expected = 65_537 + (int)Math.floorMod(h, 1024 * 1024 - 65_537 + 1L);
                }
                else if (0 == i % 100)
                {
                    expected = 1024 + (int)Math.floorMod(h, 65_535 - 1024 + 1L);
                }
                else
                {
                    expected = 1 + (int)Math.floorMod(h, 1400L);
                }
                assertEquals(expected, Payload.mixedLength(i, seed), "seed " + seed + ", message " + i);
            }
        }
    }

    @Test
    void shouldMixDifferentSizesForDifferentSeeds()
    {
        int same = 0;
        for (long i = 2; i < 1_000; i++)
        {
            same += Payload.mixedLength(i, 1) == Payload.mixedLength(i, 2) ? 1 : 0;
        }
        assertTrue(same < 20, "same sizes " + same);
    }
}
