package io.raet4j.transactions;

import io.raet4j.transactions.agent.StackAgent;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.message.SendChannel;
import org.agrona.MutableDirectBuffer;

/**
 * A zero-copy claim on room for one small message (one segment) in a channel's send buffer: write the message into
 * {@link #buffer()} between {@link #offset()} and {@link #offset()} + {@link #length()}, then {@link #commit()}.
 * Reuse one instance; NOT thread safe, and only valid on the duty-cycle thread until the next call into the stack.
 */
public final class BufferClaim
{
    private StackAgent agent;
    private RemoteEstate estate;
    private SendChannel channel;
    private long position;
    private int length;

    /**
     * An empty claim, to reuse for every {@link Stack#tryClaim}.
     */
    public BufferClaim()
    {
    }

    /**
     * Point the claim at room claimed in a channel. Called by the stack.
     */
    void wrap(
        final StackAgent agent,
        final RemoteEstate estate,
        final SendChannel channel,
        final long position,
        final int length)
    {
        this.agent = agent;
        this.estate = estate;
        this.channel = channel;
        this.position = position;
        this.length = length;
    }

    /**
     * Buffer to write the message into.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return channel.ringBuffer();
    }

    /**
     * Offset in {@link #buffer()} at which to write.
     *
     * @return the offset.
     */
    public int offset()
    {
        return channel.ringIndex(position);
    }

    /**
     * Length claimed.
     *
     * @return the length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Publish the message written into the claim.
     *
     * @return the message id, or a negative status of {@link Stack} if the estate went away meanwhile.
     */
    public long commit()
    {
        if (null == channel)
        {
            throw new IllegalStateException("no claim to commit");
        }
        final long result = agent.commitClaim(estate, channel, position, length);
        channel = null;
        estate = null;
        return result;
    }

    /**
     * Give up the claim; nothing is sent.
     */
    public void abort()
    {
        channel = null;
        estate = null;
    }
}
