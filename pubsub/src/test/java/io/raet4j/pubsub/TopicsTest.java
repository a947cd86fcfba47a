package io.raet4j.pubsub;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validation of topic names and patterns: what is accepted, what is refused, and the one-line message and error code
 * of every refusal, through both the throwing (string) and the non-throwing (buffer) checks.
 */
class TopicsTest
{
    private static final String TOKEN_CHARACTERS;

    static
    {
        final StringBuilder characters = new StringBuilder();
        for (char c = 0x21; c < 0x7F; c++)
        {
            if ('.' != c && '*' != c && '>' != c)
            {
                characters.append(c);
            }
        }
        TOKEN_CHARACTERS = characters.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a", "a.b", "a.b.c", "sensor.kitchen.temp", "$raet", "$raet.stack.joined", "a.$raet", "A.B", "0.1.2",
        "a-b_c.~!@#%^&()[]{}|;:',<=?/\\\"`+"})
    void shouldAcceptValidTopics(final String topic)
    {
        assertSame(topic, Topics.requireTopic(topic));
        assertSame(topic, Topics.requirePattern(topic), "every topic is also a pattern");
        assertEquals(TopicError.OK, validateTopic(topic, 0));
        assertEquals(TopicError.OK, validatePattern(topic, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", ">", "a.*", "a.>", "*.b", "*.*.*", "a.*.>", "*.>", "$raet.>", "$raet.*.x"})
    void shouldAcceptValidPatterns(final String pattern)
    {
        assertSame(pattern, Topics.requirePattern(pattern));
        assertEquals(TopicError.OK, validatePattern(pattern, 3));
        assertEquals(TopicError.WILDCARD_IN_TOPIC, validateTopic(pattern, 3), "a pattern with wildcards is no topic");
    }

    @Test
    void shouldAcceptEveryPrintableAsciiCharacterExceptTheThreeReservedOnes()
    {
        assertEquals(94 - 3, TOKEN_CHARACTERS.length());
        assertSame(TOKEN_CHARACTERS, Topics.requireTopic(TOKEN_CHARACTERS));
        for (int i = 0; i < TOKEN_CHARACTERS.length(); i++)
        {
            Topics.requireTopic("x." + TOKEN_CHARACTERS.charAt(i) + ".y");
        }
    }

    @Test
    void shouldAcceptNamesUpToTheLengthLimit()
    {
        final String longest = "a".repeat(Topics.MAX_NAME_LENGTH_BYTES);
        assertSame(longest, Topics.requireTopic(longest));
        assertSame(longest, Topics.requirePattern(longest));

        final String tooLong = longest + "a";
        assertEquals(
            "topic \"" + "a".repeat(Topics.MAX_QUOTED_CHARS) + "\"...: 256 bytes, more than the 255 allowed",
            refusalOfTopic(tooLong));
        assertEquals(TopicError.TOO_LONG, validateTopic(tooLong, 1));
        assertEquals(TopicError.TOO_LONG, validatePattern(tooLong, 1));
    }

    @Test
    void shouldCountTheLengthInUtf8Bytes()
    {
        // 254 ASCII bytes and one two-byte character: 256 bytes in 255 characters.
        final String name = "a".repeat(254) + "\u00e9";
        assertEquals(TopicError.TOO_LONG, validateTopic(name, 0));
        assertTrue(refusalOfTopic(name).endsWith("256 bytes, more than the 255 allowed"), refusalOfTopic(name));
    }

    @Test
    void shouldAcceptNamesUpToTheTokenLimit()
    {
        final String most = tokens(Topics.MAX_TOKENS);
        assertSame(most, Topics.requireTopic(most));
        assertSame(most, Topics.requirePattern(most));
        final String mostWithWildcards = "*." + tokens(Topics.MAX_TOKENS - 2) + ".>";
        assertSame(mostWithWildcards, Topics.requirePattern(mostWithWildcards));

        final String tooMany = tokens(Topics.MAX_TOKENS + 1);
        assertEquals(
            "topic \"" + tooMany + "\": more than 32 tokens, the next one starts at byte 64", refusalOfTopic(tooMany));
        assertEquals(TopicError.TOO_MANY_TOKENS, validateTopic(tooMany, 0));
        assertEquals(TopicError.TOO_MANY_TOKENS, validatePattern(tokens(Topics.MAX_TOKENS) + ".>", 0));
        assertEquals(TopicError.TRAILING_DOT, validateTopic(most + ".", 0), "a dot alone does not start a token");
    }

    static Stream<Arguments> refusedTopics()
    {
        return Stream.of(
            refused("", TopicError.EMPTY, "topic \"\": empty; a name has at least one token"),
            refused(".", TopicError.LEADING_DOT, "topic \".\": leading dot at byte 0; a name starts with a token"),
            refused(".a", TopicError.LEADING_DOT, "topic \".a\": leading dot at byte 0; a name starts with a token"),
            refused("..", TopicError.LEADING_DOT, "topic \"..\": leading dot at byte 0; a name starts with a token"),
            refused("a.", TopicError.TRAILING_DOT, "topic \"a.\": trailing dot at byte 1; a name ends with a token"),
            refused("a..b", TopicError.EMPTY_TOKEN,
                "topic \"a..b\": empty token at byte 2; tokens are separated by single dots"),
            refused("a.b..", TopicError.EMPTY_TOKEN,
                "topic \"a.b..\": empty token at byte 4; tokens are separated by single dots"),
            refused(" a", TopicError.SPACE, "topic \" a\": space at byte 0; names contain no whitespace"),
            refused("a.b c", TopicError.SPACE, "topic \"a.b c\": space at byte 3; names contain no whitespace"),
            refused("a ", TopicError.SPACE, "topic \"a \": space at byte 1; names contain no whitespace"),
            refused("a\tb", TopicError.CONTROL_CHARACTER,
                "topic \"a\\u0009b\": control character 0x09 at byte 1; names are printable ASCII"),
            refused("a\nb", TopicError.CONTROL_CHARACTER,
                "topic \"a\\u000Ab\": control character 0x0A at byte 1; names are printable ASCII"),
            refused("a\rb", TopicError.CONTROL_CHARACTER,
                "topic \"a\\u000Db\": control character 0x0D at byte 1; names are printable ASCII"),
            refused("\u0000", TopicError.CONTROL_CHARACTER,
                "topic \"\\u0000\": control character 0x00 at byte 0; names are printable ASCII"),
            refused("a\u007f", TopicError.CONTROL_CHARACTER,
                "topic \"a\\u007F\": control character 0x7F at byte 1; names are printable ASCII"),
            refused("caf\u00e9", TopicError.NON_ASCII,
                "topic \"caf\u00e9\": non-ASCII character at byte 3; names are printable ASCII"),
            refused("\u00e9t\u00e9.a..b", TopicError.NON_ASCII,
                "topic \"\u00e9t\u00e9.a..b\": non-ASCII character at byte 0; names are printable ASCII"),
            refused("ab\u20ac", TopicError.NON_ASCII,
                "topic \"ab\u20ac\": non-ASCII character at byte 2; names are printable ASCII"),
            refused("a\ud83d\ude00.b", TopicError.NON_ASCII,
                "topic \"a\ud83d\ude00.b\": non-ASCII character at byte 1; names are printable ASCII"),
            refused("a\u0085b", TopicError.NON_ASCII,
                "topic \"a\\u0085b\": non-ASCII character at byte 1; names are printable ASCII"),
            refused("a\u2028b", TopicError.NON_ASCII,
                "topic \"a\\u2028b\": non-ASCII character at byte 1; names are printable ASCII"),
            refused("a\ud800", TopicError.NON_ASCII,
                "topic \"a\ud800\": non-ASCII character at byte 1; names are printable ASCII"),
            refused("*", TopicError.WILDCARD_IN_TOPIC,
                "topic \"*\": wildcard '*' at byte 0; a topic names one subject, wildcards belong in patterns"),
            refused("a.b>", TopicError.WILDCARD_IN_TOPIC,
                "topic \"a.b>\": wildcard '>' at byte 3; a topic names one subject, wildcards belong in patterns"),
            refused("a\"b.>", TopicError.WILDCARD_IN_TOPIC,
                "topic \"a\\\"b.>\": wildcard '>' at byte 4; " +
                "a topic names one subject, wildcards belong in patterns"));
    }

    static Stream<Arguments> refusedPatterns()
    {
        return Stream.of(
            refused("", TopicError.EMPTY, "pattern \"\": empty; a name has at least one token"),
            refused(".>", TopicError.LEADING_DOT, "pattern \".>\": leading dot at byte 0; a name starts with a token"),
            refused("*.", TopicError.TRAILING_DOT, "pattern \"*.\": trailing dot at byte 1; a name ends with a token"),
            refused("*..>", TopicError.EMPTY_TOKEN,
                "pattern \"*..>\": empty token at byte 2; tokens are separated by single dots"),
            refused("* ", TopicError.SPACE, "pattern \"* \": space at byte 1; names contain no whitespace"),
            refused("a*", TopicError.PARTIAL_WILDCARD,
                "pattern \"a*\": '*' at byte 1 shares its token with other characters; a wildcard is a whole token"),
            refused("*a", TopicError.PARTIAL_WILDCARD,
                "pattern \"*a\": '*' at byte 0 shares its token with other characters; a wildcard is a whole token"),
            refused("**", TopicError.PARTIAL_WILDCARD,
                "pattern \"**\": '*' at byte 1 shares its token with other characters; a wildcard is a whole token"),
            refused(">*", TopicError.PARTIAL_WILDCARD,
                "pattern \">*\": '*' at byte 1 shares its token with other characters; a wildcard is a whole token"),
            refused(">a", TopicError.PARTIAL_WILDCARD,
                "pattern \">a\": '>' at byte 0 shares its token with other characters; a wildcard is a whole token"),
            refused("a.>>", TopicError.PARTIAL_WILDCARD,
                "pattern \"a.>>\": '>' at byte 3 shares its token with other characters; a wildcard is a whole token"),
            refused("*a b", TopicError.PARTIAL_WILDCARD,
                "pattern \"*a b\": '*' at byte 0 shares its token with other characters; a wildcard is a whole token"),
            refused(">.a", TopicError.FULL_WILDCARD_NOT_LAST,
                "pattern \">.a\": '>' at byte 0 is not the last token; '>' may only end a pattern"),
            refused("a.>.>", TopicError.FULL_WILDCARD_NOT_LAST,
                "pattern \"a.>.>\": '>' at byte 2 is not the last token; '>' may only end a pattern"),
            refused("a.>.", TopicError.FULL_WILDCARD_NOT_LAST,
                "pattern \"a.>.\": '>' at byte 2 is not the last token; '>' may only end a pattern"),
            refused("*\t", TopicError.CONTROL_CHARACTER,
                "pattern \"*\\u0009\": control character 0x09 at byte 1; names are printable ASCII"),
            refused("*.\u00e9", TopicError.NON_ASCII,
                "pattern \"*.\u00e9\": non-ASCII character at byte 2; names are printable ASCII"));
    }

    @ParameterizedTest
    @MethodSource("refusedTopics")
    void shouldRefuseAnInvalidTopicSayingWhatAndWhere(final String topic, final TopicError error, final String message)
    {
        assertEquals(message, refusalOfTopic(topic));
        assertFalse(message.contains("\n") || message.contains("\r"), "one line");
        if (isWellFormed(topic))
        {
            assertEquals(error, validateTopic(topic, 5), "the buffer check gives the same error");
        }
    }

    @ParameterizedTest
    @MethodSource("refusedPatterns")
    void shouldRefuseAnInvalidPatternSayingWhatAndWhere(
        final String pattern, final TopicError error, final String message)
    {
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> Topics.requirePattern(pattern));
        assertEquals(message, refused.getMessage());
        assertEquals(error, validatePattern(pattern, 7), "the buffer check gives the same error");
    }

    @Test
    void shouldHaveATestedMessageForEveryError()
    {
        final Set<TopicError> seen = EnumSet.of(TopicError.OK, TopicError.TOO_LONG, TopicError.TOO_MANY_TOKENS);
        Stream.concat(refusedTopics(), refusedPatterns())
            .forEach((arguments) -> seen.add((TopicError)arguments.get()[1]));
        assertEquals(EnumSet.allOf(TopicError.class), seen);
    }

    @Test
    void shouldRefuseNull()
    {
        assertEquals("topic null: a name is required",
            assertThrows(IllegalArgumentException.class, () -> Topics.requireTopic(null)).getMessage());
        assertEquals("pattern null: a name is required",
            assertThrows(IllegalArgumentException.class, () -> Topics.requirePattern(null)).getMessage());
    }

    @Test
    void shouldGiveEachErrorAShortDistinctDescription()
    {
        final Set<String> descriptions = new HashSet<>();
        for (final TopicError error : TopicError.values())
        {
            assertFalse(error.description().isEmpty(), error.name());
            assertFalse(error.description().contains("%"), error.name());
            assertTrue(descriptions.add(error.description()), error.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$raet", "$raet.a", "$raet.stack.joined", "$raet.>", "$raet.*"})
    void shouldTellSystemNames(final String name)
    {
        assertTrue(Topics.isSystem(name));
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 4]);
        buffer.putBytes(2, bytes);
        assertTrue(Topics.isSystem(buffer, 2, bytes.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "raet", "$rae", "$raetx", "$raetx.a", "$RAET.a", "a.$raet", "*.a", ">", "$"})
    void shouldTellOrdinaryNames(final String name)
    {
        assertFalse(Topics.isSystem(name));
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 12]);
        buffer.putStringWithoutLengthAscii(0, "$raet.xxxxx" + name);
        assertFalse(Topics.isSystem(buffer, 11, bytes.length));
    }

    @Test
    void shouldReadOnlyTheGivenBytesOfABuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putStringWithoutLengthAscii(0, "..a.b c*>..");
        assertEquals(TopicError.OK, Topics.validateTopic(buffer, 2, 3));
        assertEquals(TopicError.SPACE, Topics.validateTopic(buffer, 2, 5));
        assertEquals(TopicError.OK, Topics.validatePattern(buffer, 6, 1));
        assertEquals(TopicError.PARTIAL_WILDCARD, Topics.validatePattern(buffer, 6, 2));
        assertEquals(TopicError.EMPTY, Topics.validateTopic(buffer, 2, 0));
        assertEquals(TopicError.EMPTY, Topics.validateTopic(buffer, 2, -1), "a negative length is read as no name");
    }

    private static String refusalOfTopic(final String topic)
    {
        return assertThrows(IllegalArgumentException.class, () -> Topics.requireTopic(topic)).getMessage();
    }

    private static TopicError validateTopic(final String name, final int offset)
    {
        final UnsafeBuffer buffer = embed(name, offset);
        return Topics.validateTopic(buffer, offset, buffer.capacity() - 2 * offset);
    }

    private static TopicError validatePattern(final String name, final int offset)
    {
        final UnsafeBuffer buffer = embed(name, offset);
        return Topics.validatePattern(buffer, offset, buffer.capacity() - 2 * offset);
    }

    // The name's real UTF-8 bytes between dots, so that reading past either end would change the result.
    private static UnsafeBuffer embed(final String name, final int offset)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 2 * offset]);
        buffer.setMemory(0, buffer.capacity(), (byte)'.');
        buffer.putBytes(offset, bytes);
        return buffer;
    }

    private static Arguments refused(final String name, final TopicError error, final String message)
    {
        return Arguments.of(name, error, message);
    }

    private static boolean isWellFormed(final String name)
    {
        return name.equals(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    private static String tokens(final int count)
    {
        return String.join(".", Collections.nCopies(count, "a"));
    }
}
