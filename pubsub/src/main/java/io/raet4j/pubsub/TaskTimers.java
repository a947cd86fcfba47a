package io.raet4j.pubsub;

import java.util.Arrays;

/**
 * The deadlines tasks wait for: a binary min-heap over parallel arrays, earliest deadline first and, between equal
 * deadlines, first scheduled first. Each task has at most one entry and knows its index
 * ({@link TaskHandle#timerIndex}), so cancelling is O(log n) with no search; asking whether anything expired is one
 * comparison, whatever the number of timers.
 * <p>
 * Why not Agrona's {@code DeadlineTimerWheel}: its poll advances one tick a call and scans the tick's spoke, whose
 * length grows with the number of timers, so an idle cycle with 10,000 sleeping tasks is not O(1); and timers in one
 * tick expire in slot order, not deadline order. A heap costs O(log n) a sleep instead of O(1), about 14 levels for
 * 10,000 tasks, in preallocated arrays.
 * <p>
 * Deadlines are compared by their difference, as {@code System.nanoTime()} values must be; the scheduler keeps every
 * deadline within {@link Scheduler#MAX_WAIT_NS} of the time it was set so differences never overflow.
 */
final class TaskTimers
{
    private long[] deadlines;
    private long[] orders;
    private TaskHandle[] handles;
    private int size;
    private long nextOrder;

    TaskTimers(final int capacity)
    {
        deadlines = new long[capacity];
        orders = new long[capacity];
        handles = new TaskHandle[capacity];
    }

    /**
     * Make room for a timer per task when the scheduler's table of tasks grows (at a spawn, never in a step).
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity > handles.length)
        {
            deadlines = Arrays.copyOf(deadlines, capacity);
            orders = Arrays.copyOf(orders, capacity);
            handles = Arrays.copyOf(handles, capacity);
        }
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * Whether the earliest deadline has come.
     */
    boolean hasExpired(final long nowNs)
    {
        return size > 0 && nowNs - deadlines[0] >= 0;
    }

    void add(final TaskHandle handle, final long deadlineNs)
    {
        final int index = size++;
        deadlines[index] = deadlineNs;
        orders[index] = nextOrder++;
        handles[index] = handle;
        handle.timerIndex = index;
        siftUp(index);
    }

    /**
     * Take the entry with the earliest deadline.
     */
    TaskHandle pollFirst()
    {
        final TaskHandle first = handles[0];
        removeAt(0);
        return first;
    }

    void remove(final TaskHandle handle)
    {
        removeAt(handle.timerIndex);
    }

    private void removeAt(final int index)
    {
        handles[index].timerIndex = -1;
        final int last = --size;
        if (index != last)
        {
            move(last, index);
            handles[last] = null;
            if (index > 0 && isBefore(index, (index - 1) >>> 1))
            {
                siftUp(index);
            }
            else
            {
                siftDown(index);
            }
        }
        else
        {
            handles[last] = null;
        }
    }

    private void siftUp(final int from)
    {
        int index = from;
        while (index > 0)
        {
            final int parent = (index - 1) >>> 1;
            if (!isBefore(index, parent))
            {
                break;
            }
            swap(index, parent);
            index = parent;
        }
    }

    private void siftDown(final int from)
    {
        int index = from;
        final int half = size >>> 1;
        while (index < half)
        {
            int child = (index << 1) + 1;
            final int right = child + 1;
            if (right < size && isBefore(right, child))
            {
                child = right;
            }
            if (!isBefore(child, index))
            {
                break;
            }
            swap(index, child);
            index = child;
        }
    }

    private boolean isBefore(final int a, final int b)
    {
        final long difference = deadlines[a] - deadlines[b];
        return difference < 0 || (0 == difference && orders[a] < orders[b]);
    }

    private void swap(final int a, final int b)
    {
        final long deadline = deadlines[a];
        final long order = orders[a];
        final TaskHandle handle = handles[a];
        deadlines[a] = deadlines[b];
        orders[a] = orders[b];
        handles[a] = handles[b];
        handles[a].timerIndex = a;
        deadlines[b] = deadline;
        orders[b] = order;
        handles[b] = handle;
        handle.timerIndex = b;
    }

    private void move(final int from, final int to)
    {
        deadlines[to] = deadlines[from];
        orders[to] = orders[from];
        handles[to] = handles[from];
        handles[to].timerIndex = to;
    }
}
