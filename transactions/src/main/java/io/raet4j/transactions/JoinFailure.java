package io.raet4j.transactions;

import java.util.Objects;

/**
 * Why a join failed or was refused, with a one-line explanation for people: what happened and what to do.
 * Immutable; made on the control plane only.
 */
public final class JoinFailure
{
    /**
     * The kind of failure.
     */
    public enum Reason
    {
        /** Nothing answered the join within the join timeout (or only a cookie, never an acceptance or refusal). */
        NO_ANSWER,
        /** The acceptor keeps the joiner pending until its operator accepts it (policy never). */
        PENDING_ACCEPTANCE,
        /** The name was accepted earlier with other keys (policy once): the joiner's identity changed. */
        KEYS_CHANGED,
        /** An operator rejected the estate (keys reject). */
        REJECTED_BY_OPERATOR,
        /** The estate id is held under another name, or both ends have the same id. */
        ID_IN_USE,
        /** A key was pinned for the address and the other end holds another one. */
        PINNED_KEY_MISMATCH,
        /** The two ends have no protocol version in common. */
        VERSION_MISMATCH,
        /** One end seals packets (encryption on) and the other does not: both must agree. */
        ENCRYPTION_MISMATCH,
        /** A limit exchanged in the join cannot be met by the other end. */
        LIMITS_MISMATCH,
        /** The local stack closed before the join completed. */
        CLOSED
    }

    private final Reason reason;
    private final boolean isRefusedByPeer;
    private final String address;
    private final String peerName;
    private final String message;

    /**
     * A failure or refusal.
     *
     * @param reason          kind of failure.
     * @param isRefusedByPeer true if the other end decided it, false if this stack did or nobody answered.
     * @param address         of the other end, {@code host:port} or {@code unix:PATH}.
     * @param peerName        name of the other end, or null when not known.
     * @param message         one line for people: what happened and what to do.
     */
    public JoinFailure(
        final Reason reason,
        final boolean isRefusedByPeer,
        final String address,
        final String peerName,
        final String message)
    {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.isRefusedByPeer = isRefusedByPeer;
        this.address = Objects.requireNonNull(address, "address");
        this.peerName = peerName;
        this.message = Objects.requireNonNull(message, "message");
    }

    /**
     * The kind of failure.
     *
     * @return the reason.
     */
    public Reason reason()
    {
        return reason;
    }

    /**
     * Whether the other end decided it (a signed refusal or pending answer), rather than this stack or nobody.
     *
     * @return true if refused by the peer.
     */
    public boolean isRefusedByPeer()
    {
        return isRefusedByPeer;
    }

    /**
     * Address of the other end.
     *
     * @return {@code host:port} or {@code unix:PATH}.
     */
    public String address()
    {
        return address;
    }

    /**
     * Name of the other end.
     *
     * @return the name, or null when it never said.
     */
    public String peerName()
    {
        return peerName;
    }

    /**
     * What happened and what to do, in one line.
     *
     * @return the explanation.
     */
    public String message()
    {
        return message;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return reason + ": " + message;
    }
}
