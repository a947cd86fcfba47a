package io.raet4j.reactive;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.DutyCycleTask;
import org.agrona.concurrent.UnsafeBuffer;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;

/**
 * The Reactive Streams TCK's publisher rules for {@link TopicPublisher}, over two real pub/sub layers on loopback UDP
 * that live as long as the class: each publisher the TCK asks for subscribes at beta to a topic of its own, and a
 * feeder task on alpha's duty cycle publishes exactly the number of publications asked for on that topic (a blocking
 * one, so that none is skipped), once alpha knows of beta's interest, as the channel allows (without end for
 * {@code Long.MAX_VALUE} or {@code Integer.MAX_VALUE}). A finite stream completes the way an application would end
 * one: a task on beta's duty cycle closes the publisher once it has taken every publication, and the subscriber gets
 * {@code onComplete} after the last. The failed publisher is one whose executor refuses the drain (as a shut-down
 * executor does): {@code onSubscribe}, then {@code onError}.
 * <p>
 * After each test the feeders stop and the publishers close (which unsubscribes them at beta). Timeouts as for
 * {@link MessagePublisherTckTest}.
 */
public class TopicPublisherTckTest extends FlowPublisherVerification<Publication>
{
    private static final long GC_TIMEOUT_MS = 1_000;

    private final List<Stream> streams = new ArrayList<>();
    private LoopbackLayers layers;
    private int topics;

    /**
     * The verification with this environment's timeouts.
     */
    public TopicPublisherTckTest()
    {
        super(new TestEnvironment(MessagePublisherTckTest.DEFAULT_TIMEOUT_MS,
            MessagePublisherTckTest.NO_SIGNALS_TIMEOUT_MS, MessagePublisherTckTest.POLL_TIMEOUT_MS), GC_TIMEOUT_MS);
    }

    /**
     * Launch and join the layers.
     */
    @BeforeClass
    public void startLayers()
    {
        layers = new LoopbackLayers("beta", "alpha");
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
     * Stop this test's feeders and close its publishers.
     */
    @AfterMethod(alwaysRun = true)
    public void endStreams()
    {
        for (final Stream stream : streams)
        {
            if (null != stream.feeder)
            {
                stream.feeder.isStopped = true;
            }
            stream.publisher.close();
        }
        streams.clear();
    }

    /**
     * A publisher of exactly {@code elements} publications, then {@code onComplete}.
     *
     * @param elements the number of publications, without end if {@code Long.MAX_VALUE}.
     * @return the publisher.
     */
    @Override
    public Flow.Publisher<Publication> createFlowPublisher(final long elements)
    {
        final String topic = "tck.topic" + topics++;
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), topic));
        final Feeder feeder = layers.call("alpha", () ->
        {
            final Feeder f = new Feeder(alpha(), alpha().publisher(topic).blocking(), elements);
            alpha().stack().addDutyCycleTask(f);
            return f;
        });
        layers.call("beta", () -> beta().stack().addDutyCycleTask(new DutyCycleTask()
        {
            public int doWork()
            {
                if (publisher.publicationsTaken() >= elements)
                {
                    publisher.close();
                    beta().stack().removeDutyCycleTask(this);
                }
                return 0;
            }
        }));
        streams.add(new Stream(publisher, feeder));
        return publisher;
    }

    /**
     * A publisher whose executor refuses the drain: onSubscribe, then onError.
     *
     * @return the publisher.
     */
    @Override
    public Flow.Publisher<Publication> createFailedFlowPublisher()
    {
        final String topic = "tck.failed" + topics++;
        final TopicPublisher publisher = layers.call("beta", () -> TopicPublisher.subscribe(beta(), topic,
            new TopicPublisher.Options().executor((task) ->
            {
                throw new RejectedExecutionException("the executor is shut down");
            })));
        streams.add(new Stream(publisher, null));
        return publisher;
    }

    private PubSub alpha()
    {
        return layers.layer("alpha");
    }

    private PubSub beta()
    {
        return layers.layer("beta");
    }

    /**
     * A publisher the TCK asked for, and what feeds it (null for the failed one).
     */
    private record Stream(TopicPublisher publisher, Feeder feeder)
    {
    }

    /**
     * Publishes numbered publications on alpha's duty cycle once beta's interest in the topic has arrived, as many a
     * cycle as the channel takes, until it has published its count or is stopped.
     */
    private static final class Feeder implements DutyCycleTask
    {
        private final PubSub layer;
        private final Publisher topic;
        private final long count;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
        private long published;
        private volatile boolean isStopped;

        Feeder(final PubSub layer, final Publisher topic, final long count)
        {
            this.layer = layer;
            this.topic = topic;
            this.count = count;
        }

        public int doWork()
        {
            if (isStopped || published >= count)
            {
                layer.stack().removeDutyCycleTask(this);
                return 0;
            }
            if (0 == topic.remoteSubscribers())
            {
                return 0;
            }
            int work = 0;
            while (work < 64 && published < count)
            {
                payload.putLong(0, published);
                // Blocking: every subscribing estate got it (1), or none did (BACK_PRESSURED: try next cycle).
                if (topic.publish(payload, 0, Long.BYTES) < 1)
                {
                    break;
                }
                published++;
                work++;
            }
            return work;
        }
    }
}
