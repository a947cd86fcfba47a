package io.raet4j.pubsub;

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

    InboundTopic(final String name)
    {
        this.name = name;
        this.nameBytes = new UnsafeBuffer(name.getBytes(StandardCharsets.US_ASCII));
    }
}
