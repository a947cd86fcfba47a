package io.raet4j.transactions.message;

import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Send side of one channel to one estate: holds every message from offer until the receiver confirms delivery,
 * cuts it into segments with consecutive sequence numbers, tracks their acknowledgement and schedules
 * retransmissions.
 * <p>
 * This class is the channel's face to the messenger and keeps its flow control (the receiver's window) and the
 * outcome of each message (delivered, failed, uncertain). The messages and segments themselves are kept by a
 * {@code SendBuffer}: a byte ring holding whole messages, addressed by a monotonic position, and rings of primitive
 * arrays describing segments by sequence number and messages by id, all starting small and doubling on demand up to
 * their limits, so an idle estate costs little and the steady state allocates nothing. Acknowledgements, loss
 * detection, the retransmit queue and the retransmission timer are a {@code LossRecovery}'s.
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

    private final int channel;
    private final DeliveryMode mode;
    private final boolean isReliable;
    private final SendBuffer buffer;
    private final LossRecovery recovery;
    private int defaultPeerWindow;
    private long peerWindowEnd;
    private boolean hasPeerWindow;
    private long segmentsSent;
    private int lastAppendedLength;

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
        this.defaultPeerWindow = defaultPeerWindow;
        buffer = new SendBuffer(channel, mode, maxPayload, maxRingBytes, maxSegments);
        recovery = new LossRecovery(buffer, isReliable);
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
     * @param srcBuffer  holding the message.
     * @param offset     of the message.
     * @param length     of the message in bytes, at most the ring limit.
     * @param deadlineNs by which it must be delivered, on the liveness clock.
     * @return the message id, or {@link #BACK_PRESSURED}.
     */
    public long offer(final DirectBuffer srcBuffer, final int offset, final int length, final long deadlineNs)
    {
        final long position = buffer.claim(length);
        if (position < 0)
        {
            return BACK_PRESSURED;
        }
        if (length > 0)
        {
            buffer.ring.putBytes((int)(position & buffer.ringMask), srcBuffer, offset, length);
        }
        return buffer.commit(position, length, deadlineNs);
    }

    /**
     * Whether {@link #offer} would take a message of this length now (conservative: yes means it would).
     *
     * @param length of the message.
     * @return true if it would be taken.
     */
    public boolean canTake(final int length)
    {
        return buffer.canTake(length);
    }

    /**
     * Reserve room for a message of one segment to be written in place; follow with {@link #commit}.
     *
     * @param length of the message.
     * @return the position to write at, or {@link #BACK_PRESSURED}.
     */
    public long claim(final int length)
    {
        return buffer.claim(length);
    }

    /**
     * Buffer over the ring, for writing a claimed message in place at {@code position & mask}.
     *
     * @return the ring buffer.
     */
    public UnsafeBuffer ringBuffer()
    {
        return buffer.ring;
    }

    /**
     * Index in {@link #ringBuffer()} of a claimed position.
     *
     * @param position returned by {@link #claim(int)}.
     * @return the index in the ring buffer.
     */
    public int ringIndex(final long position)
    {
        return (int)(position & buffer.ringMask);
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
        return buffer.commit(position, length, deadlineNs);
    }

    /**
     * Number of segments a message of a length is cut into.
     *
     * @param length of the message.
     * @return the number of segments, at least one.
     */
    public int segmentCount(final int length)
    {
        return buffer.segmentCount(length);
    }

    /**
     * Is there a segment never sent.
     *
     * @return true if a new segment is waiting.
     */
    public boolean hasNew()
    {
        return buffer.nextSendSeq < buffer.nextSeq;
    }

    /**
     * Set what the receiver's socket holds for this channel; until it is set, nothing but credit bounds the channel.
     * Call when the channel is made and after {@link #renew}, with the pair's limits.
     *
     * @param budget           the receiver's socket buffer for the channel, in datagram charges
     *                         ({@link PathState#datagramCharge(int)}).
     * @param datagramOverhead bytes of a datagram besides its one segment's payload: the pair MTU less the largest
     *                         payload.
     */
    public void peerBuffer(final long budget, final int datagramOverhead)
    {
        buffer.peerBufferBudget = budget;
        buffer.datagramOverhead = datagramOverhead;
    }

    /**
     * Does the receiver allow the next new segment: it is within the credit of the receiver's last ack, and what is in
     * flight, each segment charged as if alone in a datagram, is within the receiver's socket buffer
     * ({@link #peerBuffer(long, int)}).
     *
     * @return true if the next new segment may be sent.
     */
    public boolean isWithinPeerWindow()
    {
        return !isReliable ||
            (buffer.nextSendSeq < peerWindowEnd && buffer.peerBufferCharge < buffer.peerBufferBudget);
    }

    /**
     * Is a retransmission waiting.
     *
     * @return true if the retransmit queue is not empty.
     */
    public boolean hasRetransmit()
    {
        return recovery.hasRetransmit();
    }

    /**
     * Is any work waiting or outstanding: new segments, retransmissions, or messages not yet confirmed.
     *
     * @return true if the channel needs the agent's attention.
     */
    public boolean isActive()
    {
        return buffer.oldestMessageId < buffer.nextMessageId;
    }

    /**
     * Payload length of the segment the last successful {@link #appendNew} appended.
     *
     * @return its length in bytes.
     */
    public int lastAppendedLength()
    {
        return lastAppendedLength;
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
        final SendBuffer buffer = this.buffer;
        final long seq = buffer.nextSendSeq;
        if (!buffer.appendSegment(writer, seq))
        {
            return false;
        }
        final int s = (int)(seq & buffer.segMask);
        buffer.segSentNs[s] = nowNs;
        buffer.segTxCount[s] = 1;
        buffer.nextSendSeq++;
        lastAppendedLength = buffer.segLength[s];
        segmentsSent++;
        if (isReliable)
        {
            path.onSegmentSent(buffer.segLength[s] + PacketWriter.DATA_FRAME_OVERHEAD);
            buffer.peerBufferCharge += buffer.charge(buffer.segLength[s]);
            recovery.onFirstSent(seq, nowNs, path);
        }
        else
        {
            buffer.releaseSentWhole();
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
        return recovery.appendRetransmit(writer, nowNs);
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
        final long cumulative = Math.min(cumulativeSeq, buffer.nextSendSeq);
        // Credit is never retracted, except that the first ack replaces the window assumed before it.
        final long windowEnd = cumulative + Math.max(0, windowSegments);
        peerWindowEnd = hasPeerWindow ? Math.max(peerWindowEnd, windowEnd) : windowEnd;
        hasPeerWindow = true;

        return recovery.onAck(cumulative, rangeStarts, rangeEnds, rangeCount, nowNs, path);
    }

    /**
     * Segments the last {@link #onAck} found lost, a segment sent later having been acknowledged, and queued for
     * retransmission.
     *
     * @return segments detected lost by the last ack.
     */
    public int lostDetectedByLastAck()
    {
        return recovery.lostDetectedByLastAck();
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
        final SendBuffer buffer = this.buffer;
        final long delivered = Math.min(deliveredSeq, buffer.ackedSeq);
        int count = 0;
        while (buffer.oldestMessageId < buffer.nextMessageId)
        {
            final int m = (int)(buffer.oldestMessageId & buffer.segMask);
            if (buffer.msgEndSeq[m] > delivered)
            {
                break;
            }
            final long messageId = buffer.oldestMessageId;
            buffer.releaseOldest(m);
            count++;
            listener.onDelivered(estateId, channel, messageId);
        }
        return count;
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
    public int onNack(
        final long[] starts, final long[] ends, final int count, final long nowNs, final long roundTripNs)
    {
        if (!isReliable)
        {
            return 0;
        }
        return recovery.onNack(starts, ends, count, nowNs, roundTripNs);
    }

    /**
     * Check the retransmission timer. Its first expiry after progress is the probe timeout (about two round trips,
     * {@link PathState#probeTimeoutNs()}): it queues one tail loss probe, the oldest segment not known to be a hole,
     * without backing off or shrinking the window, so that a loss at the tail is repaired in a few round trips rather
     * than after the minimum RTO; the ack of the probe then exposes every earlier loss ({@code LossRecovery.onAck}).
     * A later expiry without progress is a retransmission timeout: it queues known holes (unacknowledged segments
     * sent at least one RTO ago below the highest selectively acknowledged one) and one probe. When every sent
     * segment is acknowledged but a message is not yet confirmed, the last segment goes as a delivery probe.
     *
     * @param nowNs current time.
     * @param path  of the estate, for the current RTO.
     * @return {@link #TIMER_NOT_EXPIRED}, {@link #TIMER_DELIVERY_PROBE}, {@link #TIMER_TAIL_PROBE}, or the number of
     * segments queued by a timeout.
     */
    public int onRetransmitTimer(final long nowNs, final PathState path)
    {
        return recovery.onRetransmitTimer(nowNs, path);
    }

    /**
     * Re-arm the retransmission timer after an expiry was handled.
     *
     * @param nowNs current time.
     * @param rtoNs timeout to arm with, after any backoff.
     */
    public void rearmRetransmitTimer(final long nowNs, final long rtoNs)
    {
        recovery.rearmRetransmitTimer(nowNs, rtoNs);
    }

    /**
     * Deadline of the retransmission timer.
     *
     * @return the deadline, or {@link Long#MAX_VALUE} if not armed.
     */
    public long rtoDeadlineNs()
    {
        return recovery.rtoDeadlineNs();
    }

    /**
     * Deadline of the oldest message not yet confirmed.
     *
     * @return the deadline on the liveness clock, or {@link Long#MAX_VALUE} if none.
     */
    public long oldestDeadlineNs()
    {
        return buffer.oldestDeadlineNs();
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
        final SendBuffer buffer = this.buffer;
        int count = 0;
        path.onSegmentsDiscarded(inflightBytes());
        while (buffer.oldestMessageId < buffer.nextMessageId)
        {
            final int m = (int)(buffer.oldestMessageId & buffer.segMask);
            final long messageId = buffer.oldestMessageId;
            final boolean isSentWhole = buffer.msgEndSeq[m] <= buffer.nextSendSeq;
            buffer.releaseOldest(m);
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
        final SendBuffer buffer = this.buffer;
        path.onSegmentsDiscarded(inflightBytes());
        int ended = 0;
        if (isReliable)
        {
            ended += endSentWhole(listener, estateId, reason);
            if (buffer.hasLongerThan(maxMessageLength))
            {
                // The new receiver takes less than a kept message. Skipping it would reorder the channel, so every
                // kept message fails; none of them was sent whole, so none was delivered.
                while (buffer.oldestMessageId < buffer.nextMessageId)
                {
                    final int m = (int)(buffer.oldestMessageId & buffer.segMask);
                    final long messageId = buffer.oldestMessageId;
                    final int length = buffer.msgLength[m];
                    buffer.releaseOldest(m);
                    ended++;
                    listener.onFailed(
                        estateId, channel, messageId, length > maxMessageLength ? tooLargeReason : reason);
                }
            }
        }
        else
        {
            dropAnySent(maxMessageLength);
        }
        buffer.maxPayload = maxPayload;
        this.defaultPeerWindow = peerWindowSegments;
        resetSequences(0);
        if (!buffer.resegmentAll())
        {
            // A smaller segment size cuts the kept messages into more segments than the channel may hold: they fail,
            // none of them having been sent whole.
            while (buffer.oldestMessageId < buffer.nextMessageId)
            {
                final long messageId = buffer.oldestMessageId;
                buffer.releaseOldest((int)(buffer.oldestMessageId & buffer.segMask));
                ended++;
                if (isReliable)
                {
                    listener.onFailed(estateId, channel, messageId, reason);
                }
            }
            resetSequences(0);
        }
        return ended;
    }

    private int endSentWhole(final MessageOutcomeListener listener, final long estateId, final int reason)
    {
        final SendBuffer buffer = this.buffer;
        int ended = 0;
        // Whole messages were first sent in offer order, so those sent whole are the oldest ones.
        while (buffer.oldestMessageId < buffer.nextMessageId &&
            buffer.msgEndSeq[(int)(buffer.oldestMessageId & buffer.segMask)] <= buffer.nextSendSeq)
        {
            final int m = (int)(buffer.oldestMessageId & buffer.segMask);
            final long messageId = buffer.oldestMessageId;
            buffer.releaseOldest(m);
            ended++;
            listener.onUncertain(estateId, channel, messageId, reason);
        }
        return ended;
    }

    private void dropAnySent(final int maxMessageLength)
    {
        final SendBuffer buffer = this.buffer;
        // Best effort keeps only what was never sent; a message partly sent is dropped, as a lost one would be.
        while (buffer.oldestMessageId < buffer.nextMessageId &&
            buffer.msgFirstSeq[(int)(buffer.oldestMessageId & buffer.segMask)] < buffer.nextSendSeq)
        {
            buffer.releaseOldest((int)(buffer.oldestMessageId & buffer.segMask));
        }
        if (buffer.hasLongerThan(maxMessageLength))
        {
            // The new receiver would refuse every segment of a longer one; only the oldest can be released, so
            // every kept message is dropped, as the reliable ones fail.
            while (buffer.oldestMessageId < buffer.nextMessageId)
            {
                buffer.releaseOldest((int)(buffer.oldestMessageId & buffer.segMask));
            }
        }
    }

    /**
     * Largest segment payload this channel cuts messages into, for the current session.
     *
     * @return the payload in bytes.
     */
    public int maxPayload()
    {
        return buffer.maxPayload;
    }

    private long inflightBytes()
    {
        return isReliable ? buffer.unackedSentBytes() : 0;
    }

    private void resetSequences(final long seq)
    {
        buffer.resetSequences(seq);
        recovery.reset(seq);
        peerWindowEnd = seq + defaultPeerWindow;
        hasPeerWindow = false;
    }

    /**
     * Messages offered and not yet confirmed or failed.
     *
     * @return the number of messages outstanding.
     */
    public long outstandingMessages()
    {
        return buffer.nextMessageId - buffer.oldestMessageId;
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
        return recovery.segmentsRetransmitted();
    }
}
