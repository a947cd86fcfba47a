package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.InterestOp;
import org.agrona.collections.Object2IntHashMap;

import java.util.Set;

/**
 * Interest both ways, for subscriptions and for responders: the patterns of this stack that every peer is told (each
 * once however many local subscriptions share it), and the patterns each peer told this stack, in one trie per kind
 * whose ids are peer slots, so a topic's interested estates are one match away.
 */
final class Interest
{
    private final Peers peers;
    private final Frames frames;
    private final PubSubCounters counters;
    private final Object2IntHashMap<String> localSubscribe = new Object2IntHashMap<>(0);
    private final Object2IntHashMap<String> localRespond = new Object2IntHashMap<>(0);
    private final SubscriptionTrie remoteSubscribers;
    private final SubscriptionTrie remoteResponders;
    private boolean isResyncPending;
    private SystemTopics systemTopics;

    Interest(final Peers peers, final Frames frames, final PubSubCounters counters, final int routeCacheEntries)
    {
        this.peers = peers;
        this.frames = frames;
        this.counters = counters;
        remoteSubscribers = new SubscriptionTrie(routeCacheEntries, SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
        remoteResponders = new SubscriptionTrie(routeCacheEntries, SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
    }

    void systemTopics(final SystemTopics systemTopics)
    {
        this.systemTopics = systemTopics;
    }

    SubscriptionTrie remote(final InterestKind kind)
    {
        return InterestKind.RESPOND == kind ? remoteResponders : remoteSubscribers;
    }

    /**
     * A local subscription or responder with a pattern was added: the first one with the pattern tells every peer.
     */
    void addLocal(final InterestKind kind, final String pattern)
    {
        final Object2IntHashMap<String> counts = local(kind);
        final int count = counts.getValue(pattern) + 1;
        counts.put(pattern, count);
        if (1 == count)
        {
            sendToAll(InterestOp.ADD, kind, pattern);
        }
    }

    /**
     * A local subscription or responder with a pattern was closed: the last one with the pattern tells every peer.
     */
    void removeLocal(final InterestKind kind, final String pattern)
    {
        final Object2IntHashMap<String> counts = local(kind);
        final int count = counts.getValue(pattern) - 1;
        if (count <= 0)
        {
            counts.removeKey(pattern);
            sendToAll(InterestOp.REMOVE, kind, pattern);
        }
        else
        {
            counts.put(pattern, count);
        }
    }

    private Object2IntHashMap<String> local(final InterestKind kind)
    {
        return InterestKind.RESPOND == kind ? localRespond : localSubscribe;
    }

    /**
     * A peer started a new session with this stack (joined or renewed): forget what it told before and tell it the
     * whole interest.
     */
    void onNewSession(final Peer peer)
    {
        forget(peer);
        sendFull(peer);
    }

    /**
     * A peer's interest is void: its Hello says it starts afresh, or it is gone.
     */
    void forget(final Peer peer)
    {
        for (final String pattern : peer.patterns)
        {
            remoteSubscribers.remove(pattern, peer.slot);
            if (null != systemTopics)
            {
                systemTopics.onInterest(peer.estateId, pattern, false);
            }
        }
        peer.patterns.clear();
        for (final String pattern : peer.responderPatterns)
        {
            remoteResponders.remove(pattern, peer.slot);
        }
        peer.responderPatterns.clear();
    }

    /**
     * A peer added a pattern.
     *
     * @return true if it was new.
     */
    boolean onAdd(final Peer peer, final InterestKind kind, final String pattern)
    {
        final Set<String> patterns = InterestKind.RESPOND == kind ? peer.responderPatterns : peer.patterns;
        if (patterns.add(pattern))
        {
            remote(kind).add(pattern, peer.slot);
            if (InterestKind.SUBSCRIBE == kind && null != systemTopics)
            {
                systemTopics.onInterest(peer.estateId, pattern, true);
            }
            return true;
        }
        return false;
    }

    /**
     * A peer said it will not send this stack a topic it subscribes to (its permissions): told to the local
     * subscriptions of {@code $raet.interest.denied}.
     */
    void onDenied(final Peer peer, final String topic)
    {
        if (null != systemTopics)
        {
            systemTopics.onDenied(peer.estateId, topic);
        }
    }

    /**
     * A peer removed a pattern.
     */
    void onRemove(final Peer peer, final InterestKind kind, final String pattern)
    {
        final Set<String> patterns = InterestKind.RESPOND == kind ? peer.responderPatterns : peer.patterns;
        if (patterns.remove(pattern))
        {
            remote(kind).remove(pattern, peer.slot);
            if (InterestKind.SUBSCRIBE == kind && null != systemTopics)
            {
                systemTopics.onInterest(peer.estateId, pattern, false);
            }
        }
    }

    /**
     * Send the whole interest again to the peers whose control channel refused a frame of it.
     *
     * @return the number of peers sent to.
     */
    int resync()
    {
        if (!isResyncPending)
        {
            return 0;
        }
        isResyncPending = false;
        int work = 0;
        for (int slot = 0, limit = peers.slotLimit(); slot < limit; slot++)
        {
            final Peer peer = peers.bySlot(slot);
            if (null != peer && peer.isResyncPending)
            {
                sendFull(peer);
                work++;
            }
        }
        return work;
    }

    private void sendFull(final Peer peer)
    {
        boolean isSent = frames.hello(peer, localSubscribe.size() + localRespond.size());
        for (final String pattern : localSubscribe.keySet())
        {
            if (!isSent)
            {
                break;
            }
            isSent = frames.interest(peer, InterestOp.ADD, InterestKind.SUBSCRIBE, pattern);
        }
        for (final String pattern : localRespond.keySet())
        {
            if (!isSent)
            {
                break;
            }
            isSent = frames.interest(peer, InterestOp.ADD, InterestKind.RESPOND, pattern);
        }
        peer.isResyncPending = !isSent;
        isResyncPending |= !isSent;
    }

    private void sendToAll(final InterestOp op, final InterestKind kind, final String pattern)
    {
        for (int slot = 0, limit = peers.slotLimit(); slot < limit; slot++)
        {
            final Peer peer = peers.bySlot(slot);
            if (null != peer && !peer.isResyncPending && !frames.interest(peer, op, kind, pattern))
            {
                // The control channel to it is full: send the whole interest again when there is room.
                peer.isResyncPending = true;
                isResyncPending = true;
            }
        }
    }

    /**
     * Count of a received interest frame.
     */
    void received()
    {
        counters.interestReceived.incrementRelease();
    }
}
