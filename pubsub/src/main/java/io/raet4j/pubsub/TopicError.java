package io.raet4j.pubsub;

import java.util.Locale;

/**
 * Why a topic name or a pattern is refused: the result of the non-throwing validation in {@link Topics} and of
 * {@link SubscriptionTrie#lastError()}, one value per rule of the grammar in {@code spec/PUBSUB.md}. {@link #OK} means
 * the name is valid. A name is scanned from its first byte and the first rule it breaks is the one reported, so each
 * invalid name has exactly one error.
 * <p>
 * The throwing checks ({@link Topics#requireTopic(String)}, {@link Topics#requirePattern(String)}) put the error's
 * text in the exception message, with the name and the byte where the rule is broken.
 */
public enum TopicError
{
    /**
     * The name is valid.
     */
    OK("valid", "valid"),

    /**
     * The name has no bytes.
     */
    EMPTY("empty name", "empty; a name has at least one token"),

    /**
     * The name is longer than {@link Topics#MAX_NAME_LENGTH_BYTES} bytes.
     */
    TOO_LONG("name too long", "%2$d bytes, more than the " + Topics.MAX_NAME_LENGTH_BYTES + " allowed"),

    /**
     * The name has more than {@link Topics#MAX_TOKENS} tokens.
     */
    TOO_MANY_TOKENS(
        "too many tokens", "more than " + Topics.MAX_TOKENS + " tokens, the next one starts at byte %1$d"),

    /**
     * The name starts with a dot.
     */
    LEADING_DOT("leading dot", "leading dot at byte %1$d; a name starts with a token"),

    /**
     * The name ends with a dot.
     */
    TRAILING_DOT("trailing dot", "trailing dot at byte %1$d; a name ends with a token"),

    /**
     * Two dots in a row: an empty token between them.
     */
    EMPTY_TOKEN("empty token", "empty token at byte %1$d; tokens are separated by single dots"),

    /**
     * A space.
     */
    SPACE("space", "space at byte %1$d; names contain no whitespace"),

    /**
     * A control character (0x00 to 0x1F, or 0x7F), tab and line breaks included.
     */
    CONTROL_CHARACTER(
        "control character", "control character 0x%2$02X at byte %1$d; names are printable ASCII"),

    /**
     * A byte of 0x80 or more: names are ASCII (see {@link Topics} for why).
     */
    NON_ASCII("non-ASCII character", "non-ASCII character at byte %1$d; names are printable ASCII"),

    /**
     * A {@code *} or {@code >} in a topic: only patterns have wildcards.
     */
    WILDCARD_IN_TOPIC(
        "wildcard in a topic",
        "wildcard '%2$c' at byte %1$d; a topic names one subject, wildcards belong in patterns"),

    /**
     * A {@code *} or {@code >} in a pattern's token together with other characters, {@code a*} or {@code **}.
     */
    PARTIAL_WILDCARD(
        "wildcard sharing a token",
        "'%2$c' at byte %1$d shares its token with other characters; a wildcard is a whole token"),

    /**
     * A {@code >} token in a pattern that is not the pattern's last token.
     */
    FULL_WILDCARD_NOT_LAST("'>' not last", "'>' at byte %1$d is not the last token; '>' may only end a pattern");

    private final String description;
    private final String template;

    TopicError(final String description, final String template)
    {
        this.description = description;
        this.template = template;
    }

    /**
     * What is wrong in a few words, without the name or the place: {@code "empty token"}. Allocates nothing; for
     * counters and logs on the data path.
     *
     * @return a short description of the rule that is broken.
     */
    public String description()
    {
        return description;
    }

    /**
     * The full sentence of an exception message for this error.
     *
     * @param byteIndex where in the name the rule is broken.
     * @param detail    the byte at that index, or the name's length for {@link #TOO_LONG}.
     * @return what is wrong and where, in one line.
     */
    String format(final int byteIndex, final int detail)
    {
        return String.format(Locale.ROOT, template, byteIndex, detail);
    }
}
