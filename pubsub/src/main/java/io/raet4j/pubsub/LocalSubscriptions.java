package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * This stack's subscriptions: their patterns in a trie whose ids are subscription slots, and the hand-over of a
 * publication to the subscriptions of a route, each once.
 */
final class LocalSubscriptions
{
    private final SubscriptionTrie trie;
    private final PubSubCounters counters;
    private final ErrorHandler errorHandler;
    private Subscription[] bySlot = new Subscription[16];
    private int boundedCount;
    private int[][] routeSnapshots = new int[4][];
    private int deliveryDepth;

    LocalSubscriptions(final int routeCacheEntries, final PubSubCounters counters, final ErrorHandler errorHandler)
    {
        this.trie = new SubscriptionTrie(routeCacheEntries, SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    int freeSlot()
    {
        for (int slot = 0; slot < bySlot.length; slot++)
        {
            if (null == bySlot[slot])
            {
                return slot;
            }
        }
        final int slot = bySlot.length;
        bySlot = Arrays.copyOf(bySlot, slot * 2);
        return slot;
    }

    void add(final Subscription subscription)
    {
        bySlot[subscription.slot] = subscription;
        trie.add(subscription.pattern(), subscription.slot);
        boundedCount += null != subscription.bounded ? 1 : 0;
    }

    void remove(final Subscription subscription)
    {
        trie.remove(subscription.pattern(), subscription.slot);
        bySlot[subscription.slot] = null;
        boundedCount -= null != subscription.bounded ? 1 : 0;
    }

    /**
     * Any-thread subscriptions open: while there are some, the layer polls its frames with the right to leave one in
     * the stack ({@link #hasRoom}).
     *
     * @return how many.
     */
    int boundedCount()
    {
        return boundedCount;
    }

    /**
     * Whether every any-thread subscription of a route has room for a publication now.
     *
     * @param route  the subscriptions a publication would go to.
     * @param length of the publication.
     * @return false if one of them is full.
     */
    boolean hasRoom(final SlotList route, final int length)
    {
        for (int i = 0, size = route.size(); i < size; i++)
        {
            final Subscription subscription = bySlot[route.get(i)];
            if (null != subscription && null != subscription.bounded && !subscription.isClosed() &&
                !subscription.bounded.hasRoomFor(length))
            {
                return false;
            }
        }
        return true;
    }

    void closeAll()
    {
        for (final Subscription subscription : bySlot)
        {
            if (null != subscription)
            {
                subscription.markClosed();
            }
        }
    }

    long version()
    {
        return trie.version();
    }

    /**
     * The subscription slots a topic reaches, recomputed only when the subscriptions changed since {@code version}.
     *
     * @return the new version to keep with the route.
     */
    long route(final UnsafeBuffer topic, final SlotList route, final long version)
    {
        final long current = trie.version();
        if (version != current)
        {
            route.clear();
            trie.match(topic, 0, topic.capacity(), route);
        }
        return current;
    }

    /**
     * Hand a publication to the subscriptions of a route. The route is copied first: a handler may subscribe,
     * unsubscribe or publish, which recomputes routes; a subscription closed meanwhile is skipped.
     *
     * @return the number of subscriptions handed it.
     */
    int deliver(
        final SlotList route,
        final String topic,
        final long estateId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int size = route.size();
        if (deliveryDepth == routeSnapshots.length)
        {
            routeSnapshots = Arrays.copyOf(routeSnapshots, deliveryDepth * 2);
        }
        int[] snapshot = routeSnapshots[deliveryDepth];
        if (null == snapshot || snapshot.length < size)
        {
            snapshot = new int[Math.max(size, 16)];
            routeSnapshots[deliveryDepth] = snapshot;
        }
        for (int i = 0; i < size; i++)
        {
            snapshot[i] = route.get(i);
        }
        deliveryDepth++;
        int delivered = 0;
        try
        {
            for (int i = 0; i < size; i++)
            {
                if (deliverTo(bySlot[snapshot[i]], topic, estateId, buffer, offset, length))
                {
                    delivered++;
                }
            }
        }
        finally
        {
            deliveryDepth--;
        }
        return delivered;
    }

    /**
     * Hand a publication to one subscription unless it is closed; what its handler throws is counted and reported.
     *
     * @return true if handed over.
     */
    boolean deliverTo(
        final Subscription subscription,
        final String topic,
        final long estateId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (null == subscription || subscription.isClosed())
        {
            return false;
        }
        if (null != subscription.bounded &&
            !subscription.bounded.offer(topic, estateId, buffer, offset, length))
        {
            // A local publication to an any-thread subscription whose ring is full (a remote one waits instead).
            counters.publicationsBackPressured.incrementRelease();
            return false;
        }
        counters.publicationsDelivered.incrementRelease();
        try
        {
            subscription.handler().onPublication(topic, estateId, buffer, offset, length);
        }
        catch (final Throwable ex)
        {
            counters.handlerErrors.incrementRelease();
            errorHandler.onError(ex);
        }
        return true;
    }

    static boolean contains(final SlotList slots, final int slot)
    {
        for (int i = 0, size = slots.size(); i < size; i++)
        {
            if (slots.get(i) == slot)
            {
                return true;
            }
        }
        return false;
    }
}
