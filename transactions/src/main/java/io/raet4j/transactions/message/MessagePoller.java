package io.raet4j.transactions.message;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ControlledMessageHandler;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.RemoteEstate;
import org.agrona.DirectBuffer;

/**
 * Hands whole messages to the application and to the layers above: estates in turn, channels of a set, plainly or
 * under the handler's control, and keeps the channels a layer reserved out of the application's way.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class MessagePoller implements ChannelMessageHandler
{
    private final Estates estates;
    private final TransactionCounters counters;
    private final boolean[] isReserved = new boolean[StackContext.CHANNEL_COUNT];
    private final String[] reservedBy = new String[StackContext.CHANNEL_COUNT];
    private final ChannelSet applicationChannels = ChannelSet.all();
    private final ControlledChannelMessageHandler controlledForwarder = this::onControlledMessage;
    private MessageHandler messageHandler;
    private ControlledMessageHandler controlledHandler;
    private ChannelSet pollChannels;
    private boolean isPolling;
    private boolean isPollStopped;

    /**
     * A poller.
     *
     * @param estates  the estates, with the list of those holding messages.
     * @param counters the stack's totals.
     */
    public MessagePoller(final Estates estates, final TransactionCounters counters)
    {
        this.estates = estates;
        this.counters = counters;
    }

    /**
     * Whether a layer reserved a channel.
     *
     * @param channel 0 to 255.
     * @return true if reserved.
     */
    public boolean isReserved(final int channel)
    {
        return isReserved[channel];
    }

    /**
     * Reserve channels for a layer above: the application's offers and its polls without a channel set leave
     * them alone from now on.
     *
     * @param owner    the layer, named in refusals.
     * @param channels to reserve.
     * @throws IllegalStateException if one is reserved already, naming by whom.
     */
    public void reserve(final String owner, final ChannelSet channels)
    {
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel) && isReserved[channel])
            {
                throw new IllegalStateException("channel " + channel + " is reserved by " + reservedBy[channel] +
                    ": " + owner + " must reserve other channels");
            }
        }
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel))
            {
                isReserved[channel] = true;
                reservedBy[channel] = owner;
            }
        }
        applicationChannels.removeAll(channels);
    }

    /**
     * Release channels a layer reserved.
     *
     * @param channels to release.
     */
    public void release(final ChannelSet channels)
    {
        for (int channel = 0; channel < StackContext.CHANNEL_COUNT; channel++)
        {
            if (channels.contains(channel))
            {
                isReserved[channel] = false;
                reservedBy[channel] = null;
                applicationChannels.add(channel);
            }
        }
    }

    /**
     * Hand whole messages to the application, estates in turn: each poll starts with the estate after the one the
     * last poll ended with, so a busy estate cannot starve the others. A poll from inside the handler (nested) returns
     * 0: messages are handed over one at a time, in order.
     *
     * @param handler  called for each message.
     * @param limit    most messages handed over.
     * @param channels the channels polled, or null for every channel no layer reserved.
     * @return the number handed over.
     */
    public int poll(final MessageHandler handler, final int limit, final ChannelSet channels)
    {
        if (isPolling || 0 == estates.readableCount())
        {
            return 0;
        }
        messageHandler = handler;
        try
        {
            return pollEstates(limit, channels);
        }
        finally
        {
            messageHandler = null;
        }
    }

    /**
     * Hand whole messages to a handler that decides, for each, whether it is consumed and whether to go on (see
     * {@link ControlledMessageHandler}); estates in turn as {@link #poll}.
     *
     * @param handler  called for each message.
     * @param limit    most messages consumed.
     * @param channels the channels polled, or null for every channel no layer reserved.
     * @return the number consumed.
     */
    public int controlledPoll(final ControlledMessageHandler handler, final int limit, final ChannelSet channels)
    {
        if (isPolling || 0 == estates.readableCount())
        {
            return 0;
        }
        controlledHandler = handler;
        try
        {
            return pollEstates(limit, channels);
        }
        finally
        {
            controlledHandler = null;
        }
    }

    private int pollEstates(final int limit, final ChannelSet channels)
    {
        isPolling = true;
        isPollStopped = false;
        pollChannels = null == channels ? applicationChannels : channels;
        int count = 0;
        try
        {
            int i = estates.nextReadable();
            for (int visits = estates.readableCount(); visits > 0 && count < limit && !isPollStopped; visits--)
            {
                if (i >= estates.readableCount())
                {
                    i = 0;
                }
                final RemoteEstate estate = estates.readable(i);
                count += pollEstate(estate, limit - count);
                if (hasReadable(estate))
                {
                    i++;
                }
                else
                {
                    estates.removeReadable(i);
                }
            }
            estates.nextReadable(i);
        }
        finally
        {
            pollChannels = null;
            isPolling = false;
        }
        if (count > 0)
        {
            counters.messagesReceived.getAndAddRelease(count);
        }
        return count;
    }

    private int pollEstate(final RemoteEstate estate, final int limit)
    {
        int count = 0;
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            if (count < limit && !isPollStopped && pollChannels.contains(channel.channel()))
            {
                final int polled;
                if (null != controlledHandler)
                {
                    polled = channel.controlledPoll(controlledForwarder, estate.id(), limit - count);
                    isPollStopped = channel.isStopped();
                }
                else
                {
                    polled = channel.poll(this, estate.id(), limit - count);
                }
                count += polled;
                if (polled > 0 && null != estate.counters)
                {
                    estate.counters.received.getAndAddRelease(polled);
                }
            }
            if (channel.isAckPending())
            {
                estates.activate(estate);
            }
        }
        return count;
    }

    private static boolean hasReadable(final RemoteEstate estate)
    {
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            if (channel.hasReadable())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMessage(
        final long fromEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        messageHandler.onMessage(fromEstateId, channel, buffer, offset, length);
    }

    private int onControlledMessage(
        final long fromEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        // The Action's ordinal is the channel's constant: CONTINUE 0, BREAK 1, ABORT 2.
        return controlledHandler.onMessage(fromEstateId, channel, buffer, offset, length).ordinal();
    }
}
