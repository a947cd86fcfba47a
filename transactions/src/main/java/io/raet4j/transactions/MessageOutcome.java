package io.raet4j.transactions;

/**
 * The outcome of one message offered through {@link ConcurrentSender#offerTracked}: the same as
 * {@link DeliveryHandler} reports, plus {@link Status#NOT_SENT} for a message the stack never took.
 *
 * @param status    what became of it.
 * @param estateId  of the receiver.
 * @param channel   it was offered on.
 * @param messageId the stack's id of it, or -1 if {@link Status#NOT_SENT}.
 * @param reason    why it failed or is uncertain, null if delivered or not sent.
 * @param refusal   if {@link Status#NOT_SENT}: the stack's status ({@link Stack#NOT_CONNECTED},
 *                  {@link Stack#BACK_PRESSURED} when the sender's ring was full, {@link Stack#CLOSED}, ...), else 0.
 */
public record MessageOutcome(
    Status status, long estateId, int channel, long messageId, FailureReason reason, long refusal)
{
    /**
     * What became of a message.
     */
    public enum Status
    {
        /** The receiving application got it. */
        DELIVERED,
        /** The receiving application did not get it. */
        FAILED,
        /** It was sent whole, then the peer vanished before confirming it: it may or may not have been delivered. */
        UNCERTAIN,
        /** The stack never took it (see {@link MessageOutcome#refusal()}): nothing was sent. */
        NOT_SENT
    }

    /**
     * Whether the receiving application got it.
     *
     * @return true if {@link Status#DELIVERED}.
     */
    public boolean isDelivered()
    {
        return Status.DELIVERED == status;
    }
}
