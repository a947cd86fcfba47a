package io.raet4j.reactive;

import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Flow.Subscriber} that sends what its upstream produces to one estate on one channel, through a
 * {@link ConcurrentSender}: each item (a {@code byte[]}) is one message.
 * <p>
 * <b>Demand is the sender's room.</b> It requests {@link Options#prefetch()} items at first, and more only as the
 * sender's ring takes them (three quarters of the prefetch at a time). When the ring is full
 * ({@link Stack#BACK_PRESSURED}: the stack's channel is full because the receiver is slow) the item is held, not
 * dropped, and offered again after the duty cycle's next drain of the ring (a task given to
 * {@link ConcurrentSender#execute}); if that is refused too, every millisecond from the executor, so that no thread
 * spins and a long stall does not keep the duty cycle from idling (give the sender a ring that holds more than a
 * millisecond of sending, as the default 1 MiB does, and those pauses cost no throughput). Meanwhile nothing more is
 * requested, and the upstream is held back as its own rules say ({@link java.util.concurrent.SubmissionPublisher#submit} blocks, {@code offer} drops or
 * retries). At most {@code prefetch} items wait here; the rest wait upstream. The upstream's code never runs on the
 * duty-cycle thread: requests decided there go through {@link Options#executor()}.
 * <p>
 * <b>Outcomes.</b> Each message's outcome comes as for any {@link ConcurrentSender#offer}: to the stack's
 * {@link DeliveryHandler}s, and to the sender's {@link ConcurrentSender.UnsentHandler} for one the stack refused when
 * the ring was drained (the estate not joined, say). {@link #whenHandedOver()} completes when the upstream ended and
 * every item it produced was taken by the ring; it does not wait for the outcomes. (Waiting for them would take one
 * tracked offer, a future and its bookkeeping, per item.)
 * <p>
 * <b>Ends.</b> After the upstream's {@code onComplete} or {@code onError}, the items already received still go, then
 * {@link #whenHandedOver()} completes: with the number of items taken, or with the upstream's error. {@link #cancel()}
 * cancels the upstream; items already received still go. If the sender refuses an item for good (it is closed, or the
 * item is longer than {@link ConcurrentSender#maxMessageLength()}), the stream stops there: the upstream is cancelled,
 * the items waiting here are dropped, and the future completes with an exception that says why.
 * <p>
 * One ring serves every user of a {@link ConcurrentSender}: a channel held back by its receiver holds back the
 * messages behind it, whatever their channel. Give a stream whose receiver may lag a sender of its own.
 * <p>
 * Threading: {@link #create} and {@link #cancel()} from any thread; the {@code Flow.Subscriber} methods as the Reactive
 * Streams rules say (serially, from the upstream).
 */
public final class MessageSubscriber implements Flow.Subscriber<byte[]>
{
    private final SinkSubscriber<byte[]> subscriber;
    private final long estateId;
    private final int channel;

    private MessageSubscriber(final SinkSubscriber<byte[]> subscriber, final long estateId, final int channel)
    {
        this.subscriber = subscriber;
        this.estateId = estateId;
        this.channel = channel;
    }

    /**
     * A subscriber sending to an estate on a channel, with the default {@link Options}.
     *
     * @param sender   to send through; its stack's duty cycle drains it.
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @return the subscriber, to subscribe to one upstream.
     * @throws IllegalArgumentException if the channel is not in 0 to 255.
     */
    public static MessageSubscriber create(final ConcurrentSender sender, final long estateId, final int channel)
    {
        return create(sender, estateId, channel, new Options());
    }

    /**
     * A subscriber sending to an estate on a channel. Any thread.
     *
     * @param sender   to send through; its stack's duty cycle drains it.
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @param options  prefetch and executor.
     * @return the subscriber, to subscribe to one upstream.
     * @throws IllegalArgumentException if the channel is not in 0 to 255.
     */
    public static MessageSubscriber create(
        final ConcurrentSender sender, final long estateId, final int channel, final Options options)
    {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(options, "options");
        if (channel < 0 || channel >= StackContext.CHANNEL_COUNT)
        {
            throw new IllegalArgumentException("channel " + channel + " is not in 0 to " +
                (StackContext.CHANNEL_COUNT - 1));
        }
        final SenderSink sink = new SenderSink(sender, estateId, channel, options.executor());
        return new MessageSubscriber(
            new SinkSubscriber<>(sink, options.prefetch(), options.executor()), estateId, channel);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onSubscribe(final Flow.Subscription subscription)
    {
        subscriber.onSubscribe(subscription);
    }

    /**
     * Send an item: it is copied into the sender's ring (now, or once the ring has room).
     *
     * @param item the message's bytes; not kept after it is copied.
     */
    public void onNext(final byte[] item)
    {
        subscriber.onNext(item);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onError(final Throwable error)
    {
        subscriber.onError(error);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onComplete()
    {
        subscriber.onComplete();
    }

    /**
     * Cancel the upstream: the items already received still go, later ones are ignored; then
     * {@link #whenHandedOver()} completes. Any thread, idempotent.
     */
    public void cancel()
    {
        subscriber.cancel();
    }

    /**
     * Completes once the upstream ended (or {@link #cancel()} was called) and every item received was taken by the
     * sender's ring: normally with the number taken, exceptionally with the upstream's error or with the sender's
     * refusal (the sender closed, an item too long). The messages' outcomes come later, to the stack's delivery
     * handlers.
     *
     * @return the future.
     */
    public CompletableFuture<Long> whenHandedOver()
    {
        return subscriber.whenHandedOver();
    }

    /**
     * Items taken by the sender's ring so far.
     *
     * @return the count.
     */
    public long messagesHandedOver()
    {
        return subscriber.handedOver();
    }

    /**
     * Retries of a refused item scheduled so far, for the tests.
     *
     * @return the count.
     */
    long retries()
    {
        return subscriber.retries();
    }

    /**
     * The estate the messages go to.
     *
     * @return its id.
     */
    public long estateId()
    {
        return estateId;
    }

    /**
     * The channel the messages go on.
     *
     * @return 0 to 255.
     */
    public int channel()
    {
        return channel;
    }

    /**
     * Settings of a {@link MessageSubscriber}, read at {@link #create}.
     */
    public static final class Options
    {
        /** Default {@link #prefetch()}. */
        public static final int PREFETCH_DEFAULT = 64;

        private int prefetch = PREFETCH_DEFAULT;
        private Executor executor = ForkJoinPool.commonPool();

        /**
         * The defaults: a prefetch of {@link #PREFETCH_DEFAULT}, {@link ForkJoinPool#commonPool()}.
         */
        public Options()
        {
        }

        /**
         * Most items requested from the upstream and not yet taken by the sender's ring.
         *
         * @return the count.
         */
        public int prefetch()
        {
            return prefetch;
        }

        /**
         * Most items requested from the upstream and not yet taken by the sender's ring: the items this subscriber
         * may hold while the ring is full. The ring is the buffer; this only smooths the requests.
         *
         * @param prefetch at least 1; default {@link #PREFETCH_DEFAULT}.
         * @return this for a fluent API.
         */
        public Options prefetch(final int prefetch)
        {
            if (prefetch < 1 || prefetch > 1 << 20)
            {
                throw new IllegalArgumentException("prefetch must be 1 to " + (1 << 20) + ", was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Where requests to the upstream decided on the duty-cycle thread are made.
         *
         * @return the executor.
         */
        public Executor executor()
        {
            return executor;
        }

        /**
         * Where requests to the upstream decided on the duty-cycle thread (after a full ring drained) are made, so
         * that an upstream which produces inside {@code request} does not run on that thread; {@link #whenHandedOver}
         * is completed there too when the last item went on that path. An executor that runs tasks in the calling
         * thread ({@code Runnable::run}) defeats this.
         *
         * @param executor the executor; default {@link ForkJoinPool#commonPool()}.
         * @return this for a fluent API.
         */
        public Options executor(final Executor executor)
        {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }
    }

    /**
     * The sender's ring for one estate and channel.
     */
    private static final class SenderSink implements RecordSink<byte[]>
    {
        private final ConcurrentSender sender;
        private final long estateId;
        private final int channel;
        private final Executor fallback;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);

        SenderSink(final ConcurrentSender sender, final long estateId, final int channel, final Executor executor)
        {
            this.sender = sender;
            this.estateId = estateId;
            this.channel = channel;
            this.fallback = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, executor);
        }

        public long offer(final byte[] item)
        {
            buffer.wrap(item);
            return sender.offer(estateId, channel, buffer, 0, item.length);
        }

        public boolean retryLater(final Runnable retry)
        {
            if (sender.execute(retry))
            {
                return true;
            }
            if (sender.isClosed())
            {
                return false;
            }
            // The sender's task queue is full (1,024 tasks): retry a millisecond later instead.
            fallback.execute(retry);
            return true;
        }

        public RuntimeException refusal(final byte[] item, final long refusal)
        {
            if (Stack.CLOSED == refusal)
            {
                return new IllegalStateException("the ConcurrentSender is closed: the items not yet handed over to " +
                    "estate " + Long.toHexString(estateId) + " on channel " + channel + " are not sent; give a " +
                    "stream a sender that outlives it");
            }
            if (Stack.MESSAGE_TOO_LARGE == refusal)
            {
                return new IllegalArgumentException("an item of " + (null == item ? -1 : item.length) + " bytes is " +
                    "longer than the sender takes (" + sender.maxMessageLength() + "): the stream stops there; " +
                    "split such items, or give the sender a larger ring and the stack a larger maxMessageBytes");
            }
            return new IllegalStateException("the sender refused an item for estate " + Long.toHexString(estateId) +
                " on channel " + channel + " with status " + refusal);
        }
    }
}
