package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.InterestEncoder;
import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.InterestOp;
import io.raet4j.pubsub.sbe.MessageHeaderEncoder;
import io.raet4j.pubsub.sbe.PublishEncoder;
import io.raet4j.pubsub.sbe.TopicDeclareEncoder;
import io.raet4j.transactions.ChannelReservation;
import io.raet4j.transactions.ChannelSet;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An accepted estate that speaks the layer's channels badly: a raw stack reserves the layer's channels and sends
 * truncated, foreign, unknown and invalid frames. Each is dropped and counted, nothing reaches a subscription or
 * escapes the duty cycle, and the valid frames after them still work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PubSubMalformedFrameTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private Stack raw;

    @AfterEach
    void tearDown()
    {
        if (null != raw)
        {
            raw.close();
        }
        mesh.close();
    }

    @Test
    void shouldCountAndDropEveryBadFrameAndKeepWorking()
    {
        mesh = new PubSubMesh(tempDir);
        final PubSub target = mesh.launch("target");
        final List<String> received = new ArrayList<>();
        target.subscribe(">", (topic, estateId, buffer, offset, length) -> received.add(topic));
        raw = Stack.launch(new StackContext(new Context().name("raw").bindAddress("127.0.0.1:0")
            .nanoClock(mesh.clock).epochClock(mesh.epochClock).statusDir(tempDir.resolve("status-raw")))
            .keepDir(tempDir.resolve("keep-raw")));
        final ChannelReservation channels =
            raw.reserveChannels("pubsub", ChannelSet.range(PubSub.CHANNEL_FIRST, PubSub.CHANNEL_COUNT));
        raw.join(PubSubMesh.address(target));
        assertTrue(mesh.runUntil(() ->
        {
            raw.doWork();
            return raw.isJoined(target.stack().estateId());
        }, 100_000));
        final long to = target.stack().estateId();
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(512);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        int expectedMalformed = 0;

        offer(channels, to, PubSub.CONTROL_CHANNEL, new UnsafeBuffer(new byte[3]), 3);
        expectedMalformed++;
        final UnsafeBuffer foreign = new UnsafeBuffer(new byte[16]);
        foreign.putShort(4, (short)1, ByteOrder.LITTLE_ENDIAN);
        foreign.putShort(6, (short)4242, ByteOrder.LITTLE_ENDIAN);
        offer(channels, to, PubSub.CONTROL_CHANNEL, foreign, 16);
        expectedMalformed++;
        header.wrap(frame, 0).blockLength(0).templateId(99).schemaId(4243).version(1);
        offer(channels, to, PubSub.CONTROL_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH);
        expectedMalformed++;
        final InterestEncoder interest = new InterestEncoder();
        interest.wrapAndApplyHeader(frame, 0, header).op(InterestOp.ADD).kind(InterestKind.SUBSCRIBE).pattern("a..b");
        offer(channels, to, PubSub.CONTROL_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH +
            interest.encodedLength());
        expectedMalformed++;
        interest.wrapAndApplyHeader(frame, 0, header).op(InterestOp.ADD).kind(InterestKind.SUBSCRIBE).pattern("good.>");
        final int interestLength = MessageHeaderEncoder.ENCODED_LENGTH + interest.encodedLength();
        offer(channels, to, PubSub.CONTROL_CHANNEL, frame, interestLength - 3);
        expectedMalformed++;
        final TopicDeclareEncoder declare = new TopicDeclareEncoder();
        declare.wrapAndApplyHeader(frame, 0, header).topicId(0).topicName("x.y");
        offer(channels, to, PubSub.DATA_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH + declare.encodedLength());
        expectedMalformed++;
        final PublishEncoder publish = new PublishEncoder();
        publish.wrapAndApplyHeader(frame, 0, header).topicId(77);
        offer(channels, to, PubSub.DATA_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH + publish.encodedLength());

        // Then good frames: an interest that takes effect, a declaration and a publication that arrive.
        interest.wrapAndApplyHeader(frame, 0, header).op(InterestOp.ADD).kind(InterestKind.SUBSCRIBE).pattern("good.>");
        offer(channels, to, PubSub.CONTROL_CHANNEL, frame, interestLength);
        declare.wrapAndApplyHeader(frame, 0, header).topicId(5).topicName("x.y");
        offer(channels, to, PubSub.DATA_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH + declare.encodedLength());
        publish.wrapAndApplyHeader(frame, 0, header).topicId(5);
        offer(channels, to, PubSub.DATA_CHANNEL, frame, MessageHeaderEncoder.ENCODED_LENGTH + publish.encodedLength());

        final Publisher good = target.publisher("good.news");
        final int malformed = expectedMalformed;
        assertTrue(mesh.runUntil(() ->
        {
            raw.doWork();
            channels.poll((estateId, channel, buffer, offset, length) -> {}, 16);
            return 1 == received.size() && 1 == good.remoteSubscribers() &&
                malformed == target.counter(PubSubCounterDescriptor.MALFORMED_FRAMES);
        }, 100_000), "received " + received + ", malformed " +
            target.counter(PubSubCounterDescriptor.MALFORMED_FRAMES));

        assertEquals(List.of("x.y"), received);
        assertEquals(expectedMalformed, target.counter(PubSubCounterDescriptor.MALFORMED_FRAMES));
        assertEquals(1, target.counter(PubSubCounterDescriptor.UNKNOWN_TOPIC_IDS));
        assertEquals(List.of(), mesh.errors);
    }

    private static void offer(
        final ChannelReservation channels, final long to, final int channel, final org.agrona.DirectBuffer buffer,
        final int length)
    {
        assertTrue(channels.offer(to, channel, buffer, 0, length) >= 0);
    }
}
