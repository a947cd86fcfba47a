package io.raet4j.transactions;

/**
 * Work a stack's duty cycle runs for a component attached to it, at the start of every cycle, on the duty-cycle
 * thread and at a safe point: the task may call the stack's data API ({@link Stack#offer}, {@link Stack#poll},
 * {@link Stack#controlledPoll}...). {@link ConcurrentSender} and {@link ConcurrentReceiver} are such tasks. A task that
 * throws is reported to the stack's error handler and the cycle goes on; it is called again next cycle.
 */
@FunctionalInterface
public interface DutyCycleTask
{
    /**
     * Do a bounded amount of work.
     *
     * @return the amount of work done, 0 if none (the idle strategy counts it).
     */
    int doWork();

    /**
     * The stack closed: called once, on the thread that closed it, after the stack's own last outcomes were handed
     * over. A task that holds what was meant for the stack says here what became of it. By default nothing.
     */
    default void onClose()
    {
    }
}
