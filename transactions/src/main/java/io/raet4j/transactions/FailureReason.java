package io.raet4j.transactions;

/**
 * Why a reliable message was not delivered.
 */
public enum FailureReason
{
    /** The receiver was declared dead or left. */
    PEER_DEAD,
    /** The message was not delivered within the message timeout. */
    TIMEOUT,
    /** The receiver refused the sender's join or renewal. */
    REJECTED,
    /** The message was larger than the maximum message length; also returned by offer. */
    TOO_LARGE,
    /** The local stack closed with the message in flight. */
    CLOSED
}
