package io.raet4j.reactive;

import java.util.function.Consumer;

/**
 * Where a {@link SourcePublisher} takes its items from: a bounded buffer that something else (a stack's duty cycle)
 * fills, and that stops being filled when it is full, so that the subscriber's demand becomes back-pressure on the
 * producer. {@link ReceiverSource} is the stack's received messages, {@link TopicSource} a pattern's publications.
 * <p>
 * Threading: {@link #poll}, {@link #isEmpty()} and {@link #isEnded()} are called by the publisher's drain, one thread
 * at a time (not always the same one: the drain runs on an executor, and the hand-over between its runs is ordered);
 * {@link #start} once from the subscribing thread; {@link #cancel()} from any thread.
 *
 * @param <T> the items.
 */
interface RecordSource<T>
{
    /**
     * A subscriber subscribed: from now on tell the listener when items may be waiting and when the source ended.
     *
     * @param listener to tell, from any thread.
     */
    void start(SourceListener listener);

    /**
     * Hand items waiting in the buffer to the sink, each a value the subscriber may keep.
     *
     * @param sink  called once per item.
     * @param limit most items to hand over, at least 1.
     * @return the number of items handed over, 0 if none is waiting.
     */
    int poll(Consumer<? super T> sink, int limit);

    /**
     * Whether no item is waiting now (false if it cannot tell cheaply). Once {@link #isEnded()} is true, an empty
     * source stays empty.
     *
     * @return true if a poll would hand nothing over.
     */
    boolean isEmpty();

    /**
     * Whether the source takes no more items in: what is waiting is the last of them. Read before {@link #poll} or
     * {@link #isEmpty()} when deciding that the stream is over.
     *
     * @return true once ended.
     */
    boolean isEnded();

    /**
     * Why the source ended.
     *
     * @return the error to end the stream with, or null to complete it; meaningful once {@link #isEnded()}.
     */
    Throwable error();

    /**
     * The subscriber cancelled, or the stream is over: release what the source holds (stop filling the buffer).
     * Idempotent, any thread.
     */
    void cancel();
}
