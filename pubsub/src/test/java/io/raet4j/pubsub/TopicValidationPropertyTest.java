package io.raet4j.pubsub;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Validation against a reference written here from the grammar of {@code spec/PUBSUB.md} 1.2 and the limits of 1.3
 * (regular expressions and counts): random strings over an alphabet of ordinary characters, dots, wildcards,
 * whitespace and a non-ASCII letter, now and then near the limits. The string check and the buffer check must agree
 * with the reference and with each other.
 * <p>
 * Seeded: a failure prints the seed; rerun it with {@code -Draet4j.pubsub.seed=SEED}.
 */
class TopicValidationPropertyTest
{
    private static final String CHARACTER = "[\\x21-\\x7E&&[^.*>]]";
    private static final Pattern TOPIC = Pattern.compile(CHARACTER + "+(\\." + CHARACTER + "+)*");
    private static final Pattern PATTERN_TOKEN = Pattern.compile(CHARACTER + "+|\\*");
    private static final char[] ALPHABET = {'a', 'b', '$', '~', '.', '.', '*', '>', ' ', '\t', '\u00e9'};
    private static final int CASES = 100_000;
    private static final int THROWING_EVERY = 10;

    private final long seed = Long.getLong("raet4j.pubsub.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void shouldRefuseExactlyWhatTheGrammarRefuses()
    {
        for (int i = 0; i < CASES; i++)
        {
            final String name = randomName();
            final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer buffer = new UnsafeBuffer(utf8);
            final int index = i;
            final Supplier<String> what = () -> "seed " + seed + " (rerun with -Draet4j.pubsub.seed=" + seed +
                "), case " + index + ", \"" + name + "\"";

            final boolean topic = isTopic(name, utf8.length);
            final boolean pattern = isPattern(name, utf8.length);
            assertEquals(topic, TopicError.OK == Topics.validateTopic(buffer, 0, utf8.length), what);
            assertEquals(pattern, TopicError.OK == Topics.validatePattern(buffer, 0, utf8.length), what);

            final UnsafeBuffer scanned = new UnsafeBuffer(Topics.bytesOf(name));
            assertEquals(
                Topics.validatePattern(buffer, 0, utf8.length),
                Topics.validatePattern(scanned, 0, scanned.capacity()),
                what);

            // The throwing checks scan the same way; an exception per invalid name is slow, so one case in ten.
            if (0 == i % THROWING_EVERY)
            {
                assertEquals(topic, passes(() -> Topics.requireTopic(name)), what);
                assertEquals(pattern, passes(() -> Topics.requirePattern(name)), what);
            }
        }
    }

    private static boolean isTopic(final String name, final int utf8Length)
    {
        return utf8Length <= Topics.MAX_NAME_LENGTH_BYTES && TOPIC.matcher(name).matches() &&
            name.split("\\.").length <= Topics.MAX_TOKENS;
    }

    private static boolean isPattern(final String name, final int utf8Length)
    {
        if (name.isEmpty() || utf8Length > Topics.MAX_NAME_LENGTH_BYTES)
        {
            return false;
        }
        final String[] tokens = name.split("\\.", -1);
        if (tokens.length > Topics.MAX_TOKENS)
        {
            return false;
        }
        for (int i = 0; i < tokens.length; i++)
        {
            final boolean lastFull = i == tokens.length - 1 && ">".equals(tokens[i]);
            if (!lastFull && !PATTERN_TOKEN.matcher(tokens[i]).matches())
            {
                return false;
            }
        }
        return true;
    }

    private static boolean passes(final Runnable check)
    {
        try
        {
            check.run();
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    private String randomName()
    {
        switch (random.nextInt(50))
        {
            case 0:
                // Around the length limit.
                return "a".repeat(250 + random.nextInt(4)) + randomShortName(4);

            case 1:
                // Around the token limit.
                return "a.".repeat(29 + random.nextInt(4)) + randomShortName(4);

            default:
                return randomShortName(10);
        }
    }

    private String randomShortName(final int maxLength)
    {
        final StringBuilder name = new StringBuilder();
        for (int i = 0, length = random.nextInt(maxLength + 1); i < length; i++)
        {
            name.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return name.toString();
    }
}
