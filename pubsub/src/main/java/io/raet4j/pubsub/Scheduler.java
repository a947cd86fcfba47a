package io.raet4j.pubsub;

import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.Arrays;

/**
 * A cooperative scheduler of micro-threads ({@link Task}s, ioflo's behaviours) on the duty-cycle thread that calls
 * {@link #doWork()}: with pub/sub, {@code PubSub.scheduler()}, run by {@code PubSub.doWork()} after the layer's own
 * work, so a message that arrives wakes its task in the same cycle.
 * <p>
 * A cycle costs what its ready tasks cost, however many tasks wait: the tasks ready now are in a ring of task handles
 * (each at most once), the tasks waiting for a deadline in a min-heap ({@code TaskTimers}) whose earliest deadline is
 * one comparison away, and a task waiting for an inbox or a reply is reached from that inbox or reply when it is
 * woken, never polled. A cycle with nothing ready reads the clock, compares the earliest deadline, and returns 0.
 * Spawning may grow the tables (an allocation, at the spawn); a step allocates nothing in the scheduler.
 * <p>
 * A cycle first moves the tasks whose deadline has come to the ready queue, in deadline order (spawn order between
 * equal deadlines), then steps the tasks that were ready when the cycle began, in queue order, up to
 * {@link #stepLimit()}. A task made ready during the cycle is stepped at the next one.
 * <p>
 * A step that throws ends its task ({@link TaskState#FAILED}), is counted ({@link #tasksFailed()}) and goes to the
 * error handler; the other tasks go on. The scheduler's counts are plain fields read with its getters, not counters
 * in the status file.
 * <p>
 * NOT thread safe: the duty-cycle thread only, as the stack's data API.
 */
public final class Scheduler implements AutoCloseable
{
    /** Tasks the tables hold before they grow. */
    public static final int DEFAULT_INITIAL_CAPACITY = 64;
    /**
     * Longest wait: a longer sleep or timeout waits this long (about 73 years), so that deadlines, compared by their
     * difference as {@code System.nanoTime()} values must be, never overflow.
     */
    public static final long MAX_WAIT_NS = Long.MAX_VALUE >> 2;

    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final TaskContext context = new TaskContext(this);
    private final TaskTimers timers;
    private TaskHandle[] tasks;
    private int[] freeSlots;
    private int freeSlotCount;
    private TaskHandle[] ready;
    private int readyHead;
    private int readySize;
    private int taskCount;
    private int stepLimit = Integer.MAX_VALUE;
    private long nowNs;
    private boolean isClosed;
    private long tasksSpawned;
    private long tasksStepped;
    private long tasksDone;
    private long tasksCancelled;
    private long tasksFailed;
    private long timersExpired;

    /**
     * A scheduler with tables for {@value #DEFAULT_INITIAL_CAPACITY} tasks, grown as tasks are spawned.
     *
     * @param clock        read once a cycle by {@link #doWork()}.
     * @param errorHandler told what a failing step threw.
     */
    public Scheduler(final NanoClock clock, final ErrorHandler errorHandler)
    {
        this(clock, errorHandler, DEFAULT_INITIAL_CAPACITY);
    }

    /**
     * A scheduler with tables for {@code initialCapacity} tasks, so that spawning that many allocates only the
     * handles.
     *
     * @param clock           read once a cycle by {@link #doWork()}.
     * @param errorHandler    told what a failing step threw.
     * @param initialCapacity tasks the tables hold before they grow, rounded up to a power of two.
     */
    public Scheduler(final NanoClock clock, final ErrorHandler errorHandler, final int initialCapacity)
    {
        if (null == clock || null == errorHandler)
        {
            throw new NullPointerException("give the scheduler a clock and an error handler");
        }
        if (initialCapacity < 1 || initialCapacity > 1 << 30)
        {
            throw new IllegalArgumentException("initialCapacity=" + initialCapacity + ": give 1 to 2^30");
        }
        this.clock = clock;
        this.errorHandler = errorHandler;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(initialCapacity);
        this.timers = new TaskTimers(capacity);
        this.tasks = new TaskHandle[capacity];
        this.ready = new TaskHandle[capacity];
        this.freeSlots = new int[capacity];
        addFreeSlots(0, capacity);
    }

    /**
     * Add a task, ready: its first step runs at the next cycle.
     *
     * @param task the task.
     * @return its handle.
     * @throws IllegalStateException if the scheduler is closed.
     */
    public TaskHandle spawn(final Task task)
    {
        if (null == task)
        {
            throw new NullPointerException("task is null: give the task to spawn");
        }
        if (isClosed)
        {
            throw new IllegalStateException("spawn on a closed scheduler");
        }
        if (0 == freeSlotCount)
        {
            grow();
        }
        final int slot = freeSlots[--freeSlotCount];
        final TaskHandle handle = new TaskHandle(this, task, ++tasksSpawned, slot);
        tasks[slot] = handle;
        taskCount++;
        enqueue(handle);
        return handle;
    }

    /**
     * Run a cycle at the clock's time; when no task is ready and none waits for a deadline, return at once without
     * reading the clock.
     *
     * @return the number of steps run, 0 if idle.
     */
    public int doWork()
    {
        if (0 == readySize && timers.isEmpty())
        {
            return 0;
        }
        return doWork(clock.nanoTime());
    }

    /**
     * Run a cycle at a given time: make ready the tasks whose deadline is at or before it, then step the tasks ready
     * at that point, in order, up to {@link #stepLimit()}.
     *
     * @param nowNs the cycle's time on the scheduler's clock, not before the previous cycle's.
     * @return the number of steps run, 0 if idle.
     * @throws IllegalStateException if called from a step.
     */
    public int doWork(final long nowNs)
    {
        if (isClosed)
        {
            return 0;
        }
        if (context.isInStep())
        {
            throw new IllegalStateException("doWork from a step: a task may not run its own scheduler's cycle");
        }
        this.nowNs = nowNs;
        while (timers.hasExpired(nowNs))
        {
            final TaskHandle handle = timers.pollFirst();
            timersExpired++;
            detach(handle);
            enqueue(handle);
        }

        int steps = 0;
        for (int i = 0, count = readySize; i < count && steps < stepLimit && !isClosed; i++)
        {
            final TaskHandle handle = dequeue();
            if (TaskState.READY == handle.state)
            {
                step(handle);
                steps++;
            }
            else
            {
                releaseSlot(handle);
            }
        }
        return steps;
    }

    /**
     * Wake a waiting task (its inbox got a message, its reply ended): ready for the next step.
     */
    void wake(final TaskHandle handle)
    {
        if (TaskState.WAITING == handle.state)
        {
            detach(handle);
            enqueue(handle);
        }
    }

    boolean cancel(final TaskHandle handle)
    {
        switch (handle.state)
        {
            case SLEEPING:
            case WAITING:
                detach(handle);
                end(handle, TaskState.CANCELLED);
                return true;

            case READY:
            case RUNNING:
                end(handle, TaskState.CANCELLED);
                return true;

            default:
                return false;
        }
    }

    private void step(final TaskHandle handle)
    {
        handle.state = TaskState.RUNNING;
        handle.steps++;
        tasksStepped++;
        final TaskContext context = this.context;
        context.begin(handle);
        try
        {
            handle.task.step(context);
        }
        catch (final Throwable ex)
        {
            context.end();
            if (TaskState.RUNNING == handle.state)
            {
                handle.failure = ex;
                end(handle, TaskState.FAILED);
            }
            errorHandler.onError(ex);
            return;
        }

        if (TaskState.RUNNING == handle.state)
        {
            applyWait(handle, context);
        }
        context.end();
    }

    private void applyWait(final TaskHandle handle, final TaskContext context)
    {
        switch (context.wait)
        {
            case YIELD:
                enqueue(handle);
                break;

            case SLEEP:
                handle.state = TaskState.SLEEPING;
                timers.add(handle, context.deadlineNs);
                break;

            case INBOX:
            {
                final TaskInbox inbox = context.inbox;
                if (!inbox.isEmpty())
                {
                    enqueue(handle);
                }
                else
                {
                    handle.state = TaskState.WAITING;
                    handle.waitingInbox = inbox;
                    inbox.waiter = handle;
                    if (context.hasDeadline)
                    {
                        timers.add(handle, context.deadlineNs);
                    }
                }
                break;
            }

            case REPLY:
            {
                final TaskReply reply = context.reply;
                if (!reply.isPending())
                {
                    enqueue(handle);
                }
                else
                {
                    handle.state = TaskState.WAITING;
                    handle.waitingReply = reply;
                    reply.waiter = handle;
                }
                break;
            }

            default:
                end(handle, TaskState.DONE);
                break;
        }
    }

    /**
     * Take a task out of whatever it waits for: its timer, its inbox, its reply.
     */
    private void detach(final TaskHandle handle)
    {
        if (handle.timerIndex >= 0)
        {
            timers.remove(handle);
        }
        final TaskInbox inbox = handle.waitingInbox;
        if (null != inbox)
        {
            inbox.waiter = null;
            handle.waitingInbox = null;
        }
        final TaskReply reply = handle.waitingReply;
        if (null != reply)
        {
            reply.waiter = null;
            handle.waitingReply = null;
        }
    }

    private void end(final TaskHandle handle, final TaskState state)
    {
        handle.state = state;
        taskCount--;
        switch (state)
        {
            case DONE:
                tasksDone++;
                break;

            case CANCELLED:
                tasksCancelled++;
                break;

            default:
                tasksFailed++;
                break;
        }
        if (!handle.isQueued)
        {
            releaseSlot(handle);
        }
    }

    /**
     * Give an ended task's slot back, once it is out of the ready queue (so that the queue never holds more entries
     * than there are slots).
     */
    private void releaseSlot(final TaskHandle handle)
    {
        final int slot = handle.slot;
        if (slot >= 0)
        {
            tasks[slot] = null;
            freeSlots[freeSlotCount++] = slot;
            handle.slot = -1;
        }
    }

    private void enqueue(final TaskHandle handle)
    {
        handle.state = TaskState.READY;
        if (!handle.isQueued)
        {
            handle.isQueued = true;
            ready[(readyHead + readySize) & (ready.length - 1)] = handle;
            readySize++;
        }
    }

    private TaskHandle dequeue()
    {
        final int head = readyHead;
        final TaskHandle handle = ready[head];
        ready[head] = null;
        readyHead = (head + 1) & (ready.length - 1);
        readySize--;
        handle.isQueued = false;
        return handle;
    }

    private void grow()
    {
        final int oldCapacity = tasks.length;
        if (oldCapacity > 1 << 29)
        {
            throw new IllegalStateException("too many tasks: " + taskCount);
        }
        final int capacity = oldCapacity << 1;
        tasks = Arrays.copyOf(tasks, capacity);
        final TaskHandle[] newReady = new TaskHandle[capacity];
        for (int i = 0; i < readySize; i++)
        {
            newReady[i] = ready[(readyHead + i) & (oldCapacity - 1)];
        }
        ready = newReady;
        readyHead = 0;
        freeSlots = Arrays.copyOf(freeSlots, capacity);
        timers.ensureCapacity(capacity);
        addFreeSlots(oldCapacity, capacity);
    }

    private void addFreeSlots(final int from, final int to)
    {
        // Pushed highest first so that the lowest slots are used first.
        for (int slot = to - 1; slot >= from; slot--)
        {
            freeSlots[freeSlotCount++] = slot;
        }
    }

    /**
     * Most steps a cycle runs; the tasks left ready run at the following cycles, in order.
     *
     * @return the limit, {@link Integer#MAX_VALUE} (every task ready when the cycle began) unless set.
     */
    public int stepLimit()
    {
        return stepLimit;
    }

    /**
     * Bound the steps a cycle runs, so that a burst of ready tasks delays the stack's own work by a bounded time.
     *
     * @param stepLimit most steps a cycle, 1 or more.
     * @return this for a fluent API.
     */
    public Scheduler stepLimit(final int stepLimit)
    {
        if (stepLimit < 1)
        {
            throw new IllegalArgumentException("stepLimit=" + stepLimit + ": give 1 or more");
        }
        this.stepLimit = stepLimit;
        return this;
    }

    /**
     * The time of the last cycle that ran.
     *
     * @return the time given to or read by the last {@link #doWork} that ran, in ns.
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * Tasks spawned and not ended.
     *
     * @return the number of live tasks.
     */
    public int taskCount()
    {
        return taskCount;
    }

    /**
     * Tasks ready (in the ready queue, not ended). Walks the queue: for tests and diagnostics, not the duty cycle.
     *
     * @return the number ready.
     */
    public int readyCount()
    {
        int count = 0;
        for (int i = 0; i < readySize; i++)
        {
            if (TaskState.READY == ready[(readyHead + i) & (ready.length - 1)].state)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Tasks waiting for a deadline (sleeping, or waiting for an inbox with a timeout).
     *
     * @return the number of timers.
     */
    public int timerCount()
    {
        return timers.size();
    }

    /**
     * Tasks spawned since the scheduler was made.
     *
     * @return the number spawned.
     */
    public long tasksSpawned()
    {
        return tasksSpawned;
    }

    /**
     * Steps run since the scheduler was made.
     *
     * @return the number of steps.
     */
    public long tasksStepped()
    {
        return tasksStepped;
    }

    /**
     * Tasks ended as {@link TaskState#DONE}.
     *
     * @return the number done.
     */
    public long tasksDone()
    {
        return tasksDone;
    }

    /**
     * Tasks ended as {@link TaskState#CANCELLED}.
     *
     * @return the number cancelled.
     */
    public long tasksCancelled()
    {
        return tasksCancelled;
    }

    /**
     * Tasks ended as {@link TaskState#FAILED}: each step that threw.
     *
     * @return the number failed.
     */
    public long tasksFailed()
    {
        return tasksFailed;
    }

    /**
     * Deadlines that came (a sleep's end, an inbox wait's timeout).
     *
     * @return the number of timers expired.
     */
    public long timersExpired()
    {
        return timersExpired;
    }

    /**
     * Whether the scheduler is closed.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Cancel every live task and refuse new ones; a cycle does nothing after this. Idempotent; may be called from a
     * step (the rest of the cycle is skipped).
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            for (final TaskHandle handle : tasks)
            {
                if (null != handle)
                {
                    cancel(handle);
                }
            }
            while (readySize > 0)
            {
                releaseSlot(dequeue());
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Scheduler{tasks=" + taskCount + ", ready=" + readySize + ", timers=" + timers.size() +
            ", stepped=" + tasksStepped + ", failed=" + tasksFailed + "}";
    }
}
