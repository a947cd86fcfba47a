package io.raet4j.pubsub;

import io.raet4j.transport.status.CounterSet;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The layer's counters, each looked up once when the layer starts so the duty cycle never searches for one.
 */
final class PubSubCounters
{
    final AtomicCounter interestSent;
    final AtomicCounter interestReceived;
    final AtomicCounter topicsDeclared;
    final AtomicCounter publicationsSent;
    final AtomicCounter publicationsReceived;
    final AtomicCounter publicationsDelivered;
    final AtomicCounter publicationsBackPressured;
    final AtomicCounter publicationsUnmatched;
    final AtomicCounter unknownTopicIds;
    final AtomicCounter malformedFrames;
    final AtomicCounter handlerErrors;
    final AtomicCounter requestsSent;
    final AtomicCounter requestsReceived;
    final AtomicCounter requestsFailed;
    final AtomicCounter repliesSent;
    final AtomicCounter repliesReceived;
    final AtomicCounter repliesUnmatched;
    final AtomicCounter denials;
    final AtomicCounter publicationsConflated;
    final AtomicCounter estatesIntroduced;

    PubSubCounters(final CounterSet<PubSubCounterDescriptor> counters)
    {
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
        requestsSent = counters.get(PubSubCounterDescriptor.REQUESTS_SENT);
        requestsReceived = counters.get(PubSubCounterDescriptor.REQUESTS_RECEIVED);
        requestsFailed = counters.get(PubSubCounterDescriptor.REQUESTS_FAILED);
        repliesSent = counters.get(PubSubCounterDescriptor.REPLIES_SENT);
        repliesReceived = counters.get(PubSubCounterDescriptor.REPLIES_RECEIVED);
        repliesUnmatched = counters.get(PubSubCounterDescriptor.REPLIES_UNMATCHED);
        denials = counters.get(PubSubCounterDescriptor.DENIALS);
        publicationsConflated = counters.get(PubSubCounterDescriptor.PUBLICATIONS_CONFLATED);
        estatesIntroduced = counters.get(PubSubCounterDescriptor.ESTATES_INTRODUCED);
    }
}
