/**
 * The transport layer: the stack's {@link io.raet4j.transport.Context}, its media ({@code media}) and its
 * observability ({@code status}: counters and the error log in a memory-mapped file). Transactions build on it.
 */
package io.raet4j.transport;
