package io.raet4j.pubsub;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The matcher from a published topic to its subscribers: patterns ({@link Topics}) mapped to subscriber ids, in a
 * trie of pattern tokens, with a route cache in front.
 * <p>
 * {@link #add(String, int)} and {@link #remove(String, int)} change the subscriptions (control plane: they may
 * allocate, and they throw on an invalid pattern). {@link #match(DirectBuffer, int, int, IntConsumer)} hands each id
 * whose patterns match a topic to a consumer <b>exactly once</b>, however many of that id's patterns match (id 7 on
 * both {@code a.*} and {@code a.>} is called back once for {@code a.b}), in no particular order. It allocates nothing
 * and throws nothing on a bad topic: it returns {@link #INVALID_TOPIC} and {@link #lastError()} says why.
 * <p>
 * <b>How a match runs.</b> The topic's hash is looked up in the route cache; a hit compares the cached topic's bytes
 * with the topic's and hands over the cached ids. On a miss the topic is scanned once (validated and cut into tokens,
 * each with its offset, length and hash, into preallocated arrays), then the trie is walked from the root: at each
 * node the {@code >} subscribers collect, the {@code *} child is followed and the literal child is looked up by the
 * token's hash, comparing bytes, in the node's open-addressing table; when the tokens run out, the node's exact
 * subscribers collect. Wildcards are not followed from the root for a system topic (first token {@code $raet}). Each
 * id is collected once per match through a mark per subscriber: a subscriber is counted as collected when its mark
 * equals the match's generation, a number that goes up by one per match, so nothing is cleared between matches. The
 * collected ids are stored in the route cache (if there are at most {@code routeCacheMaxIds} of them) and then handed
 * over.
 * <p>
 * <b>Complexity.</b> With L the topic's length in bytes, T its number of tokens, N the number of trie nodes and k the
 * number of ids matched:
 * <ul>
 *     <li>match, route cache hit: O(L + k);</li>
 *     <li>match, miss: O(L + V + S + k), where V, the nodes visited, is at most min(N, 2<sup>T</sup>) (a walk branches
 *     in two only where a node has both a {@code *} child and the literal child) and S is the number of subscriptions
 *     held by the matching nodes (an id subscribed by several matching patterns counts once per pattern there, and
 *     is handed over once); each literal lookup is O(1) expected plus the token's length;</li>
 *     <li>add and remove: O(P + s), P the pattern's length, s the number of ids subscribed to that very pattern; a
 *     change of subscriptions invalidates the whole route cache in O(1) (a version number).</li>
 * </ul>
 * Memory: one node per distinct pattern prefix, and for the route cache {@code routeCacheEntries} &times;
 * (256 + 4 &times; {@code routeCacheMaxIds} + 24) bytes, allocated up front.
 * <p>
 * Subscriber ids are any {@code int}s. A subscription is a pair (pattern, id): adding a pair twice is the same as
 * adding it once, and patterns are compared as written (they have one canonical form, see {@link Topics}), so
 * {@code a.*} and {@code a.>} are two subscriptions even where they overlap.
 * <p>
 * NOT thread safe: one thread owns the trie (the pub/sub layer's duty cycle). A consumer must not change the
 * subscriptions nor match again from inside its callback; doing so throws {@link IllegalStateException}.
 */
public final class SubscriptionTrie
{
    /**
     * Routes the route cache holds by default.
     */
    public static final int DEFAULT_ROUTE_CACHE_ENTRIES = 1024;

    /**
     * Most ids in a cached route, by default; a topic matching more subscribers is routed through the trie each time.
     */
    public static final int DEFAULT_ROUTE_CACHE_MAX_IDS = 16;

    /**
     * Most routes a route cache may hold.
     */
    public static final int MAX_ROUTE_CACHE_ENTRIES = 1 << 16;

    /**
     * Most ids a cached route may hold.
     */
    public static final int MAX_ROUTE_CACHE_MAX_IDS = 1024;

    /**
     * What {@link #match(DirectBuffer, int, int, IntConsumer)} returns for a topic that is not a valid topic name;
     * {@link #lastError()} says why.
     */
    public static final int INVALID_TOPIC = -1;

    private static final int NO_SLOT = -1;
    private static final int INITIAL_SLOTS = 16;

    private final TrieNode root = new TrieNode(null);
    private final TopicTokens tokens = new TopicTokens();
    private final TrieNode[] path = new TrieNode[Topics.MAX_TOKENS + 1];
    private final UnsafeBuffer stringBuffer = new UnsafeBuffer(new byte[0]);
    private final RouteCache routeCache;

    // Subscribers by slot: a slot is a small index given to an id while it has a subscription, so that the dedup marks
    // and the match's result are plain arrays whatever the ids are.
    private final Int2IntHashMap slotById = new Int2IntHashMap(NO_SLOT);
    private int[] idBySlot = new int[INITIAL_SLOTS];
    private int[] subscriptionsBySlot = new int[INITIAL_SLOTS];
    private int[] marksBySlot = new int[INITIAL_SLOTS];
    private int[] freeSlots = new int[INITIAL_SLOTS];
    private int freeSlotCount;
    private int slotsUsed;

    private int[] matchedIds = new int[INITIAL_SLOTS];
    private int matchedCount;
    private int generation;

    private long version = 1;
    private int subscriptionCount;
    private int nodeCount = 1;
    private boolean inCallback;
    private TopicError lastError = TopicError.OK;
    private long routeCacheHits;
    private long routeCacheMisses;

    /**
     * A trie with a route cache of {@link #DEFAULT_ROUTE_CACHE_ENTRIES} routes of up to
     * {@link #DEFAULT_ROUTE_CACHE_MAX_IDS} ids.
     */
    public SubscriptionTrie()
    {
        this(DEFAULT_ROUTE_CACHE_ENTRIES, DEFAULT_ROUTE_CACHE_MAX_IDS);
    }

    /**
     * A trie with a route cache of the given size.
     *
     * @param routeCacheEntries routes the cache holds, rounded up to a power of two; 0 for no route cache; at most
     *                          {@link #MAX_ROUTE_CACHE_ENTRIES}.
     * @param routeCacheMaxIds  most ids in a cached route, 1 to {@link #MAX_ROUTE_CACHE_MAX_IDS}.
     * @throws IllegalArgumentException if a size is out of range.
     */
    public SubscriptionTrie(final int routeCacheEntries, final int routeCacheMaxIds)
    {
        if (routeCacheEntries < 0 || routeCacheEntries > MAX_ROUTE_CACHE_ENTRIES)
        {
            throw new IllegalArgumentException(
                "routeCacheEntries " + routeCacheEntries + ": 0 to " + MAX_ROUTE_CACHE_ENTRIES + " allowed");
        }
        if (routeCacheMaxIds < 1 || routeCacheMaxIds > MAX_ROUTE_CACHE_MAX_IDS)
        {
            throw new IllegalArgumentException(
                "routeCacheMaxIds " + routeCacheMaxIds + ": 1 to " + MAX_ROUTE_CACHE_MAX_IDS + " allowed");
        }
        final int entries = 0 == routeCacheEntries ? 0 : BitUtil.findNextPositivePowerOfTwo(routeCacheEntries);
        routeCache = new RouteCache(entries, routeCacheMaxIds);
    }

    /**
     * Subscribe an id to a pattern.
     *
     * @param pattern a valid pattern, see {@link Topics#requirePattern(String)}.
     * @param id      the subscriber.
     * @return true if added, false if the id was already subscribed to this pattern.
     * @throws IllegalArgumentException if the pattern is null or invalid; nothing is added then.
     * @throws IllegalStateException    if called from a match's consumer.
     */
    public boolean add(final String pattern, final int id)
    {
        checkNotInCallback("add");
        parsePattern(pattern);

        final int count = tokens.count;
        final boolean full = tokens.isFullWildcard(count - 1);
        TrieNode node = root;
        for (int i = 0, end = full ? count - 1 : count; i < end; i++)
        {
            node = childOrNew(node, i);
        }

        final TrieNode.Slots slots = full ? node.full : node.exact;
        int slot = slotById.get(id);
        if (NO_SLOT != slot && slots.contains(slot))
        {
            return false;
        }
        if (NO_SLOT == slot)
        {
            slot = newSlot(id);
        }
        slots.add(slot);
        subscriptionsBySlot[slot]++;
        subscriptionCount++;
        version++;
        return true;
    }

    /**
     * Unsubscribe an id from a pattern, and take out the trie nodes no other subscription needs.
     *
     * @param pattern a valid pattern, see {@link Topics#requirePattern(String)}.
     * @param id      the subscriber.
     * @return true if removed, false if the id was not subscribed to this pattern.
     * @throws IllegalArgumentException if the pattern is null or invalid.
     * @throws IllegalStateException    if called from a match's consumer.
     */
    public boolean remove(final String pattern, final int id)
    {
        checkNotInCallback("remove");
        parsePattern(pattern);

        final int slot = slotById.get(id);
        if (NO_SLOT == slot)
        {
            return false;
        }

        final int count = tokens.count;
        final boolean full = tokens.isFullWildcard(count - 1);
        final int depth = full ? count - 1 : count;
        TrieNode node = root;
        path[0] = root;
        for (int i = 0; i < depth; i++)
        {
            node = tokens.isSingleWildcard(i) ?
                node.singleWildcard :
                node.child(tokens.buffer, tokens.offsets[i], tokens.lengths[i], tokens.hashes[i]);
            if (null == node)
            {
                Arrays.fill(path, null);
                return false;
            }
            path[i + 1] = node;
        }

        final boolean removed = (full ? node.full : node.exact).remove(slot);
        if (removed)
        {
            if (0 == --subscriptionsBySlot[slot])
            {
                freeSlot(slot, id);
            }
            subscriptionCount--;
            version++;
            prune(depth);
        }
        Arrays.fill(path, null);
        return removed;
    }

    /**
     * Hand each id subscribed to a pattern that matches a topic to a consumer, once per id. Allocates nothing.
     *
     * @param buffer   holding the topic's bytes (UTF-8, so ASCII for a valid topic).
     * @param offset   of the topic's first byte.
     * @param length   of the topic in bytes.
     * @param consumer called with each matching id, exactly once per id, in no particular order; it must not change
     *                 this trie nor match with it.
     * @return how many ids were handed over (0 if none matches), or {@link #INVALID_TOPIC} if the bytes are not a
     *     valid topic name (a pattern, with wildcards, is not one); then {@link #lastError()} says why.
     * @throws IllegalStateException if called from a match's consumer.
     */
    public int match(final DirectBuffer buffer, final int offset, final int length, final IntConsumer consumer)
    {
        checkNotInCallback("match");

        // Only a name within the length limit can be cached: a longer one goes straight to the scan, to be refused.
        final boolean cacheable = routeCache.isEnabled() && length <= Topics.MAX_NAME_LENGTH_BYTES;
        final int hash = cacheable ? RouteCache.hash(buffer, offset, length) : 0;
        final int entry = cacheable ? routeCache.find(buffer, offset, length, hash, version) : -1;
        if (entry >= 0)
        {
            routeCacheHits++;
            lastError = TopicError.OK;
            inCallback = true;
            try
            {
                return routeCache.emit(entry, consumer);
            }
            finally
            {
                inCallback = false;
            }
        }

        final long result = tokens.parse(buffer, offset, length, false);
        if (TopicTokens.VALID != result)
        {
            lastError = TopicTokens.error(result);
            return INVALID_TOPIC;
        }
        lastError = TopicError.OK;
        routeCacheMisses++;

        final int count = collect();
        routeCache.store(buffer, offset, length, hash, version, matchedIds, count);
        inCallback = true;
        try
        {
            final int[] ids = matchedIds;
            for (int i = 0; i < count; i++)
            {
                consumer.accept(ids[i]);
            }
        }
        finally
        {
            inCallback = false;
        }
        return count;
    }

    /**
     * {@link #match(DirectBuffer, int, int, IntConsumer)} for a topic held in a string: a convenience for the control
     * plane and tests, which allocates the topic's bytes.
     *
     * @param topic    the topic name.
     * @param consumer called with each matching id, exactly once per id.
     * @return how many ids were handed over, or {@link #INVALID_TOPIC}.
     * @throws NullPointerException  if {@code topic} is null.
     * @throws IllegalStateException if called from a match's consumer.
     */
    public int match(final String topic, final IntConsumer consumer)
    {
        checkNotInCallback("match");
        final byte[] bytes = Topics.bytesOf(topic);
        stringBuffer.wrap(bytes);
        return match(stringBuffer, 0, bytes.length, consumer);
    }

    /**
     * Why the last {@link #match(DirectBuffer, int, int, IntConsumer)} returned {@link #INVALID_TOPIC}.
     *
     * @return the last match's error, {@link TopicError#OK} if it matched.
     */
    public TopicError lastError()
    {
        return lastError;
    }

    /**
     * Number of (pattern, id) subscriptions held.
     *
     * @return how many adds are in force.
     */
    public int subscriptionCount()
    {
        return subscriptionCount;
    }

    /**
     * Number of distinct ids with at least one subscription.
     *
     * @return how many subscribers there are.
     */
    public int subscriberCount()
    {
        return slotById.size();
    }

    /**
     * The subscriptions' version: it goes up by one on every add or remove that changes them, and routes cached at an
     * older version are not used.
     *
     * @return the current version, from 1.
     */
    public long version()
    {
        return version;
    }

    /**
     * Matches answered from the route cache, since the trie was made.
     *
     * @return the route cache's hits.
     */
    public long routeCacheHits()
    {
        return routeCacheHits;
    }

    /**
     * Matches of valid topics that walked the trie, since the trie was made.
     *
     * @return the route cache's misses.
     */
    public long routeCacheMisses()
    {
        return routeCacheMisses;
    }

    /**
     * Number of trie nodes, the root included: one per distinct pattern prefix held.
     *
     * @return how many nodes the trie has.
     */
    int nodeCount()
    {
        return nodeCount;
    }

    private void checkNotInCallback(final String operation)
    {
        if (inCallback)
        {
            throw new IllegalStateException(operation + " from a match's consumer: the trie is being matched");
        }
    }

    private void parsePattern(final String pattern)
    {
        if (null == pattern)
        {
            throw Topics.refusalOfNull(true);
        }
        final byte[] bytes = Topics.bytesOf(pattern);
        stringBuffer.wrap(bytes);
        final long result = tokens.parse(stringBuffer, 0, bytes.length, true);
        if (TopicTokens.VALID != result)
        {
            throw Topics.refusal(true, pattern, bytes, result);
        }
    }

    private TrieNode childOrNew(final TrieNode node, final int tokenIndex)
    {
        if (tokens.isSingleWildcard(tokenIndex))
        {
            if (null == node.singleWildcard)
            {
                node.singleWildcard = new TrieNode(null);
                nodeCount++;
            }
            return node.singleWildcard;
        }

        TrieNode child = node.child(
            tokens.buffer, tokens.offsets[tokenIndex], tokens.lengths[tokenIndex], tokens.hashes[tokenIndex]);
        if (null == child)
        {
            child = node.addChild(tokens.copyToken(tokenIndex));
            nodeCount++;
        }
        return child;
    }

    private void prune(final int depth)
    {
        for (int i = depth; i > 0 && path[i].isEmpty(); i--)
        {
            final TrieNode parent = path[i - 1];
            final TrieNode node = path[i];
            if (parent.singleWildcard == node)
            {
                parent.singleWildcard = null;
            }
            else
            {
                parent.removeChild(node);
            }
            nodeCount--;
        }
    }

    private int newSlot(final int id)
    {
        final int slot;
        if (freeSlotCount > 0)
        {
            slot = freeSlots[--freeSlotCount];
        }
        else
        {
            slot = slotsUsed++;
            if (slot == idBySlot.length)
            {
                final int capacity = 2 * slot;
                idBySlot = Arrays.copyOf(idBySlot, capacity);
                subscriptionsBySlot = Arrays.copyOf(subscriptionsBySlot, capacity);
                marksBySlot = Arrays.copyOf(marksBySlot, capacity);
                freeSlots = Arrays.copyOf(freeSlots, capacity);
                matchedIds = Arrays.copyOf(matchedIds, capacity);
            }
        }
        idBySlot[slot] = id;
        slotById.put(id, slot);
        return slot;
    }

    private void freeSlot(final int slot, final int id)
    {
        slotById.remove(id);
        freeSlots[freeSlotCount++] = slot;
    }

    private int collect()
    {
        if (0 == ++generation)
        {
            // After 2^32 matches: marks from the previous round of generations must not look current.
            Arrays.fill(marksBySlot, 0);
            generation = 1;
        }
        matchedCount = 0;
        walk(root, 0);
        return matchedCount;
    }

    private void walk(final TrieNode node, final int tokenIndex)
    {
        final TopicTokens tokens = this.tokens;
        if (tokenIndex == tokens.count)
        {
            collect(node.exact);
            return;
        }

        if (0 != tokenIndex || !tokens.system)
        {
            collect(node.full);
            final TrieNode singleWildcard = node.singleWildcard;
            if (null != singleWildcard)
            {
                walk(singleWildcard, tokenIndex + 1);
            }
        }

        final TrieNode child = node.child(
            tokens.buffer, tokens.offsets[tokenIndex], tokens.lengths[tokenIndex], tokens.hashes[tokenIndex]);
        if (null != child)
        {
            walk(child, tokenIndex + 1);
        }
    }

    private void collect(final TrieNode.Slots subscribers)
    {
        final int[] slots = subscribers.slots;
        final int[] marks = marksBySlot;
        final int generation = this.generation;
        for (int i = 0, size = subscribers.size; i < size; i++)
        {
            final int slot = slots[i];
            if (generation != marks[slot])
            {
                marks[slot] = generation;
                matchedIds[matchedCount++] = idBySlot[slot];
            }
        }
    }
}
