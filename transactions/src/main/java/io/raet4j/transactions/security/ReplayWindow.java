package io.raet4j.transactions.security;

/**
 * Anti-replay window over the 64-bit packet counters of one receive direction (RFC 6479 style): a counter is fresh if
 * it is above the highest seen, or within {@link #WINDOW_BITS} below it and not yet seen. {@link #isFresh} runs before
 * the AEAD open (cheap), {@link #mark} only after the open succeeded, so a forged packet cannot move the window.
 * <p>
 * Allocation free; not thread safe: one duty-cycle thread.
 */
public final class ReplayWindow
{
    /** Counters this far below the highest one seen are still accepted once. */
    public static final int WINDOW_BITS = 1024;

    // Twice the window, so that sliding forward never clears a word that still holds counters inside the window.
    private static final int WORDS = 2 * WINDOW_BITS / Long.SIZE;
    private static final int WORD_MASK = WORDS - 1;

    private final long[] bitmap = new long[WORDS];
    private long highest = -1;

    /**
     * Could this counter be accepted: not below the window and not already marked.
     *
     * @param counter of the received packet, from 0.
     * @return true if fresh.
     */
    public boolean isFresh(final long counter)
    {
        if (counter < 0)
        {
            return false;
        }
        if (counter > highest)
        {
            return true;
        }
        if (highest - counter >= WINDOW_BITS)
        {
            return false;
        }
        return 0 == (bitmap[wordIndex(counter)] & bit(counter));
    }

    /**
     * Record an authenticated counter; call only after {@link #isFresh} returned true and the packet opened.
     *
     * @param counter to record.
     */
    public void mark(final long counter)
    {
        if (counter > highest)
        {
            final long advance = highest < 0 ? Long.MAX_VALUE : counter - highest;
            if (advance >= WINDOW_BITS)
            {
                java.util.Arrays.fill(bitmap, 0L);
            }
            else
            {
                // Clear the words the window slides over, from the word after the old highest up to the new one.
                final long fromWord = (highest >>> 6) + 1;
                final long toWord = counter >>> 6;
                for (long w = fromWord; w <= toWord; w++)
                {
                    bitmap[(int)(w & WORD_MASK)] = 0L;
                }
            }
            highest = counter;
        }
        bitmap[wordIndex(counter)] |= bit(counter);
    }

    /**
     * Highest counter marked so far.
     *
     * @return the counter, -1 if none.
     */
    public long highest()
    {
        return highest;
    }

    /**
     * Forget every counter, as for a new key set.
     */
    public void reset()
    {
        java.util.Arrays.fill(bitmap, 0L);
        highest = -1;
    }

    private static int wordIndex(final long counter)
    {
        return (int)((counter >>> 6) & WORD_MASK);
    }

    private static long bit(final long counter)
    {
        return 1L << (counter & 63);
    }
}
