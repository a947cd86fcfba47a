package io.raet4j.transactions.event;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.JoinHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.PresenceHandler;
import org.agrona.ErrorHandler;

import java.util.Arrays;

/**
 * What the stack tells the application, held until a safe point: presence events, message outcomes and join failures
 * are queued where the state change that causes them happens, and handed to the handlers after the duty cycle has
 * finished its work ({@link #drain()}), when no transaction is half done. So a handler may call {@code offer},
 * {@code poll}, {@code join} or {@code close}: what it does is applied to settled state, and what that causes is queued
 * behind it, never delivered inside it.
 * <p>
 * The queue is preallocated and grows by doubling when a cycle ends more events than it holds (an ack that confirms
 * thousands of messages), so in steady state it allocates nothing. Handlers are held in arrays replaced on add and
 * remove (copy on write), so adding or removing one from inside a handler is safe; a handler added during a drain sees
 * the events queued after it was added.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Events
{
    private static final int INITIAL_CAPACITY = 1024;
    private static final byte PRESENCE = 1;
    private static final byte DELIVERED = 2;
    private static final byte FAILED = 3;
    private static final byte UNCERTAIN = 4;
    private static final byte JOIN_FAILED = 5;
    private static final byte JOIN_REFUSED = 6;
    private static final FailureReason[] REASONS = FailureReason.values();
    private static final PresenceEvent[] PRESENCE_EVENTS = PresenceEvent.values();

    private static final DeliveryHandler[] NO_DELIVERY_HANDLERS = new DeliveryHandler[0];
    private static final PresenceHandler[] NO_PRESENCE_HANDLERS = new PresenceHandler[0];
    private static final JoinHandler[] NO_JOIN_HANDLERS = new JoinHandler[0];

    private final ErrorHandler errorHandler;
    private byte[] kinds = new byte[INITIAL_CAPACITY];
    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] messageIds = new long[INITIAL_CAPACITY];
    private int[] channels = new int[INITIAL_CAPACITY];
    private int[] codes = new int[INITIAL_CAPACITY];
    private Object[] refs = new Object[INITIAL_CAPACITY];
    private int head;
    private int tail;
    private boolean isDraining;

    private DeliveryHandler[] deliveryHandlers = NO_DELIVERY_HANDLERS;
    private PresenceHandler[] presenceHandlers = NO_PRESENCE_HANDLERS;
    private JoinHandler[] joinHandlers = NO_JOIN_HANDLERS;

    /**
     * An empty queue.
     *
     * @param errorHandler told of anything a handler throws; the other handlers and events go on.
     */
    public Events(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
    }

    /**
     * Add a delivery handler; adding one twice has no effect.
     *
     * @param handler to add.
     */
    public void add(final DeliveryHandler handler)
    {
        deliveryHandlers = added(deliveryHandlers, handler);
    }

    /**
     * Remove a delivery handler.
     *
     * @param handler to remove.
     * @return true if it was there.
     */
    public boolean remove(final DeliveryHandler handler)
    {
        final DeliveryHandler[] before = deliveryHandlers;
        deliveryHandlers = removed(before, handler);
        return before != deliveryHandlers;
    }

    /**
     * Add a presence handler; adding one twice has no effect.
     *
     * @param handler to add.
     */
    public void add(final PresenceHandler handler)
    {
        presenceHandlers = added(presenceHandlers, handler);
    }

    /**
     * Remove a presence handler.
     *
     * @param handler to remove.
     * @return true if it was there.
     */
    public boolean remove(final PresenceHandler handler)
    {
        final PresenceHandler[] before = presenceHandlers;
        presenceHandlers = removed(before, handler);
        return before != presenceHandlers;
    }

    /**
     * Add a join handler; adding one twice has no effect.
     *
     * @param handler to add.
     */
    public void add(final JoinHandler handler)
    {
        joinHandlers = added(joinHandlers, handler);
    }

    /**
     * Remove a join handler.
     *
     * @param handler to remove.
     * @return true if it was there.
     */
    public boolean remove(final JoinHandler handler)
    {
        final JoinHandler[] before = joinHandlers;
        joinHandlers = removed(before, handler);
        return before != joinHandlers;
    }

    /**
     * Whether anyone listens to outcomes: when nobody does, they are not queued at all.
     *
     * @return true if a delivery handler is added.
     */
    public boolean hasDeliveryHandlers()
    {
        return deliveryHandlers.length > 0;
    }

    /**
     * Queue a presence event.
     *
     * @param estateId of the estate, or a join's correlation id for {@link PresenceEvent#JOIN_FAILED}.
     * @param name     of the estate, or the address joined.
     * @param event    what happened.
     */
    public void presence(final long estateId, final String name, final PresenceEvent event)
    {
        if (presenceHandlers.length > 0)
        {
            final int index = claim(PRESENCE);
            ids[index] = estateId;
            refs[index] = name;
            codes[index] = event.ordinal();
        }
    }

    /**
     * Queue a delivered outcome.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     */
    public void delivered(final long estateId, final int channel, final long messageId)
    {
        if (deliveryHandlers.length > 0)
        {
            outcome(DELIVERED, estateId, channel, messageId, 0);
        }
    }

    /**
     * Queue a failed outcome.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     * @param reason    ordinal of the {@link FailureReason}.
     */
    public void failed(final long estateId, final int channel, final long messageId, final int reason)
    {
        if (deliveryHandlers.length > 0)
        {
            outcome(FAILED, estateId, channel, messageId, reason);
        }
    }

    /**
     * Queue an uncertain outcome.
     *
     * @param estateId  of the receiver.
     * @param channel   of the message.
     * @param messageId of the message.
     * @param reason    ordinal of the {@link FailureReason}.
     */
    public void uncertain(final long estateId, final int channel, final long messageId, final int reason)
    {
        if (deliveryHandlers.length > 0)
        {
            outcome(UNCERTAIN, estateId, channel, messageId, reason);
        }
    }

    /**
     * Queue the failure of a join this stack started.
     *
     * @param correlationId of the join.
     * @param failure       why.
     */
    public void joinFailed(final long correlationId, final JoinFailure failure)
    {
        if (joinHandlers.length > 0)
        {
            final int index = claim(JOIN_FAILED);
            ids[index] = correlationId;
            refs[index] = failure;
        }
    }

    /**
     * Queue a join this stack refused.
     *
     * @param refusal why.
     */
    public void joinRefused(final JoinFailure refusal)
    {
        if (joinHandlers.length > 0)
        {
            refs[claim(JOIN_REFUSED)] = refusal;
        }
    }

    /**
     * Whether events wait to be handed over.
     *
     * @return true if the queue is not empty.
     */
    public boolean isPending()
    {
        return head != tail;
    }

    /**
     * Hand every queued event to the handlers, in the order queued, including those queued by the handlers meanwhile.
     * A drain called from inside a handler returns at once: the drain already running delivers what it queued.
     *
     * @return the number of events handed over.
     */
    public int drain()
    {
        if (isDraining || head == tail)
        {
            return 0;
        }
        isDraining = true;
        int count = 0;
        try
        {
            while (head != tail)
            {
                final int index = head & (kinds.length - 1);
                final byte kind = kinds[index];
                final long id = ids[index];
                final Object ref = refs[index];
                final int code = codes[index];
                final int channel = channels[index];
                final long messageId = messageIds[index];
                refs[index] = null;
                head++;
                dispatch(kind, id, channel, messageId, code, ref);
                count++;
            }
        }
        finally
        {
            isDraining = false;
        }
        if (head == tail)
        {
            head = 0;
            tail = 0;
        }
        return count;
    }

    private void dispatch(
        final byte kind, final long id, final int channel, final long messageId, final int code, final Object ref)
    {
        switch (kind)
        {
            case PRESENCE:
                for (final PresenceHandler handler : presenceHandlers)
                {
                    try
                    {
                        handler.onPresence(id, (String)ref, PRESENCE_EVENTS[code]);
                    }
                    catch (final Throwable ex)
                    {
                        errorHandler.onError(ex);
                    }
                }
                break;
            case DELIVERED:
            case FAILED:
            case UNCERTAIN:
                for (final DeliveryHandler handler : deliveryHandlers)
                {
                    try
                    {
                        if (DELIVERED == kind)
                        {
                            handler.onDelivered(id, channel, messageId);
                        }
                        else if (FAILED == kind)
                        {
                            handler.onFailed(id, channel, messageId, REASONS[code]);
                        }
                        else
                        {
                            handler.onUncertain(id, channel, messageId, REASONS[code]);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        errorHandler.onError(ex);
                    }
                }
                break;
            default:
                for (final JoinHandler handler : joinHandlers)
                {
                    try
                    {
                        if (JOIN_FAILED == kind)
                        {
                            handler.onJoinFailed(id, (JoinFailure)ref);
                        }
                        else
                        {
                            handler.onJoinRefused((JoinFailure)ref);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        errorHandler.onError(ex);
                    }
                }
                break;
        }
    }

    private void outcome(
        final byte kind, final long estateId, final int channel, final long messageId, final int reason)
    {
        final int index = claim(kind);
        ids[index] = estateId;
        channels[index] = channel;
        messageIds[index] = messageId;
        codes[index] = reason;
    }

    private int claim(final byte kind)
    {
        if (tail - head == kinds.length)
        {
            grow();
        }
        final int index = tail & (kinds.length - 1);
        tail++;
        kinds[index] = kind;
        return index;
    }

    /**
     * Double the queue, keeping the order: rare (an ack confirming more messages than the queue holds), and the
     * larger queue is kept.
     */
    private void grow()
    {
        final int size = tail - head;
        final int capacity = kinds.length * 2;
        final byte[] newKinds = new byte[capacity];
        final long[] newIds = new long[capacity];
        final long[] newMessageIds = new long[capacity];
        final int[] newChannels = new int[capacity];
        final int[] newCodes = new int[capacity];
        final Object[] newRefs = new Object[capacity];
        for (int i = 0; i < size; i++)
        {
            final int from = (head + i) & (kinds.length - 1);
            newKinds[i] = kinds[from];
            newIds[i] = ids[from];
            newMessageIds[i] = messageIds[from];
            newChannels[i] = channels[from];
            newCodes[i] = codes[from];
            newRefs[i] = refs[from];
        }
        kinds = newKinds;
        ids = newIds;
        messageIds = newMessageIds;
        channels = newChannels;
        codes = newCodes;
        refs = newRefs;
        head = 0;
        tail = size;
    }

    private static <T> T[] added(final T[] handlers, final T handler)
    {
        for (final T existing : handlers)
        {
            if (existing == handler)
            {
                return handlers;
            }
        }
        final T[] grown = Arrays.copyOf(handlers, handlers.length + 1);
        grown[handlers.length] = handler;
        return grown;
    }

    private static <T> T[] removed(final T[] handlers, final T handler)
    {
        for (int i = 0; i < handlers.length; i++)
        {
            if (handlers[i] == handler)
            {
                final T[] shrunk = Arrays.copyOf(handlers, handlers.length - 1);
                System.arraycopy(handlers, i + 1, shrunk, i, handlers.length - 1 - i);
                return shrunk;
            }
        }
        return handlers;
    }
}
