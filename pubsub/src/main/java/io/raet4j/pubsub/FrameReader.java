package io.raet4j.pubsub;

import io.raet4j.pubsub.sbe.HelloDecoder;
import io.raet4j.pubsub.sbe.InterestDecoder;
import io.raet4j.pubsub.sbe.InterestDeniedDecoder;
import io.raet4j.pubsub.sbe.InterestKind;
import io.raet4j.pubsub.sbe.InterestOp;
import io.raet4j.pubsub.sbe.IntroduceDecoder;
import io.raet4j.pubsub.sbe.MessageHeaderDecoder;
import io.raet4j.pubsub.sbe.PublishDecoder;
import io.raet4j.pubsub.sbe.ReplyDecoder;
import io.raet4j.pubsub.sbe.ReplyStatus;
import io.raet4j.pubsub.sbe.RequestDecoder;
import io.raet4j.pubsub.sbe.TopicDeclareDecoder;
import io.raet4j.transactions.ControlledMessageHandler;
import io.raet4j.transactions.MessageHandler;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Reads the layer's frames as the stack hands them over from the reserved channels, checks each (schema, lengths,
 * names) before it acts, and hands it to the part of the layer it is for. A frame that is truncated, foreign,
 * unknown or invalid is dropped and counted; nothing thrown escapes into the duty cycle.
 */
final class FrameReader implements MessageHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int VAR_LENGTH_BYTES = 2;

    private final Peers peers;
    private final Interest interest;
    private final Publications publications;
    private final Requests requests;
    private final PubSubCounters counters;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final InterestDecoder interestDecoder = new InterestDecoder();
    private final TopicDeclareDecoder declareDecoder = new TopicDeclareDecoder();
    private final PublishDecoder publishDecoder = new PublishDecoder();
    private final RequestDecoder requestDecoder = new RequestDecoder();
    private final ReplyDecoder replyDecoder = new ReplyDecoder();
    private final IntroduceDecoder introduceDecoder = new IntroduceDecoder();
    private final InterestDeniedDecoder deniedDecoder = new InterestDeniedDecoder();
    private final Introductions introductions;
    /** The same reading, leaving a publication in the stack while an any-thread subscription it goes to is full. */
    final ControlledMessageHandler controlled = this::onControlledMessage;

    FrameReader(
        final Peers peers,
        final Interest interest,
        final Publications publications,
        final Requests requests,
        final Introductions introductions,
        final PubSubCounters counters)
    {
        this.introductions = introductions;
        this.peers = peers;
        this.interest = interest;
        this.publications = publications;
        this.requests = requests;
        this.counters = counters;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            if (length < HEADER_LENGTH)
            {
                counters.malformedFrames.incrementRelease();
                return;
            }
            headerDecoder.wrap(buffer, offset);
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final int body = offset + HEADER_LENGTH;
            final int end = offset + length;
            if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID || HEADER_LENGTH + blockLength > length)
            {
                counters.malformedFrames.incrementRelease();
                return;
            }
            final Peer peer = peers.getOrAdd(estateId);
            switch (headerDecoder.templateId())
            {
                case HelloDecoder.TEMPLATE_ID:
                    interest.received();
                    interest.forget(peer);
                    break;
                case InterestDecoder.TEMPLATE_ID:
                    onInterest(peer, buffer, body, blockLength, version, end);
                    break;
                case TopicDeclareDecoder.TEMPLATE_ID:
                    onDeclare(peer, buffer, body, blockLength, version, end);
                    break;
                case PublishDecoder.TEMPLATE_ID:
                    publishDecoder.wrap(buffer, body, blockLength, version);
                    publications.onPublish(peer, publishDecoder.topicId(), publishDecoder.flags().retained(),
                        buffer, body + blockLength, end - body - blockLength);
                    break;
                case RequestDecoder.TEMPLATE_ID:
                    onRequest(peer, buffer, body, blockLength, version, end);
                    break;
                case ReplyDecoder.TEMPLATE_ID:
                    onReply(peer, buffer, body, blockLength, version, end);
                    break;
                case IntroduceDecoder.TEMPLATE_ID:
                    onIntroduce(buffer, body, blockLength, version, end);
                    break;
                case InterestDeniedDecoder.TEMPLATE_ID:
                    onDenied(peer, buffer, body, blockLength, version, end);
                    break;
                default:
                    counters.malformedFrames.incrementRelease();
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            // A frame that breaks the decoders is dropped and counted.
            counters.malformedFrames.incrementRelease();
        }
    }

    private ControlledMessageHandler.Action onControlledMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            if (length >= HEADER_LENGTH)
            {
                headerDecoder.wrap(buffer, offset);
                final int blockLength = headerDecoder.blockLength();
                if (headerDecoder.schemaId() == MessageHeaderDecoder.SCHEMA_ID &&
                    PublishDecoder.TEMPLATE_ID == headerDecoder.templateId() && HEADER_LENGTH + blockLength <= length)
                {
                    publishDecoder.wrap(buffer, offset + HEADER_LENGTH, blockLength, headerDecoder.version());
                    if (!publications.hasRoom(peers.getOrAdd(estateId), publishDecoder.topicId(),
                        length - HEADER_LENGTH - blockLength))
                    {
                        return ControlledMessageHandler.Action.ABORT;
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // Malformed: onMessage drops and counts it.
        }
        onMessage(estateId, channel, buffer, offset, length);
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void onInterest(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        interestDecoder.wrap(buffer, body, blockLength, version);
        final int nameOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int nameLength = varLength(buffer, body + blockLength, end);
        final InterestOp op = interestDecoder.op();
        final InterestKind kind = interestDecoder.kind();
        if (nameLength < 0 || InterestOp.NULL_VAL == op || InterestKind.NULL_VAL == kind ||
            TopicError.OK != Topics.validatePattern(buffer, nameOffset, nameLength))
        {
            counters.malformedFrames.incrementRelease();
            return;
        }
        interest.received();
        final String pattern = buffer.getStringWithoutLengthAscii(nameOffset, nameLength);
        if (InterestOp.REMOVE == op)
        {
            interest.onRemove(peer, kind, pattern);
        }
        else if (InterestKind.SUBSCRIBE == kind)
        {
            final boolean isAnyKept = publications.beforeInterestAdded(peer);
            if (interest.onAdd(peer, kind, pattern) && isAnyKept)
            {
                publications.afterInterestAdded(peer);
            }
        }
        else
        {
            interest.onAdd(peer, kind, pattern);
        }
    }

    private void onDeclare(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        declareDecoder.wrap(buffer, body, blockLength, version);
        final long topicId = declareDecoder.topicId();
        final int nameOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int nameLength = varLength(buffer, body + blockLength, end);
        if (nameLength < 0 || 0 == topicId || topicId > Integer.MAX_VALUE ||
            TopicError.OK != Topics.validateTopic(buffer, nameOffset, nameLength))
        {
            counters.malformedFrames.incrementRelease();
            return;
        }
        publications.onDeclare(peer, (int)topicId, buffer.getStringWithoutLengthAscii(nameOffset, nameLength));
    }

    private void onRequest(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        requestDecoder.wrap(buffer, body, blockLength, version);
        final long topicId = requestDecoder.topicId();
        final InboundTopic topic = topicId > 0 && topicId <= Integer.MAX_VALUE ? peer.inbound.get((int)topicId) : null;
        final int payload = body + blockLength;
        requests.onRequest(peer, requestDecoder.requestId(), topic, buffer, payload, end - payload);
    }

    private void onReply(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        replyDecoder.wrap(buffer, body, blockLength, version);
        final ReplyStatus status = replyDecoder.status();
        if (ReplyStatus.NULL_VAL == status)
        {
            counters.malformedFrames.incrementRelease();
            return;
        }
        final int payload = body + blockLength;
        if (!requests.onReply(peer, replyDecoder.requestId(), status, buffer, payload, end - payload))
        {
            counters.repliesUnmatched.incrementRelease();
        }
    }

    private void onDenied(
        final Peer peer, final DirectBuffer buffer, final int body, final int blockLength, final int version,
        final int end)
    {
        deniedDecoder.wrap(buffer, body, blockLength, version);
        final int nameOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int nameLength = varLength(buffer, body + blockLength, end);
        if (nameLength < 0 || InterestKind.NULL_VAL == deniedDecoder.kind() ||
            TopicError.OK != Topics.validatePattern(buffer, nameOffset, nameLength))
        {
            counters.malformedFrames.incrementRelease();
            return;
        }
        interest.onDenied(peer, buffer.getStringWithoutLengthAscii(nameOffset, nameLength));
    }

    private void onIntroduce(
        final DirectBuffer buffer, final int body, final int blockLength, final int version, final int end)
    {
        introduceDecoder.wrap(buffer, body, blockLength, version);
        final int addressOffset = body + blockLength + VAR_LENGTH_BYTES;
        final int addressLength = varLength(buffer, body + blockLength, end);
        if (addressLength <= 0)
        {
            counters.malformedFrames.incrementRelease();
            return;
        }
        introductions.onIntroduce(
            introduceDecoder.estateId(), buffer.getStringWithoutLengthAscii(addressOffset, addressLength));
    }

    /**
     * The length of a variable-length field whose 2-byte length is at {@code at}, or -1 if it does not fit before
     * {@code end}.
     */
    private static int varLength(final DirectBuffer buffer, final int at, final int end)
    {
        if (at + VAR_LENGTH_BYTES > end)
        {
            return -1;
        }
        final int length = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return at + VAR_LENGTH_BYTES + length <= end ? length : -1;
    }
}
