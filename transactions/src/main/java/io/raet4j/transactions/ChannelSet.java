package io.raet4j.transactions;


/**
 * A set of channel numbers (0 to 255), for polling some channels and not others. Build one when setting up, reuse it
 * on every poll: membership is a bit test and allocates nothing.
 * <p>
 * <b>Threading:</b> NOT thread safe; do not change a set while a poll uses it.
 */
public final class ChannelSet
{
    private static final int CHANNELS = StackContext.CHANNEL_COUNT;

    private final long[] bits = new long[CHANNELS / Long.SIZE];

    /**
     * An empty set.
     */
    public ChannelSet()
    {
    }

    /**
     * A set of the given channels.
     *
     * @param channels each 0 to 255.
     * @return the set.
     * @throws IllegalArgumentException if a channel is out of range.
     */
    public static ChannelSet of(final int... channels)
    {
        final ChannelSet set = new ChannelSet();
        for (final int channel : channels)
        {
            set.add(channel);
        }
        return set;
    }

    /**
     * A set of consecutive channels.
     *
     * @param first the first channel.
     * @param count how many.
     * @return the set.
     * @throws IllegalArgumentException if any channel is out of range.
     */
    public static ChannelSet range(final int first, final int count)
    {
        final ChannelSet set = new ChannelSet();
        for (int i = 0; i < count; i++)
        {
            set.add(first + i);
        }
        return set;
    }

    /**
     * Every channel.
     *
     * @return the set of all 256 channels.
     */
    public static ChannelSet all()
    {
        return range(0, CHANNELS);
    }

    /**
     * Add a channel.
     *
     * @param channel 0 to 255.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if out of range.
     */
    public ChannelSet add(final int channel)
    {
        check(channel);
        bits[channel >>> 6] |= 1L << (channel & 63);
        return this;
    }

    /**
     * Remove a channel.
     *
     * @param channel 0 to 255.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if out of range.
     */
    public ChannelSet remove(final int channel)
    {
        check(channel);
        bits[channel >>> 6] &= ~(1L << (channel & 63));
        return this;
    }

    /**
     * Add every channel of another set.
     *
     * @param other the other set.
     * @return this for a fluent API.
     */
    public ChannelSet addAll(final ChannelSet other)
    {
        for (int i = 0; i < bits.length; i++)
        {
            bits[i] |= other.bits[i];
        }
        return this;
    }

    /**
     * Remove every channel of another set.
     *
     * @param other the other set.
     * @return this for a fluent API.
     */
    public ChannelSet removeAll(final ChannelSet other)
    {
        for (int i = 0; i < bits.length; i++)
        {
            bits[i] &= ~other.bits[i];
        }
        return this;
    }

    /**
     * Whether a channel is in the set.
     *
     * @param channel 0 to 255; anything else is not in the set.
     * @return true if it is.
     */
    public boolean contains(final int channel)
    {
        return channel >= 0 && channel < CHANNELS && 0 != (bits[channel >>> 6] & (1L << (channel & 63)));
    }

    /**
     * Whether the two sets share a channel.
     *
     * @param other the other set.
     * @return true if they do.
     */
    public boolean intersects(final ChannelSet other)
    {
        for (int i = 0; i < bits.length; i++)
        {
            if (0 != (bits[i] & other.bits[i]))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The number of channels in the set.
     *
     * @return the count.
     */
    public int size()
    {
        int size = 0;
        for (final long word : bits)
        {
            size += Long.bitCount(word);
        }
        return size;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder("[");
        int channel = 0;
        while (channel < CHANNELS)
        {
            if (!contains(channel))
            {
                channel++;
                continue;
            }
            int last = channel;
            while (last + 1 < CHANNELS && contains(last + 1))
            {
                last++;
            }
            out.append(out.length() > 1 ? ", " : "").append(channel);
            if (last > channel)
            {
                out.append('-').append(last);
            }
            channel = last + 1;
        }
        return out.append(']').toString();
    }

    private static void check(final int channel)
    {
        if (channel < 0 || channel >= CHANNELS)
        {
            throw new IllegalArgumentException("channel " + channel + " is not in 0 to " + (CHANNELS - 1));
        }
    }
}
