package io.raet4j.transactions;

/**
 * Why a reliable message ended without a confirmed delivery. The same reasons serve both endings:
 * {@link DeliveryHandler#onFailed} (the message was certainly not delivered) and {@link DeliveryHandler#onUncertain}
 * (it was sent whole and may or may not have reached the receiving application).
 */
public enum FailureReason
{
    /**
     * The receiver's session ended: it was silent for the session timeout, or a re-join of it failed, or it was cut
     * off (an operator rejected it).
     */
    PEER_DEAD,
    /** The message was not confirmed delivered within the message timeout; the receiver's session ended. */
    TIMEOUT,
    /** The receiver refused the sender's join or renewal. */
    REJECTED,
    /** The message was larger than the receiver's maximum message length; also returned by offer. */
    TOO_LARGE,
    /** The local stack closed with the message in flight. */
    CLOSED,
    /**
     * The receiver closed its stack. With {@link DeliveryHandler#onFailed} it said, in its last packet, which
     * messages its application had received, so this message certainly was not.
     */
    PEER_LEFT,
    /**
     * The receiver restarted, or discarded its state for this pair, while the message was in flight: whatever it had
     * received but not confirmed is unknown to the new session. A message that was not yet sent whole is not
     * affected: it is sent again on the new session.
     */
    PEER_RESTARTED
}
