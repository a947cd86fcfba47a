package io.raet4j.pubsub;

/**
 * Why a request ended without a reply. Each request ends exactly once: a reply, or one of these.
 */
public enum RequestFailure
{
    /** No responder matched the topic, here or in any joined estate, when the request was made. */
    NO_RESPONDERS(
        "no responder matches the topic: register one with respond(pattern, ...) or join an estate that has one"),
    /** No reply came within the request's timeout; the responder may still have acted on it. */
    TIMEOUT("no reply within the timeout: the responder may be slow or its estate unreachable; it may have acted"),
    /** The responder's estate died, left or restarted before it replied; it may have acted on the request. */
    PEER_DEAD("the responder's estate ended its session before replying; it may have acted on the request"),
    /** The responder's estate does not allow this estate to request on the topic. */
    DENIED("the responder's estate does not allow this estate to request on the topic"),
    /** The responder threw or returned without replying. */
    RESPONDER_FAILED("the responder threw or returned without replying: see its estate's error log"),
    /** The request could not be sent: the channel to the responder was full or its session was ending. */
    NOT_SENT("the request could not be sent (channel full or session ending): try again after the duty cycle ran"),
    /** The layer closed before a reply came. */
    CLOSED("the pub/sub layer closed before a reply came");

    private final String description;

    RequestFailure(final String description)
    {
        this.description = description;
    }

    /**
     * What happened and what to do, in one line.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }
}
