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
    /** Bit per topic id this stack declared to it on the data channel. */
    private long[] declared = new long[1];
    /** The full interest (Hello and every pattern) must be sent again: an offer of it was refused. */
    boolean isResyncPending;

    Peer(final long estateId, final int slot)
    {
        this.estateId = estateId;
        this.slot = slot;
    }

    boolean isDeclared(final int topicId)
    {
        final int word = topicId >>> 6;
        return word < declared.length && 0 != (declared[word] & (1L << (topicId & 63)));
    }

    void declared(final int topicId)
    {
        final int word = topicId >>> 6;
        if (word >= declared.length)
        {
            declared = java.util.Arrays.copyOf(declared, Math.max(word + 1, declared.length * 2));
        }
        declared[word] |= 1L << (topicId & 63);
    }

    /**
     * Forget everything of the session that ended: declarations both ways. Its patterns are removed by the caller,
     * which also takes them out of the interest trie.
     */
    void resetSession()
    {
        java.util.Arrays.fill(declared, 0);
        inbound.clear();
    }
}
