package io.raet4j.transactions;

import org.agrona.DirectBuffer;

/**
 * Receives whole messages and decides, for each, whether it is consumed and whether the poll goes on, as Aeron's
 * controlled fragment handler does: a layer that forwards messages into a bounded queue aborts the message it has no
 * room for, and gets it again, whole and first, on its next poll. Called on the duty-cycle thread, from
 * {@link Stack#controlledPoll}.
 */
@FunctionalInterface
public interface ControlledMessageHandler
{
    /**
     * What becomes of a message handed over.
     */
    enum Action
    {
        /** Consumed; hand over the next. */
        CONTINUE,
        /** Consumed; stop the poll here. */
        BREAK,
        /** Not consumed: it stays first in its channel, whole, for the next poll; stop the poll here. */
        ABORT
    }

    /**
     * A whole message.
     *
     * @param fromEstateId sender.
     * @param channel      it arrived on.
     * @param buffer       holding it; valid only during the call.
     * @param offset       of the message.
     * @param length       of the message.
     * @return what becomes of it.
     */
    Action onMessage(long fromEstateId, int channel, DirectBuffer buffer, int offset, int length);
}
