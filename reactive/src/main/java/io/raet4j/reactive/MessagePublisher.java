package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentReceiver;
import io.raet4j.transactions.HandoffRing;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;

/**
 * A stack's received messages as a {@link Flow.Publisher}: the messages of some channels, from every estate, handed
 * to one subscriber as it requests them, each as a {@link Message} it may keep.
 * <p>
 * <b>Demand is back-pressure.</b> A {@link ConcurrentReceiver} moves messages from the stack into a bounded ring on
 * the duty cycle, and the subscriber is handed at most what it requested. A subscriber that requests nothing lets the
 * ring fill; the stack then keeps the next messages (not acknowledged as taken), the channel's receive window closes,
 * and the sender's offers come back {@link Stack#BACK_PRESSURED}. Nothing is dropped and nothing queues without
 * bound. The sender's outcome for a message is {@code DELIVERED} once it is in the ring.
 * <p>
 * <b>Where signals run.</b> Every signal ({@code onSubscribe}, {@code onNext}, {@code onError}, {@code onComplete})
 * comes from one drain loop on the executor of {@link Options#executor} ({@link ForkJoinPool#commonPool()} by
 * default), one run at a time: never on the duty-cycle thread, never concurrently. The loop hands over at most
 * 256 messages per run, then continues in a new task. A slow subscriber slows only
 * its own stream (and, through back-pressure, its senders); it should not block the executor's threads for long.
 * <p>
 * <b>One subscriber, once.</b> The publisher is unicast: the first {@link #subscribe} gets the stream; any later one
 * gets {@code onSubscribe} with a subscription that does nothing and {@code onError} with an
 * {@link IllegalStateException} (rule 1.9). After a cancel, attach a new publisher for the channels.
 * <p>
 * <b>How the stream ends.</b> Messages already in the ring are always handed over first (as the subscriber requests
 * them), then:
 * <ul>
 *     <li>{@code onComplete} after {@link #close()}, or once the stack is closed (seen within about
 *     {@code 2 x 100 ms});</li>
 *     <li>{@code onError} with an {@link EstateDeadException} when the estate the publisher is bound to
 *     ({@link Options#boundEstateId}) dies, or at once if it was not joined when the publisher was attached;</li>
 *     <li>{@code onError} with an {@link IllegalArgumentException} for a {@code request} of 0 or less (rule 3.9),
 *     without waiting for the ring.</li>
 * </ul>
 * <b>Cancelling</b> stops the signals and detaches the receiver from the duty cycle at the start of the next cycle;
 * the messages in its ring are dropped (their senders were told {@code DELIVERED}), and later messages of the channels
 * stay in the stack for whoever polls them next: a new publisher, or the application's own polls. Nobody taking them
 * back-pressures their senders, and after {@link StackContext#messageTimeoutNs()} ends the sender's session.
 * <p>
 * Threading: {@link #attach} on the stack's duty-cycle thread, or before the stack runs; {@link #subscribe},
 * {@link #close()}, {@link #messagesTaken()} and {@link #isClosed()} from any thread.
 */
public final class MessagePublisher implements Flow.Publisher<Message>, AutoCloseable
{
    private final ReceiverSource source;
    private final SourcePublisher<Message> publisher;

    private MessagePublisher(final ReceiverSource source, final SourcePublisher<Message> publisher)
    {
        this.source = source;
        this.publisher = publisher;
    }

    /**
     * Attach a publisher of one channel's messages, with the default {@link Options}.
     *
     * @param stack   to receive from.
     * @param channel 0 to 255.
     * @return the publisher.
     * @see #attach(Stack, ChannelSet, Options)
     */
    public static MessagePublisher attach(final Stack stack, final int channel)
    {
        return attach(stack, ChannelSet.of(channel), new Options());
    }

    /**
     * Attach a publisher of some channels' messages, with the default {@link Options}.
     *
     * @param stack    to receive from.
     * @param channels to take messages of (the set is used as is: do not change it afterwards), or null for every
     *                 channel the application's polls take (those no layer reserved).
     * @return the publisher.
     * @see #attach(Stack, ChannelSet, Options)
     */
    public static MessagePublisher attach(final Stack stack, final ChannelSet channels)
    {
        return attach(stack, channels, new Options());
    }

    /**
     * Attach a publisher to a stack, whose duty cycle moves the channels' messages into the publisher's ring from now
     * on, before anyone subscribes (up to the ring's capacity: then the senders are back-pressured). Messages of these
     * channels go to this publisher only: do not also poll them. On the stack's duty-cycle thread, or before it runs.
     *
     * @param stack    to receive from.
     * @param channels to take messages of (the set is used as is: do not change it afterwards), or null for every
     *                 channel the application's polls take (those no layer reserved).
     * @param options  executor, ring capacity, bound estate.
     * @return the publisher.
     * @throws IllegalArgumentException if the ring capacity cannot hold one of the stack's largest messages (the
     *                                  message says what would).
     * @throws IllegalStateException    if called from a thread other than the stack's while it runs.
     */
    public static MessagePublisher attach(final Stack stack, final ChannelSet channels, final Options options)
    {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(options, "options");
        final int capacity = 0 != options.ringCapacity() ? options.ringCapacity() :
            defaultRingCapacity(stack.context().maxMessageBytes());
        final ReceiverSource source = ReceiverSource.attach(
            stack, channels, capacity, options.boundEstateId(), options.executor());
        final SourcePublisher<Message> publisher = new SourcePublisher<>(source, options.executor(),
            stack.errorHandler(), "this MessagePublisher has had its subscriber: it is unicast (one subscriber, " +
            "once); attach another publisher for another subscriber");
        return new MessagePublisher(source, publisher);
    }

    /**
     * The ring a publisher gets when {@link Options#ringCapacity()} is 0: the smallest that takes the stack's largest
     * message, as {@link ConcurrentReceiver#attach(Stack)} chooses ({@link HandoffRing#capacityFor}; 32 MiB of direct
     * memory for the default 16 MiB messages: lower {@link StackContext#maxMessageBytes()} for less).
     *
     * @param maxMessageBytes the stack's largest message.
     * @return bytes.
     */
    public static int defaultRingCapacity(final int maxMessageBytes)
    {
        return HandoffRing.capacityFor(maxMessageBytes);
    }

    /**
     * Subscribe the one subscriber (see the class comment for later ones). Any thread; signals come from the
     * executor.
     *
     * @param subscriber to hand the messages to.
     * @throws NullPointerException if the subscriber is null (rule 1.9).
     */
    public void subscribe(final Flow.Subscriber<? super Message> subscriber)
    {
        publisher.subscribe(subscriber);
    }

    /**
     * Stop taking messages from the stack: the subscriber gets those already in the ring (as it requests them), then
     * {@code onComplete}. Any thread; the receiver is detached at the start of the next duty cycle, so a stack whose
     * duty cycle no longer runs completes the stream only once it is closed. Idempotent.
     */
    public void close()
    {
        source.close();
    }

    /**
     * Whether the publisher takes no more messages from the stack, or will not from the next duty cycle: closed,
     * cancelled, or ended by its bound estate's death.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return source.isClosed();
    }

    /**
     * Messages taken from the stack into the ring so far: handed over, or waiting for demand.
     *
     * @return the count.
     */
    public long messagesTaken()
    {
        return source.taken();
    }

    /**
     * Settings of a {@link MessagePublisher}, read at {@link #attach}.
     */
    public static final class Options
    {
        private Executor executor = ForkJoinPool.commonPool();
        private int ringCapacity;
        private long boundEstateId;

        /**
         * The defaults: {@link ForkJoinPool#commonPool()}, a ring sized for the stack's largest message, no bound
         * estate.
         */
        public Options()
        {
        }

        /**
         * Where the subscriber's signals run (and the check for a closed stack).
         *
         * @return the executor.
         */
        public Executor executor()
        {
            return executor;
        }

        /**
         * Where the subscriber's signals run: one task at a time per publisher, each handing over up to 256 messages.
         * Tasks are given from the duty-cycle thread among others, so an executor that runs them in the calling thread
         * ({@code Runnable::run}) would run the subscriber there, in the stack's duty cycle: give one with threads of
         * its own.
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
         * Capacity of the receiver's ring, or 0 for {@link #defaultRingCapacity(int)}.
         *
         * @return bytes.
         */
        public int ringCapacity()
        {
            return ringCapacity;
        }

        /**
         * Capacity of the receiver's ring: how much the stack hands over before the subscriber's demand holds the
         * senders back. Each message takes its length plus 16 to 24 bytes of record header, rounded up to 8.
         *
         * @param ringCapacity bytes, a power of two of at least 64 KiB taking the stack's largest message
         *                     ({@link HandoffRing#capacityFor}), or 0 for the default.
         * @return this for a fluent API.
         */
        public Options ringCapacity(final int ringCapacity)
        {
            if (ringCapacity < 0)
            {
                throw new IllegalArgumentException("ringCapacity must be 0 (the default) or a power of two of at " +
                    "least 64 KiB, was " + ringCapacity);
            }
            this.ringCapacity = ringCapacity;
            return this;
        }

        /**
         * The estate whose death ends the stream with an error, or 0 for none.
         *
         * @return the estate's id.
         */
        public long boundEstateId()
        {
            return boundEstateId;
        }

        /**
         * Bind the stream's life to one estate, for a stream that is a conversation with one peer: when that estate
         * dies ({@link io.raet4j.transactions.PresenceEvent#DEAD}), the subscriber gets what it sent before and then
         * {@code onError} with an {@link EstateDeadException}; if it is not joined when the publisher is attached,
         * the stream fails at once. The stream still carries the channels' messages from every estate: give it
         * channels only that estate sends on. A peer that is unreachable for a while, or restarted
         * ({@code RENEWED}), does not end it.
         *
         * @param boundEstateId the estate's id, or 0 for none (the default).
         * @return this for a fluent API.
         */
        public Options boundEstateId(final long boundEstateId)
        {
            this.boundEstateId = boundEstateId;
            return this;
        }
    }
}
