package io.raet4j.bench;

import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The any-thread offer path ({@link ConcurrentSender}) next to the single-threaded {@link Stack#offer}, in one run:
 * 64 B messages from alpha to beta on loopback UDP (clear text, so the path, not the cipher, is measured). Throughput
 * in messages per second the offering side sustains; an offer refused for back-pressure is retried, so the figure is
 * what gets through, not what is attempted.
 * <ul>
 *     <li>{@link #singleThreadedOffer}: the benchmark thread owns alpha: offer, and a duty cycle every 16 offers or
 *     when refused. Beta's duty cycle and polls on a thread of their own.</li>
 *     <li>{@link #anyThreadOffer1}, {@link #anyThreadOffer2}, {@link #anyThreadOffer4}: 1, 2 or 4 benchmark threads
 *     offer through one ConcurrentSender; alpha's duty cycle (which drains the ring) and beta's each on a thread of
 *     their own.</li>
 * </ul>
 * Threads: 2 + the offering threads, all busy; on a 2-CPU machine every variant is oversubscribed, the 4-thread one
 * most: read the figures with that in mind. {@code -prof gc}'s {@code gc.alloc.rate.norm} counts every thread's
 * allocation per operation, the duty cycles' included.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
public class ConcurrentOfferBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public ConcurrentOfferBenchmark()
    {
    }

    /** Message length in bytes. */
    public static final int MESSAGE_BYTES = 64;
    /**
     * Messages offered in setup, before JMH's warm-up: enough for alpha's channel to fill and its send buffer to grow
     * to its limit (it grows once, allocating, the first time the sender outruns the receiver).
     */
    public static final int SETUP_OPS = 2_000_000;
    private static final int CHANNEL = 0;
    private static final int POLL_LIMIT = 64;

    /**
     * Alpha and beta, joined; beta always on a background thread; alpha on one too when {@link #isAnyThread}.
     */
    abstract static class Pair
    {
        LoopbackPair pair;
        Stack alpha;
        long betaId;
        final AtomicBoolean isRunning = new AtomicBoolean(true);
        Thread betaThread;
        Thread alphaThread;

        abstract boolean isAnyThread();

        void start()
        {
            pair = new LoopbackPair(null, null, false);
            pair.join(0);
            alpha = pair.alpha();
            betaId = pair.beta().estateId();
            beforeHandOver();
            final Stack beta = pair.beta();
            beta.handOver();
            betaThread = new Thread(() ->
            {
                while (isRunning.get())
                {
                    beta.doWork();
                    beta.poll((estateId, channel, buffer, offset, length) -> {}, POLL_LIMIT);
                }
            }, "beta-duty-cycle");
            betaThread.start();
            if (isAnyThread())
            {
                alpha.handOver();
                alphaThread = new Thread(() ->
                {
                    while (isRunning.get())
                    {
                        alpha.doWork();
                    }
                }, "alpha-duty-cycle");
                alphaThread.start();
            }
        }

        void beforeHandOver()
        {
        }

        void stop() throws InterruptedException
        {
            // Let what was offered be delivered first: closing with a full channel fails its messages, which grows
            // the stack's event queue once, and JMH's gc profiler counts a trial's tear-down in its last iteration.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (alpha.counter(StackCounterDescriptor.MESSAGES_DELIVERED) <
                alpha.counter(StackCounterDescriptor.MESSAGES_OFFERED) && System.nanoTime() < deadlineNs)
            {
                if (!isAnyThread())
                {
                    alpha.doWork();
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            isRunning.set(false);
            betaThread.join();
            if (null != alphaThread)
            {
                alphaThread.join();
            }
            else
            {
                alpha.handOver();
            }
            CloseHelper.quietClose(pair);
        }
    }

    /**
     * The single-threaded pair.
     */
    @State(Scope.Benchmark)
    public static class SingleThreaded extends Pair
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_BYTES]);
        int offers;

        boolean isAnyThread()
        {
            return false;
        }

        /**
         * Instantiated by JMH.
         */
        public SingleThreaded()
        {
        }

        /**
         * Launch, join, and offer {@link #SETUP_OPS} messages.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            start();
            final ConcurrentOfferBenchmark benchmark = new ConcurrentOfferBenchmark();
            for (int i = 0; i < SETUP_OPS; i++)
            {
                benchmark.singleThreadedOffer(this);
            }
        }

        /**
         * Stop the threads, close.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /**
     * The any-thread pair and its sender.
     */
    @State(Scope.Benchmark)
    public static class AnyThread extends Pair
    {
        ConcurrentSender sender;

        boolean isAnyThread()
        {
            return true;
        }

        void beforeHandOver()
        {
            sender = ConcurrentSender.attach(alpha, 1 << 20, Runnable::run);
        }

        /**
         * Instantiated by JMH.
         */
        public AnyThread()
        {
        }

        /**
         * Launch, join, attach the sender, and offer {@link #SETUP_OPS} messages through it.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            start();
            final Message message = new Message();
            for (int i = 0; i < SETUP_OPS; i++)
            {
                offer(this, message);
            }
        }

        /**
         * Stop the threads, close.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            stop();
        }
    }

    /**
     * Each offering thread's message.
     */
    @State(Scope.Thread)
    public static class Message
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MESSAGE_BYTES]);

        /**
         * Instantiated by JMH.
         */
        public Message()
        {
        }

    }

    /**
     * One message offered by the thread that owns alpha.
     *
     * @param p the pair.
     * @return the message id.
     */
    @Benchmark
    @Threads(1)
    public long singleThreadedOffer(final SingleThreaded p)
    {
        long id;
        while ((id = p.alpha.offer(p.betaId, CHANNEL, p.message, 0, MESSAGE_BYTES)) < 0)
        {
            p.alpha.doWork();
        }
        if (0 == (++p.offers & 15))
        {
            p.alpha.doWork();
        }
        return id;
    }

    /**
     * One message offered from one thread through the ring.
     *
     * @param p the pair.
     * @param m the thread's message.
     * @return the status.
     */
    @Benchmark
    @Threads(1)
    public long anyThreadOffer1(final AnyThread p, final Message m)
    {
        return offer(p, m);
    }

    /**
     * One message offered from each of two threads through the ring.
     *
     * @param p the pair.
     * @param m the thread's message.
     * @return the status.
     */
    @Benchmark
    @Threads(2)
    public long anyThreadOffer2(final AnyThread p, final Message m)
    {
        return offer(p, m);
    }

    /**
     * One message offered from each of four threads through the ring.
     *
     * @param p the pair.
     * @param m the thread's message.
     * @return the status.
     */
    @Benchmark
    @Threads(4)
    public long anyThreadOffer4(final AnyThread p, final Message m)
    {
        return offer(p, m);
    }

    private static long offer(final AnyThread p, final Message m)
    {
        long result;
        while ((result = p.sender.offer(p.betaId, CHANNEL, m.buffer, 0, MESSAGE_BYTES)) != ConcurrentSender.OFFERED)
        {
            Thread.onSpinWait();
        }
        return result;
    }
}
