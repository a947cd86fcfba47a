package io.raet4j.transactions;

/**
 * Learns of estates joining, dying, coming back and being reaped. Called on the duty-cycle thread.
 */
@FunctionalInterface
public interface PresenceHandler
{
    /**
     * Presence of an estate changed.
     *
     * @param estateId of the estate; for {@link PresenceEvent#JOIN_FAILED} of a join that never learnt an id,
     *                 the join's correlation id returned by {@link Stack#join(String)}.
     * @param name     of the estate, or the address joined for {@link PresenceEvent#JOIN_FAILED}.
     * @param event    what happened.
     */
    void onPresence(long estateId, String name, PresenceEvent event);
}
