package io.raet4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A cross-check of JMH's {@code -prof gc}, which sums the allocations of every thread in the fork: runs each stack
 * operation of {@link StackPathsBenchmark} on the calling thread for a while and reports the bytes allocated per
 * operation by that thread alone, then the bytes every other thread allocated meanwhile, by thread.
 * Run with {@code java -jar raet4j-bench.jar alloc [seconds]}.
 */
public final class AllocProbe
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private AllocProbe()
    {
    }

    /**
     * Run the probe.
     *
     * @param args optional seconds per operation, default 5.
     */
    public static void main(final String[] args)
    {
        final long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        final StackPathsBenchmark bench = new StackPathsBenchmark();

        for (final boolean encryption : new boolean[]{ true, false })
        {
            for (final int messageBytes : new int[]{ 64, 1024 })
            {
                final StackPathsBenchmark.CleanPair clean = new StackPathsBenchmark.CleanPair();
                clean.encryption = encryption;
                clean.messageBytes = messageBytes;
                clean.setup();
                final String suffix = " (encryption=" + encryption + ", " + messageBytes + " B)";
                probe("offerSendReceiveAck" + suffix, seconds, () -> bench.offerSendReceiveAck(clean));
                probe("offerOnly" + suffix, seconds, () -> bench.offerOnly(clean));
                probe("claimSendReceiveAck" + suffix, seconds, () -> bench.claimSendReceiveAck(clean));
                probe("idleDutyCycle" + suffix, seconds, () -> bench.idleDutyCycle(clean));
                clean.tearDown();
                clean.close();
            }
        }

        for (final int messageBytes : new int[]{ 64, 1024 })
        {
            final StackPathsBenchmark.CleanPair lane = new StackPathsBenchmark.CleanPair();
            lane.media = "lane";
            lane.messageBytes = messageBytes;
            lane.setup();
            final String suffix = " (lane, " + messageBytes + " B)";
            probe("offerSendReceiveAck" + suffix, seconds, () -> bench.offerSendReceiveAck(lane));
            probe("offerOnly" + suffix, seconds, () -> bench.offerOnly(lane));
            probe("idleDutyCycle" + suffix, seconds, () -> bench.idleDutyCycle(lane));
            lane.tearDown();
            lane.close();
        }

        final StackPathsBenchmark.LossyPair lossy = new StackPathsBenchmark.LossyPair();
        lossy.setup();
        final StackPathsBenchmark.LossCounters counters = new StackPathsBenchmark.LossCounters();
        probe("retransmitPath", seconds, () -> bench.retransmitPath(lossy, counters));
        lossy.tearDown();
        lossy.close();
    }

    private interface Op
    {
        long run();
    }

    private static void probe(final String name, final long seconds, final Op op)
    {
        final long warmupEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, seconds / 2));
        while (System.nanoTime() < warmupEndNs)
        {
            for (int i = 0; i < 100; i++)
            {
                op.run();
            }
        }

        final long[] ids = THREADS.getAllThreadIds();
        final long[] before = THREADS.getThreadAllocatedBytes(ids);
        final long self = Thread.currentThread().getId();
        final long selfBefore = THREADS.getCurrentThreadAllocatedBytes();
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long ops = 0;
        long sink = 0;
        while (System.nanoTime() < endNs)
        {
            for (int i = 0; i < 100; i++)
            {
                sink += op.run();
            }
            ops += 100;
        }
        final long selfBytes = THREADS.getCurrentThreadAllocatedBytes() - selfBefore;
        final long[] after = THREADS.getThreadAllocatedBytes(ids);

        System.out.printf(Locale.ROOT, "%-22s ops=%,d  this thread: %d B total, %.4f B/op  (sink %d)%n",
            name, ops, selfBytes, (double)selfBytes / ops, sink & 1);
        for (int i = 0; i < ids.length; i++)
        {
            final long delta = after[i] - before[i];
            if (ids[i] != self && delta > 0)
            {
                final ThreadInfo info = THREADS.getThreadInfo(ids[i]);
                System.out.printf(Locale.ROOT, "    other thread %-28s %,d B%n",
                    null == info ? "#" + ids[i] : info.getThreadName(), delta);
            }
        }
    }
}
