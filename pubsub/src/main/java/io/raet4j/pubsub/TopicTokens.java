package io.raet4j.pubsub;

import org.agrona.DirectBuffer;

/**
 * The scanner of topic names and patterns, and the tokens of the last name it parsed. One pass over the bytes checks
 * the name against the grammar in {@code spec/PUBSUB.md}, records each token's offset, length and hash into
 * preallocated arrays, and notes whether the name is a system name (first token {@code $raet}). Allocates nothing.
 * <p>
 * The result of a scan is a {@code long}: the {@link TopicError}'s ordinal in the low 32 bits and the byte index where
 * the rule is broken in the high 32 bits, so that {@link #VALID} (zero) is the only result of a valid name.
 * <p>
 * NOT thread safe: an instance belongs to one thread (its owner, a {@link SubscriptionTrie}); the static
 * {@link #scan} records nothing when it is given no instance and may be called from any thread.
 */
final class TopicTokens
{
    /**
     * The result of scanning a valid name.
     */
    static final long VALID = 0L;

    private static final TopicError[] ERRORS = TopicError.values();
    private static final byte SEPARATOR = (byte)Topics.SEPARATOR;
    private static final byte FULL_WILDCARD = '>';
    private static final byte SINGLE_WILDCARD = '*';
    private static final byte[] SYSTEM_TOKEN = {'$', 'r', 'a', 'e', 't'};

    /**
     * Absolute offset of each token in {@link #buffer}.
     */
    final int[] offsets = new int[Topics.MAX_TOKENS];

    /**
     * Length of each token in bytes.
     */
    final int[] lengths = new int[Topics.MAX_TOKENS];

    /**
     * Hash of each token's bytes, as {@link #hash(byte[])} computes it.
     */
    final int[] hashes = new int[Topics.MAX_TOKENS];

    /**
     * The buffer of the last name parsed.
     */
    DirectBuffer buffer;

    /**
     * Number of tokens of the last name parsed; meaningful only when the parse was {@link #VALID}.
     */
    int count;

    /**
     * Whether the last name parsed starts with the token {@code $raet}.
     */
    boolean system;

    /**
     * Scan a name and keep its tokens in this instance.
     *
     * @param buffer  holding the name's bytes.
     * @param offset  of the name's first byte.
     * @param length  of the name in bytes.
     * @param pattern true to allow the wildcards {@code *} and {@code >}.
     * @return {@link #VALID} or the packed error, see {@link #error(long)} and {@link #byteIndex(long)}.
     */
    long parse(final DirectBuffer buffer, final int offset, final int length, final boolean pattern)
    {
        return scan(buffer, offset, length, pattern, this);
    }

    /**
     * Whether token {@code index} of the last name parsed is the single-token wildcard {@code *}.
     *
     * @param index of the token.
     * @return true if the token is {@code *}.
     */
    boolean isSingleWildcard(final int index)
    {
        return 1 == lengths[index] && SINGLE_WILDCARD == buffer.getByte(offsets[index]);
    }

    /**
     * Whether token {@code index} of the last name parsed is the trailing wildcard {@code >}.
     *
     * @param index of the token.
     * @return true if the token is {@code >}.
     */
    boolean isFullWildcard(final int index)
    {
        return 1 == lengths[index] && FULL_WILDCARD == buffer.getByte(offsets[index]);
    }

    /**
     * Copy of token {@code index}'s bytes, for a new trie node (control plane).
     *
     * @param index of the token.
     * @return a new array holding the token.
     */
    byte[] copyToken(final int index)
    {
        final byte[] token = new byte[lengths[index]];
        buffer.getBytes(offsets[index], token);
        return token;
    }

    /**
     * Check a name against the grammar in one pass, from its first byte; the first rule broken is the one reported.
     *
     * @param buffer  holding the name's bytes.
     * @param offset  of the name's first byte.
     * @param length  of the name in bytes; 0 or less is {@link TopicError#EMPTY}.
     * @param pattern true to allow the wildcards {@code *} and {@code >}.
     * @param tokens  where to record the tokens, or null to only check.
     * @return {@link #VALID} or the packed error, see {@link #error(long)} and {@link #byteIndex(long)}.
     */
    static long scan(
        final DirectBuffer buffer, final int offset, final int length, final boolean pattern, final TopicTokens tokens)
    {
        if (length <= 0)
        {
            return result(TopicError.EMPTY, 0);
        }
        if (length > Topics.MAX_NAME_LENGTH_BYTES)
        {
            return result(TopicError.TOO_LONG, Topics.MAX_NAME_LENGTH_BYTES);
        }
        if (null != tokens)
        {
            tokens.buffer = buffer;
            tokens.count = 0;
            tokens.system = false;
        }

        int tokenCount = 0;
        int tokenStart = 0;
        int wildcardAt = -1;
        int hash = 0;
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (SEPARATOR == b)
            {
                if (i == tokenStart)
                {
                    return result(0 == i ? TopicError.LEADING_DOT : TopicError.EMPTY_TOKEN, i);
                }
                if (wildcardAt >= 0 && FULL_WILDCARD == buffer.getByte(offset + wildcardAt))
                {
                    return result(TopicError.FULL_WILDCARD_NOT_LAST, wildcardAt);
                }
                if (null != tokens)
                {
                    tokens.add(offset + tokenStart, i - tokenStart, hash);
                }
                tokenCount++;
                tokenStart = i + 1;
                wildcardAt = -1;
                hash = 0;
                continue;
            }

            if (i == tokenStart && Topics.MAX_TOKENS == tokenCount)
            {
                return result(TopicError.TOO_MANY_TOKENS, i);
            }
            if (b > ' ' && b < 0x7F && SINGLE_WILDCARD != b && FULL_WILDCARD != b)
            {
                if (wildcardAt >= 0)
                {
                    return result(TopicError.PARTIAL_WILDCARD, wildcardAt);
                }
            }
            else
            {
                final TopicError error = classify(b, pattern, i == tokenStart);
                if (TopicError.OK != error)
                {
                    return result(error, i);
                }
                wildcardAt = i;
            }
            hash = 31 * hash + b;
        }

        if (length == tokenStart)
        {
            return result(TopicError.TRAILING_DOT, length - 1);
        }
        if (null != tokens)
        {
            tokens.add(offset + tokenStart, length - tokenStart, hash);
        }

        return VALID;
    }

    /**
     * The error of a scan's result.
     *
     * @param result of {@link #scan}.
     * @return the error, {@link TopicError#OK} for {@link #VALID}.
     */
    static TopicError error(final long result)
    {
        return ERRORS[(int)result];
    }

    /**
     * Where in the name a scan found its error.
     *
     * @param result of {@link #scan}.
     * @return the byte index of the error.
     */
    static int byteIndex(final long result)
    {
        return (int)(result >>> 32);
    }

    /**
     * The hash of a token's bytes, the same as a scan computes: trie nodes and parsed tokens must agree on it.
     *
     * @param token the token's bytes.
     * @return its hash.
     */
    static int hash(final byte[] token)
    {
        int hash = 0;
        for (final byte b : token)
        {
            hash = 31 * hash + b;
        }
        return hash;
    }

    /**
     * Whether the bytes are exactly the system token {@code $raet}.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return true for {@code $raet}.
     */
    static boolean isSystemToken(final DirectBuffer buffer, final int offset, final int length)
    {
        if (SYSTEM_TOKEN.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (SYSTEM_TOKEN[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void add(final int absoluteOffset, final int length, final int hash)
    {
        final int index = count;
        if (0 == index)
        {
            system = isSystemToken(buffer, absoluteOffset, length);
        }
        offsets[index] = absoluteOffset;
        lengths[index] = length;
        hashes[index] = hash;
        count = index + 1;
    }

    private static TopicError classify(final byte b, final boolean pattern, final boolean atTokenStart)
    {
        if (' ' == b)
        {
            return TopicError.SPACE;
        }
        if (b < 0)
        {
            return TopicError.NON_ASCII;
        }
        if (b < ' ' || 0x7F == b)
        {
            return TopicError.CONTROL_CHARACTER;
        }
        if (!pattern)
        {
            return TopicError.WILDCARD_IN_TOPIC;
        }
        return atTokenStart ? TopicError.OK : TopicError.PARTIAL_WILDCARD;
    }

    private static long result(final TopicError error, final int byteIndex)
    {
        return ((long)byteIndex << 32) | error.ordinal();
    }
}
