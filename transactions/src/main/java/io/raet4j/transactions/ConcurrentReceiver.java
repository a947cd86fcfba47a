package io.raet4j.transactions;

import org.agrona.DirectBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands a stack's received messages to another thread: the duty cycle polls the stack (for the channels given) into
 * a bounded {@link HandoffRing}, and one consumer thread at a time drains it with {@link #poll} at its own pace,
 * without touching the stack.
 * <p>
 * When the ring is full the duty cycle leaves the next message in the stack
 * ({@link ControlledMessageHandler.Action#ABORT}): it is not taken, the channel's receive window fills, and the
 * sender's offers come back {@link Stack#BACK_PRESSURED}. A consumer that falls behind slows the sender down; nothing
 * is dropped and nothing grows without bound. A message is "delivered" (the sender's outcome) once it is in the
 * ring: what the consumer does with it after that is the application's.
 * <p>
 * The ring must take the stack's largest message ({@link StackContext#maxMessageBytes()}, 16 MiB by default, which
 * makes a ring of 32 MiB of direct memory: lower it for a smaller ring). Messages longer than a ring record travel as
 * fragments, written all or none and reassembled for the consumer.
 * <p>
 * Thread safety: {@link #attach} and {@link #close()} on the stack's duty-cycle thread (or before it runs);
 * {@link #poll} from one consumer thread at a time; {@link #messagesReceived()} and {@link #isClosed()} from any.
 */
public final class ConcurrentReceiver implements DutyCycleTask, AutoCloseable
{
    /** Most messages moved from the stack into the ring per duty cycle. */
    public static final int INTAKE_LIMIT = 256;

    private static final int MESSAGE = 1;

    private final Stack stack;
    private final ChannelSet channels;
    private final HandoffRing ring;
    private final AtomicLong messagesReceived = new AtomicLong();
    private final ControlledMessageHandler intake = this::onStackMessage;
    private final HandoffRing.Handler drain = this::onRingMessage;
    private MessageHandler consumer;
    private volatile boolean isClosed;

    private ConcurrentReceiver(final Stack stack, final HandoffRing ring, final ChannelSet channels)
    {
        this.stack = stack;
        this.channels = channels;
        this.ring = ring;
    }

    /**
     * Attach a receiver of every channel the application polls, with the smallest ring that takes the stack's
     * largest message.
     *
     * @param stack to receive from.
     * @return the receiver.
     */
    public static ConcurrentReceiver attach(final Stack stack)
    {
        return attach(stack, HandoffRing.capacityFor(stack.context().maxMessageBytes()), null);
    }

    /**
     * Attach a receiver to a stack, whose duty cycle fills it from now on. On the stack's duty-cycle thread, or
     * before it runs. Messages of the channels given go to this receiver only: do not also poll them.
     *
     * @param stack    to receive from.
     * @param capacity of the ring in bytes, a power of two, at least {@link HandoffRing#MIN_CAPACITY}, and at least
     *                 {@link HandoffRing#capacityFor}{@code (maxMessageBytes)} of the stack.
     * @param channels to take messages of, or null for every channel the application's polls take.
     * @return the receiver.
     * @throws IllegalArgumentException if the capacity does not fit these rules: the message says what would.
     */
    public static ConcurrentReceiver attach(final Stack stack, final int capacity, final ChannelSet channels)
    {
        final HandoffRing ring = new HandoffRing(capacity);
        final int maxMessage = stack.context().maxMessageBytes();
        if (ring.maxMessageLength() < maxMessage)
        {
            throw new IllegalArgumentException("a ring of " + capacity + " bytes takes messages up to " +
                ring.maxMessageLength() + " bytes, but the stack's maxMessageBytes is " + maxMessage + ": give it " +
                HandoffRing.capacityFor(maxMessage) + " bytes or lower StackContext.maxMessageBytes");
        }
        final ConcurrentReceiver receiver = new ConcurrentReceiver(stack, ring, channels);
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
    public int poll(final MessageHandler handler, final int limit)
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
        if (!ring.tryWrite(MESSAGE, estateId, channel, buffer, offset, length))
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        messagesReceived.incrementAndGet();
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void onRingMessage(
        final int type, final long estateId, final int channel, final DirectBuffer buffer, final int offset,
        final int length)
    {
        consumer.onMessage(estateId, channel, buffer, offset, length);
    }
}
