/**
 * A stack's counters in the metrics system an application already runs: {@link io.raet4j.micrometer.RaetMetrics}
 * binds the transport's, the stack's and the pub/sub layer's counters to a Micrometer {@code MeterRegistry}, read from
 * the stack's memory-mapped status file, so Prometheus, OTLP, JMX and the other registries export them.
 */
package io.raet4j.micrometer;
