package io.raet4j.pubsub;

/**
 * What a task's step sees of its scheduler: the cycle's time, its own handle, and the calls that say what it waits
 * for next. One context per scheduler, reused for every step (nothing is allocated per step); valid only during a
 * step.
 * <p>
 * A step says at most one wait; a second throws {@link IllegalStateException}, which fails the task. The wait takes
 * effect when the step returns (if the step throws afterwards, the task fails and the wait is dropped). A step that
 * says none ends the task as {@link #done()} would. A task that becomes ready during a cycle (woken by a message
 * another task published, yielding, spawned) is stepped at the next cycle, so one cycle's work is bounded by the tasks
 * ready when it began.
 * <p>
 * NOT thread safe: the scheduler's duty-cycle thread only.
 */
public final class TaskContext
{
    enum Wait
    {
        NONE, DONE, YIELD, SLEEP, INBOX, REPLY
    }

    private final Scheduler scheduler;
    private TaskHandle current;
    Wait wait = Wait.NONE;
    long deadlineNs;
    boolean hasDeadline;
    TaskInbox inbox;
    TaskReply reply;

    TaskContext(final Scheduler scheduler)
    {
        this.scheduler = scheduler;
    }

    void begin(final TaskHandle handle)
    {
        current = handle;
        wait = Wait.NONE;
        hasDeadline = false;
        inbox = null;
        reply = null;
    }

    boolean isInStep()
    {
        return null != current;
    }

    void end()
    {
        current = null;
        inbox = null;
        reply = null;
    }

    /**
     * The time of this duty cycle, read once for every task stepped in it.
     *
     * @return the scheduler's clock at the start of the cycle, in ns.
     */
    public long nowNs()
    {
        return scheduler.nowNs();
    }

    /**
     * The handle of the task being stepped.
     *
     * @return its handle.
     */
    public TaskHandle handle()
    {
        requireStep();
        return current;
    }

    /**
     * The scheduler, to spawn other tasks from a step (they are first stepped at the next cycle).
     *
     * @return the scheduler.
     */
    public Scheduler scheduler()
    {
        return scheduler;
    }

    /**
     * Wait for a while: stepped again at the first cycle whose time is {@code durationNs} or more after
     * {@link #nowNs()}.
     *
     * @param durationNs how long, 0 or more; longer than {@link Scheduler#MAX_WAIT_NS} waits that long.
     */
    public void sleep(final long durationNs)
    {
        if (durationNs < 0)
        {
            throw new IllegalArgumentException("durationNs=" + durationNs + ": sleep 0 or more ns");
        }
        waitUntil(scheduler.nowNs() + Math.min(durationNs, Scheduler.MAX_WAIT_NS));
    }

    /**
     * Wait until a time: stepped again at the first cycle whose time is at or after the deadline (at the next cycle if
     * it has passed).
     *
     * @param deadlineNs on the scheduler's clock; more than {@link Scheduler#MAX_WAIT_NS} ahead waits that long.
     */
    public void waitUntil(final long deadlineNs)
    {
        say(Wait.SLEEP);
        setDeadline(deadlineNs);
    }

    /**
     * Wait for an inbox's next message: stepped again at the cycle a message arrives, or at the next cycle if
     * messages are queued already. One task at a time may wait for an inbox.
     *
     * @param inbox the inbox.
     * @throws IllegalStateException if another task waits for the inbox.
     */
    public void waitFor(final TaskInbox inbox)
    {
        requireStep();
        requireFree(inbox);
        say(Wait.INBOX);
        this.inbox = inbox;
    }

    /**
     * Wait for an inbox's next message, or a while, whichever comes first; after the step the inbox is empty if the
     * time ran out.
     *
     * @param inbox     the inbox.
     * @param timeoutNs how long at most, 0 or more.
     * @throws IllegalStateException if another task waits for the inbox.
     */
    public void waitFor(final TaskInbox inbox, final long timeoutNs)
    {
        if (timeoutNs < 0)
        {
            throw new IllegalArgumentException("timeoutNs=" + timeoutNs + ": wait 0 or more ns");
        }
        requireStep();
        requireFree(inbox);
        say(Wait.INBOX);
        this.inbox = inbox;
        setDeadline(scheduler.nowNs() + Math.min(timeoutNs, Scheduler.MAX_WAIT_NS));
    }

    /**
     * Wait for the end of a request: stepped again at the cycle it ends (a reply or a failure), or at the next cycle
     * if it has ended already. Requests have their own timeout, so this wait has none.
     *
     * @param reply the reply of a request made through it.
     * @throws IllegalStateException if no request was made through the reply, or another task waits for it.
     */
    public void waitFor(final TaskReply reply)
    {
        requireStep();
        if (TaskReply.State.IDLE == reply.state())
        {
            throw new IllegalStateException("no request was made through " + reply +
                ": make one with reply.request(...) and check that it returned an id (1 or more)");
        }
        if (null != reply.waiter)
        {
            throw new IllegalStateException("task " + reply.waiter.id() + " already waits for " + reply);
        }
        say(Wait.REPLY);
        this.reply = reply;
    }

    /**
     * Step again at the next cycle, after the other tasks ready now.
     */
    public void yield()
    {
        say(Wait.YIELD);
    }

    /**
     * End the task ({@link TaskState#DONE}) when the step returns; the same as returning without a wait.
     */
    public void done()
    {
        say(Wait.DONE);
    }

    private void say(final Wait wait)
    {
        requireStep();
        if (Wait.NONE != this.wait)
        {
            throw new IllegalStateException("task " + current.id() + " already said " + this.wait +
                " in this step: a step says at most one wait");
        }
        this.wait = wait;
    }

    private void setDeadline(final long deadlineNs)
    {
        final long nowNs = scheduler.nowNs();
        this.deadlineNs = deadlineNs - nowNs > Scheduler.MAX_WAIT_NS ? nowNs + Scheduler.MAX_WAIT_NS : deadlineNs;
        this.hasDeadline = true;
    }

    private void requireFree(final TaskInbox inbox)
    {
        if (null != inbox.waiter)
        {
            throw new IllegalStateException("task " + inbox.waiter.id() + " already waits for " + inbox +
                ": one task at a time may wait for an inbox");
        }
    }

    private void requireStep()
    {
        if (null == current)
        {
            throw new IllegalStateException("not in a step: a task says what it waits for during its step only");
        }
    }
}
