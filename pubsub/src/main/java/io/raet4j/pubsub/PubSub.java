package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.transactions.ChannelReservation;
import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.status.CounterSet;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * The pub/sub layer over one {@link Stack}: topics with wildcard subscriptions, interest told to every joined estate
 * so a publisher sends each publication only where it is wanted, without a broker; last values; request and reply.
 * It launches the stack, reserves channels {@value #CHANNEL_FIRST} to {@value #CHANNEL_FIRST} + {@value #CHANNEL_COUNT}
 * - 1 on it (the same numbers on every estate), and runs on the stack's duty-cycle thread: call {@link #doWork()}
 * where the stack's {@code doWork()} would be called; join other estates through {@link #stack()}.
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
 * The wire is in spec/PUBSUB.md section 2.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only, as the stack's data API.
 */
public final class PubSub implements AutoCloseable
{
    /** First channel the layer reserves on the stack. */
    public static final int CHANNEL_FIRST = 240;
    /** Number of channels the layer reserves: control, data, and room for priorities. */
    public static final int CHANNEL_COUNT = 8;
    /** Channel of Hello and Interest frames. */
    public static final int CONTROL_CHANNEL = CHANNEL_FIRST;
    /** Channel of requests, replies and NORMAL publications (see {@link Delivery}). */
    public static final int DATA_CHANNEL = CHANNEL_FIRST + 2;
    /** Version of the layer's protocol, sent in Hello. */
    public static final int LAYER_VERSION = 1;
    /** Returned when the payload exceeds the stack's largest message less the frame's header. */
    public static final long MESSAGE_TOO_LARGE = Stack.MESSAGE_TOO_LARGE;
    /** Returned by a {@link Publisher#blocking() blocking} publisher when an estate's channel is full: none got it. */
    public static final long BACK_PRESSURED = Stack.BACK_PRESSURED;
    /** Returned once the layer is closed. */
    public static final long CLOSED = Stack.CLOSED;

    private final PubSubContext ctx;
    private final Stack stack;
    private final ChannelReservation reservation;
    private final LayerOutcomes outcomes = new LayerOutcomes();
    private final CounterSet<PubSubCounterDescriptor> counterSet;
    private final PubSubCounters counters;
    private final int maxPayload;
    private final Peers peers = new Peers();
    private final Interest interest;
    private final LocalSubscriptions subscriptions;
    private final Publications publications;
    private final Requests requests;
    private final FrameReader frameReader;
    private final TopicPermissions permissions = new TopicPermissions();
    private final SystemTopics systemTopics;
    private final Scheduler scheduler;
    private final Introductions introductions;
    private boolean hasSubscribersListeners;
    private boolean isClosed;

    private PubSub(final PubSubContext ctx, final Stack stack)
    {
        this.ctx = ctx;
        this.stack = stack;
        this.maxPayload = ctx.stack().maxMessageBytes() - Math.max(Frames.PUBLISH_HEADER_LENGTH,
            Math.max(Frames.REQUEST_HEADER_LENGTH, Frames.REPLY_HEADER_LENGTH));
        this.counterSet = stack.addCounters(PubSubCounterDescriptor.class);
        this.counters = new PubSubCounters(counterSet);
        this.reservation = stack.reserveChannels("pubsub", ChannelSet.range(CHANNEL_FIRST, CHANNEL_COUNT));
        reservation.addDeliveryHandler(outcomes);
        final Frames frames = new Frames(reservation, counters, outcomes);
        final int cacheEntries = ctx.routeCacheEntries();
        this.interest = new Interest(peers, frames, counters, cacheEntries);
        this.subscriptions = new LocalSubscriptions(cacheEntries, counters, stack.errorHandler());
        this.publications = new Publications(
            peers, interest, subscriptions, frames, counters, stack.estateId(), permissions, stack.errorHandler());
        this.systemTopics = new SystemTopics(this, publications);
        interest.systemTopics(systemTopics);
        this.requests = new Requests(peers, interest, frames, counters, stack.errorHandler(),
            ctx.stack().transport().nanoClock(), stack.estateId(), cacheEntries, permissions);
        this.introductions = new Introductions(stack, peers, frames, counters, ctx.introductions());
        this.frameReader = new FrameReader(peers, interest, publications, requests, introductions, counters);
        this.scheduler = new Scheduler(ctx.stack().transport().nanoClock(), stack.errorHandler());
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
     * Run one duty cycle of the stack, then the layer's: first values for new subscriptions, the frames that
     * arrived, local requests and request timeouts, interest to send again.
     *
     * @return the amount of work done, 0 if idle.
     */
    public int doWork()
    {
        int work = stack.doWork();
        if (!isClosed)
        {
            work += publications.deliverFirstValues();
            work += 0 == subscriptions.boundedCount() ? reservation.poll(frameReader, ctx.pollLimit()) :
                reservation.controlledPoll(frameReader.controlled, ctx.pollLimit());
            work += requests.doWork();
            work += publications.flushConflated();
            if (hasSubscribersListeners)
            {
                work += publications.notifySubscriberChanges();
            }
            work += interest.resync();
            work += scheduler.doWork();
        }
        return work;
    }

    /**
     * The micro-threads run on this layer's duty-cycle thread, after the layer's own work in {@link #doWork()}, with
     * the stack's clock and error handler; closed with the layer.
     *
     * @return the scheduler.
     */
    public Scheduler scheduler()
    {
        return scheduler;
    }

    /**
     * Subscribe to a topic pattern: {@code *} matches one token, {@code >} one or more trailing tokens (spec/PUBSUB.md
     * section 1). Every joined estate learns the pattern, and every estate that joins later. The subscription gets
     * the kept last value of each matching topic first (see {@link Publisher#retainLastValue()}).
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
        final Subscription subscription = new Subscription(this, pattern, handler, subscriptions.freeSlot());
        subscriptions.add(subscription);
        interest.addLocal(InterestKind.SUBSCRIBE, pattern);
        publications.onSubscribed(subscription);
        return subscription;
    }

    /**
     * Subscribe an any-thread subscription's ring (see {@link ConcurrentSubscription#subscribe}).
     */
    Subscription subscribeBounded(final String pattern, final ConcurrentSubscription bounded)
    {
        Topics.requirePattern(pattern);
        requireOpen("subscribe");
        final Subscription subscription =
            new Subscription(this, pattern, (topic, estateId, buffer, offset, length) -> {}, subscriptions.freeSlot(),
            bounded);
        subscriptions.add(subscription);
        interest.addLocal(InterestKind.SUBSCRIBE, pattern);
        publications.onSubscribed(subscription);
        return subscription;
    }

    /**
     * The longest publication payload the layer takes.
     *
     * @return bytes.
     */
    int maxPayload()
    {
        return maxPayload;
    }

    /**
     * The publisher of a topic id this layer gave, or null.
     */
    Publisher publisherById(final int topicId)
    {
        return publications.publisherById(topicId);
    }

    /**
     * The handle to publish (or request) on a topic; the same handle for the same topic.
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
        return publications.publisher(this, topic);
    }

    /**
     * Answer requests on the topics a pattern matches. Every joined estate learns the pattern, and every estate that
     * joins later.
     *
     * @param pattern   the pattern.
     * @param responder called for each request on the duty-cycle thread.
     * @return the registration; close it to stop answering.
     * @throws IllegalArgumentException if the pattern is not valid.
     * @throws IllegalStateException    if the layer is closed.
     */
    public ResponderRegistration respond(final String pattern, final Responder responder)
    {
        Topics.requirePattern(pattern);
        if (null == responder)
        {
            throw new NullPointerException("responder is null: give the responder for " + pattern);
        }
        requireOpen("respond");
        return requests.register(pattern, responder);
    }

    /**
     * Ask one responder on a topic: a local responder if one matches, else one of the joined estates whose responders
     * match, in turn. The request ends exactly once, through the handler and never inside this call: a reply, or a
     * {@link RequestFailure} ({@code NO_RESPONDERS} at the next duty cycle when nobody matches, {@code TIMEOUT},
     * {@code PEER_DEAD}, {@code DENIED}, {@code RESPONDER_FAILED}, {@code NOT_SENT}, {@code CLOSED}).
     *
     * @param topic     from {@link #publisher(String)}.
     * @param buffer    holding the request.
     * @param offset    of the request.
     * @param length    of the request.
     * @param timeoutNs how long to wait for a reply from another estate.
     * @param handler   told how the request ended.
     * @return the request id (1 or more), or {@link #MESSAGE_TOO_LARGE} or {@link #CLOSED}, in which case the handler
     *         is not called.
     */
    public long request(
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs,
        final ReplyHandler handler)
    {
        final long refusal = refusal(length);
        return 0 != refusal ? refusal : requests.request(topic, buffer, offset, length, timeoutNs, handler);
    }

    /**
     * What other estates may do on which topics at this stack; by default an accepted estate may do everything.
     *
     * @return the permissions, to add rules to.
     */
    public TopicPermissions permissions()
    {
        return permissions;
    }

    /**
     * Add a handler for the outcomes of what the application offered through the layer: each publication copy taken
     * by an estate ({@link Publisher#publish} returns how many), on its {@link Delivery}'s channel
     * ({@link #DATA_CHANNEL} for NORMAL, the default; best-effort copies have no outcome), and each request and reply
     * sent to another estate, on {@link #DATA_CHANNEL}. Each ends exactly once, delivered, failed or uncertain, as
     * {@link DeliveryHandler} says; when every copy has its outcome, their count equals the copies taken. The layer's
     * own messages are not reported here: Hello, Interest, Introduce, topic declarations, and the copies it sends on
     * its own initiative, which {@code publish} did not count (a retained last value sent to an estate that subscribes
     * later; a conflated value sent once a slow estate's channel has room). The stack's application handlers see none
     * of the layer's outcomes. Adding one twice has no effect.
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
        outcomes.add(handler);
        return this;
    }

    /**
     * Ask every responder of a topic and gather their replies: each local responder (at the next duty cycle) and one
     * request to each joined estate whose responders match (and may respond, see {@link #permissions()}). Each reply
     * reaches the handler as it comes; the handler's end comes exactly once, when every responder asked has replied
     * or failed, at once (at the next duty cycle) when none matched. Control path: allocates the gathering.
     *
     * @param topic     from {@link #publisher(String)}.
     * @param buffer    holding the request.
     * @param offset    of the request.
     * @param length    of the request.
     * @param timeoutNs how long to wait for each estate's reply.
     * @param handler   given the replies and the end.
     * @return the request id (1 or more), or {@link #MESSAGE_TOO_LARGE} or {@link #CLOSED}, in which case the handler
     *         is not called.
     */
    public long requestAll(
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs,
        final GatherHandler handler)
    {
        final long refusal = refusal(length);
        return 0 != refusal ? refusal : requests.requestAll(topic, buffer, offset, length, timeoutNs, handler);
    }

    /**
     * Value of one of the layer's counters; after {@link #close()}, its value when the layer closed.
     *
     * @param descriptor of the counter.
     * @return its value.
     */
    public long counter(final PubSubCounterDescriptor descriptor)
    {
        return counterSet.value(descriptor);
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
     * Close the layer and its stack: subscriptions and responders end, requests still waiting end with
     * {@link RequestFailure#CLOSED}, estates are told the stack leaves. Idempotent.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            scheduler.close();
            subscriptions.closeAll();
            requests.close();
            CloseHelper.close(stack);
        }
    }

    long publish(final Publisher publisher, final DirectBuffer buffer, final int offset, final int length)
    {
        final long refusal = refusal(length);
        return 0 != refusal ? refusal : publications.publish(publisher, buffer, offset, length);
    }

    /**
     * Why a publication or request of this length is refused at once: {@link #CLOSED}, {@link #MESSAGE_TOO_LARGE}, or
     * 0 when it is not.
     */
    private long refusal(final int length)
    {
        if (isClosed)
        {
            return CLOSED;
        }
        return length < 0 || length > maxPayload ? MESSAGE_TOO_LARGE : 0;
    }

    SlotList remoteRoute(final Publisher publisher)
    {
        return publications.remoteRoute(publisher);
    }

    void subscribersListenerAdded()
    {
        hasSubscribersListeners = true;
        publications.forceSubscriberCheck();
    }

    int localSubscribers(final Publisher publisher)
    {
        return publications.localRoute(publisher).size();
    }

    int remoteResponders(final Publisher publisher)
    {
        return requests.remoteResponders(publisher);
    }

    void unsubscribe(final Subscription subscription)
    {
        subscription.markClosed();
        if (isClosed)
        {
            return;
        }
        subscriptions.remove(subscription);
        interest.removeLocal(InterestKind.SUBSCRIBE, subscription.pattern());
        publications.onUnsubscribed();
    }

    private void onPresence(final long estateId, final String name, final PresenceEvent event)
    {
        if (isClosed)
        {
            return;
        }
        systemTopics.onPresence(estateId, name, event);
        switch (event)
        {
            case JOINED:
            case RENEWED:
            {
                // A new session of the peer: nothing it knew of this stack survives, nor what it told this one.
                final Peer peer = peers.getOrAdd(estateId);
                peer.name = name;
                requests.onSessionEnded(peer);
                peer.resetSession();
                interest.onNewSession(peer);
                introductions.onJoined(peer);
                break;
            }
            case DEAD:
            case REAPED:
            {
                final Peer peer = peers.remove(estateId);
                introductions.onGone(estateId);
                if (null != peer)
                {
                    interest.forget(peer);
                    requests.onSessionEnded(peer);
                }
                break;
            }
            default:
                break;
        }
    }

    private void requireOpen(final String call)
    {
        if (isClosed)
        {
            throw new IllegalStateException(call + " on a closed pub/sub layer: launch a new one");
        }
    }
}
