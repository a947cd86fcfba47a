package io.raet4j.transactions;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Deterministic test messages: the size and every byte of message {@code i} follow from {@code i}, so a receiver
 * can verify content and order without the sender's help.
 */
final class Payloads
{
    static final int MAX_SIZE = 1024 * 1024;

    private Payloads()
    {
    }

    /**
     * Sizes from 1 B to 1 MiB: mostly small, one in a hundred up to 64 KiB, one in a thousand up to 1 MiB;
     * message 0 is 1 byte and message 1 is exactly 1 MiB.
     */
    static int size(final long i)
    {
        if (0 == i)
        {
            return 1;
        }
        if (1 == i)
        {
            return MAX_SIZE;
        }
        final long h = mix(i);
        if (0 == i % 1000)
        {
            return 65536 + Math.floorMod(h, MAX_SIZE - 65536) + 1;
        }
        if (0 == i % 100)
        {
            return 1024 + Math.floorMod(h, 65536 - 1024);
        }
        return 1 + Math.floorMod(h, 1400);
    }

    static void fill(final MutableDirectBuffer buffer, final long i, final int length)
    {
        final long h = mix(i);
        for (int j = 0; j < length; j++)
        {
            buffer.putByte(j, (byte)(h + j * 31L));
        }
    }

    static boolean verify(final DirectBuffer buffer, final int offset, final long i, final int length)
    {
        if (length != size(i))
        {
            return false;
        }
        final long h = mix(i);
        for (int j = 0; j < length; j++)
        {
            if (buffer.getByte(offset + j) != (byte)(h + j * 31L))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Index carried by a message for unordered checks: the first 8 bytes hold it when the message is long enough.
     */
    static long mix(final long i)
    {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }
}
