package io.raet4j.transactions.join;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.event.Events;
import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.Trust;
import io.raet4j.transactions.packet.PacketSender;
import io.raet4j.transactions.security.CookieJar;
import io.raet4j.transactions.security.HandshakeCrypto;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transactions.security.Transcripts;
import io.raet4j.transport.Context;
import org.agrona.collections.LongHashSet;

import java.net.SocketAddress;
import java.util.Arrays;

import static io.raet4j.transactions.estate.LocalEstate.format;
import static io.raet4j.transactions.join.Joiner.HEADER_FLAG_RENEW;
import static io.raet4j.transactions.join.Joiner.MIN_PROTOCOL_VERSION;
import static io.raet4j.transactions.join.Joiner.PROTOCOL_VERSION;

/**
 * The joins this stack accepts (RAET's joinent, with the allower): a Join first gets a cookie, made and checked at a
 * bounded rate, so no state is kept for a joiner until it proves it receives at its address; a signed Join is then
 * checked against pinned keys, ids and names in use, the settings both sides must share, and the keep's policy, and
 * is refused with the reason, left pending for the operator, or allowed: an ephemeral agreement gives the session keys
 * and the signed JoinAck tells the joiner whether this side's state for the pair is fresh, so both renew together.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Joinent
{
    private static final int REPORTED_REFUSALS_MAX = 4096;
    private static final byte[] ZERO_KEY = new byte[PacketWriter.KEY_LENGTH];

    private final StackContext ctx;
    private final LocalEstate local;
    private final Estates estates;
    private final PacketSender sender;
    private final TransactionCounters counters;
    private final Cycle cycle;
    private final Events events;
    private final EstateLifecycle lifecycle;
    private final Joiner joiner;
    private final Trust trust;
    private final HandshakeCrypto crypto;
    private final CookieJar cookieJar;
    private final String keepDir;
    private final LongHashSet reportedRefusals = new LongHashSet();
    private final byte[] cookieIn = new byte[CookieJar.COOKIE_LENGTH];
    private final byte[] cookieOut = new byte[CookieJar.COOKIE_LENGTH];

    /**
     * The joinent.
     *
     * @param ctx       the stack's settings.
     * @param local     this stack's estate.
     * @param estates   every estate known.
     * @param sender    builds and sends datagrams.
     * @param counters  the stack's totals.
     * @param cycle     the duty cycle's clock.
     * @param events    refusals are queued here.
     * @param lifecycle changes an estate's state.
     * @param joiner    this stack's own joins, for the keys it pinned.
     * @param trust     the keep's decisions and this estate's keys.
     * @param crypto    handshake primitives and randomness.
     * @param keepDir   the keep's directory, named in refusals.
     */
    public Joinent(
        final StackContext ctx,
        final LocalEstate local,
        final Estates estates,
        final PacketSender sender,
        final TransactionCounters counters,
        final Cycle cycle,
        final Events events,
        final EstateLifecycle lifecycle,
        final Joiner joiner,
        final Trust trust,
        final HandshakeCrypto crypto,
        final String keepDir)
    {
        this.ctx = ctx;
        this.local = local;
        this.estates = estates;
        this.sender = sender;
        this.counters = counters;
        this.cycle = cycle;
        this.events = events;
        this.lifecycle = lifecycle;
        this.joiner = joiner;
        this.trust = trust;
        this.crypto = crypto;
        this.keepDir = keepDir;
        this.cookieJar = new CookieJar(crypto, ctx.handshakesPerSecond(), cycle.nowNs());
    }

    /**
     * Limits this stack can work with: a datagram of at least the smallest MTU, messages of a byte or more, credit.
     *
     * @param limits announced by a peer.
     * @return true if usable.
     */
    static boolean isUsable(final JoinLimits limits)
    {
        return limits.mtu() >= Context.MTU_MIN && limits.maxMessageLength() >= 1 && limits.receiveCredit() >= 1;
    }

    /**
     * A Join.
     *
     * @param source where it came from.
     * @param reader positioned on the frame.
     */
    public void onJoin(final SocketAddress source, final PacketReader reader)
    {
        final JoinDecoder join = reader.join();
        final int minVersion = join.minVersion();
        final int maxVersion = join.maxVersion();
        final long nonce = join.nonce();
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();
        final long nowNs = cycle.nowNs();

        if (0 == srcId || 0 == srcSession)
        {
            counters.malformedPackets.incrementRelease();
            return;
        }
        if (0 != reader.dstEstateId() && local.id() != reader.dstEstateId())
        {
            counters.staleSession.incrementRelease();
            return;
        }
        // No state before the joiner proves it receives at its address: a cookie, made and checked at a bounded rate.
        // The rate also bounds answers and reports to joiners of another version.
        if (!cookieJar.tryAcquire(nowNs))
        {
            counters.joinsRateLimited.incrementRelease();
            return;
        }
        if (minVersion > PROTOCOL_VERSION || maxVersion < MIN_PROTOCOL_VERSION)
        {
            counters.joinsRefused.incrementRelease();
            sender.beginClear(srcId, srcSession).appendJoinAck(
                JoinStatus.VERSION_UNSUPPORTED, PROTOCOL_VERSION, nonce, local.name());
            sender.sendTo(source);
            if (isFirstReport(nonce))
            {
                // Unauthenticated (no cookie yet) and so possibly spoofed; reported once per join all the same.
                events.joinRefused(JoinFailures.versionMismatch(
                    format(source), reader.joinName(), minVersion, maxVersion, PROTOCOL_VERSION, false));
            }
            return;
        }
        join.getCookie(cookieIn, 0, CookieJar.COOKIE_LENGTH);
        if (!cookieJar.check(source, srcId, srcSession, nonce, cookieIn, nowNs))
        {
            if (!isZero(cookieIn))
            {
                counters.badCookies.incrementRelease();
            }
            cookieJar.make(source, srcId, srcSession, nonce, nowNs, cookieOut);
            sender.beginClear(srcId, srcSession).appendJoinCookie(nonce, cookieOut);
            sender.sendTo(source);
            counters.joinCookiesSent.incrementRelease();
            return;
        }
        onSignedJoin(source, reader, join);
    }

    private void onSignedJoin(final SocketAddress source, final PacketReader reader, final JoinDecoder join)
    {
        final long nonce = join.nonce();
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();
        final byte[] signature = new byte[PacketWriter.SIGNATURE_LENGTH];
        join.getSignature(signature, 0, signature.length);
        final RemoteEstate estate = estates.byId(srcId);
        if (null != estate && nonce == estate.joinent.lastNonce && srcSession == estate.session &&
            null != estate.joinent.lastAck && source.equals(estate.address()) &&
            Arrays.equals(signature, estate.joinent.lastSignature))
        {
            // The joiner did not get our answer: the same answer again, same keys, no new cryptography.
            sender.resend(estate.joinent.lastAck, estate.address());
            return;
        }
        if (null != estate && estate.joinent.isEarlier(nonce))
        {
            // An earlier join of this estate, answered and superseded: a replay (its cookie may still be valid). The
            // joiner has one join outstanding, the newest, so an older one needs no answer, and taking it as new
            // would renew the pair or install keys the joiner never derived.
            counters.replayedPackets.incrementRelease();
            return;
        }

        final Offer offer = Offer.read(reader, join, signature, cookieIn);
        if (!HandshakeCrypto.verify(offer.signKey, offer.transcript, signature))
        {
            counters.badSignatures.incrementRelease();
            return;
        }
        final JoinLimits ownLimits = local.limitsFor(source);
        final JoinRefusal refusal = check(source, srcId, estate, offer, ownLimits);
        if (JoinRefusal.NONE != refusal)
        {
            refuse(source, srcId, srcSession, offer.name, nonce, signature, refusal, offer.limits, ownLimits);
            return;
        }
        final Acceptance decision = trust.decideJoiner(offer.name, srcId, offer.signKey, offer.agreeKey,
            format(source));
        counters.accountKeepWrites(trust.writesDropped(), trust.writesDeferred());
        if (Acceptance.REJECTED == decision)
        {
            refuse(source, srcId, srcSession, offer.name, nonce, signature,
                trust.refusalOf(offer.name, offer.signKey, offer.agreeKey), offer.limits, ownLimits);
            return;
        }
        if (Acceptance.PENDING == decision)
        {
            counters.joinsPending.incrementRelease();
            sendSignedJoinAck(source, srcId, srcSession, JoinStatus.PENDING, JoinRefusal.PENDING_ACCEPTANCE, nonce,
                signature, ownLimits);
            if (isFirstReport(nonce))
            {
                events.joinRefused(JoinFailures.refusedHere(
                    format(source), offer.name, JoinRefusal.PENDING_ACCEPTANCE, offer.limits, ownLimits, keepDir));
            }
            return;
        }
        allow(source, reader, estate, offer, signature, ownLimits);
    }

    /**
     * What refuses a signed join before the keep is asked: a key other than the one pinned for the address, an id in
     * use (by this stack, or by an estate of another name), settings the two sides must share.
     */
    private JoinRefusal check(
        final SocketAddress source,
        final long srcId,
        final RemoteEstate estate,
        final Offer offer,
        final JoinLimits ownLimits)
    {
        final byte[] pinned = joiner.pinnedKey(null != estate ? estate.address() : source);
        if (null != pinned && !Arrays.equals(pinned, offer.signKey))
        {
            // This stack pinned the key of the estate at this address or with this id: no other key gets in, not
            // by answering our join and not by joining us.
            counters.pinnedKeyMismatch.incrementRelease();
            return JoinRefusal.PINNED_KEY_MISMATCH;
        }
        if (srcId == local.id() || (null != estate && !offer.name.equals(estate.name())))
        {
            return JoinRefusal.ID_IN_USE;
        }
        if (offer.limits.isEncrypted() != ownLimits.isEncrypted())
        {
            return JoinRefusal.ENCRYPTION_MISMATCH;
        }
        return isUsable(offer.limits) ? JoinRefusal.NONE : JoinRefusal.LIMITS_MISMATCH;
    }

    /**
     * Allow: an ephemeral agreement bound to both long-term keys gives this session's keys; the estate is joined (or
     * its pair renewed) and the signed JoinAck kept, to answer the joiner's retransmissions with the same bytes.
     */
    private void allow(
        final SocketAddress source,
        final PacketReader reader,
        final RemoteEstate known,
        final Offer offer,
        final byte[] signature,
        final JoinLimits ownLimits)
    {
        final long nonce = offer.nonce;
        final long srcId = reader.srcEstateId();
        final int srcSession = reader.srcSession();
        final boolean isRenewFlagged = 0 != (reader.flags() & HEADER_FLAG_RENEW);
        final byte[] ephemeralPrivate = crypto.newAgreementPrivateKey();
        final byte[] ephemeralPublic = HandshakeCrypto.agreementPublicKey(ephemeralPrivate);
        final byte[] ephemeralShared = new byte[32];
        final byte[] staticShared = new byte[32];
        final boolean agreed = HandshakeCrypto.agree(ephemeralPrivate, offer.ephemeralKey, ephemeralShared, 0) &&
            HandshakeCrypto.agree(trust.agreePrivate(), offer.agreeKey, staticShared, 0);
        Arrays.fill(ephemeralPrivate, (byte)0);
        if (!agreed)
        {
            counters.badSignatures.incrementRelease();
            return;
        }
        // Whether this side's state for the pair will be fresh (new, or renewed now): told to the joiner in the signed
        // JoinAck, so both sides renew together.
        final boolean isRenewal = null != known && known.hasJoinedOnce() && nonce != known.joinent.lastNonce &&
            (EstateState.DEAD == known.state() || srcSession != known.session || isRenewFlagged);
        final boolean isFresh = null == known || !known.hasJoinedOnce() || isRenewal;
        final int ackFlags = isFresh ? HEADER_FLAG_RENEW : 0;
        final byte[] ackSignature = signJoinAck(signature, ackFlags, srcId, srcSession, JoinStatus.ACCEPTED,
            JoinRefusal.NONE, nonce, ephemeralPublic, ownLimits);
        final SessionKeys keys = SessionKeys.derive(
            ephemeralShared, staticShared, signature, ackSignature, false, ctx.rekeyAfterPackets(),
            ctx.rekeyAfterNs(), cycle.nowNs(), ctx.aeadFactory());
        Arrays.fill(ephemeralShared, (byte)0);
        Arrays.fill(staticShared, (byte)0);

        final RemoteEstate estate = null == known ?
            joinNew(source, srcId, srcSession, offer, keys) :
            joinKnown(known, source, srcId, srcSession, offer, keys, isRenewal);
        estate.peerSigningKey = offer.signKey;
        final PacketWriter writer = sender.beginClear(srcId, srcSession);
        writer.flags(ackFlags);
        writer.appendJoinAck(JoinStatus.ACCEPTED, PROTOCOL_VERSION, nonce, local.name(), trust.signPublic(),
            trust.agreePublic(), ephemeralPublic, ackSignature, ownLimits, JoinRefusal.NONE);
        writer.finish();
        estate.joinent.lastSignature = signature;
        estate.joinent.lastAck = sender.copyOut();
        sender.sendTo(source);
    }

    private RemoteEstate joinNew(
        final SocketAddress source, final long srcId, final int srcSession, final Offer offer, final SessionKeys keys)
    {
        final RemoteEstate estate;
        final RemoteEstate atAddress = estates.byAddress(source);
        if (null != atAddress && atAddress.isPlaceholder())
        {
            estate = atAddress;
            estates.identify(estate, srcId, offer.name, source);
            estate.isSealed = local.isSealedFor(source);
        }
        else
        {
            if (null != atAddress)
            {
                lifecycle.forget(atAddress, FailureReason.PEER_RESTARTED.ordinal());
            }
            estate = lifecycle.newEstate(srcId, offer.name, source);
            estates.add(estate);
        }
        estate.session = srcSession;
        estate.joinent.remember(offer.nonce);
        estate.installKeys(keys, true);
        lifecycle.applyPeerLimits(estate, offer.limits);
        lifecycle.becomeJoined(estate, false);
        return estate;
    }

    private RemoteEstate joinKnown(
        final RemoteEstate estate,
        final SocketAddress source,
        final long srcId,
        final int srcSession,
        final Offer offer,
        final SessionKeys keys,
        final boolean isRenewal)
    {
        final boolean isSessionChange = srcSession != estate.session;
        if (!source.equals(estate.address()))
        {
            estates.identify(estate, srcId, offer.name, source);
            estate.isSealed = local.isSealedFor(source);
        }
        estate.session = srcSession;
        estate.joinent.remember(offer.nonce);
        estate.installKeys(keys, isRenewal || isSessionChange);
        if (!estate.isSessionUp() || isRenewal)
        {
            if (!estate.hasJoinedOnce() || isRenewal)
            {
                lifecycle.applyPeerLimits(estate, offer.limits);
            }
            // A renewal this stack started itself (the peer sent a Renew) stays RENEWING until its own JoinAck.
            final boolean wasRenewing = EstateState.RENEWING == estate.state();
            lifecycle.becomeJoined(estate, isRenewal);
            if (wasRenewing)
            {
                estate.state(EstateState.RENEWING);
            }
        }
        else
        {
            lifecycle.heard(estate);
        }
        return estate;
    }

    /**
     * Refuse a join with a signed JoinAck REJECTED that says why, and tell this stack's application once per join.
     */
    private void refuse(
        final SocketAddress source,
        final long srcId,
        final int srcSession,
        final String joinerName,
        final long nonce,
        final byte[] joinSignature,
        final JoinRefusal refusal,
        final JoinLimits peerLimits,
        final JoinLimits ownLimits)
    {
        counters.joinsRefused.incrementRelease();
        sendSignedJoinAck(source, srcId, srcSession, JoinStatus.REJECTED, refusal, nonce, joinSignature, ownLimits);
        if (isFirstReport(nonce))
        {
            final JoinFailure failure =
                JoinFailures.refusedHere(format(source), joinerName, refusal, peerLimits, ownLimits, keepDir);
            events.joinRefused(failure);
        }
    }

    /**
     * Whether a refusal of this join (nonce) is new to the application: a joiner resends its Join until answered,
     * and asks again every 250 ms while pending, so each join is reported once. Bounded: forgotten past a few
     * thousand joins, at worst reported again.
     */
    private boolean isFirstReport(final long nonce)
    {
        if (reportedRefusals.size() >= REPORTED_REFUSALS_MAX)
        {
            reportedRefusals.clear();
        }
        return reportedRefusals.add(nonce);
    }

    private byte[] signJoinAck(
        final byte[] joinSignature,
        final int flags,
        final long toId,
        final int toSession,
        final JoinStatus status,
        final JoinRefusal refusal,
        final long nonce,
        final byte[] ephemeralPublic,
        final JoinLimits ownLimits)
    {
        final byte[] transcript = Transcripts.joinAck(
            joinSignature, flags, local.id(), local.session(), toId, toSession, status.value(), PROTOCOL_VERSION,
            nonce, trust.signPublic(), trust.agreePublic(), null == ephemeralPublic ? ZERO_KEY : ephemeralPublic,
            ownLimits, refusal.value(), local.name());
        return HandshakeCrypto.sign(trust.signPrivate(), trust.signPublic(), transcript);
    }

    private void sendSignedJoinAck(
        final SocketAddress to,
        final long toId,
        final int toSession,
        final JoinStatus status,
        final JoinRefusal refusal,
        final long nonce,
        final byte[] joinSignature,
        final JoinLimits ownLimits)
    {
        final byte[] ackSignature =
            signJoinAck(joinSignature, 0, toId, toSession, status, refusal, nonce, null, ownLimits);
        sender.beginClear(toId, toSession).appendJoinAck(status, PROTOCOL_VERSION, nonce, local.name(),
            trust.signPublic(), trust.agreePublic(), null, ackSignature, ownLimits, refusal);
        sender.sendTo(to);
    }

    private static boolean isZero(final byte[] bytes)
    {
        int bits = 0;
        for (final byte b : bytes)
        {
            bits |= b;
        }
        return 0 == bits;
    }

    /**
     * What a signed Join offers, copied out of the datagram, with the transcript its signature covers. Control
     * plane: allocates.
     */
    static final class Offer
    {
        final byte[] signKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] agreeKey = new byte[PacketWriter.KEY_LENGTH];
        final byte[] ephemeralKey = new byte[PacketWriter.KEY_LENGTH];
        long nonce;
        JoinLimits limits;
        String name;
        byte[] transcript;

        static Offer read(
            final PacketReader reader, final JoinDecoder join, final byte[] signature, final byte[] cookie)
        {
            final Offer offer = new Offer();
            offer.nonce = join.nonce();
            join.getSigningKey(offer.signKey, 0, offer.signKey.length);
            join.getAgreementKey(offer.agreeKey, 0, offer.agreeKey.length);
            join.getEphemeralKey(offer.ephemeralKey, 0, offer.ephemeralKey.length);
            offer.limits = new JoinLimits(
                join.mtu(), join.maxMessageLength(), join.receiveCredit(), join.options().encrypted());
            offer.name = reader.joinName();
            offer.transcript = Transcripts.join(reader.flags(), reader.srcEstateId(), reader.srcSession(),
                join.minVersion(), join.maxVersion(), offer.nonce, cookie, offer.signKey, offer.agreeKey,
                offer.ephemeralKey, offer.limits, offer.name);
            return offer;
        }
    }
}
