package io.raet4j.examples;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}
