package io.raet4j.transactions.message;

import org.agrona.DirectBuffer;

/**
 * Receives whole messages from a channel and says, for each, what becomes of it: consumed and go on
 * ({@link #CONTINUE}), consumed and stop ({@link #BREAK}), or not consumed and stop ({@link #ABORT}: the message stays
 * first in its channel, whole, for the next poll).
 */
@FunctionalInterface
public interface ControlledChannelMessageHandler
{
    /** Consumed; hand over the next. */
    int CONTINUE = 0;
    /** Consumed; stop the poll. */
    int BREAK = 1;
    /** Not consumed: it stays first in its channel; stop the poll. */
    int ABORT = 2;

    /**
     * A whole message.
     *
     * @param estateId of the sender.
     * @param channel  it arrived on.
     * @param buffer   holding it; only valid during the call.
     * @param offset   of the message.
     * @param length   of the message.
     * @return {@link #CONTINUE}, {@link #BREAK} or {@link #ABORT}.
     */
    int onMessage(long estateId, int channel, DirectBuffer buffer, int offset, int length);
}
