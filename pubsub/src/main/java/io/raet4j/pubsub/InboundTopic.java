package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A topic another estate declared to this stack, with the local subscriptions it matches, cached until the local
 * subscriptions change.
 */
final class InboundTopic
{
    final String name;
    final UnsafeBuffer nameBytes;
    final SlotList route = new SlotList();
    long routeVersion = -1;
    /** Whether its sender may publish it here, decided at {@link #permissionsVersion}. */
    boolean isPublishAllowed;
    long permissionsVersion = -1;
    /** The last value of a retained topic, kept while a local subscription matches it; null until one came. */
    private ExpandableArrayBuffer retained;
    private int retainedLength = -1;

    InboundTopic(final String name)
    {
        this.name = name;
        this.nameBytes = new UnsafeBuffer(name.getBytes(StandardCharsets.US_ASCII));
    }

    void retain(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == retained)
        {
            retained = new ExpandableArrayBuffer(Math.max(64, length));
        }
        retained.putBytes(0, buffer, offset, length);
        retainedLength = length;
    }

    boolean hasRetained()
    {
        return retainedLength >= 0;
    }

    DirectBuffer retained()
    {
        return retained;
    }

    int retainedLength()
    {
        return retainedLength;
    }

    void dropRetained()
    {
        retainedLength = -1;
    }
}
