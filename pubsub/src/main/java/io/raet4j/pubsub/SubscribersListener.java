package io.raet4j.pubsub;

/**
 * Told when the number of subscribers of a publisher's topic changes: joined estates whose interest matches it, and
 * local subscriptions that match it. Called on the duty-cycle thread, at the duty cycle after the change.
 */
@FunctionalInterface
public interface SubscribersListener
{
    /**
     * The topic's subscribers changed.
     *
     * @param publisher          the topic's publisher.
     * @param remoteEstates      joined estates that subscribe to it now.
     * @param localSubscriptions local subscriptions that match it now.
     */
    void onSubscribersChanged(Publisher publisher, int remoteEstates, int localSubscriptions);
}
