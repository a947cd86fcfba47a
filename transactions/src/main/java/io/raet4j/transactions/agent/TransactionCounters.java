package io.raet4j.transactions.agent;

import io.raet4j.transport.status.SystemCounterDescriptor;
import io.raet4j.transport.status.SystemCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The stack's totals that the transactions write, each looked up once when the stack starts so the duty cycle never
 * searches for a counter. Written by the duty-cycle thread, read by anyone through the status file.
 */
public final class TransactionCounters
{
    /** {@link SystemCounterDescriptor#ACKS_RECEIVED}. */
    public final AtomicCounter acksReceived;
    /** {@link SystemCounterDescriptor#ACKS_SENT}. */
    public final AtomicCounter acksSent;
    /** {@link SystemCounterDescriptor#API_MISUSE}. */
    public final AtomicCounter apiMisuse;
    /** {@link SystemCounterDescriptor#BACK_PRESSURE_EVENTS}. */
    public final AtomicCounter backPressureEvents;
    /** {@link SystemCounterDescriptor#BAD_COOKIES}. */
    public final AtomicCounter badCookies;
    /** {@link SystemCounterDescriptor#BAD_SIGNATURES}. */
    public final AtomicCounter badSignatures;
    /** {@link SystemCounterDescriptor#BYTES_RECEIVED}. */
    public final AtomicCounter bytesReceived;
    /** {@link SystemCounterDescriptor#BYTES_SENT}. */
    public final AtomicCounter bytesSent;
    /** {@link SystemCounterDescriptor#CONGESTION_EVENTS}. */
    public final AtomicCounter congestionEvents;
    /** {@link SystemCounterDescriptor#DUPLICATE_SEGMENTS}. */
    public final AtomicCounter duplicateSegments;
    /** {@link SystemCounterDescriptor#DUTY_CYCLES}. */
    public final AtomicCounter dutyCycles;
    /** {@link SystemCounterDescriptor#DUTY_CYCLE_STALLS}. */
    public final AtomicCounter dutyCycleStalls;
    /** {@link SystemCounterDescriptor#ESTATES_DEAD}. */
    public final AtomicCounter estatesDead;
    /** {@link SystemCounterDescriptor#ESTATES_REAPED}. */
    public final AtomicCounter estatesReaped;
    /** {@link SystemCounterDescriptor#ESTATES_UNREACHABLE}. */
    public final AtomicCounter estatesUnreachable;
    /** {@link SystemCounterDescriptor#JOINS}. */
    public final AtomicCounter joins;
    /** {@link SystemCounterDescriptor#JOINS_FAILED}. */
    public final AtomicCounter joinsFailed;
    /** {@link SystemCounterDescriptor#JOINS_PENDING}. */
    public final AtomicCounter joinsPending;
    /** {@link SystemCounterDescriptor#JOINS_RATE_LIMITED}. */
    public final AtomicCounter joinsRateLimited;
    /** {@link SystemCounterDescriptor#JOINS_REFUSED}. */
    public final AtomicCounter joinsRefused;
    /** {@link SystemCounterDescriptor#JOIN_COOKIES_SENT}. */
    public final AtomicCounter joinCookiesSent;
    /** {@link SystemCounterDescriptor#KEEP_WRITES_DEFERRED}. */
    public final AtomicCounter keepWritesDeferred;
    /** {@link SystemCounterDescriptor#KEEP_WRITES_DROPPED}. */
    public final AtomicCounter keepWritesDropped;
    /** {@link SystemCounterDescriptor#KEY_UPDATES}. */
    public final AtomicCounter keyUpdates;
    /** {@link SystemCounterDescriptor#LOSSES_DETECTED}. */
    public final AtomicCounter lossesDetected;
    /** {@link SystemCounterDescriptor#MALFORMED_PACKETS}. */
    public final AtomicCounter malformedPackets;
    /** {@link SystemCounterDescriptor#MESSAGES_DELIVERED}. */
    public final AtomicCounter messagesDelivered;
    /** {@link SystemCounterDescriptor#MESSAGES_FAILED}. */
    public final AtomicCounter messagesFailed;
    /** {@link SystemCounterDescriptor#MESSAGES_OFFERED}. */
    public final AtomicCounter messagesOffered;
    /** {@link SystemCounterDescriptor#MESSAGES_RECEIVED}. */
    public final AtomicCounter messagesReceived;
    /** {@link SystemCounterDescriptor#MESSAGES_UNCERTAIN}. */
    public final AtomicCounter messagesUncertain;
    /** {@link SystemCounterDescriptor#NACKS_RECEIVED}. */
    public final AtomicCounter nacksReceived;
    /** {@link SystemCounterDescriptor#NACKS_SENT}. */
    public final AtomicCounter nacksSent;
    /** {@link SystemCounterDescriptor#OUT_OF_WINDOW_SEGMENTS}. */
    public final AtomicCounter outOfWindowSegments;
    /** {@link SystemCounterDescriptor#PACKETS_RECEIVED}. */
    public final AtomicCounter packetsReceived;
    /** {@link SystemCounterDescriptor#PACKETS_SENT}. */
    public final AtomicCounter packetsSent;
    /** {@link SystemCounterDescriptor#PINNED_KEY_MISMATCH}. */
    public final AtomicCounter pinnedKeyMismatch;
    /** {@link SystemCounterDescriptor#REPLAYED_PACKETS}. */
    public final AtomicCounter replayedPackets;
    /** {@link SystemCounterDescriptor#RETRANSMITS}. */
    public final AtomicCounter retransmits;
    /** {@link SystemCounterDescriptor#RETRANSMIT_TIMEOUTS}. */
    public final AtomicCounter retransmitTimeouts;
    /** {@link SystemCounterDescriptor#SEGMENTS_SENT}. */
    public final AtomicCounter segmentsSent;
    /** {@link SystemCounterDescriptor#SEND_WOULD_BLOCK}. */
    public final AtomicCounter sendWouldBlock;
    /** {@link SystemCounterDescriptor#SESSIONS_RENEWED}. */
    public final AtomicCounter sessionsRenewed;
    /** {@link SystemCounterDescriptor#SESSIONS_RESUMED}. */
    public final AtomicCounter sessionsResumed;
    /** {@link SystemCounterDescriptor#STALE_SESSION}. */
    public final AtomicCounter staleSession;
    /** {@link SystemCounterDescriptor#TAIL_PROBES}. */
    public final AtomicCounter tailProbes;
    /** {@link SystemCounterDescriptor#TAMPERED_PACKETS}. */
    public final AtomicCounter tamperedPackets;
    /** {@link SystemCounterDescriptor#UNKNOWN_ESTATE}. */
    public final AtomicCounter unknownEstate;
    /** {@link SystemCounterDescriptor#UNKNOWN_FRAMES}. */
    public final AtomicCounter unknownFrames;
    /** {@link SystemCounterDescriptor#UNKNOWN_KEY_PACKETS}. */
    public final AtomicCounter unknownKeyPackets;
    /** {@link SystemCounterDescriptor#UNSEALED_PACKETS}. */
    public final AtomicCounter unsealedPackets;
    /** {@link SystemCounterDescriptor#UNSUPPORTED_VERSION}. */
    public final AtomicCounter unsupportedVersion;

    /**
     * Resolve the counters.
     *
     * @param counters the stack's system counters.
     */
    public TransactionCounters(final SystemCounters counters)
    {
        acksReceived = counters.get(SystemCounterDescriptor.ACKS_RECEIVED);
        acksSent = counters.get(SystemCounterDescriptor.ACKS_SENT);
        apiMisuse = counters.get(SystemCounterDescriptor.API_MISUSE);
        backPressureEvents = counters.get(SystemCounterDescriptor.BACK_PRESSURE_EVENTS);
        badCookies = counters.get(SystemCounterDescriptor.BAD_COOKIES);
        badSignatures = counters.get(SystemCounterDescriptor.BAD_SIGNATURES);
        bytesReceived = counters.get(SystemCounterDescriptor.BYTES_RECEIVED);
        bytesSent = counters.get(SystemCounterDescriptor.BYTES_SENT);
        congestionEvents = counters.get(SystemCounterDescriptor.CONGESTION_EVENTS);
        duplicateSegments = counters.get(SystemCounterDescriptor.DUPLICATE_SEGMENTS);
        dutyCycles = counters.get(SystemCounterDescriptor.DUTY_CYCLES);
        dutyCycleStalls = counters.get(SystemCounterDescriptor.DUTY_CYCLE_STALLS);
        estatesDead = counters.get(SystemCounterDescriptor.ESTATES_DEAD);
        estatesReaped = counters.get(SystemCounterDescriptor.ESTATES_REAPED);
        estatesUnreachable = counters.get(SystemCounterDescriptor.ESTATES_UNREACHABLE);
        joins = counters.get(SystemCounterDescriptor.JOINS);
        joinsFailed = counters.get(SystemCounterDescriptor.JOINS_FAILED);
        joinsPending = counters.get(SystemCounterDescriptor.JOINS_PENDING);
        joinsRateLimited = counters.get(SystemCounterDescriptor.JOINS_RATE_LIMITED);
        joinsRefused = counters.get(SystemCounterDescriptor.JOINS_REFUSED);
        joinCookiesSent = counters.get(SystemCounterDescriptor.JOIN_COOKIES_SENT);
        keepWritesDeferred = counters.get(SystemCounterDescriptor.KEEP_WRITES_DEFERRED);
        keepWritesDropped = counters.get(SystemCounterDescriptor.KEEP_WRITES_DROPPED);
        keyUpdates = counters.get(SystemCounterDescriptor.KEY_UPDATES);
        lossesDetected = counters.get(SystemCounterDescriptor.LOSSES_DETECTED);
        malformedPackets = counters.get(SystemCounterDescriptor.MALFORMED_PACKETS);
        messagesDelivered = counters.get(SystemCounterDescriptor.MESSAGES_DELIVERED);
        messagesFailed = counters.get(SystemCounterDescriptor.MESSAGES_FAILED);
        messagesOffered = counters.get(SystemCounterDescriptor.MESSAGES_OFFERED);
        messagesReceived = counters.get(SystemCounterDescriptor.MESSAGES_RECEIVED);
        messagesUncertain = counters.get(SystemCounterDescriptor.MESSAGES_UNCERTAIN);
        nacksReceived = counters.get(SystemCounterDescriptor.NACKS_RECEIVED);
        nacksSent = counters.get(SystemCounterDescriptor.NACKS_SENT);
        outOfWindowSegments = counters.get(SystemCounterDescriptor.OUT_OF_WINDOW_SEGMENTS);
        packetsReceived = counters.get(SystemCounterDescriptor.PACKETS_RECEIVED);
        packetsSent = counters.get(SystemCounterDescriptor.PACKETS_SENT);
        pinnedKeyMismatch = counters.get(SystemCounterDescriptor.PINNED_KEY_MISMATCH);
        replayedPackets = counters.get(SystemCounterDescriptor.REPLAYED_PACKETS);
        retransmits = counters.get(SystemCounterDescriptor.RETRANSMITS);
        retransmitTimeouts = counters.get(SystemCounterDescriptor.RETRANSMIT_TIMEOUTS);
        segmentsSent = counters.get(SystemCounterDescriptor.SEGMENTS_SENT);
        sendWouldBlock = counters.get(SystemCounterDescriptor.SEND_WOULD_BLOCK);
        sessionsRenewed = counters.get(SystemCounterDescriptor.SESSIONS_RENEWED);
        sessionsResumed = counters.get(SystemCounterDescriptor.SESSIONS_RESUMED);
        staleSession = counters.get(SystemCounterDescriptor.STALE_SESSION);
        tailProbes = counters.get(SystemCounterDescriptor.TAIL_PROBES);
        tamperedPackets = counters.get(SystemCounterDescriptor.TAMPERED_PACKETS);
        unknownEstate = counters.get(SystemCounterDescriptor.UNKNOWN_ESTATE);
        unknownFrames = counters.get(SystemCounterDescriptor.UNKNOWN_FRAMES);
        unknownKeyPackets = counters.get(SystemCounterDescriptor.UNKNOWN_KEY_PACKETS);
        unsealedPackets = counters.get(SystemCounterDescriptor.UNSEALED_PACKETS);
        unsupportedVersion = counters.get(SystemCounterDescriptor.UNSUPPORTED_VERSION);
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
