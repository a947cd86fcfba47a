package io.raet4j.transactions.message;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DataFlagsDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.agent.Cycle;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.estate.EstateCounters;
import io.raet4j.transactions.estate.EstateLifecycle;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.LocalEstate;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.event.Events;
import io.raet4j.transactions.packet.PacketSender;
import org.agrona.DirectBuffer;

/**
 * The message transaction (RAET's messenger and messengent): reliable, segmented delivery on up to 256 channels per
 * estate. It takes the application's offers into the send channels, applies Data, Ack and Nack frames, builds acks,
 * nacks, retransmissions and new segments into the datagram the duty cycle is building for an estate, hands whole
 * messages to the application through its {@link MessagePoller}, and turns the channels' outcomes into counters and queued events.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Messenger implements MessageOutcomeListener
{
    /** Payload bytes a one-way stream's acks wait for, at most half {@link StackContext#ackHoldMaxNs()}. */
    static final int STREAM_ACK_BYTES = 16 * 1024;
    /**
     * Segments a one-way stream's acks wait for: small messages are a segment each, and an ack per 64 of them keeps
     * the sender's send buffer and congestion window moving without an ack per datagram.
     */
    static final int STREAM_ACK_SEGMENTS = 64;

    /** Small segments sent per full segment of the send budget, at most: a segment is charged at least 1/4 of one. */
    static final int SMALL_SEGMENTS_PER_FULL = 4;

    /** Most that {@link Channels#replyScore} counts up to: eight replies in a row. */
    static final int REPLY_SCORE_MAX = 8;
    /** {@link Channels#replyScore} from which an ack is held past its first cycle: two replies in a row. */
    static final int REPLY_LIKELY = 2;
    /** Added to twice the smoothed reply delay for the hold, for jitter in the application's answer. */
    static final long ACK_HOLD_SLACK_NS = 10_000;

    private final StackContext ctx;
    private final LocalEstate local;
    private final Estates estates;
    private final PacketSender sender;
    private final PacketWriter writer;
    private final TransactionCounters counters;
    private final Cycle cycle;
    private final Events events;
    private final EstateLifecycle lifecycle;
    private final long[] rangeStarts = new long[Math.max(PacketWriter.MAX_ACK_RANGES, PacketWriter.MAX_NACK_RANGES)];
    private final long[] rangeEnds = new long[rangeStarts.length];
    private RemoteEstate outcomeEstate;
    private final MessagePoller poller;
    private long lastOfferStatus;

    /**
     * The messenger.
     *
     * @param ctx       the stack's settings.
     * @param local     this stack's estate.
     * @param estates   every estate known.
     * @param sender    builds and sends datagrams.
     * @param counters  the stack's totals.
     * @param cycle     the duty cycle's clock.
     * @param events    outcomes are queued here.
     * @param lifecycle ends a session whose message deadline passed.
     */
    public Messenger(
        final StackContext ctx,
        final LocalEstate local,
        final Estates estates,
        final PacketSender sender,
        final TransactionCounters counters,
        final Cycle cycle,
        final Events events,
        final EstateLifecycle lifecycle)
    {
        this.ctx = ctx;
        this.local = local;
        this.estates = estates;
        this.sender = sender;
        this.writer = sender.writer();
        this.counters = counters;
        this.cycle = cycle;
        this.events = events;
        this.lifecycle = lifecycle;
        this.poller = new MessagePoller(estates, counters);
    }

    /**
     * What hands messages to the application and keeps the channels layers reserved.
     *
     * @return the poller.
     */
    public MessagePoller poller()
    {
        return poller;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The application's side: offer, claim
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Offer a message.
     *
     * @param toEstateId receiver.
     * @param channel    0 to 255.
     * @param buffer     holding the message.
     * @param offset     of the message.
     * @param length     of the message.
     * @return the message id, or a negative status of {@link Stack}.
     */
    public long offer(
        final long toEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (channel >= 0 && channel < StackContext.CHANNEL_COUNT && poller.isReserved(channel))
        {
            return Stack.CHANNEL_RESERVED;
        }
        return offerOnReserved(toEstateId, channel, buffer, offset, length);
    }

    /**
     * Offer a message on any channel, reserved ones included: for the layer that reserved it.
     *
     * @param toEstateId receiver.
     * @param channel    0 to 255.
     * @param buffer     holding the message.
     * @param offset     of the message.
     * @param length     of the message.
     * @return the message id, or a negative status of {@link Stack}.
     */
    public long offerOnReserved(
        final long toEstateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        final SendChannel sendChannel = sendChannelFor(toEstateId, channel, length);
        if (null == sendChannel)
        {
            return lastOfferStatus;
        }
        final long result = sendChannel.offer(buffer, offset, length, cycle.liveNs() + ctx.messageTimeoutNs());
        return accountOffer(estates.byId(toEstateId), result);
    }

    /**
     * Whether an offer on a reserved channel would be refused for back-pressure now; an estate that is not connected
     * or a message too large is not back-pressure (the offer says so itself).
     *
     * @param toEstateId receiver.
     * @param channel    a reserved channel.
     * @param length     of the message.
     * @return false only if the channel could not take the message now.
     */
    public boolean canOfferOnReserved(final long toEstateId, final int channel, final int length)
    {
        final SendChannel sendChannel = sendChannelFor(toEstateId, channel, length);
        return null == sendChannel || sendChannel.canTake(length);
    }

    /**
     * The send channel a claim of a length would go to, or null with {@link #lastOfferStatus()} saying why not.
     *
     * @param toEstateId receiver.
     * @param channel    0 to 255.
     * @param length     of the message.
     * @return the channel, or null.
     */
    public SendChannel claimChannel(final long toEstateId, final int channel, final int length)
    {
        if (channel >= 0 && channel < StackContext.CHANNEL_COUNT && poller.isReserved(channel))
        {
            lastOfferStatus = Stack.CHANNEL_RESERVED;
            return null;
        }
        final SendChannel sendChannel = sendChannelFor(toEstateId, channel, length);
        if (null != sendChannel && length > sendChannel.maxPayload())
        {
            lastOfferStatus = Stack.MESSAGE_TOO_LARGE;
            return null;
        }
        return sendChannel;
    }

    /**
     * Why the last offer or claim found no channel.
     *
     * @return a negative status of {@link Stack}.
     */
    public long lastOfferStatus()
    {
        return lastOfferStatus;
    }

    /**
     * Commit a claimed message.
     *
     * @param estate      receiver.
     * @param sendChannel the claim's channel.
     * @param position    of the claim.
     * @param length      of the message.
     * @return the message id, or a negative status of {@link Stack}.
     */
    public long commit(final RemoteEstate estate, final SendChannel sendChannel, final long position, final int length)
    {
        if (!estate.isSessionUp() || !estate.isRegistered())
        {
            return Stack.NOT_CONNECTED;
        }
        final long messageId = sendChannel.commit(position, length, cycle.liveNs() + ctx.messageTimeoutNs());
        return accountOffer(estate, messageId);
    }

    private SendChannel sendChannelFor(final long toEstateId, final int channel, final int length)
    {
        if (channel < 0 || channel >= StackContext.CHANNEL_COUNT)
        {
            lastOfferStatus = Stack.INVALID_CHANNEL;
            return null;
        }
        if (length < 0 || length > ctx.maxMessageBytes())
        {
            lastOfferStatus = Stack.MESSAGE_TOO_LARGE;
            return null;
        }
        final RemoteEstate estate = estates.byId(toEstateId);
        if (null == estate || !estate.isSessionUp())
        {
            lastOfferStatus = Stack.NOT_CONNECTED;
            return null;
        }
        if (length > estate.peerMaxMessage)
        {
            // The receiver said in the join that it takes no longer message.
            lastOfferStatus = Stack.MESSAGE_TOO_LARGE;
            return null;
        }
        return sendChannel(estate, channel);
    }

    /**
     * Count a claim that found its channel full.
     *
     * @return {@link Stack#BACK_PRESSURED}.
     */
    public long backPressured()
    {
        counters.backPressureEvents.incrementRelease();
        return Stack.BACK_PRESSURED;
    }

    private long accountOffer(final RemoteEstate estate, final long result)
    {
        if (result < 0)
        {
            return backPressured();
        }
        counters.messagesOffered.incrementRelease();
        if (null != estate.counters)
        {
            estate.counters.offered.incrementRelease();
        }
        estates.activate(estate);
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Frames received
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A Data frame from an estate with a session.
     *
     * @param estate the sender.
     * @param reader positioned on the frame.
     */
    public void onData(final RemoteEstate estate, final PacketReader reader)
    {
        final DataDecoder data = reader.data();
        final int channel = data.channel();
        final ReceiveChannel receiveChannel = receiveChannel(estate, channel);
        final DataFlagsDecoder flags = data.flags();
        final int result = receiveChannel.onData(
            data.mode(),
            flags.begin(),
            flags.end(),
            data.seq(),
            data.messageLength(),
            reader.buffer(),
            reader.dataPayloadOffset(),
            reader.dataPayloadLength());

        switch (result)
        {
            case ReceiveChannel.ACCEPTED:
                estates.addReadable(estate);
                estate.channels.bytesSinceAck += reader.dataPayloadLength();
                estate.channels.segmentsSinceAck++;
                break;
            case ReceiveChannel.DUPLICATE:
                counters.duplicateSegments.incrementRelease();
                // The sender may have missed an ack: answer at once, not on a stream's schedule.
                estate.channels.bytesSinceAck = STREAM_ACK_BYTES;
                estate.channels.segmentsSinceAck = STREAM_ACK_SEGMENTS;
                break;
            case ReceiveChannel.OUT_OF_WINDOW:
                counters.outOfWindowSegments.incrementRelease();
                break;
            default:
                counters.malformedPackets.incrementRelease();
                return;
        }
        if (receiveChannel.isAckPending() || ReceiveChannel.DUPLICATE == result)
        {
            receiveChannel.markAckPending();
            if (estate.channels.ackPendingSinceCycle < 0)
            {
                estate.channels.ackPendingSinceCycle = cycle.count();
                estate.channels.ackPendingSinceNs = cycle.nowNs();
            }
            estates.activate(estate);
        }
    }

    /**
     * An Ack frame from an estate with a session.
     *
     * @param estate the receiver of the acknowledged messages.
     * @param reader positioned on the frame.
     */
    public void onAck(final RemoteEstate estate, final PacketReader reader)
    {
        counters.acksReceived.incrementRelease();
        final AckDecoder ack = reader.ack();
        final int channel = ack.channel();
        final long cumulativeSeq = ack.cumulativeSeq();
        final long deliveredSeq = ack.deliveredSeq();
        final int window = ack.windowSegments();
        final int count = reader.copyRanges(rangeStarts, rangeEnds);
        final SendChannel sendChannel = estate.channels.send(channel);
        if (null == sendChannel)
        {
            return;
        }
        final long nowNs = cycle.nowNs();
        final PathState path = estate.path;
        sendChannel.onAck(cumulativeSeq, window, rangeStarts, rangeEnds, count, nowNs, path);
        final int lost = sendChannel.lostDetectedByLastAck();
        if (lost > 0)
        {
            counters.lossesDetected.getAndAddRelease(lost);
            if (path.onLoss(nowNs))
            {
                counters.congestionEvents.incrementRelease();
            }
        }
        outcomeEstate = estate;
        if (sendChannel.onDelivered(deliveredSeq, this, estate.id()) > 0)
        {
            // A confirmed delivery is progress too: the peer answers. Without this, the backoff of delivery probes
            // whose answers were lost outlived the answer that finally came, and the next tail loss waited for it.
            path.onProgress();
        }
        estates.activate(estate);
    }

    /**
     * A Nack frame from an estate with a session.
     *
     * @param estate the receiver of the segments it says are missing.
     * @param reader positioned on the frame.
     */
    public void onNack(final RemoteEstate estate, final PacketReader reader)
    {
        counters.nacksReceived.incrementRelease();
        final NackDecoder nack = reader.nack();
        final int channel = nack.channel();
        final int count = reader.copyRanges(rangeStarts, rangeEnds);
        final SendChannel sendChannel = estate.channels.send(channel);
        if (null == sendChannel)
        {
            return;
        }
        final long nowNs = cycle.nowNs();
        final PathState path = estate.path;
        if (sendChannel.onNack(rangeStarts, rangeEnds, count, nowNs, path.inFlightNs()) > 0)
        {
            if (path.onLoss(nowNs))
            {
                counters.congestionEvents.incrementRelease();
            }
            estates.activate(estate);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Frames sent: acks, nacks, retransmissions, new segments
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Whether the estate's channels have anything to send or owe it anything.
     *
     * @param estate the estate.
     * @return true if an ack, a nack, a retransmission or a new segment waits.
     */
    public static boolean isBusy(final RemoteEstate estate)
    {
        for (final SendChannel channel : estate.channels.sends)
        {
            if (channel.isActive())
            {
                return true;
            }
        }
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            if (channel.isAckPending() || channel.hasGaps())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Append the acks and nacks due to an estate to the datagram being built. The sender ignores a nack for a segment
     * it sent within its smoothed RTT, so reporting gaps often costs only small frames; without an RTT sample of its
     * own the receiver reports them every minimum RTO. An ack that fell due in this cycle waits one cycle for data to
     * ride with (a reply the application is about to offer), unless data is already waiting: one datagram per
     * exchange instead of two. Past that cycle it waits on only while the estate's pattern says a reply is coming
     * (see {@link StackContext#ackHoldMaxNs()}): at most about twice the smoothed reply delay, and never past the
     * limit.
     *
     * @param estate the estate being served.
     * @return the number of frames appended.
     */
    public int appendAcks(final RemoteEstate estate)
    {
        int workCount = 0;
        final long nowNs = cycle.nowNs();
        final PathState path = estate.path;
        final Channels channels = estate.channels;
        final long renackAfterNs = 0 != path.srttNs() ? 2 * path.srttNs() : ctx.minRtoNs();
        final boolean isAckDue = channels.ackPendingSinceCycle >= 0;
        final boolean hasData = (isAckDue || channels.isReplyAwaited) && hasDataToSend(estate);
        if (channels.isReplyAwaited)
        {
            learnFromLoneAck(channels, hasData, nowNs);
        }
        final boolean holdAcks = isAckDue && isAckHeld(channels, hasData, nowNs);
        if (!holdAcks)
        {
            channels.ackPendingSinceCycle = -1;
            channels.bytesSinceAck = 0;
            channels.segmentsSinceAck = 0;
        }
        for (final ReceiveChannel channel : channels.receives)
        {
            if (channel.isAckPending() && !holdAcks)
            {
                if (!channel.appendAck(writer, rangeStarts, rangeEnds))
                {
                    sender.flushAndBegin(estate);
                    channel.appendAck(writer, rangeStarts, rangeEnds);
                }
                counters.acksSent.incrementRelease();
                workCount++;
            }
            if (channel.isNackDue(nowNs, renackAfterNs))
            {
                if (!channel.appendNack(writer, rangeStarts, rangeEnds, nowNs))
                {
                    sender.flushAndBegin(estate);
                    channel.appendNack(writer, rangeStarts, rangeEnds, nowNs);
                }
                counters.nacksSent.incrementRelease();
                workCount++;
            }
        }
        return workCount;
    }

    /**
     * Append what the estate's send channels owe it: first the session's end if a message's deadline passed (the
     * estate is declared dead), then per channel the retransmission timer's outcome, retransmissions, and new segments
     * within the peer's window and the path's congestion window.
     *
     * @param estate the estate being served, with no join in progress.
     * @return the number of frames appended; if the estate's session ended, what was built is sent and the estate is
     *         no longer {@link RemoteEstate#isSessionUp()}.
     */
    public int appendData(final RemoteEstate estate)
    {
        int workCount = 0;
        final PathState path = estate.path;
        // In full segments: one whose payload and frame fit a quarter of a full one counts a quarter, any other one,
        // so small messages go four times as many to a service, and a bulk of larger ones no more than before.
        final int fullSegmentBytes = path.fullSegmentBytes();
        final int minCharge = fullSegmentBytes / SMALL_SEGMENTS_PER_FULL;
        long budget = (long)ctx.sendBudgetSegments() * fullSegmentBytes;
        final long nowNs = cycle.nowNs();
        for (final SendChannel channel : estate.channels.sends)
        {
            if (channel.oldestDeadlineNs() <= cycle.liveNs())
            {
                sender.flush(estate);
                lifecycle.declareDead(estate, channel.channel(), FailureReason.PEER_DEAD.ordinal(), false);
                return workCount + 1;
            }
            onRetransmitTimer(channel, path, nowNs);
            int result;
            while (budget > 0 && !estate.hasBlocked && (result = channel.appendRetransmit(writer, nowNs)) != 0)
            {
                if (result < 0)
                {
                    sender.flushAndBegin(estate);
                    continue;
                }
                counters.retransmits.incrementRelease();
                if (null != estate.counters)
                {
                    estate.counters.retransmits.incrementRelease();
                }
                workCount++;
                budget -= fullSegmentBytes;
            }
            while (budget > 0 && !estate.hasBlocked && channel.hasNew() && channel.isWithinPeerWindow() &&
                (DeliveryMode.BEST_EFFORT == channel.mode() || path.canSend()))
            {
                if (!channel.appendNew(writer, nowNs, path))
                {
                    sender.flushAndBegin(estate);
                    continue;
                }
                counters.segmentsSent.incrementRelease();
                workCount++;
                budget -= channel.lastAppendedLength() + PacketWriter.DATA_FRAME_OVERHEAD <= minCharge ?
                    minCharge : fullSegmentBytes;
            }
        }
        return workCount;
    }

    private void onRetransmitTimer(final SendChannel channel, final PathState path, final long nowNs)
    {
        final int timedOut = channel.onRetransmitTimer(nowNs, path);
        if (SendChannel.TIMER_TAIL_PROBE == timedOut)
        {
            counters.tailProbes.incrementRelease();
            channel.rearmRetransmitTimer(nowNs, path.rtoNs());
        }
        else if (SendChannel.TIMER_DELIVERY_PROBE == timedOut)
        {
            path.onBackoff();
            channel.rearmRetransmitTimer(nowNs, path.rtoNs());
        }
        else if (timedOut > 0)
        {
            counters.retransmitTimeouts.incrementRelease();
            if (path.onRetransmitTimeout(nowNs))
            {
                counters.congestionEvents.incrementRelease();
            }
            channel.rearmRetransmitTimer(nowNs, path.rtoNs());
        }
        else if (0 == timedOut)
        {
            channel.rearmRetransmitTimer(nowNs, path.rtoNs());
        }
    }

    /**
     * Whether the acks pending for an estate wait for data to ride with. An ack about to go with data is a reply seen
     * (its delay smoothed in); an ack that goes alone leaves the estate awaiting a reply, see
     * {@link #learnFromLoneAck(Channels, boolean, long)}.
     */
    private boolean isAckHeld(final Channels channels, final boolean hasData, final long nowNs)
    {
        final long waitedNs = nowNs - channels.ackPendingSinceNs;
        if (hasData)
        {
            onReplySeen(channels, waitedNs);
            return false;
        }
        if (channels.ackPendingSinceCycle == cycle.count())
        {
            return true;
        }
        if (channels.replyScore >= REPLY_LIKELY &&
            waitedNs < Math.min(ctx.ackHoldMaxNs(), 2 * channels.replyDelayNs + ACK_HOLD_SLACK_NS))
        {
            return true;
        }
        if (channels.bytesSinceAck < STREAM_ACK_BYTES && channels.segmentsSinceAck < STREAM_ACK_SEGMENTS &&
            waitedNs < (ctx.ackHoldMaxNs() >> 1) && !hasGaps(channels))
        {
            // A stream: one ack per STREAM_ACK_BYTES or STREAM_ACK_SEGMENTS received, or sooner when the data pauses.
            return true;
        }
        channels.loneAckDueNs = channels.ackPendingSinceNs;
        channels.isReplyAwaited = true;
        return false;
    }

    /**
     * After an ack went alone: data for the estate within {@link StackContext#ackHoldMaxNs()} of the ack falling due
     * was a reply the ack could have waited for; none by then, and the pattern is weaker.
     */
    private void learnFromLoneAck(final Channels channels, final boolean hasData, final long nowNs)
    {
        final long delayNs = nowNs - channels.loneAckDueNs;
        if (delayNs > ctx.ackHoldMaxNs())
        {
            channels.replyScore >>= 1;
            channels.isReplyAwaited = false;
        }
        else if (hasData)
        {
            onReplySeen(channels, delayNs);
            channels.isReplyAwaited = false;
        }
    }

    private static void onReplySeen(final Channels channels, final long delayNs)
    {
        final long sampleNs = Math.max(1, delayNs);
        channels.replyScore = Math.min(REPLY_SCORE_MAX, channels.replyScore + 1);
        channels.replyDelayNs = 0 == channels.replyDelayNs ?
            sampleNs : channels.replyDelayNs + ((sampleNs - channels.replyDelayNs) >> 3);
    }

    private static boolean hasGaps(final Channels channels)
    {
        for (final ReceiveChannel channel : channels.receives)
        {
            if (channel.hasGaps())
            {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDataToSend(final RemoteEstate estate)
    {
        for (final SendChannel channel : estate.channels.sends)
        {
            if (channel.hasRetransmit() || (channel.hasNew() && channel.isWithinPeerWindow()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Append the final Ack of every reliable channel received on, for the Leave that follows.
     *
     * @param estate the estate left.
     * @return true if they all fit in the datagram begun and no unordered channel handed a message over ahead of its
     *         confirmed prefix: then the Leave may say its acks are final.
     */
    public boolean appendFinalAcks(final RemoteEstate estate)
    {
        boolean isFinal = true;
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            if (!channel.isReliable())
            {
                continue;
            }
            isFinal &= !channel.hasDeliveredAhead();
            if (!channel.appendAck(writer, rangeStarts, rangeEnds))
            {
                isFinal = false;
                sender.flushAndBegin(estate);
                channel.appendAck(writer, rangeStarts, rangeEnds);
            }
        }
        return isFinal;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Changes of the estate's state
    // ---------------------------------------------------------------------------------------------------------

    /**
     * The pair's state is renewed: messages the peer may have received end uncertain, the rest are sent again from
     * sequence 0, receive channels restart, and the path starts over.
     *
     * @param estate the estate.
     */
    public void renewChannels(final RemoteEstate estate)
    {
        outcomeEstate = estate;
        for (final SendChannel channel : estate.channels.sends)
        {
            channel.renew(
                this,
                estate.id(),
                FailureReason.PEER_RESTARTED.ordinal(),
                estate.path,
                estate.maxPayload,
                estate.peerMaxMessage,
                FailureReason.TOO_LARGE.ordinal(),
                estate.peerCredit);
            channel.peerBuffer(estate.peerBufferBudget, estate.pairMtu - estate.maxPayload);
        }
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            channel.reset();
        }
        estate.path.reset();
    }

    /**
     * The session ended: every message not yet confirmed ends, and all channel state is discarded.
     *
     * @param estate             whose session ends.
     * @param timedOutChannel    channel whose message deadline passed (its messages end TIMEOUT), or -1.
     * @param reason             ordinal of the reason for the other channels' messages.
     * @param isKnownUndelivered true if the peer left saying what it delivered, so the rest certainly was not.
     */
    public void failAll(
        final RemoteEstate estate, final int timedOutChannel, final int reason, final boolean isKnownUndelivered)
    {
        outcomeEstate = estate;
        for (final SendChannel channel : estate.channels.sends)
        {
            final int channelReason = channel.channel() == timedOutChannel ? FailureReason.TIMEOUT.ordinal() : reason;
            channel.failAll(this, estate.id(), channelReason, estate.path, isKnownUndelivered);
        }
        for (final ReceiveChannel channel : estate.channels.receives)
        {
            channel.reset();
        }
        estate.path.reset();
    }

    /**
     * The stack closes: every message not yet confirmed ends CLOSED (uncertain if sent whole).
     *
     * @param estate the estate.
     */
    public void close(final RemoteEstate estate)
    {
        outcomeEstate = estate;
        for (final SendChannel channel : estate.channels.sends)
        {
            channel.failAll(this, estate.id(), FailureReason.CLOSED.ordinal(), estate.path, false);
        }
    }

    /**
     * An unreachable estate answers again: the retransmission backoff ends, every channel's timer fires at once.
     *
     * @param estate the estate.
     */
    public void resume(final RemoteEstate estate)
    {
        estate.path.onProgress();
        for (final SendChannel channel : estate.channels.sends)
        {
            if (Long.MAX_VALUE != channel.rtoDeadlineNs())
            {
                channel.rearmRetransmitTimer(cycle.nowNs(), 0);
            }
        }
    }

    /**
     * The estate is forgotten: no reference to it stays here.
     *
     * @param estate the estate.
     */
    public void forget(final RemoteEstate estate)
    {
        if (outcomeEstate == estate)
        {
            outcomeEstate = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Channels
    // ---------------------------------------------------------------------------------------------------------

    private SendChannel sendChannel(final RemoteEstate estate, final int channel)
    {
        SendChannel sendChannel = estate.channels.send(channel);
        if (null == sendChannel)
        {
            sendChannel = new SendChannel(
                channel,
                ctx.channelMode(channel),
                estate.maxPayload,
                ctx.sendBufferMaxBytes(),
                ctx.maxUnackedSegments(),
                estate.peerCredit);
            sendChannel.peerBuffer(estate.peerBufferBudget, estate.pairMtu - estate.maxPayload);
            estate.channels.add(sendChannel);
        }
        return sendChannel;
    }

    private ReceiveChannel receiveChannel(final RemoteEstate estate, final int channel)
    {
        ReceiveChannel receiveChannel = estate.channels.receive(channel);
        if (null == receiveChannel)
        {
            receiveChannel = new ReceiveChannel(
                channel,
                ctx.receiveWindowSegments(),
                local.receivePayload(),
                ctx.maxMessageBytes());
            estate.channels.add(receiveChannel);
        }
        return receiveChannel;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outcomes
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long toEstateId, final int channel, final long messageId)
    {
        counters.messagesDelivered.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.delivered.incrementRelease();
        }
        events.delivered(toEstateId, channel, messageId);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long toEstateId, final int channel, final long messageId, final int reason)
    {
        counters.messagesFailed.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.failed.incrementRelease();
        }
        events.failed(toEstateId, channel, messageId, reason);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long toEstateId, final int channel, final long messageId, final int reason)
    {
        counters.messagesUncertain.incrementRelease();
        final EstateCounters estateCounters = estateCounters(toEstateId);
        if (null != estateCounters)
        {
            estateCounters.uncertain.incrementRelease();
        }
        events.uncertain(toEstateId, channel, messageId, reason);
    }

    /**
     * The counters of the estate whose messages are ending: the one being worked on (set around the channel calls
     * that report outcomes), else looked up.
     */
    private EstateCounters estateCounters(final long id)
    {
        final RemoteEstate estate = null != outcomeEstate && outcomeEstate.id() == id ? outcomeEstate :
            estates.byId(id);
        return null == estate ? null : estate.counters;
    }
}
