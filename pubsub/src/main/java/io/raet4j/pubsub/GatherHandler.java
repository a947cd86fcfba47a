package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * Learns the replies of a request made to every responder of a topic ({@link PubSub#requestAll}): each reply as it
 * comes, then exactly one end, when every responder asked has replied or failed (timeout, dead estate, denied...).
 * Called on the duty-cycle thread.
 */
public interface GatherHandler
{
    /**
     * One responder's reply. The buffer is valid only during the call.
     *
     * @param requestId         the id {@link PubSub#requestAll} returned.
     * @param responderEstateId the estate that replied, this stack's own id for a local responder.
     * @param buffer            holding the reply.
     * @param offset            of the reply.
     * @param length            of the reply.
     */
    void onReply(long requestId, long responderEstateId, DirectBuffer buffer, int offset, int length);

    /**
     * Every responder asked has answered or failed.
     *
     * @param requestId  the id {@link PubSub#requestAll} returned.
     * @param replies    the replies received.
     * @param responders the responders asked (0 when none matched).
     */
    void onEnd(long requestId, int replies, int responders);
}
