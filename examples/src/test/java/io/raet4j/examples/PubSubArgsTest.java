package io.raet4j.examples;

import io.raet4j.transactions.StackContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command lines of {@code pub} and {@code sub}: bad ones exit with status 2 and one line on stderr before anything
 * starts, saying what is wrong.
 */
@Timeout(30)
class PubSubArgsTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @ParameterizedTest
    @ValueSource(strings = {
        "sub",
        "sub --bind 127.0.0.1:0",
        "sub --topic a.b",
        "sub --bind 127.0.0.1:0 --topic a..b",
        "sub --bind 127.0.0.1:0 --topic a*",
        "sub --bind 127.0.0.1:0 --topic a.>.b",
        "sub --bind 127.0.0.1:0 --topic a.b --topic",
        "sub --bind 127.0.0.1:0 --topic a.b --topic=",
        "sub --bind 127.0.0.1:0 --topic a.b --peer nohost:7000",
        "sub --bind 127.0.0.1:0 --topic a.b --peer 127.0.0.1:0",
        "sub --bind 127.0.0.1:0 --topic a.b --peer 127.0.0.1:7000 --peer 127.0.0.1",
        "sub --bind 127.0.0.1:0 --topic a.b --count -1",
        "sub --bind 127.0.0.1:0 --topic a.b --count 5 --count 6",
        "sub --bind 127.0.0.1:0 --bind 127.0.0.1:1 --topic a.b",
        "sub --bind 127.0.0.1:0 --topic a.b --idle-seconds 0",
        "sub --bind 127.0.0.1:0 --topic a.b --pin 0000000000000000000000000000000000000000000000000000000000000000",
        "sub --bind 127.0.0.1:0 --topic a.b --size 100",
        "sub --bind 127.0.0.1:0 --topic a.b stray",
        "pub",
        "pub --topic a.b --count 10 --size 100",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10",
        "pub --bind 127.0.0.1:0 --topic a.* --count 10 --size 100",
        "pub --bind 127.0.0.1:0 --topic a.> --count 10 --size 100",
        "pub --bind 127.0.0.1:0 --topic $raet.presence --count 10 --size 100",
        "pub --bind 127.0.0.1:0 --topic a.b --topic c.d --count 10 --size 100",
        "pub --bind 127.0.0.1:0 --topic a.b --count 0 --size 100",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 11",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 1-100",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size mixed",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 16777216",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 200-100",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --subscribers -1",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --rate fast",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --timeout-seconds 0",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --peer 127.0.0.1:7000 --peer bad",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --channel 1",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --idle fast",
        "pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 100 --accept maybe",
    })
    void shouldRefuseBadArgumentsWithStatusTwoAndOneLine(final String commandLine)
    {
        final int status = run(commandLine);

        assertEquals(Main.EXIT_USAGE, status, this::transcript);
        final String err = err();
        assertEquals(1, err.lines().count(), this::transcript);
        assertTrue(err.startsWith("raet4j"), this::transcript);
        assertFalse(err.contains("Exception") || err.contains("\tat "), this::transcript);
        assertEquals("", out(), this::transcript);
    }

    @Test
    void shouldSayWhatIsWrongWithAPatternAndWhere()
    {
        run("sub --bind 127.0.0.1:0 --topic a.b --topic a..b");

        assertEquals("raet4j sub: --topic: pattern \"a..b\": empty token at byte 2; tokens are separated by single " +
            "dots\n", err(), this::transcript);
    }

    @Test
    void shouldRefuseAWildcardOrASystemTopicToPublishOn()
    {
        run("pub --bind 127.0.0.1:0 --topic a.* --count 10 --size 100");
        assertTrue(err().contains("--topic: topic \"a.*\": wildcard '*' at byte 2"), this::transcript);

        errBytes.reset();
        run("pub --bind 127.0.0.1:0 --topic $raet.presence --count 10 --size 100");
        assertTrue(err().contains("is a system topic"), this::transcript);
    }

    @Test
    void shouldSayAPublicationCarriesItsSequenceNumber()
    {
        run("pub --bind 127.0.0.1:0 --topic a.b --count 10 --size 11");

        assertTrue(err().contains("--size must be in " + Payload.HEADER_LENGTH + ".." +
            PubCommand.MAX_PUBLICATION_BYTES + ", was 11"), this::transcript);
    }

    @Test
    void shouldRefuseAnOptionThatTakesOneValueGivenTwice()
    {
        run("pub --bind 127.0.0.1:0 --topic a.b --topic c.d --count 10 --size 100");

        assertTrue(err().contains("option --topic given twice"), this::transcript);
    }

    @Test
    void shouldListPubAndSubAndDocumentTheirResults()
    {
        assertEquals(Main.EXIT_OK, run("--help"));
        assertTrue(out().contains("  pub    "), this::transcript);
        assertTrue(out().contains("  sub    "), this::transcript);

        outBytes.reset();
        assertEquals(Main.EXIT_OK, run("sub --help"));
        assertTrue(out().contains("--topic PATTERN"), this::transcript);
        assertTrue(out().contains("once per matching subscription"), this::transcript);
        assertTrue(out().contains("--count N            exit after N distinct publications"), this::transcript);

        outBytes.reset();
        assertEquals(Main.EXIT_OK, run("pub --help"));
        assertTrue(out().contains("--subscribers K"), this::transcript);
        assertTrue(out().contains("\"skipped\""), this::transcript);
        assertFalse(out().contains("--pin"), "pub and sub join any number of estates: no single key to pin");
        assertEquals("", err());
    }

    @Test
    void shouldHoldAWindowThatFitsHalfTheSendBuffer()
    {
        final StackContext ctx = new StackContext();

        assertEquals(PubCommand.MAX_WINDOW, PubCommand.window(256, ctx));
        final int oneMebibyte = PubCommand.window(1024 * 1024, ctx);
        assertTrue(oneMebibyte >= 1 && (long)oneMebibyte * 1024 * 1024 <= ctx.sendBufferMaxBytes() / 2,
            "window " + oneMebibyte);
        assertEquals(1, PubCommand.window(PubCommand.MAX_PUBLICATION_BYTES, ctx));
    }

    private int run(final String commandLine)
    {
        final String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8))
        {
            return Main.run(args, out, err);
        }
    }

    private String out()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private String transcript()
    {
        return "stdout: " + out() + "\nstderr: " + err();
    }
}
