package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * Answers requests on the topics its pattern matches, on the duty-cycle thread: it replies through the
 * {@link Replier} before it returns (a responder that returns without replying, or throws, fails the request with
 * {@link RequestFailure#RESPONDER_FAILED}).
 */
@FunctionalInterface
public interface Responder
{
    /**
     * A request. The buffer and the replier are valid only during the call.
     *
     * @param topic              the request's topic.
     * @param requesterEstateId  the estate that asked, this stack's own id for a local request.
     * @param buffer             holding the request.
     * @param offset             of the request.
     * @param length             of the request.
     * @param replier            to reply with, once.
     */
    void onRequest(String topic, long requesterEstateId, DirectBuffer buffer, int offset, int length, Replier replier);
}
