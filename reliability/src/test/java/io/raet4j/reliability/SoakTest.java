package io.raet4j.reliability;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line of {@link Soak}, without soaking: the soak itself runs for minutes and is run by hand or with
 * {@code -Psoak}.
 */
class SoakTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void shouldPrintItsUsageOnHelp()
    {
        assertEquals(Soak.EXIT_OK, run("--help"));
        assertTrue(text(out).startsWith("usage: java -cp raet4j-reliability.jar io.raet4j.reliability.Soak"),
            text(out));
        assertTrue(text(out).contains("--minutes M"), text(out));
    }

    @Test
    void shouldRefuseAnUnknownOptionWithAUsageError()
    {
        assertEquals(Soak.EXIT_USAGE, run("--minute", "5"));
        assertTrue(text(err).startsWith("soak: unknown option '--minute'"), text(err));
    }

    @Test
    void shouldRefuseADurationThatIsNotPositive()
    {
        assertEquals(Soak.EXIT_USAGE, run("--minutes", "0"));
        assertTrue(text(err).startsWith("soak: --minutes must be above 0"), text(err));
    }

    @Test
    void shouldRefuseAnOptionWithoutItsValue()
    {
        assertEquals(Soak.EXIT_USAGE, run("--seed"));
        assertTrue(text(err).startsWith("soak: --seed needs a value"), text(err));
    }

    private int run(final String... args)
    {
        return Soak.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(final ByteArrayOutputStream stream)
    {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
