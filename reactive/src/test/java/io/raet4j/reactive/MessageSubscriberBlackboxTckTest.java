package io.raet4j.reactive;

import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * The Reactive Streams TCK's subscriber rules, seen from outside, for {@link MessageSubscriber}: each subscriber
 * sends through a {@link ConcurrentSender} on alpha to beta, over real stacks on loopback UDP that live as long as the
 * class; beta discards what arrives. Timeouts as for {@link MessagePublisherTckTest}.
 */
public class MessageSubscriberBlackboxTckTest extends FlowSubscriberBlackboxVerification<byte[]>
{
    static final int CHANNEL = 11;

    private LoopbackStacks stacks;
    private ConcurrentSender sender;

    /**
     * The verification with this environment's timeouts.
     */
    public MessageSubscriberBlackboxTckTest()
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
        discardAtBeta(stacks);
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
     * A subscriber sending to beta.
     *
     * @return the subscriber.
     */
    @Override
    public Flow.Subscriber<byte[]> createFlowSubscriber()
    {
        return MessageSubscriber.create(sender, stacks.stack("beta").estateId(), CHANNEL);
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
     * Have beta take and drop whatever arrives on the channel, from its duty cycle.
     *
     * @param stacks the stacks.
     */
    static void discardAtBeta(final LoopbackStacks stacks)
    {
        final Stack beta = stacks.stack("beta");
        final ChannelSet channels = ChannelSet.of(CHANNEL);
        final MessageHandler discard = (estateId, channel, buffer, offset, length) -> {};
        stacks.call("beta", () -> beta.addDutyCycleTask(() -> beta.poll(discard, 256, channels)));
    }
}
