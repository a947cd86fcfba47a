package io.raet4j.pubsub;

import io.raet4j.transactions.PresenceEvent;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The layer's own topics, handed to this stack's subscriptions only (never sent to other estates): presence changes
 * on {@code $raet.presence.<event>}, other estates' subscription interest on {@code $raet.interest.add} and
 * {@code $raet.interest.remove}, and topics another estate will not send this stack for its permissions on
 * {@code $raet.interest.denied}. Payload: the estate's id (8 bytes, little endian), then its name (presence), the
 * pattern or the topic in ASCII/UTF-8. Nothing is built when no subscription matches.
 */
final class SystemTopics
{
    /** Where the payload's text starts. */
    static final int TEXT_OFFSET = 8;

    private final Publications publications;
    private final Publisher[] presence;
    private final Publisher interestAdded;
    private final Publisher interestRemoved;
    private final Publisher interestDenied;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);

    SystemTopics(final PubSub pubSub, final Publications publications)
    {
        this.publications = publications;
        final PresenceEvent[] events = PresenceEvent.values();
        presence = new Publisher[events.length];
        for (final PresenceEvent event : events)
        {
            presence[event.ordinal()] = publications.publisher(
                pubSub, Topics.SYSTEM_PREFIX + "presence." + event.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        interestAdded = publications.publisher(pubSub, Topics.SYSTEM_PREFIX + "interest.add");
        interestRemoved = publications.publisher(pubSub, Topics.SYSTEM_PREFIX + "interest.remove");
        interestDenied = publications.publisher(pubSub, Topics.SYSTEM_PREFIX + "interest.denied");
    }

    void onPresence(final long estateId, final String name, final PresenceEvent event)
    {
        final Publisher publisher = presence[event.ordinal()];
        if (publications.hasLocalSubscribers(publisher))
        {
            buffer.putLong(0, estateId, ByteOrder.LITTLE_ENDIAN);
            final int length = null == name ? 0 : buffer.putStringWithoutLengthUtf8(TEXT_OFFSET, name);
            publications.publishLocal(publisher, buffer, 0, TEXT_OFFSET + length);
        }
    }

    void onDenied(final long estateId, final String topic)
    {
        if (publications.hasLocalSubscribers(interestDenied))
        {
            buffer.putLong(0, estateId, ByteOrder.LITTLE_ENDIAN);
            final int length = buffer.putStringWithoutLengthAscii(TEXT_OFFSET, topic);
            publications.publishLocal(interestDenied, buffer, 0, TEXT_OFFSET + length);
        }
    }

    void onInterest(final long estateId, final String pattern, final boolean isAdded)
    {
        final Publisher publisher = isAdded ? interestAdded : interestRemoved;
        if (publications.hasLocalSubscribers(publisher))
        {
            buffer.putLong(0, estateId, ByteOrder.LITTLE_ENDIAN);
            final int length = buffer.putStringWithoutLengthAscii(TEXT_OFFSET, pattern);
            publications.publishLocal(publisher, buffer, 0, TEXT_OFFSET + length);
        }
    }
}
