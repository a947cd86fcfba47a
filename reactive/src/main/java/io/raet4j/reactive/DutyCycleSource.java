package io.raet4j.reactive;

import io.raet4j.transactions.DutyCycleTask;
import io.raet4j.transactions.Stack;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link RecordSource} over a bounded ring that a stack's duty cycle fills and stops filling when it is full (a
 * {@code ConcurrentReceiver}'s, a {@code ConcurrentSubscription}'s): this source is a duty-cycle task, added after
 * whatever fills the ring, that tells the publisher when the ring took more, and detaches the ring from the duty
 * cycle when the stream is cancelled or closed, or when {@link #ending()} gives a reason to end it.
 * <p>
 * The stack has no hook for its own close, so a subscribed source looks every {@link #STACK_CHECK_INTERVAL_MS} for a
 * closed stack, and ends on the second look that finds it closed (so that a duty cycle still running as the stack
 * closed has put its last item in the ring).
 * <p>
 * Threading: {@link #doWork()}, {@link #detach()} and {@link #ending()} on the stack's duty-cycle thread;
 * {@link #close()}, {@link #cancel()}, {@link #isClosed()} and {@link #taken()} from any thread; {@link #pollRing}
 * from the publisher's drain, which hands each item to {@link #emit}; the rest as {@link RecordSource} says.
 *
 * @param <T> the items.
 */
abstract class DutyCycleSource<T> implements RecordSource<T>, DutyCycleTask
{
    /** How often a subscribed source looks whether its stack was closed, in milliseconds. */
    static final long STACK_CHECK_INTERVAL_MS = 100;

    private static final int OPEN = 0;
    private static final int CLOSE = 1;
    private static final int CANCEL = 2;

    private final Stack stack;
    private final Executor stackChecks;
    private final Runnable stackCheck = this::checkStack;
    private final AtomicInteger stop = new AtomicInteger(OPEN);
    private final AtomicBoolean isEndedOnce = new AtomicBoolean();
    private volatile SourceListener listener = SourceListener.NONE;
    private volatile Throwable error;
    private volatile boolean isEnded;
    private boolean isDetached;
    private long lastTaken;
    private boolean isStackClosedSeen;
    private long handedOver;
    private int handed;
    private Consumer<? super T> sink;

    /**
     * A source over a ring the stack's duty cycle fills.
     *
     * @param stack    whose duty cycle runs this source, and whose close ends it.
     * @param executor the stack checks run on.
     */
    DutyCycleSource(final Stack stack, final Executor executor)
    {
        this.stack = stack;
        this.stackChecks = CompletableFuture.delayedExecutor(STACK_CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS, executor);
    }

    /**
     * Items the ring took in so far: handed over, or waiting for demand. Any thread.
     *
     * @return the count.
     */
    abstract long taken();

    /**
     * Read up to {@code limit} records of the ring, handing each item to {@link #emit}. A record holds at most one
     * item. From the publisher's drain.
     *
     * @param limit most records to read, at least 1.
     * @return the records read, 0 if none is waiting.
     */
    abstract int pollRing(int limit);

    /**
     * Stop filling the ring: whatever the subclass attached to the stack besides this task. On the duty-cycle thread,
     * once; this task is removed from the duty cycle right after.
     */
    abstract void detach();

    /**
     * Why the stream should end now with an error, checked every duty cycle.
     *
     * @return the error, or null to go on.
     */
    Throwable ending()
    {
        return null;
    }

    /**
     * Stop taking items in: the stream completes once those in the ring are handed over. Any thread; the ring is
     * detached at the start of the next duty cycle.
     */
    final void close()
    {
        stop.compareAndSet(OPEN, CLOSE);
    }

    /**
     * Whether {@link #close()} or {@link #cancel()} was called, or the source ended otherwise.
     *
     * @return true once it takes no more items in, or will not from the next duty cycle.
     */
    final boolean isClosed()
    {
        return OPEN != stop.get() || isEnded;
    }

    /**
     * End a source that never attached a ring, before it is given to another thread: it is ended already, with this
     * error.
     *
     * @param error to end the stream with.
     */
    final void endAtOnce(final Throwable error)
    {
        isDetached = true;
        end(error);
    }

    /**
     * Hand one item to the publisher's sink, from {@link #pollRing}.
     *
     * @param item a value the subscriber may keep.
     */
    final void emit(final T item)
    {
        handedOver++;
        handed++;
        sink.accept(item);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final void start(final SourceListener listener)
    {
        this.listener = listener;
        if (!isEnded)
        {
            checkLater();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final int poll(final Consumer<? super T> sink, final int limit)
    {
        this.sink = sink;
        handed = 0;
        try
        {
            // A ring record holds at most one item (a long one takes several, some none), so a read of
            // (limit - handed) records hands over no more than that many items.
            int records;
            do
            {
                records = pollRing(limit - handed);
            }
            while (records > 0 && handed < limit);
        }
        finally
        {
            this.sink = null;
        }
        return handed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final boolean isEmpty()
    {
        return handedOver >= taken();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final boolean isEnded()
    {
        return isEnded;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final Throwable error()
    {
        return error;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final void cancel()
    {
        stop.set(CANCEL);
    }

    /**
     * Tell the publisher of items the ring took since the last cycle; detach when the stream is stopped.
     *
     * @return 1 if it detached, else 0: whatever fills the ring counts the items moved.
     */
    @Override
    public final int doWork()
    {
        if (isDetached)
        {
            return 0;
        }
        final Throwable ending = ending();
        if (OPEN != stop.get() || null != ending)
        {
            isDetached = true;
            detach();
            stack.removeDutyCycleTask(this);
            end(ending);
            return 1;
        }
        final long taken = taken();
        if (taken != lastTaken)
        {
            lastTaken = taken;
            listener.onAvailable();
        }
        return 0;
    }

    private void end(final Throwable error)
    {
        if (isEndedOnce.compareAndSet(false, true))
        {
            this.error = error;
            isEnded = true;
            listener.onEnded();
        }
    }

    private void checkStack()
    {
        if (CANCEL == stop.get() || isEnded)
        {
            return;
        }
        if (stack.isClosed())
        {
            if (isStackClosedSeen)
            {
                end(null);
                return;
            }
            isStackClosedSeen = true;
        }
        checkLater();
    }

    private void checkLater()
    {
        try
        {
            stackChecks.execute(stackCheck);
        }
        catch (final RejectedExecutionException ignore)
        {
            // The executor was shut down: the stream then ends by close, cancel or the subclass's reason only.
        }
    }
}
