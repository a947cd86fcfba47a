package io.raet4j.examples;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The verifiable message of {@code send} and {@code recv}, at least {@value #HEADER_LENGTH} bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Sequence Number (little endian)               |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          CRC32C of the body (little endian, unsigned)         |  8
 *  +---------------------------------------------------------------+
 *  |   Body: pseudo-random bytes derived from the sequence number ... 12
 *  +---------------------------------------------------------------+
 * </pre>
 * The body is {@link #fillPattern} of the sequence number, so a receiver checks both the checksum and that the body
 * belongs to the sequence number it carries. The pattern alone, without the header, is also usable for messages of
 * any length whose seed the receiver knows (the demo does that).
 * <p>
 * NOT thread safe: an instance keeps a checksum and a scratch buffer.
 */
public final class Payload
{
    /** Length of the sequence number and checksum. */
    public static final int HEADER_LENGTH = 12;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 8;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);

    /**
     * Write a message for a sequence number.
     *
     * @param buffer   to write into, backed by a byte array or not.
     * @param offset   of the message.
     * @param length   of the message, at least {@value #HEADER_LENGTH}.
     * @param sequence carried by the message.
     */
    public void encode(final MutableDirectBuffer buffer, final int offset, final int length, final long sequence)
    {
        if (length < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("payload must be at least " + HEADER_LENGTH + " bytes: " + length);
        }
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
        fillPattern(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH, sequence);
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH),
            ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Sequence number of a message; meaningful only if it is at least {@value #HEADER_LENGTH} bytes.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @return the sequence number.
     */
    public static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Check a message: long enough, checksum right, body the pattern of its sequence number.
     *
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return true if intact.
     */
    public boolean verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final int bodyLength = length - HEADER_LENGTH;
        final int expected = buffer.getInt(offset + CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN);
        return expected == checksum(buffer, offset + HEADER_LENGTH, bodyLength) &&
            matchesPattern(buffer, offset + HEADER_LENGTH, bodyLength, sequence(buffer, offset));
    }

    /**
     * Fill a region with the pseudo-random bytes of a seed: eight bytes at a time, each word a SplitMix64 mix of
     * the seed and the word's index, so any word can be checked on its own.
     *
     * @param buffer to fill.
     * @param offset of the region.
     * @param length of the region.
     * @param seed   the bytes derive from.
     */
    public static void fillPattern(
        final MutableDirectBuffer buffer, final int offset, final int length, final long seed)
    {
        final int words = length >>> 3;
        for (int i = 0; i < words; i++)
        {
            buffer.putLong(offset + (i << 3), word(seed, i), ByteOrder.LITTLE_ENDIAN);
        }
        long last = word(seed, words);
        for (int i = words << 3; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)last);
            last >>>= 8;
        }
    }

    /**
     * Whether a region holds exactly the pattern of a seed.
     *
     * @param buffer holding the region.
     * @param offset of the region.
     * @param length of the region.
     * @param seed   the bytes should derive from.
     * @return true if every byte matches.
     */
    public static boolean matchesPattern(final DirectBuffer buffer, final int offset, final int length, final long seed)
    {
        final int words = length >>> 3;
        for (int i = 0; i < words; i++)
        {
            if (buffer.getLong(offset + (i << 3), ByteOrder.LITTLE_ENDIAN) != word(seed, i))
            {
                return false;
            }
        }
        long last = word(seed, words);
        for (int i = words << 3; i < length; i++)
        {
            if (buffer.getByte(offset + i) != (byte)last)
            {
                return false;
            }
            last >>>= 8;
        }
        return true;
    }

    private int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        crc.reset();
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            crc.update(array, buffer.wrapAdjustment() + offset, length);
        }
        else
        {
            // Copy through a heap scratch buffer in chunks: CRC32C reads byte arrays without allocating.
            for (int done = 0; done < length; )
            {
                final int chunk = Math.min(length - done, scratch.capacity());
                buffer.getBytes(offset + done, scratch, 0, chunk);
                crc.update(scratch.byteArray(), 0, chunk);
                done += chunk;
            }
        }
        return (int)crc.getValue();
    }

    private static long word(final long seed, final int index)
    {
        long z = seed * GOLDEN_GAMMA + (index + 1L) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
