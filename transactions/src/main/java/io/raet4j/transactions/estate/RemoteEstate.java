package io.raet4j.transactions;

import io.raet4j.transactions.message.PathState;
import io.raet4j.transactions.message.ReceiveChannel;
import io.raet4j.transactions.message.SendChannel;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transport.Estate;

import java.net.SocketAddress;

/**
 * A remote estate with the protocol state the agent keeps for it: join, liveness, path and channels.
 * Channels are created on first use, so an idle estate costs a few hundred bytes.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
final class RemoteEstate extends Estate
{
    /**
     * The one state of an estate: JOINING until its first join completes; then JOINED while it is heard from,
     * UNREACHABLE when it has been silent for the liveness timeout (the session is kept), DEAD once the session ended.
     */
    enum State
    {
        JOINING,
        JOINED,
        UNREACHABLE,
        DEAD
    }

    State state;
    int session;
    int version = 1;
    final PathState path;

    boolean hasJoinedOnce;
    boolean isInitiator;
    long joinCorrelationId;
    long joinNonce;
    long lastJoinNonceSeen;
    /**
     * Joins accepted before the last, newest last written: a cookie stays valid for one to two minutes, and a joiner
     * starts at most a few joins in that time (one per join timeout while it is dead), so 32 cover it.
     */
    static final int EARLIER_JOIN_NONCES = 32;
    long[] earlierJoinNonces;
    int earlierJoinNonceIndex;
    long joinDeadlineLiveNs;
    long nextJoinSendNs;
    long joinBackoffNs;
    boolean isRenewRequested;
    boolean sentRenewFlag;
    boolean isRenewedEarly;
    /** The application asked for the join now outstanding: its failure is reported with the reason. */
    boolean isAppJoin;
    int joinsSent;
    boolean hasJoinCookie;
    boolean isJoinPending;
    String pendingPeerName;

    /** The pair's MTU: the smaller of the two announced in the join. */
    int pairMtu;
    /** Largest segment payload sent to this estate. */
    int maxPayload;
    /** Largest message this estate accepts. */
    int peerMaxMessage;
    /** Credit this estate grants each channel before its first ack. */
    int peerCredit;
    /** Its counters in the status file, or null beyond {@code Context.estateCountersMax()}. */
    EstateCounters counters;

    byte[] pinnedSigningKey;
    byte[] joinEphemeralPrivate;
    byte[] joinEphemeralPublic;
    byte[] joinCookie;
    byte[] joinSignature;
    byte[] lastJoinSignature;
    byte[] lastJoinAck;
    byte[] peerSigningKey;
    boolean isSealed;
    boolean hasBlocked;
    java.nio.ByteBuffer blocked;
    SessionKeys keys;
    SessionKeys previousKeys;

    long lastHeardLiveNs;
    long lastSentLiveNs;
    long deadSinceLiveNs;
    long timerId = Long.MAX_VALUE;

    boolean isAlivePending;
    long aliveNonce;
    boolean isAliveAckPending;
    long aliveAckNonce;
    long aliveAckEchoNs;

    boolean isActive;
    long ackPendingSinceCycle = -1;
    boolean isReadable;

    SendChannel[] sendChannels;
    SendChannel[] usedSend = new SendChannel[0];
    ReceiveChannel[] receiveChannels;
    ReceiveChannel[] usedReceive = new ReceiveChannel[0];

    RemoteEstate(final long id, final String name, final SocketAddress address, final PathState path)
    {
        super(id, name, address);
        this.path = path;
    }

    /**
     * Whether the estate has a session: joined, reachable or not. Messages may be offered to it.
     *
     * @return true if JOINED or UNREACHABLE after a completed join.
     */
    boolean isSessionUp()
    {
        return hasJoinedOnce && (State.JOINED == state || State.UNREACHABLE == state);
    }

    /**
     * Record the nonce of a join accepted from this estate: the last one (whose retransmissions are answered again)
     * and, before it, the earlier ones that a replay could present while their cookies are still valid.
     *
     * @param nonce of the Join accepted.
     */
    void rememberJoinNonce(final long nonce)
    {
        if (0 != lastJoinNonceSeen && nonce != lastJoinNonceSeen)
        {
            if (null == earlierJoinNonces)
            {
                earlierJoinNonces = new long[EARLIER_JOIN_NONCES];
            }
            earlierJoinNonces[earlierJoinNonceIndex] = lastJoinNonceSeen;
            earlierJoinNonceIndex = (earlierJoinNonceIndex + 1) & (EARLIER_JOIN_NONCES - 1);
        }
        lastJoinNonceSeen = nonce;
    }

    /**
     * Whether a nonce is that of an earlier join accepted from this estate, superseded since: a replay.
     *
     * @param nonce of a Join.
     * @return true if seen before and not the last.
     */
    boolean isRecentJoinNonce(final long nonce)
    {
        if (null != earlierJoinNonces && nonce != lastJoinNonceSeen)
        {
            for (final long earlier : earlierJoinNonces)
            {
                if (earlier == nonce)
                {
                    return true;
                }
            }
        }
        return false;
    }

    boolean isPlaceholder()
    {
        return 0 == id();
    }

    boolean hasChannelState()
    {
        return usedSend.length > 0 || usedReceive.length > 0;
    }
}
