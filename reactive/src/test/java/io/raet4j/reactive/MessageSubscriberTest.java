package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Executors;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MessageSubscriber} over real stacks on loopback UDP: a JDK {@link SubmissionPublisher} on alpha feeds it,
 * beta's {@link MessagePublisher} hands the messages on. A stalled subscriber at beta holds everything back, from
 * beta's ring through alpha's stack and sender ring to the subscriber's requests and the producing thread, and then
 * everything arrives once, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MessageSubscriberTest
{
    private static final int CHANNEL = 9;
    private static final int MESSAGE_LENGTH = 100;

    private LoopbackStacks stacks;
    private ExecutorService upstreamExecutor;

    @BeforeEach
    void setUp()
    {
        stacks = new LoopbackStacks((ctx) -> ctx.maxMessageBytes(16 * 1024).sendBufferMaxBytes(64 * 1024)
            .receiveWindowSegments(64), "beta", "alpha");
        upstreamExecutor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown()
    {
        upstreamExecutor.shutdownNow();
        CloseHelper.quietClose(stacks);
    }

    @Test
    void shouldSendEverythingTheUpstreamProducesInOrderThroughAStalledReceiverWithoutDropping() throws Exception
    {
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(
            beta(), ChannelSet.of(CHANNEL), new MessagePublisher.Options().ringCapacity(64 * 1024)));
        final RecordingSubscriber<Message> receiver = new RecordingSubscriber<>();
        publisher.subscribe(receiver);
        receiver.subscription();
        final ConcurrentSender sender = sender(16 * 1024);
        final MessageSubscriber subscriber = MessageSubscriber.create(
            sender, beta().estateId(), CHANNEL, new MessageSubscriber.Options().prefetch(16));

        final int count = 20_000;
        final AtomicInteger submitted = new AtomicInteger();
        final Thread producer;
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            producer = new Thread(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
                    message.putLong(0, i);
                    upstream.submit(message.byteArray());     // blocks while the subscriber's demand is used up
                    submitted.incrementAndGet();
                }
            }, "producer");
            producer.start();

            final long stalledAt = waitUntilStill(submitted);
            final long handedOverWhenStalled = subscriber.messagesHandedOver();
            final long retriesBefore = subscriber.retries();
            final long cyclesBefore = alpha().counter(TransportCounterDescriptor.DUTY_CYCLES);
            // A measurement window (the retry rate during a stall), not a wait for an outcome.
            final long windowEndNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < windowEndNs)
            {
                Thread.yield();
            }
            final long retries = subscriber.retries() - retriesBefore;
            final long cycles = alpha().counter(TransportCounterDescriptor.DUTY_CYCLES) - cyclesBefore;
            System.out.printf("a stalled receiver: the producer blocked after %,d of %,d submitted, the " +
                "MessageSubscriber had handed %,d to the sender's ring, beta's ring took %,d; in 200 ms of the " +
                "stall the held item was retried %,d times, alpha ran %,d duty cycles%n", stalledAt, count,
                handedOverWhenStalled, publisher.messagesTaken(), retries, cycles);
            assertTrue(retries <= 210, "retried no more than once a millisecond: " + retries);
            assertTrue(stalledAt < count, "the producer was held back");
            assertEquals(stalledAt, submitted.get());
            assertEquals(handedOverWhenStalled, subscriber.messagesHandedOver(), "no more taken while stalled");
            assertTrue(stalledAt - handedOverWhenStalled <= 16 + 32 + 1,
                "what was submitted and not handed over waits in the subscriber (16) and the upstream's buffer (32)");
            assertEquals(0, receiver.received());

            receiver.request(Long.MAX_VALUE);
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(producer.isAlive());
        }
        assertEquals((long)count, subscriber.whenHandedOver().get(30, TimeUnit.SECONDS));
        final List<Message> messages = receiver.take(count, 10_000);
        assertEquals(count, messages.size());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, new UnsafeBuffer(messages.get(i).payload()).getLong(0), "once each, in order");
        }
        assertEquals(0, sender.unsent());
        receiver.assertNoViolations();
    }

    @Test
    void shouldCompleteWithTheUpstreamsErrorAfterHandingOverWhatItReceived() throws Exception
    {
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final RecordingSubscriber<Message> receiver = new RecordingSubscriber<>();
        publisher.subscribe(receiver);
        receiver.request(Long.MAX_VALUE);
        final MessageSubscriber subscriber = MessageSubscriber.create(sender(64 * 1024), beta().estateId(), CHANNEL);
        final IllegalStateException failure = new IllegalStateException("upstream failed");
        // Five items and the error in one go, as soon as anything is requested (SubmissionPublisher's
        // closeExceptionally would drop what it buffered).
        final Flow.Publisher<byte[]> upstream = (s) -> s.onSubscribe(new Flow.Subscription()
        {
            private boolean isDone;

            public void request(final long n)
            {
                if (!isDone)
                {
                    isDone = true;
                    for (int i = 0; i < 5; i++)
                    {
                        s.onNext(new byte[]{ (byte)i });
                    }
                    s.onError(failure);
                }
            }

            public void cancel()
            {
                isDone = true;
            }
        });
        upstream.subscribe(subscriber);

        final CompletionException ended = assertThrows(CompletionException.class,
            () -> subscriber.whenHandedOver().orTimeout(10, TimeUnit.SECONDS).join());
        assertSame(failure, ended.getCause());
        assertEquals(5, subscriber.messagesHandedOver());
        final List<Message> messages = receiver.take(5, 10_000);
        assertEquals(5, messages.size());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, messages.get(i).payload()[0]);
        }
    }

    @Test
    void shouldStopTheStreamAndCancelTheUpstreamWhenAnItemIsLongerThanTheSenderTakes() throws Exception
    {
        final ConcurrentSender sender = sender(64 * 1024);
        final MessageSubscriber subscriber = MessageSubscriber.create(sender, beta().estateId(), CHANNEL);
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            upstream.submit(new byte[]{ 1 });
            upstream.submit(new byte[sender.maxMessageLength() + 1]);
            final CompletionException ended = assertThrows(CompletionException.class,
                () -> subscriber.whenHandedOver().orTimeout(10, TimeUnit.SECONDS).join());
            assertInstanceOf(IllegalArgumentException.class, ended.getCause());
            assertTrue(ended.getCause().getMessage().contains("longer than the sender takes"));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (upstream.hasSubscribers() && System.nanoTime() < deadlineNs)
            {
                Thread.yield(); // a bounded poll: its loop has a deadline
            }
            assertFalse(upstream.hasSubscribers(), "the upstream was cancelled");
        }
        assertEquals(1, subscriber.messagesHandedOver());
    }

    @Test
    void shouldHandOverWhatItReceivedThenCompleteWhenCancelled() throws Exception
    {
        final MessageSubscriber subscriber = MessageSubscriber.create(sender(64 * 1024), beta().estateId(), CHANNEL);
        try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>(upstreamExecutor, 32))
        {
            upstream.subscribe(subscriber);
            upstream.submit(new byte[]{ 1 });
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (subscriber.messagesHandedOver() < 1 && System.nanoTime() < deadlineNs)
            {
                Thread.yield(); // a bounded poll: its loop has a deadline
            }
            subscriber.cancel();
            assertEquals(1L, subscriber.whenHandedOver().get(10, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class,
                () -> MessageSubscriber.create(sender(64 * 1024), beta().estateId(), 256));
        }
    }

    private Stack alpha()
    {
        return stacks.stack("alpha");
    }

    private Stack beta()
    {
        return stacks.stack("beta");
    }

    private ConcurrentSender sender(final int capacity)
    {
        return stacks.call("alpha", () -> ConcurrentSender.attach(stacks.stack("alpha"), capacity, Runnable::run));
    }

    /**
     * Wait until a count has not moved for half a second.
     */
    private static long waitUntilStill(final AtomicInteger count) throws InterruptedException
    {
        long last = -1;
        long sinceNs = System.nanoTime();
        while (true)
        {
            final long now = count.get();
            if (now != last)
            {
                last = now;
                sinceNs = System.nanoTime();
            }
            else if (System.nanoTime() - sinceNs > TimeUnit.MILLISECONDS.toNanos(500))
            {
                return now;
            }
            Thread.yield(); // a bounded poll: its loop has a deadline
        }
    }
}
