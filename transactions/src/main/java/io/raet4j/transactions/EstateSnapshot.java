package io.raet4j.transactions;

/**
 * One remote estate as the stack knew it when {@link Stack#estates()} was called: for a layer that attaches to a
 * running stack and must learn who is there before presence events tell it of changes.
 *
 * @param id      of the estate, 0 while a join to it has not been answered.
 * @param name    of the estate, null while not known.
 * @param address where it is reached, as {@code host:port} (or the lane's path).
 * @param state   its state then.
 */
public record EstateSnapshot(long id, String name, String address, EstateState state)
{
    /**
     * Whether the estate had a session: messages could be offered to it.
     *
     * @return true for JOINED, UNREACHABLE and RENEWING.
     */
    public boolean hasSession()
    {
        return state.hasSession();
    }
}
