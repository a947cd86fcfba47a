package io.raet4j.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line in separate JVMs over a lane: yards on Unix-domain datagram sockets in a lane directory, addressed
 * {@code unix:PATH}. Every wait is on process output or exit with a deadline; every process is killed afterwards.
 */
class LaneProcessIT
{
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern PROGRESS = Pattern.compile("^received (\\d+) messages.*");

    private final List<JarProcess> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killProcesses()
    {
        processes.forEach(JarProcess::close);
    }

    private JarProcess start(final String... args)
    {
        final JarProcess process = JarProcess.start(args);
        processes.add(process);
        return process;
    }

    private String yard(final String name)
    {
        return "unix:" + dir.resolve("lane").resolve(name + ".sock");
    }

    private static boolean showsMessagesReceived(final String line)
    {
        final Matcher matcher = PROGRESS.matcher(line);
        return matcher.matches() && Long.parseLong(matcher.group(1)) > 0;
    }

    @Test
    @Timeout(300)
    void shouldDeliverOneHundredThousandMessagesOfOneByteToOneMebibyteOnceInOrderOverALane()
    {
        final int count = 100_000;
        final JarProcess recv = start("recv", "--name", "lane-b", "--bind", yard("b"), "--count", String.valueOf(count),
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("b")), START);
        final long startNs = System.nanoTime();
        final JarProcess send = start("send", "--name", "lane-a", "--bind", yard("a"), "--peer", yard("b"),
            "--count", String.valueOf(count), "--size", "mixed", "--timeout-seconds", "240", "--dir", dir.toString());

        assertEquals(0, send.awaitExit(Duration.ofSeconds(270)), send::transcript);
        assertEquals(0, recv.awaitExit(Duration.ofSeconds(60)), recv::transcript);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final Map<String, Object> sent = send.lastJson();
        final Map<String, Object> received = recv.lastJson();
        System.out.printf("lane, 2 JVMs: %s%n  send %s%n  recv %s%n  %.1f s wall%n", "100,000 mixed 1 B..1 MiB",
            sent, received, seconds);
        assertEquals((double)count, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);
        assertEquals((double)count, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
        assertEquals(sent.get("bytes"), received.get("bytes"));
        assertFalse(Files.exists(dir.resolve("lane").resolve("a.sock")), "socket files removed on exit");
        assertFalse(Files.exists(dir.resolve("lane").resolve("b.sock")), "socket files removed on exit");
    }

    @Test
    @Timeout(180)
    void shouldHoldMessagesWhileTheReaderIsStoppedAndLoseNothing()
    {
        // The reader is stopped for 2 s (under the command line's 3 s liveness timeout): its socket queue (10
        // datagrams) fills, every send would block, the sender's buffers fill and its offers are back-pressured.
        final JarProcess recv = start("recv", "--name", "lane-slow", "--bind", yard("slow"), "--count", "20000",
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("slow")), START);
        final JarProcess send = start("send", "--name", "lane-eager", "--bind", yard("eager"), "--peer",
            yard("slow"), "--count", "20000", "--size", "1000-20000", "--timeout-seconds", "100",
            "--dir", dir.toString());
        recv.awaitLine(LaneProcessIT::showsMessagesReceived, Duration.ofSeconds(60));
        recv.signal("STOP");
        assertFalse(recv.exitsWithin(Duration.ofSeconds(2)), "a stopped process cannot exit");
        recv.signal("CONT");

        assertEquals(0, send.awaitExit(Duration.ofSeconds(120)), send::transcript);
        assertEquals(0, recv.awaitExit(Duration.ofSeconds(60)), recv::transcript);
        final Map<String, Object> sent = send.lastJson();
        final Map<String, Object> received = recv.lastJson();
        System.out.printf("lane, reader stopped 2 s: send %s%n  recv %s%n", sent, received);
        assertTrue((Double)sent.get("backPressured") > 0, "the sender's offers were back-pressured: " + sent);
        assertEquals(20000.0, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);
        assertEquals(20000.0, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
    }

    @Test
    @Timeout(120)
    void shouldReportAKilledYardDeadAndFailItsMessagesThenRecoverItsStaleSocketOnRestart()
    {
        final JarProcess recv = start("recv", "--name", "lane-victim", "--bind", yard("victim"),
            "--idle-seconds", "120", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("victim")), START);
        final JarProcess send = start("send", "--name", "lane-survivor", "--bind", yard("survivor"), "--peer",
            yard("victim"), "--count", "200000", "--size", "1000-20000", "--timeout-seconds", "200",
            "--session-timeout-seconds", "4", "--dir", dir.toString());
        recv.awaitLine(LaneProcessIT::showsMessagesReceived, Duration.ofSeconds(60));
        recv.kill();
        final long killedNs = System.nanoTime();

        assertEquals(1, send.awaitExit(Duration.ofSeconds(30)), send::transcript);
        final double secondsAfterKill = (System.nanoTime() - killedNs) / 1e9;
        final Map<String, Object> result = send.lastJson();
        final double sentCount = (Double)result.get("sent");
        final double delivered = (Double)result.get("delivered");
        final double failed = (Double)result.get("failed");
        final double uncertain = (Double)result.get("uncertain");
        System.out.printf("lane, yard killed: send %s, exited %.1f s after the kill%n", result, secondsAfterKill);
        assertEquals(sentCount, delivered + failed + uncertain, send::transcript);
        assertTrue(failed + uncertain > 0, send::transcript);
        assertTrue(delivered > 0, send::transcript);
        assertTrue(send.transcript().contains("UNREACHABLE"), send::transcript);
        assertTrue(send.transcript().contains("DEAD"), send::transcript);

        // SIGKILL left the socket file behind: a new yard on the same path detects it is stale and takes it over.
        assertTrue(Files.exists(dir.resolve("lane").resolve("victim.sock")), "the killed yard left its socket file");
        final JarProcess again = start("recv", "--name", "lane-victim", "--bind", yard("victim"), "--count", "1000",
            "--idle-seconds", "60", "--dir", dir.toString());
        again.awaitLine((line) -> line.startsWith("listening on " + yard("victim")), START);
        final JarProcess send2 = start("send", "--name", "lane-survivor", "--bind", yard("survivor"), "--peer",
            yard("victim"), "--count", "1000", "--size", "12-5000", "--dir", dir.toString());
        assertEquals(0, send2.awaitExit(Duration.ofSeconds(60)), send2::transcript);
        assertEquals(0, again.awaitExit(Duration.ofSeconds(60)), again::transcript);
        assertEquals(1000.0, again.lastJson().get("received"), again::transcript);
        assertEquals(0.0, again.lastJson().get("corrupt"), again::transcript);
    }

    @Test
    @Timeout(120)
    void shouldRefuseToBindAYardPathHeldByARunningProcess()
    {
        final JarProcess recv = start("recv", "--name", "lane-holder", "--bind", yard("held"),
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("held")), START);
        final JarProcess second = start("recv", "--name", "lane-intruder", "--bind", yard("held"),
            "--idle-seconds", "10", "--dir", dir.toString());
        assertEquals(1, second.awaitExit(Duration.ofSeconds(30)), second::transcript);
        assertTrue(second.transcript().contains("in use"), second::transcript);
        assertFalse(recv.exitsWithin(Duration.ofMillis(200)), "the holder keeps running");
    }
}
