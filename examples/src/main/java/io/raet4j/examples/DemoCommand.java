package io.raet4j.examples;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: two estates, alpha and beta, in one process on loopback, both driven in invoker mode from this one
 * loop. Alpha joins beta, sends a burst of messages of mixed sizes that beta verifies, then runs a ping-pong with
 * beta echoing, and the demo prints a summary.
 * <p>
 * Burst messages carry no header: message {@code i} is {@link Payload#fillPattern} of seed {@code i}, its size the
 * {@code i}-th draw of a seeded random log-uniform over 1 byte to the largest size, so that beta, knowing the seed,
 * checks every byte and the order. NOT thread safe: runs on the calling thread.
 */
final class DemoCommand implements Command, DeliveryHandler
{
    private static final int BURST_CHANNEL = 1;
    private static final int PING_CHANNEL = 2;
    private static final int PING_SIZE = 32;
    private static final int POLL_LIMIT = 64;
    private static final long PHASE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long HIGHEST_RTT_NS = TimeUnit.SECONDS.toNanos(10);

    private final MessageHandler betaHandler = this::onBetaMessage;
    private final MessageHandler alphaHandler = this::onAlphaMessage;
    private final UnsafeBuffer echo = new UnsafeBuffer(new byte[PING_SIZE]);
    private SplittableRandom expectedSizes;
    private int maxSize;
    private long received;
    private long corrupt;
    private long delivered;
    private long failed;
    private long uncertain;
    private boolean hasEcho;
    private int echoLength;
    private long echoedSequence = -1;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "demo";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "two estates in this process: join, a verified burst, a ping-pong, a summary";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar demo [options]\n" +
            "  --count N            burst messages (default 10000)\n" +
            "  --max-size BYTES     largest burst message; sizes are log-uniform from 1 byte (default 262144)\n" +
            "  --round-trips N      measured ping-pong round trips of " + PING_SIZE + " bytes (default 10000)\n" +
            "  --warmup N           ping-pong round trips before measuring (default 1000)\n" +
            "  --seed N             seed of the sizes (default 7)\n" +
            Main.COMMON_OPTIONS.replace("idle strategy of the invoker loop",
                "idle strategy of the one loop driving both stacks (default spin)") +
            "Prints last {\"joined\",\"messages\",\"bytes\",\"delivered\",\"failed\",\"uncertain\"," +
            "\"corrupt\",\"seconds\"," +
            "\"msgsPerSec\",\"rttP50Us\",\"rttP99Us\",\"rttMaxUs\"}.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        final long count = args.number("--count", 10_000L, 0, Integer.MAX_VALUE);
        maxSize = (int)args.number("--max-size", 256 * 1024L, 1, StackContext.MAX_MESSAGE_DEFAULT);
        final long roundTrips = args.number("--round-trips", 10_000L, 0, Integer.MAX_VALUE);
        final long warmup = args.number("--warmup", 1_000L, 0, Integer.MAX_VALUE);
        final long seed = args.number("--seed", 7L, Long.MIN_VALUE, Long.MAX_VALUE);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "spin");
        args.requireAllUsed();

        final Presence alphaPresence = new Presence(out);
        final Presence betaPresence = new Presence(out);
        final Histogram histogram = new Histogram(HIGHEST_RTT_NS, 3);
        expectedSizes = new SplittableRandom(seed);
        Stack alpha = null;
        Stack beta = null;
        boolean joined = false;
        long bytes = 0;
        double seconds = 0;
        String problem = null;
        try
        {
            beta = Stack.launch(Main.cliContext("beta", "127.0.0.1:0", statusParent));
            alpha = Stack.launch(Main.cliContext("alpha", "127.0.0.1:0", statusParent));
            beta.addPresenceHandler(betaPresence);
            alpha.addPresenceHandler(alphaPresence).addDeliveryHandler(this);
            out.println("alpha on " + Main.format(alpha.localAddress()) + ", beta on " +
                Main.format(beta.localAddress()) + ", both driven from this thread in invoker mode");
            out.println("idle strategy: " + Main.describe(idle));

            final long betaId = join(alpha, beta, alphaPresence, betaPresence, idle);
            joined = 0 != betaId;
            if (!joined)
            {
                problem = "alpha could not join beta";
            }
            else
            {
                out.printf("burst: %d messages of 1..%d bytes (log-uniform), alpha -> beta, verified by beta%n",
                    count, maxSize);
                final long startNs = System.nanoTime();
                bytes = burst(alpha, beta, betaId, count, seed, idle);
                seconds = (System.nanoTime() - startNs) / 1e9;
                if (delivered + failed + uncertain < count)
                {
                    problem = "burst did not complete in time";
                }
                out.printf("burst: %d delivered, %d failed, %d corrupt, %d bytes in %.3f s: %.0f msgs/s, %.1f MB/s%n",
                    delivered, failed, corrupt, bytes, seconds, rate(delivered, seconds), rate(bytes, seconds) / 1e6);

                out.printf("ping-pong: %d warmup and %d measured round trips of %d bytes, beta echoes%n",
                    warmup, roundTrips, PING_SIZE);
                if (!pingPong(alpha, beta, betaId, warmup, roundTrips, histogram, idle) && null == problem)
                {
                    problem = "ping-pong did not complete in time";
                }
                out.printf("ping-pong rtt us: p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f%n",
                    us(histogram, 50), us(histogram, 90), us(histogram, 99), us(histogram, 99.9),
                    histogram.getMaxValue() / 1e3);
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(alpha, beta);
        }

        final boolean ok = null == problem && 0 == failed && 0 == uncertain && 0 == corrupt && received == count;
        out.printf("summary: joined %b, %d messages (%d bytes) verified, %d failed, %d corrupt; rtt p50 %.1f us%n",
            joined, received, bytes, failed, corrupt, us(histogram, 50));
        if (null != problem)
        {
            err.println("raet4j demo: error: " + problem);
        }
        out.println(new Json()
            .put("joined", joined)
            .put("messages", count)
            .put("bytes", bytes)
            .put("delivered", delivered)
            .put("failed", failed)
            .put("uncertain", uncertain)
            .put("corrupt", corrupt)
            .put("seconds", seconds)
            .put("msgsPerSec", rate(delivered, seconds))
            .put("rttP50Us", us(histogram, 50))
            .put("rttP99Us", us(histogram, 99))
            .put("rttMaxUs", histogram.getMaxValue() / 1e3));
        return ok ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private static long join(
        final Stack alpha,
        final Stack beta,
        final Presence alphaPresence,
        final Presence betaPresence,
        final IdleStrategy idle)
    {
        alpha.join(Main.format(beta.localAddress()));
        final long deadlineNs = System.nanoTime() + PHASE_TIMEOUT_NS;
        long betaId = 0;
        while (System.nanoTime() < deadlineNs)
        {
            idle.idle(alpha.doWork() + beta.doWork());
            betaId = beta.estateId();
            if (alphaPresence.isAlive(betaId) && betaPresence.isAlive(alpha.estateId()))
            {
                return betaId;
            }
        }
        return 0;
    }

    private long burst(
        final Stack alpha, final Stack beta, final long betaId, final long count, final long seed,
        final IdleStrategy idle)
    {
        final SplittableRandom sizes = new SplittableRandom(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[maxSize]);
        final long deadlineNs = System.nanoTime() + PHASE_TIMEOUT_NS;
        long sent = 0;
        long bytes = 0;
        int length = -1;
        while (delivered + failed + uncertain < count && System.nanoTime() < deadlineNs)
        {
            int work = 0;
            while (sent < count)
            {
                if (length < 0)
                {
                    length = nextSize(sizes);
                    Payload.fillPattern(buffer, 0, length, sent);
                }
                final long result = alpha.offer(betaId, BURST_CHANNEL, buffer, 0, length);
                if (result < 0)
                {
                    break;
                }
                sent++;
                bytes += length;
                length = -1;
                work++;
            }
            work += alpha.doWork() + beta.doWork();
            work += beta.poll(betaHandler, POLL_LIMIT);
            idle.idle(work);
        }
        return bytes;
    }

    private boolean pingPong(
        final Stack alpha,
        final Stack beta,
        final long betaId,
        final long warmup,
        final long roundTrips,
        final Histogram histogram,
        final IdleStrategy idle)
    {
        final UnsafeBuffer ping = new UnsafeBuffer(new byte[PING_SIZE]);
        final long deadlineNs = System.nanoTime() + PHASE_TIMEOUT_NS;
        final long alphaId = alpha.estateId();
        for (long sequence = 0; sequence < warmup + roundTrips; sequence++)
        {
            Payload.fillPattern(ping, 0, PING_SIZE, sequence);
            ping.putLong(0, sequence, ByteOrder.LITTLE_ENDIAN);
            final long startNs = System.nanoTime();
            boolean isOffered = false;
            while (echoedSequence != sequence)
            {
                int work = 0;
                if (!isOffered)
                {
                    isOffered = alpha.offer(betaId, PING_CHANNEL, ping, 0, PING_SIZE) >= 0;
                }
                work += alpha.doWork() + beta.doWork();
                if (!hasEcho)
                {
                    work += beta.poll(betaHandler, 1);
                }
                if (hasEcho && beta.offer(alphaId, PING_CHANNEL, echo, 0, echoLength) >= 0)
                {
                    hasEcho = false;
                    work++;
                }
                work += alpha.poll(alphaHandler, 1);
                if (System.nanoTime() >= deadlineNs)
                {
                    return false;
                }
                idle.idle(work);
            }
            if (sequence >= warmup)
            {
                histogram.recordValue(Math.min(System.nanoTime() - startNs, HIGHEST_RTT_NS));
            }
        }
        return true;
    }

    private int nextSize(final SplittableRandom random)
    {
        final double exponent = random.nextDouble() * Math.log(maxSize);
        return (int)Math.max(1, Math.min(maxSize, Math.round(Math.exp(exponent))));
    }

    private void onBetaMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (BURST_CHANNEL == channel)
        {
            final long sequence = received++;
            if (length != nextSize(expectedSizes) || !Payload.matchesPattern(buffer, offset, length, sequence))
            {
                corrupt++;
            }
        }
        else if (PING_CHANNEL == channel && length <= echo.capacity())
        {
            buffer.getBytes(offset, echo, 0, length);
            echoLength = length;
            hasEcho = true;
        }
    }

    private void onAlphaMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (PING_CHANNEL == channel && PING_SIZE == length)
        {
            echoedSequence = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long estateId, final int channel, final long messageId)
    {
        if (BURST_CHANNEL == channel)
        {
            delivered++;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        failed++;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        uncertain++;
    }

    private static double rate(final double amount, final double seconds)
    {
        return seconds > 0 ? amount / seconds : 0;
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
