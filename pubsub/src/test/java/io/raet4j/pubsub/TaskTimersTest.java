package io.raet4j.pubsub;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timer heap against a sorted model: random adds, cancels from anywhere and polls keep deadline order, with the
 * first added first between equal deadlines, and every task's index right.
 */
class TaskTimersTest
{
    @Test
    void shouldPollInDeadlineThenAddOrderThroughRandomAddsAndRemovals()
    {
        final Random random = new Random(7);
        final TaskTimers timers = new TaskTimers(512);
        final TreeSet<long[]> model = new TreeSet<>(
            Comparator.<long[]>comparingLong((entry) -> entry[0]).thenComparingLong((entry) -> entry[1]));
        final List<TaskHandle> free = new ArrayList<>();
        final List<TaskHandle> inHeap = new ArrayList<>();
        final long[][] entryByHandle = new long[512][];
        for (int i = 0; i < 512; i++)
        {
            free.add(new TaskHandle(null, null, i, i));
        }
        long added = 0;
        for (int op = 0; op < 200_000; op++)
        {
            final int choice = random.nextInt(10);
            if (choice < 5 && !free.isEmpty())
            {
                final TaskHandle handle = free.remove(free.size() - 1);
                final long deadline = random.nextInt(64);
                timers.add(handle, deadline);
                entryByHandle[handle.slot] = new long[]{ deadline, added++, handle.slot };
                model.add(entryByHandle[handle.slot]);
                inHeap.add(handle);
            }
            else if (choice < 7 && !inHeap.isEmpty())
            {
                final TaskHandle handle = inHeap.remove(random.nextInt(inHeap.size()));
                timers.remove(handle);
                assertEquals(-1, handle.timerIndex);
                assertTrue(model.remove(entryByHandle[handle.slot]));
                free.add(handle);
            }
            else if (!inHeap.isEmpty())
            {
                final long[] first = model.pollFirst();
                assertTrue(timers.hasExpired(first[0]));
                assertFalse(timers.hasExpired(first[0] - 1));
                final TaskHandle handle = timers.pollFirst();
                assertEquals(first[2], handle.slot, "earliest deadline, then first added");
                assertEquals(-1, handle.timerIndex);
                assertTrue(inHeap.remove(handle));
                free.add(handle);
            }
            assertEquals(model.size(), timers.size());
        }
        for (final TaskHandle handle : inHeap)
        {
            assertTrue(handle.timerIndex >= 0 && handle.timerIndex < timers.size());
        }
        while (!model.isEmpty())
        {
            final long[] first = model.pollFirst();
            final TaskHandle handle = timers.pollFirst();
            assertEquals(first[2], handle.slot);
            assertSame(handle, inHeap.stream().filter((h) -> h.slot == first[2]).findFirst().orElseThrow());
        }
        assertTrue(timers.isEmpty());
    }
}
