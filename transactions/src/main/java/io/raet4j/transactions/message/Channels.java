package io.raet4j.transactions.message;

import io.raet4j.transactions.StackContext;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * The message channels with one remote estate, both ways, created on first use (RAET's messenger and messengent per
 * channel), and whether the duty cycle owes the estate acks or holds messages from it for the application. Read and
 * written by {@link Messenger}; the rest of the stack reads the lists.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Channels
{
    private static final SendChannel[] NO_SEND = new SendChannel[0];
    private static final ReceiveChannel[] NO_RECEIVE = new ReceiveChannel[0];

    SendChannel[] sendByNumber;
    ReceiveChannel[] receiveByNumber;
    /** Send channels in use, in the order first used. */
    SendChannel[] sends = NO_SEND;
    /** Receive channels in use, in the order first used. */
    ReceiveChannel[] receives = NO_RECEIVE;
    /** Duty cycle in which an ack first fell due and was held for data to ride with, or -1. */
    long ackPendingSinceCycle = -1;
    /** Time the pending ack first fell due. */
    long ackPendingSinceNs;
    /**
     * How strongly the recent pattern says data going to the estate soon follows data from it: raised by one, up to
     * {@link Messenger#REPLY_SCORE_MAX}, for each ack that rode on data or was followed by data within the hold limit,
     * halved for each ack that went alone and was not.
     */
    int replyScore;
    /** Smoothed time from an ack falling due to data going out with it, in ns (1/8 gain). */
    long replyDelayNs;
    /** Whether the last ack went alone and data going to the estate soon after would be a reply it missed. */
    boolean isReplyAwaited;
    /** Time the last ack that went alone fell due. */
    long loneAckDueNs;
    /** Payload bytes of the segments accepted since the acks last went. */
    long bytesSinceAck;
    /** Segments accepted since the acks last went. */
    int segmentsSinceAck;

    /**
     * The send channels in use.
     *
     * @return the channels, never null; not to be modified.
     */
    public SendChannel[] sends()
    {
        return sends;
    }

    /**
     * The receive channels in use.
     *
     * @return the channels, never null; not to be modified.
     */
    public ReceiveChannel[] receives()
    {
        return receives;
    }

    /**
     * A send channel, if used.
     *
     * @param channel number.
     * @return the channel, or null.
     */
    public SendChannel send(final int channel)
    {
        return null == sendByNumber ? null : sendByNumber[channel];
    }

    /**
     * A receive channel, if used.
     *
     * @param channel number.
     * @return the channel, or null.
     */
    public ReceiveChannel receive(final int channel)
    {
        return null == receiveByNumber ? null : receiveByNumber[channel];
    }

    /**
     * The number of messages offered and not yet ended.
     *
     * @return the count over all send channels.
     */
    public long outstandingMessages()
    {
        long count = 0;
        for (final SendChannel channel : sends)
        {
            count += channel.outstandingMessages();
        }
        return count;
    }

    void add(final SendChannel channel)
    {
        if (null == sendByNumber)
        {
            sendByNumber = new SendChannel[StackContext.CHANNEL_COUNT];
        }
        sendByNumber[channel.channel()] = channel;
        // Kept in channel order: each duty cycle sends from lower channel numbers first, so a layer above maps
        // priorities onto channel numbers.
        sends = inChannelOrder(sends, channel, channel.channel(), SendChannel::channel);
    }

    void add(final ReceiveChannel channel)
    {
        if (null == receiveByNumber)
        {
            receiveByNumber = new ReceiveChannel[StackContext.CHANNEL_COUNT];
        }
        receiveByNumber[channel.channel()] = channel;
        // Kept in channel order too: polls hand over messages from lower channel numbers first.
        receives = inChannelOrder(receives, channel, channel.channel(), ReceiveChannel::channel);
    }

    /**
     * A copy of an array of channels in channel order with one more inserted in its place (when a channel is first
     * used, never on the duty cycle's steady path).
     */
    private static <T> T[] inChannelOrder(
        final T[] channels, final T added, final int number, final ToIntFunction<T> numberOf)
    {
        final T[] grown = Arrays.copyOf(channels, channels.length + 1);
        int i = 0;
        while (i < channels.length && numberOf.applyAsInt(channels[i]) < number)
        {
            i++;
        }
        System.arraycopy(channels, i, grown, i + 1, channels.length - i);
        grown[i] = added;
        return grown;
    }
}
