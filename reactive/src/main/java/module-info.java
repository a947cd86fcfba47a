/**
 * Reactive Streams over {@code java.util.concurrent.Flow} for a raet4j stack: {@code MessagePublisher} (received
 * messages as a {@code Flow.Publisher}), {@code MessageSubscriber} (a {@code Flow.Subscriber} that sends what an
 * upstream produces) and their types. Demand is tied to the stack's back-pressure in both directions.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.reactive
{
    requires transitive io.raet4j.transactions;

    exports io.raet4j.reactive;
}
