package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.Publisher;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Reactive Streams TCK's subscriber rules, seen from inside, for {@link TopicSubscriber}: each subscriber is
 * wrapped to tell the TCK's probe what it was signalled (after the subscriber itself has handled the signal), and the
 * TCK's puppet requests more on the subscription the subscriber was given and cancels through
 * {@link TopicSubscriber#cancel()}. Layers, topic and timeouts as for {@link TopicSubscriberBlackboxTckTest}.
 */
public class TopicSubscriberWhiteboxTckTest extends FlowSubscriberWhiteboxVerification<byte[]>
{
    private LoopbackLayers layers;
    private ConcurrentPublisher publisher;
    private Publisher topic;

    /**
     * The verification with this environment's timeouts.
     */
    public TopicSubscriberWhiteboxTckTest()
    {
        super(new TestEnvironment(MessagePublisherTckTest.DEFAULT_TIMEOUT_MS,
            MessagePublisherTckTest.NO_SIGNALS_TIMEOUT_MS, MessagePublisherTckTest.POLL_TIMEOUT_MS));
    }

    /**
     * Launch and join the layers, subscribe beta to the topic, attach alpha's publisher.
     */
    @BeforeClass
    public void startLayers()
    {
        layers = new LoopbackLayers("beta", "alpha");
        topic = TopicSubscriberBlackboxTckTest.subscribeAtBeta(layers);
        publisher = layers.call("alpha", () -> ConcurrentPublisher.attach(layers.layer("alpha"), 64 * 1024));
    }

    /**
     * Close the layers.
     */
    @AfterClass(alwaysRun = true)
    public void stopLayers()
    {
        if (null != layers)
        {
            layers.close();
        }
    }

    /**
     * A subscriber publishing on the topic, wrapped to report to the probe.
     *
     * @param probe the TCK's.
     * @return the subscriber.
     */
    @Override
    public Flow.Subscriber<byte[]> createFlowSubscriber(final WhiteboxSubscriberProbe<byte[]> probe)
    {
        final TopicSubscriber subscriber = TopicSubscriber.create(publisher, topic);
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
