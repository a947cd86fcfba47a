/**
 * Reliable, segmented messaging per estate pair and channel: the send side holds messages until the receiver
 * confirms delivery, the receive side holds a window of segments, acknowledges them selectively and reports gaps.
 * A {@code SendChannel} keeps its messages and segments in a {@code SendBuffer} and leaves acks, loss detection and
 * retransmission to a {@code LossRecovery}.
 */
package io.raet4j.transactions.message;
