package io.raet4j.transactions.message;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The path estimates on their own: RTT samples and losses given by hand, time passed as a number.
 */
class PathStateTest
{
    private static final long MIN_RTO = 1_000_000;
    private static final long MAX_RTO = 1_000_000_000;
    private static final long INITIAL_RTO = 50_000_000;

    // Full segments of 1 B: every segment is charged as a full one (onSegmentSent() and onSegmentAcked()).
    private final PathState path = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 64, 16, 65536, 1);

    @Test
    void shouldUseInitialRtoUntilFirstSample()
    {
        assertEquals(INITIAL_RTO, path.rtoNs());
        assertEquals(0, path.srttNs());
    }

    @Test
    void shouldKeepTheSmallestRoundTripUntilReset()
    {
        assertEquals(0, path.minRttNs());
        path.onRttSample(30_000);
        path.onRttSample(12_000);
        path.onRttSample(5_000_000);
        assertEquals(12_000, path.minRttNs());

        path.reset();
        assertEquals(0, path.minRttNs());
    }

    @Test
    void shouldDeriveRtoFromMeasuredRoundTrips()
    {
        for (int i = 0; i < 100; i++)
        {
            path.onRttSample(20_000_000);
        }
        assertEquals(20_000_000, path.srttNs(), 200_000);
        assertTrue(path.rtoNs() >= 20_000_000 && path.rtoNs() < 22_000_000, "rto " + path.rtoNs());

        for (int i = 0; i < 100; i++)
        {
            path.onRttSample(5_000_000);
        }
        assertTrue(path.rtoNs() < 6_000_000, "rto follows the path down: " + path.rtoNs());
    }

    @Test
    void shouldClampRtoToMinimumOnFastPaths()
    {
        for (int i = 0; i < 100; i++)
        {
            path.onRttSample(20_000);
        }
        assertEquals(MIN_RTO, path.rtoNs());
    }

    @Test
    void shouldBackOffOnTimeoutAndResetOnProgress()
    {
        path.onRttSample(10_000_000);
        final long rto = path.rtoNs();
        path.onRetransmitTimeout(1);
        assertEquals(2 * rto, path.rtoNs());
        path.onRetransmitTimeout(2);
        assertEquals(4 * rto, path.rtoNs());
        path.onProgress();
        assertEquals(rto, path.rtoNs());
    }

    @Test
    void shouldReduceWindowAtMostOncePerRoundTripAndNeverBelowMinimum()
    {
        path.onRttSample(1_000_000);
        assertEquals(64, path.cwnd());
        assertTrue(path.onLoss(10_000_000));
        assertEquals(44, path.cwnd());
        assertFalse(path.onLoss(10_500_000), "second loss in the same round trip");
        assertEquals(44, path.cwnd());
        for (int i = 0; i < 20; i++)
        {
            path.onLoss(20_000_000L + i * 2_000_000L);
        }
        assertEquals(16, path.cwnd());
    }

    @Test
    void shouldGrowWindowOnAcksAndStopSendingWhenFull()
    {
        for (int i = 0; i < 64; i++)
        {
            assertTrue(path.canSend());
            path.onSegmentSent();
        }
        assertFalse(path.canSend());
        path.onSegmentAcked();
        assertTrue(path.canSend());
        assertEquals(65, path.cwnd(), "slow start adds a segment per ack");
    }

    @Test
    void shouldChargeSmallSegmentsByTheirBytesNotAsFullSegments()
    {
        final PathState bytes = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 4, 2, 65536, 1_000);
        int small = 0;
        while (bytes.canSend())
        {
            bytes.onSegmentSent(50);
            small++;
        }
        assertEquals(80, small, "a window of 4 full segments of 1,000 B holds 80 segments of 50 B");
        assertEquals(4_000, bytes.inflightBytes());

        for (int i = 0; i < 20; i++)
        {
            bytes.onSegmentAcked(50);
        }
        assertEquals(5, bytes.cwnd(), "slow start adds a full segment per full segment of bytes acknowledged");
        assertEquals(3_000, bytes.inflightBytes());

        bytes.onSegmentsDiscarded(10_000);
        assertEquals(0, bytes.inflightBytes());
    }

    @Test
    void shouldCapTheBackoffAtTheMaximumRtoAndAtTenDoublings()
    {
        path.onRttSample(10_000_000);
        assertEquals(30_000_000, path.rtoNs());
        for (int i = 0; i < 20; i++)
        {
            path.onRetransmitTimeout(i * 100_000_000L);
        }
        assertEquals(MAX_RTO, path.rtoNs());

        final PathState unbounded = new PathState(MIN_RTO, Long.MAX_VALUE, INITIAL_RTO, 64, 16, 65536, 1);
        unbounded.onRttSample(1_000_000);
        assertEquals(3_000_000, unbounded.rtoNs());
        for (int i = 0; i < 15; i++)
        {
            unbounded.onBackoff();
        }
        assertEquals(3_000_000L << 10, unbounded.rtoNs());
        unbounded.onProgress();
        assertEquals(3_000_000, unbounded.rtoNs());
    }

    @Test
    void shouldBackOffWithoutShrinkingTheWindowForADeliveryProbe()
    {
        path.onRttSample(10_000_000);
        path.onBackoff();
        assertEquals(60_000_000, path.rtoNs());
        assertEquals(64, path.cwnd());
    }

    @Test
    void shouldKeepTheProbeTimeoutWithinItsBounds()
    {
        assertEquals(INITIAL_RTO, path.probeTimeoutNs(), "the RTO before a sample");

        path.onRttSample(10_000_000);
        assertEquals(30_000_000, path.probeTimeoutNs(), "srtt + 4 rttvar, at most the RTO");

        final PathState fast = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 64, 16, 65536, 1);
        for (int i = 0; i < 100; i++)
        {
            fast.onRttSample(1_000);
        }
        assertEquals(PathState.MIN_PROBE_TIMEOUT_NS, fast.probeTimeoutNs(), "never below the floor");
        assertEquals(MIN_RTO, fast.rtoNs());

        final PathState inflated = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 64, 16, 65536, 1);
        inflated.onRttSample(1_000_000);
        for (int i = 0; i < 100; i++)
        {
            inflated.onRttSample(100_000_000);
        }
        assertTrue(inflated.rtoNs() > 90_000_000, "rto " + inflated.rtoNs());
        assertEquals(PathState.PTO_MIN_RTTS * 1_000_000L, inflated.probeTimeoutNs(),
            "late acks inflate the smoothed RTT, not the minimum");
    }

    @Test
    void shouldBelieveMissingReportsAfterTheSmoothedRttButAtMostTwoMinimumRtts()
    {
        assertEquals(INITIAL_RTO, path.inFlightNs());
        path.onRttSample(10_000_000);
        assertEquals(10_000_000, path.inFlightNs());
        for (int i = 0; i < 100; i++)
        {
            path.onRttSample(100_000_000);
        }
        assertEquals(20_000_000, path.inFlightNs());
    }

    @Test
    void shouldGrowByOneSegmentPerWindowAcknowledgedInCongestionAvoidance()
    {
        final PathState avoidance = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 16, 4, 64, 1);
        assertTrue(avoidance.onLoss(0));
        assertEquals(11, avoidance.cwnd());
        for (int i = 0; i < 10; i++)
        {
            avoidance.onSegmentAcked();
        }
        assertEquals(11, avoidance.cwnd());
        avoidance.onSegmentAcked();
        assertEquals(12, avoidance.cwnd(), "a whole window of 11 acknowledged");
        for (int i = 0; i < 12; i++)
        {
            avoidance.onSegmentAcked();
        }
        assertEquals(13, avoidance.cwnd());
    }

    @Test
    void shouldNeverGrowBeyondTheMaximumWindow()
    {
        final PathState small = new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 60, 4, 64, 1);
        for (int i = 0; i < 1_000; i++)
        {
            small.onSegmentSent();
            small.onSegmentAcked();
        }
        assertEquals(64, small.cwnd());
    }

    @Test
    void shouldReduceTheWindowBeforeAnySampleAtMostOncePerInitialRto()
    {
        assertTrue(path.onLoss(0));
        assertFalse(path.onLoss(INITIAL_RTO - 1));
        assertTrue(path.onLoss(INITIAL_RTO));
        assertEquals(30, path.cwnd(), "64 * 0.7 = 44, 44 * 0.7 = 30");
    }

    @Test
    void shouldForgetEverythingOnReset()
    {
        path.onRttSample(10_000_000);
        path.onSegmentSent();
        path.onRetransmitTimeout(0);
        path.reset();

        assertEquals(0, path.srttNs());
        assertEquals(0, path.minRttNs());
        assertEquals(INITIAL_RTO, path.rtoNs());
        assertEquals(64, path.cwnd());
        assertEquals(0, path.inflightBytes());
        assertTrue(path.onLoss(1), "a loss right after a reset counts");
    }

    @Test
    void shouldTakeANonPositiveSampleAsOneNanosecondAndNeverCountNegativeBytes()
    {
        path.onRttSample(0);
        path.onRttSample(-5);
        assertEquals(1, path.minRttNs());
        assertEquals(1, path.srttNs());

        path.onSegmentAcked();
        assertEquals(0, path.inflightBytes());
        path.onSegmentSent(10);
        path.onSegmentsDiscarded(1_000);
        assertEquals(0, path.inflightBytes());
        assertThrows(IllegalArgumentException.class,
            () -> new PathState(MIN_RTO, MAX_RTO, INITIAL_RTO, 64, 16, 65536, 0));
    }
}
