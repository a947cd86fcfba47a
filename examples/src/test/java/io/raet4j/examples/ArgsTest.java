package io.raet4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad command lines exit with status 2 and one line on stderr, never a stack trace, before anything starts.
 */
@Timeout(30)
class ArgsTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "frobnicate",
        "recv --bind 127.0.0.1:0 --bogus 1",
        "recv --bind 127.0.0.1:0 stray",
        "recv",
        "recv --bind nohost",
        "recv --bind 127.0.0.1:70000",
        "recv --bind 127.0.0.1:x",
        "recv --bind 127.0.0.1:0 --count -1",
        "recv --bind 127.0.0.1:0 --idle-seconds soon",
        "send --peer 127.0.0.1:7000 --count 10",
        "send --peer 127.0.0.1:7000 --size 100",
        "send --count 10 --size 100",
        "send --peer 127.0.0.1:0 --count 10 --size 100",
        "send --peer 127.0.0.1:7000 --count abc --size 100",
        "send --peer 127.0.0.1:7000 --count 0 --size 100",
        "send --peer 127.0.0.1:7000 --count 10 --size 0",
        "send --peer 127.0.0.1:7000 --count 10 --size 0-100",
        "send --peer 127.0.0.1:7000 --count 10 --size 16777217",
        "send --peer 127.0.0.1:7000 --count 10 --size Mixed",
        "send --peer 127.0.0.1:7000 --count 10 --size mixed-100",
        "send --peer 127.0.0.1:7000 --count 10 --size",
        "send --peer 127.0.0.1:7000 --count 10 --size 100-50",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --channel 256",
        "send --peer 127.0.0.1:7000 --count 10 --count 11 --size 100",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --idle fast",
        "send --peer [::1:7000 --count 10 --size 100",
        "ping --peer 127.0.0.1:7000 --size 7",
        "pong --bind 127.0.0.1:0 --name",
        "stat --once yes",
        "stat --interval-seconds 0",
        "demo --count many",
        "recv --bind 127.0.0.1:0 --accept sometimes",
        "recv --bind 127.0.0.1:0 --accept ONCE",
        "recv --bind 127.0.0.1:0 --accept",
        "pong --bind 127.0.0.1:0 --accept=",
        "recv --bind 127.0.0.1:0 --keep",
        "pong --bind 127.0.0.1:0 --keep --accept once",
        "recv --bind 127.0.0.1:0 --no-encryption yes",
        "pong --bind 127.0.0.1:0 --no-encryption=no",
        "recv --bind 127.0.0.1:0 --pin 0000000000000000000000000000000000000000000000000000000000000000",
        "pong --bind 127.0.0.1:0 --pin 0000000000000000000000000000000000000000000000000000000000000000",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --pin",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --pin 00",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --pin " +
            "000000000000000000000000000000000000000000000000000000000000000",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --pin " +
            "00000000000000000000000000000000000000000000000000000000000000000",
        "send --peer 127.0.0.1:7000 --count 10 --size 100 --pin " +
            "000000000000000000000000000000000000000000000000000000000000000g",
        "ping --peer 127.0.0.1:7000 --pin xyz",
        "ping --peer 127.0.0.1:7000 --accept maybe",
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
    void shouldSayWhySizeIsTooSmall()
    {
        run("send --peer 127.0.0.1:7000 --count 10 --size 0");

        assertTrue(err().contains("--size must be in 1.."), this::transcript);
    }

    @Test
    void shouldNameTheUnknownOption()
    {
        run("recv --bind 127.0.0.1:0 --colour blue");

        assertTrue(err().contains("unknown option --colour"), this::transcript);
    }

    @Test
    void shouldPrintUsageOnHelp()
    {
        assertEquals(Main.EXIT_OK, run("--help"));
        for (final String command :
            new String[]{ "demo", "send", "recv", "pub", "sub", "ping", "pong", "stat", "keys" })
        {
            assertTrue(out().contains("  " + command + " "), this::transcript);
        }
        assertEquals("", err());
    }

    @Test
    void shouldPrintCommandUsageOnHelpAfterTheCommand()
    {
        assertEquals(Main.EXIT_OK, run("send --count nonsense --help"));

        assertTrue(out().contains("--size BYTES|MIN-MAX|mixed"), this::transcript);
        assertTrue(out().contains("1..16777216 bytes; or mixed"), this::transcript);
        assertTrue(out().contains("1 B if i = 0, 1048576 B if i = 1"), this::transcript);
        assertTrue(out().contains("65537..1048576 if i % 1000 = 0"), this::transcript);
        assertTrue(out().contains("1024..65535 if i % 100 = 0, else 1..1400"), this::transcript);
        assertTrue(out().contains("A message of 12 bytes or more"), this::transcript);
    }

    @Test
    void shouldSayWhichAcceptPoliciesThereAre()
    {
        run("recv --bind 127.0.0.1:0 --accept sometimes");

        assertTrue(err().contains("--accept must be always, once or never, was 'sometimes'"), this::transcript);
    }

    @Test
    void shouldSayHowLongAPinnedKeyIs()
    {
        run("send --peer 127.0.0.1:7000 --count 10 --size 100 --pin abcd");

        assertTrue(err().contains("--pin must be 64 hex digits"), this::transcript);
    }

    @Test
    void shouldRefusePinOnTheAcceptingCommands()
    {
        run("pong --bind 127.0.0.1:0 --pin 0000000000000000000000000000000000000000000000000000000000000000");

        assertTrue(err().contains("unknown option --pin"), this::transcript);
    }

    @Test
    void shouldDocumentTheKeepOptionsInTheUsageOfEveryNetworkedCommand()
    {
        for (final String command : new String[]{ "send", "recv", "pub", "sub", "ping", "pong" })
        {
            outBytes.reset();
            assertEquals(Main.EXIT_OK, run(command + " --help"), this::transcript);
            for (final String option : new String[]{ "--keep DIR", "--accept always|once|never", "--no-encryption" })
            {
                assertTrue(out().contains(option), () -> command + " lacks " + option + "\n" + transcript());
            }
            final boolean isJoiner = "send".equals(command) || "ping".equals(command);
            assertEquals(isJoiner, out().contains("--pin HEX"), () -> command + "\n" + transcript());
            assertTrue(out().contains("benchmarks only"), this::transcript);
        }
    }

    @Test
    void shouldAcceptNameEqualsValueAndFlags()
    {
        final Args args = Args.parse(
            "x", new String[]{ "--count=5", "--once", "--size", "12-40", "--peer", "[::1]:9" });

        assertEquals(5, args.number("--count", null, 1, 10));
        assertTrue(args.flag("--once"));
        assertFalse(args.flag("--all"));
        assertArrayEquals(new int[]{ 12, 40 }, args.sizeRange("--size", 12, 100));
        assertEquals("[::1]:9", args.address("--peer", null, false));
        args.requireAllUsed();
    }

    @Test
    void shouldAcceptARoadOnTheBatchingUdpMedia()
    {
        final Args args = Args.parse("recv", new String[]{ "--bind", "udp:127.0.0.1:0", "--peer", "udp:localhost:7" });

        assertEquals("udp:127.0.0.1:0", args.address("--bind", null, true));
        assertEquals("udp:localhost:7", args.address("--peer", null, false));
        assertFalse(Args.isLaneAddress("udp:127.0.0.1:0"));
        assertThrows(Args.UsageException.class,
            () -> Args.parse("recv", new String[]{ "--bind", "udp:127.0.0.1" }).address("--bind", null, true));
    }

    @Test
    void shouldReadMixedSizesAsAFunctionOfSequenceAndSeed()
    {
        final Args args = Args.parse("send", new String[]{ "--size", "mixed" });
        final SendCommand.MessageSizes sizes = SendCommand.MessageSizes.read(args, "--size", 1);
        args.requireAllUsed();

        assertTrue(sizes.isMixed());
        assertEquals(1, sizes.minLength());
        assertEquals(1024 * 1024, sizes.maxLength());
        assertEquals("mixed 1-1048576", sizes.describe());
        for (long i = 0; i < 3_000; i++)
        {
            assertEquals(Payload.mixedLength(i, 1), sizes.length(i), "message " + i);
        }
        final SendCommand.MessageSizes seeded =
            SendCommand.MessageSizes.read(Args.parse("send", new String[]{ "--size=mixed" }), "--size", 9);
        assertEquals(Payload.mixedLength(1234, 9), seeded.length(1234));
    }

    @Test
    void shouldReadFixedAndRangeSizesDownToOneByte()
    {
        final SendCommand.MessageSizes fixed =
            SendCommand.MessageSizes.read(Args.parse("send", new String[]{ "--size", "1" }), "--size", 1);
        assertFalse(fixed.isMixed());
        assertEquals("1", fixed.describe());
        assertEquals(1, fixed.length(0));
        assertEquals(1, fixed.length(1));

        final SendCommand.MessageSizes range =
            SendCommand.MessageSizes.read(Args.parse("send", new String[]{ "--size", "1-11" }), "--size", 1);
        assertEquals("1-11", range.describe());
        final boolean[] seen = new boolean[12];
        for (long i = 0; i < 1_000; i++)
        {
            final int length = range.length(i);
            assertTrue(length >= 1 && length <= 11, "length " + length);
            seen[length] = true;
        }
        for (int length = 1; length <= 11; length++)
        {
            assertTrue(seen[length], "never " + length);
        }
    }

    @Test
    void shouldDrawRangeSizesFromTheSeed()
    {
        final SendCommand.MessageSizes a =
            SendCommand.MessageSizes.read(Args.parse("send", new String[]{ "--size", "100-2000" }), "--size", 5);
        final SendCommand.MessageSizes b =
            SendCommand.MessageSizes.read(Args.parse("send", new String[]{ "--size", "100-2000" }), "--size", 5);
        for (long i = 0; i < 100; i++)
        {
            assertEquals(a.length(i), b.length(i), "message " + i);
        }
    }

    @Test
    void shouldReadSecondsAsNanoseconds()
    {
        final Args args = Args.parse("x", new String[]{ "--idle-seconds", "1.5" });

        assertEquals(1_500_000_000L, args.seconds("--idle-seconds", 10, 0.001, 60));
        assertEquals(10_000_000_000L, args.seconds("--other-seconds", 10, 0.001, 60));
    }

    @Test
    void shouldReadRepeatedOptionsInCommandLineOrder()
    {
        final Args args = Args.parse("x", new String[]{
            "--peer", "127.0.0.1:7000", "--topic", "a.>", "--peer=unix:/tmp/lane/b.sock", "--topic", "*.b" });

        assertEquals(List.of("127.0.0.1:7000", "unix:/tmp/lane/b.sock"), args.addresses("--peer", false));
        assertEquals(List.of("a.>", "*.b"), args.strings("--topic"));
        assertEquals(List.of(), args.strings("--absent"));
        args.requireAllUsed();
    }

    @Test
    void shouldRefuseAnOptionThatTakesOneValueGivenTwiceWhenItIsRead()
    {
        final Args args = Args.parse("x", new String[]{ "--peer", "127.0.0.1:7000", "--peer", "127.0.0.1:7001" });

        final Args.UsageException ex =
            assertThrows(Args.UsageException.class, () -> args.address("--peer", null, false));
        assertEquals("raet4j x: option --peer given twice", ex.getMessage());
    }

    @Test
    void shouldRefuseAnOptionNotRead()
    {
        final Args args = Args.parse("x", new String[]{ "--count", "5", "--extra", "1" });
        args.number("--count", null, 1, 10);

        assertThrows(Args.UsageException.class, args::requireAllUsed);
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
