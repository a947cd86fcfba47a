package io.raet4j.transactions.message;

/**
 * Round trip time estimate and congestion window of the path to one estate, shared by all its channels.
 * <p>
 * RTT follows RFC 6298 (alpha 1/8, beta 1/4) with samples from segments sent once (Karn) and from alive echoes.
 * The congestion window, in segments, grows by slow start to the threshold and then by one segment per window of
 * acknowledged segments; a loss event shrinks it to 0.7 of itself, at most once per round trip, never below the
 * minimum. Segments count as in flight from their first transmission until acknowledged, including while they are
 * believed lost, so loss never widens what is outstanding.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
public final class PathState
{
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long initialRtoNs;
    private final int initialCwnd;
    private final int minCwnd;
    private final int maxCwnd;

    private long srttNs;
    private long minRttNs;
    private long rttVarNs;
    private long rtoNs;
    private int backoffShift;
    private int cwnd;
    private int ssthresh;
    private int cwndAccumulator;
    private int inflight;
    private long lastReductionNs;
    private boolean hasReduced;

    /**
     * New path state.
     *
     * @param minRtoNs     lower bound of the retransmission timeout.
     * @param maxRtoNs     upper bound of the retransmission timeout.
     * @param initialRtoNs timeout before a sample.
     * @param initialCwnd  initial window in segments.
     * @param minCwnd      smallest window in segments.
     * @param maxCwnd      largest window in segments.
     */
    public PathState(
        final long minRtoNs,
        final long maxRtoNs,
        final long initialRtoNs,
        final int initialCwnd,
        final int minCwnd,
        final int maxCwnd)
    {
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
        cwndAccumulator = 0;
        inflight = 0;
        hasReduced = false;
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
        cwndAccumulator = 0;
        return true;
    }

    /**
     * A segment sent for the first time.
     */
    public void onSegmentSent()
    {
        inflight++;
    }

    /**
     * A segment in flight was acknowledged (once per segment).
     */
    public void onSegmentAcked()
    {
        if (inflight > 0)
        {
            inflight--;
        }
        if (cwnd < ssthresh)
        {
            cwnd = Math.min(maxCwnd, cwnd + 1);
        }
        else if (++cwndAccumulator >= cwnd)
        {
            cwndAccumulator = 0;
            cwnd = Math.min(maxCwnd, cwnd + 1);
        }
    }

    /**
     * Segments in flight were discarded without acknowledgement (failure or renewal).
     *
     * @param count of segments.
     */
    public void onSegmentsDiscarded(final int count)
    {
        inflight = Math.max(0, inflight - count);
    }

    /**
     * May another new segment be sent.
     *
     * @return true if in flight is below the window.
     */
    public boolean canSend()
    {
        return inflight < cwnd;
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
     * Smoothed RTT, or the RTO while no sample was taken.
     *
     * @return the smoothed RTT in nanoseconds.
     */
    public long srttOrRtoNs()
    {
        return 0 == srttNs ? rtoNs : srttNs;
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
     * Segments in flight.
     *
     * @return the segments in flight.
     */
    public int inflight()
    {
        return inflight;
    }

    private long clampRto(final long value)
    {
        return Math.max(minRtoNs, Math.min(maxRtoNs, value));
    }
}
