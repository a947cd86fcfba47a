package io.raet4j.transactions;

import org.agrona.DirectBuffer;

/**
 * Receives messages from {@link Stack#poll(MessageHandler, int)}. Called on the thread that runs the duty cycle.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * A whole message has arrived.
     *
     * @param estateId of the sender.
     * @param channel  it was sent on.
     * @param buffer   holding the message; only valid during the call.
     * @param offset   of the message in the buffer.
     * @param length   of the message in bytes.
     */
    void onMessage(long estateId, int channel, DirectBuffer buffer, int offset, int length);
}
