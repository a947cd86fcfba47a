package io.raet4j.pubsub;

/**
 * A reply to a request made from any thread ({@link ConcurrentPublisher#request}): a copy the caller may keep.
 *
 * @param responderEstateId the estate that replied (this stack's own id for a local responder).
 * @param payload           the reply's bytes.
 */
public record Reply(long responderEstateId, byte[] payload)
{
}
