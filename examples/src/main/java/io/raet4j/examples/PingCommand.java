package io.raet4j.examples;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code ping}: join a {@code pong}, send one message at a time and wait for its echo, recording round-trip times
 * in an HdrHistogram.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class PingCommand implements Command, DeliveryHandler
{
    /** Smallest message: the sequence number. */
    static final int MIN_SIZE = 8;
    private static final long HIGHEST_RTT_NS = TimeUnit.SECONDS.toNanos(60);

    private final MessageHandler handler = this::onMessage;
    private long expectedSequence = -1;
    private int expectedLength;
    private boolean isEchoed;
    private long mismatched;
    private FailureReason failure;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "ping";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "measure round trips to a pong (HdrHistogram percentiles)";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar ping --peer HOST:PORT [options]\n" +
            "  --peer HOST:PORT     address of the pong\n" +
            "  --name NAME          estate name (default ping)\n" +
            "  --bind HOST:PORT     local address (default 0.0.0.0:0)\n" +
            "  --count N            measured round trips (default 10000)\n" +
            "  --warmup N           round trips before measuring (default 1000)\n" +
            "  --size BYTES         message size, " + MIN_SIZE + ".." + StackContext.MAX_MESSAGE_DEFAULT +
            " (default 32)\n" +
            "  --channel C          channel 0..255 (default 0)\n" +
            "  --timeout-seconds S  fail if one round trip takes longer (default 10)\n" +
            Main.COMMON_OPTIONS.replace("idle strategy of the invoker loop",
                "idle strategy of the invoker loop (default spin)") +
            StackOptions.PIN_USAGE +
            StackOptions.USAGE +
            "One message in flight at a time. Prints last\n" +
            "{\"count\",\"rttP50Us\",\"rttP90Us\",\"rttP99Us\",\"rttP999Us\",\"rttMaxUs\",\"rttMeanUs\"," +
            "\"estateId\",\"signingKey\"},\n" +
            "times in microseconds (estateId: this estate's id, 16 hex digits; signingKey: its Ed25519\n" +
            "public key in hex). Exit status 0 if every round trip completed, else 1 (also when the join fails).\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--peer");
        final String peer = args.address("--peer", null, false);
        final String name = args.string("--name", "ping");
        final String bind = args.address("--bind", "0.0.0.0:0", true);
        final long count = args.number("--count", 10_000L, 1, Integer.MAX_VALUE);
        final long warmup = args.number("--warmup", 1_000L, 0, Integer.MAX_VALUE);
        final int size = (int)args.number("--size", 32L, MIN_SIZE, StackContext.MAX_MESSAGE_DEFAULT);
        final int channel = (int)args.number("--channel", 0L, 0, StackContext.CHANNEL_COUNT - 1);
        final long timeoutNs = args.seconds("--timeout-seconds", 10, 0.001, 3_600);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "spin");
        final StackOptions stackOptions = StackOptions.read(args, true);
        args.requireAllUsed();

        StopSignal.install();
        final Histogram histogram = new Histogram(HIGHEST_RTT_NS, 3);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[size]);
        final Presence presence = new Presence(out);
        long estateId = 0;
        String signingKey = "";
        String problem = null;
        try (Stack stack = Stack.launch(Main.cliContext(name, bind, statusParent, stackOptions)))
        {
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addDeliveryHandler(this);
            out.println("bound to " + Main.format(stack.localAddress()) + " as " + name + ", joining " + peer);
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            final long peerId = presence.join(stack, peer, stackOptions.pinnedSigningKey(), idle);
            if (0 == peerId)
            {
                problem = "join to " + peer + " failed";
            }
            else
            {
                out.printf("%d warmup and %d measured round trips of %d bytes on channel %d%n",
                    warmup, count, size, channel);
                out.flush();
                for (long sequence = 0; sequence < warmup + count && null == problem; sequence++)
                {
                    if (sequence == warmup && warmup > 0)
                    {
                        out.println("warmup done");
                    }
                    Payload.fillPattern(buffer, 0, size, sequence);
                    buffer.putLong(0, sequence, ByteOrder.LITTLE_ENDIAN);
                    expectedSequence = sequence;
                    expectedLength = size;
                    isEchoed = false;
                    final long startNs = System.nanoTime();
                    problem = roundTrip(stack, peerId, channel, buffer, size, idle, startNs + timeoutNs, presence);
                    final long rttNs = System.nanoTime() - startNs;
                    if (null == problem && sequence >= warmup)
                    {
                        histogram.recordValue(Math.min(rttNs, HIGHEST_RTT_NS));
                    }
                }
            }
        }

        if (null != problem)
        {
            err.println("raet4j ping: error: " + problem);
        }
        out.printf("round trips: %d, rtt us: min %.1f, p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f, " +
            "mean %.1f; mismatched echoes %d%n", histogram.getTotalCount(), histogram.getMinValue() / 1e3,
            us(histogram, 50), us(histogram, 90), us(histogram, 99), us(histogram, 99.9),
            histogram.getMaxValue() / 1e3, histogram.getMean() / 1e3, mismatched);
        out.println(new Json()
            .put("count", histogram.getTotalCount())
            .put("rttP50Us", us(histogram, 50))
            .put("rttP90Us", us(histogram, 90))
            .put("rttP99Us", us(histogram, 99))
            .put("rttP999Us", us(histogram, 99.9))
            .put("rttMaxUs", histogram.getMaxValue() / 1e3)
            .put("rttMeanUs", histogram.getMean() / 1e3)
            .put("estateId", Main.id(estateId))
            .put("signingKey", signingKey));
        return null == problem && 0 == mismatched ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private String roundTrip(
        final Stack stack,
        final long peerId,
        final int channel,
        final UnsafeBuffer buffer,
        final int size,
        final IdleStrategy idle,
        final long deadlineNs,
        final Presence presence)
    {
        boolean isOffered = false;
        while (!isEchoed)
        {
            // Offer first, then run the duty cycle: the ack of the last echo, held one cycle for data to ride with,
            // then goes in the same datagram as this ping (one datagram per hop, not two).
            int work = 0;
            if (!isOffered)
            {
                final long result = stack.offer(peerId, channel, buffer, 0, size);
                if (result >= 0)
                {
                    isOffered = true;
                    work++;
                }
                else if (Stack.BACK_PRESSURED != result && Stack.NOT_CONNECTED != result)
                {
                    return "offer refused with status " + result;
                }
            }
            work += stack.doWork();
            work += stack.poll(handler, 1);
            if (null != failure)
            {
                return "message failed: " + failure;
            }
            if (!presence.isAlive(peerId))
            {
                return "peer is dead";
            }
            if (StopSignal.isStopRequested())
            {
                return "stopped";
            }
            if (System.nanoTime() >= deadlineNs)
            {
                return "no echo within the timeout";
            }
            idle.idle(work);
        }
        return null;
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    private void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == expectedLength && buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) == expectedSequence)
        {
            isEchoed = true;
        }
        else
        {
            mismatched++;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long estateId, final int channel, final long messageId)
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        failure = reason;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        failure = reason;
    }
}
