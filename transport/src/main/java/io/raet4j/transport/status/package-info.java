/**
 * Observability of a stack: the memory-mapped {@link io.raet4j.transport.status.StatusFile} holding its counters
 * and distinct error log, readable live by another process, the {@link io.raet4j.transport.status.SystemCounters}
 * every stack keeps, and the {@link io.raet4j.transport.status.CountingErrorHandler} that counts and records errors.
 */
package io.raet4j.transport.status;
