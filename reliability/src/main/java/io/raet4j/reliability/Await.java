package io.raet4j.reliability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits on a condition: poll it, park briefly between polls, give up at a deadline. Used instead of sleeping
 * for an outcome, so a wait ends as soon as the outcome is there and never hangs past its bound.
 * <p>
 * Thread safe: no state.
 */
public final class Await
{
    /** Pause between two polls of a condition. */
    public static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await()
    {
    }

    /**
     * Wait until a condition holds.
     *
     * @param condition   polled until true.
     * @param timeout     longest wait.
     * @param description of what is awaited, for the failure message; read only on failure.
     * @throws AssertionError if the condition is still false at the deadline, or the thread is interrupted.
     */
    public static void until(
        final BooleanSupplier condition, final Duration timeout, final Supplier<String> description)
    {
        if (!holdsWithin(condition, timeout))
        {
            throw new AssertionError("not within " + timeout + ": " + description.get());
        }
    }

    /**
     * Check that a condition stays false for a whole duration: the way to show that something does not happen, such
     * as a datagram crossing a partition.
     *
     * @param condition   polled for the whole duration.
     * @param duration    how long it must stay false.
     * @param description of the condition, for the failure message; read only on failure.
     * @throws AssertionError if the condition becomes true, or the thread is interrupted.
     */
    public static void never(
        final BooleanSupplier condition, final Duration duration, final Supplier<String> description)
    {
        if (holdsWithin(condition, duration))
        {
            throw new AssertionError("happened within " + duration + " but should not have: " + description.get());
        }
    }

    /**
     * Poll a condition until it holds or a duration has passed.
     *
     * @param condition polled until true.
     * @param timeout   longest wait.
     * @return true if it held within the timeout.
     * @throws AssertionError if the thread is interrupted.
     */
    public static boolean holdsWithin(final BooleanSupplier condition, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return false;
            }
            LockSupport.parkNanos(Math.min(POLL_INTERVAL_NS, remainingNs));
            if (Thread.interrupted())
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting");
            }
        }
        return true;
    }
}
