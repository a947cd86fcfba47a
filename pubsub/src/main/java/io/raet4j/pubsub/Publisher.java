package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A handle to publish on one topic, from {@link PubSub#publisher(String)}: it keeps the topic's id and the estates
 * and local subscriptions it reaches (recomputed only when interest changes), so publishing allocates nothing.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class Publisher
{
    private final PubSub pubSub;
    private final String topic;
    final int topicId;
    final UnsafeBuffer topicBytes;
    final SlotList remoteRoute = new SlotList();
    long remoteRouteVersion = -1;
    long remoteRoutePermissionsVersion = -1;
    final SlotList localRoute = new SlotList();
    long localRouteVersion = -1;
    int lastBackPressured;
    boolean wantedBefore;
    private boolean isRetaining;
    private boolean isConflating;
    private boolean isBlocking;
    private Delivery delivery = Delivery.NORMAL;
    /** Conflation: a bit per peer slot whose channel refused the latest publication, sent when there is room. */
    private long[] pendingPeers = new long[1];
    int pendingCount;
    SubscribersListener subscribersListener;
    int notifiedRemote = -1;
    int notifiedLocal = -1;
    private ExpandableArrayBuffer lastValue;
    private int lastValueLength = -1;

    Publisher(final PubSub pubSub, final String topic, final int topicId)
    {
        this.pubSub = pubSub;
        this.topic = topic;
        this.topicId = topicId;
        this.topicBytes = new UnsafeBuffer(topic.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The topic.
     *
     * @return the topic name.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * Publish reliably: one copy to each joined estate whose interest matches the topic, ordered per publisher and
     * topic, and one call to each local subscription that matches, before this returns. Never blocks and never
     * throws on the data path: an estate whose channel is full is skipped, counted
     * ({@link PubSubCounterDescriptor#PUBLICATIONS_BACK_PRESSURED}) and reported by {@link #lastBackPressured()}.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @param length of the payload.
     * @return the number of copies taken (estates plus local subscriptions), or {@link PubSub#MESSAGE_TOO_LARGE} or
     *         {@link PubSub#CLOSED}.
     */
    public long publish(final DirectBuffer buffer, final int offset, final int length)
    {
        return pubSub.publish(this, buffer, offset, length);
    }

    /**
     * Keep the topic's last value (as ioflo's shares, MQTT's retained messages): from now on each publication is kept
     * here, and an estate or a local subscription whose interest comes to match the topic gets the last one first.
     * Receivers keep it too, for their subscriptions that come later.
     *
     * @return this for a fluent API.
     */
    public Publisher retainLastValue()
    {
        isRetaining = true;
        return this;
    }

    /**
     * How the topic's publications travel: reliably at a priority, or best effort. Default {@link Delivery#NORMAL}.
     * Set it before the first publication: a change later reorders nothing already sent.
     *
     * @param delivery the delivery.
     * @return this for a fluent API.
     */
    public Publisher delivery(final Delivery delivery)
    {
        if (null == delivery)
        {
            throw new NullPointerException("delivery is null: HIGH, NORMAL, LOW or BEST_EFFORT");
        }
        this.delivery = delivery;
        return this;
    }

    /**
     * How the topic's publications travel.
     *
     * @return the delivery.
     */
    public Delivery delivery()
    {
        return delivery;
    }

    /**
     * Latest value only, for slow subscribers: when an estate's channel is full, instead of skipping the publication
     * for it, the topic's latest value is sent to it as soon as there is room (publications in between are conflated
     * and counted, {@link PubSubCounterDescriptor#PUBLICATIONS_CONFLATED}). The others are not held up. The topic keeps
     * its last value for this.
     *
     * @return this for a fluent API.
     */
    public Publisher conflate()
    {
        isConflating = true;
        return this;
    }

    /**
     * All or none: a publication is sent only when every estate whose interest matches can take it now; otherwise
     * nobody is sent it, not even local subscriptions, and {@link #publish} returns {@link PubSub#BACK_PRESSURED} (try
     * again after the duty cycle ran) with {@link #lastBackPressured()} naming how many estates were full. A slow
     * subscriber then holds up the others: the publisher asked for it. The default skips a full estate instead.
     *
     * @return this for a fluent API.
     */
    public Publisher blocking()
    {
        isBlocking = true;
        return this;
    }

    /**
     * Whether a full estate holds the publication back for all.
     *
     * @return true after {@link #blocking()}.
     */
    public boolean isBlocking()
    {
        return isBlocking;
    }

    /**
     * Whether a slow estate gets the latest value rather than every publication.
     *
     * @return true after {@link #conflate()}.
     */
    public boolean isConflating()
    {
        return isConflating;
    }

    boolean isPending(final int slot)
    {
        final int word = slot >>> 6;
        return word < pendingPeers.length && 0 != (pendingPeers[word] & (1L << (slot & 63)));
    }

    /**
     * Mark or clear a peer as waiting for the latest value.
     *
     * @return true if that changed it.
     */
    boolean pending(final int slot, final boolean isPending)
    {
        final int word = slot >>> 6;
        if (word >= pendingPeers.length)
        {
            if (!isPending)
            {
                return false;
            }
            pendingPeers = java.util.Arrays.copyOf(pendingPeers, Math.max(word + 1, pendingPeers.length * 2));
        }
        final long bit = 1L << (slot & 63);
        final boolean was = 0 != (pendingPeers[word] & bit);
        if (was == isPending)
        {
            return false;
        }
        pendingPeers[word] ^= bit;
        pendingCount += isPending ? 1 : -1;
        return true;
    }

    int pendingWords()
    {
        return pendingPeers.length;
    }

    long pendingWord(final int index)
    {
        return pendingPeers[index];
    }

    /**
     * Whether the topic keeps its last value.
     *
     * @return true after {@link #retainLastValue()}.
     */
    public boolean isRetaining()
    {
        return isRetaining;
    }

    void keep(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == lastValue)
        {
            lastValue = new ExpandableArrayBuffer(Math.max(64, length));
        }
        lastValue.putBytes(0, buffer, offset, length);
        lastValueLength = length;
    }

    boolean hasLastValue()
    {
        return lastValueLength >= 0;
    }

    DirectBuffer lastValue()
    {
        return lastValue;
    }

    int lastValueLength()
    {
        return lastValueLength;
    }

    /**
     * Estates the last {@link #publish} skipped because their channel was full: they did not get that publication.
     *
     * @return the number of estates skipped.
     */
    public int lastBackPressured()
    {
        return lastBackPressured;
    }

    /**
     * How many joined estates subscribe to this topic now (at least one of their patterns matches it).
     *
     * @return the number of estates.
     */
    public int remoteSubscribers()
    {
        return pubSub.remoteRoute(this).size();
    }

    /**
     * Be told when the number of the topic's subscribers changes (joined estates whose interest matches it, local
     * subscriptions that match it), at the duty cycle after the change; the first call tells the counts as they are.
     *
     * @param listener to call on the duty-cycle thread, or null to stop.
     * @return this for a fluent API.
     */
    public Publisher subscribersListener(final SubscribersListener listener)
    {
        subscribersListener = listener;
        notifiedRemote = -1;
        notifiedLocal = -1;
        pubSub.subscribersListenerAdded();
        return this;
    }

    /**
     * How many local subscriptions match this topic now.
     *
     * @return the number of subscriptions.
     */
    public int localSubscribers()
    {
        return pubSub.localSubscribers(this);
    }

    /**
     * How many joined estates answer requests on this topic now (at least one of their responders' patterns matches
     * it).
     *
     * @return the number of estates.
     */
    public int remoteResponders()
    {
        return pubSub.remoteResponders(this);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Publisher{" + topic + "}";
    }
}
