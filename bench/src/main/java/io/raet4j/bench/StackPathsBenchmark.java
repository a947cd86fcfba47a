package io.raet4j.bench;

import io.raet4j.transactions.BufferClaim;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.media.FaultInjectingMedia;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The data paths of a pair of stacks, alpha and beta, on real loopback UDP sockets, both in invoker mode and driven
 * from the benchmark thread, joined in setup. Run with {@code -prof gc}: in steady state every operation should
 * allocate nothing, so {@code gc.alloc.rate.norm} should be about 0 B/op.
 * <p>
 * Messages are 64 bytes on channel 0 (reliable, ordered). Each operation leaves at most two messages outstanding,
 * so the send rings, segment rings and receive windows keep the size they reached in setup and warm-up.
 * <p>
 * A loop that waits for a datagram to arrive is bounded: it throws after {@value #MAX_SPINS} duty cycles rather
 * than hang the run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
public class StackPathsBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public StackPathsBenchmark()
    {
    }

    /** Message length in bytes of the lossy pair. */
    public static final int MESSAGE_BYTES = 64;
    /** Largest message length of the clean pair's {@code messageBytes} parameter. */
    public static final int MAX_MESSAGE_BYTES = 1024;
    /** Most duty cycles a wait for the other stack may take before the operation fails. */
    public static final int MAX_SPINS = 10_000_000;
    /** How far the controlled clock of {@link LossyPair} moves per step. */
    public static final long STEP_NS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Operations run in setup, before JMH's own warm-up, so that every lazily built structure exists. */
    public static final int SETUP_OPS = 20_000;

    private static final int CHANNEL = 0;
    private static final int POLL_LIMIT = 16;

    /**
     * Counts outcomes and messages without allocating; held in fields so no lambda is built per operation.
     */
    public static final class Outcomes implements DeliveryHandler, MessageHandler
    {
        long delivered;
        long lastDeliveredId = -1;
        long failed;
        long received;
        long receivedBytes;

        /**
         * Creates the counters, all zero.
         */
        public Outcomes()
        {
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            delivered++;
            lastDeliveredId = messageId;
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
        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            failed++;
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public void onMessage(
            final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
        {
            received++;
            receivedBytes += buffer.getByte(offset) + length;
        }
    }

    /**
     * Two stacks on plain loopback UDP and the system clock.
     */
    @State(Scope.Thread)
    public static class CleanPair
    {
        /**
         * Instantiated by JMH.
         */
        public CleanPair()
        {
        }

        /** Whether packets are sealed with ChaCha20-Poly1305 (the default) or sent in clear text. */
        @Param({ "true", "false" })
        public boolean encryption;

        /** Length of the message of each operation. */
        @Param({ "64", "1024" })
        public int messageBytes;

        /** {@code udp} (the road, loopback) or {@code lane} (Unix-domain datagram sockets, clear text): run the lane
         * with {@code -p media=lane}. */
        @Param({ "udp" })
        public String media = "udp";

        LoopbackPair pair;
        Stack a;
        Stack b;
        long bId;
        final Outcomes outcomes = new Outcomes();
        final BufferClaim claim = new BufferClaim();
        final UnsafeBuffer message =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_MESSAGE_BYTES, BitUtil.CACHE_LINE_LENGTH));
        long backPressured;
        long extraDutyCycles;
        boolean isClosed;

        /**
         * Launch, join, and run {@link #SETUP_OPS} round trips so that channels and buffers are built.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            pair = "lane".equals(media) ? LoopbackPair.onLane() : new LoopbackPair(null, null, encryption);
            a = pair.alpha();
            b = pair.beta();
            a.addDeliveryHandler(outcomes);
            pair.join(0);
            bId = b.estateId();
            for (int i = 0; i < MAX_MESSAGE_BYTES; i++)
            {
                message.putByte(i, (byte)i);
            }
            for (int i = 0; i < SETUP_OPS; i++)
            {
                roundTrip(this);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-close"));
            System.out.println(new StringBuilder(128)
                .append("\n[CleanPair] setup done: joined, ").append(SETUP_OPS).append(" round trips"));
        }

        /**
         * Print what the trial did. JMH's GC profiler counts the allocations of a trial teardown into the last
         * measured iteration, so this teardown is kept small: the stacks are closed by a shutdown hook registered in
         * setup (closing two stacks allocates more than a million idle operations do), the line is built without a
         * formatter, and setup already printed one line, because the first line a JMH fork prints costs about 45 KB
         * (measured: 0.74 B/op instead of 0.09 B/op in the last iteration of {@link #offerOnly}) and later ones
         * about 1 KB.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            System.out.println(new StringBuilder(256)
                .append("\n[CleanPair] delivered=").append(outcomes.delivered)
                .append(" failed=").append(outcomes.failed)
                .append(" received=").append(outcomes.received)
                .append(" backPressured=").append(backPressured)
                .append(" extraTurnsInWaits=").append(extraDutyCycles)
                .append(" alpha: retransmits=").append(a.counter(StackCounterDescriptor.RETRANSMITS))
                .append(" packetsSent=").append(a.counter(TransportCounterDescriptor.PACKETS_SENT))
                .append("; beta: acksSent=").append(b.counter(StackCounterDescriptor.ACKS_SENT))
                .append(" packetsSent=").append(b.counter(TransportCounterDescriptor.PACKETS_SENT)));
        }

        synchronized void close()
        {
            if (!isClosed)
            {
                isClosed = true;
                pair.close();
            }
        }
    }

    /**
     * Two stacks on one controlled clock; alpha sends through a {@link FaultInjectingMedia} that loses half of its
     * datagrams, from a fixed seed.
     */
    @State(Scope.Thread)
    public static class LossyPair
    {
        /**
         * Instantiated by JMH.
         */
        public LossyPair()
        {
        }

        /** Outbound loss rate of alpha. */
        public static final double LOSS_RATE = 0.5;
        /** Seed of the loss sequence. */
        public static final long SEED = 0x5EED_0042L;

        LoopbackPair pair;
        Stack a;
        Stack b;
        long bId;
        FaultInjectingMedia faults;
        final CachedNanoClock clock = new CachedNanoClock();
        final Outcomes outcomes = new Outcomes();
        final UnsafeBuffer message =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(MESSAGE_BYTES, BitUtil.CACHE_LINE_LENGTH));
        long ops;
        long steps;
        long baseOps;
        long baseSteps;
        long baseRetransmits;
        long baseTimeouts;
        long baseNacks;
        long baseDropped;
        long baseSent;
        boolean isClosed;

        /**
         * Launch on the controlled clock, join, run {@link #SETUP_OPS} operations, and take a baseline of the
         * counters.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            clock.update(1_000_000_000L);
            pair = new LoopbackPair(new FaultProfile().lossRate(LOSS_RATE).seed(SEED), clock);
            a = pair.alpha();
            b = pair.beta();
            faults = pair.alphaFaults();
            a.addDeliveryHandler(outcomes);
            pair.join(STEP_NS);
            bId = b.estateId();
            for (int i = 0; i < MESSAGE_BYTES; i++)
            {
                message.putByte(i, (byte)i);
            }
            for (int i = 0; i < SETUP_OPS; i++)
            {
                lossyOp(this);
            }
            baseOps = ops;
            baseSteps = steps;
            baseRetransmits = a.counter(StackCounterDescriptor.RETRANSMITS);
            baseTimeouts = a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS);
            baseNacks = a.counter(StackCounterDescriptor.NACKS_RECEIVED);
            baseDropped = faults.droppedCount();
            baseSent = faults.sentCount();
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-close"));
            System.out.println(new StringBuilder(128)
                .append("\n[retransmitPath] setup done: joined, ").append(SETUP_OPS).append(" operations"));
        }

        /**
         * Print the retransmissions per operation over JMH's warm-up and measurement; the stacks are closed by a
         * shutdown hook, for the reason given at {@link CleanPair#tearDown()}.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            final long n = Math.max(1, ops - baseOps);
            System.out.println(new StringBuilder(512)
                .append("\n[retransmitPath] ops=").append(ops - baseOps)
                .append(" (warm-up + measurement, after ").append(baseOps).append(" setup ops) per op:")
                .append(" retransmits=")
                .append(perOp(a.counter(StackCounterDescriptor.RETRANSMITS) - baseRetransmits, n))
                .append(" rtoTimeouts=")
                .append(perOp(a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS) - baseTimeouts, n))
                .append(" nacksReceived=")
                .append(perOp(a.counter(StackCounterDescriptor.NACKS_RECEIVED) - baseNacks, n))
                .append(" datagramsOffered=").append(perOp(faults.sentCount() - baseSent, n))
                .append(" datagramsLost=").append(perOp(faults.droppedCount() - baseDropped, n))
                .append(" clockSteps=").append(perOp(steps - baseSteps, n))
                .append(" (x ").append(STEP_NS / 1_000).append(" us of controlled time)")
                .append("; failed=").append(outcomes.failed)
                .append(" delivered=").append(outcomes.delivered));
        }

        synchronized void close()
        {
            if (!isClosed)
            {
                isClosed = true;
                pair.close();
            }
        }
    }

    /**
     * Counters of {@link #retransmitPath} that JMH reports per iteration next to the score, as totals (events).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class LossCounters
    {
        /**
         * Instantiated by JMH.
         */
        public LossCounters()
        {
        }

        /** Operations. */
        public long lossyOps;
        /** Segments alpha retransmitted. */
        public long retransmits;
        /** Expiries of alpha's retransmission timer. */
        public long rtoTimeouts;
        /** Nacks alpha received. */
        public long nacksReceived;

        /**
         * Zero the counters before each iteration.
         */
        @Setup(Level.Iteration)
        public void reset()
        {
            lossyOps = 0;
            retransmits = 0;
            rtoTimeouts = 0;
            nacksReceived = 0;
        }
    }

    /**
     * (a) The whole reliable path of one message: alpha offers 64 B and sends it; beta receives it (and acks),
     * the application polls it, beta acks its delivery; alpha takes the ack and calls the delivery handler.
     *
     * @param p the pair.
     * @return the message id.
     */
    @Benchmark
    public long offerSendReceiveAck(final CleanPair p)
    {
        return roundTrip(p);
    }

    /**
     * (b) The offer and send path: alpha offers 64 B and runs one duty cycle (which also takes the acks of earlier
     * operations); beta runs a duty cycle, polls and runs another so that nothing piles up, without waiting.
     *
     * @param p the pair.
     * @return the message id, or a negative status.
     */
    @Benchmark
    public long offerOnly(final CleanPair p)
    {
        final long id = p.a.offer(p.bId, CHANNEL, p.message, 0, p.messageBytes);
        if (id < 0)
        {
            p.backPressured++;
        }
        p.a.doWork();
        p.b.doWork();
        p.b.poll(p.outcomes, POLL_LIMIT);
        p.b.doWork();
        return id;
    }

    /**
     * (a') As {@link #offerSendReceiveAck} but alpha writes the message in place with tryClaim and commit.
     *
     * @param p the pair.
     * @return the message id.
     */
    @Benchmark
    public long claimSendReceiveAck(final CleanPair p)
    {
        final long claimed = p.a.tryClaim(p.bId, CHANNEL, p.messageBytes, p.claim);
        if (claimed < 0)
        {
            throw new IllegalStateException("tryClaim failed: " + claimed);
        }
        p.claim.buffer().putBytes(p.claim.offset(), p.message, 0, p.messageBytes);
        final long id = p.claim.commit();
        if (id < 0)
        {
            throw new IllegalStateException("commit failed: " + id);
        }
        finishRoundTrip(p, id);
        return id;
    }

    /**
     * (d) An idle duty cycle of both stacks and an empty poll: what a busy-spinning loop costs between messages.
     * A receive-only operation cannot be isolated on real sockets (something must send within the operation), so
     * the receive path is measured inside (a); this one shows that spinning on an idle stack allocates nothing.
     *
     * @param p the pair.
     * @return the work count.
     */
    @Benchmark
    public int idleDutyCycle(final CleanPair p)
    {
        return p.a.doWork() + p.b.doWork() + p.b.poll(p.outcomes, POLL_LIMIT);
    }

    /**
     * (c) Two 64 B messages, each sent by alpha in its own datagram through a media that loses half of them; then
     * steps of 200 us of the controlled clock (beta duty cycle, poll, duty cycle; alpha duty cycle) until both are
     * confirmed delivered. A lost first datagram with a delivered second is repaired through a nack; a lost tail
     * through the retransmission timer (1 ms minimum RTO, so five steps).
     *
     * @param p        the lossy pair.
     * @param counters where the retransmissions of each operation are added up.
     * @return the number of clock steps the operation took.
     */
    @Benchmark
    public long retransmitPath(final LossyPair p, final LossCounters counters)
    {
        final Stack a = p.a;
        final long retransmits = a.counter(StackCounterDescriptor.RETRANSMITS);
        final long timeouts = a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS);
        final long nacks = a.counter(StackCounterDescriptor.NACKS_RECEIVED);
        final long steps = lossyOp(p);
        counters.lossyOps++;
        counters.retransmits += a.counter(StackCounterDescriptor.RETRANSMITS) - retransmits;
        counters.rtoTimeouts += a.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS) - timeouts;
        counters.nacksReceived += a.counter(StackCounterDescriptor.NACKS_RECEIVED) - nacks;
        return steps;
    }

    static long roundTrip(final CleanPair p)
    {
        final long id = p.a.offer(p.bId, CHANNEL, p.message, 0, p.messageBytes);
        if (id < 0)
        {
            throw new IllegalStateException("offer failed: " + id);
        }
        finishRoundTrip(p, id);
        return id;
    }

    /**
     * Send, receive, poll, ack and take the ack, waiting on each side only as long as the datagram takes.
     */
    private static void finishRoundTrip(final CleanPair p, final long messageId)
    {
        final Stack a = p.a;
        final Stack b = p.b;
        final Outcomes outcomes = p.outcomes;
        a.doWork();
        int spins = 0;
        do
        {
            b.doWork();
            checkSpins(++spins);
        }
        while (0 == b.poll(outcomes, POLL_LIMIT));
        b.doWork();
        a.doWork();
        while (outcomes.lastDeliveredId < messageId)
        {
            // Only when a datagram was slow (or beta polled an older message): keep both sides turning.
            checkSpins(++spins);
            b.doWork();
            b.poll(outcomes, POLL_LIMIT);
            b.doWork();
            a.doWork();
        }
        // Count the extra turns a slow datagram cost beyond the nominal sequence, which polls beta once.
        p.extraDutyCycles += spins - 1;
    }

    static long lossyOp(final LossyPair p)
    {
        final Stack a = p.a;
        final Stack b = p.b;
        final Outcomes outcomes = p.outcomes;
        final long target = outcomes.delivered + 2;
        for (int i = 0; i < 2; i++)
        {
            final long id = a.offer(p.bId, CHANNEL, p.message, 0, MESSAGE_BYTES);
            if (id < 0)
            {
                throw new IllegalStateException("offer failed: " + id);
            }
            a.doWork();
        }
        long steps = 0;
        while (outcomes.delivered < target)
        {
            p.clock.advance(STEP_NS);
            b.doWork();
            b.poll(outcomes, POLL_LIMIT);
            b.doWork();
            a.doWork();
            checkSpins(++steps);
            if (outcomes.failed > 0)
            {
                throw new IllegalStateException("a message failed under loss");
            }
        }
        p.ops++;
        p.steps += steps;
        return steps;
    }

    /**
     * A count per operation with three decimals, as a double that prints short.
     */
    static double perOp(final long count, final long ops)
    {
        return Math.round(count * 1_000.0 / ops) / 1_000.0;
    }

    private static void checkSpins(final long spins)
    {
        if (spins > MAX_SPINS)
        {
            throw new IllegalStateException("the other stack did not answer within " + MAX_SPINS + " duty cycles");
        }
    }
}
