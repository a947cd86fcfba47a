/**
 * Observability of a stack: the memory-mapped {@link io.raet4j.transport.status.StatusFile} holding its counters and
 * distinct error log, readable live by another process; the {@link io.raet4j.transport.status.CounterSet} in which
 * each layer allocates its {@link io.raet4j.transport.status.CounterDescriptor counters} (the transport's are the
 * {@link io.raet4j.transport.status.TransportCounterDescriptor}); and the
 * {@link io.raet4j.transport.status.CountingErrorHandler} that counts and records errors.
 */
package io.raet4j.transport.status;
