package io.raet4j.transactions;

import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConcurrentSender} and {@link ConcurrentReceiver} over real stacks on loopback UDP, each stack's duty cycle on
 * a thread of its own: eight threads offer concurrently to one stack, a consumer on another thread drains the
 * receiving stack's ring, and stalls for a while; every message arrives exactly once, in each thread's order, and the
 * stall back-pressures the offering threads instead of losing anything.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrentSendReceiveTest
{
    private static final int PRODUCERS = 8;
    private static final int PER_PRODUCER = Integer.getInteger("raet4j.test.concurrent.count", 100_000);
    private static final int MESSAGE_LENGTH = 32;
    /** The consumer stalls once it has this many, until the offering threads were refused this often since. */
    private static final long STALL_AT = (long)PRODUCERS * PER_PRODUCER / 4;
    private static final long REFUSALS_DURING_STALL = 1_000;

    @TempDir
    Path tempDir;

    private Stack alpha;
    private Stack beta;
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException
    {
        isRunning.set(false);
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        CloseHelper.quietCloseAll(alpha, beta);
    }

    @Test
    void shouldDeliverEveryMessageOfEightThreadsOnceInEachThreadsOrderThroughAStalledConsumer() throws Exception
    {
        final AtomicLong delivered = new AtomicLong();
        joinPair((ctx) -> ctx.maxMessageBytes(64 * 1024));
        alpha.addDeliveryHandler(new DeliveryHandler()
        {
            public void onDelivered(final long estateId, final int channel, final long messageId)
            {
                delivered.incrementAndGet();
            }

            public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason r)
            {
                failure.compareAndSet(null, new AssertionError("failed " + messageId + ": " + r));
            }

            public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason r)
            {
                failure.compareAndSet(null, new AssertionError("uncertain " + messageId + ": " + r));
            }
        });
        final ConcurrentSender sender = ConcurrentSender.attach(alpha, 64 * 1024, Runnable::run);
        final ConcurrentReceiver receiver = ConcurrentReceiver.attach(beta, 256 * 1024, null);
        final long betaId = beta.estateId();
        runDutyCycles();

        final AtomicLong refusals = new AtomicLong();
        final long[][] seen = new long[PRODUCERS][1];
        for (final long[] next : seen)
        {
            next[0] = 0;
        }
        final AtomicLong received = new AtomicLong();
        final AtomicLong refusalsWhenStalled = new AtomicLong(-1);
        final AtomicLong refusalsWhenResumed = new AtomicLong(-1);
        final AtomicLong stackRefusalsDuringStall = new AtomicLong(-1);
        final AtomicLong intakeWhenStalled = new AtomicLong(-1);
        final AtomicLong intakeDuringStall = new AtomicLong(-1);
        final Thread consumer = start("consumer", () ->
        {
            final io.raet4j.transactions.MessageHandler check = (estateId, channel, buffer, offset, length) ->
            {
                final int producer = buffer.getInt(offset);
                final long sequence = buffer.getLong(offset + 8);
                if (length != MESSAGE_LENGTH || sequence != seen[producer][0])
                {
                    throw new AssertionError("producer " + producer + ": got " + sequence + ", expected " +
                        seen[producer][0] + " (length " + length + ")");
                }
                seen[producer][0]++;
                received.incrementAndGet();
            };
            while (isRunning.get() && received.get() < (long)PRODUCERS * PER_PRODUCER)
            {
                if (received.get() >= STALL_AT && refusalsWhenStalled.get() < 0)
                {
                    // Stall: read nothing until the back-pressure has gone all the way back: the receiving ring
                    // full, the window of alpha's channel used up (alpha's stack refusing the sender's drain), and
                    // the offering threads refused.
                    refusalsWhenStalled.set(refusals.get());
                    final long stackRefusals = alpha.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS);
                    intakeWhenStalled.set(receiver.messagesReceived());
                    while (isRunning.get() &&
                        (alpha.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS) - stackRefusals <
                        REFUSALS_DURING_STALL || refusals.get() - refusalsWhenStalled.get() < REFUSALS_DURING_STALL))
                    {
                        Thread.onSpinWait();
                    }
                    stackRefusalsDuringStall.set(
                        alpha.counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS) - stackRefusals);
                    intakeDuringStall.set(receiver.messagesReceived() - intakeWhenStalled.get());
                    refusalsWhenResumed.set(refusals.get());
                }
                if (0 == receiver.poll(check, 64))
                {
                    Thread.onSpinWait();
                }
            }
        });

        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            producers.add(start("producer-" + p, () ->
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
                message.putInt(0, producer);
                for (long sequence = 0; sequence < PER_PRODUCER && isRunning.get(); )
                {
                    message.putLong(8, sequence);
                    final long result = sender.offer(betaIdAtAlpha(), 0, message, 0, MESSAGE_LENGTH);
                    if (ConcurrentSender.OFFERED == result)
                    {
                        sequence++;
                    }
                    else if (Stack.BACK_PRESSURED == result)
                    {
                        refusals.incrementAndGet();
                        Thread.onSpinWait();
                    }
                    else
                    {
                        throw new AssertionError("offer returned " + result);
                    }
                }
            }));
        }
        for (final Thread producer : producers)
        {
            producer.join(TimeUnit.SECONDS.toMillis(150));
        }
        consumer.join(TimeUnit.SECONDS.toMillis(150));
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < (long)PRODUCERS * PER_PRODUCER && System.nanoTime() < deadlineNs &&
            null == failure.get())
        {
            Thread.onSpinWait();
        }
        System.out.printf("8 threads x %,d messages through a ConcurrentSender and a ConcurrentReceiver: " +
            "received %,d, delivered %,d, unsent %d; the consumer stalled at %,d received: the receiving ring took " +
            "%,d more and stopped, alpha's stack refused the sender's drain %,d times (its channel's window full), " +
            "the offering threads were refused %,d times meanwhile (%,d in all)%n", PER_PRODUCER, received.get(),
            delivered.get(), sender.unsent(), STALL_AT, intakeDuringStall.get(), stackRefusalsDuringStall.get(),
            refusalsWhenResumed.get() - refusalsWhenStalled.get(), refusals.get());

        assertNull(failure.get());
        assertEquals((long)PRODUCERS * PER_PRODUCER, received.get(), "every message, once (the order is checked)");
        final long[] expected = new long[PRODUCERS];
        final long[] actual = new long[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++)
        {
            expected[p] = PER_PRODUCER;
            actual[p] = seen[p][0];
        }
        assertArrayEquals(expected, actual);
        assertEquals((long)PRODUCERS * PER_PRODUCER, delivered.get(), "each one's outcome: delivered");
        assertEquals(0, sender.unsent());
        assertTrue(refusalsWhenResumed.get() - refusalsWhenStalled.get() >= REFUSALS_DURING_STALL,
            "the stall back-pressured the offering threads");
        assertTrue(stackRefusalsDuringStall.get() >= REFUSALS_DURING_STALL, "through alpha's full channel");
        assertTrue(intakeDuringStall.get() * (16 + MESSAGE_LENGTH + 8) <= 256 * 1024,
            "the receiving ring took no more than it holds: " + intakeDuringStall.get());
        assertEquals((long)PRODUCERS * PER_PRODUCER, receiver.messagesReceived());
        assertTrue(betaId != 0);
    }

    @Test
    void shouldCompleteTrackedOffersWithTheirOutcomeAndRefuseWhatTheStackWillNotTake() throws Exception
    {
        joinPair((ctx) -> ctx.maxMessageBytes(64 * 1024));
        final List<long[]> unsent = new ArrayList<>();
        final ConcurrentSender sender = ConcurrentSender.attach(alpha, 64 * 1024, Runnable::run)
            .unsentHandler((estateId, channel, refusal) -> unsent.add(new long[]{ estateId, channel, refusal }));
        final ConcurrentReceiver receiver = ConcurrentReceiver.attach(beta, 256 * 1024, null);
        runDutyCycles();

        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        final CompletableFuture<MessageOutcome> delivered = sender.offerTracked(betaIdAtAlpha(), 3, message, 0, 100);
        final CompletableFuture<MessageOutcome> nobody = sender.offerTracked(0x5151, 3, message, 0, 100);
        final MessageOutcome first = delivered.get(30, TimeUnit.SECONDS);
        final MessageOutcome second = nobody.get(30, TimeUnit.SECONDS);
        final CompletableFuture<Integer> onDutyCycle = new CompletableFuture<>();
        assertTrue(sender.execute(() -> onDutyCycle.complete(alpha.estateCount())));

        assertEquals(MessageOutcome.Status.DELIVERED, first.status());
        assertEquals(3, first.channel());
        assertEquals(MessageOutcome.Status.NOT_SENT, second.status());
        assertEquals(Stack.NOT_CONNECTED, second.refusal());
        assertEquals(1, onDutyCycle.get(30, TimeUnit.SECONDS), "execute runs on the duty cycle, where the API works");
        assertEquals(Stack.INVALID_CHANNEL, sender.offer(1, 256, message, 0, 1));
        assertEquals(Stack.MESSAGE_TOO_LARGE, sender.offer(1, 0, message, 0, sender.maxMessageLength() + 1));
        assertEquals(1, sender.unsent());
        final long[] received = new long[1];
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received[0] < 1 && System.nanoTime() < deadlineNs)
        {
            receiver.poll((estateId, channel, buffer, offset, length) -> received[0]++, 10);
        }
        assertEquals(1, received[0]);
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        assertTrue(sender.execute(() ->
        {
            sender.close();
            closed.complete(null);
        }));
        closed.get(30, TimeUnit.SECONDS);
        assertEquals(Stack.CLOSED, sender.offer(betaIdAtAlpha(), 0, message, 0, 1));
        assertEquals(1, unsent.size());
        assertEquals(0x5151, unsent.get(0)[0]);
    }

    @Test
    void shouldEndEveryMessageStillInTheRingWhenTheStackCloses() throws Exception
    {
        joinPair((ctx) -> ctx.maxMessageBytes(64 * 1024));
        final List<long[]> unsent = new ArrayList<>();
        final ConcurrentSender sender = ConcurrentSender.attach(alpha, 64 * 1024, Runnable::run)
            .unsentHandler((estateId, channel, refusal) -> unsent.add(new long[]{ estateId, channel, refusal }));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        // Nobody drains the ring: alpha's duty cycle does not run again before it closes.
        for (int i = 0; i < 10; i++)
        {
            assertEquals(ConcurrentSender.OFFERED, sender.offer(betaIdAtAlpha(), 0, message, 0, 100));
        }
        final CompletableFuture<MessageOutcome> tracked = sender.offerTracked(betaIdAtAlpha(), 0, message, 0, 100);
        final CompletableFuture<Boolean> ran = new CompletableFuture<>();
        assertTrue(sender.execute(() -> ran.complete(true)));
        alpha.close();

        assertEquals(11, sender.unsent(), "each message left in the ring ends unsent");
        assertEquals(11, unsent.size());
        assertEquals(Stack.CLOSED, unsent.get(0)[2]);
        assertEquals(MessageOutcome.Status.NOT_SENT, tracked.get(10, TimeUnit.SECONDS).status());
        assertEquals(Stack.CLOSED, tracked.get().refusal());
        assertTrue(ran.get(10, TimeUnit.SECONDS), "a task accepted before the close still runs");
        assertEquals(Stack.CLOSED, sender.offer(betaIdAtAlpha(), 0, message, 0, 100));
        assertTrue(sender.isClosed());
    }

    @Test
    void shouldHandOverMessagesLargerThanARingRecordWhole() throws Exception
    {
        joinPair((ctx) -> ctx.maxMessageBytes(1 << 20));
        final ConcurrentReceiver receiver = ConcurrentReceiver.attach(beta, HandoffRing.capacityFor(1 << 20), null);
        final ConcurrentSender sender = ConcurrentSender.attach(alpha, 16 << 20, Runnable::run);
        runDutyCycles();

        final int[] lengths = { 1, 200_000, 1 << 20, 262_128, 262_129, 77 };
        final List<CompletableFuture<MessageOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++)
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[lengths[i]]);
            Payloads.fill(message, i, lengths[i]);
            outcomes.add(sender.offerTracked(betaIdAtAlpha(), 1, message, 0, lengths[i]));
        }
        final List<Integer> got = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < lengths.length && System.nanoTime() < deadlineNs)
        {
            receiver.poll((estateId, channel, buffer, offset, length) ->
            {
                assertTrue(isFilled(buffer, offset, length, got.size()), "message " + got.size() + " whole");
                got.add(length);
            }, 3);
        }
        for (final CompletableFuture<MessageOutcome> future : outcomes)
        {
            final MessageOutcome outcome = future.get(30, TimeUnit.SECONDS);
            assertEquals(MessageOutcome.Status.DELIVERED, outcome.status(), outcome::toString);
        }
        assertEquals(List.of(1, 200_000, 1 << 20, 262_128, 262_129, 77), got);
    }

    private long betaIdAtAlpha()
    {
        return beta.estateId();
    }

    private void joinPair(final java.util.function.Consumer<StackContext> config)
    {
        alpha = launch("alpha", config);
        beta = launch("beta", config);
        final InetSocketAddress betaAddress = (InetSocketAddress)beta.localAddress();
        alpha.join("127.0.0.1:" + betaAddress.getPort());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!alpha.isJoined(beta.estateId()) || !beta.isJoined(alpha.estateId()))
        {
            assertTrue(System.nanoTime() < deadlineNs, "join");
            alpha.doWork();
            beta.doWork();
        }
    }

    private Stack launch(final String name, final java.util.function.Consumer<StackContext> config)
    {
        final StackContext ctx = new StackContext(new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .statusDir(tempDir.resolve(name)))
            .keepDir(tempDir.resolve("keep-" + name));
        config.accept(ctx);
        return Stack.launch(ctx);
    }

    /**
     * Hand both stacks to duty-cycle threads of their own, which run until the test ends.
     */
    private void runDutyCycles()
    {
        alpha.handOver();
        beta.handOver();
        for (final Stack stack : List.of(alpha, beta))
        {
            start("duty-" + stack.name(), () ->
            {
                while (isRunning.get())
                {
                    if (0 == stack.doWork())
                    {
                        Thread.onSpinWait();
                    }
                }
                stack.handOver();
            });
        }
    }

    private Thread start(final String name, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, name);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private static boolean isFilled(final DirectBuffer buffer, final int offset, final int length, final long i)
    {
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[length]);
        Payloads.fill(expected, i, length);
        for (int j = 0; j < length; j++)
        {
            if (expected.getByte(j) != buffer.getByte(offset + j))
            {
                return false;
            }
        }
        return true;
    }
}
