package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The short version of {@link NetnsReliabilityScenarioIT}, in the default test run: {@code send} on one host,
 * {@code recv} on another (network namespaces joined by a bridge), and the receiver's host cut off at the switch for
 * 4 s mid-stream, past the command line's 3 s liveness timeout and well within its 60 s session timeout. Nothing may
 * be lost or fail. Skipped, saying why, where namespaces cannot be made (not root, no iproute2, no veth).
 */
class NetnsOutcomeIT
{
    private static final int MESSAGES = 400_000;
    private static final Duration LINK_DOWN = Duration.ofSeconds(4);
    private static final Duration RUN = Duration.ofMinutes(2);

    @Test
    @Timeout(150)
    void shouldLoseNothingAndFailNothingWhenTheReceiversHostIsCutOffForFourSeconds()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespace tests skipped: " + reason);
        try (NetworkNamespaces net = NetworkNamespaces.create(2); Fleet fleet = Fleet.create("netns-quick-linkdown");
            NetnsScenario scenario = NetnsScenario.builder(fleet, "quick-linkdown-4s")
                .stream("a", net.host(1), net.host(2), MESSAGES)
                .fault("link of h2 down 4 s")
                .start())
        {
            final OutcomeCounts before = scenario.stream("a").outcomes();
            net.linkDown(net.host(2));
            Scenario.hold(LINK_DOWN);
            net.linkUp(net.host(2));
            final NetnsScenario.Result result = scenario.finish(RUN);
            System.out.println(result.describe());

            assertTrue(before.delivered() < MESSAGES, () -> "the link went down mid-stream: " + before);
            final Scenario.Result a = result.stream("a");
            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(MESSAGES, a.ledgers().delivered(), result::describe);
            assertEquals(MESSAGES, a.ledgers().received(), result::describe);
            assertEquals(0, a.sendStatus(), () -> scenario.stream("a").send().transcript());
            assertTrue(a.presence().stream().anyMatch((line) -> line.endsWith(" UNREACHABLE")) &&
                a.presence().stream().anyMatch((line) -> line.endsWith(" REACHABLE")), a.presence()::toString);
        }
    }
}
