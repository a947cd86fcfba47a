package io.raet4j.transactions.agent;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * The one thread that may run a stack's duty cycle and call its data API. The first call takes the stack; a call from
 * another thread is refused with an {@link IllegalStateException} that says which thread owns it, unless nobody holds
 * it: before the first duty cycle (a stack launched on one thread and run on another), after {@link #handOver()}, or
 * once the owner thread has ended. The owner's own calls cost one comparison.
 */
public final class ThreadOwner
{
    private final String stackName;
    private final AtomicCounter apiMisuse;
    private volatile Thread owner = Thread.currentThread();
    private boolean hasOwnerRun;

    /**
     * Owned by the thread that builds it, until it first runs.
     *
     * @param stackName named in refusals.
     * @param apiMisuse counts refusals.
     */
    public ThreadOwner(final String stackName, final AtomicCounter apiMisuse)
    {
        this.stackName = stackName;
        this.apiMisuse = apiMisuse;
    }

    /**
     * Whether the calling thread owns the stack: the hot path's check.
     *
     * @return true if it does.
     */
    public boolean isOwner()
    {
        return Thread.currentThread() == owner;
    }

    /**
     * Check the caller, off the hot path: take the stack if nobody holds it, else refuse.
     *
     * @param call the API call, named in the refusal.
     * @throws IllegalStateException if another live thread owns the stack.
     */
    public void claimOrRefuse(final String call)
    {
        final Thread current = Thread.currentThread();
        final Thread running = owner;
        if (current == running)
        {
            hasOwnerRun = true;
            return;
        }
        if (null == running || !hasOwnerRun || !running.isAlive())
        {
            owner = current;
            hasOwnerRun = true;
            return;
        }
        refuse(call);
    }

    /**
     * Give the stack to a thread: from now on only it may run the duty cycle and call the data API. Dedicated mode
     * gives it to the runner's thread before that thread starts.
     *
     * @param thread the new owner.
     */
    public void owner(final Thread thread)
    {
        owner = thread;
        hasOwnerRun = true;
    }

    /**
     * The owner gives the stack up, so that another thread's next call takes it over: for an application that moves
     * its loop between threads (a pool, a framework's event loop).
     */
    public void handOver()
    {
        if (Thread.currentThread() != owner)
        {
            claimOrRefuse("handOver");
        }
        owner = null;
    }

    private void refuse(final String call)
    {
        apiMisuse.incrementRelease();
        final Thread running = owner;
        throw new IllegalStateException("Stack." + call + " called on thread '" + Thread.currentThread().getName() +
            "', but stack '" + stackName + "' is run by thread '" + (null == running ? "?" : running.getName()) +
            "': the duty cycle and the data API (doWork, offer, tryClaim, poll, join) are single-threaded; call " +
            "them from that thread (in dedicated mode, from the application agent given to start), or hand work " +
            "over to it through a queue");
    }
}
