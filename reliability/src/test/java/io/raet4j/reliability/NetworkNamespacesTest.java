package io.raet4j.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hosts in network namespaces with a {@link UdpProbe} in each, exchanging datagrams through the switch while
 * links go down and directions are blocked. Skipped, saying why, where namespaces cannot be made.
 */
@Timeout(60)
class NetworkNamespacesTest
{
    private static final int PORT = 7999;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration ARRIVAL = Duration.ofSeconds(5);
    private static final Duration ABSENCE = Duration.ofMillis(700);
    private static final AtomicInteger TOKENS = new AtomicInteger();

    private static NetworkNamespaces net;
    private static Fleet fleet;
    private static NetworkNamespaces.Host h1;
    private static NetworkNamespaces.Host h2;
    private static RaetProcess probe1;
    private static RaetProcess probe2;

    @BeforeAll
    static void startHostsAndProbes()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespace tests skipped: " + reason);
        net = NetworkNamespaces.create(2);
        fleet = Fleet.create("netns");
        h1 = net.host(1);
        h2 = net.host(2);
        probe1 = fleet.java(UdpProbe.class).label("probe-h1").in(h1).args("--bind", h1.address(PORT)).start();
        probe2 = fleet.java(UdpProbe.class).label("probe-h2").in(h2).args("--bind", h2.address(PORT)).start();
        probe1.awaitLine("listening on " + h1.address(PORT), START);
        probe2.awaitLine("listening on " + h2.address(PORT), START);
    }

    @AfterEach
    void healEverything()
    {
        if (null != net)
        {
            net.healAll();
        }
    }

    @AfterAll
    static void stop()
    {
        if (null != fleet)
        {
            fleet.close();
        }
        if (null != net)
        {
            net.close();
        }
    }

    @Test
    void shouldGiveEachHostItsAddressOnTheSubnetAndLoopbackUp()
    {
        final String addresses = h1.exec("ip", "-br", "addr").stdout();

        assertTrue(addresses.contains("10.77.0.1/24"), addresses);
        assertTrue(addresses.matches("(?s).*lo\\s+UNKNOWN\\s+127\\.0\\.0\\.1/8.*"), addresses);
    }

    @Test
    void shouldCarryDatagramsBothWaysBetweenTwoHosts()
    {
        awaitDelivery(probe1, h2, probe2);
        awaitDelivery(probe2, h1, probe1);
    }

    @Test
    void shouldCarryNothingWhileALinkIsDownAndCarryAgainOnceItIsUp()
    {
        awaitDelivery(probe1, h2, probe2);

        net.linkDown(h2);
        final String toDown = send(probe1, h2);
        final String fromDown = send(probe2, h1);
        awaitNoDelivery(probe2, toDown);
        awaitNoDelivery(probe1, fromDown);
        assertTrue(probe1.lines().stream().noneMatch(l -> l.startsWith("send failed")), probe1::transcript);

        net.linkUp(h2);
        awaitDelivery(probe1, h2, probe2);
        awaitDelivery(probe2, h1, probe1);
    }

    @Test
    void shouldDropOnlyTheBlockedDirection()
    {
        awaitDelivery(probe1, h2, probe2);

        net.block(h1, h2);
        final String blocked = send(probe1, h2);
        awaitDelivery(probe2, h1, probe1);
        awaitNoDelivery(probe2, blocked);
        assertTrue(probe1.lines().stream().noneMatch(l -> l.startsWith("send failed")), probe1::transcript);

        net.unblock(h1, h2);
        awaitDelivery(probe1, h2, probe2);
    }

    @Test
    void shouldPartitionTwoHostsBothWaysAndHealThem()
    {
        net.partition(h1, h2);
        awaitNoDelivery(probe2, send(probe1, h2));
        awaitNoDelivery(probe1, send(probe2, h1));

        net.heal(h1, h2);
        awaitDelivery(probe1, h2, probe2);
        awaitDelivery(probe2, h1, probe1);
    }

    private static String send(final RaetProcess from, final NetworkNamespaces.Host to)
    {
        final String token = "t" + TOKENS.incrementAndGet();
        from.send("send " + to.address(PORT) + " " + token);
        return token;
    }

    /**
     * Send until one datagram arrives: the first after a link comes back may wait for the neighbour to resolve.
     */
    private static void awaitDelivery(final RaetProcess from, final NetworkNamespaces.Host to, final RaetProcess at)
    {
        final long deadlineNs = System.nanoTime() + ARRIVAL.toNanos();
        while (System.nanoTime() < deadlineNs)
        {
            final String token = send(from, to);
            if (Await.holdsWithin(() -> hasReceived(at, token), Duration.ofMillis(250)))
            {
                return;
            }
        }
        throw new AssertionError("nothing from " + from + " reached " + to + " within " + ARRIVAL + "\n" +
            from.transcript() + at.transcript());
    }

    private static void awaitNoDelivery(final RaetProcess at, final String token)
    {
        Await.never(() -> hasReceived(at, token), ABSENCE, () -> token + " reached " + at + "\n" + at.transcript());
    }

    private static boolean hasReceived(final RaetProcess probe, final String token)
    {
        return probe.lines().stream().anyMatch(l -> l.startsWith("recv " + token + " from "));
    }
}
