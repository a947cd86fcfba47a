package io.raet4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reactive mesh example as a user runs it: three estates, introductions, micro-threads; its output checked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldTickToggleAndBuzzThroughAMeshFoundByIntroductions()
    {
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final String[] args = {"mesh", "--ticks", "6", "--tick-ms", "20", "--dir", tempDir.toString()};
        final int status = Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8));

        final List<String> lines = outBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(Main.EXIT_OK, status, lines + " " + errBytes);
        assertTrue(lines.contains("pin and buzzer joined each other, introduced by the clock"), lines::toString);
        assertEquals(6, lines.stream().filter((l) -> l.startsWith("clock: tick ")).count());
        assertEquals(6, lines.stream().filter((l) -> l.startsWith("pin: ")).count());
        assertEquals(List.of("buzzer: BUZZ (pin high on tick 1)", "buzzer: BUZZ (pin high on tick 3)",
            "buzzer: BUZZ (pin high on tick 5)"), lines.stream().filter((l) -> l.startsWith("buzzer: ")).toList());
        final String json = lines.get(lines.size() - 1);
        assertTrue(json.startsWith("{\"ticks\":6,\"toggles\":6,\"buzzes\":3,\"pinJoinedBuzzer\":true"), json);
    }
}
