package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.ReplyStatus;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Request and reply: responders registered on patterns (told to every estate as RESPOND interest), and requests made
 * by this stack, each sent to one responder (a local one first, else the matching estates in turn) and ended exactly
 * once: a reply, or a {@link RequestFailure}. Local requests are answered at the next duty cycle, so a reply handler
 * never runs inside {@link PubSub#request}.
 */
final class Requests
{
    private final Peers peers;
    private final Interest interest;
    private final Frames frames;
    private final PubSubCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock clock;
    private final long localEstateId;
    private final SubscriptionTrie localResponders;
    private final SubscriptionTrie remoteResponders;
    private final TopicPermissions permissions;
    private ResponderRegistration[] respondersBySlot = new ResponderRegistration[8];
    private final Long2ObjectHashMap<Pending> pendingById = new Long2ObjectHashMap<>();
    private final List<Pending> localQueue = new ArrayList<>();
    private final List<Pending> failedQueue = new ArrayList<>();
    private final List<Gather> emptyGathers = new ArrayList<>();
    private final ArrayDeque<Pending> pool = new ArrayDeque<>();
    private final SlotList slots = new SlotList();
    private final Replier replier = new Replier(this);
    private final java.util.function.Consumer<Peer> deniedResponder;
    private long nextRequestId;
    private long nextDeadlineNs = Long.MAX_VALUE;
    private int roundRobin;

    /** Who the responder being called answers: a local request, or an estate's. */
    private Pending replyingTo;
    private Peer replyingToPeer;
    private long replyingToRequestId;

    Requests(
        final Peers peers,
        final Interest interest,
        final Frames frames,
        final PubSubCounters counters,
        final ErrorHandler errorHandler,
        final NanoClock clock,
        final long localEstateId,
        final int routeCacheEntries,
        final TopicPermissions permissions)
    {
        this.permissions = permissions;
        this.deniedResponder = (peer) -> counters.denials.incrementRelease();
        this.peers = peers;
        this.interest = interest;
        this.frames = frames;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.clock = clock;
        this.localEstateId = localEstateId;
        this.localResponders = new SubscriptionTrie(routeCacheEntries, SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
        this.remoteResponders = interest.remote(InterestKind.RESPOND);
    }

    ResponderRegistration register(final String pattern, final Responder responder)
    {
        int slot = 0;
        while (slot < respondersBySlot.length && null != respondersBySlot[slot])
        {
            slot++;
        }
        if (slot == respondersBySlot.length)
        {
            respondersBySlot = Arrays.copyOf(respondersBySlot, slot * 2);
        }
        final ResponderRegistration registration = new ResponderRegistration(this, pattern, responder, slot);
        respondersBySlot[slot] = registration;
        localResponders.add(pattern, slot);
        interest.addLocal(InterestKind.RESPOND, pattern);
        return registration;
    }

    void unregister(final ResponderRegistration registration)
    {
        registration.markClosed();
        localResponders.remove(registration.pattern(), registration.slot);
        respondersBySlot[registration.slot] = null;
        interest.removeLocal(InterestKind.RESPOND, registration.pattern());
    }

    int remoteResponders(final Publisher topic)
    {
        allowedRemoteResponders(topic);
        return slots.size();
    }

    /**
     * The slots of the estates whose responders match a topic and may respond on it, into {@link #slots}.
     */
    private void allowedRemoteResponders(final Publisher topic)
    {
        slots.clear();
        remoteResponders.match(topic.topicBytes, 0, topic.topicBytes.capacity(), slots);
        permissions.retainAllowed(slots, peers, TopicAction.RESPOND, topic.topicBytes, deniedResponder);
    }

    /**
     * One of the local responders whose pattern matches a topic, in turn, or null if none does.
     */
    private ResponderRegistration localResponder(final DirectBuffer topic, final int length)
    {
        slots.clear();
        localResponders.match(topic, 0, length, slots);
        return 0 == slots.size() ? null : respondersBySlot[slots.get(Math.floorMod(roundRobin++, slots.size()))];
    }

    /**
     * Make a request.
     *
     * @return the request id, from 1.
     */
    long request(
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs,
        final ReplyHandler handler)
    {
        final long requestId = ++nextRequestId;
        final Pending pending = pending(requestId, handler, topic.topic());
        slots.clear();
        localResponders.match(topic.topicBytes, 0, topic.topicBytes.capacity(), slots);
        if (slots.size() > 0)
        {
            pending.responderEstateId = localEstateId;
            pending.keep(buffer, offset, length);
            localQueue.add(pending);
            return requestId;
        }
        allowedRemoteResponders(topic);
        if (0 == slots.size())
        {
            return fail(pending, RequestFailure.NO_RESPONDERS);
        }
        final Peer peer = peers.bySlot(slots.get(Math.floorMod(roundRobin++, slots.size())));
        if (null == peer || !frames.declared(peer, topic, PubSub.DATA_CHANNEL) ||
            frames.offerData(peer, frames.request(requestId, topic, buffer, offset, length)) < 0)
        {
            return fail(pending, RequestFailure.NOT_SENT);
        }
        counters.requestsSent.incrementRelease();
        pending.responderEstateId = peer.estateId;
        pending.deadlineNs = clock.nanoTime() + timeoutNs;
        nextDeadlineNs = Math.min(nextDeadlineNs, pending.deadlineNs);
        pendingById.put(requestId, pending);
        return requestId;
    }

    /**
     * Ask every responder of a topic: local ones at the next duty cycle, and one request to each estate whose
     * responders match. Control path: allocates the gathering.
     *
     * @return the request id, from 1.
     */
    long requestAll(
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs,
        final GatherHandler handler)
    {
        final Gather gather = new Gather(++nextRequestId, handler);
        slots.clear();
        localResponders.match(topic.topicBytes, 0, topic.topicBytes.capacity(), slots);
        for (int i = 0, size = slots.size(); i < size; i++)
        {
            final Pending pending = pending(++nextRequestId, gather, topic.topic());
            pending.localSlot = slots.get(i);
            pending.responderEstateId = localEstateId;
            pending.keep(buffer, offset, length);
            localQueue.add(pending);
            gather.responders++;
        }
        allowedRemoteResponders(topic);
        final int remote = slots.size();
        for (int i = 0; i < remote; i++)
        {
            final Peer peer = peers.bySlot(slots.get(i));
            if (null == peer)
            {
                continue;
            }
            gather.responders++;
            final long requestId = ++nextRequestId;
            final Pending pending = pending(requestId, gather, topic.topic());
            if (!frames.declared(peer, topic, PubSub.DATA_CHANNEL) ||
                frames.offerData(peer, frames.request(requestId, topic, buffer, offset, length)) < 0)
            {
                fail(pending, RequestFailure.NOT_SENT);
                continue;
            }
            counters.requestsSent.incrementRelease();
            pending.responderEstateId = peer.estateId;
            pending.deadlineNs = clock.nanoTime() + timeoutNs;
            nextDeadlineNs = Math.min(nextDeadlineNs, pending.deadlineNs);
            pendingById.put(requestId, pending);
        }
        if (0 == gather.responders)
        {
            emptyGathers.add(gather);
        }
        return gather.requestId;
    }

    private long fail(final Pending pending, final RequestFailure reason)
    {
        pending.failure = reason;
        failedQueue.add(pending);
        return pending.requestId;
    }

    /**
     * Answer local requests, end those that failed at once, and time out those whose deadline passed.
     *
     * @return the amount of work done.
     */
    int doWork()
    {
        int work = 0;
        if (!emptyGathers.isEmpty())
        {
            work += emptyGathers.size();
            for (int i = 0; i < emptyGathers.size(); i++)
            {
                emptyGathers.get(i).end();
            }
            emptyGathers.clear();
        }
        if (!failedQueue.isEmpty())
        {
            work += failedQueue.size();
            for (int i = 0; i < failedQueue.size(); i++)
            {
                final Pending pending = failedQueue.get(i);
                fail(pending.requestId, pending.handler, pending.failure);
                release(pending);
            }
            failedQueue.clear();
        }
        if (!localQueue.isEmpty())
        {
            work += localQueue.size();
            for (int i = 0; i < localQueue.size(); i++)
            {
                answerLocally(localQueue.get(i));
            }
            localQueue.clear();
        }
        if (nextDeadlineNs != Long.MAX_VALUE)
        {
            work += timeOut(clock.nanoTime());
        }
        return work;
    }

    private void answerLocally(final Pending pending)
    {
        final ResponderRegistration registration;
        if (pending.localSlot >= 0)
        {
            registration = respondersBySlot[pending.localSlot];
        }
        else
        {
            registration = localResponder(pending.topicBytes(), pending.topicLength());
        }
        if (null == registration || registration.isClosed())
        {
            fail(pending.requestId, pending.handler, RequestFailure.NO_RESPONDERS);
            release(pending);
            return;
        }
        replyingTo = pending;
        final boolean isReplied = call(registration, pending.topic, localEstateId, pending.payload, 0, pending.length);
        replyingTo = null;
        if (!isReplied)
        {
            fail(pending.requestId, pending.handler, RequestFailure.RESPONDER_FAILED);
        }
        release(pending);
    }

    private boolean call(
        final ResponderRegistration registration,
        final String topic,
        final long requesterEstateId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        replier.begin();
        try
        {
            registration.responder.onRequest(topic, requesterEstateId, buffer, offset, length, replier);
        }
        catch (final Throwable ex)
        {
            counters.handlerErrors.incrementRelease();
            errorHandler.onError(ex);
        }
        return replier.end();
    }

    /**
     * The reply of the responder being called, to a local requester or an estate.
     */
    long reply(final DirectBuffer buffer, final int offset, final int length)
    {
        final Pending local = replyingTo;
        if (null != local)
        {
            try
            {
                local.handler.onReply(local.requestId, localEstateId, buffer, offset, length);
            }
            catch (final Throwable ex)
            {
                counters.handlerErrors.incrementRelease();
                errorHandler.onError(ex);
            }
            return 0;
        }
        return sendReply(replyingToPeer, replyingToRequestId, ReplyStatus.OK, buffer, offset, length);
    }

    private long sendReply(
        final Peer peer,
        final long requestId,
        final ReplyStatus status,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final long result = frames.offerData(peer, frames.reply(requestId, status, buffer, offset, length));
        if (result >= 0)
        {
            counters.repliesSent.incrementRelease();
        }
        return result;
    }

    /**
     * An estate's request arrived on a topic it declared (or null if it did not).
     */
    void onRequest(
        final Peer peer,
        final long requestId,
        final InboundTopic topic,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        counters.requestsReceived.incrementRelease();
        if (null == topic)
        {
            counters.unknownTopicIds.incrementRelease();
            sendReply(peer, requestId, ReplyStatus.NO_RESPONDER, buffer, 0, 0);
            return;
        }
        if (!permissions.isAllowed(peer.name, TopicAction.REQUEST, topic))
        {
            counters.denials.incrementRelease();
            sendReply(peer, requestId, ReplyStatus.DENIED, buffer, 0, 0);
            return;
        }
        final ResponderRegistration registration = localResponder(topic.nameBytes, topic.nameBytes.capacity());
        if (null == registration)
        {
            sendReply(peer, requestId, ReplyStatus.NO_RESPONDER, buffer, 0, 0);
            return;
        }
        replyingToPeer = peer;
        replyingToRequestId = requestId;
        final boolean isReplied = call(registration, topic.name, peer.estateId, buffer, offset, length);
        replyingToPeer = null;
        if (!isReplied)
        {
            sendReply(peer, requestId, ReplyStatus.RESPONDER_FAILED, buffer, 0, 0);
        }
    }

    /**
     * An estate's reply arrived.
     *
     * @return false if no request of this stack waits for it from that estate (late, after a timeout): dropped.
     */
    boolean onReply(
        final Peer peer,
        final long requestId,
        final ReplyStatus status,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final Pending pending = pendingById.get(requestId);
        if (null == pending || pending.responderEstateId != peer.estateId)
        {
            return false;
        }
        pendingById.remove(requestId);
        counters.repliesReceived.incrementRelease();
        switch (status)
        {
            case OK:
                try
                {
                    pending.handler.onReply(requestId, peer.estateId, buffer, offset, length);
                }
                catch (final Throwable ex)
                {
                    counters.handlerErrors.incrementRelease();
                    errorHandler.onError(ex);
                }
                break;
            case DENIED:
                fail(requestId, pending.handler, RequestFailure.DENIED);
                break;
            case NO_RESPONDER:
                fail(requestId, pending.handler, RequestFailure.NO_RESPONDERS);
                break;
            default:
                fail(requestId, pending.handler, RequestFailure.RESPONDER_FAILED);
                break;
        }
        release(pending);
        return true;
    }

    /**
     * A peer's session ended (dead, reaped or renewed): its requests will not be answered.
     */
    void onSessionEnded(final Peer peer)
    {
        if (pendingById.isEmpty())
        {
            return;
        }
        final Long2ObjectHashMap<Pending>.EntryIterator entries = pendingById.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            final Pending pending = entries.getValue();
            if (pending.responderEstateId == peer.estateId)
            {
                entries.remove();
                fail(pending.requestId, pending.handler, RequestFailure.PEER_DEAD);
                release(pending);
            }
        }
    }

    /**
     * The layer closes: every request still waiting ends.
     */
    void close()
    {
        for (final Gather gather : emptyGathers)
        {
            gather.end();
        }
        emptyGathers.clear();
        for (final Pending pending : localQueue)
        {
            fail(pending.requestId, pending.handler, RequestFailure.CLOSED);
        }
        localQueue.clear();
        for (final Pending pending : failedQueue)
        {
            fail(pending.requestId, pending.handler, pending.failure);
        }
        failedQueue.clear();
        for (final Pending pending : pendingById.values())
        {
            fail(pending.requestId, pending.handler, RequestFailure.CLOSED);
        }
        pendingById.clear();
        for (final ResponderRegistration registration : respondersBySlot)
        {
            if (null != registration)
            {
                registration.markClosed();
            }
        }
    }

    private int timeOut(final long nowNs)
    {
        if (nowNs - nextDeadlineNs < 0)
        {
            return 0;
        }
        int work = 0;
        long next = Long.MAX_VALUE;
        final Long2ObjectHashMap<Pending>.EntryIterator entries = pendingById.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            final Pending pending = entries.getValue();
            if (nowNs - pending.deadlineNs >= 0)
            {
                entries.remove();
                fail(pending.requestId, pending.handler, RequestFailure.TIMEOUT);
                release(pending);
                work++;
            }
            else
            {
                next = Math.min(next, pending.deadlineNs);
            }
        }
        nextDeadlineNs = next;
        return work;
    }

    private void fail(final long requestId, final ReplyHandler handler, final RequestFailure reason)
    {
        counters.requestsFailed.incrementRelease();
        try
        {
            handler.onFailure(requestId, reason);
        }
        catch (final Throwable ex)
        {
            counters.handlerErrors.incrementRelease();
            errorHandler.onError(ex);
        }
    }

    private Pending pending(final long requestId, final ReplyHandler handler, final String topic)
    {
        Pending pending = pool.poll();
        if (null == pending)
        {
            pending = new Pending();
        }
        pending.requestId = requestId;
        pending.handler = handler;
        pending.topic = topic;
        pending.failure = null;
        pending.deadlineNs = Long.MAX_VALUE;
        pending.localSlot = -1;
        return pending;
    }

    private void release(final Pending pending)
    {
        pending.handler = null;
        pending.topic = null;
        pool.add(pending);
    }

    /**
     * A request asked of every responder: each member request's end is one step towards the gathering's end.
     */
    private static final class Gather implements ReplyHandler
    {
        final long requestId;
        final GatherHandler handler;
        int responders;
        int replies;
        int ended;

        Gather(final long requestId, final GatherHandler handler)
        {
            this.requestId = requestId;
            this.handler = handler;
        }

        public void onReply(
            final long memberId, final long responderEstateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            replies++;
            ended++;
            try
            {
                handler.onReply(requestId, responderEstateId, buffer, offset, length);
            }
            finally
            {
                endIfLast();
            }
        }

        public void onFailure(final long memberId, final RequestFailure reason)
        {
            ended++;
            endIfLast();
        }

        private void endIfLast()
        {
            if (ended == responders)
            {
                end();
            }
        }

        void end()
        {
            handler.onEnd(requestId, replies, responders);
        }
    }

    /**
     * A request waiting for its end; pooled.
     */
    private static final class Pending
    {
        long requestId;
        ReplyHandler handler;
        String topic;
        long responderEstateId;
        long deadlineNs;
        RequestFailure failure;
        int localSlot = -1;
        final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(64);
        int length;
        private final ExpandableArrayBuffer topicBytes = new ExpandableArrayBuffer(64);
        private int topicLength;

        void keep(final DirectBuffer buffer, final int offset, final int length)
        {
            payload.putBytes(0, buffer, offset, length);
            this.length = length;
            topicLength = topicBytes.putStringWithoutLengthAscii(0, topic);
        }

        DirectBuffer topicBytes()
        {
            return topicBytes;
        }

        int topicLength()
        {
            return topicLength;
        }
    }
}
