package io.raet4j.transactions;

/**
 * Learns the outcome of every reliable message offered: exactly one of {@link #onDelivered}, {@link #onFailed} or
 * {@link #onUncertain} is called for each message id that {@link Stack#offer} or {@link Stack#tryClaim} returned,
 * and the outcome is true:
 * <ul>
 *     <li>{@link #onDelivered}: the receiving stack handed the message to its application (its
 *     {@link MessageHandler} was called with it);</li>
 *     <li>{@link #onFailed}: the receiving application did not get the message and never will from this offer;</li>
 *     <li>{@link #onUncertain}: the sender cannot know. The message was sent whole, then the receiver's session
 *     ended (it vanished, restarted, or the local stack closed) before it confirmed delivery: the receiving
 *     application may or may not have got it. An application that must not lose it resends it and lets the
 *     receiver drop duplicates; one that must not duplicate it does not.</li>
 * </ul>
 * A receiver that is silent for a while (a stopped process, a GC pause, a network partition) ends nothing by itself:
 * its session is kept and every message is delivered exactly once when it answers again, unless the session timeout
 * or the message timeout passes first. Called on the duty-cycle thread.
 */
public interface DeliveryHandler
{
    /**
     * The remote stack has handed the message to its application.
     *
     * @param estateId  of the receiver.
     * @param channel   the message was sent on.
     * @param messageId returned by offer.
     */
    void onDelivered(long estateId, int channel, long messageId);

    /**
     * The message was not delivered and will not be: no part of the receiving application got it.
     *
     * @param estateId  of the receiver.
     * @param channel   the message was sent on.
     * @param messageId returned by offer.
     * @param reason    why it ended.
     */
    void onFailed(long estateId, int channel, long messageId, FailureReason reason);

    /**
     * The message was sent whole but its delivery was never confirmed, and can no longer be: the receiving
     * application may or may not have got it.
     *
     * @param estateId  of the receiver.
     * @param channel   the message was sent on.
     * @param messageId returned by offer.
     * @param reason    why the sender stopped waiting for the confirmation.
     */
    void onUncertain(long estateId, int channel, long messageId, FailureReason reason);
}
