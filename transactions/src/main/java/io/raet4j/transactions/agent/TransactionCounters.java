package io.raet4j.transactions.agent;

import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.status.CounterSet;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The stack's totals that the transactions write, each looked up once when the stack starts so the duty cycle never
 * searches for a counter. Written by the duty-cycle thread, read by anyone through the status file.
 */
public final class TransactionCounters
{
    /** {@link StackCounterDescriptor#ACKS_RECEIVED}. */
    public final AtomicCounter acksReceived;
    /** {@link StackCounterDescriptor#ACKS_SENT}. */
    public final AtomicCounter acksSent;
    /** {@link StackCounterDescriptor#API_MISUSE}. */
    public final AtomicCounter apiMisuse;
    /** {@link StackCounterDescriptor#BACK_PRESSURE_EVENTS}. */
    public final AtomicCounter backPressureEvents;
    /** {@link StackCounterDescriptor#BAD_COOKIES}. */
    public final AtomicCounter badCookies;
    /** {@link StackCounterDescriptor#BAD_SIGNATURES}. */
    public final AtomicCounter badSignatures;
    /** {@link TransportCounterDescriptor#BYTES_RECEIVED}. */
    public final AtomicCounter bytesReceived;
    /** {@link TransportCounterDescriptor#BYTES_SENT}. */
    public final AtomicCounter bytesSent;
    /** {@link StackCounterDescriptor#CONGESTION_EVENTS}. */
    public final AtomicCounter congestionEvents;
    /** {@link StackCounterDescriptor#DUPLICATE_SEGMENTS}. */
    public final AtomicCounter duplicateSegments;
    /** {@link TransportCounterDescriptor#DUTY_CYCLES}. */
    public final AtomicCounter dutyCycles;
    /** {@link TransportCounterDescriptor#DUTY_CYCLE_STALLS}. */
    public final AtomicCounter dutyCycleStalls;
    /** {@link StackCounterDescriptor#ESTATES_DEAD}. */
    public final AtomicCounter estatesDead;
    /** {@link StackCounterDescriptor#ESTATES_REAPED}. */
    public final AtomicCounter estatesReaped;
    /** {@link StackCounterDescriptor#ESTATES_UNREACHABLE}. */
    public final AtomicCounter estatesUnreachable;
    /** {@link StackCounterDescriptor#JOINS}. */
    public final AtomicCounter joins;
    /** {@link StackCounterDescriptor#JOINS_FAILED}. */
    public final AtomicCounter joinsFailed;
    /** {@link StackCounterDescriptor#JOINS_PENDING}. */
    public final AtomicCounter joinsPending;
    /** {@link StackCounterDescriptor#JOINS_RATE_LIMITED}. */
    public final AtomicCounter joinsRateLimited;
    /** {@link StackCounterDescriptor#JOINS_REFUSED}. */
    public final AtomicCounter joinsRefused;
    /** {@link StackCounterDescriptor#JOIN_COOKIES_SENT}. */
    public final AtomicCounter joinCookiesSent;
    /** {@link StackCounterDescriptor#KEEP_WRITES_DEFERRED}. */
    public final AtomicCounter keepWritesDeferred;
    /** {@link StackCounterDescriptor#KEEP_WRITES_DROPPED}. */
    public final AtomicCounter keepWritesDropped;
    /** {@link StackCounterDescriptor#KEY_UPDATES}. */
    public final AtomicCounter keyUpdates;
    /** {@link StackCounterDescriptor#LOSSES_DETECTED}. */
    public final AtomicCounter lossesDetected;
    /** {@link StackCounterDescriptor#MALFORMED_PACKETS}. */
    public final AtomicCounter malformedPackets;
    /** {@link StackCounterDescriptor#MESSAGES_DELIVERED}. */
    public final AtomicCounter messagesDelivered;
    /** {@link StackCounterDescriptor#MESSAGES_FAILED}. */
    public final AtomicCounter messagesFailed;
    /** {@link StackCounterDescriptor#MESSAGES_OFFERED}. */
    public final AtomicCounter messagesOffered;
    /** {@link StackCounterDescriptor#MESSAGES_RECEIVED}. */
    public final AtomicCounter messagesReceived;
    /** {@link StackCounterDescriptor#MESSAGES_UNCERTAIN}. */
    public final AtomicCounter messagesUncertain;
    /** {@link StackCounterDescriptor#NACKS_RECEIVED}. */
    public final AtomicCounter nacksReceived;
    /** {@link StackCounterDescriptor#NACKS_SENT}. */
    public final AtomicCounter nacksSent;
    /** {@link StackCounterDescriptor#OUT_OF_WINDOW_SEGMENTS}. */
    public final AtomicCounter outOfWindowSegments;
    /** {@link TransportCounterDescriptor#PACKETS_RECEIVED}. */
    public final AtomicCounter packetsReceived;
    /** {@link TransportCounterDescriptor#PACKETS_SENT}. */
    public final AtomicCounter packetsSent;
    /** {@link StackCounterDescriptor#PINNED_KEY_MISMATCH}. */
    public final AtomicCounter pinnedKeyMismatch;
    /** {@link StackCounterDescriptor#REPLAYED_PACKETS}. */
    public final AtomicCounter replayedPackets;
    /** {@link StackCounterDescriptor#RETRANSMITS}. */
    public final AtomicCounter retransmits;
    /** {@link StackCounterDescriptor#RETRANSMIT_TIMEOUTS}. */
    public final AtomicCounter retransmitTimeouts;
    /** {@link StackCounterDescriptor#SEGMENTS_SENT}. */
    public final AtomicCounter segmentsSent;
    /** {@link TransportCounterDescriptor#SEND_WOULD_BLOCK}. */
    public final AtomicCounter sendWouldBlock;
    /** {@link StackCounterDescriptor#SESSIONS_RENEWED}. */
    public final AtomicCounter sessionsRenewed;
    /** {@link StackCounterDescriptor#SESSIONS_RESUMED}. */
    public final AtomicCounter sessionsResumed;
    /** {@link StackCounterDescriptor#STALE_SESSION}. */
    public final AtomicCounter staleSession;
    /** {@link StackCounterDescriptor#TAIL_PROBES}. */
    public final AtomicCounter tailProbes;
    /** {@link StackCounterDescriptor#TAMPERED_PACKETS}. */
    public final AtomicCounter tamperedPackets;
    /** {@link StackCounterDescriptor#UNKNOWN_ESTATE}. */
    public final AtomicCounter unknownEstate;
    /** {@link StackCounterDescriptor#UNKNOWN_FRAMES}. */
    public final AtomicCounter unknownFrames;
    /** {@link StackCounterDescriptor#UNKNOWN_KEY_PACKETS}. */
    public final AtomicCounter unknownKeyPackets;
    /** {@link StackCounterDescriptor#UNSEALED_PACKETS}. */
    public final AtomicCounter unsealedPackets;
    /** {@link StackCounterDescriptor#UNSUPPORTED_VERSION}. */
    public final AtomicCounter unsupportedVersion;

    /**
     * Resolve the counters.
     *
     * @param transport the transport's counters.
     * @param stack     the transactions layer's counters.
     */
    public TransactionCounters(
        final CounterSet<TransportCounterDescriptor> transport, final CounterSet<StackCounterDescriptor> stack)
    {
        acksReceived = stack.get(StackCounterDescriptor.ACKS_RECEIVED);
        acksSent = stack.get(StackCounterDescriptor.ACKS_SENT);
        apiMisuse = stack.get(StackCounterDescriptor.API_MISUSE);
        backPressureEvents = stack.get(StackCounterDescriptor.BACK_PRESSURE_EVENTS);
        badCookies = stack.get(StackCounterDescriptor.BAD_COOKIES);
        badSignatures = stack.get(StackCounterDescriptor.BAD_SIGNATURES);
        bytesReceived = transport.get(TransportCounterDescriptor.BYTES_RECEIVED);
        bytesSent = transport.get(TransportCounterDescriptor.BYTES_SENT);
        congestionEvents = stack.get(StackCounterDescriptor.CONGESTION_EVENTS);
        duplicateSegments = stack.get(StackCounterDescriptor.DUPLICATE_SEGMENTS);
        dutyCycles = transport.get(TransportCounterDescriptor.DUTY_CYCLES);
        dutyCycleStalls = transport.get(TransportCounterDescriptor.DUTY_CYCLE_STALLS);
        estatesDead = stack.get(StackCounterDescriptor.ESTATES_DEAD);
        estatesReaped = stack.get(StackCounterDescriptor.ESTATES_REAPED);
        estatesUnreachable = stack.get(StackCounterDescriptor.ESTATES_UNREACHABLE);
        joins = stack.get(StackCounterDescriptor.JOINS);
        joinsFailed = stack.get(StackCounterDescriptor.JOINS_FAILED);
        joinsPending = stack.get(StackCounterDescriptor.JOINS_PENDING);
        joinsRateLimited = stack.get(StackCounterDescriptor.JOINS_RATE_LIMITED);
        joinsRefused = stack.get(StackCounterDescriptor.JOINS_REFUSED);
        joinCookiesSent = stack.get(StackCounterDescriptor.JOIN_COOKIES_SENT);
        keepWritesDeferred = stack.get(StackCounterDescriptor.KEEP_WRITES_DEFERRED);
        keepWritesDropped = stack.get(StackCounterDescriptor.KEEP_WRITES_DROPPED);
        keyUpdates = stack.get(StackCounterDescriptor.KEY_UPDATES);
        lossesDetected = stack.get(StackCounterDescriptor.LOSSES_DETECTED);
        malformedPackets = stack.get(StackCounterDescriptor.MALFORMED_PACKETS);
        messagesDelivered = stack.get(StackCounterDescriptor.MESSAGES_DELIVERED);
        messagesFailed = stack.get(StackCounterDescriptor.MESSAGES_FAILED);
        messagesOffered = stack.get(StackCounterDescriptor.MESSAGES_OFFERED);
        messagesReceived = stack.get(StackCounterDescriptor.MESSAGES_RECEIVED);
        messagesUncertain = stack.get(StackCounterDescriptor.MESSAGES_UNCERTAIN);
        nacksReceived = stack.get(StackCounterDescriptor.NACKS_RECEIVED);
        nacksSent = stack.get(StackCounterDescriptor.NACKS_SENT);
        outOfWindowSegments = stack.get(StackCounterDescriptor.OUT_OF_WINDOW_SEGMENTS);
        packetsReceived = transport.get(TransportCounterDescriptor.PACKETS_RECEIVED);
        packetsSent = transport.get(TransportCounterDescriptor.PACKETS_SENT);
        pinnedKeyMismatch = stack.get(StackCounterDescriptor.PINNED_KEY_MISMATCH);
        replayedPackets = stack.get(StackCounterDescriptor.REPLAYED_PACKETS);
        retransmits = stack.get(StackCounterDescriptor.RETRANSMITS);
        retransmitTimeouts = stack.get(StackCounterDescriptor.RETRANSMIT_TIMEOUTS);
        segmentsSent = stack.get(StackCounterDescriptor.SEGMENTS_SENT);
        sendWouldBlock = transport.get(TransportCounterDescriptor.SEND_WOULD_BLOCK);
        sessionsRenewed = stack.get(StackCounterDescriptor.SESSIONS_RENEWED);
        sessionsResumed = stack.get(StackCounterDescriptor.SESSIONS_RESUMED);
        staleSession = stack.get(StackCounterDescriptor.STALE_SESSION);
        tailProbes = stack.get(StackCounterDescriptor.TAIL_PROBES);
        tamperedPackets = stack.get(StackCounterDescriptor.TAMPERED_PACKETS);
        unknownEstate = stack.get(StackCounterDescriptor.UNKNOWN_ESTATE);
        unknownFrames = stack.get(StackCounterDescriptor.UNKNOWN_FRAMES);
        unknownKeyPackets = stack.get(StackCounterDescriptor.UNKNOWN_KEY_PACKETS);
        unsealedPackets = stack.get(StackCounterDescriptor.UNSEALED_PACKETS);
        unsupportedVersion = stack.get(StackCounterDescriptor.UNSUPPORTED_VERSION);
    }

    /**
     * Publish the keep writer's totals of dropped and deferred writes, which it keeps itself.
     *
     * @param dropped  writes dropped so far.
     * @param deferred writes deferred so far.
     */
    public void accountKeepWrites(final long dropped, final long deferred)
    {
        if (dropped > keepWritesDropped.get())
        {
            keepWritesDropped.setRelease(dropped);
        }
        if (deferred > keepWritesDeferred.get())
        {
            keepWritesDeferred.setRelease(deferred);
        }
    }
}
