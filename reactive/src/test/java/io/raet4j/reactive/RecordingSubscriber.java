package io.raet4j.reactive;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber for the tests that records what it gets and checks, as it goes, the rules a publisher must keep: one
 * signal at a time, nothing after the end, no more items than requested.
 *
 * @param <T> the items.
 */
final class RecordingSubscriber<T> implements Flow.Subscriber<T>
{
    private final LinkedBlockingQueue<T> items = new LinkedBlockingQueue<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean isInSignal = new AtomicBoolean();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private volatile Consumer<T> onNext = (item) -> {};

    /**
     * Run something in each onNext, after the item is recorded: a request, say.
     *
     * @param onNext to run.
     * @return this.
     */
    RecordingSubscriber<T> onEach(final Consumer<T> onNext)
    {
        this.onNext = onNext;
        return this;
    }

    public void onSubscribe(final Flow.Subscription s)
    {
        enter("onSubscribe");
        if (!subscription.complete(s))
        {
            violations.add("onSubscribe twice");
        }
        leave();
    }

    public void onNext(final T item)
    {
        enter("onNext");
        if (end.isDone())
        {
            violations.add("onNext after the end");
        }
        if (received.incrementAndGet() > requested.get())
        {
            violations.add("onNext beyond demand: " + received.get() + " > " + requested.get());
        }
        items.add(item);
        onNext.accept(item);
        leave();
    }

    public void onError(final Throwable error)
    {
        enter("onError");
        if (!end.completeExceptionally(error))
        {
            violations.add("a second end: onError");
        }
        leave();
    }

    public void onComplete()
    {
        enter("onComplete");
        if (!end.complete(null))
        {
            violations.add("a second end: onComplete");
        }
        leave();
    }

    /**
     * Request more.
     *
     * @param n how many.
     */
    void request(final long n)
    {
        requested.getAndUpdate((r) -> r + n < 0 ? Long.MAX_VALUE : r + n);
        subscription().request(n);
    }

    /**
     * Cancel.
     */
    void cancel()
    {
        subscription().cancel();
    }

    /**
     * The subscription, once onSubscribe came.
     *
     * @return the subscription.
     */
    Flow.Subscription subscription()
    {
        return subscription.orTimeout(30, TimeUnit.SECONDS).join();
    }

    /**
     * Wait for items.
     *
     * @param count     how many.
     * @param timeoutMs at most this long for each.
     * @return the items, fewer if one did not come in time.
     * @throws InterruptedException if interrupted.
     */
    List<T> take(final int count, final long timeoutMs) throws InterruptedException
    {
        final List<T> taken = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final T item = items.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (null == item)
            {
                break;
            }
            taken.add(item);
        }
        return taken;
    }

    /**
     * Items received so far and not taken.
     *
     * @return the count.
     */
    int waiting()
    {
        return items.size();
    }

    /**
     * Items received so far.
     *
     * @return the count.
     */
    long received()
    {
        return received.get();
    }

    /**
     * The end: completes on onComplete, exceptionally on onError.
     *
     * @return the future.
     */
    CompletableFuture<Void> end()
    {
        return end;
    }

    /**
     * Fail if a rule was broken.
     */
    void assertNoViolations()
    {
        assertEquals(List.of(), violations, "Reactive Streams rules broken");
        assertTrue(received.get() <= requested.get());
    }

    private void enter(final String signal)
    {
        if (!isInSignal.compareAndSet(false, true))
        {
            violations.add(signal + " while another signal was running");
        }
    }

    private void leave()
    {
        isInSignal.set(false);
    }
}
