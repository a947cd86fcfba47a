package io.raet4j.pubsub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tables of {@code spec/PUBSUB.md}, read from the file itself so that the spec and the code cannot drift apart:
 * every matching example against {@link SubscriptionTrie} and the brute-force matcher, every refused name against the
 * message {@link Topics} gives. Surefire runs in the module's directory, so the spec is {@code ../spec/PUBSUB.md}.
 */
class TopicSpecTest
{
    private static final Path SPEC = Path.of("..", "spec", "PUBSUB.md");
    private static final int MIN_MATCHING_EXAMPLES = 20;
    private static final int MIN_REFUSED_EXAMPLES = 10;

    static Stream<Arguments> matchingExamples()
    {
        final List<Arguments> examples = new ArrayList<>();
        for (final String[] row : table("Matching examples", "pattern", "topic", "matches", "why"))
        {
            if (!"yes".equals(row[2]) && !"no".equals(row[2]))
            {
                fail("spec: matches is yes or no, not \"" + row[2] + "\"");
            }
            examples.add(Arguments.of(row[0], row[1], "yes".equals(row[2]), row[3]));
        }
        return examples.stream();
    }

    static Stream<Arguments> refusedExamples()
    {
        final List<Arguments> examples = new ArrayList<>();
        for (final String[] row : table("Refusals", "kind", "name", "message"))
        {
            examples.add(Arguments.of(row[0], row[1], row[2]));
        }
        return examples.stream();
    }

    @ParameterizedTest(name = "{0} on {1}: {2} ({3})")
    @MethodSource("matchingExamples")
    void shouldMatchAsTheSpecSays(final String pattern, final String topic, final boolean matches, final String why)
    {
        Topics.requirePattern(pattern);
        Topics.requireTopic(topic);
        assertEquals(matches, SubscriptionTriePropertyTest.matches(pattern.split("\\."), topic.split("\\.")),
            "the brute-force matcher");

        final SubscriptionTrie trie = new SubscriptionTrie();
        trie.add(pattern, 42);
        final int[] expected = matches ? new int[]{42} : new int[]{};
        assertArrayEquals(expected, SubscriptionTrieTest.match(trie, topic));
        assertArrayEquals(expected, SubscriptionTrieTest.match(trie, topic), "from the route cache");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedExamples")
    void shouldRefuseAsTheSpecSays(final String kind, final String name, final String message)
    {
        final IllegalArgumentException refused;
        if ("topic".equals(kind))
        {
            refused = assertThrows(IllegalArgumentException.class, () -> Topics.requireTopic(name));
        }
        else
        {
            assertEquals("pattern", kind, "spec: kind is topic or pattern");
            refused = assertThrows(IllegalArgumentException.class, () -> Topics.requirePattern(name));
        }
        assertEquals(message, refused.getMessage());
    }

    @Test
    void shouldHoldEnoughExamples()
    {
        assertTrue(matchingExamples().count() >= MIN_MATCHING_EXAMPLES);
        assertTrue(refusedExamples().count() >= MIN_REFUSED_EXAMPLES);
    }

    // The first table after the heading that names the section: its header must be the given columns; each row's
    // cells are trimmed and a cell that is one code span loses its backticks.
    private static List<String[]> table(final String section, final String... columns)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(SPEC, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("spec not found at " + SPEC.toAbsolutePath(), ex);
        }

        int i = 0;
        while (i < lines.size() && !(lines.get(i).startsWith("### ") && lines.get(i).endsWith(section)))
        {
            i++;
        }
        assertTrue(i < lines.size(), "spec: no section \"" + section + "\"");
        while (i < lines.size() && !isHeader(lines.get(i), columns))
        {
            i++;
        }
        assertTrue(i < lines.size(), "spec: no table with columns " + String.join(", ", columns) + " in " + section);
        i += 2;

        final List<String[]> rows = new ArrayList<>();
        for (; i < lines.size() && lines.get(i).startsWith("|"); i++)
        {
            final String[] cells = cells(lines.get(i));
            assertEquals(columns.length, cells.length, "spec: " + lines.get(i));
            rows.add(cells);
        }
        return rows;
    }

    private static boolean isHeader(final String line, final String... columns)
    {
        return line.startsWith("|") && String.join(",", cells(line)).equals(String.join(",", columns));
    }

    private static String[] cells(final String line)
    {
        final String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
        for (int i = 0; i < cells.length; i++)
        {
            final String cell = cells[i].trim();
            final boolean codeSpan = cell.length() >= 2 && cell.startsWith("`") && cell.endsWith("`") &&
                cell.indexOf('`', 1) == cell.length() - 1;
            cells[i] = codeSpan ? cell.substring(1, cell.length() - 1) : cell;
        }
        return cells;
    }
}
