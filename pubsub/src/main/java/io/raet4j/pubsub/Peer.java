package io.raet4j.pubsub;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the layer knows of one other estate: the patterns it subscribes to, the topic ids this stack declared to it,
 * and the topics it declared to this stack. Forgotten whole when its session ends or is renewed.
 */
final class Peer
{
    final long estateId;
    final int slot;
    /** Its name as the join authenticated it, for topic permissions; null until presence told it. */
    String name;
    /** Its subscription patterns, in the order they came (Hello clears them). */
    final Set<String> patterns = new LinkedHashSet<>();
    /** Its responder patterns. */
    final Set<String> responderPatterns = new LinkedHashSet<>();
    /** Topics it declared to this stack, by its topic id. */
    final Int2ObjectHashMap<InboundTopic> inbound = new Int2ObjectHashMap<>();
    /** Per reserved channel, a bit per topic id this stack declared to it on that channel. */
    private final long[][] declared = new long[PubSub.CHANNEL_COUNT][];
    /** Topics this stack told it it will not be sent (permissions), in this session. */
    final Set<String> deniedTold = new java.util.HashSet<>();
    /** The full interest (Hello and every pattern) must be sent again: an offer of it was refused. */
    boolean isResyncPending;

    Peer(final long estateId, final int slot)
    {
        this.estateId = estateId;
        this.slot = slot;
    }

    boolean isDeclared(final int channel, final int topicId)
    {
        final long[] bits = declared[channel - PubSub.CHANNEL_FIRST];
        final int word = topicId >>> 6;
        return null != bits && word < bits.length && 0 != (bits[word] & (1L << (topicId & 63)));
    }

    void declared(final int channel, final int topicId)
    {
        final int index = channel - PubSub.CHANNEL_FIRST;
        long[] bits = declared[index];
        final int word = topicId >>> 6;
        if (null == bits || word >= bits.length)
        {
            bits = null == bits ?
                new long[word + 1] : java.util.Arrays.copyOf(bits, Math.max(word + 1, bits.length * 2));
            declared[index] = bits;
        }
        bits[word] |= 1L << (topicId & 63);
    }

    /**
     * Forget everything of the session that ended: declarations both ways. Its patterns are removed by the caller,
     * which also takes them out of the interest trie.
     */
    void resetSession()
    {
        deniedTold.clear();
        for (final long[] bits : declared)
        {
            if (null != bits)
            {
                java.util.Arrays.fill(bits, 0);
            }
        }
        inbound.clear();
    }
}
