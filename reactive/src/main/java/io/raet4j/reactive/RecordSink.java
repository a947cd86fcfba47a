package io.raet4j.reactive;

/**
 * Where a {@link SinkSubscriber} offers its items: a bounded buffer that something else (a stack's duty cycle)
 * drains, and that refuses an item when it is full. {@link MessageSubscriber}'s is a
 * {@link io.raet4j.transactions.ConcurrentSender}, {@link TopicSubscriber}'s a
 * {@link io.raet4j.pubsub.ConcurrentPublisher}.
 * <p>
 * Threading: {@link #offer} and {@link #refusal} are called by the subscriber's drain, one thread at a time;
 * {@link #retryLater} from the same.
 *
 * @param <T> the items.
 */
interface RecordSink<T>
{
    /** {@link #offer} took the item. */
    long OFFERED = 0;

    /**
     * Offer an item; it is copied, the sink keeps no reference to it.
     *
     * @param item to offer.
     * @return {@link #OFFERED}, {@link io.raet4j.transactions.Stack#BACK_PRESSURED} (full: try again after
     *         {@link #retryLater}), or another negative status: the sink will never take this item.
     */
    long offer(T item);

    /**
     * Have a task run once the sink may have room again: after its next drain, not on the calling thread.
     *
     * @param retry to run.
     * @return false if the sink takes nothing any more (closed).
     */
    boolean retryLater(Runnable retry);

    /**
     * The error a stream ends with when the sink refuses an item for good.
     *
     * @param item    refused, or null if the sink refused to schedule a retry.
     * @param refusal the status {@link #offer} returned.
     * @return the error, its message saying what happened and what to do.
     */
    RuntimeException refusal(T item, long refusal);
}
