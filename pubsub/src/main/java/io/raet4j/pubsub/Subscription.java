package io.raet4j.pubsub;

/**
 * A subscription to a topic pattern: its handler gets every publication whose topic the pattern matches, from this
 * stack and from every estate it is joined with, once per publication even where other subscriptions overlap.
 * {@link #close()} unsubscribes.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class Subscription implements AutoCloseable
{
    private final PubSub pubSub;
    private final String pattern;
    private final PublicationHandler handler;
    final int slot;
    /** The ring of an any-thread subscription, else null. */
    final ConcurrentSubscription bounded;
    private boolean isClosed;

    Subscription(final PubSub pubSub, final String pattern, final PublicationHandler handler, final int slot)
    {
        this(pubSub, pattern, handler, slot, null);
    }

    Subscription(
        final PubSub pubSub,
        final String pattern,
        final PublicationHandler handler,
        final int slot,
        final ConcurrentSubscription bounded)
    {
        this.pubSub = pubSub;
        this.pattern = pattern;
        this.handler = handler;
        this.slot = slot;
        this.bounded = bounded;
    }

    /**
     * The pattern subscribed to.
     *
     * @return the pattern.
     */
    public String pattern()
    {
        return pattern;
    }

    /**
     * Whether {@link #close()} was called (or the layer closed).
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    PublicationHandler handler()
    {
        return handler;
    }

    void markClosed()
    {
        isClosed = true;
    }

    /**
     * Unsubscribe: no publication reaches the handler after this returns; other estates are told when no other
     * local subscription has the same pattern. Idempotent.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            pubSub.unsubscribe(this);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Subscription{" + pattern + (isClosed ? ", closed}" : "}");
    }
}
