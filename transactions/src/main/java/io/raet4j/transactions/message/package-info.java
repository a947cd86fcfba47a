/**
 * Reliable, segmented messaging per estate pair and channel: the send side holds messages until the receiver
 * confirms delivery, the receive side holds a window of segments, acknowledges them selectively and reports gaps.
 */
package io.raet4j.transactions.message;
