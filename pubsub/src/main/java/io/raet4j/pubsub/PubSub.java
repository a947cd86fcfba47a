package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.HelloDecoder;
import io.raet4j.pubsub.sbe.HelloEncoder;
import io.raet4j.pubsub.sbe.InterestDecoder;
import io.raet4j.pubsub.sbe.InterestEncoder;
import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.InterestOp;
import io.raet4j.pubsub.sbe.MessageHeaderDecoder;
import io.raet4j.pubsub.sbe.MessageHeaderEncoder;
import io.raet4j.pubsub.sbe.PublishDecoder;
import io.raet4j.pubsub.sbe.PublishEncoder;
import io.raet4j.pubsub.sbe.TopicDeclareDecoder;
import io.raet4j.pubsub.sbe.TopicDeclareEncoder;
import io.raet4j.transactions.ChannelReservation;
import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.status.CounterSet;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pub/sub layer over one {@link Stack}: topics with wildcard subscriptions, interest told to every joined estate
 * so a publisher sends each publication only where it is wanted, without a broker. It launches the stack, reserves
 * channels {@value #CHANNEL_FIRST} to {@value #CHANNEL_FIRST} + {@value #CHANNEL_COUNT} - 1 on it (the same numbers
 * on every estate), and runs on the stack's duty-cycle thread: call {@link #doWork()} where the stack's
 * {@code doWork()} would be called; join other estates through {@link #stack()}.
 * <pre>{@code
 * try (PubSub pubSub = PubSub.launch(new PubSubContext(new StackContext(new Context().name("alpha")))))
 * {
 *     pubSub.subscribe("sensors.*.temperature", (topic, estateId, buffer, offset, length) -> ...);
 *     final Publisher publisher = pubSub.publisher("sensors.kitchen.temperature");
 *     pubSub.stack().join("127.0.0.1:7531");
 *     while (running)
 *     {
 *         pubSub.doWork();
 *         publisher.publish(buffer, 0, length);
 *     }
 * }
 * }</pre>
 * The wire (spec/PUBSUB.md): on the control channel each stack sends a Hello and every pattern it subscribes to when a
 * peer joins or renews, then each pattern added or removed; on the data channel a topic's id is declared to an estate
 * once before its first publication there, and publications carry the id. A dead or renewed estate's interest is
 * dropped at once.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only, as the stack's data API.
 */
public final class PubSub implements AutoCloseable
{
    /** First channel the layer reserves on the stack. */
    public static final int CHANNEL_FIRST = 240;
    /** Number of channels the layer reserves: control, data, and room for priorities and requests. */
    public static final int CHANNEL_COUNT = 8;
    /** Channel of Hello and Interest frames. */
    public static final int CONTROL_CHANNEL = CHANNEL_FIRST;
    /** Channel of topic declarations and reliable publications. */
    public static final int DATA_CHANNEL = CHANNEL_FIRST + 1;
    /** Version of the layer's protocol, sent in Hello. */
    public static final int LAYER_VERSION = 1;
    /** Returned by {@link Publisher#publish} when the payload exceeds the stack's largest message less the header. */
    public static final long MESSAGE_TOO_LARGE = Stack.MESSAGE_TOO_LARGE;
    /** Returned by {@link Publisher#publish} once the layer is closed. */
    public static final long CLOSED = Stack.CLOSED;

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int PUBLISH_HEADER_LENGTH = HEADER_LENGTH + PublishEncoder.BLOCK_LENGTH;
    private static final int VAR_LENGTH_BYTES = 2;

    private final PubSubContext ctx;
    private final Stack stack;
    private final ChannelReservation reservation;
    private final CounterSet<PubSubCounterDescriptor> counters;
    private final AtomicCounter interestSent;
    private final AtomicCounter interestReceived;
    private final AtomicCounter topicsDeclared;
    private final AtomicCounter publicationsSent;
    private final AtomicCounter publicationsReceived;
    private final AtomicCounter publicationsDelivered;
    private final AtomicCounter publicationsBackPressured;
    private final AtomicCounter publicationsUnmatched;
    private final AtomicCounter unknownTopicIds;
    private final AtomicCounter malformedFrames;
    private final AtomicCounter handlerErrors;
    private final ErrorHandler errorHandler;
    private final int maxPayload;

    private final SubscriptionTrie localTrie;
    private final SubscriptionTrie remoteTrie;
    private final Long2ObjectHashMap<Peer> peersById = new Long2ObjectHashMap<>();
    private Peer[] peersBySlot = new Peer[16];
    private Subscription[] subscriptions = new Subscription[16];
    private final Object2IntHashMap<String> patternCounts = new Object2IntHashMap<>(0);
    private final Map<String, Publisher> publishers = new HashMap<>();
    private final List<Publisher> publishersById = new ArrayList<>();
    private int[][] routeSnapshots = new int[4][16];
    private int deliveryDepth;
    private boolean isResyncPending;
    private boolean isClosed;

    private final ExpandableArrayBuffer publishBuffer = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer controlBuffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final InterestEncoder interestEncoder = new InterestEncoder();
    private final InterestDecoder interestDecoder = new InterestDecoder();
    private final TopicDeclareEncoder declareEncoder = new TopicDeclareEncoder();
    private final TopicDeclareDecoder declareDecoder = new TopicDeclareDecoder();
    private final PublishEncoder publishEncoder = new PublishEncoder();
    private final PublishDecoder publishDecoder = new PublishDecoder();
    private final MessageHandler frameHandler = this::onFrame;

    private PubSub(final PubSubContext ctx, final Stack stack)
    {
        this.ctx = ctx;
        this.stack = stack;
        this.errorHandler = stack.errorHandler();
        this.maxPayload = ctx.stack().maxMessageBytes() - PUBLISH_HEADER_LENGTH;
        this.localTrie = new SubscriptionTrie(ctx.routeCacheEntries(), SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
        this.remoteTrie = new SubscriptionTrie(ctx.routeCacheEntries(), SubscriptionTrie.DEFAULT_ROUTE_CACHE_MAX_IDS);
        this.counters = stack.addCounters(PubSubCounterDescriptor.class);
        interestSent = counters.get(PubSubCounterDescriptor.INTEREST_SENT);
        interestReceived = counters.get(PubSubCounterDescriptor.INTEREST_RECEIVED);
        topicsDeclared = counters.get(PubSubCounterDescriptor.TOPICS_DECLARED);
        publicationsSent = counters.get(PubSubCounterDescriptor.PUBLICATIONS_SENT);
        publicationsReceived = counters.get(PubSubCounterDescriptor.PUBLICATIONS_RECEIVED);
        publicationsDelivered = counters.get(PubSubCounterDescriptor.PUBLICATIONS_DELIVERED);
        publicationsBackPressured = counters.get(PubSubCounterDescriptor.PUBLICATIONS_BACK_PRESSURED);
        publicationsUnmatched = counters.get(PubSubCounterDescriptor.PUBLICATIONS_UNMATCHED);
        unknownTopicIds = counters.get(PubSubCounterDescriptor.UNKNOWN_TOPIC_IDS);
        malformedFrames = counters.get(PubSubCounterDescriptor.MALFORMED_FRAMES);
        handlerErrors = counters.get(PubSubCounterDescriptor.HANDLER_ERRORS);
        this.reservation = stack.reserveChannels("pubsub", ChannelSet.range(CHANNEL_FIRST, CHANNEL_COUNT));
        stack.addPresenceHandler(this::onPresence);
    }

    /**
     * Launch the layer and its stack: conclude the context if needed (setting the modes of the layer's channels on
     * the stack context), launch the stack, reserve the layer's channels.
     *
     * @param ctx the layer's settings, holding the stack's.
     * @return the layer.
     */
    public static PubSub launch(final PubSubContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        final Stack stack = Stack.launch(ctx.stack());
        try
        {
            return new PubSub(ctx, stack);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(stack);
            throw ex;
        }
    }

    /**
     * The stack the layer runs on: join estates, watch presence, read its counters through it. Its channels
     * {@value #CHANNEL_FIRST} to {@value #CHANNEL_FIRST} + {@value #CHANNEL_COUNT} - 1 belong to the layer.
     *
     * @return the stack.
     */
    public Stack stack()
    {
        return stack;
    }

    /**
     * The layer's settings.
     *
     * @return the context.
     */
    public PubSubContext context()
    {
        return ctx;
    }

    /**
     * Run one duty cycle of the stack, then handle the layer's frames that arrived.
     *
     * @return the amount of work done, 0 if idle.
     */
    public int doWork()
    {
        int work = stack.doWork();
        if (!isClosed)
        {
            work += reservation.poll(frameHandler, ctx.pollLimit());
            if (isResyncPending)
            {
                work += resync();
            }
        }
        return work;
    }

    /**
     * Subscribe to a topic pattern: {@code *} matches one token, {@code >} one or more trailing tokens (spec/PUBSUB.md
     * section 1). Every joined estate learns the pattern, and every estate that joins later.
     *
     * @param pattern the pattern.
     * @param handler given each matching publication on the duty-cycle thread.
     * @return the subscription; close it to unsubscribe.
     * @throws IllegalArgumentException if the pattern is not valid: the message says what is wrong and where.
     * @throws IllegalStateException    if the layer is closed.
     */
    public Subscription subscribe(final String pattern, final PublicationHandler handler)
    {
        Topics.requirePattern(pattern);
        if (null == handler)
        {
            throw new NullPointerException("handler is null: give the handler of the subscription to " + pattern);
        }
        requireOpen("subscribe");
        final int slot = freeSubscriptionSlot();
        final Subscription subscription = new Subscription(this, pattern, handler, slot);
        subscriptions[slot] = subscription;
        localTrie.add(pattern, slot);
        final int count = patternCounts.getValue(pattern) + 1;
        patternCounts.put(pattern, count);
        if (1 == count)
        {
            sendInterestToAll(InterestOp.ADD, pattern);
        }
        return subscription;
    }

    /**
     * The handle to publish on a topic; the same handle for the same topic.
     *
     * @param topic the topic name, not a pattern and not a system ({@code $raet.}) topic.
     * @return the publisher.
     * @throws IllegalArgumentException if the topic is not valid or is a system topic.
     * @throws IllegalStateException    if the layer is closed.
     */
    public Publisher publisher(final String topic)
    {
        Topics.requireTopic(topic);
        if (Topics.isSystem(topic))
        {
            throw new IllegalArgumentException("topic \"" + topic + "\" is a system topic (" + Topics.SYSTEM_PREFIX +
                "...): only the layer publishes there; choose a name that does not start with " + Topics.SYSTEM_TOKEN);
        }
        requireOpen("publisher");
        Publisher publisher = publishers.get(topic);
        if (null == publisher)
        {
            publisher = new Publisher(this, topic, publishersById.size() + 1);
            publishers.put(topic, publisher);
            publishersById.add(publisher);
        }
        return publisher;
    }

    /**
     * Add a handler for the outcomes of the messages the layer offers to other estates, registered on the layer's
     * channel reservation ({@code ChannelReservation.addDeliveryHandler}): Hello and Interest frames on
     * {@link #CONTROL_CHANNEL}, topic declarations and publication copies on {@link #DATA_CHANNEL}. Each ends
     * delivered, failed or uncertain, as {@link DeliveryHandler} says. {@link Publisher#publish} returns no message
     * ids, so count: when every copy has its outcome, the data channel's outcomes equal the copies taken by estates
     * plus {@link PubSubCounterDescriptor#TOPICS_DECLARED}. The stack's application handlers never see these
     * outcomes. Adding one twice has no effect.
     *
     * @param handler called on the duty-cycle thread, at the stack's safe points.
     * @return this for a fluent API.
     * @throws IllegalStateException if the layer is closed.
     */
    public PubSub addDeliveryHandler(final DeliveryHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler is null: give the handler of the layer's outcomes");
        }
        requireOpen("addDeliveryHandler");
        reservation.addDeliveryHandler(handler);
        return this;
    }

    /**
     * Value of one of the layer's counters; after {@link #close()}, its value when the layer closed.
     *
     * @param descriptor of the counter.
     * @return its value.
     */
    public long counter(final PubSubCounterDescriptor descriptor)
    {
        return counters.value(descriptor);
    }

    /**
     * Whether the layer (and its stack) is closed.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Close the layer and its stack: subscriptions end, estates are told the stack leaves. Idempotent.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            for (final Subscription subscription : subscriptions)
            {
                if (null != subscription)
                {
                    subscription.markClosed();
                }
            }
            CloseHelper.close(stack);
        }
    }

    long publish(final Publisher publisher, final DirectBuffer buffer, final int offset, final int length)
    {
        if (isClosed)
        {
            return CLOSED;
        }
        if (length > maxPayload || length < 0)
        {
            return MESSAGE_TOO_LARGE;
        }
        long copies = 0;
        int backPressured = 0;
        final SlotList remote = remoteRoute(publisher);
        if (remote.size() > 0)
        {
            publishEncoder.wrapAndApplyHeader(publishBuffer, 0, headerEncoder).topicId(publisher.topicId);
            publishEncoder.flags().clear();
            publishBuffer.putBytes(PUBLISH_HEADER_LENGTH, buffer, offset, length);
            for (int i = 0, size = remote.size(); i < size; i++)
            {
                final Peer peer = peersBySlot[remote.get(i)];
                if (!peer.isDeclared(publisher.topicId) && !declare(peer, publisher))
                {
                    backPressured++;
                    continue;
                }
                final long result = reservation.offer(
                    peer.estateId, DATA_CHANNEL, publishBuffer, 0, PUBLISH_HEADER_LENGTH + length);
                if (result >= 0)
                {
                    copies++;
                }
                else if (Stack.BACK_PRESSURED == result)
                {
                    backPressured++;
                }
            }
            publicationsSent.getAndAddRelease(copies);
            if (backPressured > 0)
            {
                publicationsBackPressured.getAndAddRelease(backPressured);
            }
        }
        publisher.lastBackPressured = backPressured;
        final SlotList local = localRoute(publisher);
        if (local.size() > 0)
        {
            copies += deliver(local, publisher.topic(), stack.estateId(), buffer, offset, length);
        }
        return copies;
    }

    SlotList remoteRoute(final Publisher publisher)
    {
        final long version = remoteTrie.version();
        if (publisher.remoteRouteVersion != version)
        {
            publisher.remoteRoute.clear();
            remoteTrie.match(publisher.topicBytes, 0, publisher.topicBytes.capacity(), publisher.remoteRoute);
            publisher.remoteRouteVersion = version;
        }
        return publisher.remoteRoute;
    }

    private SlotList localRoute(final Publisher publisher)
    {
        final long version = localTrie.version();
        if (publisher.localRouteVersion != version)
        {
            publisher.localRoute.clear();
            localTrie.match(publisher.topicBytes, 0, publisher.topicBytes.capacity(), publisher.localRoute);
            publisher.localRouteVersion = version;
        }
        return publisher.localRoute;
    }

    private SlotList localRoute(final InboundTopic topic)
    {
        final long version = localTrie.version();
        if (topic.routeVersion != version)
        {
            topic.route.clear();
            localTrie.match(topic.nameBytes, 0, topic.nameBytes.capacity(), topic.route);
            topic.routeVersion = version;
        }
        return topic.route;
    }

    /**
     * Hand a publication to the subscriptions of a route. The route is copied first: a handler may subscribe,
     * unsubscribe or publish, which recomputes routes; a subscription closed meanwhile is skipped.
     */
    private int deliver(
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
                final Subscription subscription = subscriptions[snapshot[i]];
                if (null == subscription || subscription.isClosed())
                {
                    continue;
                }
                delivered++;
                try
                {
                    subscription.handler().onPublication(topic, estateId, buffer, offset, length);
                }
                catch (final Throwable ex)
                {
                    handlerErrors.incrementRelease();
                    errorHandler.onError(ex);
                }
            }
        }
        finally
        {
            deliveryDepth--;
        }
        publicationsDelivered.getAndAddRelease(delivered);
        return delivered;
    }

    void unsubscribe(final Subscription subscription)
    {
        subscription.markClosed();
        if (isClosed)
        {
            return;
        }
        localTrie.remove(subscription.pattern(), subscription.slot);
        subscriptions[subscription.slot] = null;
        final String pattern = subscription.pattern();
        final int count = patternCounts.getValue(pattern) - 1;
        if (count <= 0)
        {
            patternCounts.removeKey(pattern);
            sendInterestToAll(InterestOp.REMOVE, pattern);
        }
        else
        {
            patternCounts.put(pattern, count);
        }
    }

    private void onPresence(final long estateId, final String name, final PresenceEvent event)
    {
        if (isClosed)
        {
            return;
        }
        switch (event)
        {
            case JOINED:
            case RENEWED:
            {
                // A new session of the peer: nothing it knew of this stack survives, nor what it told this one.
                final Peer peer = peer(estateId);
                forgetInterest(peer);
                peer.resetSession();
                sendFullInterest(peer);
                break;
            }
            case DEAD:
            case REAPED:
            {
                final Peer peer = peersById.remove(estateId);
                if (null != peer)
                {
                    forgetInterest(peer);
                    peersBySlot[peer.slot] = null;
                }
                break;
            }
            default:
                break;
        }
    }

    private Peer peer(final long estateId)
    {
        Peer peer = peersById.get(estateId);
        if (null == peer)
        {
            int slot = 0;
            while (slot < peersBySlot.length && null != peersBySlot[slot])
            {
                slot++;
            }
            if (slot == peersBySlot.length)
            {
                peersBySlot = Arrays.copyOf(peersBySlot, slot * 2);
            }
            peer = new Peer(estateId, slot);
            peersBySlot[slot] = peer;
            peersById.put(estateId, peer);
        }
        return peer;
    }

    private void forgetInterest(final Peer peer)
    {
        for (final String pattern : peer.patterns)
        {
            remoteTrie.remove(pattern, peer.slot);
        }
        peer.patterns.clear();
    }

    private void sendFullInterest(final Peer peer)
    {
        helloEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .layerVersion(LAYER_VERSION)
            .patternCount(patternCounts.size());
        boolean isSent = offerControl(peer, HEADER_LENGTH + helloEncoder.encodedLength());
        for (final String pattern : patternCounts.keySet())
        {
            if (!isSent)
            {
                break;
            }
            isSent = sendInterest(peer, InterestOp.ADD, pattern);
        }
        peer.isResyncPending = !isSent;
        isResyncPending |= !isSent;
    }

    private int resync()
    {
        isResyncPending = false;
        int work = 0;
        for (final Peer peer : peersBySlot)
        {
            if (null != peer && peer.isResyncPending)
            {
                sendFullInterest(peer);
                work++;
            }
        }
        return work;
    }

    private void sendInterestToAll(final InterestOp op, final String pattern)
    {
        for (final Peer peer : peersBySlot)
        {
            if (null != peer && !peer.isResyncPending && !sendInterest(peer, op, pattern))
            {
                // The control channel to it is full: send the whole interest again when there is room.
                peer.isResyncPending = true;
                isResyncPending = true;
            }
        }
    }

    private boolean sendInterest(final Peer peer, final InterestOp op, final String pattern)
    {
        interestEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .op(op)
            .kind(InterestKind.SUBSCRIBE)
            .pattern(pattern);
        return offerControl(peer, HEADER_LENGTH + interestEncoder.encodedLength());
    }

    private boolean offerControl(final Peer peer, final int length)
    {
        final long result = reservation.offer(peer.estateId, CONTROL_CHANNEL, controlBuffer, 0, length);
        if (result >= 0)
        {
            interestSent.incrementRelease();
            return true;
        }
        // Not connected: the peer is gone or renewing; it is sent everything again when it joins or renews.
        return Stack.NOT_CONNECTED == result || Stack.CLOSED == result;
    }

    private boolean declare(final Peer peer, final Publisher publisher)
    {
        declareEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .topicId(publisher.topicId)
            .topicName(publisher.topic());
        final long result = reservation.offer(
            peer.estateId, DATA_CHANNEL, controlBuffer, 0, HEADER_LENGTH + declareEncoder.encodedLength());
        if (result >= 0)
        {
            peer.declared(publisher.topicId);
            topicsDeclared.incrementRelease();
            return true;
        }
        return false;
    }

    private void onFrame(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            if (length < HEADER_LENGTH)
            {
                malformedFrames.incrementRelease();
                return;
            }
            headerDecoder.wrap(buffer, offset);
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final int body = offset + HEADER_LENGTH;
            if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID || HEADER_LENGTH + blockLength > length)
            {
                malformedFrames.incrementRelease();
                return;
            }
            final Peer peer = peer(estateId);
            switch (headerDecoder.templateId())
            {
                case HelloDecoder.TEMPLATE_ID:
                    interestReceived.incrementRelease();
                    forgetInterest(peer);
                    break;
                case InterestDecoder.TEMPLATE_ID:
                    onInterest(peer, buffer, body, blockLength, version, offset + length);
                    break;
                case TopicDeclareDecoder.TEMPLATE_ID:
                    onDeclare(peer, buffer, body, blockLength, version, offset + length);
                    break;
                case PublishDecoder.TEMPLATE_ID:
                    onPublish(peer, buffer, body, blockLength, version, offset + length);
                    break;
                default:
                    malformedFrames.incrementRelease();
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            // A frame that breaks the decoders is dropped and counted; nothing escapes into the duty cycle.
            malformedFrames.incrementRelease();
        }
    }

    private void onInterest(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        interestDecoder.wrap(buffer, body, blockLength, version);
        final int nameOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int nameLength = varLength(buffer, body + blockLength, end);
        final InterestOp op = interestDecoder.op();
        if (nameLength < 0 || InterestOp.NULL_VAL == op || InterestKind.SUBSCRIBE != interestDecoder.kind() ||
            TopicError.OK != Topics.validatePattern(buffer, nameOffset, nameLength))
        {
            malformedFrames.incrementRelease();
            return;
        }
        interestReceived.incrementRelease();
        final String pattern = buffer.getStringWithoutLengthAscii(nameOffset, nameLength);
        if (InterestOp.ADD == op)
        {
            if (peer.patterns.add(pattern))
            {
                remoteTrie.add(pattern, peer.slot);
            }
        }
        else if (peer.patterns.remove(pattern))
        {
            remoteTrie.remove(pattern, peer.slot);
        }
    }

    private void onDeclare(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        declareDecoder.wrap(buffer, body, blockLength, version);
        final long topicId = declareDecoder.topicId();
        final int nameOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int nameLength = varLength(buffer, body + blockLength, end);
        if (nameLength < 0 || 0 == topicId || topicId > Integer.MAX_VALUE ||
            TopicError.OK != Topics.validateTopic(buffer, nameOffset, nameLength))
        {
            malformedFrames.incrementRelease();
            return;
        }
        peer.inbound.put((int)topicId, new InboundTopic(buffer.getStringWithoutLengthAscii(nameOffset, nameLength)));
    }

    private void onPublish(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        publishDecoder.wrap(buffer, body, blockLength, version);
        final long topicId = publishDecoder.topicId();
        final InboundTopic topic = topicId > 0 && topicId <= Integer.MAX_VALUE ? peer.inbound.get((int)topicId) : null;
        if (null == topic)
        {
            unknownTopicIds.incrementRelease();
            return;
        }
        publicationsReceived.incrementRelease();
        final SlotList route = localRoute(topic);
        if (0 == route.size())
        {
            publicationsUnmatched.incrementRelease();
            return;
        }
        final int payload = body + blockLength;
        deliver(route, topic.name, peer.estateId, buffer, payload, end - payload);
    }

    /**
     * The length of a variable-length field whose 2-byte length is at {@code at}, or -1 if it does not fit before
     * {@code end}.
     */
    private static int varLength(final DirectBuffer buffer, final int at, final int end)
    {
        if (at + VAR_LENGTH_BYTES > end)
        {
            return -1;
        }
        final int length = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return at + VAR_LENGTH_BYTES + length <= end ? length : -1;
    }

    private int freeSubscriptionSlot()
    {
        for (int slot = 0; slot < subscriptions.length; slot++)
        {
            if (null == subscriptions[slot])
            {
                return slot;
            }
        }
        final int slot = subscriptions.length;
        subscriptions = Arrays.copyOf(subscriptions, slot * 2);
        return slot;
    }

    private void requireOpen(final String call)
    {
        if (isClosed)
        {
            throw new IllegalStateException(call + " on a closed pub/sub layer: launch a new one");
        }
    }
}
