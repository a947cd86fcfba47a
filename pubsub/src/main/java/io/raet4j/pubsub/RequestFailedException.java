package io.raet4j.pubsub;

/**
 * How a request made from any thread ({@link ConcurrentPublisher#request}) ended without a reply: its future
 * completes exceptionally with this, whose message says what happened and what to do.
 */
public final class RequestFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why, or null if the request was refused before it was made (see the message). */
    private final transient RequestFailure failure;

    /**
     * A request ended without a reply.
     *
     * @param topic   of the request.
     * @param failure why.
     */
    public RequestFailedException(final String topic, final RequestFailure failure)
    {
        super("request on " + topic + " failed (" + failure + "): " + failure.description(), null, false, false);
        this.failure = failure;
    }

    /**
     * A request refused before it was made.
     *
     * @param message what happened and what to do.
     */
    public RequestFailedException(final String message)
    {
        super(message, null, false, false);
        this.failure = null;
    }

    /**
     * Why the request ended without a reply.
     *
     * @return the failure, or null if it was refused before it was made.
     */
    public RequestFailure failure()
    {
        return failure;
    }
}
