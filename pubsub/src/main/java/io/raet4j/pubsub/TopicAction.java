package io.raet4j.pubsub;

/**
 * What another estate may be allowed or denied on a topic (see {@link TopicPermissions}).
 */
public enum TopicAction
{
    /** Publish on the topic to this stack: its publications reach this stack's subscriptions. */
    PUBLISH,
    /** Subscribe to the topic at this stack: this stack's publications on it are sent to the estate. */
    SUBSCRIBE,
    /** Request on the topic from this stack's responders. */
    REQUEST,
    /** Respond on the topic: this stack's requests on it may go to the estate's responders. */
    RESPOND
}
