package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static io.raet4j.reliability.FleetSmokeIT.RUN;
import static io.raet4j.reliability.FleetSmokeIT.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The current command line across hosts: {@code recv} in one network namespace, {@code send} in another, through the
 * switch. Skipped, saying why, where namespaces cannot be made.
 */
@Timeout(120)
class NetnsFleetIT
{
    private static final String MESSAGES = "300";

    @Test
    void shouldDeliverEveryMessageFromOneHostToAnother()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespace tests skipped: " + reason);
        try (NetworkNamespaces net = NetworkNamespaces.create(2); Fleet fleet = Fleet.create("netns-smoke"))
        {
            final NetworkNamespaces.Host a = net.host(1);
            final NetworkNamespaces.Host b = net.host(2);
            final String status = fleet.dir("status").toString();
            final RaetProcess recv = fleet.raet("recv").label("recv-b").in(b)
                .args("--name", "b", "--bind", b.address(7531), "--count", MESSAGES, "--dir", status).start();
            recv.awaitLine("listening on " + b.address(7531), START);

            final RaetProcess send = fleet.raet("send").label("send-a").in(a)
                .args("--name", "a", "--bind", a.address(0), "--peer", b.address(7531), "--count", MESSAGES,
                    "--size", "100", "--dir", status).start();

            final Tally tally = Tally.of(send.awaitResult(RUN), recv.awaitResult(RUN));
            assertEquals(List.of(), tally.violations(), () -> send.transcript() + recv.transcript());
            assertEquals(300, tally.delivered(), send::transcript);
            assertEquals(0, send.awaitExit(RUN), send::transcript);
        }
    }
}
