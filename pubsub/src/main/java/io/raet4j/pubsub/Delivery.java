package io.raet4j.pubsub;

/**
 * How a publisher's publications travel: reliably at one of three priorities, or best effort. Each maps onto a
 * channel the layer reserves; the stack sends lower channel numbers first in each duty cycle, so a HIGH publication
 * goes ahead of NORMAL and LOW ones waiting for the same estate.
 */
public enum Delivery
{
    /** Reliable and ordered per publisher and topic, sent ahead of the others. */
    HIGH(PubSub.CHANNEL_FIRST + 1, true),
    /** Reliable and ordered per publisher and topic (the default; requests and replies travel here too). */
    NORMAL(PubSub.CHANNEL_FIRST + 2, true),
    /** Reliable and ordered per publisher and topic, sent after the others. */
    LOW(PubSub.CHANNEL_FIRST + 3, true),
    /** Best effort: sent once, never resent, no outcome; may be lost or overtake the topic's declaration. */
    BEST_EFFORT(PubSub.CHANNEL_FIRST + 4, false);

    private final int channel;
    private final boolean isReliable;

    Delivery(final int channel, final boolean isReliable)
    {
        this.channel = channel;
        this.isReliable = isReliable;
    }

    /**
     * The stack channel the publications go on.
     *
     * @return the channel number.
     */
    public int channel()
    {
        return channel;
    }

    /**
     * Whether publications are resent until delivered.
     *
     * @return true for the reliable deliveries.
     */
    public boolean isReliable()
    {
        return isReliable;
    }
}
