package io.raet4j.transactions.join;

/**
 * The joins this stack accepted from one remote estate (RAET's joinent): the last one, whose retransmissions get the
 * same answer again, and the earlier ones a replay could present while their cookies are still valid. Read and written
 * by {@link Joinent} only.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class JoinentState
{
    /**
     * Joins accepted before the last, newest last written: a cookie stays valid for one to two minutes, and a joiner
     * starts at most a few joins in that time (one per join timeout while it is dead), so 32 cover it.
     */
    static final int EARLIER_JOIN_NONCES = 32;

    long lastNonce;
    byte[] lastSignature;
    byte[] lastAck;
    private long[] earlierNonces;
    private int earlierNonceIndex;

    /**
     * Record the nonce of a join accepted from this estate.
     *
     * @param nonce of the Join accepted.
     */
    void remember(final long nonce)
    {
        if (0 != lastNonce && nonce != lastNonce)
        {
            if (null == earlierNonces)
            {
                earlierNonces = new long[EARLIER_JOIN_NONCES];
            }
            earlierNonces[earlierNonceIndex] = lastNonce;
            earlierNonceIndex = (earlierNonceIndex + 1) & (EARLIER_JOIN_NONCES - 1);
        }
        lastNonce = nonce;
    }

    /**
     * Whether a nonce is that of an earlier join accepted from this estate, superseded since: a replay.
     *
     * @param nonce of a Join.
     * @return true if seen before and not the last.
     */
    boolean isEarlier(final long nonce)
    {
        if (null != earlierNonces && nonce != lastNonce)
        {
            for (final long earlier : earlierNonces)
            {
                if (earlier == nonce)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Forget the answer kept for retransmissions.
     */
    public void forgetAnswer()
    {
        lastAck = null;
    }
}
