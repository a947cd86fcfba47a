package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentReceiver;
import io.raet4j.transactions.DutyCycleTask;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.PresenceHandler;
import io.raet4j.transactions.Stack;
import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A stack's received messages as a {@link RecordSource}: a {@link ConcurrentReceiver} moves them from the stack into
 * its bounded ring on the duty cycle (and stops when the ring is full, so the receive window closes and the sender is
 * back-pressured); this source, a duty-cycle task added right after the receiver, tells the publisher when the ring
 * took more, and detaches both from the duty cycle when the stream is cancelled or closed, or when the estate it is
 * bound to dies.
 * <p>
 * The stack has no hook for its own close, so a subscribed source looks every {@link #STACK_CHECK_INTERVAL_MS} for a
 * closed stack, and ends on the second look that finds it closed (so that a duty cycle still running as the stack
 * closed has put its last message in the ring).
 * <p>
 * Threading: {@link #attach} and {@link #doWork()} (and the presence handler) on the stack's duty-cycle thread;
 * {@link #close()}, {@link #cancel()} and {@link #messagesTaken()} from any thread; the rest as {@link RecordSource}
 * says.
 */
final class ReceiverSource implements RecordSource<Message>, DutyCycleTask, PresenceHandler
{
    /** How often a subscribed source looks whether its stack was closed, in milliseconds. */
    static final long STACK_CHECK_INTERVAL_MS = 100;

    private static final int OPEN = 0;
    private static final int CLOSE = 1;
    private static final int CANCEL = 2;

    private final Stack stack;
    private final ConcurrentReceiver receiver;
    private final long boundEstateId;
    private final Executor stackChecks;
    private final MessageHandler onMessage = this::onMessage;
    private final Runnable stackCheck = this::checkStack;
    private final AtomicInteger stop = new AtomicInteger(OPEN);
    private final AtomicBoolean isEndedOnce = new AtomicBoolean();
    private volatile SourceListener listener = SourceListener.NONE;
    private volatile EstateDeadException death;
    private volatile Throwable error;
    private volatile boolean isEnded;
    private boolean isDetached;
    private long lastReceived;
    private boolean isStackClosedSeen;
    private long handedOver;
    private int handed;
    private Consumer<? super Message> sink;

    private ReceiverSource(
        final Stack stack, final ConcurrentReceiver receiver, final long boundEstateId, final Executor executor)
    {
        this.stack = stack;
        this.receiver = receiver;
        this.boundEstateId = boundEstateId;
        this.stackChecks = CompletableFuture.delayedExecutor(STACK_CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS, executor);
    }

    /**
     * Attach a receiver for the channels and this source after it, on the duty-cycle thread (or before the stack
     * runs). A source bound to an estate that is not joined attaches nothing and is ended already, with an
     * {@link EstateDeadException}.
     *
     * @param stack         to receive from.
     * @param channels      to take messages of, or null for every channel the application's polls take.
     * @param capacity      of the receiver's ring, bytes.
     * @param boundEstateId the estate whose death ends the stream with an error, or 0 for none.
     * @param executor      the stack checks run on.
     * @return the source.
     */
    static ReceiverSource attach(
        final Stack stack,
        final ChannelSet channels,
        final int capacity,
        final long boundEstateId,
        final Executor executor)
    {
        if (0 != boundEstateId && !stack.isJoined(boundEstateId))
        {
            final ReceiverSource failed = new ReceiverSource(stack, null, boundEstateId, executor);
            failed.isDetached = true;
            failed.end(new EstateDeadException(boundEstateId, "estate " + Long.toHexString(boundEstateId) +
                " is not joined to stack '" + stack.name() + "' (never joined, dead or reaped): attach a publisher " +
                "bound to it once it has joined (presence JOINED or ALIVE)"));
            return failed;
        }
        final ConcurrentReceiver receiver = ConcurrentReceiver.attach(stack, capacity, channels);
        final ReceiverSource source = new ReceiverSource(stack, receiver, boundEstateId, executor);
        stack.addDutyCycleTask(source);
        if (0 != boundEstateId)
        {
            stack.addPresenceHandler(source);
        }
        return source;
    }

    /**
     * Stop taking messages in: the stream completes once those in the ring are handed over. Any thread; the receiver
     * is detached at the start of the next duty cycle.
     */
    void close()
    {
        stop.compareAndSet(OPEN, CLOSE);
    }

    /**
     * Whether {@link #close()} or {@link #cancel()} was called, or the source ended otherwise.
     *
     * @return true once it takes no more messages in, or will not from the next duty cycle.
     */
    boolean isClosed()
    {
        return OPEN != stop.get() || isEnded;
    }

    /**
     * Messages the receiver took from the stack into its ring so far.
     *
     * @return the count.
     */
    long messagesTaken()
    {
        return null == receiver ? 0 : receiver.messagesReceived();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void start(final SourceListener listener)
    {
        this.listener = listener;
        if (!isEnded)
        {
            checkLater();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int poll(final Consumer<? super Message> sink, final int limit)
    {
        if (null == receiver)
        {
            return 0;
        }
        this.sink = sink;
        handed = 0;
        try
        {
            // A ring record holds at most one message (a long one takes several), so a read of (limit - handed)
            // records hands over no more than that many messages.
            int records;
            do
            {
                records = receiver.poll(onMessage, limit - handed);
            }
            while (records > 0 && handed < limit);
        }
        finally
        {
            this.sink = null;
        }
        return handed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isEmpty()
    {
        return null == receiver || handedOver >= receiver.messagesReceived();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isEnded()
    {
        return isEnded;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Throwable error()
    {
        return error;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void cancel()
    {
        stop.set(CANCEL);
    }

    /**
     * Tell the publisher of messages the receiver took this cycle; detach when the stream is stopped.
     *
     * @return 1 if it detached, else 0: the receiver counts the messages moved.
     */
    public int doWork()
    {
        if (isDetached)
        {
            return 0;
        }
        if (OPEN != stop.get() || null != death)
        {
            detach();
            return 1;
        }
        final long received = receiver.messagesReceived();
        if (received != lastReceived)
        {
            lastReceived = received;
            listener.onAvailable();
        }
        return 0;
    }

    /**
     * The estate this source is bound to died: the stream ends with an error once what it sent is handed over.
     *
     * @param estateId of the estate.
     * @param name     of the estate.
     * @param event    what happened.
     */
    public void onPresence(final long estateId, final String name, final PresenceEvent event)
    {
        if (estateId == boundEstateId && PresenceEvent.DEAD == event && null == death)
        {
            death = new EstateDeadException(estateId, "estate '" + name + "' died (its session ended: it left, was " +
                "silent for the session timeout, or a message to it timed out): what it sent before was handed " +
                "over; attach a new publisher once it joins again (presence ALIVE)");
        }
    }

    private void detach()
    {
        isDetached = true;
        receiver.close();
        stack.removeDutyCycleTask(this);
        if (0 != boundEstateId)
        {
            stack.removePresenceHandler(this);
        }
        end(death);
    }

    private void end(final Throwable error)
    {
        if (isEndedOnce.compareAndSet(false, true))
        {
            this.error = error;
            isEnded = true;
            listener.onEnded();
        }
    }

    private void checkStack()
    {
        if (CANCEL == stop.get() || isEnded)
        {
            return;
        }
        if (stack.isClosed())
        {
            if (isStackClosedSeen)
            {
                end(null);
                return;
            }
            isStackClosedSeen = true;
        }
        checkLater();
    }

    private void checkLater()
    {
        try
        {
            stackChecks.execute(stackCheck);
        }
        catch (final RejectedExecutionException ignore)
        {
            // The executor was shut down: the stream then ends by close, cancel or the bound estate's death only.
        }
    }

    private void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        handedOver++;
        handed++;
        sink.accept(new Message(estateId, channel, payload));
    }
}
