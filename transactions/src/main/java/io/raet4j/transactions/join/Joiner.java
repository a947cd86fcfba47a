package io.raet4j.transactions.join;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.EstateTimers;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.event.Events;
import io.raet4j.transactions.keep.Trust;
import io.raet4j.transactions.packet.PacketSender;
import io.raet4j.transactions.security.HandshakeCrypto;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transactions.security.Transcripts;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static io.raet4j.transactions.estate.LocalEstate.format;

/**
 * The join this stack initiates (RAET's joiner): Join without a signature until the acceptor's cookie proves the
 * address, then signed with an ephemeral agreement key; resent with backoff until answered or the join timeout; an
 * accepted JoinAck derives the session keys and joins the estate (or renews the pair), a refusal fails the join at
 * once with the reason. A Renew from a peer that lost its state starts a join again.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Joiner
{
    /** The protocol version this stack speaks. */
    public static final int PROTOCOL_VERSION = 3;
    /** The oldest version it accepts. */
    public static final int MIN_PROTOCOL_VERSION = 3;
    static final int HEADER_FLAG_RENEW = PacketWriter.FLAG_RENEW;
    private static final long JOIN_RETRY_INITIAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long JOIN_RETRY_MAX_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long PENDING_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final StackContext ctx;
    private final LocalEstate local;
    private final Estates estates;
    private final PacketSender sender;
    private final TransactionCounters counters;
    private final Cycle cycle;
    private final Events events;
    private final EstateLifecycle lifecycle;
    private final EstateTimers timers;
    private final Trust trust;
    private final HandshakeCrypto crypto;
    private final String keepDir;
    private final LongSupplier nonces;
    private final HashMap<SocketAddress, byte[]> pinnedKeys = new HashMap<>();
    private long nextCorrelationId = 1;

    /**
     * The joiner.
     *
     * @param ctx       the stack's settings.
     * @param local     this stack's estate.
     * @param estates   every estate known.
     * @param sender    builds and sends datagrams.
     * @param counters  the stack's totals.
     * @param cycle     the duty cycle's clock.
     * @param events    join failures are queued here.
     * @param lifecycle changes an estate's state.
     * @param timers    the estates' timers.
     * @param trust     the keep's decisions and this estate's keys.
     * @param crypto    handshake primitives and randomness.
     * @param keepDir   the keep's directory, named in failures.
     * @param nonces    random join nonces.
     */
    public Joiner(
        final StackContext ctx,
        final LocalEstate local,
        final Estates estates,
        final PacketSender sender,
        final TransactionCounters counters,
        final Cycle cycle,
        final Events events,
        final EstateLifecycle lifecycle,
        final EstateTimers timers,
        final Trust trust,
        final HandshakeCrypto crypto,
        final String keepDir,
        final LongSupplier nonces)
    {
        this.ctx = ctx;
        this.local = local;
        this.estates = estates;
        this.sender = sender;
        this.counters = counters;
        this.cycle = cycle;
        this.events = events;
        this.lifecycle = lifecycle;
        this.timers = timers;
        this.trust = trust;
        this.crypto = crypto;
        this.keepDir = keepDir;
        this.nonces = nonces;
    }

    /**
     * The application joins an address.
     *
     * @param address          to join.
     * @param pinnedSigningKey the signing key the estate there must hold, or null to leave it to the keep.
     * @return the join's correlation id.
     */
    public long join(final SocketAddress address, final byte[] pinnedSigningKey)
    {
        RemoteEstate estate = estates.byAddress(address);
        final long correlationId = nextCorrelationId++;
        if (null == estate)
        {
            estate = lifecycle.newEstate(0, null, address);
            estates.add(estate);
        }
        final JoinerState joiner = estate.joiner;
        joiner.isInitiator = true;
        joiner.isAppJoin = true;
        joiner.correlationId = correlationId;
        joiner.pinnedSigningKey = null == pinnedSigningKey ? null : pinnedSigningKey.clone();
        if (null == pinnedSigningKey)
        {
            pinnedKeys.remove(address);
        }
        else
        {
            // Outlives this join: whoever is at the address must hold the key, whichever side joins.
            pinnedKeys.put(address, joiner.pinnedSigningKey);
        }
        start(estate, EstateState.DEAD == estate.state());
        return correlationId;
    }

    /**
     * The key pinned for an address by {@link #join}, which whoever joins from there must hold too.
     *
     * @param address of a peer.
     * @return the signing key, or null.
     */
    byte[] pinnedKey(final SocketAddress address)
    {
        return pinnedKeys.get(address);
    }

    /**
     * Start a join with an estate: a new nonce and ephemeral key, the first Join sent now, the rest by the timer.
     *
     * @param estate  the estate.
     * @param isRenew true if the pair's state is to be renewed (the Join carries the RENEW flag).
     */
    public void start(final RemoteEstate estate, final boolean isRenew)
    {
        long nonce = 0;
        while (0 == nonce)
        {
            nonce = nonces.getAsLong();
        }
        final JoinerState joiner = estate.joiner;
        joiner.nonce = nonce;
        joiner.clearSecrets();
        joiner.ephemeralPrivate = crypto.newAgreementPrivateKey();
        joiner.ephemeralPublic = HandshakeCrypto.agreementPublicKey(joiner.ephemeralPrivate);
        joiner.sentRenewFlag |= isRenew || joiner.isRenewRequested;
        joiner.deadlineLiveNs = cycle.liveNs() + ctx.joinTimeoutNs();
        joiner.backoffNs = JOIN_RETRY_INITIAL_NS;
        joiner.sent = 0;
        joiner.hasCookie = false;
        joiner.isPending = false;
        send(estate);
        timers.schedule(estate, cycle.nowNs() + joiner.backoffNs);
    }

    private void send(final RemoteEstate estate)
    {
        final JoinerState joiner = estate.joiner;
        final PacketWriter writer = sender.beginClear(0, 0);
        if (joiner.sentRenewFlag)
        {
            writer.flags(HEADER_FLAG_RENEW);
        }
        // Until the acceptor's cookie arrives, the Join carries the keys but no signature: the acceptor keeps nothing.
        writer.appendJoin(MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, joiner.nonce, local.name(), joiner.cookie,
            trust.signPublic(), trust.agreePublic(), joiner.ephemeralPublic, joiner.signature,
            local.limitsFor(estate.address()));
        sender.sendTo(estate.address());
        joiner.sent++;
        joiner.nextSendNs = cycle.nowNs() + joiner.backoffNs;
    }

    private void sign(final RemoteEstate estate)
    {
        final JoinerState joiner = estate.joiner;
        final byte[] transcript = Transcripts.join(joiner.sentRenewFlag ? HEADER_FLAG_RENEW : 0, local.id(),
            local.session(), MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, joiner.nonce, joiner.cookie, trust.signPublic(),
            trust.agreePublic(), joiner.ephemeralPublic, local.limitsFor(estate.address()), local.name());
        joiner.signature = HandshakeCrypto.sign(trust.signPrivate(), trust.signPublic(), transcript);
    }

    /**
     * The estate's timer, for the join part: give up past the join timeout, else send the Join again when due.
     *
     * @param estate the estate.
     * @return true if the estate was dropped (a first join failed) and its timer must not be set again.
     */
    public boolean onTimer(final RemoteEstate estate)
    {
        final JoinerState joiner = estate.joiner;
        if (!joiner.isInProgress())
        {
            return false;
        }
        if (cycle.liveNs() >= joiner.deadlineLiveNs)
        {
            final String address = format(estate.address());
            failed(estate, FailureReason.PEER_DEAD.ordinal(), joiner.isPending ?
                JoinFailures.pending(address, joiner.pendingPeerName, local.name()) :
                JoinFailures.noAnswer(address, joiner.sent, joiner.hasCookie, ctx.joinTimeoutNs()));
            return estate.isPlaceholder() || !estate.hasJoinedOnce();
        }
        if (cycle.nowNs() >= joiner.nextSendNs)
        {
            joiner.backoffNs = Math.min(JOIN_RETRY_MAX_NS, joiner.backoffNs * 2);
            send(estate);
        }
        return false;
    }

    /**
     * When the estate's timer must run next for the join: when the Join is due again.
     *
     * @param estate     the estate.
     * @param deadlineNs when it would run otherwise.
     * @return the earlier of the two.
     */
    public static long nextDeadlineNs(final RemoteEstate estate, final long deadlineNs)
    {
        return estate.joiner.isInProgress() ? Math.min(deadlineNs, estate.joiner.nextSendNs) : deadlineNs;
    }

    /**
     * A dead estate this stack joined is joined again once per keepalive interval.
     *
     * @param estate a DEAD estate.
     */
    public void rejoinIfDue(final RemoteEstate estate)
    {
        if (estate.joiner.isInitiator && !estate.joiner.isInProgress() &&
            cycle.liveNs() - estate.lastSentLiveNs >= ctx.keepaliveIntervalNs())
        {
            start(estate, true);
            estate.lastSentLiveNs = cycle.liveNs();
        }
    }

    /**
     * A join this stack started failed. An estate that had joined before becomes DEAD (its messages end with the
     * reason); a placeholder is removed with presence JOIN_FAILED. A join the application asked for is reported to
     * the join handlers with why; the automatic re-joins of a dead estate only count.
     *
     * @param estate  the estate.
     * @param reason  ordinal of the {@link FailureReason} for its messages.
     * @param failure why, for the application.
     */
    public void failed(final RemoteEstate estate, final int reason, final JoinFailure failure)
    {
        final JoinerState joiner = estate.joiner;
        joiner.nonce = 0;
        joiner.clearSecrets();
        joiner.isPending = false;
        counters.joinsFailed.incrementRelease();
        final boolean isReported = joiner.isAppJoin;
        joiner.isAppJoin = false;
        if (estate.hasJoinedOnce())
        {
            lifecycle.declareDead(estate, -1, reason, false);
        }
        else
        {
            lifecycle.dropJoining(estate, joiner.correlationId);
        }
        if (isReported)
        {
            events.joinFailed(joiner.correlationId, failure);
        }
    }

    /**
     * The stack closes: a join the application started and still outstanding ends, reported with reason CLOSED.
     *
     * @param estate an estate.
     */
    public void onClose(final RemoteEstate estate)
    {
        final JoinerState joiner = estate.joiner;
        if (joiner.isInProgress())
        {
            joiner.nonce = 0;
            joiner.clearSecrets();
            if (joiner.isAppJoin)
            {
                joiner.isAppJoin = false;
                events.joinFailed(joiner.correlationId, JoinFailures.closed(format(estate.address())));
            }
        }
    }

    /**
     * A JoinCookie: the acceptor's proof of our address, to sign into the Join and send again.
     *
     * @param source where it came from.
     * @param reader positioned on the frame.
     */
    public void onJoinCookie(final SocketAddress source, final PacketReader reader)
    {
        final JoinCookieDecoder joinCookie = reader.joinCookie();
        final RemoteEstate estate = estates.byAddress(source);
        if (null == estate || !estate.joiner.isInProgress() || joinCookie.nonce() != estate.joiner.nonce)
        {
            counters.unknownEstate.incrementRelease();
            return;
        }
        if (reader.dstEstateId() != local.id() || reader.dstSession() != local.session())
        {
            counters.staleSession.incrementRelease();
            return;
        }
        final byte[] cookie = new byte[PacketWriter.COOKIE_LENGTH];
        joinCookie.getCookie(cookie, 0, cookie.length);
        final JoinerState joiner = estate.joiner;
        if (null != joiner.cookie && Arrays.equals(cookie, joiner.cookie))
        {
            return;
        }
        joiner.cookie = cookie;
        joiner.hasCookie = true;
        sign(estate);
        send(estate);
    }

    /**
     * A Renew: the peer has no state for the pair (it restarted, or never joined). Over sealed media it only starts a
     * new handshake, since it cannot be authenticated; whether state is renewed is decided by the signed JoinAck (its
     * RENEW flag) or a changed session. In clear text this side's state for the pair is discarded at once (RENEWING).
     *
     * @param source where it came from.
     * @param reader positioned on the frame.
     */
    public void onRenew(final SocketAddress source, final PacketReader reader)
    {
        if (reader.dstEstateId() != local.id() || reader.dstSession() != local.session())
        {
            counters.staleSession.incrementRelease();
            return;
        }
        final RemoteEstate estate = estates.byAddress(source);
        if (null == estate)
        {
            counters.unknownEstate.incrementRelease();
            return;
        }
        if (estate.joiner.isInProgress())
        {
            return;
        }
        if (estate.isSealed)
        {
            if (estate.hasJoinedOnce())
            {
                start(estate, EstateState.DEAD == estate.state());
            }
            return;
        }
        estate.joiner.isRenewRequested = true;
        if (estate.isSessionUp())
        {
            // Nothing received or acknowledged until the JoinAck may apply to sequence numbers the peer restarted.
            lifecycle.beginRenewing(estate);
        }
        start(estate, true);
    }

    /**
     * A JoinAck answering this stack's Join: refused, pending, or accepted (keys derived, the estate joined).
     *
     * @param source where it came from.
     * @param reader positioned on the frame.
     */
    public void onJoinAck(final SocketAddress source, final PacketReader reader)
    {
        final JoinAckDecoder joinAck = reader.joinAck();
        final JoinStatus status = joinAck.status();
        final long nonce = joinAck.nonce();
        final String acceptorName = reader.joinName();
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();

        final RemoteEstate estate = estates.byAddress(source);
        if (null == estate || !estate.joiner.isInProgress() || nonce != estate.joiner.nonce)
        {
            counters.unknownEstate.incrementRelease();
            return;
        }
        if (reader.dstEstateId() != local.id() || reader.dstSession() != local.session() || 0 == srcId ||
            0 == srcSession)
        {
            counters.staleSession.incrementRelease();
            return;
        }
        if (JoinStatus.VERSION_UNSUPPORTED == status)
        {
            // Unsigned by nature (the acceptor may not speak this version), but it echoes the join's random nonce, so
            // only someone who saw the Join can forge it, who could as well drop it: the join fails at once.
            refused(estate, JoinFailures.versionMismatch(format(source), acceptorName, joinAck.version(),
                joinAck.version(), PROTOCOL_VERSION, true));
            return;
        }
        if (null == estate.joiner.signature)
        {
            // An answer to a Join this stack never signed (no cookie yet): not ours to trust.
            counters.unknownEstate.incrementRelease();
            return;
        }
        final JoinAnswer answer = JoinAnswer.read(joinAck);
        final byte[] transcript = Transcripts.joinAck(estate.joiner.signature, reader.flags(), srcId, srcSession,
            local.id(), local.session(), status.value(), joinAck.version(), nonce, answer.signKey, answer.agreeKey,
            answer.ephemeralKey, answer.limits, answer.refusal.value(), acceptorName);
        if (!HandshakeCrypto.verify(answer.signKey, transcript, answer.signature))
        {
            counters.badSignatures.incrementRelease();
            return;
        }
        final byte[] pinned = estate.joiner.pinnedSigningKey;
        if (null != pinned && !Arrays.equals(pinned, answer.signKey))
        {
            // Someone answers for the estate with another key than the one pinned: an impostor, never trusted. It
            // answered this join's random nonce, so it saw the Join and could as well drop it: the join fails now.
            counters.pinnedKeyMismatch.incrementRelease();
            failed(estate, FailureReason.REJECTED.ordinal(), JoinFailures.pinnedKeyMismatch(
                format(source), acceptorName, answer.signKey, pinned));
            return;
        }
        switch (status)
        {
            case ACCEPTED:
                onAccepted(estate, source, reader, joinAck.version(), acceptorName, answer);
                break;
            case PENDING:
            {
                final JoinerState joiner = estate.joiner;
                joiner.isPending = true;
                joiner.pendingPeerName = acceptorName;
                estate.lastHeardLiveNs = cycle.liveNs();
                // Waiting for an operator: ask again soon, so that an acceptance takes effect within a second.
                joiner.backoffNs = PENDING_RETRY_NS;
                joiner.nextSendNs = Math.min(joiner.nextSendNs, cycle.nowNs() + PENDING_RETRY_NS);
                break;
            }
            default:
                refused(estate, JoinFailures.refusedByPeer(format(source), acceptorName, local.name(), answer.refusal,
                    answer.limits, local.limitsFor(source)));
                break;
        }
    }

    private void refused(final RemoteEstate estate, final JoinFailure failure)
    {
        counters.joinsRefused.incrementRelease();
        failed(estate, FailureReason.REJECTED.ordinal(), failure);
    }

    private void onAccepted(
        final RemoteEstate joined,
        final SocketAddress source,
        final PacketReader reader,
        final int version,
        final String acceptorName,
        final JoinAnswer answer)
    {
        final String address = format(source);
        final JoinLimits ownLimits = local.limitsFor(source);
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();
        if (version < MIN_PROTOCOL_VERSION || version > PROTOCOL_VERSION)
        {
            refused(joined, JoinFailures.versionMismatch(address, acceptorName, version, version, PROTOCOL_VERSION,
                true));
            return;
        }
        if (answer.limits.isEncrypted() != ownLimits.isEncrypted())
        {
            refused(joined, JoinFailures.encryptionMismatch(address, acceptorName, false, ownLimits.isEncrypted()));
            return;
        }
        if (!Joinent.isUsable(answer.limits))
        {
            refused(joined, JoinFailures.refusedHere(address, acceptorName, JoinRefusal.LIMITS_MISMATCH,
                answer.limits, ownLimits, keepDir));
            return;
        }
        final JoinRefusal localRefusal =
            trust.checkAcceptor(acceptorName, srcId, answer.signKey, answer.agreeKey, address);
        counters.accountKeepWrites(trust.writesDropped(), trust.writesDeferred());
        if (JoinRefusal.NONE != localRefusal)
        {
            refused(joined, JoinFailures.refusedLocally(address, acceptorName, localRefusal, keepDir));
            return;
        }
        final SessionKeys keys = deriveKeys(joined, answer);
        if (null == keys)
        {
            counters.badSignatures.incrementRelease();
            return;
        }
        final RemoteEstate known = estates.byId(srcId);
        if (null != known && null != known.name() && !acceptorName.equals(known.name()))
        {
            // An id this stack holds answered under another name: refuse it, as a Join would be refused.
            refused(joined, JoinFailures.refusedHere(address, acceptorName, JoinRefusal.ID_IN_USE, answer.limits,
                ownLimits, keepDir));
            return;
        }
        final RemoteEstate estate = resolve(joined, known, srcId, acceptorName, source);
        final JoinerState joiner = estate.joiner;
        final boolean isSessionChange = srcSession != estate.session;
        final boolean isAcceptorFresh = 0 != (reader.flags() & HEADER_FLAG_RENEW);
        final boolean isRenewing = EstateState.RENEWING == estate.state();
        final boolean isRenewal = estate.hasJoinedOnce() && (isSessionChange || isAcceptorFresh ||
            (!isRenewing && (EstateState.DEAD == estate.state() || joiner.isRenewRequested || joiner.sentRenewFlag)));
        if (!estate.hasJoinedOnce() || isRenewal)
        {
            lifecycle.applyPeerLimits(estate, answer.limits);
        }
        estate.installKeys(keys, isRenewal || isSessionChange || isRenewing);
        // A JoinAck this stack kept as the acceptor of the peer's own join carries the material of keys that may just
        // have been destroyed (a renewal) or will be at the next join: resent to a retransmitted Join it would install
        // them at the peer, and the two ends would seal with keys the other does not hold. That Join gets a new answer.
        estate.joinent.forgetAnswer();
        estate.peerSigningKey = answer.signKey;
        estate.session = srcSession;
        joiner.nonce = 0;
        if (!estate.isSessionUp() || isRenewal)
        {
            lifecycle.becomeJoined(estate, isRenewal);
        }
        else if (isRenewing)
        {
            lifecycle.endRenewing(estate);
        }
        else
        {
            lifecycle.heard(estate);
        }
        joiner.isRenewRequested = false;
        joiner.sentRenewFlag = false;
        joiner.isAppJoin = false;
    }

    /**
     * The session keys from the acceptor's answer: an ephemeral agreement bound to both long-term keys.
     *
     * @return the keys, or null if an agreement failed (a bad public key).
     */
    private SessionKeys deriveKeys(final RemoteEstate estate, final JoinAnswer answer)
    {
        final JoinerState joiner = estate.joiner;
        final byte[] ephemeralShared = new byte[32];
        final byte[] staticShared = new byte[32];
        final boolean agreed =
            HandshakeCrypto.agree(joiner.ephemeralPrivate, answer.ephemeralKey, ephemeralShared, 0) &&
            HandshakeCrypto.agree(trust.agreePrivate(), answer.agreeKey, staticShared, 0);
        if (!agreed)
        {
            return null;
        }
        final SessionKeys keys = SessionKeys.derive(ephemeralShared, staticShared, joiner.signature, answer.signature,
            true, ctx.rekeyAfterPackets(), ctx.rekeyAfterNs(), cycle.nowNs(), ctx.aeadFactory());
        Arrays.fill(ephemeralShared, (byte)0);
        Arrays.fill(staticShared, (byte)0);
        joiner.clearSecrets();
        return keys;
    }

    /**
     * The record the accepted join belongs to: the one joined, or the one this stack already holds under the id (the
     * estate also joined us, crossing joins, or moved address), or a new one when a different estate answers at the
     * address (the old one restarted with a new id: it is gone, its messages fail).
     */
    private RemoteEstate resolve(
        final RemoteEstate joined,
        final RemoteEstate known,
        final long srcId,
        final String acceptorName,
        final SocketAddress source)
    {
        RemoteEstate estate = joined;
        if (null != known && known != joined)
        {
            final boolean isRenewRequested = joined.joiner.isRenewRequested;
            final boolean sentRenewFlag = joined.joiner.sentRenewFlag;
            if (joined.isPlaceholder())
            {
                lifecycle.dropPlaceholder(joined);
            }
            else
            {
                lifecycle.forget(joined, FailureReason.PEER_RESTARTED.ordinal());
            }
            known.joiner.isInitiator = true;
            known.joiner.isRenewRequested |= isRenewRequested;
            known.joiner.sentRenewFlag |= sentRenewFlag;
            estate = known;
        }
        else if (!joined.isPlaceholder() && joined.id() != srcId)
        {
            lifecycle.forget(joined, FailureReason.PEER_RESTARTED.ordinal());
            estate = lifecycle.newEstate(srcId, acceptorName, source);
            estate.joiner.isInitiator = true;
            estates.add(estate);
        }
        if (estate.isPlaceholder() || !source.equals(estate.address()))
        {
            estates.identify(estate, srcId, acceptorName, source);
            estate.isSealed = local.isSealedFor(source);
        }
        return estate;
    }

    /**
     * What a JoinAck carries, copied out of the datagram. Control plane: allocates.
     */
    static final class JoinAnswer
    {
        final byte[] signKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] agreeKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] ephemeralKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] signature = new byte[PacketWriter.SIGNATURE_LENGTH];
        JoinLimits limits;
        JoinRefusal refusal;

        static JoinAnswer read(final JoinAckDecoder joinAck)
        {
            final JoinAnswer answer = new JoinAnswer();
            joinAck.getSigningKey(answer.signKey, 0, answer.signKey.length);
            joinAck.getAgreementKey(answer.agreeKey, 0, answer.agreeKey.length);
            joinAck.getEphemeralKey(answer.ephemeralKey, 0, answer.ephemeralKey.length);
            joinAck.getSignature(answer.signature, 0, answer.signature.length);
            answer.limits = new JoinLimits(
                joinAck.mtu(), joinAck.maxMessageLength(), joinAck.receiveCredit(), joinAck.options().encrypted());
            answer.refusal = joinAck.refusal();
            return answer;
        }
    }
}
