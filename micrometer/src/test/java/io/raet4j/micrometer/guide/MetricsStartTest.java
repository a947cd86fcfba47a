package io.raet4j.micrometer.guide;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The user guide's Micrometer sample (docs/operations.md), run as a user would: it prints the duty-cycle counter as
 * the registry reads it. The examples module's {@code GuideSamplesTest} holds the page's block to this file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsStartTest
{
    @Test
    void shouldPrintTheDutyCyclesTheRegistryReads()
    {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = System.out;
        try (PrintStream capture = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            MetricsStart.main(new String[0]);
        }
        finally
        {
            System.setOut(out);
        }
        assertEquals("1.0", output.toString(StandardCharsets.UTF_8).strip(), "the guide says what it prints");
    }
}
