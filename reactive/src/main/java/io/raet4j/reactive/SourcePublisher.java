package io.raet4j.reactive;

import org.agrona.ErrorHandler;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The demand machinery of a unicast {@link Flow.Publisher} over a {@link RecordSource}: one subscriber, once; every
 * signal to it (onSubscribe, onNext, onError, onComplete) comes from one drain loop that runs on the executor given,
 * one run at a time (a work-in-progress counter hands the loop from one signal to the next), so the signals are
 * serialized without a lock and a {@code request} made inside {@code onNext} only adds demand for the loop to serve
 * (no recursion, rule 3.3).
 * <p>
 * The drain polls the source for at most the outstanding demand, so the subscriber never gets more than it asked for;
 * what it has not asked for stays in the source's bounded buffer, which then stops taking items in: demand is the
 * back-pressure. Once the source has ended and its buffer is empty the drain signals {@code onComplete} or
 * {@code onError}, with or without demand. A run hands over at most {@link #DRAIN_BATCH} items, then gives its thread
 * back to the executor and continues in a new task.
 * <p>
 * A subscriber that throws from a signal (a breach of rule 2.13) is cancelled and the throwable goes to the error
 * handler. If the executor refuses the drain's task, the stream ends with {@code onError} of that refusal, signalled
 * on the thread that found it.
 *
 * @param <T> the items.
 */
final class SourcePublisher<T> implements Flow.Publisher<T>, SourceListener
{
    /** Most items one run of the drain hands over before it gives its thread back to the executor. */
    static final int DRAIN_BATCH = 256;

    private static final Flow.Subscription NO_SUBSCRIPTION = new Flow.Subscription()
    {
        public void request(final long n)
        {
        }

        public void cancel()
        {
        }
    };

    private final RecordSource<T> source;
    private final Executor executor;
    private final ErrorHandler errorHandler;
    private final String rejection;
    private final AtomicBoolean isSubscribed = new AtomicBoolean();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable drainTask = this::drain;
    private final Consumer<T> emitter = this::emit;
    private final Flow.Subscription subscription = new Subscription();
    private volatile Flow.Subscriber<? super T> subscriber;
    private volatile boolean isCancelled;
    private volatile boolean isInvalidRequest;
    private volatile long invalidRequest;
    private volatile RuntimeException executorRefusal;
    private boolean isOnSubscribeSignalled;
    private boolean isTerminated;
    private Flow.Subscriber<? super T> current;

    /**
     * A publisher over a source.
     *
     * @param source       of the items.
     * @param executor     the drain runs on.
     * @param errorHandler told of a subscriber that throws.
     * @param rejection    the message a second subscriber's {@link IllegalStateException} carries.
     */
    SourcePublisher(
        final RecordSource<T> source, final Executor executor, final ErrorHandler errorHandler, final String rejection)
    {
        this.source = source;
        this.executor = executor;
        this.errorHandler = errorHandler;
        this.rejection = rejection;
    }

    /**
     * Subscribe the one subscriber: its signals come from the executor. A later subscriber gets a subscription that
     * does nothing and {@code onError} with an {@link IllegalStateException}, on the calling thread (rule 1.9).
     *
     * @param subscriber to signal.
     * @throws NullPointerException if the subscriber is null (rule 1.9).
     */
    public void subscribe(final Flow.Subscriber<? super T> subscriber)
    {
        Objects.requireNonNull(subscriber, "subscriber is null (Reactive Streams rule 1.9)");
        if (!isSubscribed.compareAndSet(false, true))
        {
            try
            {
                subscriber.onSubscribe(NO_SUBSCRIPTION);
                subscriber.onError(new IllegalStateException(rejection));
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(ex);
            }
            return;
        }
        this.subscriber = subscriber;
        source.start(this);
        schedule();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onAvailable()
    {
        if (requested.get() > 0 && null != subscriber)
        {
            schedule();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onEnded()
    {
        schedule();
    }

    private void schedule()
    {
        if (0 == wip.getAndIncrement())
        {
            try
            {
                executor.execute(drainTask);
            }
            catch (final RejectedExecutionException ex)
            {
                executorRefusal = ex;
                drain();
            }
        }
    }

    private void drain()
    {
        int missed = 1;
        while (true)
        {
            final Flow.Subscriber<? super T> s = subscriber;
            if (null != s && !isTerminated)
            {
                if (!isOnSubscribeSignalled)
                {
                    isOnSubscribeSignalled = true;
                    signalOnSubscribe(s);
                }
                if (drainOnce(s))
                {
                    // Gave the thread back: a new task carries on, with the work-in-progress count still held.
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
            if (0 == missed)
            {
                return;
            }
        }
    }

    /**
     * Serve the demand, then end the stream if the source is over.
     *
     * @param s the subscriber.
     * @return true if the run stopped to give its thread back and a new task was given to the executor.
     */
    private boolean drainOnce(final Flow.Subscriber<? super T> s)
    {
        if (isCancelled)
        {
            release();
            return false;
        }
        if (null != executorRefusal)
        {
            terminate(s, executorRefusal);
            return false;
        }
        if (isInvalidRequest)
        {
            terminate(s, new IllegalArgumentException("Reactive Streams rule 3.9: non-positive subscription request " +
                invalidRequest + ": request at least 1; the subscription is cancelled"));
            return false;
        }
        final long demand = requested.get();
        long emitted = 0;
        current = s;
        try
        {
            while (emitted != demand)
            {
                if (isCancelled)
                {
                    release();
                    return false;
                }
                if (emitted >= DRAIN_BATCH)
                {
                    produced(demand, emitted);
                    return yieldThread();
                }
                final boolean isEnded = source.isEnded();
                final int handed = source.poll(emitter, (int)Math.min(demand - emitted, DRAIN_BATCH - emitted));
                if (0 == handed)
                {
                    if (isEnded && !isCancelled)
                    {
                        terminate(s, source.error());
                        return false;
                    }
                    break;
                }
                emitted += handed;
            }
        }
        finally
        {
            current = null;
        }
        produced(demand, emitted);
        if (isCancelled)
        {
            release();
        }
        else if (emitted == demand && source.isEnded() && source.isEmpty())
        {
            terminate(s, source.error());
        }
        return false;
    }

    private boolean yieldThread()
    {
        try
        {
            executor.execute(drainTask);
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            executorRefusal = ex;
            return false;
        }
    }

    private void produced(final long demand, final long emitted)
    {
        if (0 != emitted && Long.MAX_VALUE != demand)
        {
            requested.addAndGet(-emitted);
        }
    }

    private void signalOnSubscribe(final Flow.Subscriber<? super T> s)
    {
        try
        {
            s.onSubscribe(subscription);
        }
        catch (final Throwable ex)
        {
            subscription.cancel();
            errorHandler.onError(new IllegalStateException(
                "a subscriber threw from onSubscribe (Reactive Streams rule 2.13): its subscription is cancelled", ex));
        }
    }

    private void emit(final T item)
    {
        final Flow.Subscriber<? super T> s = current;
        if (isCancelled || null == s)
        {
            return;
        }
        try
        {
            s.onNext(item);
        }
        catch (final Throwable ex)
        {
            subscription.cancel();
            errorHandler.onError(new IllegalStateException(
                "a subscriber threw from onNext (Reactive Streams rule 2.13): its subscription is cancelled", ex));
        }
    }

    private void terminate(final Flow.Subscriber<? super T> s, final Throwable error)
    {
        release();
        try
        {
            if (null == error)
            {
                s.onComplete();
            }
            else
            {
                s.onError(error);
            }
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void release()
    {
        isTerminated = true;
        subscriber = null;
        current = null;
        source.cancel();
    }

    /**
     * The one subscriber's subscription: request and cancel from any thread.
     */
    private final class Subscription implements Flow.Subscription
    {
        public void request(final long n)
        {
            if (isCancelled)
            {
                return;
            }
            if (n <= 0)
            {
                if (!isInvalidRequest)
                {
                    invalidRequest = n;
                    isInvalidRequest = true;
                }
            }
            else
            {
                long before;
                long next;
                do
                {
                    before = requested.get();
                    next = before + n;
                    if (next < 0)
                    {
                        next = Long.MAX_VALUE;
                    }
                }
                while (!requested.compareAndSet(before, next));
            }
            schedule();
        }

        public void cancel()
        {
            if (!isCancelled)
            {
                isCancelled = true;
                subscriber = null;
                source.cancel();
            }
        }

        public String toString()
        {
            return "Subscription[requested=" + requested.get() + ", cancelled=" + isCancelled + "]";
        }
    }
}
