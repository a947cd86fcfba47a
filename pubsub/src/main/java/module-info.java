/**
 * Publish and subscribe over the stack: {@code PubSub} and its handles, topic names and patterns ({@code Topics}),
 * why one is refused ({@code TopicError}) and the matcher from topics to subscribers ({@code SubscriptionTrie}). The
 * layer's frame codecs ({@code io.raet4j.pubsub.sbe}) are internal.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.pubsub
{
    requires transitive org.agrona;
    requires transitive io.raet4j.transactions;

    exports io.raet4j.pubsub;
}
