package io.raet4j.transactions;

/**
 * A fuzzer's bytes read front to back as the choices of a program, in the manner of Jazzer's FuzzedDataProvider but
 * over a plain byte array, so that an input can be kept, concatenated with others and replayed exactly (see
 * {@link FuzzHistory}). Once the bytes run out every choice is its lowest value: zero, false, min, the first of a
 * list, no bytes.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
final class FuzzInput
{
    private final byte[] bytes;
    private final int end;
    private int position;

    /**
     * Read {@code bytes[from, to)}.
     *
     * @param bytes the input.
     * @param from  first byte.
     * @param to    end of the input.
     */
    FuzzInput(final byte[] bytes, final int from, final int to)
    {
        this.bytes = bytes;
        this.position = from;
        this.end = to;
    }

    /**
     * Bytes not read yet.
     *
     * @return their count.
     */
    int remainingBytes()
    {
        return end - position;
    }

    /**
     * One byte.
     *
     * @return the byte, or 0 past the end.
     */
    byte consumeByte()
    {
        return position < end ? bytes[position++] : 0;
    }

    /**
     * The low bit of one byte.
     *
     * @return true if set.
     */
    boolean consumeBoolean()
    {
        return 0 != (consumeByte() & 1);
    }

    /**
     * Four bytes, little endian.
     *
     * @return any int.
     */
    int consumeInt()
    {
        return (int)consumeBits(4);
    }

    /**
     * Eight bytes, little endian.
     *
     * @return any long.
     */
    long consumeLong()
    {
        return consumeBits(8);
    }

    /**
     * An int in a range, from as few bytes as the range needs.
     *
     * @param min lowest value.
     * @param max highest value, at least min.
     * @return a value in [min, max].
     */
    int consumeInt(final int min, final int max)
    {
        return (int)consumeLong(min, max);
    }

    /**
     * A long in a range, from as few bytes as the range needs.
     *
     * @param min lowest value.
     * @param max highest value, at least min.
     * @return a value in [min, max].
     */
    long consumeLong(final long min, final long max)
    {
        final long range = max - min;
        if (0 == range)
        {
            return min;
        }
        final int byteCount = (Long.SIZE - Long.numberOfLeadingZeros(range) + 7) / 8;
        final long raw = consumeBits(byteCount);
        // range + 1 overflows to 0 only for the whole long range, where every raw value is already in range.
        final long span = range + 1;

        return min + (0 == span ? raw : Long.remainderUnsigned(raw, span));
    }

    /**
     * Up to {@code count} bytes, fewer if the input ends first.
     *
     * @param count most bytes.
     * @return the bytes.
     */
    byte[] consumeBytes(final int count)
    {
        final int length = Math.max(0, Math.min(count, end - position));
        final byte[] result = new byte[length];
        System.arraycopy(bytes, position, result, 0, length);
        position += length;

        return result;
    }

    /**
     * One of a list.
     *
     * @param values to choose from, not empty.
     * @param <T>    their type.
     * @return the chosen one.
     */
    <T> T pickValue(final T[] values)
    {
        return values[consumeInt(0, values.length - 1)];
    }

    /**
     * One of a list.
     *
     * @param values to choose from, not empty.
     * @return the chosen one.
     */
    long pickValue(final long[] values)
    {
        return values[consumeInt(0, values.length - 1)];
    }

    /**
     * One of a list.
     *
     * @param values to choose from, not empty.
     * @return the chosen one.
     */
    int pickValue(final int[] values)
    {
        return values[consumeInt(0, values.length - 1)];
    }

    private long consumeBits(final int byteCount)
    {
        long value = 0;
        for (int i = 0; i < byteCount; i++)
        {
            value |= (consumeByte() & 0xFFL) << (8 * i);
        }

        return value;
    }
}
