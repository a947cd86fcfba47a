package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's command line, run in this JVM through its testable entry point with real sockets.
 */
@Timeout(30)
class UdpProxyCommandLineTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldFollowCommandsFromStandardInputAndPrintASummaryLast() throws IOException
    {
        try (UdpEndpoint target = UdpEndpoint.echoTarget(); UdpEndpoint client = UdpEndpoint.client();
            PipedWriter commands = new PipedWriter())
        {
            final BufferedReader in = new BufferedReader(new PipedReader(commands));
            final CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> UdpProxy.run(
                new String[]{"--listen", "127.0.0.1:0", "--target", hostPort(target)}, in, out, err));
            final String listening = awaitOutput("listening on ");
            final String proxy = listening.substring("listening on ".length(), listening.indexOf(','));

            client.send("through", UdpProxy.address(proxy));
            client.await("echo:through", Duration.ofSeconds(5));
            commands.write("down c2t\nnonsense\nstats\nup\ndown\nquit\n");
            commands.flush();

            assertEquals(UdpProxy.EXIT_OK, status.join());
            final List<String> lines = outBytes.toString(StandardCharsets.UTF_8).lines().toList();
            final JsonObject summary = JsonObject.parse(lines.get(lines.size() - 1));
            assertEquals(1L, summary.getLong("forwardedC2t"), lines::toString);
            assertEquals(1L, summary.getLong("forwardedT2c"), lines::toString);
            assertEquals(1L, summary.getLong("clients"), lines::toString);
            assertEquals(2L, summary.getLong("outages"), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("at [0-9.]+ s: down c2t")), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("at [0-9.]+ s: up c2t")), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("at [0-9.]+ s: down both")), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.contains("forwarded c2t 1 t2c 1")), lines::toString);
            assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("'nonsense': unknown command"));
        }
    }

    @Test
    void shouldRunItsScheduleAndEndAfterItsDuration()
    {
        try (UdpEndpoint target = UdpEndpoint.echoTarget())
        {
            final int status = UdpProxy.run(new String[]{"--listen", "127.0.0.1:0", "--target", hostPort(target),
                "--schedule", "down@50ms+100ms,down:t2c@200ms+50ms", "--duration", "400ms"},
                new BufferedReader(new StringReader("")), out, err);

            assertEquals(UdpProxy.EXIT_OK, status);
            final List<String> events = outBytes.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("at ")).map(l -> l.substring(l.indexOf(": ") + 2)).toList();
            assertEquals(List.of("down both", "up both", "down t2c", "up t2c"), events);
            final List<String> lines = outBytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(2L, JsonObject.parse(lines.get(lines.size() - 1)).getLong("outages"));
        }
    }

    @Test
    void shouldRefuseBadArgumentsWithStatusTwo()
    {
        final BufferedReader none = new BufferedReader(new StringReader(""));

        assertEquals(UdpProxy.EXIT_USAGE, UdpProxy.run(new String[]{"--listen", "127.0.0.1:0"}, none, out, err));
        assertEquals(UdpProxy.EXIT_USAGE, UdpProxy.run(new String[]{"--listen", "127.0.0.1:0", "--target",
            "127.0.0.1:9", "--schedule", "down@1s"}, none, out, err));
        assertEquals(UdpProxy.EXIT_USAGE, UdpProxy.run(new String[]{"--bogus"}, none, out, err));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("--target is required"));
        assertEquals("", outBytes.toString(StandardCharsets.UTF_8));
    }

    private String awaitOutput(final String prefix)
    {
        Await.until(() -> outBytes.toString(StandardCharsets.UTF_8).contains(prefix), Duration.ofSeconds(10),
            () -> "'" + prefix + "' in " + outBytes.toString(StandardCharsets.UTF_8));
        return outBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(prefix)).findFirst()
            .orElseThrow();
    }

    private static String hostPort(final UdpEndpoint endpoint)
    {
        return "127.0.0.1:" + endpoint.address().getPort();
    }
}
