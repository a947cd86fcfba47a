package io.raet4j.transactions.message;

import org.agrona.DirectBuffer;

/**
 * Given each whole message a receive channel hands over.
 */
@FunctionalInterface
public interface ChannelMessageHandler
{
    /**
     * A whole message.
     *
     * @param estateId of the sender.
     * @param channel  it arrived on.
     * @param buffer   holding it; only valid during the call.
     * @param offset   of the message.
     * @param length   of the message.
     */
    void onMessage(long estateId, int channel, DirectBuffer buffer, int offset, int length);
}
