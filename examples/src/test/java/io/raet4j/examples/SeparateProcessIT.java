package io.raet4j.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line in separate JVMs over loopback UDP, run from the shaded jar named by the system property
 * {@code raet4j.jar}. Every wait is on process output or exit with a deadline; every process is killed afterwards.
 */
class SeparateProcessIT
{
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern PROGRESS = Pattern.compile("^received (\\d+) messages.*");

    private final List<JarProcess> processes = new ArrayList<>();

    @TempDir
    Path statusParent;

    @AfterEach
    void killProcesses()
    {
        processes.forEach(JarProcess::close);
    }

    @Test
    @Timeout(120)
    void shouldNotDeclareLivePeerDeadAfterSenderProcessWasStoppedPastItsLivenessTimeout()
    {
        // The receiver tolerates a long silence; the sender has the command line's 3 s liveness timeout and is
        // stopped (SIGSTOP) for 6 s mid-stream, as a long GC pause or a debugger would stop it.
        final String recvAddress = JarProcess.freeLoopbackAddress();
        final JarProcess recv = JarProcess.startWithJvmOptions(List.of("-Draet4j.liveness.timeout.ns=60000000000"),
            "recv", "--name", "it-patient", "--bind", recvAddress, "--count", "20000", "--idle-seconds", "60",
            "--dir", statusParent.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + recvAddress), START);
        final JarProcess send = start("send", "--name", "it-sleeper", "--bind", "127.0.0.1:0", "--peer", recvAddress,
            "--count", "20000", "--size", "1000-20000", "--timeout-seconds", "100", "--dir", statusParent.toString());
        recv.awaitLine(SeparateProcessIT::showsMessagesReceived, Duration.ofSeconds(60));

        send.signal("STOP");
        assertFalse(send.exitsWithin(Duration.ofSeconds(6)), "a stopped process cannot exit");
        send.signal("CONT");

        assertEquals(0, send.awaitExit(Duration.ofSeconds(90)), send::transcript);
        final Map<String, Object> sent = send.lastJson();
        assertEquals(20000.0, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);
        assertFalse(send.transcript().contains(" DEAD"), "the paused sender declared no peer dead");
        assertEquals(0, recv.awaitExit(Duration.ofSeconds(60)), recv::transcript);
        final Map<String, Object> received = recv.lastJson();
        assertEquals(20000.0, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
    }

    @Test
    @Timeout(300)
    void shouldDeliverEveryMessageOnceInOrderBetweenProcesses()
    {
        final String recvAddress = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--name", "it-recv", "--bind", recvAddress, "--count", "20000",
            "--idle-seconds", "60", "--dir", statusParent.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + recvAddress), START);

        final JarProcess send = start("send", "--name", "it-send", "--bind", "127.0.0.1:0", "--peer", recvAddress,
            "--count", "20000", "--size", "12-65536", "--dir", statusParent.toString());

        final int sendStatus = send.awaitExit(Duration.ofSeconds(240));
        final int recvStatus = recv.awaitExit(Duration.ofSeconds(30));
        assertEquals(0, sendStatus, () -> send.transcript() + "\n" + recv.transcript());
        assertEquals(0, recvStatus, () -> send.transcript() + "\n" + recv.transcript());

        final Map<String, Object> sent = send.lastJson();
        assertEquals(20000.0, sent.get("sent"), send::transcript);
        assertEquals(20000.0, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);

        final Map<String, Object> received = recv.lastJson();
        assertEquals(20000.0, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
        assertEquals(1.0, received.get("estates"), recv::transcript);
        assertEquals(sent.get("bytes"), received.get("bytes"));
    }

    @Test
    @Timeout(300)
    void shouldEndSendWithEveryOutcomeKnownWhenReceiverIsKilled()
    {
        final String recvAddress = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--name", "it-victim", "--bind", recvAddress,
            "--idle-seconds", "120", "--dir", statusParent.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + recvAddress), START);

        final JarProcess send = start("send", "--name", "it-survivor", "--bind", "127.0.0.1:0", "--peer", recvAddress,
            "--count", "200000", "--size", "1000-20000", "--timeout-seconds", "200", "--session-timeout-seconds", "4",
            "--dir", statusParent.toString());

        recv.awaitLine(SeparateProcessIT::showsMessagesReceived, Duration.ofSeconds(120));
        recv.kill();
        final long killedNs = System.nanoTime();

        // Unreachable after 3 s of silence, dead after 4 s; allow a generous margin for a loaded machine.
        final int status = send.awaitExit(Duration.ofSeconds(30));
        final double secondsAfterKill = (System.nanoTime() - killedNs) / 1e9;
        assertEquals(1, status, send::transcript);

        final Map<String, Object> result = send.lastJson();
        final double sent = (Double)result.get("sent");
        final double delivered = (Double)result.get("delivered");
        final double failed = (Double)result.get("failed");
        final double uncertain = (Double)result.get("uncertain");
        assertEquals(sent, delivered + failed + uncertain, send::transcript);
        assertTrue(failed + uncertain > 0, send::transcript);
        assertTrue(delivered > 0, send::transcript);
        assertTrue(sent < 200000, send::transcript);
        assertTrue(secondsAfterKill < 30, "send took " + secondsAfterKill + " s after the kill");
    }

    @Test
    @Timeout(180)
    void shouldMeasureRoundTripsBetweenPingAndPongProcesses()
    {
        final String pongAddress = JarProcess.freeLoopbackAddress();
        final JarProcess pong = start("pong", "--bind", pongAddress, "--idle-seconds", "60",
            "--dir", statusParent.toString());
        pong.awaitLine((line) -> line.startsWith("listening on " + pongAddress), START);

        final JarProcess ping = start("ping", "--peer", pongAddress, "--bind", "127.0.0.1:0", "--count", "2000",
            "--warmup", "200", "--size", "32", "--dir", statusParent.toString());

        assertEquals(0, ping.awaitExit(Duration.ofSeconds(150)), ping::transcript);
        assertTrue(ping.stdout().contains("busy spin"), ping::transcript);
        final Map<String, Object> result = ping.lastJson();
        assertEquals(2000.0, result.get("count"), ping::transcript);
        for (final String field : new String[]{ "rttP50Us", "rttP90Us", "rttP99Us", "rttP999Us", "rttMaxUs" })
        {
            final Object value = result.get(field);
            assertNotNull(value, () -> field + " missing\n" + ping.transcript());
            assertTrue((Double)value > 0, () -> field + " not positive\n" + ping.transcript());
        }
        assertTrue((Double)result.get("rttP50Us") <= (Double)result.get("rttMaxUs"), ping::transcript);
    }

    @Test
    @Timeout(180)
    void shouldRunTheDemoWithNoArguments()
    {
        final JarProcess demo = start("demo");

        assertEquals(0, demo.awaitExit(Duration.ofSeconds(150)), demo::transcript);
        final Map<String, Object> result = demo.lastJson();
        assertEquals(Boolean.TRUE, result.get("joined"), demo::transcript);
        assertEquals(0.0, result.get("failed"), demo::transcript);
        assertEquals(0.0, result.get("uncertain"), demo::transcript);
        assertEquals(0.0, result.get("corrupt"), demo::transcript);
        assertEquals(result.get("messages"), result.get("delivered"), demo::transcript);
        assertTrue((Double)result.get("rttP50Us") > 0, demo::transcript);
    }

    @Test
    @Timeout(120)
    @SuppressWarnings("unchecked")
    void shouldShowCountersOfARunningStackInStat()
    {
        final String recvAddress = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--name", "it-observed", "--bind", recvAddress,
            "--idle-seconds", "60", "--dir", statusParent.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + recvAddress), START);

        final JarProcess stat = start("stat", "--once", "--dir", statusParent.toString());

        assertEquals(0, stat.awaitExit(Duration.ofSeconds(60)), stat::transcript);
        assertTrue(stat.stdout().contains("it-observed (pid "), stat::transcript);
        assertTrue(stat.stdout().contains("Packets received:"), stat::transcript);

        final Map<String, Object> result = stat.lastJson();
        final List<Object> stacks = (List<Object>)result.get("stacks");
        assertEquals(1, stacks.size(), stat::transcript);
        final Map<String, Object> stack = (Map<String, Object>)stacks.get(0);
        assertEquals("it-observed", stack.get("name"), stat::transcript);
        assertEquals(Boolean.TRUE, stack.get("running"), stat::transcript);
        assertEquals((double)recv.pid(), stack.get("pid"), stat::transcript);
        final Map<String, Object> counters = (Map<String, Object>)stack.get("counters");
        assertNotNull(counters.get("Packets received"), stat::transcript);
        assertTrue((Double)counters.get("Duty cycles") > 0, stat::transcript);
    }

    private JarProcess start(final String... args)
    {
        final JarProcess process = JarProcess.start(args);
        processes.add(process);
        return process;
    }

    private static boolean showsMessagesReceived(final String line)
    {
        final Matcher matcher = PROGRESS.matcher(line);
        return matcher.matches() && Long.parseLong(matcher.group(1)) > 0;
    }
}
