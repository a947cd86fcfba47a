package io.raet4j.pubsub;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import org.agrona.collections.ArrayUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * The outcomes of the layer's messages, passed on to the application's handlers ({@link PubSub#addDeliveryHandler})
 * for what the application offered only: the copies {@code publish} counted, requests and replies. The layer's own
 * messages (Hello, Interest, Introduce on the control channel; topic declarations, last values and conflated values
 * it sends on its own initiative on the data channels) end here, so that an application counting its copies'
 * outcomes never has to tell them apart.
 * <p>
 * The layer's messages on data channels are told apart by message id: {@link #layerSent} keeps each id until its
 * outcome comes (few are in flight at once: a declaration goes once per topic, estate, channel and session).
 * <p>
 * NOT thread safe: the duty-cycle thread only.
 */
final class LayerOutcomes implements DeliveryHandler
{
    private static final int CHANNEL_BITS = 3;

    private final Long2ObjectHashMap<LongHashSet> layerMessagesByEstate = new Long2ObjectHashMap<>();
    private DeliveryHandler[] handlers = new DeliveryHandler[0];

    /**
     * Add an application handler; adding one twice has no effect.
     */
    void add(final DeliveryHandler handler)
    {
        for (final DeliveryHandler existing : handlers)
        {
            if (existing == handler)
            {
                return;
            }
        }
        handlers = ArrayUtil.add(handlers, handler);
    }

    /**
     * The stack took one of the layer's own messages on a data channel (a topic declaration, a last value or a
     * conflated value sent on the layer's initiative): its outcome is not the application's.
     */
    void layerSent(final long estateId, final int channel, final long messageId)
    {
        LongHashSet ids = layerMessagesByEstate.get(estateId);
        if (null == ids)
        {
            ids = new LongHashSet();
            layerMessagesByEstate.put(estateId, ids);
        }
        ids.add(key(channel, messageId));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long estateId, final int channel, final long messageId)
    {
        if (isApplications(estateId, channel, messageId))
        {
            for (final DeliveryHandler handler : handlers)
            {
                handler.onDelivered(estateId, channel, messageId);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        if (isApplications(estateId, channel, messageId))
        {
            for (final DeliveryHandler handler : handlers)
            {
                handler.onFailed(estateId, channel, messageId, reason);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        if (isApplications(estateId, channel, messageId))
        {
            for (final DeliveryHandler handler : handlers)
            {
                handler.onUncertain(estateId, channel, messageId, reason);
            }
        }
    }

    /**
     * Whether an outcome is of a message the application offered; forgets a layer message's id as its outcome comes.
     */
    private boolean isApplications(final long estateId, final int channel, final long messageId)
    {
        if (PubSub.CONTROL_CHANNEL == channel)
        {
            return false;
        }
        final LongHashSet ids = layerMessagesByEstate.get(estateId);
        if (null == ids || !ids.remove(key(channel, messageId)))
        {
            return true;
        }
        if (ids.isEmpty())
        {
            layerMessagesByEstate.remove(estateId);
        }
        return false;
    }

    private static long key(final int channel, final long messageId)
    {
        return (messageId << CHANNEL_BITS) | (channel - PubSub.CHANNEL_FIRST);
    }
}
