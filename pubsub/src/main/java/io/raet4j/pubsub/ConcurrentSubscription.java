package io.raet4j.pubsub;

import io.raet4j.transactions.HandoffRing;
import org.agrona.DirectBuffer;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscription whose publications another thread takes: the duty cycle writes each matching publication into a
 * bounded {@link HandoffRing}, and one consumer thread at a time drains it with {@link #poll}, at its own pace,
 * without touching the layer.
 * <p>
 * When the ring has no room for a publication from another estate, the layer leaves that frame in its stack
 * (and stops reading its frames until there is room): the stack's receive window fills and the publishing estate's
 * channel to this one fills, so it skips this estate and is told (its {@code lastBackPressured()}), or, for a blocking
 * topic, waits. Nothing is dropped here and nothing grows without bound; a consumer that falls behind is reported to
 * the publisher, as a slow subscriber on the duty-cycle thread is. A publication from this stack's own publishers
 * finding the ring full is skipped and counted ({@link PubSubCounterDescriptor#PUBLICATIONS_BACK_PRESSURED}), since
 * publish never waits.
 * <p>
 * Topics travel as small ids: the first publication of a topic is preceded by its name, once, so neither side
 * allocates per publication after the first of each topic.
 * <p>
 * Thread safety: {@link #subscribe} and {@link #close()} on the duty-cycle thread; {@link #poll} from one consumer
 * thread at a time; {@link #publicationsReceived()} from any.
 */
public final class ConcurrentSubscription implements AutoCloseable
{
    private static final int PUBLICATION = 1;
    private static final int TOPIC = 2;
    /** Room kept for a topic's name record beside a publication. */
    private static final int TOPIC_ROOM = Topics.MAX_NAME_LENGTH_BYTES + 2 * HandoffRing.HEADER_LENGTH + 64;

    private final HandoffRing ring;
    private final Object2IntHashMap<String> topicIds = new Object2IntHashMap<>(-1);
    private final UnsafeBuffer topicBytes = new UnsafeBuffer(new byte[Topics.MAX_NAME_LENGTH_BYTES]);
    private final List<String> consumerTopics = new ArrayList<>();
    private final AtomicLong publicationsReceived = new AtomicLong();
    private final HandoffRing.Handler drain = this::onRingMessage;
    private Subscription subscription;
    private PublicationHandler consumer;

    private ConcurrentSubscription(final int capacity)
    {
        this.ring = new HandoffRing(capacity);
    }

    /**
     * Subscribe with the smallest ring that takes the layer's longest publication.
     *
     * @param pubSub  the layer.
     * @param pattern to subscribe to.
     * @return the subscription.
     */
    public static ConcurrentSubscription subscribe(final PubSub pubSub, final String pattern)
    {
        return subscribe(pubSub, pattern, HandoffRing.capacityFor(pubSub.maxPayload() + TOPIC_ROOM));
    }

    /**
     * Subscribe to a pattern, handing publications to another thread. On the duty-cycle thread.
     *
     * @param pubSub   the layer.
     * @param pattern  to subscribe to, as {@link PubSub#subscribe}.
     * @param capacity of the ring in bytes, a power of two, at least
     *                 {@link HandoffRing#capacityFor}{@code (longest publication + 400)}.
     * @return the subscription.
     * @throws IllegalArgumentException if the pattern is not valid or the ring too small: the message says what would
     *                                  do.
     */
    public static ConcurrentSubscription subscribe(final PubSub pubSub, final String pattern, final int capacity)
    {
        final ConcurrentSubscription bounded = new ConcurrentSubscription(capacity);
        if (bounded.ring.maxMessageLength() < pubSub.maxPayload() + TOPIC_ROOM)
        {
            throw new IllegalArgumentException("a ring of " + capacity + " bytes takes publications up to " +
                (bounded.ring.maxMessageLength() - TOPIC_ROOM) + " bytes, but the layer takes " +
                pubSub.maxPayload() + ": give it " + HandoffRing.capacityFor(pubSub.maxPayload() + TOPIC_ROOM) +
                " bytes or lower StackContext.maxMessageBytes");
        }
        bounded.subscription = pubSub.subscribeBounded(pattern, bounded);
        return bounded;
    }

    /**
     * The pattern subscribed to.
     *
     * @return the pattern.
     */
    public String pattern()
    {
        return subscription.pattern();
    }

    /**
     * Hand the publications waiting to a handler, on the calling thread (one consumer at a time).
     *
     * @param handler called for each publication; the buffer is valid only during the call.
     * @param limit   most ring records to read.
     * @return the records read (0 when nothing waits).
     */
    public int poll(final PublicationHandler handler, final int limit)
    {
        consumer = handler;
        return ring.read(drain, limit);
    }

    /**
     * Publications written into the ring so far.
     *
     * @return the count.
     */
    public long publicationsReceived()
    {
        return publicationsReceived.get();
    }

    /**
     * Unsubscribe: no publication is written after this returns; what is in the ring can still be polled. On the
     * duty-cycle thread.
     */
    @Override
    public void close()
    {
        subscription.close();
    }

    boolean hasRoomFor(final int length)
    {
        return ring.hasRoomFor(length + TOPIC_ROOM);
    }

    /**
     * Write a publication (the duty-cycle thread).
     *
     * @return false if there was no room.
     */
    boolean offer(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!hasRoomFor(length))
        {
            return false;
        }
        int topicId = topicIds.getValue(topic);
        if (-1 == topicId)
        {
            topicId = topicIds.size();
            final int nameLength = topicBytes.putStringWithoutLengthAscii(0, topic);
            if (!ring.tryWrite(TOPIC, 0, topicId, topicBytes, 0, nameLength))
            {
                return false;
            }
            topicIds.put(topic, topicId);
        }
        if (!ring.tryWrite(PUBLICATION, estateId, topicId, buffer, offset, length))
        {
            return false;
        }
        publicationsReceived.incrementAndGet();
        return true;
    }

    private void onRingMessage(
        final int type, final long estateId, final int topicId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (TOPIC == type)
        {
            consumerTopics.add(buffer.getStringWithoutLengthAscii(offset, length));
            return;
        }
        consumer.onPublication(consumerTopics.get(topicId), estateId, buffer, offset, length);
    }
}
