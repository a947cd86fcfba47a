package io.raet4j.transactions.message;

/**
 * Told of the outcome of each reliable message by the send channels: exactly one call per message. Reasons are the
 * ordinals of the public failure reason enum, so this package does not depend on the API package.
 */
public interface MessageOutcomeListener
{
    /**
     * The receiver confirmed the message was handed to its application.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     */
    void onDelivered(long estateId, int channel, long messageId);

    /**
     * The message was certainly not delivered: not all of it was ever sent, or the receiver said it did not deliver
     * it.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     * @param reason    ordinal of the failure reason.
     */
    void onFailed(long estateId, int channel, long messageId, int reason);

    /**
     * The message was sent whole, its delivery was never confirmed, and it no longer can be.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     * @param reason    ordinal of the failure reason: why the sender stopped waiting.
     */
    void onUncertain(long estateId, int channel, long messageId, int reason);
}
