package io.raet4j.transactions;

import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A way into a stack from any thread: offers to an estate and channel go into a many-to-one ring buffer (Agrona's
 * {@link ManyToOneRingBuffer}) that the stack's duty cycle drains into {@link Stack#offer}, in the order they were
 * written (so in each offering thread's order); control calls go onto the duty cycle with {@link #execute}.
 * <p>
 * {@link #offer} copies the message into the ring and returns at once: {@link #OFFERED}, or a status. It allocates
 * nothing and never blocks; a full ring is back-pressure ({@link Stack#BACK_PRESSURED}): the duty cycle stops
 * draining while the stack refuses the message at the head of the ring (its channel is full), so a slow receiver
 * slows the offering threads down instead of a queue growing. The outcome of each message the stack takes comes as
 * usual to the stack's {@link DeliveryHandler}s, on the duty-cycle thread; a message the stack refuses when it is
 * drained (the estate is not connected, the channel is reserved, the message is larger than the estate takes) goes
 * to the {@link UnsentHandler} and is counted ({@link #unsent()}), so every message offered has exactly one outcome.
 * {@link #offerTracked} returns a {@link CompletableFuture} of the outcome instead: it allocates, off the
 * zero-allocation path (on a best-effort channel, which has no outcomes, it completes UNCERTAIN once the stack took
 * the message).
 * <p>
 * One ring serves every estate and channel: a message the stack refuses for a full channel holds back the messages
 * behind it, whatever their estate (head of line), until that channel has room.
 * <p>
 * Thread safety: {@link #offer}, {@link #offerTracked}, {@link #execute}, {@link #unsent()} and {@link #isClosed()}
 * from any thread; {@link #attach} and {@link #close()} on the stack's duty-cycle thread (or before it runs).
 */
public final class ConcurrentSender implements DutyCycleTask, AutoCloseable
{
    /** {@link #offer} took the message into the ring. */
    public static final long OFFERED = 0;
    /** Bytes of each ring record before the message: estate id, channel, tracking key. */
    public static final int RECORD_HEADER_LENGTH = 24;
    /** Default ring capacity, 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1024 * 1024;
    /** Most ring records drained per duty cycle. */
    public static final int DRAIN_LIMIT = 256;
    /** Most tasks run per duty cycle. */
    public static final int TASK_LIMIT = 64;

    private static final int MESSAGE = 1;
    private static final int TRACKED = 2;
    private static final int ESTATE_OFFSET = 0;
    private static final int CHANNEL_OFFSET = 8;
    private static final int KEY_OFFSET = 16;

    /**
     * Told on the duty-cycle thread of each message the stack refused when the ring was drained.
     */
    @FunctionalInterface
    public interface UnsentHandler
    {
        /**
         * A message was not sent.
         *
         * @param estateId of the receiver.
         * @param channel  it was offered on.
         * @param refusal  the stack's status: {@link Stack#NOT_CONNECTED}, {@link Stack#MESSAGE_TOO_LARGE},
         *                 {@link Stack#CHANNEL_RESERVED}, {@link Stack#CLOSED}, ...
         */
        void onUnsent(long estateId, int channel, long refusal);
    }

    private final Stack stack;
    private final RingBuffer ring;
    private final int maxLength;
    private final TaskQueue tasks = new TaskQueue();
    private final AtomicLong unsent = new AtomicLong();
    /** Writers between their closed check and their commit: close waits for them, so none strands a record. */
    private final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong nextKey = new AtomicLong(1);
    private final ConcurrentHashMap<Long, CompletableFuture<MessageOutcome>> submitted = new ConcurrentHashMap<>();
    private final Long2ObjectHashMap<Long2ObjectHashMap<CompletableFuture<MessageOutcome>>> awaiting =
        new Long2ObjectHashMap<>();
    private final Executor completions;
    private final Outcomes outcomes = new Outcomes();
    private final org.agrona.concurrent.ControlledMessageHandler drainHandler = this::onRecord;
    private UnsentHandler unsentHandler = (estateId, channel, refusal) -> {};
    private int awaitingCount;
    private volatile boolean isClosed;

    private ConcurrentSender(final Stack stack, final int capacity, final Executor completions)
    {
        this.stack = stack;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.maxLength = Math.min(ring.maxMsgLength() - RECORD_HEADER_LENGTH, stack.context().maxMessageBytes());
        this.completions = completions;
    }

    /**
     * Attach a sender with a ring of {@link #DEFAULT_CAPACITY} to a stack, whose duty cycle drains it from now on;
     * tracked outcomes complete on {@link ForkJoinPool#commonPool()}.
     *
     * @param stack to send through.
     * @return the sender.
     */
    public static ConcurrentSender attach(final Stack stack)
    {
        return attach(stack, DEFAULT_CAPACITY, ForkJoinPool.commonPool());
    }

    /**
     * Attach a sender to a stack, whose duty cycle drains it from now on. On the stack's duty-cycle thread, or
     * before it runs.
     *
     * @param stack       to send through.
     * @param capacity    of the ring in bytes, a power of two of at least 4 KiB: a message may take up to an eighth
     *                    of it ({@link #maxMessageLength()}).
     * @param completions where {@link #offerTracked}'s futures complete, so that what callers chain on them does not
     *                    run on the duty-cycle thread; {@code Runnable::run} completes them there (keep it short).
     * @return the sender.
     * @throws IllegalArgumentException if the capacity is not a power of two of at least 4 KiB.
     */
    public static ConcurrentSender attach(final Stack stack, final int capacity, final Executor completions)
    {
        if (capacity < 4096 || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least 4096 bytes, was " +
                capacity + ": the largest message is an eighth of it");
        }
        if (null == completions)
        {
            throw new NullPointerException("completions is null: give an executor, or Runnable::run");
        }
        final ConcurrentSender sender = new ConcurrentSender(stack, capacity, completions);
        stack.addDeliveryHandler(sender.outcomes);
        stack.addDutyCycleTask(sender);
        return sender;
    }

    /**
     * Set the handler of messages the stack refused when the ring was drained. Same thread as {@link #attach}.
     *
     * @param handler called on the duty-cycle thread.
     * @return this for a fluent API.
     */
    public ConcurrentSender unsentHandler(final UnsentHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler is null");
        }
        this.unsentHandler = handler;
        return this;
    }

    /**
     * The largest message {@link #offer} takes: an eighth of the ring less the record header, and no more than the
     * stack's largest message.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxLength;
    }

    /**
     * Offer a message from any thread: it is copied into the ring, and the duty cycle offers it to the stack. Never
     * blocks, allocates nothing.
     *
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @param buffer   holding the message.
     * @param offset   of the message.
     * @param length   of the message, at most {@link #maxMessageLength()}.
     * @return {@link #OFFERED}, or {@link Stack#BACK_PRESSURED} (the ring is full: try again later),
     *         {@link Stack#MESSAGE_TOO_LARGE}, {@link Stack#INVALID_CHANNEL}, {@link Stack#CLOSED}.
     */
    public long offer(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        writers.getAndIncrement();
        try
        {
            final long refusal = refusal(channel, length);
            if (0 != refusal)
            {
                return refusal;
            }
            return write(MESSAGE, estateId, channel, 0, buffer, offset, length) ? OFFERED : Stack.BACK_PRESSURED;
        }
        finally
        {
            writers.getAndDecrement();
        }
    }

    /**
     * Offer a message from any thread and get its outcome as a future. Allocates (the future and its bookkeeping):
     * for callers who want each outcome, off the zero-allocation path. The future completes once, on the executor
     * given at {@link #attach}: {@link MessageOutcome.Status#NOT_SENT} at once if the ring is full
     * ({@link Stack#BACK_PRESSURED}) or the call is refused, else when the stack reports the message's outcome.
     *
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @param buffer   holding the message.
     * @param offset   of the message.
     * @param length   of the message, at most {@link #maxMessageLength()}.
     * @return the future outcome.
     */
    public CompletableFuture<MessageOutcome> offerTracked(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        final CompletableFuture<MessageOutcome> future = new CompletableFuture<>();
        writers.getAndIncrement();
        try
        {
            final long refusal = refusal(channel, length);
            if (0 != refusal)
            {
                future.complete(notSent(estateId, channel, refusal));
                return future;
            }
            final long key = nextKey.getAndIncrement();
            submitted.put(key, future);
            if (!write(TRACKED, estateId, channel, key, buffer, offset, length))
            {
                submitted.remove(key);
                future.complete(notSent(estateId, channel, Stack.BACK_PRESSURED));
            }
            return future;
        }
        finally
        {
            writers.getAndDecrement();
        }
    }

    /**
     * Run a task on the duty-cycle thread, at a safe point of a later cycle (it may call the stack's API). Tasks run
     * in the order given; they are not ordered with the messages of {@link #offer}.
     *
     * @param task to run.
     * @return true if queued, false if the queue is full (1,024 tasks) or the sender closed.
     */
    public boolean execute(final Runnable task)
    {
        writers.getAndIncrement();
        try
        {
            return !isClosed && tasks.offer(task);
        }
        finally
        {
            writers.getAndDecrement();
        }
    }

    /**
     * Messages drained from the ring that the stack refused (and {@link #close} found still in the ring).
     *
     * @return the count so far.
     */
    public long unsent()
    {
        return unsent.get();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed: offers return {@link Stack#CLOSED}.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Drain the ring into the stack and run queued tasks. Called by the stack's duty cycle.
     *
     * @return the records and tasks handled.
     */
    @Override
    public int doWork()
    {
        return ring.controlledRead(drainHandler, DRAIN_LIMIT) + tasks.run(TASK_LIMIT);
    }

    /**
     * Stop: offers return {@link Stack#CLOSED} from now on; messages still in the ring are not sent (counted unsent,
     * their futures completed NOT_SENT with {@link Stack#CLOSED}); tasks accepted before the close still run, at once.
     * Outcomes of messages the stack took still come to the stack's handlers and to their futures. On the duty-cycle
     * thread.
     */
    @Override
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        stack.removeDutyCycleTask(this);
        refuseWhatIsLeft();
    }

    /**
     * The stack closed with this sender attached: what is still in the ring is not sent, as {@link #close()} says.
     */
    @Override
    public void onClose()
    {
        if (!isClosed)
        {
            isClosed = true;
            refuseWhatIsLeft();
        }
    }

    private void refuseWhatIsLeft()
    {
        // A writer that saw the sender open finishes its write first; none starts after the flag.
        while (writers.get() > 0)
        {
            Thread.onSpinWait();
        }
        final org.agrona.concurrent.MessageHandler refuse =
            (msgTypeId, buffer, index, length) -> refuse(msgTypeId, buffer, index, Stack.CLOSED);
        while (ring.read(refuse, Integer.MAX_VALUE) > 0)
        {
            Thread.onSpinWait();
        }
        // Tasks accepted before the close still run, once (a request among them then ends, refused).
        while (tasks.run(TaskQueue.CAPACITY) > 0)
        {
            Thread.onSpinWait();
        }
    }

    private long refusal(final int channel, final int length)
    {
        if (isClosed)
        {
            return Stack.CLOSED;
        }
        if (channel < 0 || channel >= StackContext.CHANNEL_COUNT)
        {
            return Stack.INVALID_CHANNEL;
        }
        if (length < 0 || length > maxLength)
        {
            return Stack.MESSAGE_TOO_LARGE;
        }
        return 0;
    }

    private boolean write(
        final int type,
        final long estateId,
        final int channel,
        final long key,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int index = ring.tryClaim(type, RECORD_HEADER_LENGTH + length);
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer ringBuffer = ring.buffer();
        ringBuffer.putLong(index + ESTATE_OFFSET, estateId);
        ringBuffer.putInt(index + CHANNEL_OFFSET, channel);
        ringBuffer.putLong(index + KEY_OFFSET, key);
        if (length > 0)
        {
            ringBuffer.putBytes(index + RECORD_HEADER_LENGTH, buffer, offset, length);
        }
        ring.commit(index);
        return true;
    }

    private org.agrona.concurrent.ControlledMessageHandler.Action onRecord(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long estateId = buffer.getLong(index + ESTATE_OFFSET);
        final int channel = buffer.getInt(index + CHANNEL_OFFSET);
        final long result = stack.offer(
            estateId, channel, buffer, index + RECORD_HEADER_LENGTH, length - RECORD_HEADER_LENGTH);
        if (Stack.BACK_PRESSURED == result)
        {
            return org.agrona.concurrent.ControlledMessageHandler.Action.ABORT;
        }
        if (result < 0)
        {
            refuse(msgTypeId, buffer, index, result);
        }
        else if (TRACKED == msgTypeId)
        {
            final CompletableFuture<MessageOutcome> future = submitted.remove(buffer.getLong(index + KEY_OFFSET));
            if (null != future)
            {
                if (DeliveryMode.BEST_EFFORT == stack.context().channelMode(channel))
                {
                    // Best effort has no outcome: the stack sent it, nobody will say whether it arrived.
                    complete(future, new MessageOutcome(
                        MessageOutcome.Status.UNCERTAIN, estateId, channel, result, null, 0));
                }
                else
                {
                    await(estateId, channel, result, future);
                }
            }
        }
        return org.agrona.concurrent.ControlledMessageHandler.Action.CONTINUE;
    }

    private void refuse(final int msgTypeId, final DirectBuffer buffer, final int index, final long refusal)
    {
        final long estateId = buffer.getLong(index + ESTATE_OFFSET);
        final int channel = buffer.getInt(index + CHANNEL_OFFSET);
        unsent.incrementAndGet();
        if (TRACKED == msgTypeId)
        {
            final CompletableFuture<MessageOutcome> future = submitted.remove(buffer.getLong(index + KEY_OFFSET));
            if (null != future)
            {
                complete(future, notSent(estateId, channel, refusal));
            }
        }
        unsentHandler.onUnsent(estateId, channel, refusal);
    }

    private void await(
        final long estateId, final int channel, final long messageId, final CompletableFuture<MessageOutcome> future)
    {
        Long2ObjectHashMap<CompletableFuture<MessageOutcome>> byMessage = awaiting.get(estateId);
        if (null == byMessage)
        {
            byMessage = new Long2ObjectHashMap<>();
            awaiting.put(estateId, byMessage);
        }
        byMessage.put(messageKey(channel, messageId), future);
        awaitingCount++;
    }

    private void onOutcome(
        final MessageOutcome.Status status,
        final long estateId,
        final int channel,
        final long messageId,
        final FailureReason reason)
    {
        if (0 == awaitingCount)
        {
            return;
        }
        final Long2ObjectHashMap<CompletableFuture<MessageOutcome>> byMessage = awaiting.get(estateId);
        if (null == byMessage)
        {
            return;
        }
        final CompletableFuture<MessageOutcome> future = byMessage.remove(messageKey(channel, messageId));
        if (null != future)
        {
            awaitingCount--;
            if (byMessage.isEmpty())
            {
                awaiting.remove(estateId);
            }
            complete(future, new MessageOutcome(status, estateId, channel, messageId, reason, 0));
        }
    }

    private void complete(final CompletableFuture<MessageOutcome> future, final MessageOutcome outcome)
    {
        completions.execute(() -> future.complete(outcome));
    }

    private static MessageOutcome notSent(final long estateId, final int channel, final long refusal)
    {
        return new MessageOutcome(MessageOutcome.Status.NOT_SENT, estateId, channel, -1, null, refusal);
    }

    private static long messageKey(final int channel, final long messageId)
    {
        return (messageId << 8) | channel;
    }

    /**
     * The stack's outcomes, for the tracked messages among them.
     */
    private final class Outcomes implements DeliveryHandler
    {
        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            onOutcome(MessageOutcome.Status.DELIVERED, estateId, channel, messageId, null);
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            onOutcome(MessageOutcome.Status.FAILED, estateId, channel, messageId, reason);
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            onOutcome(MessageOutcome.Status.UNCERTAIN, estateId, channel, messageId, reason);
        }
    }
}
