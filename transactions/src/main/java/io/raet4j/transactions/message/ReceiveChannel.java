package io.raet4j.transactions.message;

import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Receive side of one channel from one estate: a window of segment slots from the next sequence the application
 * will consume, selective acknowledgement of what is held, reports of gaps, and reassembly of messages as the
 * application polls.
 * <p>
 * Ordered mode hands messages over in sequence order, moving a message larger than the window into an assembly
 * buffer progressively as its in-order prefix arrives. Unordered mode also hands over any message whose segments are
 * all held, ahead of a gap. Best effort never waits for a gap: a missing segment drops the message it belongs to.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
public final class ReceiveChannel
{
    /** Segment stored. */
    public static final int ACCEPTED = 0;
    /** Segment already held or already consumed. */
    public static final int DUPLICATE = 1;
    /** Segment beyond the window. */
    public static final int OUT_OF_WINDOW = 2;
    /** Segment inconsistent with the channel (mode change, oversized payload). */
    public static final int INVALID = 3;

    private static final byte FLAG_BEGIN = 1;
    private static final byte FLAG_END = 2;

    private final int channel;
    private final int window;
    private final int mask;
    private final int maxPayload;
    private final int maxMessageBytes;

    private DeliveryMode mode;
    private UnsafeBuffer slots;
    private long[] slotSeq;
    private int[] slotLength;
    private int[] slotMessageLength;
    private byte[] slotFlags;
    private boolean[] slotDelivered;

    private long cumulativeSeq;
    private long consumeSeq;
    private long deliveredSeq;
    private long highestSeq;

    private final ExpandableDirectByteBuffer assembly = new ExpandableDirectByteBuffer(1024);
    private int assembledLength;
    private int assemblyMessageLength;
    private boolean isAssembling;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(1024);

    private boolean isAckPending;
    private ChannelMessageHandler plainHandler;
    private ControlledChannelMessageHandler controlledHandler;
    private boolean isStopped;
    private long inconsistentMessages;
    private long nackedUpTo;
    private long lastNackNs;

    /**
     * New receive channel; slots are allocated when the first segment arrives.
     *
     * @param channel         number.
     * @param windowSegments  receive window, rounded up to a power of two.
     * @param maxPayload      largest segment payload accepted.
     * @param maxMessageBytes largest message accepted.
     */
    public ReceiveChannel(final int channel, final int windowSegments, final int maxPayload, final int maxMessageBytes)
    {
        this.channel = channel;
        this.window = BitUtil.findNextPositivePowerOfTwo(windowSegments);
        this.mask = window - 1;
        this.maxPayload = maxPayload;
        this.maxMessageBytes = maxMessageBytes;
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
     * Accept one data segment.
     *
     * @param mode          delivery mode carried by the segment.
     * @param begin         first segment of its message.
     * @param end           last segment of its message.
     * @param seq           sequence number.
     * @param messageLength length of the whole message.
     * @param buffer        holding the payload.
     * @param offset        of the payload.
     * @param length        of the payload.
     * @return {@link #ACCEPTED}, {@link #DUPLICATE}, {@link #OUT_OF_WINDOW} or {@link #INVALID}.
     */
    public int onData(
        final DeliveryMode mode,
        final boolean begin,
        final boolean end,
        final long seq,
        final int messageLength,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (length > maxPayload || messageLength > maxMessageBytes)
        {
            return INVALID;
        }
        if (null == this.mode)
        {
            this.mode = mode;
            if (null == slots)
            {
                allocate();
            }
        }
        else if (this.mode != mode)
        {
            return INVALID;
        }

        final boolean isBestEffort = DeliveryMode.BEST_EFFORT == mode;
        if (seq < cumulativeSeq || seq < consumeSeq)
        {
            return DUPLICATE;
        }
        if (seq >= consumeSeq + window)
        {
            if (!isBestEffort)
            {
                return OUT_OF_WINDOW;
            }
            skipTo(seq - window + 1);
        }

        final int slot = (int)(seq & mask);
        if (slotSeq[slot] == seq)
        {
            return DUPLICATE;
        }
        slotSeq[slot] = seq;
        slotLength[slot] = length;
        slotMessageLength[slot] = messageLength;
        slotFlags[slot] = (byte)((begin ? FLAG_BEGIN : 0) | (end ? FLAG_END : 0));
        slotDelivered[slot] = false;
        if (length > 0)
        {
            slots.putBytes(slot * maxPayload, buffer, offset, length);
        }

        if (seq == cumulativeSeq)
        {
            long next = seq + 1;
            while (next < consumeSeq + window && slotSeq[(int)(next & mask)] == next)
            {
                next++;
            }
            cumulativeSeq = next;
        }
        if (seq + 1 > highestSeq)
        {
            highestSeq = seq + 1;
        }
        if (!isBestEffort)
        {
            isAckPending = true;
        }
        return ACCEPTED;
    }

    private void skipTo(final long seq)
    {
        if (seq - consumeSeq >= window)
        {
            // A jump past the whole window frees every slot held below seq: one pass over the slots, not one step
            // per skipped sequence, which for a seq far ahead would never end.
            for (int slot = 0; slot < window; slot++)
            {
                if (slotSeq[slot] >= consumeSeq && slotSeq[slot] < seq)
                {
                    slotSeq[slot] = -1;
                }
            }
            consumeSeq = seq;
        }
        while (consumeSeq < seq)
        {
            final int slot = (int)(consumeSeq & mask);
            if (slotSeq[slot] == consumeSeq)
            {
                slotSeq[slot] = -1;
            }
            consumeSeq++;
        }
        isAssembling = false;
        cumulativeSeq = Math.max(cumulativeSeq, consumeSeq);
        while (cumulativeSeq < highestSeq && slotSeq[(int)(cumulativeSeq & mask)] == cumulativeSeq)
        {
            cumulativeSeq++;
        }
        deliveredSeq = consumeSeq;
    }

    /**
     * Hand complete messages to the application.
     *
     * @param handler  given each message.
     * @param estateId of the sender.
     * @param limit    most messages to hand over.
     * @return number of messages handed over.
     */
    public int poll(final ChannelMessageHandler handler, final long estateId, final int limit)
    {
        plainHandler = handler;
        try
        {
            return pollMessages(estateId, limit);
        }
        finally
        {
            plainHandler = null;
        }
    }

    /**
     * Hand complete messages to a handler that decides, for each, whether it is consumed and whether to go on: a
     * message it aborts stays first in the channel, whole, for the next poll.
     *
     * @param handler  given each message.
     * @param estateId of the sender.
     * @param limit    most messages to hand over.
     * @return number of messages consumed (aborted ones not counted); {@link #isStopped()} tells whether the handler
     *         asked to stop.
     */
    public int controlledPoll(final ControlledChannelMessageHandler handler, final long estateId, final int limit)
    {
        controlledHandler = handler;
        try
        {
            return pollMessages(estateId, limit);
        }
        finally
        {
            controlledHandler = null;
        }
    }

    /**
     * Whether the handler of the last controlled poll stopped it (break or abort).
     *
     * @return true if stopped.
     */
    public boolean isStopped()
    {
        return isStopped;
    }

    private int pollMessages(final long estateId, final int limit)
    {
        isStopped = false;
        if (null == slots)
        {
            return 0;
        }
        int count = 0;
        final long startConsume = consumeSeq;
        final boolean isBestEffort = DeliveryMode.BEST_EFFORT == mode;

        while (count < limit && consumeSeq < highestSeq && !isStopped)
        {
            final int slot = (int)(consumeSeq & mask);
            if (slotSeq[slot] != consumeSeq)
            {
                if (isBestEffort)
                {
                    consumeSeq++;
                    isAssembling = false;
                    continue;
                }
                break;
            }
            count += consume(slot, estateId);
        }

        if (DeliveryMode.RELIABLE_UNORDERED == mode && count < limit && highestSeq > consumeSeq && !isStopped)
        {
            count += pollAhead(estateId, limit - count);
        }

        if (consumeSeq != startConsume)
        {
            if (isBestEffort)
            {
                cumulativeSeq = Math.max(cumulativeSeq, consumeSeq);
            }
            else
            {
                isAckPending = true;
            }
        }
        return count;
    }

    private int deliver(final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != controlledHandler)
        {
            final int action = controlledHandler.onMessage(estateId, channel, buffer, offset, length);
            isStopped = ControlledChannelMessageHandler.CONTINUE != action;
            return action;
        }
        plainHandler.onMessage(estateId, channel, buffer, offset, length);
        return ControlledChannelMessageHandler.CONTINUE;
    }

    /**
     * Consume the segment at the head of the channel, handing a message over when it completes one. Nothing changes
     * before the handler has answered, so a message it aborts is handed over again, whole, by the next poll.
     */
    private int consume(final int slot, final long estateId)
    {
        final byte flags = slotFlags[slot];
        final int length = slotLength[slot];
        final boolean isBegin = 0 != (flags & FLAG_BEGIN);
        final boolean isEnd = 0 != (flags & FLAG_END);
        int delivered = 0;

        if (slotDelivered[slot])
        {
            isAssembling = false;
        }
        else if (isBegin && isEnd)
        {
            if (ControlledChannelMessageHandler.ABORT == deliver(estateId, slots, slot * maxPayload, length))
            {
                return 0;
            }
            isAssembling = false;
            delivered = 1;
        }
        else if (isBegin)
        {
            assemblyMessageLength = slotMessageLength[slot];
            assembly.checkLimit(assemblyMessageLength);
            assembly.putBytes(0, slots, slot * maxPayload, length);
            assembledLength = length;
            isAssembling = true;
        }
        else if (isAssembling && assembledLength + length <= assemblyMessageLength &&
            slotMessageLength[slot] == assemblyMessageLength)
        {
            // Written again, the same bytes in the same place, if the message's handler aborted it last time.
            assembly.putBytes(assembledLength, slots, slot * maxPayload, length);
            if (isEnd)
            {
                final int messageLength = assembledLength + length;
                if (messageLength == assemblyMessageLength)
                {
                    if (ControlledChannelMessageHandler.ABORT == deliver(estateId, assembly, 0, messageLength))
                    {
                        return 0;
                    }
                    delivered = 1;
                }
                else
                {
                    inconsistentMessages++;
                }
                isAssembling = false;
            }
            assembledLength += length;
        }
        else
        {
            isAssembling = false;
        }

        slotSeq[slot] = -1;
        consumeSeq++;
        if (isEnd)
        {
            deliveredSeq = consumeSeq;
        }
        return delivered;
    }

    private int pollAhead(final long estateId, final int limit)
    {
        int count = 0;
        long seq = Math.max(consumeSeq, cumulativeSeq);
        while (seq < highestSeq && count < limit && !isStopped)
        {
            int slot = (int)(seq & mask);
            if (slotSeq[slot] != seq || slotDelivered[slot] || 0 == (slotFlags[slot] & FLAG_BEGIN))
            {
                seq++;
                continue;
            }
            final long first = seq;
            long last = seq;
            boolean isComplete = false;
            while (last < highestSeq)
            {
                slot = (int)(last & mask);
                if (slotSeq[slot] != last)
                {
                    break;
                }
                if (0 != (slotFlags[slot] & FLAG_END))
                {
                    isComplete = true;
                    break;
                }
                last++;
            }
            if (!isComplete)
            {
                seq = last + 1;
                continue;
            }

            final int firstSlot = (int)(first & mask);
            final int action;
            if (first == last)
            {
                action = deliver(estateId, slots, firstSlot * maxPayload, slotLength[firstSlot]);
            }
            else
            {
                final int messageLength = slotMessageLength[firstSlot];
                scratch.checkLimit(messageLength);
                int length = 0;
                for (long s = first; s <= last; s++)
                {
                    final int i = (int)(s & mask);
                    scratch.putBytes(length, slots, i * maxPayload, slotLength[i]);
                    length += slotLength[i];
                }
                action = deliver(estateId, scratch, 0, length);
            }
            if (ControlledChannelMessageHandler.ABORT == action)
            {
                break;
            }
            for (long s = first; s <= last; s++)
            {
                slotDelivered[(int)(s & mask)] = true;
            }
            count++;
            seq = last + 1;
        }
        return count;
    }

    /**
     * Whether the channel acknowledges what it receives: not best effort (a channel not yet bound to a mode counts as
     * reliable; its ack confirms nothing).
     *
     * @return true unless bound to best effort.
     */
    public boolean isReliable()
    {
        return DeliveryMode.BEST_EFFORT != mode;
    }

    /**
     * Whether an unordered channel handed a message to the application ahead of a gap, so that deliveredSeq does not
     * yet cover it: an ack then understates what was delivered.
     *
     * @return true if some message was delivered beyond the confirmed prefix.
     */
    public boolean hasDeliveredAhead()
    {
        if (null == slots || DeliveryMode.RELIABLE_UNORDERED != mode)
        {
            return false;
        }
        for (long seq = consumeSeq; seq < highestSeq; seq++)
        {
            final int slot = (int)(seq & mask);
            if (slotSeq[slot] == seq && slotDelivered[slot])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Are messages waiting to be polled.
     *
     * @return true if the next segment to consume is held.
     */
    public boolean hasReadable()
    {
        return null != slots && consumeSeq < highestSeq &&
            (slotSeq[(int)(consumeSeq & mask)] == consumeSeq || DeliveryMode.RELIABLE_ORDERED != mode);
    }

    /**
     * Are segments missing below the highest one held (so gap reports may fall due without new data).
     *
     * @return true if the reliable channel has gaps.
     */
    public boolean hasGaps()
    {
        return null != slots && DeliveryMode.BEST_EFFORT != mode && cumulativeSeq < highestSeq;
    }

    /**
     * Does the sender need an acknowledgement.
     *
     * @return true if an ack is due.
     */
    public boolean isAckPending()
    {
        return isAckPending;
    }

    /**
     * Ask for an ack to be sent, e.g. after a duplicate which suggests the sender missed an earlier one.
     */
    public void markAckPending()
    {
        if (DeliveryMode.BEST_EFFORT != mode)
        {
            isAckPending = true;
        }
    }

    /**
     * Is a gap report due: new segments arrived beyond a gap since the last report, or a round trip has passed.
     *
     * @param nowNs        current time.
     * @param renackAfterNs time after which known gaps are reported again.
     * @return true if a nack should be sent.
     */
    public boolean isNackDue(final long nowNs, final long renackAfterNs)
    {
        if (null == slots || DeliveryMode.BEST_EFFORT == mode || cumulativeSeq >= highestSeq)
        {
            return false;
        }
        return highestSeq > nackedUpTo || nowNs - lastNackNs >= renackAfterNs;
    }

    /**
     * Append an ack frame, listing at most as many ranges as fit an empty datagram of the packet being built.
     *
     * @param writer packet being built.
     * @param starts scratch for range starts, at least {@link PacketWriter#MAX_ACK_RANGES} long.
     * @param ends   scratch for range ends.
     * @return true if it fitted.
     */
    public boolean appendAck(final PacketWriter writer, final long[] starts, final long[] ends)
    {
        final int fit = rangesThatFit(
            writer, PacketWriter.ackFrameLength(0), PacketWriter.ackFrameLength(1) - PacketWriter.ackFrameLength(0));
        final int count = ranges(true, starts, ends, Math.min(PacketWriter.MAX_ACK_RANGES, fit));
        // The free window; the sender also keeps within the socket buffer the join announced (9.2, 9.3).
        final int credit = (int)Math.max(0, consumeSeq + window - cumulativeSeq);
        if (!writer.appendAck(channel, cumulativeSeq, deliveredSeq, credit, starts, ends, count))
        {
            return false;
        }
        isAckPending = false;
        return true;
    }

    /**
     * Append a nack frame listing the gaps below the highest segment held, at most as many as fit an empty datagram
     * of the packet being built.
     *
     * @param writer packet being built.
     * @param starts scratch for range starts, at least {@link PacketWriter#MAX_NACK_RANGES} long.
     * @param ends   scratch for range ends.
     * @param nowNs  current time.
     * @return true if it fitted.
     */
    public boolean appendNack(final PacketWriter writer, final long[] starts, final long[] ends, final long nowNs)
    {
        final int fit = rangesThatFit(
            writer, PacketWriter.nackFrameLength(0), PacketWriter.nackFrameLength(1) - PacketWriter.nackFrameLength(0));
        final int count = ranges(false, starts, ends, Math.min(PacketWriter.MAX_NACK_RANGES, fit));
        if (0 == count)
        {
            nackedUpTo = highestSeq;
            return true;
        }
        if (!writer.appendNack(channel, starts, ends, count))
        {
            return false;
        }
        nackedUpTo = highestSeq;
        lastNackNs = nowNs;
        return true;
    }

    /**
     * How many ranges a frame may list so that it fits an empty datagram of the packet being built: its limit, not the
     * writer's capacity, which is larger when the peer's MTU is smaller or the packet is sealed. If the frame does not
     * fit after the frames already appended, the caller sends those and appends it again to an empty datagram.
     */
    private static int rangesThatFit(final PacketWriter writer, final int emptyFrameLength, final int rangeLength)
    {
        final int framesOffset = writer.isSealed() ? PacketWriter.SEALED_FRAMES_OFFSET : PacketWriter.HEADER_LENGTH;
        final int room = writer.length() + writer.remaining() - framesOffset;

        return Math.max(0, (room - emptyFrameLength) / rangeLength);
    }

    private int ranges(final boolean held, final long[] starts, final long[] ends, final int max)
    {
        int count = 0;
        long seq = cumulativeSeq;
        while (seq < highestSeq && count < max)
        {
            while (seq < highestSeq && isHeld(seq) != held)
            {
                seq++;
            }
            if (seq >= highestSeq)
            {
                break;
            }
            final long start = seq;
            while (seq < highestSeq && isHeld(seq) == held)
            {
                seq++;
            }
            starts[count] = start;
            ends[count] = seq;
            count++;
        }
        return count;
    }

    private boolean isHeld(final long seq)
    {
        return slotSeq[(int)(seq & mask)] == seq;
    }

    /**
     * Forget everything: a new session or a dead peer. Slots stay allocated.
     */
    public void reset()
    {
        if (null != slotSeq)
        {
            Arrays.fill(slotSeq, -1);
        }
        mode = null;
        cumulativeSeq = 0;
        consumeSeq = 0;
        deliveredSeq = 0;
        highestSeq = 0;
        isAssembling = false;
        isAckPending = false;
        nackedUpTo = 0;
        lastNackNs = 0;
    }

    /**
     * Messages dropped at reassembly because their segments did not add up to the announced length.
     *
     * @return the count of inconsistent messages.
     */
    public long inconsistentMessages()
    {
        return inconsistentMessages;
    }

    /**
     * Next sequence expected: every segment below it was received.
     *
     * @return the cumulative sequence.
     */
    public long cumulativeSeq()
    {
        return cumulativeSeq;
    }

    private void allocate()
    {
        if (null != slots)
        {
            return;
        }
        slots = new UnsafeBuffer(BufferUtil.allocateDirectAligned(window * maxPayload, 64));
        slotSeq = new long[window];
        Arrays.fill(slotSeq, -1);
        slotLength = new int[window];
        slotMessageLength = new int[window];
        slotFlags = new byte[window];
        slotDelivered = new boolean[window];
    }
}
