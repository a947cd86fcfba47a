package io.raet4j.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PubSubGoalsTest
{
    private static final int[] SIZES = { 32 };
    private static final int[] FAN_OUTS = { 1, 16 };

    @Test
    void shouldComputeEachRatioFromTheRowsOfTheRun()
    {
        final List<Row> rows = new ArrayList<>();
        rows.add(row(RaetSystem.SYSTEM, "udp", true, "rttP50Us", 32, 20.0));
        rows.add(row(RaetPubSubSystem.SYSTEM, "udp", true, "rttP50Us", 32, 23.0));
        rows.add(row(NatsSystem.SYSTEM, "tcp", false, "rttP50Us", 32, 230.0));
        rows.add(row(RaetPubSubSystem.SYSTEM, "udp 1:16", true, "msgsPerSec", 32, 150_000.0));
        rows.add(row(NatsSystem.SYSTEM, "tcp 1:16", false, "msgsPerSec", 32, 200_000.0));

        final List<PubSubGoals.Goal> goals = PubSubGoals.goals(rows, SIZES, FAN_OUTS);

        final PubSubGoals.Goal vsOffer =
            find(goals, "pub/sub RTT p50 / raet4j offer RTT p50", "32 B, pub/sub encrypted");
        assertEquals(1.15, vsOffer.ratio(), 1e-9);
        assertTrue(vsOffer.isMet());

        final PubSubGoals.Goal vsNats = find(goals, "NATS RTT p50 / pub/sub RTT p50", "32 B, pub/sub encrypted");
        assertEquals(10.0, vsNats.ratio(), 1e-9);
        assertTrue(vsNats.isMet());

        final PubSubGoals.Goal throughput =
            find(goals, "pub/sub 32 B msgs/s / NATS 32 B msgs/s", "32 B, 1:16, pub/sub encrypted");
        assertEquals(0.75, throughput.ratio(), 1e-9);
        assertFalse(throughput.isMet());
    }

    @Test
    void shouldReportAGoalAsNotMeasuredWhenAPeerWasSkipped()
    {
        final List<Row> rows = List.of(row(RaetPubSubSystem.SYSTEM, "udp", false, "rttP50Us", 32, 10.0));

        final PubSubGoals.Goal vsNats =
            find(PubSubGoals.goals(rows, SIZES, FAN_OUTS), "NATS RTT p50 / pub/sub RTT p50", "32 B, pub/sub clear");

        assertTrue(Double.isNaN(vsNats.ratio()));
        assertFalse(vsNats.isMeasured());
        assertFalse(vsNats.isMet());
        assertTrue(PubSubGoals.markdown(rows, SIZES, FAN_OUTS).contains("| not measured |"));
    }

    @Test
    void shouldNotTakeALossOrMtuVariantForThePlainOfferRow()
    {
        final List<Row> rows = List.of(
            row(RaetSystem.SYSTEM, "udp loss 1.0%", false, "rttP50Us", 32, 100.0),
            row(RaetSystem.SYSTEM, "udp", false, "rttP50Us", 32, 20.0),
            row(RaetPubSubSystem.SYSTEM, "udp", false, "rttP50Us", 32, 22.0));

        final PubSubGoals.Goal vsOffer = find(PubSubGoals.goals(rows, SIZES, FAN_OUTS),
            "pub/sub RTT p50 / raet4j offer RTT p50", "32 B, pub/sub clear");

        assertEquals(1.1, vsOffer.ratio(), 1e-9);
    }

    @Test
    void shouldWriteNothingWithoutPubSubRows()
    {
        assertEquals("", PubSubGoals.markdown(List.of(), SIZES, FAN_OUTS));
    }

    private static Row row(
        final String system, final String media, final boolean encrypted, final String metric, final int size,
        final double value)
    {
        return new Row(system, media, encrypted, metric, size, value, "x", "busy-spin", "test");
    }

    private static PubSubGoals.Goal find(final List<PubSubGoals.Goal> goals, final String goal, final String subject)
    {
        for (final PubSubGoals.Goal candidate : goals)
        {
            if (candidate.goal().equals(goal) && candidate.subject().equals(subject))
            {
                return candidate;
            }
        }
        throw new AssertionError("no goal " + goal + " for " + subject + " in " + goals);
    }
}
