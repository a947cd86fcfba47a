package io.raet4j.transactions;

/**
 * The one state of a remote estate, the presence a layer above sees. The ordinal is what the estate's state counter
 * holds in the status file (see {@code EstateCounterDescriptor.STATE_NAMES}), so values are only ever added at the end.
 * <pre>
 *   JOINING --join completes--> JOINED <--heard again-- UNREACHABLE
 *                                 |  \--silent past the liveness timeout--^        |
 *                                 |   \--peer's state gone (Renew)--> RENEWING     |
 *                                 |                                      |         |
 *                                 +---session ends (timeout, Leave)----> DEAD <----+ silent past the session timeout
 *                                                                         |
 *                                                    re-joined: JOINED    +--reaped: forgotten
 * </pre>
 */
public enum EstateState
{
    /** Its first join is in progress: no session yet, nothing may be offered to it. */
    JOINING,
    /** Joined and heard from within the liveness timeout. */
    JOINED,
    /** Joined, but silent past the liveness timeout: the session and everything in flight are kept. */
    UNREACHABLE,
    /** The session ended: its messages ended with an outcome; it is joined again or reaped. */
    DEAD,
    /**
     * Joined, but the peer said its state for the pair is gone (it restarted): this side's state was discarded and a
     * new join is under way; until its JoinAck, packets of the old pair state are dropped. Offers are still taken.
     */
    RENEWING;

    /**
     * Whether an estate in this state has a session, so messages may be offered to it.
     *
     * @return true for JOINED, UNREACHABLE and RENEWING.
     */
    public boolean hasSession()
    {
        return JOINED == this || UNREACHABLE == this || RENEWING == this;
    }
}
