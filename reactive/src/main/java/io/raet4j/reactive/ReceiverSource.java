package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentReceiver;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.PresenceHandler;
import io.raet4j.transactions.Stack;
import org.agrona.DirectBuffer;

import java.util.concurrent.Executor;

/**
 * A stack's received messages as a {@link RecordSource}: a {@link ConcurrentReceiver} moves them from the stack into
 * its bounded ring on the duty cycle (and stops when the ring is full, so the receive window closes and the sender is
 * back-pressured); this source, a duty-cycle task added right after the receiver, tells the publisher when the ring
 * took more, and detaches both from the duty cycle when the stream is cancelled or closed, or when the estate it is
 * bound to dies ({@link DutyCycleSource} holds that lifecycle, and the watch for a closed stack).
 * <p>
 * Threading: {@link #attach} and {@link #doWork()} (and the presence handler) on the stack's duty-cycle thread;
 * the rest as {@link DutyCycleSource} says.
 */
final class ReceiverSource extends DutyCycleSource<Message> implements PresenceHandler
{
    private final Stack stack;
    private final ConcurrentReceiver receiver;
    private final long boundEstateId;
    private final MessageHandler onMessage = this::onMessage;
    private volatile EstateDeadException death;

    private ReceiverSource(
        final Stack stack, final ConcurrentReceiver receiver, final long boundEstateId, final Executor executor)
    {
        super(stack, executor);
        this.stack = stack;
        this.receiver = receiver;
        this.boundEstateId = boundEstateId;
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
            failed.endAtOnce(new EstateDeadException(boundEstateId, "estate " + Long.toHexString(boundEstateId) +
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
     * Messages the receiver took from the stack into its ring so far.
     *
     * @return the count.
     */
    long taken()
    {
        return null == receiver ? 0 : receiver.messagesReceived();
    }

    int pollRing(final int limit)
    {
        return null == receiver ? 0 : receiver.poll(onMessage, limit);
    }

    void detach()
    {
        receiver.close();
        if (0 != boundEstateId)
        {
            stack.removePresenceHandler(this);
        }
    }

    Throwable ending()
    {
        return death;
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

    private void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        emit(new Message(estateId, channel, payload));
    }
}
