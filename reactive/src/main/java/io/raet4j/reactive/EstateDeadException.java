package io.raet4j.reactive;

/**
 * Ends the stream of a {@link MessagePublisher} bound to an estate ({@link MessagePublisher.Options#boundEstateId})
 * when that estate's session ended ({@link io.raet4j.transactions.PresenceEvent#DEAD}), or when it was not joined as
 * the publisher was attached. Messages the estate sent before are handed over first.
 */
public final class EstateDeadException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Id of the estate. */
    private final long estateId;

    /**
     * An estate is dead.
     *
     * @param estateId of the estate.
     * @param message  what happened and what to do, one line.
     */
    public EstateDeadException(final long estateId, final String message)
    {
        super(message);
        this.estateId = estateId;
    }

    /**
     * The estate the publisher was bound to.
     *
     * @return its id.
     */
    public long estateId()
    {
        return estateId;
    }
}
