package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.DutyCycleTask;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import org.agrona.concurrent.UnsafeBuffer;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * The Reactive Streams TCK's publisher rules for {@link MessagePublisher}, over two real stacks on loopback UDP that
 * live as long as the class: each publisher the TCK asks for gets a channel of its own at beta, and a feeder task on
 * alpha's duty cycle offers exactly the number of messages asked for on that channel, as the windows allow (without
 * end for {@code Long.MAX_VALUE} or {@code Integer.MAX_VALUE}). A finite stream completes the way an application
 * would end one: a task on beta's duty cycle closes the publisher once it has taken every message, and the subscriber
 * gets {@code onComplete} after the last. The failed publisher is one bound to an estate that is not joined.
 * <p>
 * After each test the feeders stop and the publishers close; a channel whose messages were all taken is used again,
 * one that may still hold messages is retired: a task on beta discards whatever arrives on it, so that nothing waits
 * for the message timeout.
 * <p>
 * Timeouts ({@link TestEnvironment}): 2 s for a signal that is expected (the TCK's default of 100 ms is short for a
 * shared 2-core machine with two duty cycles on it), 200 ms of silence where none is, and a subscriber reference
 * dropped within 1 s of a cancel.
 */
public class MessagePublisherTckTest extends FlowPublisherVerification<Message>
{
    static final long DEFAULT_TIMEOUT_MS = 2_000;
    static final long NO_SIGNALS_TIMEOUT_MS = 200;
    static final long POLL_TIMEOUT_MS = 20;
    private static final long GC_TIMEOUT_MS = 1_000;
    private static final int RING_CAPACITY = 64 * 1024;
    private static final long NOT_JOINED_ESTATE_ID = 0x5151_5151L;

    private final ArrayDeque<Integer> freeChannels = new ArrayDeque<>();
    private final List<Stream> streams = new ArrayList<>();
    private final ChannelSet retired = new ChannelSet();
    private LoopbackStacks stacks;

    /**
     * The verification with this environment's timeouts.
     */
    public MessagePublisherTckTest()
    {
        super(new TestEnvironment(DEFAULT_TIMEOUT_MS, NO_SIGNALS_TIMEOUT_MS, POLL_TIMEOUT_MS), GC_TIMEOUT_MS);
    }

    /**
     * Launch and join the stacks, and start the task that discards what arrives on retired channels.
     */
    @BeforeClass
    public void startStacks()
    {
        stacks = new LoopbackStacks((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        for (int channel = 1; channel < 256; channel++)
        {
            freeChannels.add(channel);
        }
        final MessageHandler discard = (estateId, channel, buffer, offset, length) -> {};
        stacks.call("beta", () -> beta().addDutyCycleTask(() -> retired.size() > 0 ? beta().poll(discard, 256,
            retired) : 0));
    }

    /**
     * Close the stacks.
     */
    @AfterClass(alwaysRun = true)
    public void stopStacks()
    {
        if (null != stacks)
        {
            stacks.close();
        }
    }

    /**
     * Stop this test's feeders, close its publishers, and give back or retire their channels.
     */
    @AfterMethod(alwaysRun = true)
    public void endStreams()
    {
        for (final Stream stream : streams)
        {
            stream.feeder.isStopped = true;
            stream.publisher.close();
        }
        // Let the feeders and the publishers see it: two of each stack's duty cycles.
        for (int i = 0; i < 2; i++)
        {
            stacks.call("alpha", () -> null);
            stacks.call("beta", () -> null);
        }
        for (final Stream stream : streams)
        {
            if (stream.feeder.sent == stream.count && stream.publisher.messagesTaken() == stream.count)
            {
                freeChannels.add(stream.channel);
            }
            else
            {
                stacks.call("beta", () -> retired.add(stream.channel));
            }
        }
        streams.clear();
    }

    /**
     * A publisher of exactly {@code elements} messages, then {@code onComplete}.
     *
     * @param elements the number of messages, without end if {@code Long.MAX_VALUE}.
     * @return the publisher.
     */
    @Override
    public Flow.Publisher<Message> createFlowPublisher(final long elements)
    {
        final Integer channel = freeChannels.poll();
        if (null == channel)
        {
            throw new IllegalStateException("no channel left: too many retired");
        }
        final MessagePublisher publisher = stacks.call("beta", () -> MessagePublisher.attach(
            beta(), ChannelSet.of(channel), new MessagePublisher.Options().ringCapacity(RING_CAPACITY)));
        final Feeder feeder = new Feeder(alpha(), beta().estateId(), channel, elements);
        stacks.call("alpha", () -> alpha().addDutyCycleTask(feeder));
        stacks.call("beta", () -> beta().addDutyCycleTask(new DutyCycleTask()
        {
            public int doWork()
            {
                if (publisher.messagesTaken() >= elements)
                {
                    publisher.close();
                    beta().removeDutyCycleTask(this);
                }
                return 0;
            }
        }));
        streams.add(new Stream(channel, elements, publisher, feeder));
        return publisher;
    }

    /**
     * A publisher bound to an estate that is not joined: onSubscribe, then onError.
     *
     * @return the publisher.
     */
    @Override
    public Flow.Publisher<Message> createFailedFlowPublisher()
    {
        return stacks.call("beta", () -> MessagePublisher.attach(beta(), ChannelSet.of(0),
            new MessagePublisher.Options().boundEstateId(NOT_JOINED_ESTATE_ID)));
    }

    private Stack alpha()
    {
        return stacks.stack("alpha");
    }

    private Stack beta()
    {
        return stacks.stack("beta");
    }

    /**
     * A publisher the TCK asked for, and what feeds it.
     */
    private record Stream(int channel, long count, MessagePublisher publisher, Feeder feeder)
    {
    }

    /**
     * Offers numbered messages on alpha's duty cycle, as many a cycle as the channel takes, until it has sent its
     * count or is stopped.
     */
    private static final class Feeder implements DutyCycleTask
    {
        private final Stack stack;
        private final long estateId;
        private final int channel;
        private final long count;
        private final UnsafeBuffer message = new UnsafeBuffer(new byte[Long.BYTES]);
        private volatile long sent;
        private volatile boolean isStopped;

        Feeder(final Stack stack, final long estateId, final int channel, final long count)
        {
            this.stack = stack;
            this.estateId = estateId;
            this.channel = channel;
            this.count = count;
        }

        public int doWork()
        {
            if (isStopped || sent >= count)
            {
                stack.removeDutyCycleTask(this);
                return 0;
            }
            int work = 0;
            while (work < 64 && sent < count)
            {
                message.putLong(0, sent);
                if (stack.offer(estateId, channel, message, 0, Long.BYTES) < 0)
                {
                    break;
                }
                sent++;
                work++;
            }
            return work;
        }
    }
}
