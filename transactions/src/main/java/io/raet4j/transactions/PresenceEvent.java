package io.raet4j.transactions;

/**
 * Presence of a remote estate as the application sees it.
 */
public enum PresenceEvent
{
    /** A join completed, as joiner or as acceptor. */
    JOINED,
    /** An estate declared dead has been heard from again. */
    ALIVE,
    /** Nothing was heard from the estate for the liveness timeout, or it left. */
    DEAD,
    /** A dead estate was forgotten after the reap timeout. */
    REAPED,
    /** A join started by this stack failed: timed out, rejected or no common version. */
    JOIN_FAILED
}
