package io.raet4j.transactions;

import io.raet4j.transport.status.CounterDescriptor;

/**
 * The transactions layer's counters: packets dropped and why, the join, alive and message transactions, keys and the
 * keep. Allocated in the stack's memory-mapped status file beside the transport's
 * ({@link io.raet4j.transport.status.TransportCounterDescriptor}) so that a separate process ({@code raet4j.jar stat})
 * can read them live; applications read them through {@link Stack#counter(StackCounterDescriptor)}. Ids are stable
 * across versions (add, never renumber) and unique across layers: new ones are taken below 500 (see
 * {@link CounterDescriptor}).
 */
public enum StackCounterDescriptor implements CounterDescriptor
{
    /** Datagrams dropped because they were truncated, malformed or failed the checksum. */
    MALFORMED_PACKETS(4, "Malformed packets dropped"),
    /** Datagrams dropped because they carried another schema or an unsupported protocol version. */
    UNSUPPORTED_VERSION(5, "Unsupported version packets dropped"),
    /** Datagrams dropped because they came from an estate that has not joined. */
    UNKNOWN_ESTATE(6, "Unknown estate packets dropped"),
    /** Datagrams dropped because they belong to an earlier session of either side. */
    STALE_SESSION(7, "Stale session packets dropped"),
    /** Frames of a kind this version does not know, skipped. */
    UNKNOWN_FRAMES(8, "Unknown frames skipped"),
    /** Data segments received more than once and dropped. */
    DUPLICATE_SEGMENTS(9, "Duplicate segments dropped"),
    /** Data segments dropped because they fell outside the receive window. */
    OUT_OF_WINDOW_SEGMENTS(10, "Out of window segments dropped"),
    /** Data segments sent for the first time. */
    SEGMENTS_SENT(11, "Segments sent"),
    /** Data segments sent again. */
    RETRANSMITS(12, "Segments retransmitted"),
    /** Retransmission timer expiries. */
    RETRANSMIT_TIMEOUTS(13, "Retransmit timeouts"),
    /** Ack frames sent. */
    ACKS_SENT(14, "Acks sent"),
    /** Ack frames received. */
    ACKS_RECEIVED(15, "Acks received"),
    /** Nack frames sent. */
    NACKS_SENT(16, "Nacks sent"),
    /** Nack frames received. */
    NACKS_RECEIVED(17, "Nacks received"),
    /** Messages accepted by offer. */
    MESSAGES_OFFERED(18, "Messages offered"),
    /** Messages confirmed delivered to the remote application. */
    MESSAGES_DELIVERED(19, "Messages delivered"),
    /** Messages reported failed (certainly not delivered) to the local application. */
    MESSAGES_FAILED(20, "Messages failed"),
    /** Messages handed to the local application by poll. */
    MESSAGES_RECEIVED(21, "Messages received"),
    /** Offers refused for back-pressure. */
    BACK_PRESSURE_EVENTS(22, "Back pressure events"),
    /** Joins completed, as joiner or as acceptor. */
    JOINS(24, "Joins completed"),
    /** Join requests refused. */
    JOINS_REFUSED(25, "Joins refused"),
    /** Estates declared dead. */
    ESTATES_DEAD(26, "Estates declared dead"),
    /** Estates reaped. */
    ESTATES_REAPED(27, "Estates reaped"),
    /** Sessions renewed because a peer restarted or asked for it. */
    SESSIONS_RENEWED(28, "Sessions renewed"),
    /** Congestion window reductions. */
    CONGESTION_EVENTS(32, "Congestion window reductions"),
    /** JoinCookie answers sent: joins without a valid cookie, answered without keeping state. */
    JOIN_COOKIES_SENT(33, "Join cookies sent"),
    /** Joins echoing a cookie that is not valid for their address, id, session and nonce. */
    BAD_COOKIES(34, "Join cookies not valid"),
    /** Joins dropped because the cookie rate limit was reached (flood). */
    JOINS_RATE_LIMITED(35, "Joins dropped by rate limit"),
    /** Joins and JoinAcks whose signature does not verify, or whose keys cannot agree: forged. */
    BAD_SIGNATURES(36, "Join signatures not valid"),
    /** Joins answered PENDING: waiting for an operator to accept the estate. */
    JOINS_PENDING(37, "Joins pending acceptance"),
    /** JoinAcks signed by another key than the one pinned for the join: an impostor answered. */
    PINNED_KEY_MISMATCH(38, "JoinAcks not matching the pinned key"),
    /** Sealed packets whose counter was seen before or is below the replay window. */
    REPLAYED_PACKETS(39, "Replayed packets dropped"),
    /** Sealed packets whose authentication tag does not match: tampered, forged or corrupt. */
    TAMPERED_PACKETS(40, "Tampered packets dropped"),
    /** Sealed packets under a key id no session of the sender knows. */
    UNKNOWN_KEY_PACKETS(41, "Unknown key packets dropped"),
    /** Estate packets in clear text where encryption is required, or sealed where it is off. */
    UNSEALED_PACKETS(42, "Unsealed packets dropped"),
    /** Send-key rotations. */
    KEY_UPDATES(43, "Key updates"),
    /** Keep records still waiting for the background writer when the stack closed; kept in memory only, lost. */
    KEEP_WRITES_DROPPED(44, "Keep writes dropped"),
    /** Segments found lost because a segment sent after them was acknowledged, and queued for retransmission. */
    LOSSES_DETECTED(45, "Segments detected lost by later acks"),
    /** Probe timeouts that resent one segment at the tail (the window is left alone). */
    TAIL_PROBES(46, "Tail loss probes"),
    /** Keep records the background writer's queue could not take at once; held and handed over again. */
    KEEP_WRITES_DEFERRED(47, "Keep writes deferred"),
    /** Messages sent whole whose delivery was never confirmed when the receiver's session ended: outcome unknown. */
    MESSAGES_UNCERTAIN(48, "Messages uncertain"),
    /** Estates silent for the liveness timeout, their sessions kept. */
    ESTATES_UNREACHABLE(49, "Estates unreachable"),
    /** Unreachable estates heard from again within the session timeout: sessions resumed. */
    SESSIONS_RESUMED(50, "Sessions resumed"),
    /** Joins this stack started that failed (no answer, refused, pending too long). */
    JOINS_FAILED(51, "Joins failed"),
    /** Calls into the single-threaded API from a thread that does not own the stack, refused. */
    API_MISUSE(52, "API calls from a wrong thread refused"),
    /**
     * Not a count: which ChaCha20-Poly1305 implementation seals and opens this stack's packets, set once at start
     * (see {@link StackContext#aead()}): 1 is the pure-Java one ({@code io.raet4j.codec.crypto.BcChaCha20Poly1305}),
     * 2 is libsodium ({@code raet4j-sodium}).
     */
    AEAD_IMPLEMENTATION(53, "AEAD implementation (1 java, 2 libsodium)");

    private final int id;
    private final String label;

    StackCounterDescriptor(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int id()
    {
        return id;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return label;
    }
}
