package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.transactions.Stack;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publications both ways: the publishers of this stack (a topic id each, from 1), a publication sent once to each
 * estate whose interest matches and handed once to each matching local subscription; topics other estates declared
 * and their publications handed to the local subscriptions they match; and last values, kept by publishers that
 * retain and by receivers while they want them, given first to subscriptions that come later.
 */
final class Publications
{
    private final Peers peers;
    private final Interest interest;
    private final LocalSubscriptions subscriptions;
    private final Frames frames;
    private final PubSubCounters counters;
    private final long localEstateId;
    private final Map<String, Publisher> byTopic = new HashMap<>();
    private final List<Publisher> byId = new ArrayList<>();
    private final List<Subscription> pendingFirstValues = new ArrayList<>();
    private final SubscriptionTrie remoteSubscribers;
    private final TopicPermissions permissions;
    private final org.agrona.ErrorHandler errorHandler;
    private long seenRemoteVersion = -1;
    private long seenLocalVersion = -1;
    private long seenPermissionsVersion = -1;

    Publications(
        final Peers peers,
        final Interest interest,
        final LocalSubscriptions subscriptions,
        final Frames frames,
        final PubSubCounters counters,
        final long localEstateId,
        final TopicPermissions permissions,
        final org.agrona.ErrorHandler errorHandler)
    {
        this.permissions = permissions;
        this.errorHandler = errorHandler;
        this.peers = peers;
        this.interest = interest;
        this.subscriptions = subscriptions;
        this.frames = frames;
        this.counters = counters;
        this.localEstateId = localEstateId;
        this.remoteSubscribers = interest.remote(InterestKind.SUBSCRIBE);
    }

    Publisher publisher(final PubSub pubSub, final String topic)
    {
        Publisher publisher = byTopic.get(topic);
        if (null == publisher)
        {
            publisher = new Publisher(pubSub, topic, byId.size() + 1);
            byTopic.put(topic, publisher);
            byId.add(publisher);
        }
        return publisher;
    }

    long publish(final Publisher publisher, final DirectBuffer buffer, final int offset, final int length)
    {
        long copies = 0;
        int backPressured = 0;
        if (publisher.isBlocking())
        {
            final SlotList route = remoteRoute(publisher);
            final int channel = publisher.delivery().channel();
            final int frameLength = Frames.PUBLISH_HEADER_LENGTH + length;
            for (int i = 0, size = route.size(); i < size; i++)
            {
                final Peer peer = peers.bySlot(route.get(i));
                if (null != peer && !frames.canOffer(peer, publisher, channel, frameLength))
                {
                    backPressured++;
                }
            }
            if (backPressured > 0)
            {
                publisher.lastBackPressured = backPressured;
                return PubSub.BACK_PRESSURED;
            }
        }
        final boolean isRetaining = publisher.isRetaining();
        final boolean isConflating = publisher.isConflating();
        if (isRetaining || isConflating)
        {
            publisher.keep(buffer, offset, length);
        }
        final SlotList remote = remoteRoute(publisher);
        if (remote.size() > 0)
        {
            final int channel = publisher.delivery().channel();
            final int frameLength = frames.publish(publisher, isRetaining, false, buffer, offset, length);
            for (int i = 0, size = remote.size(); i < size; i++)
            {
                final Peer peer = peers.bySlot(remote.get(i));
                if (null == peer)
                {
                    continue;
                }
                final long result = frames.declared(peer, publisher, channel) ?
                    frames.offerData(peer, channel, frameLength) : Stack.BACK_PRESSURED;
                if (result >= 0)
                {
                    copies++;
                    if (isConflating && publisher.pending(peer.slot, false))
                    {
                        // The value it waited for is superseded by this one, which went.
                        counters.publicationsConflated.incrementRelease();
                    }
                }
                else if (Stack.BACK_PRESSURED == result)
                {
                    if (!isConflating)
                    {
                        backPressured++;
                    }
                    else if (!publisher.pending(peer.slot, true))
                    {
                        counters.publicationsConflated.incrementRelease();
                    }
                }
            }
            counters.publicationsSent.getAndAddRelease(copies);
            if (backPressured > 0)
            {
                counters.publicationsBackPressured.getAndAddRelease(backPressured);
            }
        }
        publisher.lastBackPressured = backPressured;
        final SlotList local = localRoute(publisher);
        if (local.size() > 0)
        {
            copies += subscriptions.deliver(local, publisher.topic(), localEstateId, buffer, offset, length);
        }
        return copies;
    }

    void forceSubscriberCheck()
    {
        seenRemoteVersion = -1;
    }

    boolean hasLocalSubscribers(final Publisher publisher)
    {
        return localRoute(publisher).size() > 0;
    }

    /**
     * Hand a publication to the local subscriptions only: the layer's system topics.
     */
    void publishLocal(final Publisher publisher, final DirectBuffer buffer, final int offset, final int length)
    {
        final SlotList local = localRoute(publisher);
        if (local.size() > 0)
        {
            subscriptions.deliver(local, publisher.topic(), localEstateId, buffer, offset, length);
        }
    }

    /**
     * Tell each publisher's subscribers listener whether its counts changed since the last look.
     *
     * @return the number of listeners told.
     */
    int notifySubscriberChanges()
    {
        final long remoteVersion = remoteSubscribers.version();
        final long localVersion = subscriptions.version();
        final long permissionsVersion = permissions.version();
        if (remoteVersion == seenRemoteVersion && localVersion == seenLocalVersion &&
            permissionsVersion == seenPermissionsVersion)
        {
            return 0;
        }
        seenRemoteVersion = remoteVersion;
        seenLocalVersion = localVersion;
        seenPermissionsVersion = permissionsVersion;
        int work = 0;
        for (int i = 0, count = byId.size(); i < count; i++)
        {
            final Publisher publisher = byId.get(i);
            final SubscribersListener listener = publisher.subscribersListener;
            if (null == listener)
            {
                continue;
            }
            final int remote = remoteRoute(publisher).size();
            final int local = localRoute(publisher).size();
            if (remote != publisher.notifiedRemote || local != publisher.notifiedLocal)
            {
                publisher.notifiedRemote = remote;
                publisher.notifiedLocal = local;
                work++;
                try
                {
                    listener.onSubscribersChanged(publisher, remote, local);
                }
                catch (final Throwable ex)
                {
                    counters.handlerErrors.incrementRelease();
                    errorHandler.onError(ex);
                }
            }
        }
        return work;
    }

    SlotList remoteRoute(final Publisher publisher)
    {
        final long version = remoteSubscribers.version();
        final long permissionsVersion = permissions.version();
        if (publisher.remoteRouteVersion != version || publisher.remoteRoutePermissionsVersion != permissionsVersion)
        {
            final SlotList route = publisher.remoteRoute;
            route.clear();
            remoteSubscribers.match(publisher.topicBytes, 0, publisher.topicBytes.capacity(), route);
            // Estates denied SUBSCRIBE on the topic are not sent it, and are told once: decided here, once per change.
            permissions.retainAllowed(route, peers, TopicAction.SUBSCRIBE, publisher.topicBytes, (peer) ->
            {
                counters.denials.incrementRelease();
                if (null != peer && peer.deniedTold.add(publisher.topic()))
                {
                    frames.interestDenied(peer, InterestKind.SUBSCRIBE, publisher.topic());
                }
            });
            publisher.remoteRouteVersion = version;
            publisher.remoteRoutePermissionsVersion = permissionsVersion;
        }
        return publisher.remoteRoute;
    }

    SlotList localRoute(final Publisher publisher)
    {
        publisher.localRouteVersion =
            subscriptions.route(publisher.topicBytes, publisher.localRoute, publisher.localRouteVersion);
        return publisher.localRoute;
    }

    private SlotList localRoute(final InboundTopic topic)
    {
        topic.routeVersion = subscriptions.route(topic.nameBytes, topic.route, topic.routeVersion);
        return topic.route;
    }

    /**
     * A peer declared a topic id.
     */
    void onDeclare(final Peer peer, final int topicId, final String topic)
    {
        peer.inbound.put(topicId, new InboundTopic(topic));
    }

    /**
     * Whether a publication from a peer can be handed over now: false if an any-thread subscription it goes to has
     * no room, and the frame should stay in the stack until it has.
     */
    boolean hasRoom(final Peer peer, final long topicId, final int length)
    {
        if (0 == subscriptions.boundedCount())
        {
            return true;
        }
        final InboundTopic topic = topicId > 0 && topicId <= Integer.MAX_VALUE ? peer.inbound.get((int)topicId) : null;
        return null == topic || subscriptions.hasRoom(localRoute(topic), length);
    }

    /**
     * The publisher of a topic id this stack gave, or null.
     */
    Publisher publisherById(final int topicId)
    {
        return topicId > 0 && topicId <= byId.size() ? byId.get(topicId - 1) : null;
    }

    /**
     * A peer's publication arrived.
     */
    void onPublish(
        final Peer peer,
        final long topicId,
        final boolean isRetained,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final InboundTopic topic = topicId > 0 && topicId <= Integer.MAX_VALUE ? peer.inbound.get((int)topicId) : null;
        if (null == topic)
        {
            counters.unknownTopicIds.incrementRelease();
            return;
        }
        counters.publicationsReceived.incrementRelease();
        if (topic.permissionsVersion != permissions.version())
        {
            topic.isPublishAllowed = permissions.isAllowed(peer.name, TopicAction.PUBLISH, topic);
            topic.permissionsVersion = permissions.version();
        }
        if (!topic.isPublishAllowed)
        {
            counters.denials.incrementRelease();
            return;
        }
        final SlotList route = localRoute(topic);
        if (0 == route.size())
        {
            counters.publicationsUnmatched.incrementRelease();
            return;
        }
        if (isRetained)
        {
            topic.retain(buffer, offset, length);
        }
        subscriptions.deliver(route, topic.name, peer.estateId, buffer, offset, length);
    }

    /**
     * A new local subscription: it gets the kept last values of the topics it matches at the next duty cycle.
     */
    void onSubscribed(final Subscription subscription)
    {
        pendingFirstValues.add(subscription);
    }

    /**
     * A local subscription closed: values kept of other estates' retained topics are kept only while a local
     * subscription matches the topic; once none does, this stack no longer receives the topic and the value would go
     * stale.
     */
    void onUnsubscribed()
    {
        for (int slot = 0, limit = peers.slotLimit(); slot < limit; slot++)
        {
            final Peer peer = peers.bySlot(slot);
            if (null != peer)
            {
                for (final InboundTopic topic : peer.inbound.values())
                {
                    if (topic.hasRetained() && 0 == localRoute(topic).size())
                    {
                        topic.dropRetained();
                    }
                }
            }
        }
    }

    /**
     * New subscriptions get the kept last value of each topic they match first: from local publishers that retain,
     * and from what this stack kept of other estates' retained topics.
     *
     * @return the number of values handed over.
     */
    int deliverFirstValues()
    {
        if (pendingFirstValues.isEmpty())
        {
            return 0;
        }
        int work = 0;
        for (final Subscription subscription : pendingFirstValues)
        {
            for (final Publisher publisher : byId)
            {
                if (publisher.hasLastValue() && LocalSubscriptions.contains(localRoute(publisher), subscription.slot) &&
                    subscriptions.deliverTo(subscription, publisher.topic(), localEstateId, publisher.lastValue(), 0,
                    publisher.lastValueLength()))
                {
                    work++;
                }
            }
            for (int slot = 0, limit = peers.slotLimit(); slot < limit; slot++)
            {
                final Peer peer = peers.bySlot(slot);
                if (null == peer)
                {
                    continue;
                }
                for (final InboundTopic topic : peer.inbound.values())
                {
                    if (topic.hasRetained() && LocalSubscriptions.contains(localRoute(topic), subscription.slot) &&
                        subscriptions.deliverTo(subscription, topic.name, peer.estateId, topic.retained(), 0,
                        topic.retainedLength()))
                    {
                        work++;
                    }
                }
            }
        }
        pendingFirstValues.clear();
        return work;
    }

    /**
     * Before a peer's pattern is added: note, for each topic with a last value, whether the peer wanted it already.
     *
     * @return true if any topic has a last value.
     */
    boolean beforeInterestAdded(final Peer peer)
    {
        boolean isAnyKept = false;
        for (final Publisher publisher : byId)
        {
            if (publisher.hasLastValue())
            {
                publisher.wantedBefore = LocalSubscriptions.contains(remoteRoute(publisher), peer.slot);
                isAnyKept = true;
            }
        }
        return isAnyKept;
    }

    /**
     * After a peer's pattern was added: a topic with a last value the peer did not want before and wants now is sent
     * its last value at once, ahead of any later publication on the same channel.
     */
    void afterInterestAdded(final Peer peer)
    {
        for (final Publisher publisher : byId)
        {
            if (publisher.hasLastValue() && !publisher.wantedBefore &&
                LocalSubscriptions.contains(remoteRoute(publisher), peer.slot))
            {
                sendLastValue(peer, publisher);
            }
        }
    }

    /**
     * Send the latest value of each conflating topic to the estates whose channel refused it, where there is room
     * now.
     *
     * @return the number of values sent.
     */
    int flushConflated()
    {
        int work = 0;
        for (int p = 0, count = byId.size(); p < count; p++)
        {
            final Publisher publisher = byId.get(p);
            if (0 == publisher.pendingCount)
            {
                continue;
            }
            final int channel = publisher.delivery().channel();
            for (int word = 0; word < publisher.pendingWords(); word++)
            {
                long bits = publisher.pendingWord(word);
                while (0 != bits)
                {
                    final int slot = (word << 6) + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    final Peer peer = peers.bySlot(slot);
                    if (null == peer || !LocalSubscriptions.contains(remoteRoute(publisher), slot))
                    {
                        publisher.pending(slot, false);
                        continue;
                    }
                    if (frames.declared(peer, publisher, channel) && frames.offerLayerData(peer, channel,
                        frames.publish(publisher, publisher.isRetaining(), false, publisher.lastValue(), 0,
                        publisher.lastValueLength())) >= 0)
                    {
                        publisher.pending(slot, false);
                        counters.publicationsSent.incrementRelease();
                        work++;
                    }
                }
            }
        }
        return work;
    }

    private void sendLastValue(final Peer peer, final Publisher publisher)
    {
        final int channel = publisher.delivery().channel();
        if (!frames.declared(peer, publisher, channel))
        {
            counters.publicationsBackPressured.incrementRelease();
            return;
        }
        final int frameLength =
            frames.publish(publisher, true, true, publisher.lastValue(), 0, publisher.lastValueLength());
        final long result = frames.offerLayerData(peer, channel, frameLength);
        if (result >= 0)
        {
            counters.publicationsSent.incrementRelease();
        }
        else if (Stack.BACK_PRESSURED == result)
        {
            counters.publicationsBackPressured.incrementRelease();
        }
    }
}
