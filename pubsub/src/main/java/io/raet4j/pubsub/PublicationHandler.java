package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * Receives the publications that match a subscription, on the stack's duty-cycle thread.
 */
@FunctionalInterface
public interface PublicationHandler
{
    /**
     * A publication. The buffer is valid only during the call: copy what must be kept.
     *
     * @param topic     the publication's topic (the same {@code String} instance each time for a topic from one
     *                  estate: no allocation per publication).
     * @param estateId  the publishing estate, this stack's own id for a local publication.
     * @param buffer    holding the payload.
     * @param offset    of the payload.
     * @param length    of the payload.
     */
    void onPublication(String topic, long estateId, DirectBuffer buffer, int offset, int length);
}
