package io.raet4j.reliability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.raet4j.reliability.Direction.CLIENT_TO_TARGET;
import static io.raet4j.reliability.Direction.TARGET_TO_CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy with real loopback sockets: a target that echoes, clients that send and collect. Absence is shown by
 * waiting a bounded while for a datagram that must not come.
 */
@Timeout(30)
class UdpProxyTest
{
    private static final Duration ARRIVAL = Duration.ofSeconds(5);
    private static final Duration ABSENCE = Duration.ofMillis(300);

    private final List<String> events = new CopyOnWriteArrayList<>();
    private UdpEndpoint target;
    private UdpEndpoint client;
    private UdpProxy proxy;

    @BeforeEach
    void start()
    {
        target = UdpEndpoint.echoTarget();
        client = UdpEndpoint.client();
        proxy = new UdpProxy(UdpProxy.address("127.0.0.1:0"), target.address()).eventListener(events::add).start();
    }

    @AfterEach
    void stop()
    {
        proxy.close();
        client.close();
        target.close();
    }

    @Test
    void shouldRelayEachClientThroughAnUpstreamOfItsOwnAndAnswerTheRightClient()
    {
        try (UdpEndpoint other = UdpEndpoint.client())
        {
            client.send("one", proxy.localAddress());
            other.send("two", proxy.localAddress());

            client.await("echo:one", ARRIVAL);
            other.await("echo:two", ARRIVAL);
            final UdpEndpoint.Received one = target.await("one", ARRIVAL);
            final UdpEndpoint.Received two = target.await("two", ARRIVAL);

            assertNotEquals(one.from(), two.from(), "the target sees one source per client");
            assertNotEquals(client.address(), one.from(), "the target sees the proxy, not the client");
            assertFalse(client.hasReceived("echo:two"), "answers go back to the client they belong to");
            assertFalse(other.hasReceived("echo:one"), "answers go back to the client they belong to");
            assertEquals(2, proxy.clients());
            Await.until(() -> 2 == proxy.forwarded(TARGET_TO_CLIENT), ARRIVAL, proxy::describeCounters);
            assertEquals(2, proxy.forwarded(CLIENT_TO_TARGET));
            assertEquals(6, proxy.forwardedBytes(CLIENT_TO_TARGET));
            assertEquals(2, events.stream().filter(e -> e.startsWith("client 127.0.0.1:")).count(), events::toString);
        }
    }

    @Test
    void shouldDropAndCountBothDirectionsWhilePartitionedAndRelayAgainOnceHealed()
    {
        client.send("before", proxy.localAddress());
        client.await("echo:before", ARRIVAL);

        proxy.partition();
        client.send("during", proxy.localAddress());
        target.send("unsolicited", target.find("before").from());

        client.awaitNone("echo:during", ABSENCE);
        assertFalse(target.hasReceived("during"));
        assertFalse(client.hasReceived("unsolicited"));
        Await.until(() -> 1 == proxy.dropped(CLIENT_TO_TARGET) && 1 == proxy.dropped(TARGET_TO_CLIENT), ARRIVAL,
            proxy::describeCounters);

        proxy.heal();
        client.send("after", proxy.localAddress());
        client.await("echo:after", ARRIVAL);
        assertEquals(2, proxy.forwarded(CLIENT_TO_TARGET));
        assertEquals(1, proxy.outages());
        assertEquals(List.of("down both", "up both"), events.stream().filter(e -> !e.startsWith("client")).toList());
    }

    @Test
    void shouldDropOnlyWhatClientsSendWhenTheClientToTargetDirectionIsPartitioned()
    {
        client.send("hello", proxy.localAddress());
        client.await("echo:hello", ARRIVAL);
        final UdpEndpoint.Received hello = target.find("hello");

        proxy.partition(CLIENT_TO_TARGET);
        client.send("lost", proxy.localAddress());
        target.send("still-open", hello.from());

        client.await("still-open", ARRIVAL);
        target.awaitNone("lost", ABSENCE);
        assertTrue(proxy.isPartitioned(CLIENT_TO_TARGET));
        assertFalse(proxy.isPartitioned(TARGET_TO_CLIENT));
        assertEquals(1, proxy.dropped(CLIENT_TO_TARGET));
        assertEquals(0, proxy.dropped(TARGET_TO_CLIENT));
    }

    @Test
    void shouldDropOnlyAnswersWhenTheTargetToClientDirectionIsPartitioned()
    {
        proxy.partition(TARGET_TO_CLIENT);
        client.send("one-way", proxy.localAddress());

        target.await("one-way", ARRIVAL);
        client.awaitNone("echo:one-way", ABSENCE);
        Await.until(() -> 1 == proxy.dropped(TARGET_TO_CLIENT), ARRIVAL, proxy::describeCounters);
        assertEquals(1, proxy.forwarded(CLIENT_TO_TARGET));
        assertEquals(0, proxy.forwarded(TARGET_TO_CLIENT));

        proxy.heal(TARGET_TO_CLIENT);
        client.send("two-way", proxy.localAddress());
        client.await("echo:two-way", ARRIVAL);
    }

    @Test
    void shouldHealByItselfWhenPartitionedForAWhile()
    {
        proxy.partitionFor(Duration.ofMillis(200));
        assertTrue(proxy.isPartitioned(CLIENT_TO_TARGET) && proxy.isPartitioned(TARGET_TO_CLIENT));

        Await.until(() -> !proxy.isPartitioned(CLIENT_TO_TARGET), ARRIVAL, () -> "healed: " + events);
        client.send("healed", proxy.localAddress());
        client.await("echo:healed", ARRIVAL);
        assertEquals(List.of("down both", "up both"), events.stream().filter(e -> !e.startsWith("client")).toList());
    }

    @Test
    void shouldRunAScheduleOfOutagesInOrder()
    {
        proxy.schedule(ProxySchedule.parse("down:c2t@0ms+100ms,down:t2c@150ms+100ms"));

        Await.until(() -> 4 == events.size(), ARRIVAL, events::toString);
        assertEquals(List.of("down c2t", "up c2t", "down t2c", "up t2c"), events);
        assertEquals(2, proxy.outages());
    }

    @Test
    void shouldLoseEveryDatagramAtLossOneAndCountThemAsLost()
    {
        proxy.loss(CLIENT_TO_TARGET, 1.0);
        for (int i = 0; i < 20; i++)
        {
            client.send("x" + i, proxy.localAddress());
        }

        Await.until(() -> 20 == proxy.lost(CLIENT_TO_TARGET), ARRIVAL, proxy::describeCounters);
        assertEquals(0, target.count());
        assertEquals(0, proxy.forwarded(CLIENT_TO_TARGET));
    }

    @Test
    void shouldLoseAboutTheAskedShareOfDatagrams()
    {
        proxy.loss(TARGET_TO_CLIENT, 0.5);
        final int sent = 200;
        for (int i = 0; i < sent; i++)
        {
            client.send("m" + i, proxy.localAddress());
            target.await("m" + i, ARRIVAL);
        }

        Await.until(() -> sent == proxy.lost(TARGET_TO_CLIENT) + proxy.forwarded(TARGET_TO_CLIENT), ARRIVAL,
            proxy::describeCounters);
        final long lost = proxy.lost(TARGET_TO_CLIENT);
        assertTrue(lost > 50 && lost < 150, "about half lost: " + proxy.describeCounters());
        Await.until(() -> client.count() == proxy.forwarded(TARGET_TO_CLIENT), ARRIVAL, proxy::describeCounters);
    }

    @Test
    void shouldAllocateNothingPerDatagramOnceAClientIsKnown()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long relayThreadId = proxy.relayThread().getId();
        roundTrips(500);
        final long before = threads.getThreadAllocatedBytes(relayThreadId);

        final int datagrams = 2 * roundTrips(2_000);

        final long allocated = threads.getThreadAllocatedBytes(relayThreadId) - before;
        assertTrue(allocated < 16L * datagrams, "relay thread allocated " + allocated + " B for " + datagrams +
            " datagrams");
    }

    @Test
    void shouldRefuseAProbabilityOutsideZeroToOne()
    {
        assertThrows(IllegalArgumentException.class, () -> proxy.loss(1.5));
        assertThrows(IllegalArgumentException.class, () -> proxy.loss(CLIENT_TO_TARGET, Double.NaN));
    }

    @Test
    void shouldCountDatagramsOfClientsBeyondTheLimitAsFailed()
    {
        try (UdpProxy limited = new UdpProxy(UdpProxy.address("127.0.0.1:0"), target.address()).maxClients(1).start();
            UdpEndpoint other = UdpEndpoint.client())
        {
            client.send("first", limited.localAddress());
            client.await("echo:first", ARRIVAL);
            other.send("second", limited.localAddress());

            Await.until(() -> 1 == limited.failed(CLIENT_TO_TARGET), ARRIVAL, limited::describeCounters);
            assertEquals(1, limited.clients());
        }
    }

    /**
     * Relay datagrams both ways, a hundred at a time, few enough that no socket buffer overflows.
     */
    private int roundTrips(final int count)
    {
        final int batch = 100;
        final long start = proxy.forwarded(TARGET_TO_CLIENT);
        for (int i = 0; i < count; i += batch)
        {
            for (int j = 0; j < batch; j++)
            {
                client.send("r", proxy.localAddress());
            }
            final long expected = start + i + batch;
            Await.until(() -> proxy.forwarded(TARGET_TO_CLIENT) == expected, ARRIVAL, proxy::describeCounters);
        }
        return count;
    }

    @Test
    void shouldWriteEveryCounterAsJson()
    {
        final JsonObject json = JsonObject.parse(proxy.writeCounters(new JsonWriter()).toString());

        assertEquals(List.of("forwardedC2t", "forwardedT2c", "droppedC2t", "droppedT2c", "lostC2t", "lostT2c",
            "failedC2t", "failedT2c", "bytesC2t", "bytesT2c", "clients", "outages"),
            List.copyOf(json.members().keySet()));
    }
}
