package io.raet4j.transactions;

/**
 * Presence of a remote estate as the application sees it.
 */
public enum PresenceEvent
{
    /** A join completed, as joiner or as acceptor: the first join of the estate. */
    JOINED,
    /** An estate declared dead joined again: a new session, its earlier messages already ended. */
    ALIVE,
    /**
     * Nothing was heard from the estate for the liveness timeout. Its session is kept: messages may still be offered
     * and are delivered when it answers again ({@link #REACHABLE}), or end when the session timeout passes
     * ({@link #DEAD}).
     */
    UNREACHABLE,
    /** An unreachable estate answered again within the session timeout: its session resumes, nothing was lost. */
    REACHABLE,
    /**
     * A joined estate restarted, or discarded its state for this pair, and joined again: a new session. Messages in
     * flight to it that it may have received ended uncertain ({@link FailureReason#PEER_RESTARTED}); those not yet
     * sent whole are sent on the new session.
     */
    RENEWED,
    /**
     * The estate's session ended: silent for the session timeout, it left, a message timed out, or a re-join failed.
     * Its messages not yet confirmed have ended (failed or uncertain); offers to it return
     * {@link Stack#NOT_CONNECTED} until it joins again ({@link #ALIVE}).
     */
    DEAD,
    /** A dead estate was forgotten after the reap timeout. */
    REAPED,
    /** A join started by this stack failed: timed out, refused, or no common version; see {@link JoinHandler}. */
    JOIN_FAILED
}
