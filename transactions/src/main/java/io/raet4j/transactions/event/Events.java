package io.raet4j.transactions.event;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.JoinHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.PresenceHandler;
import io.raet4j.transactions.StackContext;
import org.agrona.ErrorHandler;

import java.util.Arrays;

/**
 * What the stack tells the application, held until a safe point: presence events, message outcomes and join failures
 * are queued where the state change that causes them happens, and handed to the handlers after the duty cycle has
 * finished its work ({@link #drain()}), when no transaction is half done. So a handler may call {@code offer},
 * {@code poll}, {@code join} or {@code close}: what it does is applied to settled state, and what that causes is queued
 * behind it, never delivered inside it.
 * <p>
 * The queue is preallocated, three longs per event, and grows by doubling when a cycle queues more events than it
 * holds, so in steady state it allocates nothing. Deliveries confirmed in order on one channel (an ack confirming
 * thousands of messages) take one entry, a range handed over message by message. Handlers are held in arrays
 * replaced on add and remove (copy on write), so adding or removing one from inside a handler is safe; a handler added
 * during a drain sees the events queued after it was added.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Events
{
    private static final int INITIAL_CAPACITY = 1024;
    private static final int WORDS = 3;
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
    /** Three longs per event, one cache line for most: kind, channel and code packed; the id; the message id. */
    private long[] words = new long[INITIAL_CAPACITY * WORDS];
    /** A name or a join failure, for the rare events that carry one. */
    private Object[] refs = new Object[INITIAL_CAPACITY];
    private int capacity = INITIAL_CAPACITY;
    private int head;
    private int tail;
    private boolean isDraining;

    private DeliveryHandler[] deliveryHandlers = NO_DELIVERY_HANDLERS;
    /** Per channel: null for the application's handlers, else the handlers of the layer that reserved it. */
    private final DeliveryHandler[][] reservedDeliveryHandlers = new DeliveryHandler[StackContext.CHANNEL_COUNT][];
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
     * Route the outcomes of messages on some channels to a layer's handlers only (none until it adds some), not to
     * the application's: for channels a layer reserved.
     *
     * @param channels the reserved channels.
     */
    public void reserveOutcomes(final ChannelSet channels)
    {
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel))
            {
                reservedDeliveryHandlers[channel] = NO_DELIVERY_HANDLERS;
            }
        }
    }

    /**
     * Give the outcomes of messages on some channels to the application's handlers again.
     *
     * @param channels the channels released.
     */
    public void releaseOutcomes(final ChannelSet channels)
    {
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel))
            {
                reservedDeliveryHandlers[channel] = null;
            }
        }
    }

    /**
     * Add a layer's delivery handler for channels it reserved; adding one twice has no effect.
     *
     * @param channels reserved by the layer (see {@link #reserveOutcomes(ChannelSet)}).
     * @param handler  to add.
     */
    public void add(final ChannelSet channels, final DeliveryHandler handler)
    {
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel) && null != reservedDeliveryHandlers[channel])
            {
                reservedDeliveryHandlers[channel] = added(reservedDeliveryHandlers[channel], handler);
            }
        }
    }

    /**
     * Remove a layer's delivery handler from channels it reserved.
     *
     * @param channels reserved by the layer.
     * @param handler  to remove.
     * @return true if it was there on any of them.
     */
    public boolean remove(final ChannelSet channels, final DeliveryHandler handler)
    {
        boolean isRemoved = false;
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            final DeliveryHandler[] before = reservedDeliveryHandlers[channel];
            if (null != before && channels.contains(channel))
            {
                reservedDeliveryHandlers[channel] = removed(before, handler);
                isRemoved |= before != reservedDeliveryHandlers[channel];
            }
        }
        return isRemoved;
    }

    private DeliveryHandler[] deliveryHandlers(final int channel)
    {
        final DeliveryHandler[] reserved = reservedDeliveryHandlers[channel];
        return null != reserved ? reserved : deliveryHandlers;
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
            final int index = claim(PRESENCE, 0, event.ordinal(), estateId, 0);
            refs[index] = name;
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
        if (deliveryHandlers(channel).length > 0)
        {
            // Message ids of a channel are consecutive and an ack confirms them in order: extend the last event to a
            // range when it can, so an ack confirming thousands of messages queues one event.
            if (tail != head)
            {
                final int last = ((tail - 1) & (capacity - 1)) * WORDS;
                final long header = words[last];
                final int count = (int)header;
                if ((byte)(header >>> 56) == DELIVERED && ((int)(header >>> 32) & 0xFFFF) == channel &&
                    words[last + 1] == estateId && words[last + 2] + count == messageId && count < Integer.MAX_VALUE)
                {
                    words[last] = header + 1;
                    return;
                }
            }
            claim(DELIVERED, channel, 1, estateId, messageId);
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
        if (deliveryHandlers(channel).length > 0)
        {
            claim(FAILED, channel, reason, estateId, messageId);
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
        if (deliveryHandlers(channel).length > 0)
        {
            claim(UNCERTAIN, channel, reason, estateId, messageId);
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
            refs[claim(JOIN_FAILED, 0, 0, correlationId, 0)] = failure;
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
            refs[claim(JOIN_REFUSED, 0, 0, 0, 0)] = refusal;
        }
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
                final int index = head & (capacity - 1);
                final int word = index * WORDS;
                final long header = words[word];
                final byte kind = (byte)(header >>> 56);
                final int channel = (int)(header >>> 32) & 0xFFFF;
                final int code = (int)header;
                final long id = words[word + 1];
                final long messageId = words[word + 2];
                Object ref = null;
                if (kind == PRESENCE || kind >= JOIN_FAILED)
                {
                    ref = refs[index];
                    refs[index] = null;
                }
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
                for (int i = 0; i < code; i++)
                {
                    for (final DeliveryHandler handler : deliveryHandlers(channel))
                    {
                        try
                        {
                            handler.onDelivered(id, channel, messageId + i);
                        }
                        catch (final Throwable ex)
                        {
                            errorHandler.onError(ex);
                        }
                    }
                }
                break;
            case FAILED:
            case UNCERTAIN:
                for (final DeliveryHandler handler : deliveryHandlers(channel))
                {
                    try
                    {
                        if (FAILED == kind)
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

    private int claim(final byte kind, final int channel, final int code, final long id, final long messageId)
    {
        if (tail - head == capacity)
        {
            grow();
        }
        final int index = tail & (capacity - 1);
        tail++;
        final int word = index * WORDS;
        words[word] = ((long)kind << 56) | ((long)(channel & 0xFFFF) << 32) | (code & 0xFFFF_FFFFL);
        words[word + 1] = id;
        words[word + 2] = messageId;
        return index;
    }

    /**
     * Double the queue, keeping the order: rare (an ack confirming more messages than the queue holds), and the
     * larger queue is kept.
     */
    private void grow()
    {
        final int size = tail - head;
        final int newCapacity = capacity * 2;
        final long[] newWords = new long[newCapacity * WORDS];
        final Object[] newRefs = new Object[newCapacity];
        for (int i = 0; i < size; i++)
        {
            final int from = (head + i) & (capacity - 1);
            System.arraycopy(words, from * WORDS, newWords, i * WORDS, WORDS);
            newRefs[i] = refs[from];
        }
        words = newWords;
        refs = newRefs;
        capacity = newCapacity;
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
