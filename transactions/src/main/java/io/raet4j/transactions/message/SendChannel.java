package io.raet4j.transactions.message;

import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transport.Context;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Send side of one channel to one estate: holds every message from offer until the receiver confirms delivery,
 * cuts it into segments with consecutive sequence numbers, tracks their acknowledgement and schedules
 * retransmissions.
 * <p>
 * Messages are kept whole and contiguous in a byte ring (a message that would wrap starts again at the ring's
 * beginning), addressed by a monotonic position; segments and messages are described in rings of primitive arrays
 * indexed by sequence number and message id. All rings start small and double on demand up to their limits, so an
 * idle estate costs little and the steady state allocates nothing.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
public final class SendChannel
{
    /** Returned by {@link #offer} when the message does not fit now. */
    public static final long BACK_PRESSURED = -2;
    /** Returned by {@link #onRetransmitTimer} when the timer has not expired. */
    public static final int TIMER_NOT_EXPIRED = -1;
    /** Returned by {@link #onRetransmitTimer} when a delivery probe was queued. */
    public static final int TIMER_DELIVERY_PROBE = -2;
    /** Returned by {@link #onRetransmitTimer} when the probe timeout expired and a tail loss probe was queued. */
    public static final int TIMER_TAIL_PROBE = -3;

    private static final int INITIAL_SEGMENTS = 64;
    private static final int INITIAL_RING_BYTES = 64 * 1024;
    private static final int MAX_RTO_RETRANSMITS = 64;
    // Acks carrying fewer ranges than this listed every range the receiver held, at any allowed MTU, sealed or not.
    private static final int ACK_RANGES_ALWAYS_LISTED = Math.min(PacketWriter.MAX_ACK_RANGES,
        (Context.MTU_MIN - PacketWriter.HEADER_LENGTH - PacketWriter.SEALED_OVERHEAD - PacketWriter.ackFrameLength(0)) /
        (PacketWriter.ackFrameLength(1) - PacketWriter.ackFrameLength(0)));

    private final int channel;
    private final DeliveryMode mode;
    private final boolean isReliable;
    private int maxPayload;
    private final int maxRingBytes;
    private final int maxSegments;
    private int defaultPeerWindow;

    private UnsafeBuffer ring;
    private int ringMask;
    private long headPosition;
    private long tailPosition;

    private int segMask;
    private long[] segPosition;
    private int[] segLength;
    private int[] segOffset;
    private int[] segIndex;
    private int[] segMessageLength;
    private long[] segSentNs;
    private int[] segTxCount;
    private boolean[] segAcked;
    private boolean[] segQueued;

    private long[] msgFirstSeq;
    private long[] msgEndSeq;
    private long[] msgPosition;
    private int[] msgLength;
    private long[] msgDeadlineNs;
    private long oldestMessageId;
    private long nextMessageId;

    private long baseSeq;
    private long ackedSeq;
    private long nextSendSeq;
    private long nextSeq;
    private long peerWindowEnd;

    private long[] retransmitQueue;
    private int retransmitHead;
    private int retransmitCount;
    private long rtoDeadlineNs = Long.MAX_VALUE;
    private boolean isProbePending;
    private boolean hasTailProbed;
    private long highestSackedSeq;
    private long rttSampleNs;
    private long newestAckedSentNs;
    private int lostDetected;
    private int timeoutsWithoutProgress;
    private boolean hasPeerWindow;

    private long segmentsSent;
    private long segmentsRetransmitted;

    /**
     * New send channel.
     *
     * @param channel           number, 0 to 255.
     * @param mode              delivery mode.
     * @param maxPayload        largest segment payload in bytes.
     * @param maxRingBytes      most bytes held until delivery is confirmed.
     * @param maxSegments       most segments held until delivery is confirmed.
     * @param defaultPeerWindow receive window assumed until the receiver has acknowledged.
     */
    public SendChannel(
        final int channel,
        final DeliveryMode mode,
        final int maxPayload,
        final int maxRingBytes,
        final int maxSegments,
        final int defaultPeerWindow)
    {
        this.channel = channel;
        this.mode = mode;
        this.isReliable = DeliveryMode.BEST_EFFORT != mode;
        this.maxPayload = maxPayload;
        this.maxRingBytes = BitUtil.findNextPositivePowerOfTwo(Math.max(maxRingBytes, INITIAL_RING_BYTES));
        this.maxSegments = BitUtil.findNextPositivePowerOfTwo(Math.max(maxSegments, INITIAL_SEGMENTS));
        this.defaultPeerWindow = defaultPeerWindow;
        allocateRing(INITIAL_RING_BYTES);
        allocateSegments(INITIAL_SEGMENTS);
        retransmitQueue = new long[INITIAL_SEGMENTS];
        peerWindowEnd = defaultPeerWindow;
    }

    /**
     * Channel number.
     *
     * @return the channel.
     */
    public int channel()
    {
        return channel;
    }

    /**
     * Delivery mode.
     *
     * @return the mode.
     */
    public DeliveryMode mode()
    {
        return mode;
    }

    /**
     * Copy a message in and cut it into segments.
     *
     * @param buffer     holding the message.
     * @param offset     of the message.
     * @param length     of the message in bytes, at most the ring limit.
     * @param deadlineNs by which it must be delivered, on the liveness clock.
     * @return the message id, or {@link #BACK_PRESSURED}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length, final long deadlineNs)
    {
        final long position = claim(length);
        if (position < 0)
        {
            return BACK_PRESSURED;
        }
        if (length > 0)
        {
            ring.putBytes((int)(position & ringMask), buffer, offset, length);
        }
        return commit(position, length, deadlineNs);
    }

    /**
     * Reserve room for a message of one segment to be written in place; follow with {@link #commit}.
     *
     * @param length of the message.
     * @return the position to write at, or {@link #BACK_PRESSURED}.
     */
    public long claim(final int length)
    {
        final int segments = segmentCount(length);
        final long segmentsNeeded = nextSeq + segments - baseSeq;
        if (segmentsNeeded > segMask + 1 && !growSegments(segmentsNeeded))
        {
            return BACK_PRESSURED;
        }

        long position = tailPosition;
        final int index = (int)(position & ringMask);
        if (index + length > ringMask + 1)
        {
            position += (ringMask + 1) - index;
        }
        if (position + length - headPosition > ringMask + 1)
        {
            if (!growRing(position + length - headPosition))
            {
                return BACK_PRESSURED;
            }
            position = tailPosition;
            final int newIndex = (int)(position & ringMask);
            if (newIndex + length > ringMask + 1)
            {
                position += (ringMask + 1) - newIndex;
            }
            if (position + length - headPosition > ringMask + 1)
            {
                return BACK_PRESSURED;
            }
        }

        return position;
    }

    /**
     * Buffer over the ring, for writing a claimed message in place at {@code position & mask}.
     *
     * @return the ring buffer.
     */
    public UnsafeBuffer ringBuffer()
    {
        return ring;
    }

    /**
     * Index in {@link #ringBuffer()} of a claimed position.
     *
     * @param position returned by {@link #claim(int)}.
     * @return the index in the ring buffer.
     */
    public int ringIndex(final long position)
    {
        return (int)(position & ringMask);
    }

    /**
     * Make a message whose bytes were written at a claimed position visible to the sender.
     *
     * @param position   returned by {@link #claim(int)}.
     * @param length     of the message.
     * @param deadlineNs by which it must be delivered, on the liveness clock.
     * @return the message id.
     */
    public long commit(final long position, final int length, final long deadlineNs)
    {
        final long messageId = nextMessageId++;
        final int m = (int)(messageId & segMask);
        msgPosition[m] = position;
        msgLength[m] = length;
        msgDeadlineNs[m] = deadlineNs;
        tailPosition = position + length;
        segment(m, length, position);

        return messageId;
    }

    private void segment(final int m, final int length, final long position)
    {
        final int segments = segmentCount(length);
        msgFirstSeq[m] = nextSeq;
        for (int i = 0; i < segments; i++)
        {
            final long seq = nextSeq++;
            final int s = (int)(seq & segMask);
            final int segmentOffset = i * maxPayload;
            segPosition[s] = position + segmentOffset;
            segLength[s] = Math.min(maxPayload, length - segmentOffset);
            segOffset[s] = segmentOffset;
            segIndex[s] = i;
            segMessageLength[s] = length;
            segSentNs[s] = 0;
            segTxCount[s] = 0;
            segAcked[s] = false;
            segQueued[s] = false;
        }
        msgEndSeq[m] = nextSeq;
    }

    /**
     * Number of segments a message of a length is cut into.
     *
     * @param length of the message.
     * @return the number of segments, at least one.
     */
    public int segmentCount(final int length)
    {
        return 0 == length ? 1 : (int)(((long)length + maxPayload - 1) / maxPayload);
    }

    /**
     * Is there a segment never sent.
     *
     * @return true if a new segment is waiting.
     */
    public boolean hasNew()
    {
        return nextSendSeq < nextSeq;
    }

    /**
     * Does the receiver's window allow the next new segment.
     *
     * @return true if the next new segment may be sent.
     */
    public boolean isWithinPeerWindow()
    {
        return !isReliable || nextSendSeq < peerWindowEnd;
    }

    /**
     * Is a retransmission waiting.
     *
     * @return true if the retransmit queue is not empty.
     */
    public boolean hasRetransmit()
    {
        return retransmitCount > 0 || isProbePending;
    }

    private boolean hasSentUnconfirmed()
    {
        return isReliable && oldestMessageId < nextMessageId && nextSendSeq > baseSeq;
    }

    /**
     * Is any work waiting or outstanding: new segments, retransmissions, or messages not yet confirmed.
     *
     * @return true if the channel needs the agent's attention.
     */
    public boolean isActive()
    {
        return oldestMessageId < nextMessageId;
    }

    /**
     * Append the next new segment to a packet and account for it as sent.
     *
     * @param writer packet being built.
     * @param nowNs  current time.
     * @param path   of the estate.
     * @return true if the segment fitted in the packet.
     */
    public boolean appendNew(final PacketWriter writer, final long nowNs, final PathState path)
    {
        final long seq = nextSendSeq;
        if (!appendSegment(writer, seq))
        {
            return false;
        }
        final int s = (int)(seq & segMask);
        segSentNs[s] = nowNs;
        segTxCount[s] = 1;
        nextSendSeq++;
        segmentsSent++;
        if (isReliable)
        {
            path.onSegmentSent(segLength[s] + PacketWriter.DATA_FRAME_OVERHEAD);
            // Armed afresh when nothing else is in flight, also if it was armed for a delivery probe only.
            if (Long.MAX_VALUE == rtoDeadlineNs || ackedSeq == seq)
            {
                rtoDeadlineNs = nowNs + (hasTailProbed ? path.rtoNs() : path.probeTimeoutNs());
            }
        }
        else
        {
            releaseBestEffortSent();
        }
        return true;
    }

    /**
     * Append the next queued retransmission to a packet. Segments acknowledged since they were queued are skipped.
     *
     * @param writer packet being built.
     * @param nowNs  current time.
     * @return 1 if a segment was appended, 0 if the queue held only stale entries, -1 if it did not fit.
     */
    public int appendRetransmit(final PacketWriter writer, final long nowNs)
    {
        if (isProbePending)
        {
            if (nextSendSeq > baseSeq)
            {
                if (!appendSegment(writer, nextSendSeq - 1))
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
            final int s = (int)(seq & segMask);
            if (seq < ackedSeq || seq >= nextSendSeq || segAcked[s])
            {
                popRetransmit(s);
                continue;
            }
            if (!appendSegment(writer, seq))
            {
                return -1;
            }
            popRetransmit(s);
            segSentNs[s] = nowNs;
            segTxCount[s]++;
            segmentsRetransmitted++;
            return 1;
        }
        return 0;
    }

    private void popRetransmit(final int s)
    {
        segQueued[s] = false;
        retransmitHead = (retransmitHead + 1) & (retransmitQueue.length - 1);
        retransmitCount--;
    }

    private boolean appendSegment(final PacketWriter writer, final long seq)
    {
        final int s = (int)(seq & segMask);
        final int segmentOffset = segOffset[s];
        final int length = segLength[s];
        final int messageLength = segMessageLength[s];
        return writer.appendData(
            channel,
            mode,
            0 == segmentOffset,
            segmentOffset + length == messageLength,
            seq,
            messageLength,
            segmentOffset,
            segIndex[s],
            ring,
            (int)(segPosition[s] & ringMask),
            length);
    }

    private void releaseBestEffortSent()
    {
        while (oldestMessageId < nextMessageId)
        {
            final int m = (int)(oldestMessageId & segMask);
            if (msgEndSeq[m] > nextSendSeq)
            {
                break;
            }
            releaseOldest(m);
        }
        ackedSeq = nextSendSeq;
    }

    private void releaseOldest(final int m)
    {
        headPosition = msgPosition[m] + msgLength[m];
        baseSeq = msgEndSeq[m];
        oldestMessageId++;
    }

    /**
     * Apply an acknowledgement.
     *
     * @param cumulativeSeq  every segment below it was received.
     * @param windowSegments receive credit above cumulativeSeq.
     * @param rangeStarts    starts of received ranges above cumulativeSeq.
     * @param rangeEnds      ends (exclusive) of received ranges.
     * @param rangeCount     number of ranges.
     * @param nowNs          current time.
     * @param path           of the estate, for RTT samples and the congestion window.
     * @return number of segments newly acknowledged.
     */
    public int onAck(
        final long cumulativeSeq,
        final int windowSegments,
        final long[] rangeStarts,
        final long[] rangeEnds,
        final int rangeCount,
        final long nowNs,
        final PathState path)
    {
        if (!isReliable)
        {
            return 0;
        }
        int acked = 0;
        rttSampleNs = Long.MAX_VALUE;
        newestAckedSentNs = Long.MIN_VALUE;
        lostDetected = 0;
        final long cumulative = Math.min(cumulativeSeq, nextSendSeq);
        for (long seq = ackedSeq; seq < cumulative; seq++)
        {
            acked += ackSegment(seq, nowNs, path);
        }
        if (cumulative > ackedSeq)
        {
            ackedSeq = cumulative;
        }
        // Credit is never retracted, except that the first ack replaces the window assumed before it.
        final long windowEnd = cumulative + Math.max(0, windowSegments);
        peerWindowEnd = hasPeerWindow ? Math.max(peerWindowEnd, windowEnd) : windowEnd;
        hasPeerWindow = true;

        highestSackedSeq = Math.max(highestSackedSeq, ackedSeq);
        for (int i = 0; i < rangeCount; i++)
        {
            final long start = Math.max(rangeStarts[i], ackedSeq);
            final long end = Math.min(rangeEnds[i], nextSendSeq);
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
            rtoDeadlineNs = ackedSeq < nextSendSeq ? nowNs + path.probeTimeoutNs() :
                hasSentUnconfirmed() ? nowNs + path.rtoNs() : Long.MAX_VALUE;
        }
        return acked;
    }

    private int ackSegment(final long seq, final long nowNs, final PathState path)
    {
        final int s = (int)(seq & segMask);
        if (segAcked[s])
        {
            return 0;
        }
        segAcked[s] = true;
        final long sentNs = segSentNs[s];
        if (1 == segTxCount[s])
        {
            // The sample comes from the most recently sent of the segments this ack covers: an older one may have
            // been acknowledged late only because earlier acks were lost, which is not the path's round trip.
            rttSampleNs = Math.min(rttSampleNs, nowNs - sentNs);
            newestAckedSentNs = Math.max(newestAckedSentNs, sentNs);
        }
        else if (nowNs - sentNs >= path.minRttNs())
        {
            // A retransmission acknowledged sooner than the path's fastest round trip was acknowledged for its
            // original; otherwise the latest transmission is what arrived.
            newestAckedSentNs = Math.max(newestAckedSentNs, sentNs);
        }
        path.onSegmentAcked(segLength[s] + PacketWriter.DATA_FRAME_OVERHEAD);
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
        if (Long.MIN_VALUE == newestAckedSentNs)
        {
            return 0;
        }
        final long lostBeforeNs = newestAckedSentNs - (path.minRttNs() >> 2);
        final long end = Math.min(nextSendSeq, reportedEnd);
        int lost = 0;
        for (long seq = ackedSeq; seq < end; seq++)
        {
            final int s = (int)(seq & segMask);
            final long sentNs = segSentNs[s];
            if (sentNs >= lostBeforeNs)
            {
                if (1 == segTxCount[s])
                {
                    break;
                }
                continue;
            }
            if (!segAcked[s] && !segQueued[s])
            {
                queueRetransmit(seq);
                lost++;
            }
        }
        return lost;
    }

    /**
     * Segments the last {@link #onAck} found lost by {@link #detectLost} and queued for retransmission.
     *
     * @return segments detected lost by the last ack.
     */
    public int lostDetectedByLastAck()
    {
        return lostDetected;
    }

    /**
     * Release every message the receiver confirmed as handed to its application.
     *
     * @param deliveredSeq every message whose segments all lie below it was delivered.
     * @param listener     told of each delivered message.
     * @param estateId     of the receiver, for the listener.
     * @return number of messages confirmed.
     */
    public int onDelivered(final long deliveredSeq, final MessageOutcomeListener listener, final long estateId)
    {
        final long delivered = Math.min(deliveredSeq, ackedSeq);
        int count = 0;
        while (oldestMessageId < nextMessageId)
        {
            final int m = (int)(oldestMessageId & segMask);
            if (msgEndSeq[m] > delivered)
            {
                break;
            }
            final long messageId = oldestMessageId;
            releaseOldest(m);
            count++;
            listener.onDelivered(estateId, channel, messageId);
        }
        return count;
    }

    /**
     * Queue for retransmission the missing ranges a receiver reported, skipping segments sent within the last
     * round trip (they may still be on their way).
     *
     * @param starts     of missing ranges.
     * @param ends       (exclusive) of missing ranges.
     * @param count      of ranges.
     * @param nowNs      current time.
     * @param roundTripNs smoothed round trip.
     * @return number of segments queued.
     */
    public int onNack(
        final long[] starts, final long[] ends, final int count, final long nowNs, final long roundTripNs)
    {
        if (!isReliable)
        {
            return 0;
        }
        int queued = 0;
        for (int i = 0; i < count; i++)
        {
            final long start = Math.max(starts[i], ackedSeq);
            final long end = Math.min(ends[i], nextSendSeq);
            for (long seq = start; seq < end; seq++)
            {
                final int s = (int)(seq & segMask);
                if (!segAcked[s] && !segQueued[s] && nowNs - segSentNs[s] >= roundTripNs)
                {
                    queueRetransmit(seq);
                    queued++;
                }
            }
        }
        return queued;
    }

    /**
     * Check the retransmission timer. Its first expiry after progress is the probe timeout (about two round trips,
     * {@link PathState#probeTimeoutNs()}): it queues one tail loss probe, the oldest segment not known to be a hole,
     * without backing off or shrinking the window, so that a loss at the tail is repaired in a few round trips rather
     * than after the minimum RTO; the ack of the probe then exposes every earlier loss ({@code detectLost}). A later
     * expiry without progress is a retransmission timeout: it queues known holes (unacknowledged segments sent at
     * least one RTO ago below the highest selectively acknowledged one) and one probe. When every sent segment is
     * acknowledged but a message is not yet confirmed, the last segment goes as a delivery probe.
     *
     * @param nowNs current time.
     * @param path  of the estate, for the current RTO.
     * @return {@link #TIMER_NOT_EXPIRED}, {@link #TIMER_DELIVERY_PROBE}, {@link #TIMER_TAIL_PROBE}, or the number of
     * segments queued by a timeout.
     */
    public int onRetransmitTimer(final long nowNs, final PathState path)
    {
        if (nowNs < rtoDeadlineNs)
        {
            return TIMER_NOT_EXPIRED;
        }
        if (ackedSeq >= nextSendSeq)
        {
            if (hasSentUnconfirmed())
            {
                // Every segment is acknowledged but delivery is not confirmed: the ack that carried it may have
                // been lost, or the application has not polled yet. Resend the last segment as a probe; the
                // receiver answers a duplicate with an ack. This is not a loss: the window is left alone.
                isProbePending = true;
                return TIMER_DELIVERY_PROBE;
            }
            rtoDeadlineNs = Long.MAX_VALUE;
            return TIMER_NOT_EXPIRED;
        }
        if (!hasTailProbed)
        {
            hasTailProbed = true;
            final long from = Math.max(ackedSeq, Math.min(highestSackedSeq, nextSendSeq - 1));
            if (queueFirstOutstanding(from) || queueFirstOutstanding(ackedSeq))
            {
                return TIMER_TAIL_PROBE;
            }
        }
        // Below the highest selectively acknowledged segment an unacknowledged segment is a known hole; above it the
        // receiver may simply not have reported yet (acks carry a bounded number of ranges), so only the first such
        // segment is resent, as a probe, rather than the whole tail: this keeps timeouts from resending data that
        // arrived.
        final long rtoNs = path.rtoNs();
        int queued = 0;
        // After a first expiry without progress, stop trusting the missing reports and resend every old segment.
        boolean hasProbedTail = false;
        final boolean isRepeatedTimeout = timeoutsWithoutProgress > 0;
        for (long seq = ackedSeq; seq < nextSendSeq && queued < MAX_RTO_RETRANSMITS; seq++)
        {
            final int s = (int)(seq & segMask);
            if (!segAcked[s] && !segQueued[s] && nowNs - segSentNs[s] >= rtoNs)
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
        for (long seq = from; seq < nextSendSeq; seq++)
        {
            final int s = (int)(seq & segMask);
            if (!segAcked[s] && !segQueued[s])
            {
                queueRetransmit(seq);
                return true;
            }
        }
        return false;
    }

    /**
     * Re-arm the retransmission timer after an expiry was handled.
     *
     * @param nowNs current time.
     * @param rtoNs timeout to arm with, after any backoff.
     */
    public void rearmRetransmitTimer(final long nowNs, final long rtoNs)
    {
        rtoDeadlineNs = nowNs + rtoNs;
    }

    /**
     * Deadline of the retransmission timer.
     *
     * @return the deadline, or {@link Long#MAX_VALUE} if not armed.
     */
    public long rtoDeadlineNs()
    {
        return rtoDeadlineNs;
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
        segQueued[(int)(seq & segMask)] = true;
    }

    /**
     * Deadline of the oldest message not yet confirmed.
     *
     * @return the deadline on the liveness clock, or {@link Long#MAX_VALUE} if none.
     */
    public long oldestDeadlineNs()
    {
        return oldestMessageId < nextMessageId ? msgDeadlineNs[(int)(oldestMessageId & segMask)] : Long.MAX_VALUE;
    }

    /**
     * End every message not yet confirmed and forget all segment state; the next message starts at sequence 0. A
     * message is failed if it certainly did not reach the receiving application: not all of it was ever sent (the
     * receiver hands over only whole messages), or the receiver said so ({@code isKnownUndelivered}, from its last
     * acknowledgement when it left). Otherwise it is uncertain: it was sent whole and never confirmed.
     *
     * @param listener           told of each message's outcome.
     * @param estateId           of the receiver.
     * @param reason             ordinal of the failure reason.
     * @param path               of the estate, whose in-flight count is reduced.
     * @param isKnownUndelivered true if the receiver confirmed everything it delivered, so the rest was not.
     * @return number of messages ended.
     */
    public int failAll(
        final MessageOutcomeListener listener,
        final long estateId,
        final int reason,
        final PathState path,
        final boolean isKnownUndelivered)
    {
        int count = 0;
        path.onSegmentsDiscarded(inflightBytes());
        while (oldestMessageId < nextMessageId)
        {
            final int m = (int)(oldestMessageId & segMask);
            final long messageId = oldestMessageId;
            final boolean isSentWhole = msgEndSeq[m] <= nextSendSeq;
            releaseOldest(m);
            count++;
            if (isReliable)
            {
                if (isSentWhole && !isKnownUndelivered)
                {
                    listener.onUncertain(estateId, channel, messageId, reason);
                }
                else
                {
                    listener.onFailed(estateId, channel, messageId, reason);
                }
            }
        }
        resetSequences(0);
        return count;
    }

    /**
     * Session renewal: the receiver's state for this channel is gone (it restarted, or discarded it). Every message
     * sent whole and not confirmed may have reached the old receiver, so it ends uncertain, never sent again (that
     * could deliver it twice). Every message not yet sent whole certainly did not reach the receiving application:
     * those are kept and cut again into segments from sequence 0, to be sent from their first byte on the new
     * session, with the segment size of the new session.
     *
     * @param listener         told of each message that ends.
     * @param estateId         of the receiver.
     * @param reason           ordinal of the reason for messages that end.
     * @param path             of the estate, whose in-flight count is reduced.
     * @param maxPayload    largest segment payload of the new session.
     * @param maxMessageLength largest message the new session's receiver takes; if a kept message is longer, every
     *                         kept message fails (best effort: is dropped).
     * @param tooLargeReason ordinal of the reason for kept messages now too large.
     * @param peerWindowSegments receive window assumed until the new receiver has acknowledged.
     * @return number of messages ended.
     */
    public int renew(
        final MessageOutcomeListener listener,
        final long estateId,
        final int reason,
        final PathState path,
        final int maxPayload,
        final int maxMessageLength,
        final int tooLargeReason,
        final int peerWindowSegments)
    {
        path.onSegmentsDiscarded(inflightBytes());
        int ended = 0;
        if (isReliable)
        {
            // Whole messages were first sent in offer order, so those sent whole are the oldest ones.
            while (oldestMessageId < nextMessageId && msgEndSeq[(int)(oldestMessageId & segMask)] <= nextSendSeq)
            {
                final int m = (int)(oldestMessageId & segMask);
                final long messageId = oldestMessageId;
                releaseOldest(m);
                ended++;
                listener.onUncertain(estateId, channel, messageId, reason);
            }
            if (hasLongerThan(maxMessageLength))
            {
                // The new receiver takes less than a kept message. Skipping it would reorder the channel, so every
                // kept message fails; none of them was sent whole, so none was delivered.
                while (oldestMessageId < nextMessageId)
                {
                    final int m = (int)(oldestMessageId & segMask);
                    final long messageId = oldestMessageId;
                    final int length = msgLength[m];
                    releaseOldest(m);
                    ended++;
                    listener.onFailed(
                        estateId, channel, messageId, length > maxMessageLength ? tooLargeReason : reason);
                }
            }
        }
        else
        {
            // Best effort keeps only what was never sent; a message partly sent is dropped, as a lost one would be.
            while (oldestMessageId < nextMessageId && msgFirstSeq[(int)(oldestMessageId & segMask)] < nextSendSeq)
            {
                releaseOldest((int)(oldestMessageId & segMask));
            }
            if (hasLongerThan(maxMessageLength))
            {
                // The new receiver would refuse every segment of a longer one; only the oldest can be released, so
                // every kept message is dropped, as the reliable ones fail.
                while (oldestMessageId < nextMessageId)
                {
                    releaseOldest((int)(oldestMessageId & segMask));
                }
            }
        }
        this.maxPayload = maxPayload;
        this.defaultPeerWindow = peerWindowSegments;
        resetSequences(0);
        long segmentsNeeded = 0;
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            segmentsNeeded += segmentCount(msgLength[(int)(id & segMask)]);
        }
        if (segmentsNeeded > segMask + 1 && !growSegments(segmentsNeeded))
        {
            // A smaller segment size cuts the kept messages into more segments than the channel may hold: they fail,
            // none of them having been sent whole.
            while (oldestMessageId < nextMessageId)
            {
                final long messageId = oldestMessageId;
                releaseOldest((int)(oldestMessageId & segMask));
                ended++;
                if (isReliable)
                {
                    listener.onFailed(estateId, channel, messageId, reason);
                }
            }
            resetSequences(0);
        }
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            final int m = (int)(id & segMask);
            segment(m, msgLength[m], msgPosition[m]);
        }
        return ended;
    }

    private boolean hasLongerThan(final int maxMessageLength)
    {
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            if (msgLength[(int)(id & segMask)] > maxMessageLength)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Largest segment payload this channel cuts messages into, for the current session.
     *
     * @return the payload in bytes.
     */
    public int maxPayload()
    {
        return maxPayload;
    }

    private long inflightBytes()
    {
        if (!isReliable)
        {
            return 0;
        }
        long bytes = 0;
        for (long seq = ackedSeq; seq < nextSendSeq; seq++)
        {
            final int s = (int)(seq & segMask);
            if (!segAcked[s])
            {
                bytes += segLength[s] + PacketWriter.DATA_FRAME_OVERHEAD;
            }
        }
        return bytes;
    }

    private void resetSequences(final long seq)
    {
        timeoutsWithoutProgress = 0;
        highestSackedSeq = seq;
        baseSeq = seq;
        ackedSeq = seq;
        nextSendSeq = seq;
        nextSeq = seq;
        peerWindowEnd = seq + defaultPeerWindow;
        hasPeerWindow = false;
        retransmitCount = 0;
        retransmitHead = 0;
        isProbePending = false;
        hasTailProbed = false;
        java.util.Arrays.fill(segQueued, false);
        rtoDeadlineNs = Long.MAX_VALUE;
    }

    /**
     * Messages offered and not yet confirmed or failed.
     *
     * @return the number of messages outstanding.
     */
    public long outstandingMessages()
    {
        return nextMessageId - oldestMessageId;
    }

    /**
     * Segments sent for the first time since the channel was created.
     *
     * @return the count of first transmissions.
     */
    public long segmentsSent()
    {
        return segmentsSent;
    }

    /**
     * Segments sent again since the channel was created.
     *
     * @return the count of retransmissions.
     */
    public long segmentsRetransmitted()
    {
        return segmentsRetransmitted;
    }

    private boolean growRing(final long neededBytes)
    {
        final int capacity = ringMask + 1;
        if (capacity >= maxRingBytes)
        {
            return false;
        }
        final long wanted = Math.max(neededBytes + maxPayload, 2L * capacity);
        final int newCapacity = Math.min(
            maxRingBytes, BitUtil.findNextPositivePowerOfTwo((int)Math.min(wanted, 1 << 30)));
        if (newCapacity <= capacity)
        {
            return false;
        }
        final UnsafeBuffer oldRing = ring;
        final int oldMask = ringMask;
        allocateRing(newCapacity);
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            final int m = (int)(id & segMask);
            if (msgLength[m] > 0)
            {
                ring.putBytes(
                    (int)(msgPosition[m] & ringMask), oldRing, (int)(msgPosition[m] & oldMask), msgLength[m]);
            }
        }
        return true;
    }

    private void allocateRing(final int capacity)
    {
        ring = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
        ringMask = capacity - 1;
    }

    private boolean growSegments(final long needed)
    {
        final int capacity = segMask + 1;
        if (needed > maxSegments)
        {
            return false;
        }
        final int newCapacity = BitUtil.findNextPositivePowerOfTwo((int)needed);
        final long[] oldPosition = segPosition;
        final int[] oldLength = segLength;
        final int[] oldOffset = segOffset;
        final int[] oldIndex = segIndex;
        final int[] oldMessageLength = segMessageLength;
        final long[] oldSentNs = segSentNs;
        final int[] oldTxCount = segTxCount;
        final boolean[] oldAcked = segAcked;
        final boolean[] oldQueued = segQueued;
        final long[] oldFirstSeq = msgFirstSeq;
        final long[] oldEndSeq = msgEndSeq;
        final long[] oldMsgPosition = msgPosition;
        final int[] oldMsgLength = msgLength;
        final long[] oldDeadline = msgDeadlineNs;
        final int oldMask = capacity - 1;
        allocateSegments(newCapacity);
        for (long seq = baseSeq; seq < nextSeq; seq++)
        {
            final int o = (int)(seq & oldMask);
            final int n = (int)(seq & segMask);
            segPosition[n] = oldPosition[o];
            segLength[n] = oldLength[o];
            segOffset[n] = oldOffset[o];
            segIndex[n] = oldIndex[o];
            segMessageLength[n] = oldMessageLength[o];
            segSentNs[n] = oldSentNs[o];
            segTxCount[n] = oldTxCount[o];
            segAcked[n] = oldAcked[o];
            segQueued[n] = oldQueued[o];
        }
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            final int o = (int)(id & oldMask);
            final int n = (int)(id & segMask);
            msgFirstSeq[n] = oldFirstSeq[o];
            msgEndSeq[n] = oldEndSeq[o];
            msgPosition[n] = oldMsgPosition[o];
            msgLength[n] = oldMsgLength[o];
            msgDeadlineNs[n] = oldDeadline[o];
        }
        return true;
    }

    private void allocateSegments(final int capacity)
    {
        segMask = capacity - 1;
        segPosition = new long[capacity];
        segLength = new int[capacity];
        segOffset = new int[capacity];
        segIndex = new int[capacity];
        segMessageLength = new int[capacity];
        segSentNs = new long[capacity];
        segTxCount = new int[capacity];
        segAcked = new boolean[capacity];
        segQueued = new boolean[capacity];
        msgFirstSeq = new long[capacity];
        msgEndSeq = new long[capacity];
        msgPosition = new long[capacity];
        msgLength = new int[capacity];
        msgDeadlineNs = new long[capacity];
    }
}
