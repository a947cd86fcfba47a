package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * Replies to the request a {@link Responder} is handling; reused from request to request, valid only during
 * {@link Responder#onRequest}.
 */
public final class Replier
{
    /** Returned by {@link #reply} when the request was replied to already. */
    public static final long ALREADY_REPLIED = -20;
    /** Returned by {@link #reply} outside {@link Responder#onRequest}. */
    public static final long NOT_HANDLING = -21;

    private final Requests requests;
    private boolean isHandling;
    private boolean isReplied;

    Replier(final Requests requests)
    {
        this.requests = requests;
    }

    /**
     * Reply to the request.
     *
     * @param buffer holding the reply.
     * @param offset of the reply.
     * @param length of the reply.
     * @return 0 or more once the reply is on its way (or handed to a local requester), or a negative status:
     *         {@link #ALREADY_REPLIED}, {@link #NOT_HANDLING}, or one of {@link PubSub}'s ({@code MESSAGE_TOO_LARGE},
     *         or the stack's when the reply could not be sent, in which case the requester's timeout ends it).
     */
    public long reply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!isHandling)
        {
            return NOT_HANDLING;
        }
        if (isReplied)
        {
            return ALREADY_REPLIED;
        }
        isReplied = true;
        return requests.reply(buffer, offset, length);
    }

    void begin()
    {
        isHandling = true;
        isReplied = false;
    }

    boolean end()
    {
        isHandling = false;
        return isReplied;
    }
}
