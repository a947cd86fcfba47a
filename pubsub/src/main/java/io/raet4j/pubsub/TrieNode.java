package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.collections.Hashing;

import java.util.Arrays;

/**
 * One node of a {@link SubscriptionTrie}: the patterns that share a prefix of tokens. The path from the root names
 * the prefix; the node holds the subscribers whose pattern ends here ({@link #exact}), those whose pattern is this
 * prefix followed by {@code >} ({@link #full}), the child for a {@code *} token and the children for literal tokens.
 * <p>
 * Literal children sit in an open-addressing table with linear probing, power-of-two capacity and a load factor of at
 * most one half, indexed by the hash of the token's bytes: a lookup with a token from the topic's buffer compares
 * the hash, then the bytes, and allocates nothing. Adding and removing children (control plane) may allocate; a
 * removal rebuilds the table, which keeps lookups free of tombstones.
 * <p>
 * NOT thread safe: owned by its trie.
 */
final class TrieNode
{
    private static final TrieNode[] NO_CHILDREN = new TrieNode[0];
    private static final int INITIAL_CAPACITY = 2;

    /**
     * The literal token this node is reached by from its parent; null for the root and for a {@code *} node.
     */
    final byte[] token;

    /**
     * Hash of {@link #token}, as {@link TopicTokens#hash(byte[])} computes it; 0 when there is no token.
     */
    final int hash;

    /**
     * Subscribers whose pattern ends at this node.
     */
    final Slots exact = new Slots();

    /**
     * Subscribers whose pattern is this node's prefix followed by {@code >}.
     */
    final Slots full = new Slots();

    /**
     * The child reached by a {@code *} token, or null.
     */
    TrieNode singleWildcard;

    private TrieNode[] children = NO_CHILDREN;
    private int childCount;

    /**
     * A node reached by a literal token, or the root or a {@code *} node when {@code token} is null.
     *
     * @param token the literal token, owned by the node from now on, or null.
     */
    TrieNode(final byte[] token)
    {
        this.token = token;
        this.hash = null == token ? 0 : TopicTokens.hash(token);
    }

    /**
     * The child reached by a literal token, without allocating.
     *
     * @param buffer holding the token.
     * @param offset of the token's first byte.
     * @param length of the token in bytes.
     * @param hash   of the token's bytes, as {@link TopicTokens} computes it.
     * @return the child, or null if there is none.
     */
    TrieNode child(final DirectBuffer buffer, final int offset, final int length, final int hash)
    {
        final TrieNode[] children = this.children;
        if (0 == childCount)
        {
            return null;
        }

        final int mask = children.length - 1;
        int index = Hashing.hash(hash, mask);
        TrieNode candidate;
        while (null != (candidate = children[index]))
        {
            if (hash == candidate.hash && candidate.hasToken(buffer, offset, length))
            {
                return candidate;
            }
            index = (index + 1) & mask;
        }
        return null;
    }

    /**
     * Add a child for a literal token (control plane: allocates the node and may grow the table).
     *
     * @param token the token's bytes, owned by the child from now on; no child may have it yet.
     * @return the new child.
     */
    TrieNode addChild(final byte[] token)
    {
        if (2 * (childCount + 1) > children.length)
        {
            rehash(Math.max(INITIAL_CAPACITY, 2 * children.length), null);
        }
        final TrieNode child = new TrieNode(token);
        insert(children, child);
        childCount++;
        return child;
    }

    /**
     * Remove a literal child (control plane: rebuilds the table).
     *
     * @param child one of this node's literal children.
     */
    void removeChild(final TrieNode child)
    {
        childCount--;
        if (0 == childCount)
        {
            children = NO_CHILDREN;
        }
        else
        {
            rehash(children.length, child);
        }
    }

    /**
     * Number of literal children.
     *
     * @return how many literal tokens lead on from this node.
     */
    int childCount()
    {
        return childCount;
    }

    /**
     * Whether the node holds nothing and can be taken out of the trie.
     *
     * @return true if no subscriber and no child is left.
     */
    boolean isEmpty()
    {
        return 0 == childCount && null == singleWildcard && 0 == exact.size && 0 == full.size;
    }

    private boolean hasToken(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] token = this.token;
        if (token.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (token[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void rehash(final int capacity, final TrieNode leaving)
    {
        final TrieNode[] table = new TrieNode[capacity];
        for (final TrieNode child : children)
        {
            if (null != child && leaving != child)
            {
                insert(table, child);
            }
        }
        children = table;
    }

    private static void insert(final TrieNode[] table, final TrieNode child)
    {
        final int mask = table.length - 1;
        int index = Hashing.hash(child.hash, mask);
        while (null != table[index])
        {
            index = (index + 1) & mask;
        }
        table[index] = child;
    }

    /**
     * A small set of subscriber slots held in an array: iterated on every match, changed on the control plane, where
     * {@link #add} and {@link #remove} are linear in its size.
     */
    static final class Slots
    {
        private static final int[] NONE = new int[0];

        /**
         * The slots, in {@code [0, size)}.
         */
        int[] slots = NONE;

        /**
         * Number of slots held.
         */
        int size;

        /**
         * Whether a slot is held.
         *
         * @param slot to look for.
         * @return true if held.
         */
        boolean contains(final int slot)
        {
            for (int i = 0; i < size; i++)
            {
                if (slot == slots[i])
                {
                    return true;
                }
            }
            return false;
        }

        /**
         * Add a slot that is not held yet.
         *
         * @param slot to add.
         */
        void add(final int slot)
        {
            if (size == slots.length)
            {
                slots = Arrays.copyOf(slots, Math.max(2, 2 * size));
            }
            slots[size++] = slot;
        }

        /**
         * Remove a slot if held, moving the last one into its place.
         *
         * @param slot to remove.
         * @return true if it was held.
         */
        boolean remove(final int slot)
        {
            for (int i = 0; i < size; i++)
            {
                if (slot == slots[i])
                {
                    slots[i] = slots[--size];
                    return true;
                }
            }
            return false;
        }
    }
}
