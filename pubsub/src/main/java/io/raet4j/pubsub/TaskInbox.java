package io.raet4j.pubsub;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A bounded queue of publications for one task to read: give it to {@link PubSub#subscribe(String, PublicationHandler)}
 * (it is a {@link PublicationHandler}) and wait for it with {@link TaskContext#waitFor(TaskInbox)}; a publication that
 * arrives wakes the task waiting for it. Each publication is copied, at its arrival, into a buffer allocated with the
 * inbox, so nothing is allocated per message:
 * <pre>{@code
 * final TaskInbox inbox = new TaskInbox(256, 64 * 1024);
 * pubSub.subscribe("sensors.*.temperature", inbox);
 * pubSub.scheduler().spawn((ctx) ->
 * {
 *     inbox.poll(onTemperature, 16); // onTemperature: a PublicationHandler kept in a field, not a new lambda a step
 *     ctx.waitFor(inbox);            // ready again at once if messages are left
 * });
 * }</pre>
 * Bounds: at most {@code capacityMessages} publications and {@code capacityBytes} bytes of payload (each payload
 * starts 8-byte aligned). A publication that does not fit is dropped and counted ({@link #dropped()}): the inbox never
 * grows and never blocks the duty cycle. Conflating to the last value per topic instead of dropping is a later option.
 * <p>
 * Layout: the payloads lie in one byte ring, each contiguous (one that would cross the end starts again at 0, the
 * tail left unused until the reader passes it); topic, estate, offset and length sit in parallel arrays indexed by
 * sequence. One task at a time may wait for an inbox; anyone on the duty-cycle thread may {@link #offer} to it, so
 * tasks can also send to each other in the process.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class TaskInbox implements PublicationHandler
{
    /** Alignment of each payload in the inbox's buffer. */
    public static final int ALIGNMENT = 8;

    private final int capacityMessages;
    private final int mask;
    private final String[] topics;
    private final long[] estateIds;
    private final int[] offsets;
    private final int[] lengths;
    private final UnsafeBuffer buffer;
    private final int capacityBytes;
    private long head;
    private long tail;
    private int writeOffset;
    private long received;
    private long dropped;
    /** The task waiting for the next message, if any; set and cleared by its scheduler. */
    TaskHandle waiter;

    /**
     * An inbox.
     *
     * @param capacityMessages most publications held, rounded up to a power of two.
     * @param capacityBytes    most payload bytes held, counting each payload rounded up to {@value #ALIGNMENT}; a
     *                         larger payload is always dropped.
     */
    public TaskInbox(final int capacityMessages, final int capacityBytes)
    {
        if (capacityMessages < 1 || capacityMessages > 1 << 30)
        {
            throw new IllegalArgumentException("capacityMessages=" + capacityMessages + ": give 1 to 2^30");
        }
        if (capacityBytes < 0)
        {
            throw new IllegalArgumentException("capacityBytes=" + capacityBytes + ": give 0 or more");
        }
        this.capacityMessages = BitUtil.findNextPositivePowerOfTwo(capacityMessages);
        this.mask = this.capacityMessages - 1;
        this.topics = new String[this.capacityMessages];
        this.estateIds = new long[this.capacityMessages];
        this.offsets = new int[this.capacityMessages];
        this.lengths = new int[this.capacityMessages];
        this.capacityBytes = BitUtil.align(capacityBytes, ALIGNMENT);
        this.buffer = new UnsafeBuffer(new byte[this.capacityBytes]);
    }

    /**
     * Queue a publication, as a subscription does; see {@link #offer}.
     *
     * @param topic    the publication's topic.
     * @param estateId the publishing estate.
     * @param buffer   holding the payload.
     * @param offset   of the payload.
     * @param length   of the payload.
     */
    @Override
    public void onPublication(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        offer(topic, estateId, buffer, offset, length);
    }

    /**
     * Copy a message in and wake the task waiting for it, which is stepped at its scheduler's next cycle (the same
     * cycle when the message came from the stack, since the scheduler runs after the layer's frames).
     *
     * @param topic    the topic, kept by reference.
     * @param estateId the sending estate.
     * @param buffer   holding the payload.
     * @param offset   of the payload.
     * @param length   of the payload.
     * @return true if queued, false if dropped because the inbox is full (counted in {@link #dropped()}).
     */
    public boolean offer(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int at = claim(length);
        if (at < 0)
        {
            dropped++;
            return false;
        }
        final int index = (int)tail & mask;
        this.buffer.putBytes(at, buffer, offset, length);
        topics[index] = topic;
        estateIds[index] = estateId;
        offsets[index] = at;
        lengths[index] = length;
        writeOffset = at + BitUtil.align(length, ALIGNMENT);
        tail++;
        received++;
        final TaskHandle waiter = this.waiter;
        if (null != waiter)
        {
            waiter.scheduler.wake(waiter);
        }
        return true;
    }

    /**
     * Hand queued messages to a handler, oldest first, removing each after its call (even if the handler throws).
     * The buffer handed over is the inbox's: valid during the call only. Not reentrant for the same inbox.
     *
     * @param handler given each message; keep it in a field so polling allocates nothing.
     * @param limit   most messages to hand over.
     * @return the number handed over.
     */
    public int poll(final PublicationHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && head != tail)
        {
            final int index = (int)head & mask;
            try
            {
                handler.onPublication(topics[index], estateIds[index], buffer, offsets[index], lengths[index]);
            }
            finally
            {
                topics[index] = null;
                head++;
                if (head == tail)
                {
                    writeOffset = 0;
                }
            }
            count++;
        }
        return count;
    }

    /**
     * Drop every queued message (not counted as dropped).
     */
    public void clear()
    {
        while (head != tail)
        {
            topics[(int)head++ & mask] = null;
        }
        writeOffset = 0;
    }

    /**
     * Messages queued.
     *
     * @return the number of messages.
     */
    public int size()
    {
        return (int)(tail - head);
    }

    /**
     * Whether no message is queued.
     *
     * @return true if empty.
     */
    public boolean isEmpty()
    {
        return head == tail;
    }

    /**
     * Most messages the inbox holds.
     *
     * @return the capacity in messages, a power of two.
     */
    public int capacityMessages()
    {
        return capacityMessages;
    }

    /**
     * Most payload bytes the inbox holds, counting each payload rounded up to {@value #ALIGNMENT}.
     *
     * @return the capacity in bytes.
     */
    public int capacityBytes()
    {
        return capacityBytes;
    }

    /**
     * Messages queued since the inbox was made.
     *
     * @return the number of messages received.
     */
    public long received()
    {
        return received;
    }

    /**
     * Messages dropped because the inbox was full (or the payload larger than the inbox).
     *
     * @return the number of messages dropped.
     */
    public long dropped()
    {
        return dropped;
    }

    /**
     * Whether a task waits for this inbox now.
     *
     * @return true if a task waits.
     */
    public boolean hasWaiter()
    {
        return null != waiter;
    }

    /**
     * Where in the byte ring a payload of this length goes, or -1 if it does not fit. The live bytes run from the
     * oldest message's offset to {@code writeOffset}, possibly wrapping; a new payload may not end exactly at the
     * oldest message's offset, so that the write offset equals the read offset only while the ring is not wrapped.
     */
    private int claim(final int length)
    {
        final int required = BitUtil.align(length, ALIGNMENT);
        if (tail - head == capacityMessages || required > capacityBytes || length < 0)
        {
            return -1;
        }
        if (head == tail)
        {
            return 0;
        }
        final int readOffset = offsets[(int)head & mask];
        if (writeOffset >= readOffset)
        {
            if (capacityBytes - writeOffset >= required)
            {
                return writeOffset;
            }
            return required < readOffset ? 0 : -1;
        }
        return readOffset - writeOffset > required ? writeOffset : -1;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "TaskInbox{size=" + size() + ", received=" + received + ", dropped=" + dropped + "}";
    }
}
