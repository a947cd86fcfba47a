package io.raet4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code request} against two {@code reply} processes over UDP, each in its own JVM: every request answered with its
 * own bytes, the requests shared between the two responders in turn.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestReplyProcessIT
{
    private static final int REQUESTS = 5_000;

    @Test
    void shouldAnswerEveryRequestFromTwoResponderProcessesInTurn()
    {
        final String first = JarProcess.freeLoopbackAddress();
        final String second = JarProcess.freeLoopbackAddress();
        final JarProcess one = JarProcess.start("reply", "--name", "one", "--bind", first, "--topic", "calc.>",
            "--idle-seconds", "30");
        final JarProcess two = JarProcess.start("reply", "--name", "two", "--bind", second, "--topic", "calc.*",
            "--idle-seconds", "30");
        try
        {
            one.awaitLine((line) -> line.startsWith("answering on"), Duration.ofSeconds(30));
            two.awaitLine((line) -> line.startsWith("answering on"), Duration.ofSeconds(30));
            final JarProcess request = JarProcess.start("request", "--bind", "127.0.0.1:0", "--peer", first,
                "--peer", second, "--topic", "calc.echo", "--count", String.valueOf(REQUESTS), "--size", "64",
                "--responders", "2");
            assertEquals(Main.EXIT_OK, request.awaitExit(Duration.ofSeconds(90)), request::transcript);
            final Map<String, Object> result = request.lastJson();
            assertEquals((long)REQUESTS, ((Number)result.get("requests")).longValue(), request::transcript);
            assertEquals((long)REQUESTS, ((Number)result.get("replies")).longValue());
            assertEquals(0L, ((Number)result.get("wrong")).longValue());
            one.signal("TERM");
            two.signal("TERM");
            final long byOne = count(one);
            final long byTwo = count(two);
            assertEquals(REQUESTS, byOne + byTwo, "each request answered once: " + one.lastLine() + " " +
                two.lastLine());
            assertEquals(REQUESTS / 2.0, byOne, 1.0, "in turn");
        }
        finally
        {
            one.close();
            two.close();
        }
    }

    private static long count(final JarProcess reply)
    {
        reply.awaitExit(Duration.ofSeconds(30));
        return ((Number)reply.lastJson().get("requests")).longValue();
    }
}
