package io.raet4j.examples;

import io.raet4j.transactions.StackContext;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The verifiable message of {@code send} and {@code recv}. A message of at least {@value #HEADER_LENGTH} bytes
 * carries its sequence number and a checksum:
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
 * belongs to the sequence number it carries.
 * <p>
 * A {@link #isShort short} message, {@value #MIN_LENGTH} to {@value #HEADER_LENGTH} - 1 bytes, has no room for the
 * header: it is only the pattern of its sequence number, and a receiver can check it only against the sequence
 * number it expects ({@link #verifyShort}). So a lost, duplicated or reordered short message cannot be told from a
 * corrupt one, and one byte checks only eight bits. The pattern alone is also usable for messages of any length
 * whose seed the receiver knows (the demo does that).
 * <p>
 * {@link #mixedLength} gives the sizes of the stack tests' mix of 1 B to 1 MiB by sequence number.
 * <p>
 * NOT thread safe: an instance keeps a checksum and a scratch buffer. The static methods are thread safe.
 */
public final class Payload
{
    /** Length of the sequence number and checksum. */
    public static final int HEADER_LENGTH = 12;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 8;
    /** Length of the shortest message, which is all pattern. */
    public static final int MIN_LENGTH = 1;
    /** Largest of the {@link #mixedLength mixed} sizes: 1 MiB, or the default largest message if smaller. */
    public static final int MIXED_MAX_LENGTH = Math.min(1024 * 1024, StackContext.MAX_MESSAGE_DEFAULT);
    /** Largest size of the common 98.9% of the mixed sizes, about one Ethernet frame's payload. */
    public static final int MIXED_SMALL_MAX_LENGTH = 1400;
    /** Smallest size of every 100th mixed size, unless it is every 1000th. */
    public static final int MIXED_MEDIUM_MIN_LENGTH = 1024;
    /** Largest size of every 100th mixed size, unless it is every 1000th. */
    public static final int MIXED_MEDIUM_MAX_LENGTH = 64 * 1024 - 1;
    /** Smallest size of every 1000th mixed size. */
    public static final int MIXED_LARGE_MIN_LENGTH = 64 * 1024 + 1;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);

    /**
     * A payload encoder and checker with its own checksum and scratch buffer.
     */
    public Payload()
    {
    }

    /**
     * Write a message for a sequence number: header and body if at least {@value #HEADER_LENGTH} bytes, else
     * only the pattern of the sequence number.
     *
     * @param buffer   to write into, backed by a byte array or not.
     * @param offset   of the message.
     * @param length   of the message, at least {@value #MIN_LENGTH}.
     * @param sequence carried by the message, or for a short one the seed of its pattern.
     */
    public void encode(final MutableDirectBuffer buffer, final int offset, final int length, final long sequence)
    {
        if (length < MIN_LENGTH)
        {
            throw new IllegalArgumentException("payload must be at least " + MIN_LENGTH + " byte: " + length);
        }
        if (isShort(length))
        {
            fillPattern(buffer, offset, length, sequence);
            return;
        }
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
        fillPattern(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH, sequence);
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH),
            ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Whether a message of a length is too short for the header, so carries no sequence number.
     *
     * @param length of the message.
     * @return true if shorter than {@value #HEADER_LENGTH} bytes.
     */
    public static boolean isShort(final int length)
    {
        return length < HEADER_LENGTH;
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
     * Check a message that carries its sequence number: long enough, checksum right, body the pattern of its
     * sequence number. A {@link #isShort short} message fails; check it with {@link #verifyShort}.
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
     * Check a {@link #isShort short} message, which carries no sequence number, against the sequence number the
     * receiver expects of it: it must be exactly the pattern of that sequence number. A short message that is
     * intact but not the one expected (after a loss, a duplicate or a reordering) fails too, unless its few bytes
     * happen to match.
     *
     * @param buffer   holding the message.
     * @param offset   of the message.
     * @param length   of the message.
     * @param sequence expected of the message.
     * @return true if short, at least {@value #MIN_LENGTH} byte, and the pattern of the sequence number.
     */
    public static boolean verifyShort(
        final DirectBuffer buffer, final int offset, final int length, final long sequence)
    {
        return length >= MIN_LENGTH && isShort(length) && matchesPattern(buffer, offset, length, sequence);
    }

    /**
     * Size of message {@code sequence} in the mix of 1 B to 1 MiB the stack tests use: message 0 is
     * {@value #MIN_LENGTH} byte and message 1 is {@link #MIXED_MAX_LENGTH}; then every 1000th is
     * {@value #MIXED_LARGE_MIN_LENGTH}..{@link #MIXED_MAX_LENGTH}, every other 100th is
     * {@value #MIXED_MEDIUM_MIN_LENGTH}..{@value #MIXED_MEDIUM_MAX_LENGTH}, and the rest are
     * {@value #MIN_LENGTH}..{@value #MIXED_SMALL_MAX_LENGTH}. Within its class a size is uniform in the value of
     * {@code h = mix64(seed + (sequence + 1) * 0x9E3779B97F4A7C15)}, the SplitMix64 finalizer, which is the
     * {@code sequence + 1}th {@code nextLong()} of {@code new SplittableRandom(seed)} computed directly, so any
     * message's size follows from its sequence number and the seed alone.
     *
     * @param sequence of the message, from 0.
     * @param seed     of the sizes.
     * @return the size in bytes, {@value #MIN_LENGTH}..{@link #MIXED_MAX_LENGTH}.
     */
    public static int mixedLength(final long sequence, final long seed)
    {
        if (0 == sequence)
        {
            return MIN_LENGTH;
        }
        if (1 == sequence)
        {
            return MIXED_MAX_LENGTH;
        }
        final long h = mix64(seed + (sequence + 1) * GOLDEN_GAMMA);
        if (0 == sequence % 1000)
        {
            return uniform(h, MIXED_LARGE_MIN_LENGTH, MIXED_MAX_LENGTH);
        }
        if (0 == sequence % 100)
        {
            return uniform(h, MIXED_MEDIUM_MIN_LENGTH, MIXED_MEDIUM_MAX_LENGTH);
        }
        return uniform(h, MIN_LENGTH, MIXED_SMALL_MAX_LENGTH);
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

    private static int uniform(final long hash, final int min, final int max)
    {
        // Clamped so that a default largest message below 64 KiB still gives sizes within 1..MIXED_MAX_LENGTH.
        final int high = Math.min(max, MIXED_MAX_LENGTH);
        final int low = Math.min(min, high);
        return low + (int)Math.floorMod(hash, high - low + 1L);
    }

    private static long word(final long seed, final long index)
    {
        return mix64(seed * GOLDEN_GAMMA + (index + 1) * GOLDEN_GAMMA);
    }

    private static long mix64(final long seed)
    {
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
