package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.IntConsumer;

/**
 * The route cache of a {@link SubscriptionTrie}: topic bytes to the ids that topic matched, so that a topic published
 * again is routed by one hash and one comparison of its bytes instead of a walk of the trie.
 * <p>
 * Direct-mapped: a topic has one place, {@code hash & (entries - 1)}, and a new route overwrites whatever was there,
 * so the cache holds at most {@code entries} routes and two busy topics that share a place evict each other (still
 * correct, only slower; a larger cache makes that rarer). All memory is allocated by the constructor: the keys in one
 * buffer with {@value #KEY_STRIDE} bytes per entry, the ids in one array with {@code maxIds} per entry. A route with
 * more ids than that is not cached. {@link #find} and {@link #emit} allocate nothing; neither does {@link #store}.
 * <p>
 * Invalidation is by version: an entry is valid only for the trie version it was stored at, and the trie counts a
 * version for every change of its subscriptions, so a change invalidates every entry at once, in O(1). Versions start
 * at 1 and a {@code long} does not wrap, so an entry never written (version 0) is never valid.
 * <p>
 * NOT thread safe: owned by its trie.
 */
final class RouteCache
{
    /**
     * Bytes of key space per entry: a whole name, rounded up to a multiple of 8.
     */
    static final int KEY_STRIDE = 256;

    private static final long MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;
    private static final long MIXER = 0xFF51_AFD7_ED55_8CCDL;

    private final int entries;
    private final int mask;
    private final int maxIds;
    private final UnsafeBuffer keys;
    private final int[] keyLengths;
    private final int[] hashes;
    private final long[] versions;
    private final int[] idCounts;
    private final int[] ids;

    /**
     * A cache of {@code entries} routes of at most {@code maxIds} ids each.
     *
     * @param entries a power of two, or 0 for no cache.
     * @param maxIds  most ids in a cached route, at least 1.
     */
    RouteCache(final int entries, final int maxIds)
    {
        this.entries = entries;
        this.mask = entries - 1;
        this.maxIds = maxIds;
        keys = new UnsafeBuffer(new byte[entries * KEY_STRIDE]);
        keyLengths = new int[entries];
        hashes = new int[entries];
        versions = new long[entries];
        idCounts = new int[entries];
        ids = new int[entries * maxIds];
    }

    /**
     * Whether there is a cache at all.
     *
     * @return false if built with 0 entries.
     */
    boolean isEnabled()
    {
        return 0 != entries;
    }

    /**
     * Most ids in a cached route.
     *
     * @return the limit given to the constructor.
     */
    int maxIds()
    {
        return maxIds;
    }

    /**
     * Hash of a topic's bytes, eight at a time, for {@link #find} and {@link #store}.
     *
     * @param buffer holding the topic.
     * @param offset of its first byte.
     * @param length in bytes.
     * @return the hash.
     */
    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long hash = length * MULTIPLIER;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            hash = (hash ^ buffer.getLong(offset + i)) * MIXER;
            hash ^= hash >>> 32;
        }
        for (; i < length; i++)
        {
            hash = (hash ^ (buffer.getByte(offset + i) & 0xFF)) * MULTIPLIER;
        }
        hash ^= hash >>> 29;
        return (int)(hash ^ (hash >>> 32));
    }

    /**
     * Find the route of a topic stored at the given version, without allocating.
     *
     * @param buffer  holding the topic.
     * @param offset  of its first byte.
     * @param length  in bytes.
     * @param hash    of the topic, by {@link #hash}.
     * @param version the trie's current version.
     * @return the entry holding the route, or -1 if none is valid for this topic and version.
     */
    int find(final DirectBuffer buffer, final int offset, final int length, final int hash, final long version)
    {
        if (0 == entries)
        {
            return -1;
        }

        final int entry = hash & mask;
        if (version != versions[entry] || hash != hashes[entry] || length != keyLengths[entry])
        {
            return -1;
        }

        final int base = entry * KEY_STRIDE;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (keys.getLong(base + i) != buffer.getLong(offset + i))
            {
                return -1;
            }
        }
        for (; i < length; i++)
        {
            if (keys.getByte(base + i) != buffer.getByte(offset + i))
            {
                return -1;
            }
        }
        return entry;
    }

    /**
     * Store the route of a valid topic for the given version, in place of what its entry held; a route of more than
     * {@link #maxIds()} ids is not stored.
     *
     * @param buffer   holding the topic.
     * @param offset   of its first byte.
     * @param length   in bytes, at most {@link Topics#MAX_NAME_LENGTH_BYTES}.
     * @param hash     of the topic, by {@link #hash}.
     * @param version  the trie's current version.
     * @param routeIds the ids the topic matched, in {@code [0, idCount)}.
     * @param idCount  how many.
     */
    void store(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int hash,
        final long version,
        final int[] routeIds,
        final int idCount)
    {
        if (0 == entries || idCount > maxIds)
        {
            return;
        }

        final int entry = hash & mask;
        keys.putBytes(entry * KEY_STRIDE, buffer, offset, length);
        System.arraycopy(routeIds, 0, ids, entry * maxIds, idCount);
        keyLengths[entry] = length;
        hashes[entry] = hash;
        idCounts[entry] = idCount;
        versions[entry] = version;
    }

    /**
     * Hand each id of a cached route to a consumer, without allocating.
     *
     * @param entry    from {@link #find}.
     * @param consumer of the ids.
     * @return how many ids were handed over.
     */
    int emit(final int entry, final IntConsumer consumer)
    {
        final int count = idCounts[entry];
        final int[] ids = this.ids;
        for (int i = entry * maxIds, end = i + count; i < end; i++)
        {
            consumer.accept(ids[i]);
        }
        return count;
    }
}
