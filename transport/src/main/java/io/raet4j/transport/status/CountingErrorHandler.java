package io.raet4j.transport.status;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;

/**
 * An {@link ErrorHandler} that counts each error in the {@link TransportCounterDescriptor#ERRORS} counter and records
 * it in a {@link DistinctErrorLog}, where an operator can read it after the fact. When the log is full, or recording
 * fails, the stack trace goes to a {@link PrintStream} instead so the error is never lost silently.
 * <p>
 * Never throws. Thread safe: the counter is incremented atomically and the distinct error log takes concurrent
 * writers.
 */
public final class CountingErrorHandler implements ErrorHandler
{
    private final DistinctErrorLog errorLog;
    private final AtomicCounter errorCounter;
    private final PrintStream fallback;

    /**
     * Count and record errors, falling back to {@code System.err}.
     *
     * @param errorLog     to record errors in.
     * @param errorCounter incremented for every error, usually {@link TransportCounterDescriptor#ERRORS}.
     */
    public CountingErrorHandler(final DistinctErrorLog errorLog, final AtomicCounter errorCounter)
    {
        this(errorLog, errorCounter, System.err);
    }

    /**
     * Count and record errors.
     *
     * @param errorLog     to record errors in.
     * @param errorCounter incremented for every error, usually {@link TransportCounterDescriptor#ERRORS}.
     * @param fallback     printed to when the log is full or recording fails.
     */
    public CountingErrorHandler(
        final DistinctErrorLog errorLog, final AtomicCounter errorCounter, final PrintStream fallback)
    {
        if (null == errorLog || null == errorCounter || null == fallback)
        {
            throw new NullPointerException("errorLog, errorCounter and fallback are required");
        }

        this.errorLog = errorLog;
        this.errorCounter = errorCounter;
        this.fallback = fallback;
    }

    /**
     * Count the error and record it; print it if it cannot be recorded. Never throws.
     *
     * @param throwable the error.
     */
    @Override
    public void onError(final Throwable throwable)
    {
        try
        {
            if (!errorCounter.isClosed())
            {
                errorCounter.increment();
            }

            if (!errorLog.record(throwable))
            {
                fallback.println("error log full, error not recorded:");
                throwable.printStackTrace(fallback);
            }
        }
        catch (final Throwable recordFailure)
        {
            try
            {
                fallback.println("failed to record error:");
                throwable.printStackTrace(fallback);
                recordFailure.printStackTrace(fallback);
            }
            catch (final Throwable ignore)
            {
                // nowhere left to report to
            }
        }
    }
}
