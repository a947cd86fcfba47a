package io.raet4j.examples;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Reactor and RxJava examples as a user runs them: every temperature converted once and in order per topic,
 * at least one conversion timed out while the converter stalled and was retried, and the faster quote responder's
 * reply kept of the two.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReactiveExamplesTest
{
    @TempDir
    Path tempDir;

    @ParameterizedTest
    @ValueSource(strings = { "reactor", "rxjava" })
    void shouldFanInConvertWithTimeoutAndRetryAndKeepTheFastestQuote(final String command)
    {
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final int status = Main.run(new String[]{ command, "--dir", tempDir.toString() },
            new PrintStream(outBytes, true, StandardCharsets.UTF_8), new PrintStream(errBytes, true,
            StandardCharsets.UTF_8));

        final List<String> lines = outBytes.toString(StandardCharsets.UTF_8).lines().toList();
        final String json = lines.get(lines.size() - 1);
        System.out.println(command + ": " + json);
        assertEquals(Main.EXIT_OK, status, lines + " " + errBytes);
        assertTrue(json.startsWith("{\"readings\":60,\"temperatures\":40,\"humidities\":20,\"converted\":40," +
            "\"inOrder\":true,"), json);
        assertTrue(number(json, "timeouts") >= 1, "the converter's stall made a call time out: " + json);
        assertTrue(number(json, "retries") >= number(json, "timeouts"), "every time-out was retried: " + json);
        assertTrue(json.contains("\"fastest\":\"quote-a:101.5\""), json);
        assertEquals(2, number(json, "quotes"), json);
        assertEquals(40, lines.stream().filter((line) -> line.matches("sensor\\.\\w+\\.temp #\\d+: .* F")).count());
        assertTrue(lines.contains("sensor.kitchen.temp #0: 18.0 C = 64.4 F"), lines::toString);
        assertTrue(lines.contains("sensor.garage.temp #19: 28.5 C = 83.3 F"), lines::toString);
    }

    private static long number(final String json, final String name)
    {
        final Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(matcher.find(), name + " in " + json);
        return Long.parseLong(matcher.group(1));
    }
}
