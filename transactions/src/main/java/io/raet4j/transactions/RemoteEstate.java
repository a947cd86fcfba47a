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

    boolean isPlaceholder()
    {
        return 0 == id();
    }

    boolean hasChannelState()
    {
        return usedSend.length > 0 || usedReceive.length > 0;
    }
}
