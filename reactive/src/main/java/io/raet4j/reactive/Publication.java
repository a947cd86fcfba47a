package io.raet4j.reactive;

import java.util.Arrays;
import java.util.Objects;

/**
 * A publication handed to a subscriber: the topic, the publishing estate, a copy of the payload.
 * <p>
 * {@link TopicPublisher} makes one per publication it hands over, with a new array the publisher keeps no reference
 * to: two allocations per item (the topic is the same {@code String} for every publication of a topic), the price of
 * a value that outlives the layer's buffers (a zero-copy consumer polls a
 * {@link io.raet4j.pubsub.ConcurrentSubscription} itself). Equality and hash code are by content.
 *
 * @param topic    the publication's topic (a topic, not the pattern subscribed to).
 * @param estateId of the publishing estate.
 * @param payload  the publication's bytes; the subscriber's own, not to be changed by whoever passes it on.
 */
public record Publication(String topic, long estateId, byte[] payload)
{
    /**
     * A publication.
     *
     * @param topic    the publication's topic.
     * @param estateId of the publishing estate.
     * @param payload  the publication's bytes, not copied.
     * @throws NullPointerException if the topic or the payload is null.
     */
    public Publication
    {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * Length of the payload.
     *
     * @return bytes.
     */
    public int length()
    {
        return payload.length;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return this == other || other instanceof Publication that && estateId == that.estateId &&
            topic.equals(that.topic) && Arrays.equals(payload, that.payload);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return 31 * (31 * topic.hashCode() + Long.hashCode(estateId)) + Arrays.hashCode(payload);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Publication[topic=" + topic + ", estateId=" + estateId + ", length=" + payload.length + "]";
    }
}
