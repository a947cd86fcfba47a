package io.raet4j.transactions;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands a stack's received messages to another thread: the duty cycle polls the stack (for the channels given) into
 * a bounded one-to-one ring buffer (Agrona's {@link OneToOneRingBuffer}), and one consumer thread at a time drains it
 * with {@link #poll} at its own pace, without touching the stack.
 * <p>
 * When the ring is full the duty cycle leaves the next message in the stack ({@link ControlledMessageHandler.Action#ABORT}):
 * it is not acknowledged as taken, the channel's receive window fills, and the sender's offers come back
 * {@link Stack#BACK_PRESSURED}. A consumer that falls behind slows the sender down; nothing is dropped and nothing
 * grows without bound. A message is "delivered" (the sender's outcome) once it is in the ring: what the consumer does
 * with it after that is the application's.
 * <p>
 * A message longer than a ring record (an eighth of the ring) travels as consecutive fragments, written all at once
 * when the ring has room for all of them and reassembled for the consumer, so the ring must hold one of the stack's
 * largest messages with room to spare ({@link StackContext#maxMessageBytes()}; lower it for a smaller ring).
 * <p>
 * Thread safety: {@link #attach} and {@link #close()} on the stack's duty-cycle thread (or before it runs);
 * {@link #poll} from one consumer thread at a time; {@link #messagesReceived()} and {@link #isClosed()} from any.
 */
public final class ConcurrentReceiver implements DutyCycleTask, AutoCloseable
{
    /** Bytes of each ring record before the message: estate id, channel, whole length. */
    public static final int RECORD_HEADER_LENGTH = 16;
    /** Smallest ring capacity, 64 KiB. */
    public static final int MIN_CAPACITY = 64 * 1024;
    /** Most messages moved from the stack into the ring per duty cycle. */
    public static final int INTAKE_LIMIT = 256;

    private static final int WHOLE = 1;
    private static final int FIRST = 2;
    private static final int MIDDLE = 3;
    private static final int LAST = 4;
    private static final int ESTATE_OFFSET = 0;
    private static final int CHANNEL_OFFSET = 8;
    private static final int LENGTH_OFFSET = 12;

    private final Stack stack;
    private final ChannelSet channels;
    private final RingBuffer ring;
    private final int chunkLength;
    private final AtomicLong messagesReceived = new AtomicLong();
    private final ControlledMessageHandler intake = this::onStackMessage;
    private final MessageHandler drain = this::onRecord;
    private final ExpandableArrayBuffer reassembly = new ExpandableArrayBuffer(4096);
    private io.raet4j.transactions.MessageHandler consumer;
    private int reassembled;
    private volatile boolean isClosed;

    private ConcurrentReceiver(final Stack stack, final int capacity, final ChannelSet channels)
    {
        this.stack = stack;
        this.channels = channels;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.chunkLength = ring.maxMsgLength() - RECORD_HEADER_LENGTH;
    }

    /**
     * Attach a receiver of every channel the application polls, with the smallest ring that holds one of the stack's
     * largest messages with room to spare (32 MiB of direct memory for the default 16 MiB messages: lower
     * {@link StackContext#maxMessageBytes()} for less).
     *
     * @param stack to receive from.
     * @return the receiver.
     */
    public static ConcurrentReceiver attach(final Stack stack)
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(
            (int)Math.min(1 << 30, Math.max(MIN_CAPACITY, neededCapacity(stack.context().maxMessageBytes()))));
        return attach(stack, capacity, null);
    }

    /**
     * The smallest ring for messages up to a length: fragments are an eighth of the ring, and a message's fragments
     * plus one more record (a wrap's padding) must fit in the empty ring, so the message may take three quarters.
     *
     * @param maxMessageBytes the stack's largest message.
     * @return bytes, before rounding up to a power of two.
     */
    static long neededCapacity(final int maxMessageBytes)
    {
        return maxMessageBytes * 4L / 3 + 4096;
    }

    /**
     * Attach a receiver to a stack, whose duty cycle fills it from now on. On the stack's duty-cycle thread, or
     * before it runs. Messages of the channels given go to this receiver only: do not also poll them.
     *
     * @param stack    to receive from.
     * @param capacity of the ring in bytes, a power of two, at least {@link #MIN_CAPACITY}, and at least 4/3 of the
     *                 stack's largest message plus 4 KiB.
     * @param channels to take messages of, or null for every channel the application's polls take.
     * @return the receiver.
     * @throws IllegalArgumentException if the capacity does not fit these rules: the message says what would.
     */
    public static ConcurrentReceiver attach(final Stack stack, final int capacity, final ChannelSet channels)
    {
        final long needed = neededCapacity(stack.context().maxMessageBytes());
        if (capacity < MIN_CAPACITY || !BitUtil.isPowerOfTwo(capacity) || capacity < needed)
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least " + MIN_CAPACITY +
                " bytes holding one of the stack's largest messages with room to spare (maxMessageBytes " +
                stack.context().maxMessageBytes() + ": at least " + needed + "), was " + capacity +
                ": raise it or lower StackContext.maxMessageBytes");
        }
        final ConcurrentReceiver receiver = new ConcurrentReceiver(stack, capacity, channels);
        stack.addDutyCycleTask(receiver);
        return receiver;
    }

    /**
     * Hand the messages waiting in the ring to a handler, on the calling thread (one consumer at a time).
     *
     * @param handler called for each whole message; the buffer is valid only during the call.
     * @param limit   most ring records to read (a fragmented message takes several).
     * @return the number of ring records read.
     */
    public int poll(final io.raet4j.transactions.MessageHandler handler, final int limit)
    {
        consumer = handler;
        return ring.read(drain, limit);
    }

    /**
     * Messages put into the ring so far.
     *
     * @return the count.
     */
    public long messagesReceived()
    {
        return messagesReceived.get();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Move messages from the stack into the ring while it has room. Called by the stack's duty cycle.
     *
     * @return the messages moved.
     */
    @Override
    public int doWork()
    {
        return null == channels ? stack.controlledPoll(intake, INTAKE_LIMIT) :
            stack.controlledPoll(intake, INTAKE_LIMIT, channels);
    }

    /**
     * Stop taking messages from the stack (they stay there, for the application's own polls); what is in the ring can
     * still be polled. On the duty-cycle thread.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            stack.removeDutyCycleTask(this);
        }
    }

    private ControlledMessageHandler.Action onStackMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= chunkLength)
        {
            final int index = ring.tryClaim(WHOLE, RECORD_HEADER_LENGTH + length);
            if (index < 0)
            {
                return ControlledMessageHandler.Action.ABORT;
            }
            write(index, estateId, channel, length, buffer, offset, length);
            ring.commit(index);
        }
        else
        {
            final int fragments = (length + chunkLength - 1) / chunkLength;
            final int recordLength = BitUtil.align(
                RecordDescriptor.HEADER_LENGTH + RECORD_HEADER_LENGTH + chunkLength, RecordDescriptor.ALIGNMENT);
            // All or none: room for every fragment, and for the padding a wrap may need.
            if ((long)ring.capacity() - ring.size() < (long)(fragments + 1) * recordLength)
            {
                return ControlledMessageHandler.Action.ABORT;
            }
            for (int i = 0; i < fragments; i++)
            {
                final int chunkOffset = i * chunkLength;
                final int chunk = Math.min(chunkLength, length - chunkOffset);
                final int type = 0 == i ? FIRST : fragments - 1 == i ? LAST : MIDDLE;
                final int index = ring.tryClaim(type, RECORD_HEADER_LENGTH + chunk);
                if (index < 0)
                {
                    throw new IllegalStateException("ring refused fragment " + i + " of " + fragments +
                        " after its room was checked");
                }
                write(index, estateId, channel, length, buffer, offset + chunkOffset, chunk);
                ring.commit(index);
            }
        }
        messagesReceived.incrementAndGet();
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void write(
        final int index,
        final long estateId,
        final int channel,
        final int wholeLength,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final MutableDirectBuffer ringBuffer = ring.buffer();
        ringBuffer.putLong(index + ESTATE_OFFSET, estateId);
        ringBuffer.putInt(index + CHANNEL_OFFSET, channel);
        ringBuffer.putInt(index + LENGTH_OFFSET, wholeLength);
        if (length > 0)
        {
            ringBuffer.putBytes(index + RECORD_HEADER_LENGTH, buffer, offset, length);
        }
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long estateId = buffer.getLong(index + ESTATE_OFFSET);
        final int channel = buffer.getInt(index + CHANNEL_OFFSET);
        final int chunk = length - RECORD_HEADER_LENGTH;
        if (WHOLE == msgTypeId)
        {
            consumer.onMessage(estateId, channel, buffer, index + RECORD_HEADER_LENGTH, chunk);
            return;
        }
        if (FIRST == msgTypeId)
        {
            reassembled = 0;
        }
        reassembly.putBytes(reassembled, buffer, index + RECORD_HEADER_LENGTH, chunk);
        reassembled += chunk;
        if (LAST == msgTypeId)
        {
            consumer.onMessage(estateId, channel, reassembly, 0, reassembled);
        }
    }
}
