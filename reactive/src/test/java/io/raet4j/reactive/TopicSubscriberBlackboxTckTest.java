package io.raet4j.reactive;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.Publisher;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * The Reactive Streams TCK's subscriber rules, seen from outside, for {@link TopicSubscriber}: each subscriber
 * publishes through a {@link ConcurrentPublisher} on alpha on a topic beta subscribes to (and discards), over real
 * pub/sub layers on loopback UDP that live as long as the class. Timeouts as for {@link MessagePublisherTckTest}.
 */
public class TopicSubscriberBlackboxTckTest extends FlowSubscriberBlackboxVerification<byte[]>
{
    static final String TOPIC = "tck.sink";

    private LoopbackLayers layers;
    private ConcurrentPublisher publisher;
    private Publisher topic;

    /**
     * The verification with this environment's timeouts.
     */
    public TopicSubscriberBlackboxTckTest()
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
        topic = subscribeAtBeta(layers);
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
     * A subscriber publishing on the topic.
     *
     * @return the subscriber.
     */
    @Override
    public Flow.Subscriber<byte[]> createFlowSubscriber()
    {
        return TopicSubscriber.create(publisher, topic);
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

    /**
     * Have beta subscribe to the topic and drop what arrives, and wait until alpha knows.
     *
     * @param layers the layers.
     * @return alpha's publisher of the topic.
     */
    static Publisher subscribeAtBeta(final LoopbackLayers layers)
    {
        layers.call("beta", () -> layers.layer("beta").subscribe(TOPIC, (t, estateId, buffer, offset, length) -> {}));
        final Publisher topic = layers.call("alpha", () -> layers.layer("alpha").publisher(TOPIC));
        LoopbackLayers.await("alpha knows of beta's subscription",
            () -> 1 == layers.call("alpha", topic::remoteSubscribers));
        return topic;
    }
}
