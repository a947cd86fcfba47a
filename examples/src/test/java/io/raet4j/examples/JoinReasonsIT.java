package io.raet4j.examples;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line says why a join failed, on both sides, and its defaults let a user run {@code send} twice against
 * one {@code recv}. Separate JVMs, as a user runs them.
 */
class JoinReasonsIT
{
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration RUN = Duration.ofSeconds(60);

    private final List<JarProcess> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killProcesses()
    {
        processes.forEach(JarProcess::close);
    }

    @Test
    @Timeout(120)
    void shouldLetSendRunTwiceAgainstOneRecvWithTheDefaults()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--bind", address, "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);

        for (int run = 0; run < 2; run++)
        {
            final JarProcess send = start("send", "--peer", address, "--count", "500", "--size", "100",
                "--dir", dir.toString());
            assertEquals(0, send.awaitExit(RUN), send::transcript);
            final Map<String, Object> result = send.lastJson();
            assertEquals(500.0, result.get("delivered"), send::transcript);
            assertEquals(0.0, result.get("uncertain"), send::transcript);
        }
    }

    @Test
    @Timeout(120)
    void shouldSayAtOnceThatAReusedNameNowHasOtherKeysAndWhatToDo()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--bind", address, "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);
        final JarProcess first = start("send", "--name", "same", "--peer", address, "--count", "10", "--size", "100",
            "--dir", dir.toString());
        assertEquals(0, first.awaitExit(RUN), first::transcript);

        final JarProcess second = start("send", "--name", "same", "--peer", address, "--count", "10", "--size", "100",
            "--join-timeout-seconds", "60", "--dir", dir.toString());
        final long startNs = System.nanoTime();
        assertEquals(1, second.awaitExit(RUN), second::transcript);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final String error = (String)second.lastJson().get("error");
        assertTrue(error.startsWith("join to " + address + " failed (KEYS_CHANGED): 'recv' at " + address +
            " refused 'same': it accepted that name earlier with other keys (policy once)"), error);
        assertTrue(error.contains("--keep DIR") && error.contains("keys delete same"), error);
        assertTrue(seconds < 30, "refused at once, not after the 60 s join timeout: " + seconds + " s");
        recv.awaitLine((line) -> line.startsWith("join from ") && line.contains("refused (KEYS_CHANGED)"), START);
    }

    @Test
    @Timeout(120)
    void shouldSayNoAnswerWithWhatWasTried()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess send = start("send", "--peer", address, "--count", "10", "--size", "100",
            "--join-timeout-seconds", "1", "--dir", dir.toString());
        assertEquals(1, send.awaitExit(RUN), send::transcript);
        final String error = (String)send.lastJson().get("error");
        assertTrue(error.startsWith("join to " + address + " failed (NO_ANSWER): no answer from " + address +
            " to "), error);
        assertTrue(error.contains("Joins in 1 s"), error);
    }

    @Test
    @Timeout(120)
    void shouldSayPendingAcceptanceOnBothSides()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--bind", address, "--accept", "never", "--idle-seconds", "60",
            "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);
        final JarProcess send = start("send", "--name", "newcomer", "--peer", address, "--count", "10",
            "--size", "100", "--join-timeout-seconds", "2", "--dir", dir.toString());
        assertEquals(1, send.awaitExit(RUN), send::transcript);
        final String error = (String)send.lastJson().get("error");
        assertTrue(error.contains("failed (PENDING_ACCEPTANCE)") && error.contains("keys accept newcomer"), error);
        recv.awaitLine((line) -> line.contains("refused (PENDING_ACCEPTANCE)") && line.contains("newcomer"), START);
    }

    @Test
    @Timeout(120)
    void shouldSayAtOnceThatTheEncryptionSettingsDiffer()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--bind", address, "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);
        final JarProcess send = start("send", "--peer", address, "--count", "10", "--size", "100",
            "--no-encryption", "--join-timeout-seconds", "60", "--dir", dir.toString());
        assertEquals(1, send.awaitExit(Duration.ofSeconds(30)), send::transcript);
        final String error = (String)send.lastJson().get("error");
        assertTrue(error.contains("failed (ENCRYPTION_MISMATCH): encryption is off here and on at 'recv'"), error);
        recv.awaitLine((line) -> line.contains("refused (ENCRYPTION_MISMATCH): encryption is on here and off"),
            START);
    }

    @Test
    @Timeout(120)
    void shouldSayAtOnceThatThePeerIsNotThePinnedKey()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--bind", address, "--idle-seconds", "60", "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);
        final String wrongKey = "ab".repeat(32);
        final JarProcess send = start("send", "--peer", address, "--count", "10", "--size", "100", "--pin", wrongKey,
            "--join-timeout-seconds", "60", "--dir", dir.toString());
        assertEquals(1, send.awaitExit(Duration.ofSeconds(30)), send::transcript);
        final String error = (String)send.lastJson().get("error");
        assertTrue(error.contains("failed (PINNED_KEY_MISMATCH)") && error.contains("not the pinned key " + wrongKey),
            error);
    }

    @Test
    @Timeout(120)
    void shouldSayAtOnceThatThePeerSpeaksAnotherVersion() throws IOException
    {
        try (DatagramChannel old = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            final String address = "127.0.0.1:" + ((InetSocketAddress)old.getLocalAddress()).getPort();
            final JarProcess send = start("send", "--peer", address, "--count", "10", "--size", "100",
                "--join-timeout-seconds", "60", "--dir", dir.toString());

            // Answer the first Join as a stack of version 2 does.
            final ByteBuffer in = ByteBuffer.allocateDirect(2048);
            final InetSocketAddress from = (InetSocketAddress)old.receive(in);
            final PacketReader reader = new PacketReader();
            assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(in), 0, in.position()));
            assertTrue(reader.nextFrame());
            final PacketWriter writer = new PacketWriter(1408);
            writer.begin(0x0DD, reader.srcEstateId(), 7, reader.srcSession());
            writer.appendJoinAck(JoinStatus.VERSION_UNSUPPORTED, 2, reader.join().nonce(), "old");
            writer.finish();
            old.send(writer.byteBuffer(), from);

            assertEquals(1, send.awaitExit(Duration.ofSeconds(30)), send::transcript);
            final String error = (String)send.lastJson().get("error");
            assertTrue(error.contains("failed (VERSION_MISMATCH): 'old' at " + address +
                " speaks protocol version 2 and this stack speaks version 3"), error);
        }
    }

    @Test
    @Timeout(120)
    @SuppressWarnings("unchecked")
    void shouldListARunningStacksEstatesWithPresenceAndCountersFromAnotherProcess()
    {
        final String address = JarProcess.freeLoopbackAddress();
        final JarProcess recv = start("recv", "--name", "listed", "--bind", address, "--idle-seconds", "60",
            "--dir", dir.toString());
        recv.awaitLine((line) -> line.startsWith("listening on " + address), START);
        final JarProcess send = start("send", "--name", "talker", "--peer", address, "--count", "1000",
            "--size", "100", "--dir", dir.toString());
        assertEquals(0, send.awaitExit(RUN), send::transcript);

        final JarProcess stat = start("stat", "--estates", "--once", "--dir", dir.toString());
        assertEquals(0, stat.awaitExit(START), stat::transcript);
        assertTrue(stat.stdout().contains("talker"), stat::transcript);
        final List<Object> stacks = (List<Object>)stat.lastJson().get("stacks");
        Map<String, Object> listed = null;
        for (final Object stack : stacks)
        {
            if ("listed".equals(((Map<String, Object>)stack).get("name")))
            {
                listed = (Map<String, Object>)stack;
            }
        }
        assertTrue(null != listed, stat::transcript);
        final List<Object> estates = (List<Object>)listed.get("estates");
        assertEquals(1, estates.size(), stat::transcript);
        final Map<String, Object> talker = (Map<String, Object>)estates.get(0);
        assertEquals("talker", talker.get("name"));
        assertEquals(send.lastJson().get("estateId"), talker.get("id"), "one id format everywhere");
        assertEquals("DEAD", talker.get("state"), "the sender left: " + talker);
        assertEquals(1000.0, talker.get("received"), stat::transcript);
        assertTrue(((String)talker.get("address")).startsWith("127.0.0.1:") ||
            ((String)talker.get("address")).startsWith("["), talker.toString());
    }

    @Test
    @Timeout(60)
    void shouldReportEveryMissingOptionAtOnce()
    {
        final JarProcess send = start("send", "--name", "x");
        assertEquals(2, send.awaitExit(START), send::transcript);
        assertTrue(send.transcript().contains("raet4j send: missing required options --peer, --count and --size"),
            send::transcript);
    }

    private JarProcess start(final String... args)
    {
        final JarProcess process = JarProcess.start(args);
        processes.add(process);
        return process;
    }
}
