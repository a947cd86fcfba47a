package io.raet4j.transactions;

/**
 * Learns the outcome of every reliable message offered: exactly one of {@link #onDelivered} or {@link #onFailed}
 * is called for each message id that {@link Stack#offer} returned. Called on the duty-cycle thread.
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
     * The message will never be delivered.
     *
     * @param estateId  of the receiver.
     * @param channel   the message was sent on.
     * @param messageId returned by offer.
     * @param reason    why it failed.
     */
    void onFailed(long estateId, int channel, long messageId, FailureReason reason);
}
