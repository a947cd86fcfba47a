package io.raet4j.pubsub;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * A growable list of slot numbers filled by a trie match, reused from match to match: it grows to the largest route
 * seen and then allocates nothing.
 */
final class SlotList implements IntConsumer
{
    private int[] slots = new int[8];
    private int size;

    void clear()
    {
        size = 0;
    }

    @Override
    public void accept(final int slot)
    {
        if (size == slots.length)
        {
            slots = Arrays.copyOf(slots, size * 2);
        }
        slots[size++] = slot;
    }

    int size()
    {
        return size;
    }

    int get(final int index)
    {
        return slots[index];
    }

    /**
     * Keep only the slots a predicate accepts, in order.
     *
     * @param predicate tells which to keep.
     */
    void retainIf(final java.util.function.IntPredicate predicate)
    {
        int kept = 0;
        for (int i = 0; i < size; i++)
        {
            if (predicate.test(slots[i]))
            {
                slots[kept++] = slots[i];
            }
        }
        size = kept;
    }
}
