package io.raet4j.examples.guide;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The user guide's code cannot drift from the API: every Java block in docs/*.md and README.md sits between the lines
 * {@code <!-- sample: NAME -->} and {@code <!-- /sample -->} and must be byte for byte the file {@code NAME.java} of a
 * {@code guide} test package (this one, or another module's for samples that need that module) without its
 * {@code package} line and the blank line after it. The files are compiled by the build like any test source, and
 * the tests below run each sample of this package as a user would (its {@code main}, on loopback) and check what it
 * prints. Samples wait with the library's own loops (duty cycles until a condition holds) or on futures and latches,
 * never on a sleep.
 * <p>
 * After editing a sample, copy it into the markdown with
 * {@code mvn -o -q test -pl examples -am -Dtest=GuideSamplesTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Draet4j.guide.write=true} (the comparison then rewrites the blocks instead of failing).
 */
class GuideSamplesTest
{
    private static final Path ROOT = Path.of(System.getProperty("raet4j.root", "..")).toAbsolutePath().normalize();
    private static final String FIX = "mvn -o -q test -pl examples -am -Dtest=GuideSamplesTest " +
        "-Dsurefire.failIfNoSpecifiedTests=false -Draet4j.guide.write=true";
    private static final Pattern SAMPLE = Pattern.compile(
        "^<!-- sample: (\\w+) -->\n```java\n(.*?)```\n<!-- /sample -->$", Pattern.DOTALL | Pattern.MULTILINE);
    private static final Pattern MARKER = Pattern.compile("^<!-- sample: (\\w+) -->$", Pattern.MULTILINE);
    private static final Pattern JAVA_BLOCK = Pattern.compile("^```java$", Pattern.MULTILINE);

    @Test
    void everyGuideSampleIsItsSourceFileAsWritten() throws IOException
    {
        final boolean write = Boolean.getBoolean("raet4j.guide.write");
        final List<String> problems = new ArrayList<>();
        int samples = 0;
        for (final Path page : pages())
        {
            final String text = Files.readString(page, StandardCharsets.UTF_8);
            final StringBuilder rewritten = new StringBuilder();
            final Matcher matcher = SAMPLE.matcher(text);
            int copied = 0;
            int blocks = 0;
            while (matcher.find())
            {
                blocks++;
                samples++;
                final String name = matcher.group(1);
                final Optional<Path> source = sourceOf(name);
                if (source.isEmpty())
                {
                    problems.add(ROOT.relativize(page) + ": sample " + name + " has no file " + name +
                        ".java in a src/test/java/**/guide/ folder");
                    continue;
                }
                final String expected = shown(Files.readString(source.get(), StandardCharsets.UTF_8));
                final String actual = matcher.group(2);
                rewritten.append(text, copied, matcher.start(2)).append(expected);
                copied = matcher.end(2);
                if (!expected.equals(actual))
                {
                    problems.add(ROOT.relativize(page) + ": sample " + name + " differs from " +
                        ROOT.relativize(source.get()) + " " + firstDifference(actual, expected));
                }
            }
            rewritten.append(text, copied, text.length());
            final int markers = count(MARKER, text);
            final int javaBlocks = count(JAVA_BLOCK, text);
            if (markers != blocks || javaBlocks != blocks)
            {
                problems.add(ROOT.relativize(page) + ": " + javaBlocks + " ```java blocks and " + markers +
                    " sample markers, but " + blocks + " well-formed samples: put every Java block between " +
                    "<!-- sample: NAME --> and <!-- /sample --> with nothing else in between");
            }
            if (write && !rewritten.toString().equals(text))
            {
                Files.writeString(page, rewritten.toString(), StandardCharsets.UTF_8);
            }
        }
        assertTrue(samples > 0, "the guide has samples");
        if (!problems.isEmpty() && !write)
        {
            fail(String.join("\n", problems) + "\nto copy the sources into the markdown: " + FIX);
        }
    }

    @Test
    void everySampleInThisPackageIsShownInTheGuide() throws IOException
    {
        final Set<String> shown = new TreeSet<>();
        for (final Path page : pages())
        {
            final Matcher matcher = MARKER.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (matcher.find())
            {
                shown.add(matcher.group(1));
            }
        }
        final Set<String> unshown = new TreeSet<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("examples/src/test/java/io/raet4j/examples/guide")))
        {
            files.map(file -> file.getFileName().toString().replace(".java", ""))
                .filter(name -> !name.endsWith("Test") && !shown.contains(name))
                .forEach(unshown::add);
        }
        assertEquals(Set.of(), unshown, "samples no page shows: embed them or delete them");
    }

    @Test
    @Timeout(30)
    void quickStartJoinsAndDeliversTenMessages() throws Exception
    {
        final String printed = run(() -> QuickStart.main(new String[0]));
        assertTrue(printed.contains("alpha sees beta JOINED"), printed);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(printed.contains("beta got hello " + i + System.lineSeparator()), printed);
            assertTrue(printed.contains("message " + i + " delivered"), printed);
        }
        assertTrue(!printed.contains("failed") && !printed.contains("uncertain"), printed);
    }

    @Test
    @Timeout(30)
    void pubSubStartDeliversToBothMatchingSubscriptions() throws Exception
    {
        final String printed = run(() -> PubSubStart.main(new String[0]));
        for (int i = 0; i < 3; i++)
        {
            assertTrue(printed.contains("beta got sensors.kitchen.temp 2" + i + " C" + System.lineSeparator()),
                printed);
        }
        assertEquals(3, occurrences(printed, "copies taken: 1" + System.lineSeparator()), printed);
        assertEquals(3, occurrences(printed, "beta saw something on sensors.kitchen.temp"), printed);
    }

    @Test
    @Timeout(30)
    void requestReplyGetsAReplyAndNoResponders() throws Exception
    {
        final String printed = run(() -> RequestReply.main(new String[0]));
        assertTrue(printed.contains("reply HELLO" + System.lineSeparator()), printed);
        assertTrue(printed.contains("request failed: NO_RESPONDERS" + System.lineSeparator()), printed);
    }

    @Test
    @Timeout(30)
    void acceptanceRefusesUntilTheOperatorAccepts() throws Exception
    {
        final String printed = run(() -> Acceptance.main(new String[0]));
        assertEquals(String.join(System.lineSeparator(), "beta refused alpha: PENDING_ACCEPTANCE",
            "beta's operator accepts alpha: true", "alpha joined beta", ""), printed);
    }

    @Test
    @Timeout(30)
    void tuningReadsTheCounters() throws Exception
    {
        final String printed = run(() -> Tuning.main(new String[0]));
        assertTrue(printed.contains("status file: "), printed);
        assertTrue(printed.contains("status.dat"), printed);
        assertTrue(printed.contains("messages delivered: 100" + System.lineSeparator()), printed);
        assertTrue(printed.contains("beta received: 100 messages, 102400 bytes" + System.lineSeparator()), printed);
        assertTrue(printed.contains("joins: 1" + System.lineSeparator()), printed);
        assertTrue(printed.contains("duty cycles > 0: true"), printed);
    }

    @Test
    @Timeout(30)
    void anyThreadDeliversEveryProducersMessagesInItsOrder() throws Exception
    {
        final String printed = run(() -> AnyThread.main(new String[0]));
        assertTrue(printed.contains("tracked message DELIVERED"), printed);
        assertTrue(printed.contains("beta got tracked"), printed);
        for (int p = 0; p < 2; p++)
        {
            for (int i = 0; i < 5; i++)
            {
                assertTrue(printed.contains("beta got producer " + p + " message " + i), printed);
            }
            assertTrue(printed.indexOf("producer " + p + " message 0") < printed.indexOf("producer " + p +
                " message 4"), printed);
        }
    }

    @Test
    @Timeout(30)
    void reactiveStartStreamsTenMessages() throws Exception
    {
        final String printed = run(() -> ReactiveStart.main(new String[0]));
        for (int i = 0; i < 10; i++)
        {
            assertTrue(printed.contains("beta got hello " + i + System.lineSeparator()), printed);
        }
        assertTrue(printed.indexOf("beta got hello 0") < printed.indexOf("beta got hello 9"), printed);
        assertTrue(printed.contains("handed over: 10"), printed);
        assertTrue(printed.contains("stream complete"), printed);
    }

    @Test
    @Timeout(30)
    void reactiveTopicsStreamsFivePublications() throws Exception
    {
        final String printed = run(() -> ReactiveTopics.main(new String[0]));
        for (int i = 0; i < 5; i++)
        {
            assertTrue(printed.contains("beta got sensors.kitchen.temp 2" + i + " C" + System.lineSeparator()),
                printed);
        }
        assertTrue(printed.indexOf("temp 20 C") < printed.indexOf("temp 24 C"), printed);
        assertTrue(printed.contains("handed over: 5"), printed);
        assertTrue(printed.contains("stream complete"), printed);
    }

    /**
     * A sample's main, run with what it prints captured.
     */
    @FunctionalInterface
    interface Sample
    {
        void run() throws Exception;
    }

    private static String run(final Sample sample) throws Exception
    {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = System.out;
        try (PrintStream capture = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            sample.run();
        }
        finally
        {
            System.setOut(out);
        }
        final String printed = output.toString(StandardCharsets.UTF_8);
        out.print(printed);
        return printed;
    }

    private static List<Path> pages() throws IOException
    {
        final List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs")))
        {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /**
     * The file of a sample: {@code NAME.java} in a {@code guide} folder of a module's test sources.
     */
    private static Optional<Path> sourceOf(final String name) throws IOException
    {
        try (Stream<Path> modules = Files.list(ROOT))
        {
            for (final Path module : modules.filter(Files::isDirectory).sorted().toList())
            {
                final Path tests = module.resolve("src/test/java");
                if (Files.isDirectory(tests))
                {
                    try (Stream<Path> files = Files.walk(tests))
                    {
                        final Optional<Path> found = files.filter(file -> file.endsWith(name + ".java") &&
                            file.getParent().getFileName().toString().equals("guide")).findFirst();
                        if (found.isPresent())
                        {
                            return found;
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What a page shows of a sample's file: all but its package line and the blank line after it, so that the block
     * compiles as written in a new project's default package.
     */
    private static String shown(final String source)
    {
        final String packageLine = source.substring(0, source.indexOf('\n') + 1);
        assertTrue(packageLine.startsWith("package "), "a sample starts with its package line");
        final String rest = source.substring(packageLine.length());
        return rest.startsWith("\n") ? rest.substring(1) : rest;
    }

    private static String firstDifference(final String actual, final String expected)
    {
        final String[] shown = actual.split("\n", -1);
        final String[] source = expected.split("\n", -1);
        for (int i = 0; i < Math.max(shown.length, source.length); i++)
        {
            final String a = i < shown.length ? shown[i] : "<end>";
            final String e = i < source.length ? source[i] : "<end>";
            if (!a.equals(e))
            {
                return "at line " + (i + 1) + " of the block: page has \"" + a + "\", source has \"" + e + "\"";
            }
        }
        return "(in line endings)";
    }

    private static int count(final Pattern pattern, final String text)
    {
        final Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find())
        {
            count++;
        }
        return count;
    }

    private static int occurrences(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length()))
        {
            count++;
        }
        return count;
    }
}
