package io.raet4j.transactions.join;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.transactions.JoinFailure;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The one place that says, in one line each, why a join failed or was refused and what to do about it. Both ends use
 * it, so the joiner's application and the acceptor's operator read the same words. Control plane: allocates.
 */
public final class JoinFailures
{
    private static final HexFormat HEX = HexFormat.of();

    private JoinFailures()
    {
    }

    /**
     * Nothing answered a join within its time limit.
     *
     * @param address      joined.
     * @param joinsSent    Join datagrams sent.
     * @param hasCookie    whether a JoinCookie came back (the address answers, but never accepted or refused).
     * @param timeoutNs    the join timeout.
     * @return the failure.
     */
    public static JoinFailure noAnswer(
        final String address, final int joinsSent, final boolean hasCookie, final long timeoutNs)
    {
        final String seconds = seconds(timeoutNs);
        if (hasCookie)
        {
            return new JoinFailure(JoinFailure.Reason.NO_ANSWER, false, address, null, "the stack at " + address +
                " answered our Join with a cookie but neither accepted nor refused it in " + seconds + " s (" +
                joinsSent + " Joins sent): it may fail to verify our signature (BAD_SIGNATURES in its counters), or " +
                "limit joins (JOINS_RATE_LIMITED); see raet4j.jar stat on its host");
        }
        return new JoinFailure(JoinFailure.Reason.NO_ANSWER, false, address, null, "no answer from " + address +
            " to " + joinsSent + " Joins in " + seconds + " s: is a raet4j stack of this version running there, and " +
            "can this host reach it (address, port, firewall)? The join timeout is StackContext.joinTimeoutNs, " +
            "--join-timeout-seconds");
    }

    /**
     * The acceptor kept the joiner pending until the join timed out.
     *
     * @param address  joined.
     * @param peerName the acceptor's name.
     * @param ownName  this estate's name.
     * @return the failure.
     */
    public static JoinFailure pending(final String address, final String peerName, final String ownName)
    {
        return new JoinFailure(JoinFailure.Reason.PENDING_ACCEPTANCE, true, address, peerName, "'" + peerName +
            "' at " + address + " keeps '" + ownName + "' pending until its operator accepts it (policy never): " +
            "on that host run java -jar raet4j.jar keys accept " + ownName + " --keep <its keep dir>, or " +
            "Stack.accept(\"" + ownName + "\"), then join again");
    }

    /**
     * The acceptor refused the join, saying why in its signed JoinAck.
     *
     * @param address  joined.
     * @param peerName the acceptor's name.
     * @param ownName  this estate's name.
     * @param refusal  the reason it gave.
     * @param peer     the acceptor's limits.
     * @param own      this stack's limits.
     * @return the failure.
     */
    public static JoinFailure refusedByPeer(
        final String address,
        final String peerName,
        final String ownName,
        final JoinRefusal refusal,
        final JoinLimits peer,
        final JoinLimits own)
    {
        final String who = "'" + peerName + "' at " + address;
        switch (refusal)
        {
            case KEYS_CHANGED:
                return new JoinFailure(JoinFailure.Reason.KEYS_CHANGED, true, address, peerName, who + " refused '" +
                    ownName + "': it accepted that name earlier with other keys (policy once), and this estate's " +
                    "identity changed (a new or temporary keep). Run with the keep it was accepted with " +
                    "(--keep DIR), " +
                    "or under another --name, or on that host run java -jar raet4j.jar keys delete " + ownName +
                    " --keep <its keep dir>");
            case REJECTED_BY_OPERATOR:
                return new JoinFailure(JoinFailure.Reason.REJECTED_BY_OPERATOR, true, address, peerName, who +
                    " refused '" + ownName + "': its operator rejected this estate (keys reject); only they can " +
                    "undo it (keys accept " + ownName + ")");
            case ID_IN_USE:
                return new JoinFailure(JoinFailure.Reason.ID_IN_USE, true, address, peerName, who + " refused '" +
                    ownName + "': it holds this estate's id under another name, or has the same id itself (two " +
                    "stacks sharing one keep or one Context.estateId); give each estate its own keep and name");
            case PINNED_KEY_MISMATCH:
                return new JoinFailure(JoinFailure.Reason.PINNED_KEY_MISMATCH, true, address, peerName, who +
                    " refused '" + ownName + "': it pinned another signing key for this address; join with the keep " +
                    "whose key it pinned");
            case ENCRYPTION_MISMATCH:
                return encryptionMismatch(address, peerName, true, own.isEncrypted());
            case LIMITS_MISMATCH:
                return new JoinFailure(JoinFailure.Reason.LIMITS_MISMATCH, true, address, peerName, who +
                    " refused the limits of this stack (" + own + "); its own are " + peer);
            default:
                return new JoinFailure(JoinFailure.Reason.REJECTED_BY_OPERATOR, true, address, peerName, who +
                    " refused '" + ownName + "' (" + refusal + ")");
        }
    }

    /**
     * The two ends disagree on sealing estate packets.
     *
     * @param address       of the other end.
     * @param peerName      its name, or null.
     * @param isRefusedByPeer whether the other end refused.
     * @param isOwnEncrypted  whether this end seals.
     * @return the failure.
     */
    public static JoinFailure encryptionMismatch(
        final String address, final String peerName, final boolean isRefusedByPeer, final boolean isOwnEncrypted)
    {
        return new JoinFailure(JoinFailure.Reason.ENCRYPTION_MISMATCH, isRefusedByPeer, address, peerName,
            "encryption is " + (isOwnEncrypted ? "on" : "off") + " here and " + (isOwnEncrypted ? "off" : "on") +
            " at " + name(peerName) + address + ": both ends must agree (StackContext.encryption / laneEncryption, " +
            "--no-encryption / --lane-encryption on both or neither)");
    }

    /**
     * The two ends share no protocol version.
     *
     * @param address      of the other end.
     * @param peerName     its name, or null.
     * @param peerMin      lowest version it speaks.
     * @param peerMax      highest version it speaks.
     * @param ownVersion   the version this stack speaks.
     * @param isRefusedByPeer whether the other end refused.
     * @return the failure.
     */
    public static JoinFailure versionMismatch(
        final String address,
        final String peerName,
        final int peerMin,
        final int peerMax,
        final int ownVersion,
        final boolean isRefusedByPeer)
    {
        final String theirs = peerMin == peerMax ? "version " + peerMax : "versions " + peerMin + " to " + peerMax;
        return new JoinFailure(JoinFailure.Reason.VERSION_MISMATCH, isRefusedByPeer, address, peerName,
            name(peerName) + address + " speaks protocol " + theirs + " and this stack speaks version " +
            ownVersion + ": run the same raet4j release on both ends");
    }

    /**
     * The acceptor answered with a key other than the one pinned for the address.
     *
     * @param address  joined.
     * @param peerName the name it answered with.
     * @param answered the signing key it answered with.
     * @param pinned   the key pinned.
     * @return the failure.
     */
    public static JoinFailure pinnedKeyMismatch(
        final String address, final String peerName, final byte[] answered, final byte[] pinned)
    {
        return new JoinFailure(JoinFailure.Reason.PINNED_KEY_MISMATCH, false, address, peerName, "'" + peerName +
            "' at " + address + " answered with signing key " + HEX.formatHex(answered) + ", not the pinned key " +
            HEX.formatHex(pinned) + ": an impostor, or the estate's keys changed; check its key (keys list on its " +
            "host) and pin that");
    }

    /**
     * This stack's keep refuses the acceptor.
     *
     * @param address  joined.
     * @param peerName the acceptor's name.
     * @param refusal  why.
     * @param keepDir  this stack's keep directory, for the command that undoes it.
     * @return the failure.
     */
    public static JoinFailure refusedLocally(
        final String address, final String peerName, final JoinRefusal refusal, final String keepDir)
    {
        if (JoinRefusal.KEYS_CHANGED == refusal)
        {
            return new JoinFailure(JoinFailure.Reason.KEYS_CHANGED, false, address, peerName, "'" + peerName +
                "' at " + address + " answered with keys other than those this keep accepted for that name " +
                "(policy once): its identity changed, or an impostor answers; if the change is expected, run " +
                "java -jar raet4j.jar keys delete " + peerName + " --keep " + keepDir);
        }
        return new JoinFailure(JoinFailure.Reason.REJECTED_BY_OPERATOR, false, address, peerName, "this keep " +
            "records '" + peerName + "' (at " + address + ") as rejected by an operator; keys accept " + peerName +
            " undoes it");
    }

    /**
     * The stack closed with the join outstanding.
     *
     * @param address joined.
     * @return the failure.
     */
    public static JoinFailure closed(final String address)
    {
        return new JoinFailure(JoinFailure.Reason.CLOSED, false, address, null,
            "the stack closed before the join to " + address + " completed");
    }

    /**
     * What this stack tells its own application when it refuses or holds a joiner.
     *
     * @param address  of the joiner.
     * @param peerName its name.
     * @param refusal  the reason given to it.
     * @param peer     its limits.
     * @param own      this stack's limits.
     * @param keepDir  this stack's keep directory, for the commands that change its decision.
     * @return the refusal, as this end reports it.
     */
    public static JoinFailure refusedHere(
        final String address,
        final String peerName,
        final JoinRefusal refusal,
        final JoinLimits peer,
        final JoinLimits own,
        final String keepDir)
    {
        final String who = "'" + peerName + "' at " + address;
        switch (refusal)
        {
            case PENDING_ACCEPTANCE:
                return new JoinFailure(JoinFailure.Reason.PENDING_ACCEPTANCE, false, address, peerName, who +
                    " waits for acceptance (policy never): java -jar raet4j.jar keys accept " + peerName +
                    " --keep " + keepDir + ", or Stack.accept(\"" + peerName + "\")");
            case KEYS_CHANGED:
                return new JoinFailure(JoinFailure.Reason.KEYS_CHANGED, false, address, peerName, "refused " + who +
                    ": this keep accepted that name with other keys (policy once); if its identity changed on " +
                    "purpose, run java -jar raet4j.jar keys delete " + peerName + " --keep " + keepDir);
            case REJECTED_BY_OPERATOR:
                return new JoinFailure(JoinFailure.Reason.REJECTED_BY_OPERATOR, false, address, peerName,
                    "refused " + who + ": an operator rejected it (keys accept " + peerName + " undoes it)");
            case ID_IN_USE:
                return new JoinFailure(JoinFailure.Reason.ID_IN_USE, false, address, peerName, "refused " + who +
                    ": its estate id is this stack's own or held by an estate of another name");
            case PINNED_KEY_MISMATCH:
                return new JoinFailure(JoinFailure.Reason.PINNED_KEY_MISMATCH, false, address, peerName,
                    "refused " + who + ": it holds a signing key other than the one pinned for its address");
            case ENCRYPTION_MISMATCH:
                return encryptionMismatch(address, peerName, false, own.isEncrypted());
            case LIMITS_MISMATCH:
                return new JoinFailure(JoinFailure.Reason.LIMITS_MISMATCH, false, address, peerName, "refused " +
                    who + ": its limits (" + peer + ") cannot work with this stack's (" + own + ")");
            default:
                return new JoinFailure(JoinFailure.Reason.REJECTED_BY_OPERATOR, false, address, peerName,
                    "refused " + who + " (" + refusal + ")");
        }
    }

    private static String name(final String peerName)
    {
        return null == peerName ? "" : "'" + peerName + "' at ";
    }

    private static String seconds(final long ns)
    {
        final double seconds = ns / (double)TimeUnit.SECONDS.toNanos(1);
        return seconds == Math.rint(seconds) ? String.valueOf((long)seconds) : String.valueOf(seconds);
    }
}
