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
 * The scenarios issue 10 found the defects in, rerun as they were found: separate {@code send} and {@code recv}
 * processes on loopback with the command line's defaults (unreachable after 3 s of silence, the session ended after
 * 60 s); the receiver stopped with SIGSTOP for 10 s mid-stream; partitions through a black-holing UDP proxy of 2 s,
 * 8 s, 30 s and 120 s; the receiver killed with SIGKILL, alone and then restarted with the same keep. Each message's
 * outcome is held to what the receiving application got ({@link LedgerCheck}). Run with {@code -Preliability}
 * (about 6 minutes); the report is printed at the end.
 */
class ReliabilityScenarioIT
{
    private static final int MESSAGES = 400_000;
    private static final Duration RUN = Duration.ofMinutes(5);
    private static final List<String> REPORT = new ArrayList<>();

    @AfterAll
    static void report()
    {
        System.out.println("== issue 10 scenarios: the receiving application's count next to the sender's outcomes");
        REPORT.forEach(System.out::println);
    }

    @Test
    @Timeout(360)
    void shouldLoseNothingAndFailNothingWhenTheReceiverIsStoppedForTenSeconds()
    {
        try (Fleet fleet = Fleet.create("sigstop-10s");
            Scenario scenario = Scenario.start(fleet, "sigstop-10s", MESSAGES, false))
        {
            scenario.recv().pause();
            Scenario.hold(Duration.ofSeconds(10));
            scenario.recv().resume();
            assertNothingLost(scenario, record(scenario.finish(RUN)));
        }
    }

    @Test
    @Timeout(360)
    void shouldLoseNothingAndFailNothingAcrossATwoSecondPartition()
    {
        partition("partition-2s", Duration.ofSeconds(2));
    }

    @Test
    @Timeout(360)
    void shouldLoseNothingAndFailNothingAcrossAnEightSecondPartition()
    {
        partition("partition-8s", Duration.ofSeconds(8));
    }

    @Test
    @Timeout(360)
    void shouldLoseNothingAndFailNothingAcrossAThirtySecondPartition()
    {
        partition("partition-30s", Duration.ofSeconds(30));
    }

    @Test
    @Timeout(420)
    void shouldEndTheSessionWithTrueOutcomesWhenAPartitionOutlastsTheSessionTimeout()
    {
        try (Fleet fleet = Fleet.create("partition-120s");
            Scenario scenario = Scenario.start(fleet, "partition-120s", MESSAGES, true))
        {
            scenario.proxy().partition();
            Scenario.hold(Duration.ofSeconds(120));
            scenario.proxy().heal();
            final Scenario.Result result = record(scenario.finish(RUN));
            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(1, result.sendStatus(), "the peer's session ended: " + result.describe());
            assertTrue(result.ledgers().failed() + result.ledgers().uncertain() > 0, result::describe);
            assertTrue(result.presence().stream().anyMatch((line) -> line.endsWith(" DEAD")),
                result.presence().toString());
        }
    }

    @Test
    @Timeout(360)
    void shouldEndWithTrueOutcomesWhenTheReceiverIsKilled()
    {
        try (Fleet fleet = Fleet.create("kill9");
            Scenario scenario = Scenario.start(fleet, "kill9", MESSAGES, false))
        {
            scenario.recv().awaitLine("^received [1-9]", Duration.ofSeconds(30));
            scenario.recv().kill();
            final Scenario.Result result = record(scenario.finish(RUN));
            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(1, result.sendStatus(), result::describe);
            assertTrue(result.ledgers().failed() + result.ledgers().uncertain() > 0, result::describe);
        }
    }

    @Test
    @Timeout(360)
    void shouldEndWithTrueOutcomesWhenTheReceiverIsKilledAndRestartedWithTheSameKeep()
    {
        try (Fleet fleet = Fleet.create("kill9-restart");
            Scenario scenario = Scenario.start(fleet, "kill9-restart", MESSAGES, false))
        {
            scenario.recv().awaitLine("^received [1-9]", Duration.ofSeconds(30));
            scenario.killAndRestartReceiver(Duration.ofSeconds(2));
            final Scenario.Result result = record(scenario.finish(RUN));
            assertEquals(List.of(), result.violations(), result::describe);
            assertEquals(0, result.ledgers().failed(), result::describe);
            assertEquals(MESSAGES, result.ledgers().delivered() + result.ledgers().uncertain(), result::describe);
        }
    }

    private void partition(final String name, final Duration duration)
    {
        try (Fleet fleet = Fleet.create(name);
            Scenario scenario = Scenario.start(fleet, name, MESSAGES, true))
        {
            scenario.proxy().partition();
            Scenario.hold(duration);
            scenario.proxy().heal();
            assertNothingLost(scenario, record(scenario.finish(RUN)));
        }
    }

    private static void assertNothingLost(final Scenario scenario, final Scenario.Result result)
    {
        assertEquals(List.of(), result.violations(), result::describe);
        assertEquals(MESSAGES, result.ledgers().delivered(), result::describe);
        assertEquals(MESSAGES, result.ledgers().received(), result::describe);
        assertEquals(0, result.sendStatus(), scenario.send()::transcript);
    }

    private static Scenario.Result record(final Scenario.Result result)
    {
        REPORT.add(result.describe() + "  " + presenceSummary(result.presence()));
        System.out.println(result.describe());
        return result;
    }

    private static String presenceSummary(final List<String> presence)
    {
        final List<String> events = new ArrayList<>();
        for (final String line : presence)
        {
            events.add(line.substring(line.lastIndexOf(' ') + 1));
        }
        return "sender saw " + String.join(" ", events);
    }
}
