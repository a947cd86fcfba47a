package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * Learns how a request ended: exactly one of {@link #onReply} or {@link #onFailure} is called for each request id
 * that {@link PubSub#request} returned, on the duty-cycle thread.
 */
public interface ReplyHandler
{
    /**
     * The reply. The buffer is valid only during the call.
     *
     * @param requestId         the id {@link PubSub#request} returned.
     * @param responderEstateId the estate that replied, this stack's own id for a local responder.
     * @param buffer            holding the reply.
     * @param offset            of the reply.
     * @param length            of the reply.
     */
    void onReply(long requestId, long responderEstateId, DirectBuffer buffer, int offset, int length);

    /**
     * The request ended without a reply.
     *
     * @param requestId the id {@link PubSub#request} returned.
     * @param reason    why.
     */
    void onFailure(long requestId, RequestFailure reason);
}
