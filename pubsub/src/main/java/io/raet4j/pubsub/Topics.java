package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Locale;

/**
 * Topic names and patterns: their limits, the checks that refuse invalid ones and the test for system names. The
 * grammar, the matching rules and a table of examples are in {@code spec/PUBSUB.md}, section "Topics".
 * <p>
 * A <b>topic</b> names what is published: dot-separated tokens, {@code sensor.kitchen.temp}. A <b>pattern</b> names
 * what a subscriber wants: a topic that may also hold the wildcards {@code *} (exactly one token) and {@code >} (one
 * or more tokens, only as the last token). A token is one or more printable ASCII characters (0x21 to 0x7E) other
 * than {@code .}, {@code *} and {@code >}.
 * <p>
 * <b>ASCII only.</b> Non-ASCII characters are refused, not accepted as UTF-8 letters: with them, two names that read
 * the same could differ in their bytes (composed and decomposed accents, look-alike letters), and only Unicode
 * normalisation, which needs tables and allocates, would give them one form. Restricted to ASCII, a name has exactly
 * one spelling: there is nothing to normalise, since leading and trailing dots, empty tokens and whitespace are all
 * refused, and two names are the same topic if and only if their bytes are equal (case matters). For the same reason
 * a name's length in characters and in bytes is the same for every valid name.
 * <p>
 * <b>System names.</b> A name whose first token is {@link #SYSTEM_TOKEN} ({@code $raet}) is a system name, kept for
 * the layer's own traffic: applications may not publish to it ({@link #isSystem(String)} tells the layer), and a
 * pattern whose first token is a wildcard never matches it, so {@code >} does not see system traffic while
 * {@code $raet.>} does.
 * <p>
 * Two ways to check a name: the {@code require} methods, for the control plane, throw an
 * {@link IllegalArgumentException} whose message says in one line what is wrong and where; the {@code validate}
 * methods, for the data path, read a buffer, allocate nothing and return a {@link TopicError}. Both apply the same
 * scan, so they refuse the same names with the same error. Thread safe: the class holds no state.
 */
public final class Topics
{
    /**
     * Most bytes in a topic name or a pattern.
     */
    public static final int MAX_NAME_LENGTH_BYTES = 255;

    /**
     * Most tokens in a topic name or a pattern (a wildcard counts as a token).
     */
    public static final int MAX_TOKENS = 32;

    /**
     * Separates the tokens of a name.
     */
    public static final char SEPARATOR = '.';

    /**
     * The pattern token that matches exactly one token.
     */
    public static final String SINGLE_WILDCARD = "*";

    /**
     * The pattern token that matches one or more tokens; only the last token of a pattern may be this.
     */
    public static final String FULL_WILDCARD = ">";

    /**
     * The first token of system names.
     */
    public static final String SYSTEM_TOKEN = "$raet";

    /**
     * How a system name with more than one token starts.
     */
    public static final String SYSTEM_PREFIX = SYSTEM_TOKEN + SEPARATOR;

    /**
     * How many characters of a refused name an exception message quotes before it cuts the name short.
     */
    static final int MAX_QUOTED_CHARS = 80;

    private static final byte NOT_ASCII = (byte)0x80;
    private static final char LINE_SEPARATOR = (char)0x2028;
    private static final char PARAGRAPH_SEPARATOR = (char)0x2029;

    private Topics()
    {
    }

    /**
     * Check a topic name, refusing it whole if it breaks a rule.
     *
     * @param topic the name to check.
     * @return {@code topic}, for use in an expression.
     * @throws IllegalArgumentException if {@code topic} is null or not a valid topic name, saying in one line what is
     *                                  wrong and at which byte, e.g. {@code topic "a..b": empty token at byte 2;
     *                                  tokens are separated by single dots}.
     */
    public static String requireTopic(final String topic)
    {
        return require(topic, false);
    }

    /**
     * Check a pattern, refusing it whole if it breaks a rule.
     *
     * @param pattern the pattern to check.
     * @return {@code pattern}, for use in an expression.
     * @throws IllegalArgumentException if {@code pattern} is null or not a valid pattern, saying in one line what is
     *                                  wrong and at which byte, e.g. {@code pattern "a.>.b": '>' at byte 2 is not the
     *                                  last token; '>' may only end a pattern}.
     */
    public static String requirePattern(final String pattern)
    {
        return require(pattern, true);
    }

    /**
     * Check a topic name held in a buffer, without allocating or throwing: for the data path.
     *
     * @param buffer holding the name's bytes.
     * @param offset of the name's first byte.
     * @param length of the name in bytes.
     * @return {@link TopicError#OK} or the first rule the name breaks.
     */
    public static TopicError validateTopic(final DirectBuffer buffer, final int offset, final int length)
    {
        return TopicTokens.error(TopicTokens.scan(buffer, offset, length, false, null));
    }

    /**
     * Check a pattern held in a buffer, without allocating or throwing.
     *
     * @param buffer holding the pattern's bytes.
     * @param offset of the pattern's first byte.
     * @param length of the pattern in bytes.
     * @return {@link TopicError#OK} or the first rule the pattern breaks.
     */
    public static TopicError validatePattern(final DirectBuffer buffer, final int offset, final int length)
    {
        return TopicTokens.error(TopicTokens.scan(buffer, offset, length, true, null));
    }

    /**
     * Whether a name is a system name, one whose first token is {@code $raet}: {@code $raet} itself or a name starting
     * with {@code $raet.}. The name is not otherwise checked.
     *
     * @param name a topic name or a pattern.
     * @return true for a system name.
     */
    public static boolean isSystem(final String name)
    {
        return name.startsWith(SYSTEM_PREFIX) || name.equals(SYSTEM_TOKEN);
    }

    /**
     * Whether a name held in a buffer is a system name, without allocating. The name is not otherwise checked.
     *
     * @param buffer holding the name's bytes.
     * @param offset of the name's first byte.
     * @param length of the name in bytes.
     * @return true for a system name.
     */
    public static boolean isSystem(final DirectBuffer buffer, final int offset, final int length)
    {
        final int tokenLength = SYSTEM_TOKEN.length();
        if (length < tokenLength || (length > tokenLength && SEPARATOR != buffer.getByte(offset + tokenLength)))
        {
            return false;
        }
        return TopicTokens.isSystemToken(buffer, offset, tokenLength);
    }

    /**
     * The bytes a name is scanned as: its ASCII characters as themselves and each other character as as many bytes of
     * 0x80 as its UTF-8 encoding has, so the scan refuses it at the byte where its UTF-8 encoding would start and the
     * length is its UTF-8 length. Unlike {@link String#getBytes}, a malformed string (a lone surrogate) is not turned
     * into a valid {@code ?}.
     *
     * @param name the name.
     * @return the bytes to scan; equal to the UTF-8 encoding of every valid name.
     */
    static byte[] bytesOf(final String name)
    {
        final int chars = name.length();
        int length = 0;
        for (int i = 0; i < chars; i++)
        {
            length += utf8Length(name.charAt(i));
        }

        final byte[] bytes = new byte[length];
        for (int i = 0, j = 0; i < chars; i++)
        {
            final char c = name.charAt(i);
            if (c < 0x80)
            {
                bytes[j++] = (byte)c;
            }
            else
            {
                for (int k = utf8Length(c); k > 0; k--)
                {
                    bytes[j++] = NOT_ASCII;
                }
            }
        }
        return bytes;
    }

    /**
     * The exception that refuses a name, its message in one line: kind, quoted name, what is wrong and where.
     *
     * @param pattern true if the name was checked as a pattern.
     * @param name    the name as given.
     * @param bytes   the bytes it was scanned as, see {@link #bytesOf(String)}.
     * @param result  the scan's result, not {@link TopicTokens#VALID}.
     * @return the exception to throw.
     */
    static IllegalArgumentException refusal(
        final boolean pattern, final String name, final byte[] bytes, final long result)
    {
        final TopicError error = TopicTokens.error(result);
        final int byteIndex = TopicTokens.byteIndex(result);
        final int detail;
        if (TopicError.TOO_LONG == error)
        {
            detail = bytes.length;
        }
        else
        {
            detail = byteIndex < bytes.length ? bytes[byteIndex] & 0xFF : 0;
        }

        return new IllegalArgumentException(
            kind(pattern) + ' ' + quote(name) + ": " + error.format(byteIndex, detail));
    }

    /**
     * The exception that refuses a null name.
     *
     * @param pattern true if a pattern was expected.
     * @return the exception to throw.
     */
    static IllegalArgumentException refusalOfNull(final boolean pattern)
    {
        return new IllegalArgumentException(kind(pattern) + " null: a name is required");
    }

    private static String require(final String name, final boolean pattern)
    {
        if (null == name)
        {
            throw refusalOfNull(pattern);
        }

        final byte[] bytes = bytesOf(name);
        final long result = TopicTokens.scan(new UnsafeBuffer(bytes), 0, bytes.length, pattern, null);
        if (TopicTokens.VALID != result)
        {
            throw refusal(pattern, name, bytes, result);
        }
        return name;
    }

    private static String kind(final boolean pattern)
    {
        return pattern ? "pattern" : "topic";
    }

    private static int utf8Length(final char c)
    {
        if (c < 0x80)
        {
            return 1;
        }
        if (c < 0x800 || Character.isSurrogate(c))
        {
            return 2;
        }
        return 3;
    }

    private static String quote(final String name)
    {
        final int end = Math.min(name.length(), MAX_QUOTED_CHARS);
        final StringBuilder quoted = new StringBuilder(end + 8).append('"');
        for (int i = 0; i < end; i++)
        {
            final char c = name.charAt(i);
            if (Character.isISOControl(c) || LINE_SEPARATOR == c || PARAGRAPH_SEPARATOR == c)
            {
                quoted.append(String.format(Locale.ROOT, "\\u%04X", (int)c));
            }
            else
            {
                if ('"' == c || '\\' == c)
                {
                    quoted.append('\\');
                }
                quoted.append(c);
            }
        }
        quoted.append('"');
        if (name.length() > end)
        {
            quoted.append("...");
        }
        return quoted.toString();
    }
}
