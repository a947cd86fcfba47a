package io.raet4j.transactions.keep;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per process, {@value #THREAD_NAME}, that looks at the change counter of every watched keep once per
 * its {@link KeepWriter}'s watch interval and wakes that writer only when the counter moved (or cannot be read), so
 * that the writer, which then polls its {@link KeepWatcher}, sleeps while nothing changes.
 * <p>
 * Why: waking a thread costs tens of microseconds of CPU (30 to 65 us measured on a 2-core virtual machine), so one
 * writer thread per stack waking to poll, in a process that runs thousands of stacks, spends a core on nothing. Here an
 * idle stack costs one small file read per watch interval on this shared thread, which wakes at most every
 * {@value #MIN_PARK_MS} ms however many keeps it watches (so a poll may come up to that much later than its interval).
 * <p>
 * Threading: {@link #register} may be called from any thread; everything else runs on the scheduler's thread, which is
 * started by the first registration and never stops (it parks for up to a second when no keep is watched). A closed
 * writer is dropped when it is next due.
 */
final class KeepWatchScheduler
{
    /** Name of the scheduler's thread. */
    static final String THREAD_NAME = "raet4j-keep-watch";
    /** Shortest park between passes, milliseconds: bounds the wake-ups of the thread. */
    static final long MIN_PARK_MS = 10;

    private static final long MIN_PARK_NS = TimeUnit.MILLISECONDS.toNanos(MIN_PARK_MS);
    private static final long MAX_PARK_NS = TimeUnit.SECONDS.toNanos(1);
    private static final ConcurrentLinkedQueue<KeepWriter> ADDED = new ConcurrentLinkedQueue<>();
    private static Thread thread;

    private KeepWatchScheduler()
    {
    }

    /**
     * Start checking a writer's keep, the first time one interval from now.
     *
     * @param writer with a watcher.
     */
    static void register(final KeepWriter writer)
    {
        ADDED.add(writer);
        final Thread scheduler;
        synchronized (KeepWatchScheduler.class)
        {
            if (null == thread)
            {
                thread = new Thread(KeepWatchScheduler::run, THREAD_NAME);
                thread.setDaemon(true);
                thread.start();
            }
            scheduler = thread;
        }
        LockSupport.unpark(scheduler);
    }

    private static void run()
    {
        // Ordered by when each is due, so a pass touches only the writers due, not thousands of idle ones.
        final PriorityQueue<KeepWriter> writers = new PriorityQueue<>(KeepWriter.BY_NEXT_WATCH);
        while (true)
        {
            KeepWriter added;
            while (null != (added = ADDED.poll()))
            {
                writers.add(added);
            }
            final long nowNs = System.nanoTime();
            KeepWriter writer;
            while (null != (writer = writers.peek()) && nowNs - writer.nextWatchNs() >= 0)
            {
                writers.poll();
                if (writer.isWatching())
                {
                    writer.checkWatch(nowNs);
                    writers.add(writer);
                }
            }
            final long parkNs = null == writer ? MAX_PARK_NS : Math.min(MAX_PARK_NS, writer.nextWatchNs() - nowNs);
            LockSupport.parkNanos(Math.max(MIN_PARK_NS, parkNs));
        }
    }
}
