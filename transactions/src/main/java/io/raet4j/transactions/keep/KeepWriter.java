package io.raet4j.transactions.keep;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Keeps keep I/O off the duty cycle: one daemon thread writes the changes submitted to a bounded queue and, if given a
 * {@link KeepWatcher}, polls it when the keep changed and queues the changes other processes made for the duty cycle to
 * drain. Whether the keep changed is looked at once per watch interval, not by this writer's thread but by one thread
 * shared by every writer of the process, which reads the keep's change counter and wakes the writer only if it moved.
 * So an idle writer's thread sleeps: it wakes for a submission, a flush, close or a change, every 100 ms while changes
 * wait for room in the duty cycle's queue, and otherwise once a minute. A process may thus run thousands of stacks,
 * each with its writer, at the cost of one counter read per stack and watch interval.
 * <p>
 * Threading: the {@code submit*} methods never block and may be called from any thread; each allocates a small task
 * (control plane only) and returns false when the queue is full, which the caller counts. {@link #drainChanges} is
 * called by ONE consumer thread, normally the duty cycle; it never blocks. {@link #flush} and {@link #close} block and
 * are for tests and shutdown. Failures of tasks and polls go to the {@link ErrorHandler}, on the writer thread; the
 * writer thread never dies of them.
 */
public final class KeepWriter implements AutoCloseable
{
    /** Default capacity of the task queue. */
    public static final int DEFAULT_CAPACITY = 1024;
    /** Default capacity of the queue of changes for the duty cycle. */
    public static final int DEFAULT_CHANGE_CAPACITY = 1024;
    /** Default interval between polls of the watcher: changes by another process are seen within it. */
    public static final long DEFAULT_WATCH_INTERVAL_MS = 1000;
    /** How long {@link #close()} waits for queued tasks to be written. */
    public static final long CLOSE_TIMEOUT_MS = 10_000;

    /** Orders writers by when their keep is next looked at; for the {@link KeepWatchScheduler}'s thread only. */
    static final Comparator<KeepWriter> BY_NEXT_WATCH = (a, b) -> Long.compare(a.nextWatchNs - b.nextWatchNs, 0);

    /** Longest park while changes wait for room in the queue of the duty cycle. */
    private static final long UNDELIVERED_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Longest park when idle: submissions, changes and close unpark the thread, this only bounds a lost wake-up. */
    private static final long MAX_IDLE_PARK_NS = TimeUnit.MINUTES.toNanos(1);
    private static final long FLUSH_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Keep keep;
    private final ErrorHandler errorHandler;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    private final KeepWatcher watcher;
    private final long watchIntervalNs;
    private final OneToOneConcurrentArrayQueue<KeepChange> changes;
    private final ArrayDeque<KeepChange> undelivered = new ArrayDeque<>();
    private final Consumer<Runnable> taskRunner = this::runTask;
    private final Thread thread;
    private volatile boolean isRunning = true;
    private volatile boolean isWatchDue;
    private long nextWatchNs;
    private boolean isClosed;

    /**
     * A writer without a watcher.
     *
     * @param keep         to write to; not closed by this writer.
     * @param capacity     of the task queue, rounded up to a power of two.
     * @param errorHandler for failed tasks.
     */
    public KeepWriter(final Keep keep, final int capacity, final ErrorHandler errorHandler)
    {
        this(keep, capacity, errorHandler, null, DEFAULT_WATCH_INTERVAL_MS, 2);
    }

    /**
     * A writer that also polls a watcher.
     *
     * @param keep            to write to; not closed by this writer.
     * @param capacity        of the task queue, rounded up to a power of two.
     * @param errorHandler    for failed tasks and polls.
     * @param watcher         to poll, or null; not closed by this writer.
     * @param watchIntervalMs between polls of the watcher.
     * @param changeCapacity  of the queue of changes for {@link #drainChanges}, rounded up to a power of two; changes
     *                        that do not fit wait on the writer thread, in order, until there is room.
     */
    public KeepWriter(
        final Keep keep,
        final int capacity,
        final ErrorHandler errorHandler,
        final KeepWatcher watcher,
        final long watchIntervalMs,
        final int changeCapacity)
    {
        if (watchIntervalMs <= 0)
        {
            throw new IllegalArgumentException("watchIntervalMs must be positive: " + watchIntervalMs);
        }
        this.keep = Objects.requireNonNull(keep, "keep");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        this.tasks = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.watcher = watcher;
        this.watchIntervalNs = TimeUnit.MILLISECONDS.toNanos(watchIntervalMs);
        this.changes = new OneToOneConcurrentArrayQueue<>(changeCapacity);
        this.thread = new Thread(this::run, "raet4j-keep-writer");
        this.thread.setDaemon(true);
        this.thread.start();
        if (null != watcher)
        {
            nextWatchNs = System.nanoTime() + watchIntervalNs;
            KeepWatchScheduler.register(this);
        }
    }

    /**
     * Capacity of the task queue.
     *
     * @return the number of tasks that can wait.
     */
    public int capacity()
    {
        return tasks.capacity();
    }

    /**
     * Queue a write of a record, replacing any record of the same name ({@link Keep#put}).
     *
     * @param record to write.
     * @return false if the queue is full or the writer closed: nothing was queued.
     */
    public boolean submitPut(final RemoteEstateRecord record)
    {
        Objects.requireNonNull(record, "record");
        return submit(() -> keep.put(record));
    }

    /**
     * Queue a status change ({@link Keep#setStatus}); nothing happens if the estate has no record.
     *
     * @param name   of the estate.
     * @param status to set.
     * @return false if the queue is full or the writer closed: nothing was queued.
     */
    public boolean submitStatus(final String name, final Acceptance status)
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        return submit(() -> keep.setStatus(name, status));
    }

    /**
     * Queue a read-modify-write of a record under the keep's lock ({@link Keep#compute}), the way to update a record
     * without overwriting a status another process just set.
     *
     * @param name   of the estate.
     * @param change from the current record (or null) to the record to write (or null for none); runs on the writer
     *               thread under the keep's lock.
     * @return false if the queue is full or the writer closed: nothing was queued.
     */
    public boolean submitCompute(final String name, final UnaryOperator<RemoteEstateRecord> change)
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(change, "change");
        return submit(() -> keep.compute(name, change));
    }

    /**
     * Queue the deletion of a record ({@link Keep#delete}).
     *
     * @param name of the estate.
     * @return false if the queue is full or the writer closed: nothing was queued.
     */
    public boolean submitDelete(final String name)
    {
        Objects.requireNonNull(name, "name");
        return submit(() -> keep.delete(name));
    }

    /**
     * Wait until every task queued before this call has been run.
     *
     * @param timeoutMs to wait at most.
     * @return true if they ran, false on timeout, interruption (the interrupt flag is kept) or a closed writer.
     */
    public boolean flush(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final CountDownLatch latch = new CountDownLatch(1);
        final Runnable barrier = latch::countDown;
        while (!tasks.offer(barrier))
        {
            if (!isRunning || System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            LockSupport.parkNanos(FLUSH_RETRY_NS);
        }
        LockSupport.unpark(thread);
        try
        {
            return latch.await(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Hand the changes found by the watcher to a consumer. Never blocks; for ONE consumer thread.
     *
     * @param consumer of the changes; keep it in a field to avoid allocating per call.
     * @return the number of changes handed over.
     */
    public int drainChanges(final Consumer<KeepChange> consumer)
    {
        return changes.drain(consumer);
    }

    /**
     * Stop the writer after running the tasks already queued, waiting up to {@link #CLOSE_TIMEOUT_MS}. Does not close
     * the keep or the watcher. Idempotent. A submission racing with close may be dropped.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (isClosed)
            {
                return;
            }
            isClosed = true;
        }
        isRunning = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(CLOSE_TIMEOUT_MS);
            if (thread.isAlive())
            {
                errorHandler.onError(new IllegalStateException(
                    "keep writer did not finish its queue within " + CLOSE_TIMEOUT_MS + " ms"));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private boolean submit(final Runnable task)
    {
        if (!isRunning || !tasks.offer(task))
        {
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * When the keep is next looked at. Called by the {@link KeepWatchScheduler}'s thread only.
     */
    long nextWatchNs()
    {
        return nextWatchNs;
    }

    /**
     * Is this writer still to be watched. Called by the {@link KeepWatchScheduler}.
     */
    boolean isWatching()
    {
        return isRunning;
    }

    /**
     * If the watch interval has passed, look at the keep's change counter and wake the writer thread to poll the
     * watcher if it moved. Called by the {@link KeepWatchScheduler}'s thread only, which alone uses
     * {@link #nextWatchNs} after construction.
     *
     * @param nowNs the time of the scheduler's pass.
     */
    void checkWatch(final long nowNs)
    {
        if (nowNs - nextWatchNs >= 0)
        {
            nextWatchNs = nowNs + watchIntervalNs;
            if (!isWatchDue && watcher.isPollDue())
            {
                isWatchDue = true;
                LockSupport.unpark(thread);
            }
        }
    }

    private void run()
    {
        while (true)
        {
            final int done = tasks.drain(taskRunner);
            if (isWatchDue)
            {
                isWatchDue = false;
                pollWatcher();
            }
            deliverChanges();
            if (!isRunning && tasks.isEmpty())
            {
                break;
            }
            if (0 == done && !isWatchDue)
            {
                // An unpark between the checks above and this park is not lost: it leaves a permit.
                LockSupport.parkNanos(undelivered.isEmpty() ? MAX_IDLE_PARK_NS : UNDELIVERED_RETRY_NS);
            }
        }
    }

    private void runTask(final Runnable task)
    {
        try
        {
            task.run();
        }
        catch (final Exception ex)
        {
            reportError(ex);
        }
    }

    private void pollWatcher()
    {
        try
        {
            final List<KeepChange> found = watcher.poll();
            undelivered.addAll(found);
        }
        catch (final Exception ex)
        {
            reportError(ex);
        }
    }

    private void deliverChanges()
    {
        KeepChange change;
        while (null != (change = undelivered.peekFirst()))
        {
            if (!changes.offer(change))
            {
                break;
            }
            undelivered.pollFirst();
        }
    }

    private void reportError(final Exception ex)
    {
        try
        {
            errorHandler.onError(ex);
        }
        catch (final RuntimeException handlerFailure)
        {
            // an error handler that throws must not stop the writer; nothing else can be told
        }
    }
}
