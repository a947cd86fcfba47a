package io.raet4j.transactions.security;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayWindowTest
{
    private final ReplayWindow window = new ReplayWindow();

    @Test
    void shouldAcceptEachCounterOnceInAnyOrderWithinTheWindow()
    {
        assertTrue(window.isFresh(0));
        window.mark(0);
        assertFalse(window.isFresh(0));
        window.mark(5);
        assertTrue(window.isFresh(3), "a gap below the highest is still fresh");
        window.mark(3);
        assertFalse(window.isFresh(3));
        assertFalse(window.isFresh(5));
        assertTrue(window.isFresh(4));
        assertFalse(window.isFresh(-1));
    }

    @Test
    void shouldRefuseCountersBelowTheWindowAndKeepTheEdge()
    {
        window.mark(2000);
        assertTrue(window.isFresh(2000 - ReplayWindow.WINDOW_BITS + 1), "last counter inside the window");
        assertFalse(window.isFresh(2000 - ReplayWindow.WINDOW_BITS), "first counter below it");
        window.mark(2000 - ReplayWindow.WINDOW_BITS + 1);
        assertFalse(window.isFresh(2000 - ReplayWindow.WINDOW_BITS + 1));
    }

    @Test
    void shouldNotForgetCountersInsideTheWindowWhenSliding()
    {
        // Marks near the bottom of the window must survive a slide of almost a whole window.
        window.mark(63);
        window.mark(64);
        window.mark(63 + ReplayWindow.WINDOW_BITS - 1);
        assertFalse(window.isFresh(64), "still inside the window, already seen");
        assertFalse(window.isFresh(63), "the bottom edge, already seen");
        window.mark(64 + ReplayWindow.WINDOW_BITS);
        assertFalse(window.isFresh(64), "now below the window");
        assertTrue(window.isFresh(65 + 64));
    }

    @Test
    void shouldMatchASetBasedModelOnRandomTraffic()
    {
        final Random random = new Random(5);
        final java.util.HashSet<Long> seen = new java.util.HashSet<>();
        long highest = -1;
        for (int i = 0; i < 200_000; i++)
        {
            final long counter = Math.max(0, highest + random.nextInt(2200) - 2000);
            final boolean expected = counter > highest ||
                (highest - counter < ReplayWindow.WINDOW_BITS && !seen.contains(counter));
            assertEquals(expected, window.isFresh(counter), "counter " + counter + " highest " + highest);
            if (expected)
            {
                window.mark(counter);
                seen.add(counter);
                highest = Math.max(highest, counter);
            }
        }
    }
}
