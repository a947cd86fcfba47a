package io.raet4j.reactive;

import io.raet4j.transactions.ConcurrentSender;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Reactive Streams TCK's subscriber rules, seen from inside, for {@link MessageSubscriber}: each subscriber is
 * wrapped to tell the TCK's probe what it was signalled (after the subscriber itself has handled the signal), and the
 * TCK's puppet requests more on the subscription the subscriber was given and cancels through
 * {@link MessageSubscriber#cancel()}. Stacks and timeouts as for {@link MessageSubscriberBlackboxTckTest}.
 */
public class MessageSubscriberWhiteboxTckTest extends FlowSubscriberWhiteboxVerification<byte[]>
{
    private LoopbackStacks stacks;
    private ConcurrentSender sender;

    /**
     * The verification with this environment's timeouts.
     */
    public MessageSubscriberWhiteboxTckTest()
    {
        super(new TestEnvironment(MessagePublisherTckTest.DEFAULT_TIMEOUT_MS,
            MessagePublisherTckTest.NO_SIGNALS_TIMEOUT_MS, MessagePublisherTckTest.POLL_TIMEOUT_MS));
    }

    /**
     * Launch and join the stacks, attach alpha's sender, and have beta discard what arrives.
     */
    @BeforeClass
    public void startStacks()
    {
        stacks = new LoopbackStacks((ctx) -> ctx.maxMessageBytes(16 * 1024), "beta", "alpha");
        sender = stacks.call("alpha", () -> ConcurrentSender.attach(stacks.stack("alpha"), 64 * 1024, Runnable::run));
        MessageSubscriberBlackboxTckTest.discardAtBeta(stacks);
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
     * A subscriber sending to beta, wrapped to report to the probe.
     *
     * @param probe the TCK's.
     * @return the subscriber.
     */
    @Override
    public Flow.Subscriber<byte[]> createFlowSubscriber(final WhiteboxSubscriberProbe<byte[]> probe)
    {
        final MessageSubscriber subscriber = MessageSubscriber.create(
            sender, stacks.stack("beta").estateId(), MessageSubscriberBlackboxTckTest.CHANNEL);
        final AtomicBoolean isSubscribed = new AtomicBoolean();
        return new Flow.Subscriber<>()
        {
            public void onSubscribe(final Flow.Subscription subscription)
            {
                subscriber.onSubscribe(subscription);
                if (isSubscribed.compareAndSet(false, true))
                {
                    probe.registerOnSubscribe(new SubscriberPuppet()
                    {
                        public void triggerRequest(final long elements)
                        {
                            subscription.request(elements);
                        }

                        public void signalCancel()
                        {
                            subscriber.cancel();
                        }
                    });
                }
            }

            public void onNext(final byte[] item)
            {
                subscriber.onNext(item);
                probe.registerOnNext(item);
            }

            public void onError(final Throwable error)
            {
                subscriber.onError(error);
                probe.registerOnError(error);
            }

            public void onComplete()
            {
                subscriber.onComplete();
                probe.registerOnComplete();
            }
        };
    }

    /**
     * An item: the element's number in four bytes.
     *
     * @param element its number.
     * @return the item.
     */
    @Override
    public byte[] createElement(final int element)
    {
        return ByteBuffer.allocate(Integer.BYTES).putInt(element).array();
    }
}
