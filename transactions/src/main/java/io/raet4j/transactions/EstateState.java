package io.raet4j.transactions;

/**
 * The one state of a remote estate, the presence a layer above sees. The ordinal is what the estate's state counter
 * holds in the status file (see {@code EstateCounterDescriptor.STATE_NAMES}), so values are only ever added at the end.
 * <ul>
 *     <li>JOINING: its first join completes: JOINED.</li>
 *     <li>JOINED: silent past the liveness timeout: UNREACHABLE; the peer lost its state for the pair (a Renew, in
 *     clear text): RENEWING; the session ends (a Leave, a message timeout): DEAD.</li>
 *     <li>UNREACHABLE: heard again: JOINED; silent past the session timeout: DEAD.</li>
 *     <li>RENEWING: the new join completes: JOINED; it fails: DEAD.</li>
 *     <li>DEAD: joined again: JOINED; past the reap timeout: forgotten (presence REAPED).</li>
 * </ul>
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
