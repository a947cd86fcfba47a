package io.raet4j.transactions.message;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.transactions.FailureReason;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The channels of one estate pair driven as {@code StackAgent} drives them, without sockets, keys, joins or timers:
 * a sender with its {@link PathState} and {@link SendChannel}s, a receiver with its {@link ReceiveChannel}s, and the
 * datagrams between them built with {@link PacketWriter} and read with {@link PacketReader}, handed to a {@link Wire}
 * that decides their fate. Data goes one way, acks and nacks the other.
 * <p>
 * Each method mirrors one piece of {@code StackAgent} (named in its comment) step for step, in the same order, with
 * the same calls on the protocol objects; where the agent has more (counters, presence, the join), this driver keeps
 * only what changes the state of the channels. Session changes are reduced to what the channels see: a session
 * number in each packet header, so that datagrams of an ended session are dropped, as the agent drops datagrams
 * addressed to another session. Time is whatever the caller passes, the same for both ends, which is both the
 * agent's nanosecond clock and its liveness clock (no stall is compensated).
 * <p>
 * Left out: sealing (packets are clear; the ack frames are sized as for a clear packet of the pair's MTU), the ack
 * held one cycle for data to ride with (the caller's scheduling of {@link #serviceReceiver} is the ack delay), a
 * datagram blocked by a full socket, RTT samples from alive echoes, and the receiver's own path (it sends no data, so
 * it reports gaps every minimum RTO).
 * <p>
 * NOT thread safe.
 */
final class ChannelDriver
{
    /** Returned by {@link #offer} when the session is down, as {@code Stack.NOT_CONNECTED}. */
    static final long NOT_CONNECTED = -1;
    /** Returned by {@link #offer} when the message is longer than the receiver takes, as {@code Stack}'s. */
    static final long TOO_LARGE = -3;

    /** Estate id of the sender, as the receiver sees it. */
    static final long SENDER_ID = 0x5E4DE4L;
    /** Estate id of the receiver, as the sender and its outcome listener see it. */
    static final long RECEIVER_ID = 0x4EC31E4L;

    /**
     * Where datagrams go: the test puts them on a {@link LossyLink} or loses them.
     */
    interface Wire
    {
        /**
         * A datagram was sent.
         *
         * @param bytes      the datagram, owned by the callee.
         * @param toReceiver true from the sender, false from the receiver.
         */
        void onDatagram(byte[] bytes, boolean toReceiver);

        /**
         * The sender is about to apply an ack of its current session.
         *
         * @param channel       of the ack.
         * @param cumulativeSeq from the ack.
         * @param deliveredSeq  from the ack.
         * @param credit        from the ack.
         * @param starts        of ranges.
         * @param ends          of ranges.
         * @param count         of ranges.
         */
        default void onAckApplied(
            final int channel,
            final long cumulativeSeq,
            final long deliveredSeq,
            final int credit,
            final long[] starts,
            final long[] ends,
            final int count)
        {
        }

        /**
         * The receiver took a data segment of its current session.
         *
         * @param channel of the segment.
         * @param seq     of the segment.
         * @param result  of {@link ReceiveChannel#onData}.
         */
        default void onDataResult(final int channel, final long seq, final int result)
        {
        }

        /**
         * The sender's channels started a new session, their sequences again from 0: after their messages ended
         * (death, nothing kept) or after a renewal (messages not yet sent whole kept and cut again).
         *
         * @param isRenewal true after a renewal.
         */
        default void onSessionReset(final boolean isRenewal)
        {
        }
    }

    /**
     * Settings of both ends, as the stack's {@code Context} and the join would give them.
     */
    static final class Config
    {
        int senderMtu = 1408;
        int receiverMtu = 1408;
        DeliveryMode[] modes = new DeliveryMode[256];
        int receiveWindow = 256;
        int receiveCredit = 256;
        int maxRingBytes = 64 * 1024;
        int maxSegments = 1024;
        int maxMessageBytes = 1 << 20;
        long minRtoNs = 1_000_000;
        long maxRtoNs = 1_000_000_000;
        long initialRtoNs = 50_000_000;
        int initialCwnd = 64;
        int minCwnd = 16;
        int maxCwnd = 65536;
        long messageTimeoutNs = 10_000_000_000L;

        Config mode(final int channel, final DeliveryMode mode)
        {
            modes[channel] = mode;
            return this;
        }
    }

    private final Config config;
    private final Wire wire;
    private final MessageOutcomeListener listener;
    private final ChannelMessageHandler handler;

    private final PathState path;
    private final PacketWriter senderWriter;
    private final PacketReader senderReader = new PacketReader();
    private final SendChannel[] sendChannels = new SendChannel[256];
    private final List<SendChannel> usedSend = new ArrayList<>();
    private final long[] rangeStarts = new long[PacketWriter.MAX_ACK_RANGES];
    private final long[] rangeEnds = new long[PacketWriter.MAX_ACK_RANGES];
    private int pairMtu;
    private int sendPayload;
    private int peerMaxMessage;
    private int peerCredit;
    private int session = 1;
    private boolean isSessionUp = true;

    private int receiverMtu;
    private int receiverMaxMessage;
    private int receiverCredit;
    private long peerBufferBudget;
    private PacketWriter receiverWriter;
    private final PacketReader receiverReader = new PacketReader();
    private ReceiveChannel[] receiveChannels = new ReceiveChannel[256];
    private List<ReceiveChannel> usedReceive = new ArrayList<>();
    private final long[] receiverStarts = new long[PacketWriter.MAX_ACK_RANGES];
    private final long[] receiverEnds = new long[PacketWriter.MAX_ACK_RANGES];
    private int receiverSession;
    private boolean isReceiverPresent = true;

    long tailProbes;
    long deliveryProbes;
    long retransmitTimeouts;
    long retransmits;
    long segmentsSent;
    long lossesDetected;
    long congestionEvents;
    long duplicates;
    long outOfWindow;
    long invalid;
    long acksSent;
    long nacksSent;
    long deadDeclared;
    boolean lastDeathKnownUndelivered;
    long renewals;
    long finalLeaves;

    ChannelDriver(
        final Config config,
        final Wire wire,
        final MessageOutcomeListener listener,
        final ChannelMessageHandler handler)
    {
        this.config = config;
        this.wire = wire;
        this.listener = listener;
        this.handler = handler;
        path = new PathState(
            config.minRtoNs,
            config.maxRtoNs,
            config.initialRtoNs,
            config.initialCwnd,
            config.minCwnd,
            config.maxCwnd,
            PacketWriter.maxDataPayload(config.senderMtu) + PacketWriter.DATA_FRAME_OVERHEAD);
        senderWriter = new PacketWriter(config.senderMtu);
        startReceiver(config.receiverMtu, config.maxMessageBytes, config.receiveCredit);
        receiverSession = session;
        applyPeerLimits();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sender: StackAgent.offer, service (send part), onAck, onNack, declareDead, renew
    // ---------------------------------------------------------------------------------------------------------

    /**
     * StackAgent.offer with sendChannelFor and sendChannel.
     *
     * @param channel number.
     * @param buffer  holding the message.
     * @param offset  of the message.
     * @param length  of the message.
     * @param nowNs   current time (the liveness clock).
     * @return the message id, {@link SendChannel#BACK_PRESSURED}, {@link #NOT_CONNECTED} or {@link #TOO_LARGE}.
     */
    long offer(final int channel, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (!isSessionUp)
        {
            return NOT_CONNECTED;
        }
        if (length > config.maxMessageBytes || length > peerMaxMessage)
        {
            return TOO_LARGE;
        }
        return sendChannel(channel).offer(buffer, offset, length, nowNs + config.messageTimeoutNs);
    }

    /**
     * The sending half of StackAgent.service: deadlines, the retransmission timer, retransmissions, new segments.
     *
     * @param nowNs current time.
     * @return work done.
     */
    int serviceSender(final long nowNs)
    {
        if (!isSessionUp)
        {
            return 0;
        }
        int workCount = 0;
        beginSenderPacket();
        for (int i = 0; i < usedSend.size(); i++)
        {
            final SendChannel channel = usedSend.get(i);
            if (channel.oldestDeadlineNs() <= nowNs)
            {
                flushSender();
                declareDead(channel.channel(), FailureReason.PEER_DEAD.ordinal(), false);
                return workCount + 1;
            }
            final int timedOut = channel.onRetransmitTimer(nowNs, path);
            if (SendChannel.TIMER_TAIL_PROBE == timedOut)
            {
                tailProbes++;
                channel.rearmRetransmitTimer(nowNs, path.rtoNs());
            }
            else if (SendChannel.TIMER_DELIVERY_PROBE == timedOut)
            {
                deliveryProbes++;
                path.onBackoff();
                channel.rearmRetransmitTimer(nowNs, path.rtoNs());
            }
            else if (timedOut > 0)
            {
                retransmitTimeouts++;
                if (path.onRetransmitTimeout(nowNs))
                {
                    congestionEvents++;
                }
                channel.rearmRetransmitTimer(nowNs, path.rtoNs());
            }
            else if (0 == timedOut)
            {
                channel.rearmRetransmitTimer(nowNs, path.rtoNs());
            }
            int result;
            while ((result = channel.appendRetransmit(senderWriter, nowNs)) != 0)
            {
                if (result < 0)
                {
                    requireFramesBeforeRetry(senderWriter, "a retransmitted segment");
                    flushSender();
                    beginSenderPacket();
                    continue;
                }
                retransmits++;
                workCount++;
            }
            while (channel.hasNew() && channel.isWithinPeerWindow() &&
                (DeliveryMode.BEST_EFFORT == channel.mode() || path.canSend()))
            {
                if (!channel.appendNew(senderWriter, nowNs, path))
                {
                    requireFramesBeforeRetry(senderWriter, "a new segment");
                    flushSender();
                    beginSenderPacket();
                    continue;
                }
                segmentsSent++;
                workCount++;
            }
        }
        flushSender();
        return workCount;
    }

    private void onSenderPacket(final long nowNs)
    {
        if (!isSessionUp || senderReader.srcSession() != session)
        {
            return;
        }
        while (senderReader.nextFrame())
        {
            switch (senderReader.templateId())
            {
                case AckDecoder.TEMPLATE_ID:
                    onAck(nowNs);
                    break;
                case NackDecoder.TEMPLATE_ID:
                    onNack(nowNs);
                    break;
                case LeaveDecoder.TEMPLATE_ID:
                    declareDead(-1, FailureReason.PEER_LEFT.ordinal(), senderReader.leave().flags().finalAcks());
                    return;
                default:
                    throw new AssertionError("unexpected frame at the sender: " + senderReader.templateId());
            }
        }
    }

    /**
     * StackAgent.onAck.
     */
    private void onAck(final long nowNs)
    {
        final AckDecoder ack = senderReader.ack();
        final int channel = ack.channel();
        final long cumulativeSeq = ack.cumulativeSeq();
        final long deliveredSeq = ack.deliveredSeq();
        final int window = ack.windowSegments();
        int count = 0;
        for (final AckDecoder.RangesDecoder range : ack.ranges())
        {
            rangeStarts[count] = range.startSeq();
            rangeEnds[count] = range.endSeq();
            count++;
        }
        final SendChannel sendChannel = sendChannels[channel];
        if (null == sendChannel)
        {
            return;
        }
        wire.onAckApplied(channel, cumulativeSeq, deliveredSeq, window, rangeStarts, rangeEnds, count);
        sendChannel.onAck(cumulativeSeq, window, rangeStarts, rangeEnds, count, nowNs, path);
        final int lost = sendChannel.lostDetectedByLastAck();
        if (lost > 0)
        {
            lossesDetected += lost;
            if (path.onLoss(nowNs))
            {
                congestionEvents++;
            }
        }
        if (sendChannel.onDelivered(deliveredSeq, listener, RECEIVER_ID) > 0)
        {
            path.onProgress();
        }
    }

    /**
     * StackAgent.onNack.
     */
    private void onNack(final long nowNs)
    {
        final NackDecoder nack = senderReader.nack();
        final int channel = nack.channel();
        int count = 0;
        for (final NackDecoder.MissingDecoder range : nack.missing())
        {
            rangeStarts[count] = range.startSeq();
            rangeEnds[count] = range.endSeq();
            count++;
        }
        final SendChannel sendChannel = sendChannels[channel];
        if (null == sendChannel)
        {
            return;
        }
        if (sendChannel.onNack(rangeStarts, rangeEnds, count, nowNs, path.inFlightNs()) > 0)
        {
            if (path.onLoss(nowNs))
            {
                congestionEvents++;
            }
        }
    }

    /**
     * StackAgent.declareDead, sender side: every message ends, the path is forgotten, the session is down until
     * {@link #rejoin()}.
     */
    private void declareDead(final int timedOutChannel, final int reason, final boolean isKnownUndelivered)
    {
        deadDeclared++;
        isSessionUp = false;
        lastDeathKnownUndelivered = isKnownUndelivered;
        finalLeaves += isKnownUndelivered ? 1 : 0;
        for (int i = 0; i < usedSend.size(); i++)
        {
            final SendChannel channel = usedSend.get(i);
            final int channelReason = channel.channel() == timedOutChannel ? FailureReason.TIMEOUT.ordinal() : reason;
            channel.failAll(listener, RECEIVER_ID, channelReason, path, isKnownUndelivered);
        }
        path.reset();
        wire.onSessionReset(false);
    }

    /**
     * A dead estate joined again: a new session on both ends, a renewal on both. The receiver, if it was still there,
     * resets its channels; if it had gone, it is back.
     */
    void rejoin()
    {
        if (isSessionUp)
        {
            throw new IllegalStateException("session is up");
        }
        session++;
        isSessionUp = true;
        if (isReceiverPresent)
        {
            for (int i = 0; i < usedReceive.size(); i++)
            {
                usedReceive.get(i).reset();
            }
        }
        else
        {
            startReceiver(receiverMtu, receiverMaxMessage, receiverCredit);
        }
        receiverSession = session;
        applyPeerLimits();
        // The join of a dead estate is a renewal (StackAgent.becomeJoined): the channels, empty since they failed,
        // take the new session's limits.
        renewSendChannels();
    }

    /**
     * The receiver restarted (a new stack, possibly with other limits) and the sender renews the session,
     * StackAgent.renew: messages sent whole end uncertain, the rest are cut again for the new session.
     *
     * @param mtu        of the restarted receiver.
     * @param maxMessage of the restarted receiver.
     * @param credit     of the restarted receiver.
     */
    void renew(final int mtu, final int maxMessage, final int credit)
    {
        startReceiver(mtu, maxMessage, credit);
        if (!isSessionUp)
        {
            return;
        }
        renewals++;
        session++;
        receiverSession = session;
        applyPeerLimits();
        renewSendChannels();
    }

    private void renewSendChannels()
    {
        for (int i = 0; i < usedSend.size(); i++)
        {
            usedSend.get(i).renew(
                listener,
                RECEIVER_ID,
                FailureReason.PEER_RESTARTED.ordinal(),
                path,
                sendPayload,
                peerMaxMessage,
                FailureReason.TOO_LARGE.ordinal(),
                peerCredit);
            usedSend.get(i).peerBuffer(peerBufferBudget, pairMtu - sendPayload);
        }
        path.reset();
        wire.onSessionReset(true);
    }

    private void applyPeerLimits()
    {
        pairMtu = Math.min(config.senderMtu, receiverMtu);
        sendPayload = PacketWriter.maxDataPayload(pairMtu);
        peerMaxMessage = receiverMaxMessage;
        peerCredit = Math.max(1, Math.min(receiverCredit, config.maxSegments));
        peerBufferBudget = peerCredit * PathState.datagramCharge(receiverMtu);
    }

    private SendChannel sendChannel(final int channel)
    {
        SendChannel sendChannel = sendChannels[channel];
        if (null == sendChannel)
        {
            sendChannel = new SendChannel(
                channel, config.modes[channel], sendPayload, config.maxRingBytes, config.maxSegments, peerCredit);
            sendChannel.peerBuffer(peerBufferBudget, pairMtu - sendPayload);
            sendChannels[channel] = sendChannel;
            usedSend.add(sendChannel);
        }
        return sendChannel;
    }

    private void beginSenderPacket()
    {
        senderWriter.begin(SENDER_ID, RECEIVER_ID, session, session);
        senderWriter.limitLength(pairMtu);
    }

    private void flushSender()
    {
        if (senderWriter.hasFrames())
        {
            final int length = senderWriter.finish();
            final byte[] bytes = new byte[length];
            senderWriter.buffer().getBytes(0, bytes);
            // The agent's flush leaves the frames in the writer; it always begins again before appending.
            senderWriter.begin(SENDER_ID, RECEIVER_ID, session, session);
            wire.onDatagram(bytes, true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiver: StackAgent.onData, service (ack part), poll, sendLeave
    // ---------------------------------------------------------------------------------------------------------

    private void startReceiver(final int mtu, final int maxMessage, final int credit)
    {
        receiverMtu = mtu;
        receiverMaxMessage = maxMessage;
        receiverCredit = credit;
        receiverWriter = new PacketWriter(mtu);
        receiveChannels = new ReceiveChannel[256];
        usedReceive = new ArrayList<>();
        isReceiverPresent = true;
        // A new stack is in no session until it joins: datagrams of the old one are not for it.
        receiverSession = 0;
    }

    private void onReceiverPacket()
    {
        if (!isReceiverPresent || receiverReader.srcSession() != receiverSession)
        {
            return;
        }
        while (receiverReader.nextFrame())
        {
            if (DataDecoder.TEMPLATE_ID != receiverReader.templateId())
            {
                throw new AssertionError("unexpected frame at the receiver: " + receiverReader.templateId());
            }
            onData();
        }
    }

    /**
     * StackAgent.onData.
     */
    private void onData()
    {
        final DataDecoder data = receiverReader.data();
        final int channel = data.channel();
        final ReceiveChannel receiveChannel = receiveChannel(channel);
        final long seq = data.seq();
        final int result = receiveChannel.onData(
            data.mode(),
            data.flags().begin(),
            data.flags().end(),
            seq,
            data.messageLength(),
            receiverReader.buffer(),
            receiverReader.dataPayloadOffset(),
            receiverReader.dataPayloadLength());
        switch (result)
        {
            case ReceiveChannel.ACCEPTED:
                break;
            case ReceiveChannel.DUPLICATE:
                duplicates++;
                break;
            case ReceiveChannel.OUT_OF_WINDOW:
                outOfWindow++;
                break;
            default:
                invalid++;
                wire.onDataResult(channel, seq, result);
                return;
        }
        wire.onDataResult(channel, seq, result);
        if (receiveChannel.isAckPending() || ReceiveChannel.DUPLICATE == result)
        {
            receiveChannel.markAckPending();
        }
    }

    /**
     * The receiving half of StackAgent.service: acks and nacks. The agent holds an ack one cycle for data to ride
     * with; here data goes one way, so the caller's scheduling of this method is the ack delay.
     *
     * @param nowNs current time.
     * @return work done.
     */
    int serviceReceiver(final long nowNs)
    {
        if (!isReceiverPresent)
        {
            return 0;
        }
        int workCount = 0;
        // The receiver sends no data, so it has no RTT sample of its own: gaps are reported every minimum RTO.
        final long renackAfterNs = config.minRtoNs;
        beginReceiverPacket();
        for (int i = 0; i < usedReceive.size(); i++)
        {
            final ReceiveChannel channel = usedReceive.get(i);
            if (channel.isAckPending())
            {
                if (!channel.appendAck(receiverWriter, receiverStarts, receiverEnds))
                {
                    requireFramesBeforeRetry(receiverWriter, "an ack");
                    flushReceiver();
                    beginReceiverPacket();
                    if (!channel.appendAck(receiverWriter, receiverStarts, receiverEnds))
                    {
                        throw new AssertionError("an ack does not fit an empty datagram of " + pairMtu + " B");
                    }
                }
                acksSent++;
                workCount++;
            }
            if (channel.isNackDue(nowNs, renackAfterNs))
            {
                if (!channel.appendNack(receiverWriter, receiverStarts, receiverEnds, nowNs))
                {
                    requireFramesBeforeRetry(receiverWriter, "a nack");
                    flushReceiver();
                    beginReceiverPacket();
                    if (!channel.appendNack(receiverWriter, receiverStarts, receiverEnds, nowNs))
                    {
                        throw new AssertionError("a nack does not fit an empty datagram of " + pairMtu + " B");
                    }
                }
                nacksSent++;
                workCount++;
            }
        }
        flushReceiver();
        return workCount;
    }

    /**
     * StackAgent.poll for this one estate.
     *
     * @param limit most messages.
     * @return messages handed over.
     */
    int poll(final int limit)
    {
        if (!isReceiverPresent)
        {
            return 0;
        }
        int count = 0;
        for (int i = 0; i < usedReceive.size() && count < limit; i++)
        {
            count += usedReceive.get(i).poll(handler, SENDER_ID, limit - count);
        }
        return count;
    }

    /**
     * The receiver closes: StackAgent.sendLeave, the final ack of every reliable channel and Leave in one datagram
     * when they fit; then it is gone until the sender rejoins or it restarts.
     */
    void leave()
    {
        if (!isReceiverPresent)
        {
            return;
        }
        beginReceiverPacket();
        boolean isFinal = true;
        for (int i = 0; i < usedReceive.size(); i++)
        {
            final ReceiveChannel channel = usedReceive.get(i);
            if (!channel.isReliable())
            {
                continue;
            }
            isFinal &= !channel.hasDeliveredAhead();
            if (!channel.appendAck(receiverWriter, receiverStarts, receiverEnds))
            {
                isFinal = false;
                flushReceiver();
                beginReceiverPacket();
                channel.appendAck(receiverWriter, receiverStarts, receiverEnds);
            }
        }
        if (!receiverWriter.appendLeave(isFinal))
        {
            flushReceiver();
            beginReceiverPacket();
            receiverWriter.appendLeave(false);
        }
        flushReceiver();
        isReceiverPresent = false;
    }

    /**
     * The receiver disappears without a word (killed, or the path cut for good).
     */
    void vanish()
    {
        isReceiverPresent = false;
    }

    private ReceiveChannel receiveChannel(final int channel)
    {
        ReceiveChannel receiveChannel = receiveChannels[channel];
        if (null == receiveChannel)
        {
            receiveChannel = new ReceiveChannel(
                channel,
                config.receiveWindow,
                PacketWriter.maxDataPayload(receiverMtu),
                receiverMaxMessage);
            receiveChannels[channel] = receiveChannel;
            usedReceive.add(receiveChannel);
        }
        return receiveChannel;
    }

    private void beginReceiverPacket()
    {
        receiverWriter.begin(RECEIVER_ID, SENDER_ID, receiverSession, receiverSession);
        receiverWriter.limitLength(pairMtu);
    }

    private void flushReceiver()
    {
        if (receiverWriter.hasFrames())
        {
            final int length = receiverWriter.finish();
            final byte[] bytes = new byte[length];
            receiverWriter.buffer().getBytes(0, bytes);
            receiverWriter.begin(RECEIVER_ID, SENDER_ID, receiverSession, receiverSession);
            wire.onDatagram(bytes, false);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Both
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A datagram arrives.
     *
     * @param bytes      the datagram.
     * @param toReceiver its direction.
     * @param nowNs      current time.
     */
    void onDatagram(final byte[] bytes, final boolean toReceiver, final long nowNs)
    {
        final PacketReader reader = toReceiver ? receiverReader : senderReader;
        final int status = reader.wrap(new UnsafeBuffer(bytes), 0, bytes.length);
        if (PacketReader.OK != status)
        {
            throw new AssertionError("a datagram the driver built does not read: " + PacketReader.statusName(status));
        }
        if (toReceiver)
        {
            onReceiverPacket();
        }
        else
        {
            onSenderPacket(nowNs);
        }
    }

    private static void requireFramesBeforeRetry(final PacketWriter writer, final String what)
    {
        // The agent flushes and tries again in an empty datagram; if that fails too it would loop for ever.
        if (!writer.hasFrames())
        {
            throw new AssertionError(what + " does not fit an empty datagram");
        }
    }

    PathState path()
    {
        return path;
    }

    List<SendChannel> sendChannels()
    {
        return usedSend;
    }

    SendChannel sendChannelOf(final int channel)
    {
        return sendChannels[channel];
    }

    ReceiveChannel receiveChannelOf(final int channel)
    {
        return isReceiverPresent ? receiveChannels[channel] : null;
    }

    boolean isSessionUp()
    {
        return isSessionUp;
    }

    boolean isReceiverPresent()
    {
        return isReceiverPresent;
    }

    int session()
    {
        return session;
    }

    int sendPayload()
    {
        return sendPayload;
    }

    int pairMtu()
    {
        return pairMtu;
    }

    int peerCredit()
    {
        return peerCredit;
    }

    int receiveWindow()
    {
        return BitUtil.findNextPositivePowerOfTwo(config.receiveWindow);
    }

    int receiverMaxMessage()
    {
        return receiverMaxMessage;
    }

    Config config()
    {
        return config;
    }

    /**
     * Earliest retransmission timer or message deadline of the sender.
     *
     * @return the time, or {@link Long#MAX_VALUE}.
     */
    long nextSenderDeadlineNs()
    {
        long next = Long.MAX_VALUE;
        if (isSessionUp)
        {
            for (int i = 0; i < usedSend.size(); i++)
            {
                next = Math.min(next, Math.min(usedSend.get(i).rtoDeadlineNs(), usedSend.get(i).oldestDeadlineNs()));
            }
        }
        return next;
    }
}
