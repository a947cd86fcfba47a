package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentSubscription;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.HandoffRing;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;

/**
 * A pub/sub layer's publications on the topics a pattern matches, as a {@link Flow.Publisher}: from every estate the
 * layer is joined with and from its own publishers, handed to one subscriber as it requests them, each as a
 * {@link Publication} it may keep.
 * <p>
 * <b>Demand is back-pressure.</b> A {@link ConcurrentSubscription} has the layer write the publications into a bounded
 * ring on the duty cycle, and the subscriber is handed at most what it requested. A subscriber that requests nothing
 * lets the ring fill; the layer then leaves the next frames in its stack, the receive window closes, and a publishing
 * estate's channel to this one fills: a {@link Publisher#blocking() blocking} topic holds its publisher back
 * ({@link PubSub#BACK_PRESSURED}), a normal one skips this estate and counts it. While the ring is full, the frames
 * of that estate behind the waiting publication wait too, whatever they are for (other subscriptions' publications,
 * requests), and the layer's poll stops there each duty cycle: a stalled subscriber holds back more than its own
 * topics. Give one that may stall for long a layer of its own, or request without end and buffer downstream. A
 * publication of this layer's own publishers that finds the ring full is skipped (publish never waits).
 * <p>
 * <b>Where signals run.</b> Every signal ({@code onSubscribe}, {@code onNext}, {@code onError}, {@code onComplete})
 * comes from one drain loop on the executor of {@link Options#executor} ({@link ForkJoinPool#commonPool()} by
 * default), one run at a time: never on the duty-cycle thread, never concurrently. The loop hands over at most 256
 * publications per run, then continues in a new task.
 * <p>
 * <b>One subscriber, once.</b> The publisher is unicast: the first {@link #subscribe} gets the stream; any later one
 * gets {@code onSubscribe} with a subscription that does nothing and {@code onError} with an
 * {@link IllegalStateException} (rule 1.9). After a cancel, subscribe a new publisher to the pattern.
 * <p>
 * <b>How the stream ends.</b> Publications already in the ring are always handed over first (as the subscriber
 * requests them), then:
 * <ul>
 *     <li>{@code onComplete} after {@link #close()}, or once the layer is closed (seen within about
 *     {@code 2 x 100 ms});</li>
 *     <li>{@code onError} with an {@link IllegalArgumentException} for a {@code request} of 0 or less (rule 3.9),
 *     without waiting for the ring; with a {@link java.util.concurrent.RejectedExecutionException} if the executor
 *     refuses the drain.</li>
 * </ul>
 * <b>Cancelling</b> stops the signals and unsubscribes at the start of the layer's next duty cycle: every estate is
 * told (unless another local subscription has the same pattern), and stops sending the topics here. The publications
 * in the ring are dropped.
 * <p>
 * Threading: {@link #subscribe(PubSub, String, Options)} on the layer's duty-cycle thread, or before the layer runs;
 * {@link #subscribe(Flow.Subscriber)}, {@link #close()}, {@link #isClosed()} and {@link #publicationsTaken()} from any
 * thread.
 */
public final class TopicPublisher implements Flow.Publisher<Publication>, AutoCloseable
{
    private final TopicSource source;
    private final SourcePublisher<Publication> publisher;

    private TopicPublisher(final TopicSource source, final SourcePublisher<Publication> publisher)
    {
        this.source = source;
        this.publisher = publisher;
    }

    /**
     * Subscribe to a pattern, with the default {@link Options}.
     *
     * @param pubSub  the layer.
     * @param pattern topics to take publications of: {@code *} matches one token, {@code >} the rest.
     * @return the publisher.
     * @see #subscribe(PubSub, String, Options)
     */
    public static TopicPublisher subscribe(final PubSub pubSub, final String pattern)
    {
        return subscribe(pubSub, pattern, new Options());
    }

    /**
     * Subscribe to a pattern: every joined estate learns it (and every estate that joins later), and from now on the
     * layer writes the matching publications into the publisher's ring, before anyone subscribes to it (up to the
     * ring's capacity: then the publishers are back-pressured). Retained last values of matching topics come first,
     * as for any subscription. On the layer's duty-cycle thread, or before it runs.
     *
     * @param pubSub  the layer.
     * @param pattern topics to take publications of: {@code *} matches one token, {@code >} the rest.
     * @param options executor, ring capacity.
     * @return the publisher.
     * @throws IllegalArgumentException if the pattern is not valid, or the ring capacity cannot hold one of the
     *                                  layer's largest publications (the message says what would).
     * @throws IllegalStateException    if called from a thread other than the layer's while it runs, or the layer is
     *                                  closed.
     */
    public static TopicPublisher subscribe(final PubSub pubSub, final String pattern, final Options options)
    {
        Objects.requireNonNull(pubSub, "pubSub");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(options, "options");
        final TopicSource source = TopicSource.subscribe(pubSub, pattern, options.ringCapacity(), options.executor());
        final SourcePublisher<Publication> publisher = new SourcePublisher<>(source, options.executor(),
            pubSub.stack().errorHandler(), "this TopicPublisher has had its subscriber: it is unicast (one " +
            "subscriber, once); subscribe another publisher to the pattern for another subscriber");
        return new TopicPublisher(source, publisher);
    }

    /**
     * Subscribe the one subscriber (see the class comment for later ones). Any thread; signals come from the
     * executor.
     *
     * @param subscriber to hand the publications to.
     * @throws NullPointerException if the subscriber is null (rule 1.9).
     */
    public void subscribe(final Flow.Subscriber<? super Publication> subscriber)
    {
        publisher.subscribe(subscriber);
    }

    /**
     * Stop taking publications: the subscriber gets those already in the ring (as it requests them), then
     * {@code onComplete}. Any thread; the pattern is unsubscribed at the start of the layer's next duty cycle, so a
     * layer whose duty cycle no longer runs completes the stream only once it is closed. Idempotent.
     */
    public void close()
    {
        source.close();
    }

    /**
     * Whether the publisher takes no more publications, or will not from the next duty cycle: closed, cancelled, or
     * ended with its layer.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return source.isClosed();
    }

    /**
     * Publications the layer wrote into the ring so far: handed over, or waiting for demand.
     *
     * @return the count.
     */
    public long publicationsTaken()
    {
        return source.taken();
    }

    /**
     * The pattern subscribed to.
     *
     * @return the pattern.
     */
    public String pattern()
    {
        return source.pattern();
    }

    /**
     * Settings of a {@link TopicPublisher}, read at {@link #subscribe(PubSub, String, Options)}.
     */
    public static final class Options
    {
        private Executor executor = ForkJoinPool.commonPool();
        private int ringCapacity;

        /**
         * The defaults: {@link ForkJoinPool#commonPool()}, a ring sized for the layer's largest publication.
         */
        public Options()
        {
        }

        /**
         * Where the subscriber's signals run (and the check for a closed layer).
         *
         * @return the executor.
         */
        public Executor executor()
        {
            return executor;
        }

        /**
         * Where the subscriber's signals run: one task at a time per publisher, each handing over up to 256
         * publications. Tasks are given from the duty-cycle thread among others, so an executor that runs them in the
         * calling thread ({@code Runnable::run}) would run the subscriber there, in the layer's duty cycle: give one
         * with threads of its own.
         *
         * @param executor the executor; default {@link ForkJoinPool#commonPool()}.
         * @return this for a fluent API.
         */
        public Options executor(final Executor executor)
        {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Capacity of the subscription's ring, or 0 for the smallest that takes the layer's largest publication.
         *
         * @return bytes.
         */
        public int ringCapacity()
        {
            return ringCapacity;
        }

        /**
         * Capacity of the subscription's ring: how much the layer hands over before the subscriber's demand holds the
         * publishers back. Each publication takes its length plus 16 to 24 bytes of record header, rounded up to 8,
         * and each topic's name once. The default, the smallest that takes the layer's largest publication, is 128 KiB
         * of direct memory for a stack's {@code maxMessageBytes} of 64 KiB, 32 MiB for the default 16 MiB: lower
         * {@code maxMessageBytes} for less.
         *
         * @param ringCapacity bytes, a power of two of at least {@link HandoffRing#capacityFor}{@code (the largest
         *                     publication + 400)}, or 0 for the default.
         * @return this for a fluent API.
         */
        public Options ringCapacity(final int ringCapacity)
        {
            if (ringCapacity < 0)
            {
                throw new IllegalArgumentException("ringCapacity must be 0 (the default) or a power of two that " +
                    "takes the layer's largest publication, was " + ringCapacity);
            }
            this.ringCapacity = ringCapacity;
            return this;
        }
    }
}
