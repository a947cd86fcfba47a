package io.raet4j.transactions;

import io.raet4j.transport.media.FaultProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stack whose duty cycle runs rarely (an application in invoker mode calling {@code doWork()} every few milliseconds
 * or every second, as thousands of idle estates in one process do) keeps its timers on time, and does not pay for the
 * timer-wheel ticks in between: the wheel is moved ahead to the earliest deadline instead of being polled one 65.5 us
 * tick at a time. Time is a parameter: each stack runs on its own controllable clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RareDutyCycleTest
{
    private static final long TICK_NS = 1L << 16;
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long STALL_THRESHOLD_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tempDir;

    private StackPair pair;

    @BeforeEach
    void before()
    {
        pair = new StackPair(tempDir);
    }

    @AfterEach
    void after()
    {
        pair.close();
    }

    @Test
    void shouldKeepAliveAndReportUnreachableThenDeathOnTimeWithDutyCyclesOneSecondApart()
    {
        pair.startA(FaultProfile.none(), (ctx) -> ctx.sessionTimeoutNs(10 * SECOND_NS)
            .transport().stallThresholdNs(STALL_THRESHOLD_NS));
        pair.startB(
            FaultProfile.none(), (ctx) -> ctx.transport().stallThresholdNs(STALL_THRESHOLD_NS), "127.0.0.1:0");
        pair.joinAtoB();
        final Stack a = pair.a;
        final Stack b = pair.b;

        final int cycles = 30;
        final long sentBefore = a.counter(io.raet4j.transport.status.TransportCounterDescriptor.PACKETS_SENT);
        final long pollsBefore = a.timerWheelPolls();
        for (int i = 0; i < cycles; i++)
        {
            stepBoth(SECOND_NS);
            assertTrue(a.isJoined(b.estateId()) && b.isJoined(a.estateId()), "still joined after " + (i + 1) + " s");
        }
        final long sent = a.counter(io.raet4j.transport.status.TransportCounterDescriptor.PACKETS_SENT) - sentBefore;
        final long polls = a.timerWheelPolls() - pollsBefore;
        assertTrue(sent >= cycles - 1, "about one alive a second, sent " + sent + " in " + cycles + " s");
        // Catching up tick by tick would take SECOND_NS / TICK_NS = 15,258 polls per cycle.
        assertTrue(polls <= 4L * cycles, polls + " timer wheel polls in " + cycles + " cycles of one second");

        // B stops; A last heard from it in the next cycle, reports it unreachable once the 5 s liveness timeout is
        // up, and declares it dead once the 10 s session timeout is.
        pair.isBRunning = false;
        stepBoth(SECOND_NS);
        int silentCycles = 0;
        while (!pair.presenceA.contains("beta:UNREACHABLE") && silentCycles < 20)
        {
            stepBoth(SECOND_NS);
            silentCycles++;
        }
        assertEquals(5, silentCycles, "unreachable after the liveness timeout: " + pair.presenceA);
        while (!pair.presenceA.contains("beta:DEAD") && silentCycles < 30)
        {
            stepBoth(SECOND_NS);
            silentCycles++;
        }
        assertEquals(10, silentCycles, "dead after the session timeout: " + pair.presenceA);
    }

    @Test
    void shouldResendJoinsOnTheirBackoffScheduleWhenTheClockJumpsManyTicksPerCycle() throws IOException
    {
        // Nobody answers at this address: the joiner resends its Join at 50, 100, 200, 400, 800, then 1000 ms
        // intervals until the join times out. A wheel moved past a deadline would fire it a revolution (67 ms) late.
        final long stepNs = 46 * TICK_NS + 7;
        try (DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            final Stack a =
                pair.startA(FaultProfile.none(), (ctx) -> ctx.transport().stallThresholdNs(STALL_THRESHOLD_NS));
            a.doWork();
            final long startNs = pair.clockA.nanoTime();
            a.join("127.0.0.1:" + ((InetSocketAddress)silent.getLocalAddress()).getPort());

            final List<Long> sendTimesNs = new ArrayList<>();
            sendTimesNs.add(startNs);
            final long pollsBefore = a.timerWheelPolls();
            int cycles = 0;
            while (!pair.presenceA.stream().anyMatch((event) -> event.endsWith(":JOIN_FAILED")))
            {
                final int sentBefore = pair.recorderA.sent.size();
                pair.clockA.advance(stepNs);
                a.doWork();
                cycles++;
                final int sent = pair.recorderA.sent.size() - sentBefore;
                assertTrue(sent <= 1, "one Join per cycle at most");
                if (1 == sent)
                {
                    sendTimesNs.add(pair.clockA.nanoTime());
                }
                assertTrue(cycles < 10_000, "the join never failed");
            }
            final long polls = a.timerWheelPolls() - pollsBefore;

            final long[] backoffMs = { 50, 100, 200, 400, 800 };
            for (int i = 1; i < sendTimesNs.size(); i++)
            {
                final long expectedNs = TimeUnit.MILLISECONDS.toNanos(i <= backoffMs.length ? backoffMs[i - 1] : 1000);
                final long gapNs = sendTimesNs.get(i) - sendTimesNs.get(i - 1);
                assertTrue(gapNs >= expectedNs && gapNs < expectedNs + stepNs,
                    "Join " + i + " sent " + gapNs + " ns after the previous one, expected " + expectedNs +
                    " ns to one cycle more");
            }
            final long failedAfterNs = pair.clockA.nanoTime() - startNs;
            assertTrue(failedAfterNs >= a.context().joinTimeoutNs() &&
                failedAfterNs < a.context().joinTimeoutNs() + TimeUnit.MILLISECONDS.toNanos(1000) + stepNs,
                "join failed after " + failedAfterNs + " ns");
            assertTrue(sendTimesNs.size() >= 10, sendTimesNs.size() + " Joins sent");
            // Tick by tick would be 46 polls per cycle; moving ahead takes at most three (one to reach a due timer,
            // one to fire it, one to reach the clock).
            assertTrue(polls <= 3L * cycles, polls + " timer wheel polls in " + cycles + " cycles");
        }
    }

    private void stepBoth(final long stepNs)
    {
        pair.clockA.advance(stepNs);
        pair.clockB.advance(stepNs);
        pair.epochClock.advance(TimeUnit.NANOSECONDS.toMillis(stepNs));
        pair.a.doWork();
        if (pair.isBRunning)
        {
            pair.b.doWork();
        }
    }
}
