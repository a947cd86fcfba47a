/**
 * A Micrometer binder for a stack's counters: {@code io.raet4j.micrometer.RaetMetrics}.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.micrometer
{
    requires transitive micrometer.core;
    requires transitive io.raet4j.pubsub;

    exports io.raet4j.micrometer;
}
