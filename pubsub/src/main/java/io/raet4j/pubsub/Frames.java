package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.HelloEncoder;
import io.raet4j.pubsub.sbe.InterestDeniedEncoder;
import io.raet4j.pubsub.sbe.InterestEncoder;
import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.InterestOp;
import io.raet4j.pubsub.sbe.IntroduceEncoder;
import io.raet4j.pubsub.sbe.MessageHeaderEncoder;
import io.raet4j.pubsub.sbe.PublishEncoder;
import io.raet4j.pubsub.sbe.ReplyEncoder;
import io.raet4j.pubsub.sbe.ReplyStatus;
import io.raet4j.pubsub.sbe.RequestEncoder;
import io.raet4j.pubsub.sbe.TopicDeclareEncoder;
import io.raet4j.transactions.ChannelReservation;
import io.raet4j.transactions.Stack;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Builds the layer's frames (spec/raet-pubsub-schema.xml) and offers them on the reserved channels: one frame per
 * transport message. Buffers and encoders are reused: nothing is allocated once the buffers have grown to the largest
 * frame.
 */
final class Frames
{
    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int PUBLISH_HEADER_LENGTH = HEADER_LENGTH + PublishEncoder.BLOCK_LENGTH;
    static final int REQUEST_HEADER_LENGTH = HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH;
    static final int REPLY_HEADER_LENGTH = HEADER_LENGTH + ReplyEncoder.BLOCK_LENGTH;

    private final ChannelReservation reservation;
    private final PubSubCounters counters;
    private final LayerOutcomes outcomes;
    private final ExpandableArrayBuffer dataBuffer = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer controlBuffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final InterestEncoder interestEncoder = new InterestEncoder();
    private final TopicDeclareEncoder declareEncoder = new TopicDeclareEncoder();
    private final PublishEncoder publishEncoder = new PublishEncoder();
    private final RequestEncoder requestEncoder = new RequestEncoder();
    private final ReplyEncoder replyEncoder = new ReplyEncoder();
    private final IntroduceEncoder introduceEncoder = new IntroduceEncoder();
    private final InterestDeniedEncoder deniedEncoder = new InterestDeniedEncoder();

    Frames(final ChannelReservation reservation, final PubSubCounters counters, final LayerOutcomes outcomes)
    {
        this.reservation = reservation;
        this.counters = counters;
        this.outcomes = outcomes;
    }

    /**
     * Offer Hello on the control channel.
     *
     * @return true if taken, or if the peer is not connected (it is told everything when it joins again).
     */
    boolean hello(final Peer peer, final int patternCount)
    {
        helloEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .layerVersion(PubSub.LAYER_VERSION)
            .patternCount(patternCount);
        return offerControl(peer, HEADER_LENGTH + helloEncoder.encodedLength());
    }

    /**
     * Offer an Interest frame on the control channel.
     *
     * @return true if taken, or if the peer is not connected.
     */
    boolean interest(final Peer peer, final InterestOp op, final InterestKind kind, final String pattern)
    {
        interestEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).op(op).kind(kind).pattern(pattern);
        return offerControl(peer, HEADER_LENGTH + interestEncoder.encodedLength());
    }

    /**
     * Offer an InterestDenied frame on the control channel: the receiver will not be sent a topic it subscribes to.
     *
     * @return true if taken, or if the peer is not connected.
     */
    boolean interestDenied(final Peer peer, final InterestKind kind, final String topic)
    {
        deniedEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).kind(kind).pattern(topic);
        return offerControl(peer, HEADER_LENGTH + deniedEncoder.encodedLength());
    }

    /**
     * Offer an Introduce frame on the control channel.
     *
     * @return true if taken, or if the peer is not connected.
     */
    boolean introduce(final Peer peer, final long estateId, final String address)
    {
        introduceEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).estateId(estateId).address(address);
        return offerControl(peer, HEADER_LENGTH + introduceEncoder.encodedLength());
    }

    private boolean offerControl(final Peer peer, final int length)
    {
        final long result = reservation.offer(peer.estateId, PubSub.CONTROL_CHANNEL, controlBuffer, 0, length);
        if (result >= 0)
        {
            counters.interestSent.incrementRelease();
            return true;
        }
        // Not connected: the peer is gone or renewing; it is sent everything again when it joins or renews.
        return Stack.NOT_CONNECTED == result || Stack.CLOSED == result;
    }

    /**
     * Declare a topic's id to a peer, unless it was declared in this session already, on the reliable channel its
     * frames will take, so the declaration arrives first (a best-effort topic is declared on the NORMAL channel and
     * its first publications may overtake the declaration: dropped as unknown, which best effort allows).
     *
     * @return true if the peer knows the id now, or will before the frames that follow on that channel.
     */
    boolean declared(final Peer peer, final Publisher topic, final int channel)
    {
        final int declareChannel = declarationChannel(channel);
        if (peer.isDeclared(declareChannel, topic.topicId))
        {
            return true;
        }
        declareEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .topicId(topic.topicId)
            .topicName(topic.topic());
        final long result = reservation.offer(
            peer.estateId, declareChannel, controlBuffer, 0, HEADER_LENGTH + declareEncoder.encodedLength());
        if (result >= 0)
        {
            outcomes.layerSent(peer.estateId, declareChannel, result);
            peer.declared(declareChannel, topic.topicId);
            counters.topicsDeclared.incrementRelease();
            return true;
        }
        return false;
    }

    /**
     * The channel a topic is declared on for frames on a channel: the same one, so the declaration arrives first,
     * except for best effort, declared on the reliable NORMAL channel.
     */
    private static int declarationChannel(final int channel)
    {
        return Delivery.BEST_EFFORT.channel() == channel ? Delivery.NORMAL.channel() : channel;
    }

    /**
     * Encode a Publish frame with its payload into the data buffer, for {@link #offerData} to one or more peers.
     *
     * @return the frame's length.
     */
    int publish(
        final Publisher topic,
        final boolean isRetained,
        final boolean isLastValue,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        publishEncoder.wrapAndApplyHeader(dataBuffer, 0, headerEncoder).topicId(topic.topicId);
        publishEncoder.flags().clear().retained(isRetained).lastValue(isLastValue);
        dataBuffer.putBytes(PUBLISH_HEADER_LENGTH, buffer, offset, length);
        return PUBLISH_HEADER_LENGTH + length;
    }

    /**
     * Encode a Request frame with its payload into the data buffer.
     *
     * @return the frame's length.
     */
    int request(
        final long requestId, final Publisher topic, final DirectBuffer buffer, final int offset, final int length)
    {
        requestEncoder.wrapAndApplyHeader(dataBuffer, 0, headerEncoder).requestId(requestId).topicId(topic.topicId);
        dataBuffer.putBytes(REQUEST_HEADER_LENGTH, buffer, offset, length);
        return REQUEST_HEADER_LENGTH + length;
    }

    /**
     * Encode a Reply frame with its payload into the data buffer.
     *
     * @return the frame's length.
     */
    int reply(
        final long requestId, final ReplyStatus status, final DirectBuffer buffer, final int offset, final int length)
    {
        replyEncoder.wrapAndApplyHeader(dataBuffer, 0, headerEncoder).requestId(requestId).status(status);
        if (length > 0)
        {
            dataBuffer.putBytes(REPLY_HEADER_LENGTH, buffer, offset, length);
        }
        return REPLY_HEADER_LENGTH + length;
    }

    /**
     * Offer the frame encoded last into the data buffer to a peer on the data channel.
     *
     * @return the stack's result: a message id, or a negative status of {@link Stack}.
     */
    long offerData(final Peer peer, final int length)
    {
        return reservation.offer(peer.estateId, PubSub.DATA_CHANNEL, dataBuffer, 0, length);
    }

    /**
     * Whether a peer's channel would take a frame of this length now (and its topic's declaration if one must go
     * first).
     *
     * @return false if the channel is full for it now.
     */
    boolean canOffer(final Peer peer, final Publisher topic, final int channel, final int length)
    {
        final int declaration = peer.isDeclared(declarationChannel(channel), topic.topicId) ? 0 : 512;
        return reservation.canOffer(peer.estateId, channel, length + declaration);
    }

    /**
     * Offer the frame encoded last into the data buffer to a peer on a channel.
     *
     * @return the stack's result: a message id, or a negative status of {@link Stack}.
     */
    long offerData(final Peer peer, final int channel, final int length)
    {
        return reservation.offer(peer.estateId, channel, dataBuffer, 0, length);
    }

    /**
     * Offer the frame encoded last into the data buffer to a peer on a channel, as the layer's own message rather
     * than a copy the application's {@code publish} counted (a last value sent to an estate that subscribes later, a
     * conflated value sent once there is room): its outcome is not reported to the application.
     *
     * @return the stack's result: a message id, or a negative status of {@link Stack}.
     */
    long offerLayerData(final Peer peer, final int channel, final int length)
    {
        final long result = reservation.offer(peer.estateId, channel, dataBuffer, 0, length);
        if (result >= 0)
        {
            outcomes.layerSent(peer.estateId, channel, result);
        }
        return result;
    }
}
