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
 * The command line in separate JVMs over a shared-memory lane: yards whose inboxes are mapped files, addressed
 * {@code shm:PATH}, put through what {@link LaneProcessIT} puts a Unix lane through. Every wait is on process output
 * or exit with a deadline; every process is killed afterwards.
 */
class SharedMemoryLaneProcessIT
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

    private Path inboxPath(final String name)
    {
        return dir.resolve("shm").resolve(name);
    }

    private String yard(final String name)
    {
        return "shm:" + inboxPath(name);
    }

    private static boolean showsMessagesReceived(final String line)
    {
        final Matcher matcher = PROGRESS.matcher(line);
        return matcher.matches() && Long.parseLong(matcher.group(1)) > 0;
    }

    @Test
    @Timeout(300)
    void shouldDeliverTwentyThousandMixedMessagesExactlyOnceInOrderOverASharedMemoryLane()
    {
        final int count = 20_000;
        final JarProcess recv = start("recv", "--name", "shm-b", "--bind", yard("b"), "--count", String.valueOf(count),
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("b")), START);
        final JarProcess send = start("send", "--name", "shm-a", "--bind", yard("a"), "--peer", yard("b"),
            "--count", String.valueOf(count), "--size", "mixed", "--timeout-seconds", "240", "--dir", dir.toString());

        assertEquals(0, send.awaitExit(Duration.ofSeconds(270)), send::transcript);
        assertEquals(0, recv.awaitExit(Duration.ofSeconds(60)), recv::transcript);
        final Map<String, Object> sent = send.lastJson();
        final Map<String, Object> received = recv.lastJson();
        System.out.printf("shm lane, 2 JVMs, 20,000 mixed 1 B..1 MiB:%n  send %s%n  recv %s%n", sent, received);
        assertEquals((double)count, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);
        assertEquals((double)count, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
        assertEquals(sent.get("bytes"), received.get("bytes"));
        assertFalse(Files.exists(inboxPath("a")), "inbox files removed on exit");
        assertFalse(Files.exists(inboxPath("b")), "inbox files removed on exit");
    }

    @Test
    @Timeout(180)
    void shouldHoldMessagesWhileTheReaderIsStoppedAndLoseNothing()
    {
        // The reader is stopped for 2 s (under the command line's 3 s liveness timeout): its heartbeat goes stale,
        // the sender finds its process alive and keeps it, the ring or the sender's window fills, and offers are
        // back-pressured; nothing fails.
        final JarProcess recv = start("recv", "--name", "shm-slow", "--bind", yard("slow"), "--count", "20000",
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("slow")), START);
        final JarProcess send = start("send", "--name", "shm-eager", "--bind", yard("eager"), "--peer",
            yard("slow"), "--count", "20000", "--size", "1000-20000", "--timeout-seconds", "100",
            "--dir", dir.toString());
        recv.awaitLine(SharedMemoryLaneProcessIT::showsMessagesReceived, Duration.ofSeconds(60));
        recv.signal("STOP");
        assertFalse(recv.exitsWithin(Duration.ofSeconds(2)), "a stopped process cannot exit");
        recv.signal("CONT");

        assertEquals(0, send.awaitExit(Duration.ofSeconds(120)), send::transcript);
        assertEquals(0, recv.awaitExit(Duration.ofSeconds(60)), recv::transcript);
        final Map<String, Object> sent = send.lastJson();
        final Map<String, Object> received = recv.lastJson();
        System.out.printf("shm lane, reader stopped 2 s: send %s%n  recv %s%n", sent, received);
        assertTrue((Double)sent.get("backPressured") > 0, "the sender's offers were back-pressured: " + sent);
        assertEquals(20000.0, sent.get("delivered"), send::transcript);
        assertEquals(0.0, sent.get("failed"), send::transcript);
        assertEquals(0.0, sent.get("uncertain"), send::transcript);
        assertEquals(20000.0, received.get("received"), recv::transcript);
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
        assertFalse(send.transcript().contains("is gone"), "the stopped reader was never taken for dead");
    }

    @Test
    @Timeout(120)
    void shouldReportAKilledYardDeadAndFailItsMessagesThenTakeOverItsStaleInboxOnRestart()
    {
        final JarProcess recv = start("recv", "--name", "shm-victim", "--bind", yard("victim"),
            "--idle-seconds", "120", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("victim")), START);
        final JarProcess send = start("send", "--name", "shm-survivor", "--bind", yard("survivor"), "--peer",
            yard("victim"), "--count", "200000", "--size", "1000-20000", "--timeout-seconds", "200",
            "--session-timeout-seconds", "4", "--dir", dir.toString());
        recv.awaitLine(SharedMemoryLaneProcessIT::showsMessagesReceived, Duration.ofSeconds(60));
        recv.kill();
        final long killedNs = System.nanoTime();

        assertEquals(1, send.awaitExit(Duration.ofSeconds(30)), send::transcript);
        final double secondsAfterKill = (System.nanoTime() - killedNs) / 1e9;
        final Map<String, Object> result = send.lastJson();
        final double sentCount = (Double)result.get("sent");
        final double delivered = (Double)result.get("delivered");
        final double failed = (Double)result.get("failed");
        final double uncertain = (Double)result.get("uncertain");
        System.out.printf("shm lane, yard killed: send %s, exited %.1f s after the kill%n", result, secondsAfterKill);
        assertEquals(sentCount, delivered + failed + uncertain, send::transcript);
        assertTrue(failed + uncertain > 0, send::transcript);
        assertTrue(delivered > 0, send::transcript);
        assertTrue(send.transcript().contains("UNREACHABLE"), send::transcript);
        assertTrue(send.transcript().contains("DEAD"), send::transcript);

        // SIGKILL left the inbox behind: a new yard at the same path finds its owner gone and takes it over.
        assertTrue(Files.exists(inboxPath("victim")), "the killed yard left its inbox file");
        final JarProcess again = start("recv", "--name", "shm-victim", "--bind", yard("victim"), "--count", "1000",
            "--idle-seconds", "60", "--dir", dir.toString());
        again.awaitLine((line) -> line.startsWith("listening on " + yard("victim")), START);
        final JarProcess send2 = start("send", "--name", "shm-survivor", "--bind", yard("survivor"), "--peer",
            yard("victim"), "--count", "1000", "--size", "12-5000", "--dir", dir.toString());
        assertEquals(0, send2.awaitExit(Duration.ofSeconds(60)), send2::transcript);
        assertEquals(0, again.awaitExit(Duration.ofSeconds(60)), again::transcript);
        assertEquals(1000.0, again.lastJson().get("received"), again::transcript);
        assertEquals(0.0, again.lastJson().get("corrupt"), again::transcript);
        assertEquals(1000.0, send2.lastJson().get("delivered"), send2::transcript);
    }

    @Test
    @Timeout(120)
    void shouldRefuseToBindAnInboxHeldByARunningProcess()
    {
        final JarProcess recv = start("recv", "--name", "shm-holder", "--bind", yard("held"),
            "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + yard("held")), START);
        final JarProcess second = start("recv", "--name", "shm-intruder", "--bind", yard("held"),
            "--idle-seconds", "10", "--dir", dir.toString());
        assertEquals(1, second.awaitExit(Duration.ofSeconds(30)), second::transcript);
        assertTrue(second.transcript().contains("in use by running process"), second::transcript);
        assertFalse(recv.exitsWithin(Duration.ofMillis(200)), "the holder keeps running");
        assertTrue(Files.exists(inboxPath("held")));
    }
}
