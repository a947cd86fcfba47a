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

/**
 * A bounded hand-off of messages from the duty-cycle thread to one consumer thread: Agrona's
 * {@link OneToOneRingBuffer} with a small header per message (a long and two ints the producer chooses), and
 * messages longer than a ring record (an eighth of the ring) cut into consecutive fragments, written all or none and
 * reassembled for the consumer. {@link #tryWrite} says no rather than block when there is no room, so the producer
 * can leave the message where it was (for a stack: in its receive channel, which back-pressures the sender).
 * <p>
 * A message may take up to three quarters of the ring ({@link #maxMessageLength()}: six fragments).
 * <p>
 * Thread safety: one producer thread ({@link #tryWrite}, {@link #hasRoomFor}) and one consumer thread
 * ({@link #read}) at a time.
 */
public final class HandoffRing
{
    /** Bytes of the header before each record's bytes: the producer's long, int and type. */
    public static final int HEADER_LENGTH = 16;
    /** Smallest capacity, 64 KiB. */
    public static final int MIN_CAPACITY = 64 * 1024;

    private static final int WHOLE = 1;
    private static final int FIRST = 2;
    private static final int MIDDLE = 3;
    private static final int LAST = 4;
    private static final int KEY_OFFSET = 0;
    private static final int TAG_OFFSET = 8;
    private static final int TYPE_OFFSET = 12;

    /**
     * Receives whole messages on the consumer's thread.
     */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * A whole message.
         *
         * @param type   given to {@link #tryWrite}.
         * @param key    given to {@link #tryWrite}.
         * @param tag    given to {@link #tryWrite}.
         * @param buffer holding the message, valid only during the call.
         * @param offset of the message.
         * @param length of the message.
         */
        void onMessage(int type, long key, int tag, DirectBuffer buffer, int offset, int length);
    }

    private final RingBuffer ring;
    private final int chunkLength;
    private final int recordLength;
    private final int maxLength;
    private final MessageHandler drain = this::onRecord;
    private final ExpandableArrayBuffer reassembly = new ExpandableArrayBuffer(4096);
    private Handler consumer;
    private int reassembled;

    /**
     * A ring of a capacity.
     *
     * @param capacity in bytes, a power of two of at least {@link #MIN_CAPACITY}.
     * @throws IllegalArgumentException if not.
     */
    public HandoffRing(final int capacity)
    {
        if (capacity < MIN_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least " + MIN_CAPACITY +
                " bytes, was " + capacity);
        }
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.chunkLength = ring.maxMsgLength() - HEADER_LENGTH;
        this.recordLength = BitUtil.align(
            RecordDescriptor.HEADER_LENGTH + HEADER_LENGTH + chunkLength, RecordDescriptor.ALIGNMENT);
        // Six fragments and the padding a wrap may need are seven records of at most an eighth of the ring and 8 bytes.
        this.maxLength = 6 * chunkLength;
    }

    /**
     * The smallest capacity that takes messages up to a length.
     *
     * @param maxMessageLength longest message.
     * @return a power of two.
     */
    public static int capacityFor(final int maxMessageLength)
    {
        long capacity = MIN_CAPACITY;
        while (6 * (capacity / 8 - HEADER_LENGTH) < maxMessageLength && capacity < (1 << 30))
        {
            capacity <<= 1;
        }
        return (int)capacity;
    }

    /**
     * The longest message the ring takes.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxLength;
    }

    /**
     * The ring's capacity.
     *
     * @return bytes.
     */
    public int capacity()
    {
        return ring.capacity();
    }

    /**
     * Whether a message of this length fits now (the producer's thread; the answer can only get better until it
     * writes).
     *
     * @param length of the message.
     * @return true if {@link #tryWrite} of it would succeed now.
     */
    public boolean hasRoomFor(final int length)
    {
        if (length > maxLength)
        {
            return false;
        }
        final long free = (long)ring.capacity() - ring.size();
        if (length <= chunkLength)
        {
            // One record, and what a wrap may waste before it.
            return free >= 2L * BitUtil.align(
                RecordDescriptor.HEADER_LENGTH + HEADER_LENGTH + length, RecordDescriptor.ALIGNMENT);
        }
        return free >= (long)((length + chunkLength - 1) / chunkLength + 1) * recordLength;
    }

    /**
     * Write a message whole, or nothing (the producer's thread).
     *
     * @param type   the producer's kind of message.
     * @param key    the producer's long, e.g. an estate id.
     * @param tag    the producer's int, e.g. a channel.
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message, at most {@link #maxMessageLength()}.
     * @return true if written, false if there is no room now.
     * @throws IllegalArgumentException if longer than {@link #maxMessageLength()}: it would never fit.
     */
    public boolean tryWrite(
        final int type, final long key, final int tag, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxLength)
        {
            throw new IllegalArgumentException("message of " + length + " bytes is longer than the ring takes (" +
                maxLength + "): give the ring a capacity of at least " + capacityFor(length));
        }
        if (length <= chunkLength)
        {
            final int index = ring.tryClaim(WHOLE, HEADER_LENGTH + length);
            if (index < 0)
            {
                return false;
            }
            put(index, type, key, tag, buffer, offset, length);
            ring.commit(index);
            return true;
        }
        if (!hasRoomFor(length))
        {
            return false;
        }
        final int fragments = (length + chunkLength - 1) / chunkLength;
        for (int i = 0; i < fragments; i++)
        {
            final int chunkOffset = i * chunkLength;
            final int chunk = Math.min(chunkLength, length - chunkOffset);
            final int kind = 0 == i ? FIRST : fragments - 1 == i ? LAST : MIDDLE;
            final int index = ring.tryClaim(kind, HEADER_LENGTH + chunk);
            if (index < 0)
            {
                throw new IllegalStateException("ring refused fragment " + i + " of " + fragments + " after its " +
                    "room was checked");
            }
            put(index, type, key, tag, buffer, offset + chunkOffset, chunk);
            ring.commit(index);
        }
        return true;
    }

    /**
     * Hand the messages waiting to a handler (the consumer's thread).
     *
     * @param handler called for each whole message.
     * @param limit   most ring records to read (a fragmented message takes several).
     * @return the records read.
     */
    public int read(final Handler handler, final int limit)
    {
        consumer = handler;
        return ring.read(drain, limit);
    }

    private void put(
        final int index,
        final int type,
        final long key,
        final int tag,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final MutableDirectBuffer ringBuffer = ring.buffer();
        ringBuffer.putLong(index + KEY_OFFSET, key);
        ringBuffer.putInt(index + TAG_OFFSET, tag);
        ringBuffer.putInt(index + TYPE_OFFSET, type);
        if (length > 0)
        {
            ringBuffer.putBytes(index + HEADER_LENGTH, buffer, offset, length);
        }
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long key = buffer.getLong(index + KEY_OFFSET);
        final int tag = buffer.getInt(index + TAG_OFFSET);
        final int type = buffer.getInt(index + TYPE_OFFSET);
        final int chunk = length - HEADER_LENGTH;
        if (WHOLE == msgTypeId)
        {
            consumer.onMessage(type, key, tag, buffer, index + HEADER_LENGTH, chunk);
            return;
        }
        if (FIRST == msgTypeId)
        {
            reassembled = 0;
        }
        reassembly.putBytes(reassembled, buffer, index + HEADER_LENGTH, chunk);
        reassembled += chunk;
        if (LAST == msgTypeId)
        {
            consumer.onMessage(type, key, tag, reassembly, 0, reassembled);
        }
    }
}
