package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentSubscription;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PublicationHandler;
import io.raet4j.transactions.Stack;
import org.agrona.DirectBuffer;

import java.util.concurrent.Executor;

/**
 * A pattern's publications as a {@link RecordSource}: a {@link ConcurrentSubscription} has the layer write them into
 * its bounded ring on the duty cycle (and, while the ring is full, leave the frames in the stack, so the receive
 * window closes and the publishing estate is back-pressured); this source, a duty-cycle task of the layer's stack,
 * tells the publisher when the ring took more, and unsubscribes on the duty cycle when the stream is cancelled or
 * closed ({@link DutyCycleSource} holds that lifecycle, and the watch for a closed stack: closing the layer closes it).
 * <p>
 * The layer writes into the ring after the stack's duty-cycle tasks have run, so this task sees a cycle's publications
 * at the start of the next one.
 * <p>
 * Threading: {@link #subscribe} and {@link #doWork()} on the layer's duty-cycle thread; the rest as
 * {@link DutyCycleSource} says.
 */
final class TopicSource extends DutyCycleSource<Publication>
{
    private final PublicationHandler onPublication = this::onPublication;
    /** Set once, right after this task is added (which checks the thread), before the source is given out. */
    private volatile ConcurrentSubscription subscription;

    private TopicSource(final Stack stack, final Executor executor)
    {
        super(stack, executor);
    }

    /**
     * Add this source to the layer's duty cycle and subscribe its ring to the pattern, on the duty-cycle thread (or
     * before the layer runs).
     *
     * @param pubSub   the layer.
     * @param pattern  to subscribe to.
     * @param capacity of the ring, bytes, or 0 for the smallest that takes the layer's longest publication.
     * @param executor the stack checks run on.
     * @return the source.
     * @throws IllegalArgumentException if the pattern is not valid or the ring too small.
     * @throws IllegalStateException    if called from a thread other than the layer's while it runs, or the layer is
     *                                  closed.
     */
    static TopicSource subscribe(final PubSub pubSub, final String pattern, final int capacity, final Executor executor)
    {
        final Stack stack = pubSub.stack();
        final TopicSource source = new TopicSource(stack, executor);
        // First: the stack refuses a task from another thread while it runs, before the layer is touched from there.
        stack.addDutyCycleTask(source);
        try
        {
            source.subscription = 0 == capacity ? ConcurrentSubscription.subscribe(pubSub, pattern) :
                ConcurrentSubscription.subscribe(pubSub, pattern, capacity);
        }
        catch (final RuntimeException ex)
        {
            stack.removeDutyCycleTask(source);
            throw ex;
        }
        return source;
    }

    /**
     * The pattern subscribed to.
     *
     * @return the pattern.
     */
    String pattern()
    {
        return subscription.pattern();
    }

    /**
     * Publications the layer wrote into the ring so far.
     *
     * @return the count.
     */
    long taken()
    {
        final ConcurrentSubscription current = subscription;
        return null == current ? 0 : current.publicationsReceived();
    }

    int pollRing(final int limit)
    {
        return subscription.poll(onPublication, limit);
    }

    void detach()
    {
        subscription.close();
    }

    private void onPublication(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        emit(new Publication(topic, estateId, payload));
    }
}
