/**
 * Reactive Streams over {@code java.util.concurrent.Flow} for a raet4j stack and its pub/sub layer:
 * {@code MessagePublisher} and {@code TopicPublisher} (received messages, a pattern's publications, as a
 * {@code Flow.Publisher}), {@code MessageSubscriber} and {@code TopicSubscriber} (a {@code Flow.Subscriber} that sends
 * or publishes what an upstream produces) and their types. Demand is tied to the stack's back-pressure in both
 * directions.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.reactive
{
    requires transitive io.raet4j.transactions;
    requires transitive io.raet4j.pubsub;

    exports io.raet4j.reactive;
}
