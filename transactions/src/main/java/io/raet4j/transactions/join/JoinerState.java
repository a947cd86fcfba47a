package io.raet4j.transactions.join;

import java.util.Arrays;

/**
 * The join this stack initiates with one remote estate (RAET's joiner): the nonce that names it, the cookie and
 * signature it carries, its ephemeral agreement key, when to send it again and when to give up. Reused for every join
 * with the estate. Read and written by {@link Joiner} only; the rest of the stack asks {@link #isInProgress()}.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class JoinerState
{
    boolean isInitiator;
    long correlationId;
    long nonce;
    long deadlineLiveNs;
    long nextSendNs;
    long backoffNs;
    /** The peer asked for a renewal (a Renew in clear text): the next join carries the RENEW flag. */
    boolean isRenewRequested;
    boolean sentRenewFlag;
    /** The application asked for the join now outstanding: its failure is reported with the reason. */
    boolean isAppJoin;
    int sent;
    boolean hasCookie;
    boolean isPending;
    String pendingPeerName;
    byte[] pinnedSigningKey;
    byte[] ephemeralPrivate;
    byte[] ephemeralPublic;
    byte[] cookie;
    byte[] signature;

    /**
     * Whether a join is outstanding: sent and neither answered nor failed.
     *
     * @return true while joining.
     */
    public boolean isInProgress()
    {
        return 0 != nonce;
    }

    /**
     * The nonce of the join outstanding.
     *
     * @return the nonce, or 0 when none is.
     */
    public long nonce()
    {
        return nonce;
    }

    /**
     * Whether the join outstanding is signed: the acceptor's cookie arrived.
     *
     * @return true if signed.
     */
    public boolean isSigned()
    {
        return null != signature;
    }

    /**
     * Whether the peer asked for a renewal that the join outstanding carries.
     *
     * @return true if requested.
     */
    public boolean isRenewRequested()
    {
        return isRenewRequested;
    }

    /**
     * Wipe the ephemeral secret and forget the join's cookie and signature.
     */
    public void clearSecrets()
    {
        if (null != ephemeralPrivate)
        {
            Arrays.fill(ephemeralPrivate, (byte)0);
        }
        ephemeralPrivate = null;
        ephemeralPublic = null;
        cookie = null;
        signature = null;
    }
}
