package io.raet4j.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of the scenarios of issue 10, in the default test run: a receiver stopped (SIGSTOP) past the
 * liveness timeout, a partition through a proxy past it, and a receiver killed (SIGKILL) and restarted with the same
 * keep. Separate JVMs on loopback, as a user runs them; each message's outcome held to what the receiving application
 * got. The full set, with the durations the issue found the defects at, is {@link ReliabilityScenarioIT}.
 */
class OutcomeIT
{
    private static final Duration RUN = Duration.ofMinutes(3);
    /**
     * The sender paced at 100,000 messages per second, so that each fault lands in the middle of the stream however
     * fast the machine and the AEAD (with libsodium an unpaced sender finished 300,000 in under a second, before the
     * first progress line the scenario waits for).
     */
    private static final List<String> PACED = List.of("--rate", "100000");
    private static final List<String> REPORT = new ArrayList<>();

    @AfterAll
    static void report()
    {
        REPORT.forEach(System.out::println);
    }

    @Test
    @Timeout(240)
    void shouldLoseNothingAndFailNothingWhenTheReceiverIsStoppedForFiveSeconds()
    {
        try (Fleet fleet = Fleet.create("quick-sigstop-5s");
            Scenario scenario = Scenario.start(fleet, "sigstop-5s", 300_000, false, PACED, List.of()))
        {
            scenario.recv().pause();
            Scenario.hold(Duration.ofSeconds(5));
            scenario.recv().resume();
            final Scenario.Result result = record(scenario.finish(RUN));

            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(300_000, result.ledgers().delivered(), result::describe);
            assertEquals(0, result.sendStatus(), scenario.send()::transcript);
            assertTrue(result.presence().stream().anyMatch((line) -> line.endsWith(" UNREACHABLE")) &&
                result.presence().stream().anyMatch((line) -> line.endsWith(" REACHABLE")),
                result.presence().toString());
        }
    }

    @Test
    @Timeout(240)
    void shouldLoseNothingAndFailNothingAcrossAFiveSecondPartition()
    {
        try (Fleet fleet = Fleet.create("quick-partition-5s");
            Scenario scenario = Scenario.start(fleet, "partition-5s", 300_000, true, PACED, List.of()))
        {
            scenario.proxy().partition();
            Scenario.hold(Duration.ofSeconds(5));
            scenario.proxy().heal();
            final Scenario.Result result = record(scenario.finish(RUN));

            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(300_000, result.ledgers().delivered(), result::describe);
            assertEquals(0, result.sendStatus(), scenario.send()::transcript);
        }
    }

    @Test
    @Timeout(240)
    void shouldTellTheTruthWhenTheReceiverIsKilledAndRestartedWithTheSameKeep()
    {
        try (Fleet fleet = Fleet.create("quick-kill-restart");
            Scenario scenario = Scenario.start(fleet, "kill9-restart", 300_000, false, PACED, List.of()))
        {
            scenario.recv().awaitLine("^received [1-9]", Duration.ofSeconds(30));
            scenario.killAndRestartReceiver(Duration.ofSeconds(1));
            final Scenario.Result result = record(scenario.finish(RUN));

            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(300_000, result.ledgers().delivered() + result.ledgers().uncertain(),
                "nothing failed: what the killed receiver could not have had went to the restarted one; " +
                result.describe());
            assertTrue(result.presence().stream().anyMatch((line) -> line.endsWith(" RENEWED")),
                result.presence().toString());
        }
    }

    private static Scenario.Result record(final Scenario.Result result)
    {
        REPORT.add(result.describe());
        System.out.println(result.describe());
        return result;
    }
}
