package io.raet4j.pubsub;

/**
 * Where a task of a {@link Scheduler} is: ready, in its step, waiting, or ended one of three ways. One state a task.
 */
public enum TaskState
{
    /** Spawned, woken or yielding: in the ready queue, stepped at the scheduler's next duty cycle. */
    READY,
    /** In its step now. */
    RUNNING,
    /** Waiting for a deadline only ({@link TaskContext#sleep}, {@link TaskContext#waitUntil}). */
    SLEEPING,
    /** Waiting for an inbox's next message or a reply, and perhaps a deadline as well. */
    WAITING,
    /** Ended: a step said {@link TaskContext#done()} or returned without saying what it waits for. */
    DONE,
    /** Ended: cancelled through its handle, or its scheduler closed. */
    CANCELLED,
    /** Ended: a step threw; the exception went to the scheduler's error handler. */
    FAILED;

    /**
     * Whether a task in this state has ended: it is never stepped again.
     *
     * @return true for {@link #DONE}, {@link #CANCELLED} and {@link #FAILED}.
     */
    public boolean isEnded()
    {
        return ordinal() >= DONE.ordinal();
    }
}
