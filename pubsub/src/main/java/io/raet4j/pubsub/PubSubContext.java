package io.raet4j.pubsub;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;

import static io.raet4j.transport.Context.requireRange;

/**
 * Configuration of the pub/sub layer of one stack: its own settings, and the {@link StackContext} of the stack it
 * launches (which holds the transport's {@link Context}). {@link #conclude()} sets the delivery modes of the channels
 * the layer reserves on the stack context, then concludes it. Fluent accessors named like the property.
 * <p>
 * NOT thread safe: build it on one thread and hand it to {@link PubSub#launch(PubSubContext)}.
 */
public final class PubSubContext
{
    /** Property for {@link #routeCacheEntries()}. */
    public static final String ROUTE_CACHE_ENTRIES_PROP_NAME = "raet4j.pubsub.route.cache.entries";
    /** Default number of entries in each topic-to-subscribers route cache. */
    public static final int ROUTE_CACHE_ENTRIES_DEFAULT = SubscriptionTrie.DEFAULT_ROUTE_CACHE_ENTRIES;

    /** Property for {@link #pollLimit()}. */
    public static final String POLL_LIMIT_PROP_NAME = "raet4j.pubsub.poll.limit";
    /** Default number of the layer's frames handled per duty cycle. */
    public static final int POLL_LIMIT_DEFAULT = 64;

    /** Property for {@link #introductions()}. */
    public static final String INTRODUCTIONS_PROP_NAME = "raet4j.pubsub.introductions";

    private final StackContext stack;
    private boolean isConcluded;
    private int routeCacheEntries = Integer.getInteger(ROUTE_CACHE_ENTRIES_PROP_NAME, ROUTE_CACHE_ENTRIES_DEFAULT);
    private int pollLimit = Integer.getInteger(POLL_LIMIT_PROP_NAME, POLL_LIMIT_DEFAULT);
    private boolean introductions = Boolean.getBoolean(INTRODUCTIONS_PROP_NAME);

    /**
     * New context over a new stack context with its defaults.
     */
    public PubSubContext()
    {
        this(new StackContext());
    }

    /**
     * New context over the stack context given.
     *
     * @param stack the settings of the stack the layer launches.
     */
    public PubSubContext(final StackContext stack)
    {
        if (null == stack)
        {
            throw new NullPointerException("stack context is null: pass new StackContext() for the defaults");
        }
        this.stack = stack;
    }

    /**
     * The stack's settings.
     *
     * @return the stack context.
     */
    public StackContext stack()
    {
        return stack;
    }

    /**
     * Validate, set the reserved channels' delivery modes on the stack context and conclude it. May be called once.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException    if already concluded, or the stack context was concluded before the layer could
     *                                  set its channels' modes.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public PubSubContext conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("pub/sub context already concluded");
        }
        if (stack.isConcluded())
        {
            throw new IllegalStateException("the stack context was concluded already: hand it to the pub/sub " +
                "context unconcluded, so the layer can set the modes of its channels " + PubSub.CHANNEL_FIRST + " to " +
                (PubSub.CHANNEL_FIRST + PubSub.CHANNEL_COUNT - 1));
        }
        isConcluded = true;
        requireRange("routeCacheEntries", routeCacheEntries, 1, SubscriptionTrie.MAX_ROUTE_CACHE_ENTRIES);
        requireRange("pollLimit", pollLimit, 1, 1 << 20);
        for (int channel = PubSub.CHANNEL_FIRST; channel < PubSub.CHANNEL_FIRST + PubSub.CHANNEL_COUNT; channel++)
        {
            stack.channelMode(channel, DeliveryMode.RELIABLE_ORDERED);
        }
        stack.channelMode(Delivery.BEST_EFFORT.channel(), DeliveryMode.BEST_EFFORT);
        stack.conclude();
        return this;
    }

    /**
     * Has {@link #conclude()} been called.
     *
     * @return true once concluded.
     */
    public boolean isConcluded()
    {
        return isConcluded;
    }

    /**
     * Entries in each route cache (topic to matching subscribers), for local subscriptions and for other estates'
     * interest. Default {@link #ROUTE_CACHE_ENTRIES_DEFAULT}.
     *
     * @return the number of entries.
     */
    public int routeCacheEntries()
    {
        return routeCacheEntries;
    }

    /**
     * Entries in each route cache.
     *
     * @param routeCacheEntries 1 to {@link SubscriptionTrie#MAX_ROUTE_CACHE_ENTRIES}.
     * @return this for a fluent API.
     */
    public PubSubContext routeCacheEntries(final int routeCacheEntries)
    {
        this.routeCacheEntries = routeCacheEntries;
        return this;
    }

    /**
     * Whether estates are introduced to each other: an estate that joins this stack is told the others it is joined
     * with and they are told of it, and this stack joins estates it is introduced to (the side with the lower estate
     * id joins), so a mesh forms from one first join per estate. Joins still go through the keep. Default false.
     *
     * @return true if introductions are on.
     */
    public boolean introductions()
    {
        return introductions;
    }

    /**
     * Whether estates are introduced to each other.
     *
     * @param introductions true to form a mesh from first joins.
     * @return this for a fluent API.
     */
    public PubSubContext introductions(final boolean introductions)
    {
        this.introductions = introductions;
        return this;
    }

    /**
     * Frames of the layer handled per duty cycle at most. Default {@link #POLL_LIMIT_DEFAULT}.
     *
     * @return the limit.
     */
    public int pollLimit()
    {
        return pollLimit;
    }

    /**
     * Frames of the layer handled per duty cycle at most.
     *
     * @param pollLimit 1 to 2^20.
     * @return this for a fluent API.
     */
    public PubSubContext pollLimit(final int pollLimit)
    {
        this.pollLimit = pollLimit;
        return this;
    }
}
