package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Flow.Subscriber} that publishes what its upstream produces on one topic, through a
 * {@link ConcurrentPublisher}: each item (a {@code byte[]}) is one publication.
 * <p>
 * <b>Demand is the publisher's room.</b> It requests {@link Options#prefetch()} items at first, and more only as the
 * publisher's ring takes them (three quarters of the prefetch at a time). When the ring is full
 * ({@link PubSub#BACK_PRESSURED}: the layer is slow to drain it, or a {@link Publisher#blocking() blocking} topic is
 * held back by a subscribing estate that cannot take more) the item is held, not dropped, and offered again after the
 * duty cycle's next drain of the ring (a task given to {@link ConcurrentPublisher#execute}); if that is refused too,
 * every millisecond from the executor, so that no thread spins and a long stall does not keep the duty cycle from
 * idling. Meanwhile nothing more is requested, and the upstream is held back as its own rules say
 * ({@link java.util.concurrent.SubmissionPublisher#submit} blocks). At most {@code prefetch} items wait here; the rest
 * wait upstream. The upstream's code never runs on the duty-cycle thread: requests decided there go through
 * {@link Options#executor()}.
 * <p>
 * <b>What reaches the ring is published as the layer publishes.</b> Each estate whose interest matches gets a copy,
 * unless its channel is full: a normal topic then skips it (counted in {@link ConcurrentPublisher#skipped()}), a
 * blocking topic holds the ring back until every such estate can take it. An estate that has not yet told the layer
 * of its interest gets nothing: wait for {@link Publisher#remoteSubscribers()} before streaming to it.
 * {@link #whenHandedOver()} completes when the upstream ended and every item it produced was taken by the ring; the
 * copies' outcomes come to the layer's delivery handlers ({@link PubSub#addDeliveryHandler}).
 * <p>
 * <b>Ends.</b> After the upstream's {@code onComplete} or {@code onError}, the items already received still go, then
 * {@link #whenHandedOver()} completes: with the number of items taken, or with the upstream's error. {@link #cancel()}
 * cancels the upstream; items already received still go. If the publisher refuses an item for good (it is closed, or
 * the item is longer than {@link ConcurrentPublisher#maxPublicationLength()}), the stream stops there: the upstream is
 * cancelled, the items waiting here are dropped, and the future completes with an exception that says why. A layer
 * that closes under an open {@link ConcurrentPublisher} no longer drains it: close the publisher too, or the stream
 * waits for room that never comes.
 * <p>
 * One ring serves every user of a {@link ConcurrentPublisher}: a blocking topic held back holds back the publications
 * behind it, whatever their topic. Give a stream on a blocking topic a publisher of its own.
 * <p>
 * Threading: {@link #create} and {@link #cancel()} from any thread (the {@link Publisher} made on the layer's
 * duty-cycle thread beforehand); the {@code Flow.Subscriber} methods as the Reactive Streams rules say (serially, from
 * the upstream).
 */
public final class TopicSubscriber implements Flow.Subscriber<byte[]>
{
    private final SinkSubscriber<byte[]> subscriber;
    private final Publisher topic;

    private TopicSubscriber(final SinkSubscriber<byte[]> subscriber, final Publisher topic)
    {
        this.subscriber = subscriber;
        this.topic = topic;
    }

    /**
     * A subscriber publishing on a topic, with the default {@link Options}.
     *
     * @param publisher to publish through; its layer's duty cycle drains it.
     * @param topic     to publish on, from {@link PubSub#publisher} of the same layer.
     * @return the subscriber, to subscribe to one upstream.
     */
    public static TopicSubscriber create(final ConcurrentPublisher publisher, final Publisher topic)
    {
        return create(publisher, topic, new Options());
    }

    /**
     * A subscriber publishing on a topic. Any thread.
     *
     * @param publisher to publish through; its layer's duty cycle drains it.
     * @param topic     to publish on, from {@link PubSub#publisher} of the same layer.
     * @param options   prefetch and executor.
     * @return the subscriber, to subscribe to one upstream.
     */
    public static TopicSubscriber create(
        final ConcurrentPublisher publisher, final Publisher topic, final Options options)
    {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(options, "options");
        final PublisherSink sink = new PublisherSink(publisher, topic, options.executor());
        return new TopicSubscriber(new SinkSubscriber<>(sink, options.prefetch(), options.executor()), topic);
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
     * Publish an item: it is copied into the publisher's ring (now, or once the ring has room).
     *
     * @param item the publication's bytes; not kept after it is copied.
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
     * publisher's ring: normally with the number taken, exceptionally with the upstream's error or with the
     * publisher's refusal (closed, an item too long). The copies' outcomes come later, to the layer's delivery
     * handlers.
     *
     * @return the future.
     */
    public CompletableFuture<Long> whenHandedOver()
    {
        return subscriber.whenHandedOver();
    }

    /**
     * Items taken by the publisher's ring so far.
     *
     * @return the count.
     */
    public long publicationsHandedOver()
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
     * The topic the items are published on.
     *
     * @return the topic's publisher.
     */
    public Publisher topic()
    {
        return topic;
    }

    /**
     * Settings of a {@link TopicSubscriber}, read at {@link #create}.
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
         * Most items requested from the upstream and not yet taken by the publisher's ring.
         *
         * @return the count.
         */
        public int prefetch()
        {
            return prefetch;
        }

        /**
         * Most items requested from the upstream and not yet taken by the publisher's ring: the items this subscriber
         * may hold while the ring is full. The ring is the buffer; this only smooths the requests.
         *
         * @param prefetch 1 to 2^20; default {@link #PREFETCH_DEFAULT}.
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
         * is completed there too when the last item went on that path, and the retries of a stalled item run there.
         * An executor that runs tasks in the calling thread ({@code Runnable::run}) defeats this.
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
     * The publisher's ring for one topic.
     */
    private static final class PublisherSink implements RecordSink<byte[]>
    {
        private final ConcurrentPublisher publisher;
        private final Publisher topic;
        private final Executor fallback;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);

        PublisherSink(final ConcurrentPublisher publisher, final Publisher topic, final Executor executor)
        {
            this.publisher = publisher;
            this.topic = topic;
            this.fallback = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, executor);
        }

        public long offer(final byte[] item)
        {
            buffer.wrap(item);
            return publisher.publish(topic, buffer, 0, item.length);
        }

        public boolean retryLater(final Runnable retry)
        {
            if (publisher.execute(retry))
            {
                return true;
            }
            // The task queue is full (1,024 tasks) or the publisher closed: retry a millisecond later instead; a
            // closed publisher then refuses the item for good (CLOSED), which ends the stream.
            fallback.execute(retry);
            return true;
        }

        public RuntimeException refusal(final byte[] item, final long refusal)
        {
            if (PubSub.CLOSED == refusal)
            {
                return new IllegalStateException("the ConcurrentPublisher is closed: the items not yet handed over " +
                    "on topic " + topic.topic() + " are not published; give a stream a publisher that outlives it");
            }
            if (PubSub.MESSAGE_TOO_LARGE == refusal)
            {
                return new IllegalArgumentException("an item of " + (null == item ? -1 : item.length) + " bytes is " +
                    "longer than the publisher takes (" + publisher.maxPublicationLength() + "): the stream stops " +
                    "there; split such items, or give the publisher a larger ring (a publication may take an eighth " +
                    "of it) and the stack a larger maxMessageBytes");
            }
            return new IllegalStateException("the publisher refused an item on topic " + topic.topic() +
                " with status " + refusal);
        }
    }
}
