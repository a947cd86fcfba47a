package io.raet4j.transactions.message;

import io.raet4j.codec.PacketWriter;
import io.raet4j.transport.Context;

import java.util.Arrays;

/**
 * Loss recovery of a reliable {@link SendChannel}: applies the acknowledged ranges of an ack to the segments (RTT
 * samples, in-flight bytes), finds lost segments, queues them for retransmission and runs the retransmission timer
 * (probe timeout with a tail loss probe, RTO, delivery probe).
 * <p>
 * Loss is found three ways: a segment still unacknowledged although one sent later was acknowledged
 * ({@link #onAck}, in the manner of RACK), a range the receiver reported missing ({@link #onNack}), and the timer
 * ({@link #onRetransmitTimer}). Each queues the segment's sequence number in a ring of longs, at most once
 * ({@link SendBuffer#segQueued}); {@link #appendRetransmit} sends them in queue order, skipping those acknowledged
 * meanwhile.
 * <p>
 * Segment state lives in the channel's {@link SendBuffer}, read and written in place. A best-effort channel keeps an
 * instance whose queue stays empty and whose timer is never armed.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
final class LossRecovery
{
    private static final int MAX_RTO_RETRANSMITS = 64;
    // Acks carrying fewer ranges than this listed every range the receiver held, at any allowed MTU, sealed or not.
    private static final int ACK_RANGES_ALWAYS_LISTED = Math.min(PacketWriter.MAX_ACK_RANGES,
        (Context.MTU_MIN - PacketWriter.HEADER_LENGTH - PacketWriter.SEALED_OVERHEAD - PacketWriter.ackFrameLength(0)) /
        (PacketWriter.ackFrameLength(1) - PacketWriter.ackFrameLength(0)));

    private final SendBuffer buffer;
    private final boolean isReliable;

    private long[] retransmitQueue = new long[SendBuffer.INITIAL_SEGMENTS];
    private int retransmitHead;
    private int retransmitCount;
    private long rtoDeadlineNs = Long.MAX_VALUE;
    private boolean isProbePending;
    private boolean hasTailProbed;
    private long highestSackedSeq;
    private long rttSampleNs;
    private long newestAckedSentNs;
    private long retransmitAckedSentNs;
    private boolean isOriginalAckedBeyondRetransmit;
    private int lostDetected;
    private int timeoutsWithoutProgress;
    private long segmentsRetransmitted;

    LossRecovery(final SendBuffer buffer, final boolean isReliable)
    {
        this.buffer = buffer;
        this.isReliable = isReliable;
    }

    /**
     * Is a retransmission waiting.
     *
     * @return true if the retransmit queue is not empty or a probe is pending.
     */
    boolean hasRetransmit()
    {
        return retransmitCount > 0 || isProbePending;
    }

    /**
     * Is a message sent, wholly or in part, and not yet confirmed delivered.
     *
     * @return true if a confirmation is awaited.
     */
    boolean hasSentUnconfirmed()
    {
        return isReliable && buffer.oldestMessageId < buffer.nextMessageId && buffer.nextSendSeq > buffer.baseSeq;
    }

    /**
     * Arm the timer for a segment just sent for the first time, if nothing else was in flight.
     *
     * @param seq   of the segment.
     * @param nowNs current time.
     * @param path  of the estate, for the timeouts.
     */
    void onFirstSent(final long seq, final long nowNs, final PathState path)
    {
        // Armed afresh when nothing else is in flight, also if it was armed for a delivery probe only.
        if (Long.MAX_VALUE == rtoDeadlineNs || buffer.ackedSeq == seq)
        {
            rtoDeadlineNs = nowNs + (hasTailProbed ? path.rtoNs() : path.probeTimeoutNs());
        }
    }

    /**
     * Append the pending probe or the next queued retransmission to a packet. Segments acknowledged since they were
     * queued are skipped.
     *
     * @param writer packet being built.
     * @param nowNs  current time.
     * @return 1 if a segment was appended, 0 if the queue held only stale entries, -1 if it did not fit.
     */
    int appendRetransmit(final PacketWriter writer, final long nowNs)
    {
        final SendBuffer buffer = this.buffer;
        if (isProbePending)
        {
            if (buffer.nextSendSeq > buffer.baseSeq)
            {
                if (!buffer.appendSegment(writer, buffer.nextSendSeq - 1))
                {
                    return -1;
                }
                segmentsRetransmitted++;
                isProbePending = false;
                return 1;
            }
            isProbePending = false;
        }
        while (retransmitCount > 0)
        {
            final long seq = retransmitQueue[retransmitHead];
            final int s = (int)(seq & buffer.segMask);
            if (seq < buffer.ackedSeq || seq >= buffer.nextSendSeq || buffer.segAcked[s])
            {
                popRetransmit(s);
                continue;
            }
            if (!buffer.appendSegment(writer, seq))
            {
                return -1;
            }
            popRetransmit(s);
            buffer.segSentNs[s] = nowNs;
            buffer.segTxCount[s]++;
            segmentsRetransmitted++;
            return 1;
        }
        return 0;
    }

    private void popRetransmit(final int s)
    {
        buffer.segQueued[s] = false;
        retransmitHead = (retransmitHead + 1) & (retransmitQueue.length - 1);
        retransmitCount--;
    }

    /**
     * Apply the acknowledged part of an ack: mark segments acknowledged, take an RTT sample, detect losses and re-arm
     * the timer.
     *
     * @param cumulative  every segment below it was received, at most {@link SendBuffer#nextSendSeq}.
     * @param rangeStarts starts of received ranges above cumulative.
     * @param rangeEnds   ends (exclusive) of received ranges.
     * @param rangeCount  number of ranges.
     * @param nowNs       current time.
     * @param path        of the estate, for RTT samples and the congestion window.
     * @return number of segments newly acknowledged.
     */
    int onAck(
        final long cumulative,
        final long[] rangeStarts,
        final long[] rangeEnds,
        final int rangeCount,
        final long nowNs,
        final PathState path)
    {
        final SendBuffer buffer = this.buffer;
        int acked = 0;
        rttSampleNs = Long.MAX_VALUE;
        newestAckedSentNs = Long.MIN_VALUE;
        retransmitAckedSentNs = Long.MIN_VALUE;
        isOriginalAckedBeyondRetransmit = false;
        lostDetected = 0;
        for (long seq = buffer.ackedSeq; seq < cumulative; seq++)
        {
            acked += ackSegment(seq, nowNs, path);
        }
        if (cumulative > buffer.ackedSeq)
        {
            buffer.ackedSeq = cumulative;
        }

        highestSackedSeq = Math.max(highestSackedSeq, buffer.ackedSeq);
        for (int i = 0; i < rangeCount; i++)
        {
            final long start = Math.max(rangeStarts[i], buffer.ackedSeq);
            final long end = Math.min(rangeEnds[i], buffer.nextSendSeq);
            if (end > highestSackedSeq)
            {
                highestSackedSeq = end;
            }
            for (long seq = start; seq < end; seq++)
            {
                acked += ackSegment(seq, nowNs, path);
            }
        }

        if (Long.MAX_VALUE != rttSampleNs)
        {
            path.onRttSample(rttSampleNs);
        }
        if (acked > 0)
        {
            long reportedEnd = Long.MAX_VALUE;
            if (rangeCount >= ACK_RANGES_ALWAYS_LISTED)
            {
                // The receiver may hold ranges it had no room to list: judge only what the ack describes.
                reportedEnd = rangeCount > 0 ? rangeEnds[rangeCount - 1] : cumulative;
            }
            lostDetected = detectLost(nowNs, path, reportedEnd);
            timeoutsWithoutProgress = 0;
            hasTailProbed = false;
            path.onProgress();
            // Segments still unacknowledged: the probe timeout; all acknowledged but a message unconfirmed: the RTO
            // before a delivery probe.
            rtoDeadlineNs = buffer.ackedSeq < buffer.nextSendSeq ? nowNs + path.probeTimeoutNs() :
                hasSentUnconfirmed() ? nowNs + path.rtoNs() : Long.MAX_VALUE;
        }
        return acked;
    }

    private int ackSegment(final long seq, final long nowNs, final PathState path)
    {
        final SendBuffer buffer = this.buffer;
        final int s = (int)(seq & buffer.segMask);
        if (buffer.segAcked[s])
        {
            return 0;
        }
        buffer.segAcked[s] = true;
        final long sentNs = buffer.segSentNs[s];
        if (1 == buffer.segTxCount[s])
        {
            // The sample comes from the most recently sent of the segments this ack covers: an older one may have
            // been acknowledged late only because earlier acks were lost, which is not the path's round trip.
            rttSampleNs = Math.min(rttSampleNs, nowNs - sentNs);
            newestAckedSentNs = Math.max(newestAckedSentNs, sentNs);
            // Segments are acked here in ascending order: a retransmission below this segment was sent after it,
            // yet this first transmission arrived, so at a receiver that keeps order the original below did too.
            if (sentNs < retransmitAckedSentNs)
            {
                isOriginalAckedBeyondRetransmit = true;
            }
        }
        else if (nowNs - sentNs >= path.minRttNs())
        {
            // A retransmission acknowledged sooner than the path's fastest round trip was acknowledged for its
            // original. Later than that it is still ambiguous (the original may have waited in a busy receiver's
            // socket queue): detectLost decides what it may be used for.
            retransmitAckedSentNs = Math.max(retransmitAckedSentNs, sentNs);
        }
        path.onSegmentAcked(buffer.segLength[s] + PacketWriter.DATA_FRAME_OVERHEAD);
        buffer.peerBufferCharge = Math.max(0, buffer.peerBufferCharge - buffer.charge(buffer.segLength[s]));
        return 1;
    }

    /**
     * Time-based loss detection in the manner of RACK (RFC 8985): a segment still unacknowledged although a segment
     * transmitted later than it (by more than a reordering allowance) was acknowledged is lost, and is queued for
     * retransmission at once instead of waiting for a timer. This is what repairs a burst lost at the tail: the
     * timer's single probe is acknowledged, and everything sent before the probe and still missing is resent.
     * <p>
     * Segments sent for the first time go out in sequence order, so the scan stops at the first such segment sent
     * after the newest acknowledged transmission: it covers only segments that could be judged.
     */
    private int detectLost(final long nowNs, final PathState path, final long reportedEnd)
    {
        // An acknowledged retransmission may have been acknowledged for its original, held up in a receiver that
        // fell behind. When the same ack newly acknowledges first transmissions above it that were sent before it,
        // those arrived after the original at a receiver that keeps order, so the original is what arrived and the
        // retransmission's time judges nothing: taking it would declare lost every segment sent before the
        // retransmission and still queued at the receiver, each resent for nothing (every retransmission a
        // duplicate under load, issue 14). Otherwise the retransmission's time counts, as RACK takes it: that is
        // what repairs a tail.
        if (Long.MIN_VALUE != retransmitAckedSentNs && !isOriginalAckedBeyondRetransmit)
        {
            newestAckedSentNs = Math.max(newestAckedSentNs, retransmitAckedSentNs);
        }
        if (Long.MIN_VALUE == newestAckedSentNs)
        {
            return 0;
        }
        final SendBuffer buffer = this.buffer;
        final long lostBeforeNs = newestAckedSentNs - (path.minRttNs() >> 2);
        final long end = Math.min(buffer.nextSendSeq, reportedEnd);
        int lost = 0;
        for (long seq = buffer.ackedSeq; seq < end; seq++)
        {
            final int s = (int)(seq & buffer.segMask);
            final long sentNs = buffer.segSentNs[s];
            if (sentNs >= lostBeforeNs)
            {
                if (1 == buffer.segTxCount[s])
                {
                    break;
                }
                continue;
            }
            if (!buffer.segAcked[s] && !buffer.segQueued[s])
            {
                queueRetransmit(seq);
                lost++;
            }
        }
        return lost;
    }

    /**
     * Segments the last {@link #onAck} found lost by later acknowledgements and queued for retransmission.
     *
     * @return segments detected lost by the last ack.
     */
    int lostDetectedByLastAck()
    {
        return lostDetected;
    }

    /**
     * Queue for retransmission the missing ranges a receiver reported, skipping segments sent within the last
     * round trip (they may still be on their way).
     *
     * @param starts      of missing ranges.
     * @param ends        (exclusive) of missing ranges.
     * @param count       of ranges.
     * @param nowNs       current time.
     * @param roundTripNs smoothed round trip.
     * @return number of segments queued.
     */
    int onNack(final long[] starts, final long[] ends, final int count, final long nowNs, final long roundTripNs)
    {
        final SendBuffer buffer = this.buffer;
        int queued = 0;
        for (int i = 0; i < count; i++)
        {
            final long start = Math.max(starts[i], buffer.ackedSeq);
            final long end = Math.min(ends[i], buffer.nextSendSeq);
            for (long seq = start; seq < end; seq++)
            {
                final int s = (int)(seq & buffer.segMask);
                if (!buffer.segAcked[s] && !buffer.segQueued[s] && nowNs - buffer.segSentNs[s] >= roundTripNs)
                {
                    queueRetransmit(seq);
                    queued++;
                }
            }
        }
        return queued;
    }

    /**
     * Check the retransmission timer; see {@link SendChannel#onRetransmitTimer(long, PathState)} for what each
     * expiry does.
     *
     * @param nowNs current time.
     * @param path  of the estate, for the current RTO.
     * @return {@link SendChannel#TIMER_NOT_EXPIRED}, {@link SendChannel#TIMER_DELIVERY_PROBE},
     * {@link SendChannel#TIMER_TAIL_PROBE}, or the number of segments queued by a timeout.
     */
    int onRetransmitTimer(final long nowNs, final PathState path)
    {
        if (nowNs < rtoDeadlineNs)
        {
            return SendChannel.TIMER_NOT_EXPIRED;
        }
        final SendBuffer buffer = this.buffer;
        if (buffer.ackedSeq >= buffer.nextSendSeq)
        {
            if (hasSentUnconfirmed())
            {
                // Every segment is acknowledged but delivery is not confirmed: the ack that carried it may have
                // been lost, or the application has not polled yet. Resend the last segment as a probe; the
                // receiver answers a duplicate with an ack. This is not a loss: the window is left alone.
                isProbePending = true;
                return SendChannel.TIMER_DELIVERY_PROBE;
            }
            rtoDeadlineNs = Long.MAX_VALUE;
            return SendChannel.TIMER_NOT_EXPIRED;
        }
        if (!hasTailProbed)
        {
            hasTailProbed = true;
            final long from = Math.max(buffer.ackedSeq, Math.min(highestSackedSeq, buffer.nextSendSeq - 1));
            if (queueFirstOutstanding(from) || queueFirstOutstanding(buffer.ackedSeq))
            {
                return SendChannel.TIMER_TAIL_PROBE;
            }
        }
        return queueTimedOut(nowNs, path.rtoNs());
    }

    private int queueTimedOut(final long nowNs, final long rtoNs)
    {
        // Below the highest selectively acknowledged segment an unacknowledged segment is a known hole; above it the
        // receiver may simply not have reported yet (acks carry a bounded number of ranges), so only the first such
        // segment is resent, as a probe, rather than the whole tail: this keeps timeouts from resending data that
        // arrived.
        final SendBuffer buffer = this.buffer;
        int queued = 0;
        // After a first expiry without progress, stop trusting the missing reports and resend every old segment.
        boolean hasProbedTail = false;
        final boolean isRepeatedTimeout = timeoutsWithoutProgress > 0;
        for (long seq = buffer.ackedSeq; seq < buffer.nextSendSeq && queued < MAX_RTO_RETRANSMITS; seq++)
        {
            final int s = (int)(seq & buffer.segMask);
            if (!buffer.segAcked[s] && !buffer.segQueued[s] && nowNs - buffer.segSentNs[s] >= rtoNs)
            {
                if (seq >= highestSackedSeq && !isRepeatedTimeout)
                {
                    if (hasProbedTail)
                    {
                        break;
                    }
                    hasProbedTail = true;
                }
                queueRetransmit(seq);
                queued++;
            }
        }
        if (queued > 0)
        {
            timeoutsWithoutProgress++;
        }
        return queued;
    }

    private boolean queueFirstOutstanding(final long from)
    {
        final SendBuffer buffer = this.buffer;
        for (long seq = from; seq < buffer.nextSendSeq; seq++)
        {
            final int s = (int)(seq & buffer.segMask);
            if (!buffer.segAcked[s] && !buffer.segQueued[s])
            {
                queueRetransmit(seq);
                return true;
            }
        }
        return false;
    }

    private void queueRetransmit(final long seq)
    {
        if (retransmitCount == retransmitQueue.length)
        {
            final long[] grown = new long[retransmitQueue.length * 2];
            for (int i = 0; i < retransmitCount; i++)
            {
                grown[i] = retransmitQueue[(retransmitHead + i) & (retransmitQueue.length - 1)];
            }
            retransmitQueue = grown;
            retransmitHead = 0;
        }
        retransmitQueue[(retransmitHead + retransmitCount) & (retransmitQueue.length - 1)] = seq;
        retransmitCount++;
        buffer.segQueued[(int)(seq & buffer.segMask)] = true;
    }

    /**
     * Re-arm the retransmission timer after an expiry was handled.
     *
     * @param nowNs current time.
     * @param rtoNs timeout to arm with, after any backoff.
     */
    void rearmRetransmitTimer(final long nowNs, final long rtoNs)
    {
        rtoDeadlineNs = nowNs + rtoNs;
    }

    /**
     * Deadline of the retransmission timer.
     *
     * @return the deadline, or {@link Long#MAX_VALUE} if not armed.
     */
    long rtoDeadlineNs()
    {
        return rtoDeadlineNs;
    }

    /**
     * Segments sent again since the channel was created.
     *
     * @return the count of retransmissions.
     */
    long segmentsRetransmitted()
    {
        return segmentsRetransmitted;
    }

    /**
     * Forget every loss and timer state, the sequences having started again at one number: nothing is queued, no
     * probe is pending and the timer is disarmed.
     *
     * @param seq the sequence number the next segment gets.
     */
    void reset(final long seq)
    {
        timeoutsWithoutProgress = 0;
        highestSackedSeq = seq;
        retransmitCount = 0;
        retransmitHead = 0;
        isProbePending = false;
        hasTailProbed = false;
        Arrays.fill(buffer.segQueued, false);
        rtoDeadlineNs = Long.MAX_VALUE;
    }
}
