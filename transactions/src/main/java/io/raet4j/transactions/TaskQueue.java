package io.raet4j.transactions;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Tasks any thread hands to a duty cycle: a bounded many-to-one queue of {@link Runnable}s that a
 * {@link DutyCycleTask} runs, a few per cycle, at its safe point. Used by the any-thread handles for their
 * {@code execute}.
 * <p>
 * Thread safety: {@link #offer} from any thread; {@link #run} and {@link #clear} from the duty-cycle thread.
 */
public final class TaskQueue
{
    /** Tasks the queue holds at most. */
    public static final int CAPACITY = 1024;

    private final ManyToOneConcurrentArrayQueue<Runnable> tasks = new ManyToOneConcurrentArrayQueue<>(CAPACITY);

    /**
     * An empty queue of {@link #CAPACITY} tasks.
     */
    public TaskQueue()
    {
    }

    /**
     * Queue a task.
     *
     * @param task to run on the duty cycle.
     * @return false if the queue is full.
     * @throws NullPointerException if the task is null.
     */
    public boolean offer(final Runnable task)
    {
        if (null == task)
        {
            throw new NullPointerException("task is null: give the work to run on the duty cycle");
        }
        return tasks.offer(task);
    }

    /**
     * Run tasks queued before this call, in the order queued (a task that queues another leaves it for the next
     * call, so a task that retries by queueing itself runs once a cycle). A task that throws ends this call (the
     * duty cycle reports it); the tasks behind it run next time.
     *
     * @param limit most tasks to run.
     * @return the tasks run.
     */
    public int run(final int limit)
    {
        final int queued = Math.min(limit, tasks.size());
        int count = 0;
        Runnable task;
        while (count < queued && null != (task = tasks.poll()))
        {
            count++;
            task.run();
        }
        return count;
    }

    /**
     * Drop every queued task.
     */
    public void clear()
    {
        tasks.clear();
    }
}
