package io.raet4j.pubsub;

import io.raet4j.transport.status.CounterDescriptor;

/**
 * The pub/sub layer's counters, kept in the stack's status file beside the transport's and the stack's (type ids 2000
 * to 2999, see {@link CounterDescriptor}), readable live by {@code raet4j.jar stat} and through
 * {@link PubSub#counter(PubSubCounterDescriptor)}. Ids are stable: add, never renumber.
 */
public enum PubSubCounterDescriptor implements CounterDescriptor
{
    /** Interest frames (a pattern added or removed, or a Hello) sent to other estates. */
    INTEREST_SENT(2000, "Interest frames sent"),
    /** Interest frames received from other estates. */
    INTEREST_RECEIVED(2001, "Interest frames received"),
    /** Topic declarations sent: a topic's id bound to its name for one estate and channel. */
    TOPICS_DECLARED(2002, "Topic declarations sent"),
    /** Publications offered to other estates, one per estate whose interest matched. */
    PUBLICATIONS_SENT(2003, "Publications sent to estates"),
    /** Publications received from other estates. */
    PUBLICATIONS_RECEIVED(2004, "Publications received from estates"),
    /** Publications handed to local subscriptions, one per subscription. */
    PUBLICATIONS_DELIVERED(2005, "Publications handed to subscriptions"),
    /** Copies of publications not sent to an estate whose channel was full: the publisher was told. */
    PUBLICATIONS_BACK_PRESSURED(2006, "Publications back-pressured per estate"),
    /** Publications received that no local subscription matches any more (unsubscribed meanwhile): dropped. */
    PUBLICATIONS_UNMATCHED(2007, "Publications matching no subscription"),
    /** Publications received under a topic id their sender never declared: dropped. */
    UNKNOWN_TOPIC_IDS(2008, "Publications with an unknown topic id"),
    /** Frames of the layer that were truncated, malformed or of another schema: dropped. */
    MALFORMED_FRAMES(2009, "Malformed pub/sub frames dropped"),
    /** Exceptions thrown by subscription handlers, caught and reported to the error handler. */
    HANDLER_ERRORS(2010, "Subscription handler errors"),
    /** Requests sent to a responder in another estate. */
    REQUESTS_SENT(2011, "Requests sent to estates"),
    /** Requests received from other estates. */
    REQUESTS_RECEIVED(2012, "Requests received from estates"),
    /** Requests this stack made that ended without a reply (no responders, timeout, dead peer, denied, failed). */
    REQUESTS_FAILED(2013, "Requests failed"),
    /** Replies sent to other estates. */
    REPLIES_SENT(2014, "Replies sent to estates"),
    /** Replies received from other estates for requests still waiting. */
    REPLIES_RECEIVED(2015, "Replies received from estates"),
    /** Replies no request waits for (it timed out or its responder's session ended first): dropped. */
    REPLIES_UNMATCHED(2016, "Replies for no waiting request"),
    /** Actions of other estates their topic permissions denied: publications dropped, topics not sent, requests
     * answered DENIED, responders not asked (see {@link TopicPermissions}). */
    DENIALS(2017, "Topic permission denials"),
    /** Publications a slow estate did not get because a newer value of a conflating topic replaced them. */
    PUBLICATIONS_CONFLATED(2018, "Publications conflated for slow estates"),
    /** Joins this stack started because another estate introduced it to an estate (see PubSubContext.introductions). */
    ESTATES_INTRODUCED(2019, "Joins started from introductions");

    private final int id;
    private final String label;

    PubSubCounterDescriptor(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int id()
    {
        return id;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return label;
    }
}
