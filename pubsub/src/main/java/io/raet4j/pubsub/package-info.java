/**
 * Publish and subscribe: so far topic names and patterns ({@link io.raet4j.pubsub.Topics}, refusals as
 * {@link io.raet4j.pubsub.TopicError}).
 */
package io.raet4j.pubsub;
