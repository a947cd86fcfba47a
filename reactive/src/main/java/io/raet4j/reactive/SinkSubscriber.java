package io.raet4j.reactive;

import io.raet4j.transactions.Stack;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demand machinery of a {@link Flow.Subscriber} that offers what its upstream produces into a {@link RecordSink}:
 * it requests {@code prefetch} items, holds those not yet taken in a queue of that size, and requests more only as
 * the sink takes them (three quarters of {@code prefetch} at a time). A full sink
 * ({@link Stack#BACK_PRESSURED}) is not a loss: the item stays first in the queue and is offered again after the
 * sink's next drain ({@link RecordSink#retryLater}); if that retry is refused too, every
 * {@link #STALLED_RETRY_INTERVAL_MS} ms from the executor, so that no thread spins and a long stall does not keep the
 * sink's duty cycle from idling (a retry that gave itself to the sink's drain again would run again in the same
 * cycle, before anything was drained). No more is requested until the item is taken: the upstream's demand is the
 * sink's room.
 * <p>
 * Items are offered by one drain loop at a time (a work-in-progress counter hands it between the upstream's thread,
 * in {@code onNext}, and the sink's retries), in the order they came. Calls on the upstream's subscription (request,
 * cancel) are serialized too (rule 2.7); those the retry path decides are made from the executor, so the upstream's
 * code never runs on the sink's (duty-cycle) thread.
 * <p>
 * After {@code onComplete} or {@code onError} the items already received still go; {@link #whenHandedOver()} then
 * completes: with the number of items taken by the sink, or with the upstream's error. A sink that refuses an item for
 * good (closed, too large) ends it: the upstream is cancelled (unless it ended), the items still queued are dropped,
 * and the future completes with the sink's error.
 *
 * @param <T> the items.
 */
final class SinkSubscriber<T> implements Flow.Subscriber<T>
{
    /** Interval of the retries once a retry was refused too, in milliseconds. */
    static final long STALLED_RETRY_INTERVAL_MS = 1;

    private final RecordSink<T> sink;
    private final Executor executor;
    private final int prefetch;
    private final int replenishAt;
    private final OneToOneConcurrentArrayQueue<T> pending;
    private final AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicInteger requestWip = new AtomicInteger();
    private final AtomicLong requestsOwed = new AtomicLong();
    private final AtomicBoolean isRetryScheduled = new AtomicBoolean();
    private final AtomicLong handedOver = new AtomicLong();
    private final CompletableFuture<Long> handedOverFuture = new CompletableFuture<>();
    private final Runnable retryTask = this::onRetry;
    private final Runnable flushTask = this::flushRequests;
    private final Executor stalledRetries;
    private volatile boolean isUpstreamDone;
    private volatile Throwable upstreamError;
    private volatile boolean isCancelRequested;
    private volatile RuntimeException failure;
    private boolean isCancelSent;
    private boolean isFinishing;
    private int sinceRequest;
    private volatile long retries;

    /**
     * A subscriber offering into a sink.
     *
     * @param sink     to offer to.
     * @param prefetch most items requested and not yet taken by the sink, at least 1.
     * @param executor where calls on the upstream's subscription decided on the retry path run.
     */
    SinkSubscriber(final RecordSink<T> sink, final int prefetch, final Executor executor)
    {
        this.sink = sink;
        this.executor = executor;
        this.prefetch = prefetch;
        this.replenishAt = Math.max(1, prefetch - (prefetch >> 2));
        this.pending = new OneToOneConcurrentArrayQueue<>(Math.max(2, prefetch));
        this.stalledRetries = CompletableFuture.delayedExecutor(
            STALLED_RETRY_INTERVAL_MS, TimeUnit.MILLISECONDS, executor);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onSubscribe(final Flow.Subscription subscription)
    {
        Objects.requireNonNull(subscription, "subscription is null (Reactive Streams rule 2.13)");
        if (!upstream.compareAndSet(null, subscription))
        {
            // Rule 2.5: one subscription at a time.
            subscription.cancel();
            return;
        }
        requestsOwed.addAndGet(prefetch);
        flushRequests();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onNext(final T item)
    {
        Objects.requireNonNull(item, "item is null (Reactive Streams rule 2.13)");
        if (null != failure || isCancelRequested)
        {
            return;
        }
        if (!pending.offer(item))
        {
            fail(new IllegalStateException("the upstream signalled more items than requested (Reactive Streams " +
                "rule 1.1): " + prefetch + " were outstanding at most; it is cancelled"), true);
        }
        drain(true);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onError(final Throwable error)
    {
        Objects.requireNonNull(error, "error is null (Reactive Streams rule 2.13)");
        upstreamError = error;
        isUpstreamDone = true;
        drain(true);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onComplete()
    {
        isUpstreamDone = true;
        drain(true);
    }

    /**
     * Cancel the upstream: items already received are still offered, later ones ignored. Any thread, idempotent.
     */
    void cancel()
    {
        isCancelRequested = true;
        flushRequests();
        drain(true);
    }

    /**
     * Completes once the upstream ended (or the subscriber was cancelled) and every item received was taken by the
     * sink.
     *
     * @return the future: the number of items taken, or the upstream's error, or the sink's refusal.
     */
    CompletableFuture<Long> whenHandedOver()
    {
        return handedOverFuture;
    }

    /**
     * Items the sink took so far.
     *
     * @return the count.
     */
    long handedOver()
    {
        return handedOver.get();
    }

    /**
     * Retries scheduled so far, for tests of how often a stalled sink is tried.
     *
     * @return the count.
     */
    long retries()
    {
        return retries;
    }

    /**
     * Offer the queued items in order, one drain at a time.
     *
     * @param isOnCallersThread true on the upstream's (or the application's) thread, where requests may be made
     *                          directly; false on a retry's thread (the sink's, or the executor's), from where they
     *                          go through the executor.
     */
    private void drain(final boolean isOnCallersThread)
    {
        if (0 != wip.getAndIncrement())
        {
            return;
        }
        int missed = 1;
        while (true)
        {
            offerPending(isOnCallersThread);
            final RuntimeException refusal = failure;
            if (null != refusal)
            {
                pending.clear();
                finish(refusal, isOnCallersThread);
            }
            else if (pending.isEmpty() && (isUpstreamDone || isCancelRequested))
            {
                finish(upstreamError, isOnCallersThread);
            }
            missed = wip.addAndGet(-missed);
            if (0 == missed)
            {
                return;
            }
        }
    }

    /**
     * Complete {@link #whenHandedOver()}: through the executor when on the sink's thread, so that what the application
     * chained on the future does not run on the duty cycle.
     */
    private void finish(final Throwable error, final boolean isOnCallersThread)
    {
        if (handedOverFuture.isDone() || isFinishing)
        {
            return;
        }
        isFinishing = true;
        final long count = handedOver.get();
        final Runnable completion = () ->
        {
            if (null == error)
            {
                handedOverFuture.complete(count);
            }
            else
            {
                handedOverFuture.completeExceptionally(error);
            }
        };
        if (isOnCallersThread)
        {
            completion.run();
            return;
        }
        try
        {
            executor.execute(completion);
        }
        catch (final RejectedExecutionException ex)
        {
            completion.run();
        }
    }

    private void offerPending(final boolean isOnCallersThread)
    {
        T item;
        while (null == failure && null != (item = pending.peek()))
        {
            final long result = sink.offer(item);
            if (RecordSink.OFFERED == result)
            {
                pending.poll();
                handedOver.incrementAndGet();
                if (++sinceRequest >= replenishAt && !isUpstreamDone && !isCancelRequested)
                {
                    requestsOwed.addAndGet(sinceRequest);
                    sinceRequest = 0;
                    callUpstream(isOnCallersThread);
                }
            }
            else if (Stack.BACK_PRESSURED == result)
            {
                scheduleRetry(isOnCallersThread);
                return;
            }
            else
            {
                fail(sink.refusal(item, result), isOnCallersThread);
                return;
            }
        }
    }

    /**
     * Have the item at the head offered again: after the sink's next drain the first time, a while later when a retry
     * was refused too.
     *
     * @param isOnCallersThread false on a retry's thread.
     */
    private void scheduleRetry(final boolean isOnCallersThread)
    {
        if (!isRetryScheduled.compareAndSet(false, true))
        {
            return;
        }
        retries++;
        if (!isOnCallersThread)
        {
            try
            {
                stalledRetries.execute(retryTask);
                return;
            }
            catch (final RejectedExecutionException ex)
            {
                // The executor is shut down: fall back on the sink's drain.
            }
        }
        if (!sink.retryLater(retryTask))
        {
            isRetryScheduled.set(false);
            fail(sink.refusal(null, Stack.CLOSED), isOnCallersThread);
        }
    }

    private void onRetry()
    {
        isRetryScheduled.set(false);
        drain(false);
    }

    private void fail(final RuntimeException error, final boolean isOnCallersThread)
    {
        if (null == failure)
        {
            failure = error;
            if (!isUpstreamDone)
            {
                // Rule 2.3: once the upstream signalled its end, its subscription is not called.
                isCancelRequested = true;
                callUpstream(isOnCallersThread);
            }
        }
    }

    private void callUpstream(final boolean isOnCallersThread)
    {
        if (isOnCallersThread)
        {
            flushRequests();
            return;
        }
        try
        {
            executor.execute(flushTask);
        }
        catch (final RejectedExecutionException ex)
        {
            flushRequests();
        }
    }

    /**
     * Make the requests owed and the cancel asked for, serialized (rule 2.7): a call made while another thread is in
     * here is made by that thread before it leaves.
     */
    private void flushRequests()
    {
        if (0 != requestWip.getAndIncrement())
        {
            return;
        }
        int missed = 1;
        while (true)
        {
            final Flow.Subscription subscription = upstream.get();
            if (null != subscription && !isCancelSent)
            {
                if (isCancelRequested)
                {
                    isCancelSent = true;
                    subscription.cancel();
                }
                else
                {
                    final long n = requestsOwed.getAndSet(0);
                    if (n > 0)
                    {
                        subscription.request(n);
                    }
                }
            }
            missed = requestWip.addAndGet(-missed);
            if (0 == missed)
            {
                return;
            }
        }
    }
}
