package io.raet4j.pubsub;

/**
 * One spawned task, from {@link Scheduler#spawn(Task)}: its state, how many steps it ran, why it failed; cancel it
 * here. The scheduler keeps its own bookkeeping for the task in the handle (one object a task, made at the spawn), so
 * a handle kept after its task ended still answers and never reaches a later task.
 * <p>
 * NOT thread safe: the scheduler's duty-cycle thread only.
 */
public final class TaskHandle
{
    final Scheduler scheduler;
    final Task task;
    private final long id;
    TaskState state = TaskState.READY;
    /** Index in the scheduler's table of live tasks, -1 once the slot is given back. */
    int slot;
    /** Whether the task is in the ready queue (at most once; an ended task keeps its slot until it leaves). */
    boolean isQueued;
    /** Index in the timer heap, -1 when the task waits for no deadline. */
    int timerIndex = -1;
    TaskInbox waitingInbox;
    TaskReply waitingReply;
    long steps;
    Throwable failure;

    TaskHandle(final Scheduler scheduler, final Task task, final long id, final int slot)
    {
        this.scheduler = scheduler;
        this.task = task;
        this.id = id;
        this.slot = slot;
    }

    /**
     * The task's id in its scheduler: 1 for the first spawned, then in order.
     *
     * @return the id.
     */
    public long id()
    {
        return id;
    }

    /**
     * The task.
     *
     * @return the task given to {@link Scheduler#spawn(Task)}.
     */
    public Task task()
    {
        return task;
    }

    /**
     * Where the task is now.
     *
     * @return its state.
     */
    public TaskState state()
    {
        return state;
    }

    /**
     * Whether the task ended, in any way ({@link TaskState#DONE}, {@link TaskState#CANCELLED} or
     * {@link TaskState#FAILED}), as {@code Future.isDone()}.
     *
     * @return true once ended.
     */
    public boolean isDone()
    {
        return state.isEnded();
    }

    /**
     * How many steps the task ran, the one that failed included.
     *
     * @return the number of steps.
     */
    public long steps()
    {
        return steps;
    }

    /**
     * What the failing step threw.
     *
     * @return the exception when the state is {@link TaskState#FAILED}, else null.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * End the task: it is never stepped again, it leaves its timer, inbox or reply, and its step's wait is ignored if
     * it cancels itself during its step. Nothing is called on the task.
     *
     * @return true if this call ended it, false if it had already ended.
     */
    public boolean cancel()
    {
        return scheduler.cancel(this);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "TaskHandle{id=" + id + ", state=" + state + ", steps=" + steps + "}";
    }
}
