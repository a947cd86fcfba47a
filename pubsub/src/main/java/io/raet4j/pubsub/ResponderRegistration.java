package io.raet4j.pubsub;

/**
 * A {@link Responder} registered on a topic pattern with {@link PubSub#respond}; {@link #close()} stops it answering.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class ResponderRegistration implements AutoCloseable
{
    private final Requests requests;
    private final String pattern;
    final Responder responder;
    final int slot;
    private boolean isClosed;

    ResponderRegistration(final Requests requests, final String pattern, final Responder responder, final int slot)
    {
        this.requests = requests;
        this.pattern = pattern;
        this.responder = responder;
        this.slot = slot;
    }

    /**
     * The pattern the responder answers on.
     *
     * @return the pattern.
     */
    public String pattern()
    {
        return pattern;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    void markClosed()
    {
        isClosed = true;
    }

    /**
     * Stop answering: other estates are told when no other local responder has the same pattern. Idempotent.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            requests.unregister(this);
        }
    }
}
