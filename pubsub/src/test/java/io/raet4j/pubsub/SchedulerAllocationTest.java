package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sanity check that stepping tasks allocates nothing once warm: sleeps, yields, inbox messages both ways, inbox waits
 * that time out or not, and reply waits. The proof with JMH {@code -prof gc} is bench's {@code SchedulerBenchmark}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchedulerAllocationTest
{
    private static final int WARM_UP_CYCLES = 50_000;
    private static final int MEASURED_CYCLES = 100_000;
    private static final int MEASURED_ROUNDS = 5;
    private static final int SLEEPERS = 200;

    private final List<Throwable> errors = new ArrayList<>();
    private final Scheduler scheduler = new Scheduler(System::nanoTime, errors::add, 256);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
    private final TaskInbox pingInbox = new TaskInbox(4, 256);
    private final TaskInbox pongInbox = new TaskInbox(4, 256);
    private final TaskInbox timedInbox = new TaskInbox(4, 256);
    private final TaskReply reply = new TaskReply(64);
    private long nowNs;
    private long sum;
    private long requestId;
    private final PublicationHandler adder = this::onMessage;

    @Test
    void shouldNotAllocateWhenSteppingTasks()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        spawnTasks();

        for (int i = 0; i < WARM_UP_CYCLES; i++)
        {
            cycle(i);
        }

        // A one-off allocation by the JVM itself (JIT, OSR) can land in a round; per-step allocation lands in every
        // round and would be at least 16 B x 100,000. So a round of exactly 0 bytes is required, within 5.
        final StringBuilder rounds = new StringBuilder();
        long allocated = -1;
        final long stepsBefore = scheduler.tasksStepped();
        for (int round = 0; round < MEASURED_ROUNDS && 0 != allocated; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_CYCLES; i++)
            {
                cycle(i);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            rounds.append(allocated).append(" B ");
        }

        assertEquals(List.of(), errors);
        assertTrue(sum > 0);
        assertTrue(scheduler.tasksStepped() - stepsBefore > 10L * MEASURED_CYCLES, "steps: " + scheduler);
        assertEquals(0L, allocated, "bytes allocated per round of " + MEASURED_CYCLES + " cycles: " + rounds);
    }

    private void cycle(final int i)
    {
        nowNs++;
        if (0 == i % 3)
        {
            message.putInt(0, i);
            timedInbox.offer("timed", 3, message, 0, 4);
        }
        if (reply.hasWaiter())
        {
            message.putLong(0, requestId);
            reply.onReply(requestId, 5, message, 0, 8);
        }
        scheduler.doWork(nowNs);
    }

    private void spawnTasks()
    {
        for (int i = 0; i < SLEEPERS; i++)
        {
            final long periodNs = 1 + i % 64;
            scheduler.spawn((ctx) -> ctx.sleep(periodNs));
        }
        for (int i = 0; i < 4; i++)
        {
            scheduler.spawn(TaskContext::yield);
        }
        scheduler.spawn((ctx) ->
        {
            pingInbox.poll(adder, 4);
            message.putInt(0, 1);
            pongInbox.offer("pong", 1, message, 0, 4);
            ctx.waitFor(pingInbox);
        });
        scheduler.spawn((ctx) ->
        {
            pongInbox.poll(adder, 4);
            message.putInt(0, 2);
            pingInbox.offer("ping", 2, message, 0, 4);
            ctx.waitFor(pongInbox);
        });
        scheduler.spawn((ctx) ->
        {
            timedInbox.poll(adder, 4);
            ctx.waitFor(timedInbox, 2);
        });
        scheduler.spawn((ctx) ->
        {
            if (reply.isReplied())
            {
                sum += reply.buffer().getLong(0);
            }
            reply.expect(++requestId);
            ctx.waitFor(reply);
        });
    }

    private void onMessage(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        sum += buffer.getInt(offset) + estateId;
    }
}
