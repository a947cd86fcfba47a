package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MessagePublisher} over real stacks on loopback UDP, each duty cycle on a thread of its own: alpha sends
 * through a {@link ConcurrentSender}, beta's publisher hands the messages to a subscriber as it requests them, and a
 * subscriber that requests nothing holds alpha back instead of a queue growing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MessagePublisherTest
{
    private static final int CHANNEL = 5;
    private static final int MESSAGE_LENGTH = 100;

    private LoopbackStacks stacks;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(stacks);
    }

    @Test
    void shouldHandEveryMessageInOrderToASubscriberRequestingInSmallBatches() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final ConcurrentSender sender = sender();
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        final int[] counted = new int[1];
        subscriber.onEach((message) ->
        {
            if (0 == ++counted[0] % 3)
            {
                subscriber.request(3);
            }
        });
        publisher.subscribe(subscriber);
        subscriber.request(3);

        final int count = 2_000;
        send(sender, 0, count);
        final List<Message> messages = subscriber.take(count, 10_000);

        assertEquals(count, messages.size());
        for (int i = 0; i < count; i++)
        {
            final Message message = messages.get(i);
            assertEquals(i, new UnsafeBuffer(message.payload()).getLong(0), "in the order sent");
            assertEquals(MESSAGE_LENGTH, message.length());
            assertEquals(alpha().estateId(), message.estateId());
            assertEquals(CHANNEL, message.channel());
        }
        assertFalse(subscriber.end().isDone());
        subscriber.assertNoViolations();
    }

    @Test
    void shouldBackPressureTheSenderWhileTheSubscriberRequestsNothingThenDeliverEverything() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024).sendBufferMaxBytes(64 * 1024).receiveWindowSegments(64),
            "beta", "alpha");
        final int ringCapacity = 64 * 1024;
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(
            beta(), ChannelSet.of(CHANNEL),
            new MessagePublisher.Options().ringCapacity(ringCapacity)));
        final ConcurrentSender sender = sender();
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.subscription();

        final int count = 20_000;
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
        final long stackRefusalsBefore = alpha().counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS);
        int sent = 0;
        long refusals = 0;
        long takenWhenRefused = -1;
        long refusedSinceNs = 0;
        // Offer until the sender's ring has been full for half a second, the publisher's ring no longer growing.
        while (sent < count)
        {
            message.putLong(0, sent);
            final long result = sender.offer(beta().estateId(), CHANNEL, message, 0, MESSAGE_LENGTH);
            if (ConcurrentSender.OFFERED == result)
            {
                sent++;
                takenWhenRefused = -1;
                continue;
            }
            assertEquals(Stack.BACK_PRESSURED, result);
            refusals++;
            final long taken = publisher.messagesTaken();
            if (taken != takenWhenRefused)
            {
                takenWhenRefused = taken;
                refusedSinceNs = System.nanoTime();
            }
            else if (System.nanoTime() - refusedSinceNs > TimeUnit.MILLISECONDS.toNanos(500))
            {
                break;
            }
            Thread.yield(); // a bounded poll: its loop has a deadline
        }
        final long takenDuringStall = publisher.messagesTaken();
        final long stackRefusals = alpha().counter(StackCounterDescriptor.BACK_PRESSURE_EVENTS) - stackRefusalsBefore;
        System.out.printf("a subscriber requesting nothing: the publisher's ring took %,d messages and stopped, " +
            "alpha's stack refused the sender's drain %,d times, the sender's offers were refused %,d times with " +
            "%,d of %,d sent%n", takenDuringStall, stackRefusals, refusals, sent, count);

        assertTrue(sent < count, "the sender was held back before sending everything");
        assertTrue(refusals > 0, "offers came back BACK_PRESSURED");
        assertTrue(stackRefusals > 0, "through alpha's full channel");
        assertTrue(takenDuringStall > 0 && takenDuringStall < sent, "the ring took some, the stacks hold the rest");
        assertTrue(takenDuringStall * (16 + MESSAGE_LENGTH + 8) <= ringCapacity, "no more than the ring holds");
        assertEquals(0, subscriber.received(), "nothing handed over without demand");

        subscriber.request(Long.MAX_VALUE);
        send(sender, sent, count - sent);
        final List<Message> messages = subscriber.take(count, 10_000);
        assertEquals(count, messages.size());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, new UnsafeBuffer(messages.get(i).payload()).getLong(0), "in the order sent");
        }
        subscriber.assertNoViolations();
    }

    @Test
    void shouldDetachTheReceiverFromTheDutyCycleWhenTheSubscriberCancels() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        final MessagePublisher first = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final ConcurrentSender sender = sender();
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        first.subscribe(subscriber);
        subscriber.request(10);
        send(sender, 0, 10);
        assertEquals(10, subscriber.take(10, 10_000).size());

        subscriber.cancel();
        assertTrue(first.isClosed());
        stacks.call("beta", () -> null);
        stacks.call("beta", () -> null);
        final long takenBefore = first.messagesTaken();
        send(sender, 10, 10);
        final MessagePublisher second = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final RecordingSubscriber<Message> next = new RecordingSubscriber<>();
        second.subscribe(next);
        next.request(Long.MAX_VALUE);
        final List<Message> messages = next.take(10, 10_000);

        assertEquals(10, messages.size(), "the later messages stayed in the stack for the next publisher");
        for (int i = 0; i < 10; i++)
        {
            assertEquals(10 + i, new UnsafeBuffer(messages.get(i).payload()).getLong(0));
        }
        assertEquals(takenBefore, first.messagesTaken(), "the cancelled publisher took nothing more");
        assertEquals(10, first.messagesTaken());
        assertEquals(0, subscriber.waiting(), "no signal after cancel");
        assertFalse(subscriber.end().isDone());
        subscriber.assertNoViolations();
        next.assertNoViolations();
    }

    @Test
    void shouldCompleteAfterCloseOnceTheMessagesTakenAreHandedOver() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final ConcurrentSender sender = sender();
        send(sender, 0, 5);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publisher.messagesTaken() < 5 && System.nanoTime() < deadlineNs)
        {
            Thread.yield(); // a bounded poll: its loop has a deadline
        }
        publisher.close();
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(2);

        assertEquals(2, subscriber.take(2, 10_000).size());
        // Absence cannot be awaited: watch for 100 ms that nothing ends the stream without demand.
        final long watchUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < watchUntilNs)
        {
            assertFalse(subscriber.end().isDone(), "three are still waiting for demand");
            Thread.yield();
        }
        subscriber.request(10);
        assertEquals(3, subscriber.take(3, 10_000).size());
        subscriber.end().get(10, TimeUnit.SECONDS);
        assertTrue(publisher.isClosed());
        subscriber.assertNoViolations();
    }

    @Test
    void shouldCompleteWhenTheStackCloses() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        send(sender(), 0, 3);
        assertEquals(3, subscriber.take(3, 10_000).size());

        stacks.closeStack("beta");
        subscriber.end().get(10, TimeUnit.SECONDS);
        subscriber.assertNoViolations();
    }

    @Test
    void shouldEndWithAnErrorSayingWhatHappenedWhenTheBoundEstateDies() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha", "gamma");
        final long gammaId = stacks.stack("gamma").estateId();
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(
            beta(), ChannelSet.of(CHANNEL),
            new MessagePublisher.Options().boundEstateId(gammaId)));
        final RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        publisher.subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        final ConcurrentSender gammaSender = stacks.call("gamma",
            () -> ConcurrentSender.attach(stacks.stack("gamma"), 64 * 1024, Runnable::run));
        send(gammaSender, 0, 3);
        assertEquals(3, subscriber.take(3, 10_000).size());

        stacks.closeStack("gamma");
        final CompletionException ended = assertThrows(CompletionException.class,
            () -> subscriber.end().orTimeout(10, TimeUnit.SECONDS).join());
        final EstateDeadException dead = assertInstanceOf(EstateDeadException.class, ended.getCause());
        System.out.println("bound estate died: " + dead.getMessage());
        assertEquals(gammaId, dead.estateId());
        assertTrue(dead.getMessage().contains("'gamma' died"), dead.getMessage());
        assertTrue(publisher.isClosed());
        subscriber.assertNoViolations();

        final MessagePublisher late = stacks.call("beta", () -> MessagePublisher.attach(
            beta(), ChannelSet.of(CHANNEL + 1),
            new MessagePublisher.Options().boundEstateId(gammaId)));
        final RecordingSubscriber<Message> lateSubscriber = new RecordingSubscriber<>();
        late.subscribe(lateSubscriber);
        final CompletionException failed = assertThrows(CompletionException.class,
            () -> lateSubscriber.end().orTimeout(10, TimeUnit.SECONDS).join());
        assertTrue(failed.getCause().getMessage().contains("is not joined"), failed.getCause().getMessage());
        lateSubscriber.assertNoViolations();
    }

    @Test
    void shouldRejectASecondSubscriberWithAnIllegalStateException() throws Exception
    {
        start((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(beta(), CHANNEL));
        final RecordingSubscriber<Message> first = new RecordingSubscriber<>();
        final RecordingSubscriber<Message> second = new RecordingSubscriber<>();
        publisher.subscribe(first);
        publisher.subscribe(second);

        first.subscription();
        second.subscription();
        final CompletionException rejected = assertThrows(CompletionException.class,
            () -> second.end().orTimeout(10, TimeUnit.SECONDS).join());
        assertInstanceOf(IllegalStateException.class, rejected.getCause());
        assertTrue(rejected.getCause().getMessage().contains("unicast"));
        assertFalse(first.end().isDone());
        assertThrows(NullPointerException.class, () -> publisher.subscribe(null));
    }

    private void start(final Consumer<StackContext> config, final String... names)
    {
        stacks = new LoopbackStacks(config, names);
    }

    private Stack alpha()
    {
        return stacks.stack("alpha");
    }

    private Stack beta()
    {
        return stacks.stack("beta");
    }

    private ConcurrentSender sender()
    {
        return stacks.call("alpha", () -> ConcurrentSender.attach(alpha(), 64 * 1024, Runnable::run));
    }

    /**
     * Offer messages numbered from first, retrying while the sender's ring is full.
     */
    private void send(final ConcurrentSender sender, final long first, final int count) throws InterruptedException
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (long i = first; i < first + count; )
        {
            message.putLong(0, i);
            final long result = sender.offer(beta().estateId(), CHANNEL, message, 0, MESSAGE_LENGTH);
            if (ConcurrentSender.OFFERED == result)
            {
                i++;
            }
            else
            {
                assertEquals(Stack.BACK_PRESSURED, result);
                assertTrue(System.nanoTime() < deadlineNs, "sent " + (i - first) + " of " + count);
                Thread.yield(); // a bounded poll: its loop has a deadline
            }
        }
    }
}
