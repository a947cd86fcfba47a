/**
 * The stack: {@link io.raet4j.transactions.Stack} is the public API; {@code StackAgent} is the single-threaded
 * duty cycle that runs the join, alive and message transactions over a media. Subpackage {@code message} holds the
 * per-channel send and receive state of reliable, segmented delivery.
 */
package io.raet4j.transactions;
