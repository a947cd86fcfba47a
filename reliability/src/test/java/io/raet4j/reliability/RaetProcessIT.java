package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.regex.Pattern;

import static io.raet4j.reliability.FleetSmokeIT.RUN;
import static io.raet4j.reliability.FleetSmokeIT.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a scenario does to a process: stop and continue it, kill it, start it again from the same keep, stop it as an
 * operator would, and drive a tool through its input.
 */
@Timeout(120)
class RaetProcessIT
{
    private static final Pattern IDENTITY = Pattern.compile("identity: estate (\\d+) ");

    @Test
    void shouldPauseResumeKillAndRestartAReceiverWithTheSameIdentity() throws Exception
    {
        try (Fleet fleet = Fleet.create("lifecycle"))
        {
            final String address = freeLoopbackAddress();
            final RaetProcess recv = fleet.raet("recv").label("recv-b").args("--name", "b", "--bind", address,
                "--idle-seconds", "60", "--keep", fleet.dir("keep-b").toString(), "--dir",
                fleet.dir("status").toString()).start();
            final String estateId = recv.awaitMatch(IDENTITY, 0, START).group(1);

            recv.pause();
            Await.until(recv::isPaused, START, recv::transcript);
            recv.resume();
            Await.until(() -> !recv.isPaused(), START, recv::transcript);
            assertThrows(IllegalStateException.class, recv::restart, "a running process is not restarted");
            assertEquals(RaetProcess.SIGKILL_EXIT_STATUS, recv.kill());
            assertFalse(recv.isAlive());

            final RaetProcess again = recv.restart();
            assertEquals("recv-b.2", again.label());
            assertEquals(recv.commandLine(), again.commandLine());
            assertNotEquals(recv.pid(), again.pid());
            again.awaitLine("listening on " + address, START);
            assertEquals(estateId, again.awaitMatch(IDENTITY, 0, START).group(1), "the keep kept the identity");

            assertEquals(RaetProcess.SIGTERM_EXIT_STATUS, again.terminate(RUN), again::transcript);
            assertEquals(estateId, again.lastJson().getString("estateId"), again::transcript);
            assertTrue(Files.isRegularFile(fleet.workDir().resolve("recv-b.out")));
            assertTrue(Files.isRegularFile(fleet.workDir().resolve("recv-b.2.out")));
            assertTrue(Files.readString(fleet.workDir().resolve("recv-b.2.cmd")).contains(" recv --name b "));
        }
    }

    @Test
    void shouldDriveAToolProcessThroughItsInputAndReadItsSummary()
    {
        try (Fleet fleet = Fleet.create("tool"))
        {
            final RaetProcess proxy = fleet.java(UdpProxy.class).label("proxy")
                .args("--listen", "127.0.0.1:0", "--target", "127.0.0.1:9").start();
            proxy.awaitLine("listening on 127\\.0\\.0\\.1:", START);

            proxy.send("down t2c");
            proxy.awaitLine("down t2c", START);
            proxy.send("quit");

            assertEquals(0, proxy.awaitExit(RUN), proxy::transcript);
            assertEquals(1, proxy.lastJson().getLong("outages"), proxy::transcript);
        }
    }

    @Test
    void shouldKillEveryProcessWhenTheFleetCloses()
    {
        final RaetProcess probe;
        try (Fleet fleet = Fleet.create("close"))
        {
            probe = fleet.java(UdpProbe.class).args("--bind", "127.0.0.1:0").start();
            probe.awaitLine("listening on", START);
            probe.pause();
        }

        assertFalse(probe.isAlive(), "a paused process is killed too");
    }

    static String freeLoopbackAddress() throws SocketException, UnknownHostException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }
}
