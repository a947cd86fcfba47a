/**
 * Publish and subscribe: topic names and patterns ({@link io.raet4j.pubsub.Topics}, refusals as
 * {@link io.raet4j.pubsub.TopicError}) and the matcher from a published topic to its subscribers
 * ({@link io.raet4j.pubsub.SubscriptionTrie}, with its route cache). The grammar and the matching rules are in
 * {@code spec/PUBSUB.md}.
 */
package io.raet4j.pubsub;
