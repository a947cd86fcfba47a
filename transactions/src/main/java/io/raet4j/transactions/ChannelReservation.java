package io.raet4j.transactions;

import io.raet4j.transactions.agent.StackAgent;
import org.agrona.DirectBuffer;

/**
 * Channels a layer above the transport reserved with {@link Stack#reserveChannels}: the application's offers and
 * default polls leave them alone, and the layer offers and polls on them through this object. Released on
 * {@link #close()}.
 * <p>
 * <b>Threading:</b> as the stack's data API: the duty-cycle thread only.
 */
public final class ChannelReservation implements AutoCloseable
{
    private final Stack stack;
    private final StackAgent agent;
    private final String owner;
    private final ChannelSet channels;
    private boolean isClosed;

    ChannelReservation(final Stack stack, final StackAgent agent, final String owner, final ChannelSet channels)
    {
        this.stack = stack;
        this.agent = agent;
        this.owner = owner;
        this.channels = new ChannelSet().addAll(channels);
    }

    /**
     * The layer that holds the reservation.
     *
     * @return its name.
     */
    public String owner()
    {
        return owner;
    }

    /**
     * The channels reserved.
     *
     * @return a copy of the set.
     */
    public ChannelSet channels()
    {
        return new ChannelSet().addAll(channels);
    }

    /**
     * Offer a message on one of the reserved channels; as {@link Stack#offer}.
     *
     * @param estateId of the receiver.
     * @param channel  one of the reserved channels.
     * @param buffer   holding the message.
     * @param offset   of the message.
     * @param length   of the message.
     * @return the message id, or a negative status of {@link Stack}; {@link Stack#INVALID_CHANNEL} if the channel is
     *         not one of this reservation's.
     */
    public long offer(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!agent.owner().isOwner())
        {
            agent.owner().claimOrRefuse("ChannelReservation.offer");
        }
        if (isClosed || !channels.contains(channel))
        {
            return isClosed ? Stack.CLOSED : Stack.INVALID_CHANNEL;
        }
        if (agent.isClosed())
        {
            return Stack.CLOSED;
        }
        return agent.messenger().offerOnReserved(estateId, channel, buffer, offset, length);
    }

    /**
     * Whether {@link #offer} would take a message now, or refuse it with {@link Stack#BACK_PRESSURED}: for a layer that
     * sends one message to several estates all or none (conservative: true means the offer is taken). An estate not
     * connected, or a message too large, is not back-pressure: this returns true and the offer says why.
     *
     * @param estateId of the receiver.
     * @param channel  one of the reserved channels.
     * @param length   of the message.
     * @return false if the channel to the estate is full for this message now.
     */
    public boolean canOffer(final long estateId, final int channel, final int length)
    {
        if (!agent.owner().isOwner())
        {
            agent.owner().claimOrRefuse("ChannelReservation.canOffer");
        }
        if (isClosed || !channels.contains(channel) || agent.isClosed())
        {
            return true;
        }
        return agent.messenger().canOfferOnReserved(estateId, channel, length);
    }

    /**
     * Hand over messages from the reserved channels; as {@link Stack#poll(MessageHandler, int, ChannelSet)}.
     *
     * @param handler given each message.
     * @param limit   most messages.
     * @return the number handed over.
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        return isClosed ? 0 : stack.poll(handler, limit, channels);
    }

    /**
     * Hand over messages from the reserved channels under the handler's control; as
     * {@link Stack#controlledPoll(ControlledMessageHandler, int, ChannelSet)}.
     *
     * @param handler given each message.
     * @param limit   most messages consumed.
     * @return the number consumed.
     */
    public int controlledPoll(final ControlledMessageHandler handler, final int limit)
    {
        return isClosed ? 0 : stack.controlledPoll(handler, limit, channels);
    }

    /**
     * Add a handler for the outcomes of the reliable messages offered on the reserved channels. Those outcomes go to
     * the reservation's handlers only, never to the application's ({@link Stack#addDeliveryHandler}); they are handed
     * over at the same safe points. Adding one twice has no effect.
     *
     * @param handler to call on the duty-cycle thread.
     * @return this for a fluent API.
     */
    public ChannelReservation addDeliveryHandler(final DeliveryHandler handler)
    {
        if (!isClosed)
        {
            agent.events().add(channels, handler);
        }
        return this;
    }

    /**
     * Remove a handler added with {@link #addDeliveryHandler(DeliveryHandler)}.
     *
     * @param handler to remove.
     * @return true if it was there.
     */
    public boolean removeDeliveryHandler(final DeliveryHandler handler)
    {
        return agent.events().remove(channels, handler);
    }

    /**
     * Release the channels: the application may use them again, and gets their outcomes again.
     */
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            agent.messenger().poller().release(channels);
            agent.events().releaseOutcomes(channels);
        }
    }
}
