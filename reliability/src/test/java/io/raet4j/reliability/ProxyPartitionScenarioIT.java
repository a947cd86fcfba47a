package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static io.raet4j.reliability.FleetSmokeIT.LISTENING;
import static io.raet4j.reliability.FleetSmokeIT.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scenario of the {@code reliability} profile (about 15 s): a stream from {@code send} to {@code recv} through a
 * {@link UdpProxy} that partitions both ways for 2 s once the stream is under way, shorter than the command line's
 * 3 s liveness timeout, so every message must still be delivered, once and in order.
 */
@Timeout(180)
class ProxyPartitionScenarioIT
{
    private static final Duration RUN = Duration.ofSeconds(120);
    private static final int MESSAGES = 500_000;

    @Test
    void shouldDeliverEveryMessageOnceAcrossATwoSecondPartition()
    {
        try (Fleet fleet = Fleet.create("proxy-partition-2s"))
        {
            final String status = fleet.dir("status").toString();
            final RaetProcess recv = fleet.raet("recv").label("recv-b").args("--name", "b", "--bind", "127.0.0.1:0",
                "--count", Integer.toString(MESSAGES), "--idle-seconds", "30", "--dir", status).start();
            final String recvAddress = recv.awaitMatch(LISTENING, 0, START).group(1);
            try (UdpProxy proxy = UdpProxy.start("127.0.0.1:0", recvAddress))
            {
                final RaetProcess send = fleet.raet("send").label("send-a").args("--name", "a", "--bind",
                    "127.0.0.1:0", "--peer", proxy.localHostPort(), "--count", Integer.toString(MESSAGES), "--size",
                    "100", "--rate", Scenario.DEFAULT_RATE, "--dir", status).start();
                send.awaitLine("^sent [1-9]", START);

                proxy.partitionFor(Duration.ofSeconds(2));

                final Tally tally = Tally.of(send.awaitResult(RUN), recv.awaitResult(RUN));
                assertEquals(List.of(), tally.violations(), () -> send.transcript() + recv.transcript());
                assertEquals(MESSAGES, tally.delivered(), send::transcript);
                assertEquals(1, proxy.outages());
                assertTrue(proxy.dropped(Direction.CLIENT_TO_TARGET) > 0, proxy::describeCounters);
            }
        }
    }
}
