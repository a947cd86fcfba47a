/**
 * Publish and subscribe over the stack. So far the topic model: names and patterns ({@code Topics}), why one is
 * refused ({@code TopicError}) and the matcher from topics to subscribers ({@code SubscriptionTrie}).
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.pubsub
{
    requires transitive org.agrona;
    // The layer runs over the stack's channels (issue 12); the topic model does not use it yet.
    requires io.raet4j.transactions;

    exports io.raet4j.pubsub;
}
