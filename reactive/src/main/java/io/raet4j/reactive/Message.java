package io.raet4j.reactive;

import java.util.Arrays;
import java.util.Objects;

/**
 * One received message as a value a subscriber may keep: who sent it, on which channel, and a copy of its bytes.
 * <p>
 * {@link MessagePublisher} makes one per message it hands over, with a new array the publisher keeps no reference
 * to: two allocations per item, the price of a value that outlives the stack's buffers (a zero-copy consumer polls a
 * {@link io.raet4j.transactions.ConcurrentReceiver} itself). Equality and hash code are by content.
 *
 * @param estateId of the sender.
 * @param channel  the message came on, 0 to 255.
 * @param payload  the message's bytes; the subscriber's own, not to be changed by whoever passes the message on.
 */
public record Message(long estateId, int channel, byte[] payload)
{
    /**
     * A message.
     *
     * @param estateId of the sender.
     * @param channel  the message came on.
     * @param payload  the message's bytes, not copied.
     * @throws NullPointerException if the payload is null.
     */
    public Message
    {
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * Length of the message.
     *
     * @return bytes.
     */
    public int length()
    {
        return payload.length;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return this == other || other instanceof Message that && estateId == that.estateId &&
            channel == that.channel && Arrays.equals(payload, that.payload);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return 31 * (31 * Long.hashCode(estateId) + channel) + Arrays.hashCode(payload);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Message[estateId=" + estateId + ", channel=" + channel + ", length=" + payload.length + "]";
    }
}
