package io.raet4j.examples;

import io.raet4j.transactions.StackCounterDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity and acceptance across processes (issue 3): {@code send} and {@code recv} with keep directories
 * ({@code --keep}), acceptance policies ({@code --accept}), a pinned key ({@code --pin}) and an operator's
 * {@code keys accept} from a third process. Every wait is on process output, process exit or a keep file, with a
 * deadline; every process is killed afterwards.
 */
class KeepProcessIT
{
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration RUN = Duration.ofSeconds(30);
    private static final String MESSAGES = "200";
    private static final double MESSAGE_COUNT = 200.0;
    private static final String MAIN_NAME = "it-main";
    private static final String SENDER_NAME = "it-sender";
    /** A join that is expected to fail is given this long, so a silent refusal costs the test no more. */
    private static final List<String> SHORT_JOIN = List.of("-Draet4j.join.timeout.ns=5000000000");
    /** A join that waits for an operator must outlast the operator. */
    private static final List<String> LONG_JOIN = List.of("-Draet4j.join.timeout.ns=30000000000");

    private final List<JarProcess> processes = new ArrayList<>();

    @TempDir
    Path work;

    private Path statusParent;
    private Path recvKeep;
    private String recvAddress;

    @BeforeEach
    void prepare()
    {
        statusParent = work.resolve("status");
        recvKeep = work.resolve("recv-keep");
        recvAddress = JarProcess.freeLoopbackAddress();
    }

    @AfterEach
    void killProcesses()
    {
        processes.forEach(JarProcess::close);
    }

    @Test
    @Timeout(60)
    void shouldAcceptASenderAgainWithoutOperatorActionWhenItRestartsFromItsKeep()
    {
        final Path sendKeep = work.resolve("send-keep");
        final JarProcess recv = startRecv("once", "--count", "400");

        // Channel 1 the second time: the sequence numbers restart, and recv checks them per estate and channel.
        final Map<String, Object> first = sendAndAwait(List.of(), SENDER_NAME, sendKeep, "--channel", "0");
        final Map<String, Object> second = sendAndAwait(List.of(), SENDER_NAME, sendKeep, "--channel", "1");

        assertEquals(first.get("estateId"), second.get("estateId"), "the estate id survives a restart");
        assertEquals(first.get("signingKey"), second.get("signingKey"), "the signing key survives a restart");
        assertEquals(Main.id(Long.parseLong(keepFile(sendKeep.resolve("local").resolve("identity.estate")).get("id"))),
            first.get("estateId"), "the estate id is the keep's (which writes it in decimal, KEEP.md)");
        assertEquals("accepted", remoteRecord(recvKeep, SENDER_NAME).get("status"));

        assertEquals(0, recv.awaitExit(RUN), recv::transcript);
        final Map<String, Object> received = recv.lastJson();
        assertEquals(400.0, received.get("received"), recv::transcript);
        assertEquals(1.0, received.get("estates"), () -> "one estate id for both runs\n" + recv.transcript());
        assertEquals(0.0, received.get("duplicates"), recv::transcript);
        assertEquals(0.0, received.get("outOfOrder"), recv::transcript);
        assertEquals(0.0, received.get("corrupt"), recv::transcript);
    }

    @Test
    @Timeout(60)
    @SuppressWarnings("unchecked")
    void shouldRefuseAnImpostorThatTakesTheNameOfAnAcceptedEstateUnderOnce()
    {
        final JarProcess recv = startRecv("once");
        final Map<String, Object> genuine =
            sendAndAwait(List.of(), SENDER_NAME, work.resolve("send-keep"), "--channel", "0");

        final JarProcess impostor = startSend(SHORT_JOIN, SENDER_NAME, work.resolve("impostor-keep"));
        final int impostorStatus = impostor.awaitExit(RUN);

        assertNotEquals(0, impostorStatus, impostor::transcript);
        final Map<String, Object> refused = impostor.lastJson();
        assertEquals(0.0, refused.get("sent"), impostor::transcript);
        assertEquals(0.0, refused.get("delivered"), impostor::transcript);
        assertNotEquals(genuine.get("signingKey"), refused.get("signingKey"), impostor::transcript);
        final Map<String, String> record = remoteRecord(recvKeep, SENDER_NAME);
        assertEquals("accepted", record.get("status"));
        assertEquals(genuine.get("signingKey"), record.get("sign-public"), "the record keeps the first keys");

        final JarProcess stat = start(List.of(), "stat", "--once", "--dir", statusParent.toString());
        assertEquals(0, stat.awaitExit(RUN), stat::transcript);
        final Map<String, Object> counters = countersOf(stat, MAIN_NAME);
        assertEquals(MESSAGE_COUNT, counters.get(StackCounterDescriptor.MESSAGES_RECEIVED.label()),
            stat::transcript);
        final Object joinsRefused = counters.get(StackCounterDescriptor.JOINS_REFUSED.label());
        assertNotNull(joinsRefused, stat::transcript);
        assertTrue((Double)joinsRefused > 0, () -> "the refusal is counted\n" + stat.transcript());

        // Stopped by a signal, recv still ends with its JSON; the JVM's exit status is then 128 + 15 whatever.
        recv.signal("TERM");
        recv.awaitExit(RUN);
        final Map<String, Object> received = recv.lastJson();
        assertEquals(MESSAGE_COUNT, received.get("received"), recv::transcript);
        assertEquals(1.0, received.get("estates"), recv::transcript);
    }

    @Test
    @Timeout(60)
    void shouldKeepAJoinPendingUnderNeverUntilAnOperatorAcceptsItFromAnotherProcess()
    {
        final String waitingName = "it-waiting";
        final JarProcess recv = startRecv("never", "--count", MESSAGES);
        final JarProcess send = startSend(LONG_JOIN, waitingName, work.resolve("send-keep"));

        awaitRemoteStatus(recvKeep, waitingName, "pending", RUN);
        assertFalse(send.exitsWithin(Duration.ofMillis(1500)), () -> "the join waits\n" + send.transcript());
        assertFalse(send.stdout().contains("sending " + MESSAGES), send::transcript);

        final JarProcess accept = start(List.of(), "keys", "accept", waitingName, "--keep", recvKeep.toString());
        assertEquals(0, accept.awaitExit(RUN), accept::transcript);
        final long acceptedNs = System.nanoTime();
        send.awaitLine((line) -> line.startsWith("sending " + MESSAGES + " messages"), RUN);
        final long joinedNs = System.nanoTime();
        final int sendStatus = send.awaitExit(RUN);
        final long exitedNs = System.nanoTime();

        final double joinSeconds = (joinedNs - acceptedNs) / 1e9;
        final double exitSeconds = (exitedNs - acceptedNs) / 1e9;
        System.out.printf("KeepProcessIT: keys accept exit -> join %.3f s, -> send exit (all delivered) %.3f s%n",
            joinSeconds, exitSeconds);
        assertEquals(0, sendStatus, send::transcript);
        assertEquals(MESSAGE_COUNT, send.lastJson().get("delivered"), send::transcript);
        assertEquals("accepted", remoteRecord(recvKeep, waitingName).get("status"));
        assertTrue(exitSeconds < 5, "send took " + exitSeconds + " s after the accept");

        assertEquals(0, recv.awaitExit(RUN), recv::transcript);
        assertEquals(MESSAGE_COUNT, recv.lastJson().get("received"), recv::transcript);
    }

    @Test
    @Timeout(60)
    void shouldJoinOnlyAnEstateThatSignsWithThePinnedKey()
    {
        final JarProcess mainKeygen = start(
            List.of(), "keys", "keygen", "--keep", recvKeep.toString(), "--name", MAIN_NAME);
        final JarProcess otherKeygen = start(
            List.of(), "keys", "keygen", "--keep", work.resolve("other-keep").toString(), "--name", "it-other");
        final String mainKey = signKeyOf(mainKeygen);
        final String otherKey = signKeyOf(otherKeygen);
        assertNotEquals(mainKey, otherKey);

        final JarProcess recv = startRecv("once", "--count", MESSAGES);
        final JarProcess doubter = startSend(SHORT_JOIN, "it-doubter", work.resolve("doubter-keep"), "--pin", otherKey);
        final int doubterStatus = doubter.awaitExit(RUN);

        assertNotEquals(0, doubterStatus, doubter::transcript);
        assertEquals(0.0, doubter.lastJson().get("delivered"), doubter::transcript);
        // send sends only once joined: nothing sent means the join failed, as it must with another key pinned.
        assertEquals(0.0, doubter.lastJson().get("sent"),
            () -> "joined an estate that does not sign with the pinned key\n" + doubter.transcript());

        final Map<String, Object> believer =
            sendAndAwait(List.of(), "it-believer", work.resolve("believer-keep"), "--pin", mainKey);
        assertEquals(MESSAGE_COUNT, believer.get("delivered"));

        assertEquals(0, recv.awaitExit(RUN), recv::transcript);
        final Map<String, Object> received = recv.lastJson();
        assertEquals(mainKey, received.get("signingKey"), "recv runs with the identity keygen made");
        assertEquals(MESSAGE_COUNT, received.get("received"), recv::transcript);
        assertEquals(1.0, received.get("estates"), recv::transcript);
    }

    private JarProcess startRecv(final String acceptPolicy, final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("recv", "--name", MAIN_NAME, "--bind", recvAddress,
            "--keep", recvKeep.toString(), "--accept", acceptPolicy, "--idle-seconds", "60",
            "--dir", statusParent.toString()));
        args.addAll(List.of(extra));
        final JarProcess recv = start(List.of(), args.toArray(new String[0]));
        recv.awaitLine((line) -> line.startsWith("listening on " + recvAddress), START);
        return recv;
    }

    private JarProcess startSend(
        final List<String> jvmOptions, final String name, final Path keep, final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("send", "--name", name, "--bind", "127.0.0.1:0",
            "--peer", recvAddress, "--keep", keep.toString(), "--count", MESSAGES, "--size", "100-2000",
            "--timeout-seconds", "30", "--dir", statusParent.toString()));
        args.addAll(List.of(extra));
        return start(jvmOptions, args.toArray(new String[0]));
    }

    /**
     * Run a send that must deliver every message.
     */
    private Map<String, Object> sendAndAwait(
        final List<String> jvmOptions, final String name, final Path keep, final String... extra)
    {
        final JarProcess send = startSend(jvmOptions, name, keep, extra);
        assertEquals(0, send.awaitExit(RUN), send::transcript);
        final Map<String, Object> result = send.lastJson();
        assertEquals(MESSAGE_COUNT, result.get("sent"), send::transcript);
        assertEquals(MESSAGE_COUNT, result.get("delivered"), send::transcript);
        assertEquals(0.0, result.get("failed"), send::transcript);
        assertEquals(0.0, result.get("uncertain"), send::transcript);
        return result;
    }

    private JarProcess start(final List<String> jvmOptions, final String... args)
    {
        final JarProcess process = JarProcess.startWithJvmOptions(jvmOptions, args);
        processes.add(process);
        return process;
    }

    private static String signKeyOf(final JarProcess keygen)
    {
        assertEquals(0, keygen.awaitExit(RUN), keygen::transcript);
        final Object key = keygen.lastJson().get("signingKey");
        assertNotNull(key, keygen::transcript);
        return (String)key;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> countersOf(final JarProcess stat, final String stackName)
    {
        for (final Object stack : (List<Object>)stat.lastJson().get("stacks"))
        {
            final Map<String, Object> fields = (Map<String, Object>)stack;
            if (stackName.equals(fields.get("name")))
            {
                return (Map<String, Object>)fields.get("counters");
            }
        }
        throw new AssertionError("no stack " + stackName + " in stat\n" + stat.transcript());
    }

    /**
     * Wait for the record of a remote estate to reach a status: a stack writes it from its own process, so the
     * file is polled, a whole version at a time (keep writes are atomic renames).
     */
    private static void awaitRemoteStatus(
        final Path keep, final String name, final String status, final Duration timeout)
    {
        final Path file = keep.resolve("remote").resolve(name + ".estate");
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        String last = "no record";
        while (System.nanoTime() < deadlineNs)
        {
            if (Files.isRegularFile(file))
            {
                last = keepFile(file).get("status");
                if (status.equals(last))
                {
                    return;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError(name + " in " + keep + " did not become " + status + " within " + timeout +
            ", last: " + last);
    }

    private static Map<String, String> remoteRecord(final Path keep, final String name)
    {
        return keepFile(keep.resolve("remote").resolve(name + ".estate"));
    }

    /**
     * The {@code key = value} fields of a keep file (spec/KEEP.md section 2), values as written.
     */
    private static Map<String, String> keepFile(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Map<String, String> fields = new HashMap<>();
        for (final String line : lines)
        {
            final int equals = line.indexOf('=');
            if (equals > 0 && !line.stripLeading().startsWith("#"))
            {
                fields.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
            }
        }
        return fields;
    }
}
