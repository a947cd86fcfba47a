package io.raet4j.transactions.message;

import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Storage of a {@link SendChannel}: every message it holds from offer until the receiver confirms delivery, and the
 * segments they are cut into.
 * <p>
 * Messages are kept whole and contiguous in a byte ring (a message that would wrap starts again at the ring's
 * beginning), addressed by a monotonic position from {@link #headPosition} (oldest byte held) to
 * {@link #tailPosition} (next free byte). Segments are described in rings of primitive arrays indexed by
 * {@code seq & segMask}, messages in rings indexed by {@code messageId & segMask} of the same capacity (every
 * message has at least one segment, so it never holds more messages than segments). All rings start small and
 * double on demand up to their limits, so an idle estate costs little and the steady state allocates nothing.
 * <p>
 * Four sequence cursors split the segments held: {@code baseSeq <= ackedSeq <= nextSendSeq <= nextSeq}. Segments
 * from {@link #baseSeq} belong to messages not yet confirmed; below {@link #ackedSeq} every segment is acknowledged;
 * from {@link #nextSendSeq} on they were never sent; {@link #nextSeq} is the next to be cut. Messages run from
 * {@link #oldestMessageId} to {@link #nextMessageId}, exclusive.
 * <p>
 * The state is in package-private fields, read and written in place by {@link SendChannel} and {@link LossRecovery}
 * on the per-segment path; this class keeps the rings' shape: allocation, growth, cutting and release.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
final class SendBuffer
{
    /** Segments (and messages) the rings hold before they first grow. */
    static final int INITIAL_SEGMENTS = 64;
    private static final int INITIAL_RING_BYTES = 64 * 1024;

    private final int channel;
    private final DeliveryMode mode;
    private final int maxRingBytes;
    private final int maxSegments;
    /** Largest segment payload in bytes, for the current session. */
    int maxPayload;

    /** Message bytes, addressed by {@code position & ringMask}. */
    UnsafeBuffer ring;
    int ringMask;
    long headPosition;
    long tailPosition;

    int segMask;
    long[] segPosition;
    int[] segLength;
    int[] segOffset;
    int[] segIndex;
    int[] segMessageLength;
    long[] segSentNs;
    int[] segTxCount;
    boolean[] segAcked;
    /** Whether the segment waits in the {@link LossRecovery} retransmit queue. */
    boolean[] segQueued;

    long[] msgFirstSeq;
    long[] msgEndSeq;
    long[] msgPosition;
    int[] msgLength;
    long[] msgDeadlineNs;
    long oldestMessageId;
    long nextMessageId;

    long baseSeq;
    long ackedSeq;
    long nextSendSeq;
    long nextSeq;

    /** Sum of {@link #charge(int)} over the segments in flight: sent, neither acknowledged nor discarded. */
    long peerBufferCharge;
    /** Most {@link #peerBufferCharge} new segments may add to: the receiver's socket buffer, as its join announced. */
    long peerBufferBudget = Long.MAX_VALUE;
    /** Bytes of a datagram besides the payload of its one segment: the pair MTU less {@link #maxPayload}. */
    int datagramOverhead;

    SendBuffer(
        final int channel,
        final DeliveryMode mode,
        final int maxPayload,
        final int maxRingBytes,
        final int maxSegments)
    {
        this.channel = channel;
        this.mode = mode;
        this.maxPayload = maxPayload;
        this.maxRingBytes = BitUtil.findNextPositivePowerOfTwo(Math.max(maxRingBytes, INITIAL_RING_BYTES));
        this.maxSegments = BitUtil.findNextPositivePowerOfTwo(Math.max(maxSegments, INITIAL_SEGMENTS));
        allocateRing(INITIAL_RING_BYTES);
        allocateSegments(INITIAL_SEGMENTS);
    }

    /**
     * Reserve room for a message, growing the rings if they are too small and may grow.
     *
     * @param length of the message.
     * @return the position to write at, or {@link SendChannel#BACK_PRESSURED}.
     */
    long claim(final int length)
    {
        final int segments = segmentCount(length);
        final long segmentsNeeded = nextSeq + segments - baseSeq;
        if (segmentsNeeded > segMask + 1 && !growSegments(segmentsNeeded))
        {
            return SendChannel.BACK_PRESSURED;
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
                return SendChannel.BACK_PRESSURED;
            }
            position = tailPosition;
            final int newIndex = (int)(position & ringMask);
            if (newIndex + length > ringMask + 1)
            {
                position += (ringMask + 1) - newIndex;
            }
            if (position + length - headPosition > ringMask + 1)
            {
                return SendChannel.BACK_PRESSURED;
            }
        }

        return position;
    }

    /**
     * Record a message whose bytes were written at a claimed position and cut it into segments.
     *
     * @param position   returned by {@link #claim(int)}.
     * @param length     of the message.
     * @param deadlineNs by which it must be delivered, on the liveness clock.
     * @return the message id.
     */
    long commit(final long position, final int length, final long deadlineNs)
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

    /**
     * Cut a message into segments from {@link #nextSeq} on, none of them sent or acknowledged yet.
     *
     * @param m        index of the message in the message rings.
     * @param length   of the message.
     * @param position of the message in the byte ring.
     */
    void segment(final int m, final int length, final long position)
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
    int segmentCount(final int length)
    {
        return 0 == length ? 1 : (int)(((long)length + maxPayload - 1) / maxPayload);
    }

    /**
     * Append a segment to a packet as a data frame, its bytes copied from the ring.
     *
     * @param writer packet being built.
     * @param seq    of the segment.
     * @return true if the segment fitted in the packet.
     */
    boolean appendSegment(final PacketWriter writer, final long seq)
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

    /**
     * Release the oldest message: its bytes and segments are free for reuse.
     *
     * @param m index of the oldest message in the message rings.
     */
    void releaseOldest(final int m)
    {
        headPosition = msgPosition[m] + msgLength[m];
        baseSeq = msgEndSeq[m];
        oldestMessageId++;
    }

    /**
     * Release every message sent whole and count every segment sent as acknowledged, as best effort does: nothing
     * sent is kept for a retransmission.
     */
    void releaseSentWhole()
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

    /**
     * Is a message held longer than a length.
     *
     * @param maxMessageLength the length.
     * @return true if some message held is longer.
     */
    boolean hasLongerThan(final int maxMessageLength)
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
     * Bytes on the wire of the segments sent and not acknowledged, as the path counts them in flight.
     *
     * @return the bytes in flight.
     */
    long unackedSentBytes()
    {
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

    /**
     * Move every sequence cursor to one sequence number; no segment is held below it.
     *
     * @param seq the sequence the next segment cut gets.
     */
    void resetSequences(final long seq)
    {
        baseSeq = seq;
        ackedSeq = seq;
        nextSendSeq = seq;
        nextSeq = seq;
        peerBufferCharge = 0;
    }

    /**
     * What a segment costs the receiver's socket buffer at most: the charge of a datagram holding it alone. Segments
     * packed many to a datagram cost less, never more.
     *
     * @param segmentLength its payload.
     * @return its charge in bytes.
     */
    long charge(final int segmentLength)
    {
        return PathState.datagramCharge(segmentLength + datagramOverhead);
    }

    /**
     * Cut every message held again into segments from {@link #nextSeq} on, at the current {@link #maxPayload},
     * growing the segment rings if needed; call after {@link #resetSequences(long)}.
     *
     * @return false, cutting nothing, if the segments would be more than the channel may hold.
     */
    boolean resegmentAll()
    {
        long segmentsNeeded = 0;
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            segmentsNeeded += segmentCount(msgLength[(int)(id & segMask)]);
        }
        if (segmentsNeeded > segMask + 1 && !growSegments(segmentsNeeded))
        {
            return false;
        }
        for (long id = oldestMessageId; id < nextMessageId; id++)
        {
            final int m = (int)(id & segMask);
            segment(m, msgLength[m], msgPosition[m]);
        }
        return true;
    }

    /**
     * Deadline of the oldest message held.
     *
     * @return the deadline on the liveness clock, or {@link Long#MAX_VALUE} if none.
     */
    long oldestDeadlineNs()
    {
        return oldestMessageId < nextMessageId ? msgDeadlineNs[(int)(oldestMessageId & segMask)] : Long.MAX_VALUE;
    }

    /**
     * Whether a message of this length would be taken now, without taking it or growing anything: its segments fit
     * the most the rings may hold, and its bytes fit the largest ring even if it has to start again at the ring's
     * beginning. Conservative: a yes means {@link #claim(int)} succeeds.
     *
     * @param length of the message.
     * @return true if it would be taken.
     */
    boolean canTake(final int length)
    {
        final long segmentsNeeded = nextSeq + segmentCount(length) - baseSeq;
        return segmentsNeeded <= maxSegments && tailPosition - headPosition + 2L * length + maxPayload <= maxRingBytes;
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
