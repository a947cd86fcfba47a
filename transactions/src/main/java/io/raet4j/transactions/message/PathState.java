package io.raet4j.transactions.message;

import org.agrona.BitUtil;

/**
 * Round trip time estimate and congestion window of the path to one estate, shared by all its channels.
 * <p>
 * RTT follows RFC 6298 (alpha 1/8, beta 1/4) with samples from segments sent once (Karn) and from alive echoes.
 * The congestion window is counted in full segments but charged in bytes, as TCP counts bytes against its MSS: a
 * segment costs its payload plus its frame header, so a window of 16 full segments holds 16 segments of 1,300 B or
 * some 300 of 32 B (small messages are segments of their own, packed many to a datagram). It grows by slow start to
 * the threshold, one full segment per full segment of bytes acknowledged, and then by one full segment per window
 * acknowledged; a loss event shrinks it to 0.7 of itself, at most once per round trip, never below the minimum.
 * Segments count as in flight from their first transmission until acknowledged, including while they are believed
 * lost, so loss never widens what is outstanding.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
public final class PathState
{
    /** Floor of {@link #probeTimeoutNs()}: below a duty cycle's scheduling noise a probe would mostly be spurious. */
    public static final long MIN_PROBE_TIMEOUT_NS = 20_000;
    /**
     * Bound of {@link #probeTimeoutNs()} in minimum RTTs: acks delayed by loss inflate the smoothed RTT (there are no
     * timestamps to tell a late ack from a slow path); the minimum RTT is not inflated.
     */
    public static final int PTO_MIN_RTTS = 8;
    /**
     * Bytes the Linux kernel charges a datagram's socket buffer beyond its length, twice: once added before rounding up
     * to a power of two and once after (measured on loopback: 2,304 B for a 1,408 B datagram, 832 B for 60 B, 16,640 B
     * for 8,192 B; the estimate gives 2,368, 832 and 16,704).
     */
    public static final int DATAGRAM_CHARGE_OVERHEAD = 320;

    private final long minRtoNs;
    private final long maxRtoNs;
    private final long initialRtoNs;
    private final int initialCwnd;
    private final int minCwnd;
    private final int maxCwnd;
    private final int fullSegmentBytes;

    private long srttNs;
    private long minRttNs;
    private long rttVarNs;
    private long rtoNs;
    private int backoffShift;
    private int cwnd;
    private int ssthresh;
    private long cwndAccumulatorBytes;
    private long slowStartAccumulatorBytes;
    private long inflightBytes;
    private long lastReductionNs;
    private boolean hasReduced;
    private long maxAckDelayNs;

    /**
     * New path state.
     *
     * @param minRtoNs         lower bound of the retransmission timeout.
     * @param maxRtoNs         upper bound of the retransmission timeout.
     * @param initialRtoNs     timeout before a sample.
     * @param initialCwnd      initial window in full segments.
     * @param minCwnd          smallest window in full segments.
     * @param maxCwnd          largest window in full segments.
     * @param fullSegmentBytes charge of a full segment: the largest payload plus its frame header.
     */
    public PathState(
        final long minRtoNs,
        final long maxRtoNs,
        final long initialRtoNs,
        final int initialCwnd,
        final int minCwnd,
        final int maxCwnd,
        final int fullSegmentBytes)
    {
        if (fullSegmentBytes < 1)
        {
            throw new IllegalArgumentException("fullSegmentBytes must be positive: " + fullSegmentBytes);
        }
        this.fullSegmentBytes = fullSegmentBytes;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.initialRtoNs = initialRtoNs;
        this.initialCwnd = initialCwnd;
        this.minCwnd = minCwnd;
        this.maxCwnd = maxCwnd;
        reset();
    }

    /**
     * Forget everything learnt about the path: a new session.
     */
    public void reset()
    {
        srttNs = 0;
        minRttNs = 0;
        rttVarNs = 0;
        rtoNs = initialRtoNs;
        backoffShift = 0;
        cwnd = initialCwnd;
        ssthresh = maxCwnd;
        cwndAccumulatorBytes = 0;
        slowStartAccumulatorBytes = 0;
        inflightBytes = 0;
        hasReduced = false;
    }

    /**
     * What a datagram of this length costs a receiving socket's buffer, as the kernel charges it ({@code truesize}):
     * the next power of two at or above the length plus {@value #DATAGRAM_CHARGE_OVERHEAD}, plus
     * {@value #DATAGRAM_CHARGE_OVERHEAD}. Credit caps and the budget of a peer's socket buffer are counted in it.
     *
     * @param datagramBytes the datagram's length, 0 or more.
     * @return its estimated charge in bytes.
     */
    public static long datagramCharge(final int datagramBytes)
    {
        return BitUtil.findNextPositivePowerOfTwo(datagramBytes + DATAGRAM_CHARGE_OVERHEAD) +
            (long)DATAGRAM_CHARGE_OVERHEAD;
    }

    /**
     * How long the peer may hold an ack (its {@code ackHoldMaxNs}, taken to be this stack's own), added to the probe
     * timeout as TCP adds the peer's maximum ack delay.
     *
     * @param maxAckDelayNs in nanoseconds, 0 or more.
     * @return this for a fluent API.
     */
    public PathState maxAckDelayNs(final long maxAckDelayNs)
    {
        this.maxAckDelayNs = maxAckDelayNs;
        return this;
    }

    /**
     * Take an RTT sample.
     *
     * @param rttNs measured round trip.
     */
    public void onRttSample(final long rttNs)
    {
        final long sample = Math.max(1, rttNs);
        if (0 == minRttNs || sample < minRttNs)
        {
            minRttNs = sample;
        }
        if (0 == srttNs)
        {
            srttNs = sample;
            rttVarNs = sample / 2;
        }
        else
        {
            final long delta = Math.abs(srttNs - sample);
            rttVarNs = rttVarNs - (rttVarNs >> 2) + (delta >> 2);
            srttNs = srttNs - (srttNs >> 3) + (sample >> 3);
        }
        rtoNs = clampRto(srttNs + Math.max(4 * rttVarNs, minRtoNs / 4));
    }

    /**
     * An acknowledgement made progress: the timer backoff ends.
     */
    public void onProgress()
    {
        backoffShift = 0;
    }

    /**
     * The retransmission timer expired: back off and count a loss event.
     *
     * @param nowNs current time.
     * @return true if the window was reduced.
     */
    public boolean onRetransmitTimeout(final long nowNs)
    {
        if (backoffShift < 10)
        {
            backoffShift++;
        }
        return onLoss(nowNs);
    }

    /**
     * The retransmission timer expired without evidence of loss (a delivery probe): back off only.
     */
    public void onBackoff()
    {
        if (backoffShift < 10)
        {
            backoffShift++;
        }
    }

    /**
     * A loss was detected (a nack, or a timeout). Reduces the window at most once per round trip.
     *
     * @param nowNs current time.
     * @return true if the window was reduced.
     */
    public boolean onLoss(final long nowNs)
    {
        final long roundTripNs = 0 == srttNs ? rtoNs : srttNs;
        if (hasReduced && nowNs - lastReductionNs < roundTripNs)
        {
            return false;
        }
        hasReduced = true;
        lastReductionNs = nowNs;
        cwnd = Math.max(minCwnd, (int)(cwnd * 0.7));
        ssthresh = cwnd;
        cwndAccumulatorBytes = 0;
        slowStartAccumulatorBytes = 0;
        return true;
    }

    /**
     * A full segment sent for the first time.
     */
    public void onSegmentSent()
    {
        onSegmentSent(fullSegmentBytes);
    }

    /**
     * A segment sent for the first time.
     *
     * @param bytes its charge: payload plus frame header.
     */
    public void onSegmentSent(final int bytes)
    {
        inflightBytes += bytes;
    }

    /**
     * A full segment in flight was acknowledged.
     */
    public void onSegmentAcked()
    {
        onSegmentAcked(fullSegmentBytes);
    }

    /**
     * A segment in flight was acknowledged (once per segment).
     *
     * @param bytes its charge, as given to {@link #onSegmentSent(int)}.
     */
    public void onSegmentAcked(final int bytes)
    {
        inflightBytes = Math.max(0, inflightBytes - bytes);
        if (cwnd < ssthresh)
        {
            slowStartAccumulatorBytes += bytes;
            while (slowStartAccumulatorBytes >= fullSegmentBytes && cwnd < maxCwnd)
            {
                slowStartAccumulatorBytes -= fullSegmentBytes;
                cwnd++;
            }
        }
        else
        {
            cwndAccumulatorBytes += bytes;
            if (cwndAccumulatorBytes >= (long)cwnd * fullSegmentBytes)
            {
                cwndAccumulatorBytes = 0;
                cwnd = Math.min(maxCwnd, cwnd + 1);
            }
        }
    }

    /**
     * Segments in flight were discarded without acknowledgement (failure or renewal).
     *
     * @param bytes their total charge.
     */
    public void onSegmentsDiscarded(final long bytes)
    {
        inflightBytes = Math.max(0, inflightBytes - bytes);
    }

    /**
     * Charge of a full segment: the largest payload plus its frame header.
     *
     * @return bytes.
     */
    public int fullSegmentBytes()
    {
        return fullSegmentBytes;
    }

    /**
     * May another new segment be sent.
     *
     * @return true if the bytes in flight are below the window.
     */
    public boolean canSend()
    {
        return inflightBytes < (long)cwnd * fullSegmentBytes;
    }

    /**
     * Retransmission timeout including backoff.
     *
     * @return the current RTO in nanoseconds.
     */
    public long rtoNs()
    {
        return clampRto(rtoNs << backoffShift);
    }

    /**
     * Probe timeout: how long the tail of what was sent may go unacknowledged before one segment is resent as a tail
     * loss probe (RFC 8985 section 7). Two smoothed round trips, or the round trip plus four deviations when the path
     * is jittery (a busy host), at least {@link #MIN_PROBE_TIMEOUT_NS}, at most the RTO and at most
     * {@link #PTO_MIN_RTTS} minimum round trips; the RTO before the first sample.
     *
     * @return the probe timeout in nanoseconds.
     */
    public long probeTimeoutNs()
    {
        final long rto = rtoNs();
        if (0 == srttNs)
        {
            return rto;
        }
        final long pto = Math.max(MIN_PROBE_TIMEOUT_NS, Math.max(2 * srttNs, srttNs + 4 * rttVarNs));
        // The peer may hold its acks up to maxAckDelayNs (a stream's acks, or acks waiting for a reply).
        return Math.min(rto,
            Math.min(pto, Math.max(MIN_PROBE_TIMEOUT_NS, PTO_MIN_RTTS * minRttNs)) + maxAckDelayNs);
    }

    /**
     * How long after sending a segment a report of it missing is believed: the smoothed RTT, but at most twice the
     * minimum RTT. Without timestamps on acks, an ack that comes late because earlier acks were lost, or because the
     * range it reports did not fit in earlier acks, inflates the smoothed RTT on a lossy path; the minimum RTT is the
     * path's own.
     *
     * @return the time in nanoseconds; the RTO before the first sample.
     */
    public long inFlightNs()
    {
        if (0 == srttNs)
        {
            return rtoNs;
        }
        return Math.min(srttNs, Math.max(MIN_PROBE_TIMEOUT_NS, 2 * minRttNs));
    }

    /**
     * Smoothed RTT, zero before the first sample.
     *
     * @return the smoothed RTT in nanoseconds.
     */
    public long srttNs()
    {
        return srttNs;
    }

    /**
     * Smallest round trip sampled on this session, zero before the first sample: the reference for telling an
     * acknowledgement of a retransmission from one of its original, and for the reordering allowance.
     *
     * @return the minimum RTT in nanoseconds.
     */
    public long minRttNs()
    {
        return minRttNs;
    }

    /**
     * Congestion window in segments.
     *
     * @return the window.
     */
    public int cwnd()
    {
        return cwnd;
    }

    /**
     * Bytes in flight, as charged by {@link #onSegmentSent(int)}.
     *
     * @return the bytes in flight.
     */
    public long inflightBytes()
    {
        return inflightBytes;
    }

    private long clampRto(final long value)
    {
        return Math.max(minRtoNs, Math.min(maxRtoNs, value));
    }
}
