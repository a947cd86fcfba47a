package io.raet4j.transactions;

/**
 * Learns why joins fail: those this stack started ({@link #onJoinFailed}) and those it refused
 * ({@link #onJoinRefused}). Each carries a {@link JoinFailure} whose {@link JoinFailure#message()} is one line saying
 * what happened and what to do. Called on the duty-cycle thread.
 */
public interface JoinHandler
{
    /**
     * A join this stack started failed.
     *
     * @param correlationId returned by {@link Stack#join(String)}.
     * @param failure       why.
     */
    void onJoinFailed(long correlationId, JoinFailure failure);

    /**
     * This stack refused, or left pending, a join from another estate: the policy, the keep or the settings did not
     * allow it. Reported once per join attempt of the other estate.
     *
     * @param refusal why, with the joiner's name and address.
     */
    default void onJoinRefused(final JoinFailure refusal)
    {
    }
}
