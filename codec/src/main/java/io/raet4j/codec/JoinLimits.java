package io.raet4j.codec;

/**
 * The limits an estate announces in its Join or JoinAck (protocol version 3): the largest datagram it sends and
 * receives, the largest message it accepts, the credit it grants each channel before its first Ack, and whether it
 * seals its estate packets. The pair uses the smaller MTU and each side respects the other's message limit and credit;
 * a difference in sealing refuses the join. Immutable.
 */
public final class JoinLimits
{
    /** No limits announced: all zero, as an older version would leave them. */
    public static final JoinLimits NONE = new JoinLimits(0, 0, 0, false);

    private final int mtu;
    private final int maxMessageLength;
    private final int receiveCredit;
    private final boolean isEncrypted;

    /**
     * Limits to announce.
     *
     * @param mtu              largest datagram in bytes, 0 to 65535.
     * @param maxMessageLength largest message accepted, in bytes.
     * @param receiveCredit    segments of credit granted per channel before the first Ack.
     * @param isEncrypted      whether estate packets to the peer are sealed.
     * @throws IllegalArgumentException if the MTU does not fit in a u16 or a value is negative.
     */
    public JoinLimits(final int mtu, final int maxMessageLength, final int receiveCredit, final boolean isEncrypted)
    {
        if (mtu < 0 || mtu > 0xFFFF || maxMessageLength < 0 || receiveCredit < 0)
        {
            throw new IllegalArgumentException(
                "mtu=" + mtu + " maxMessageLength=" + maxMessageLength + " receiveCredit=" + receiveCredit);
        }
        this.mtu = mtu;
        this.maxMessageLength = maxMessageLength;
        this.receiveCredit = receiveCredit;
        this.isEncrypted = isEncrypted;
    }

    /**
     * Largest datagram the estate sends and receives.
     *
     * @return bytes.
     */
    public int mtu()
    {
        return mtu;
    }

    /**
     * Largest message the estate accepts.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * Segments of credit granted per channel before the first Ack.
     *
     * @return segments.
     */
    public int receiveCredit()
    {
        return receiveCredit;
    }

    /**
     * Whether the estate seals its estate packets.
     *
     * @return true if encrypted.
     */
    public boolean isEncrypted()
    {
        return isEncrypted;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "mtu " + mtu + ", max message " + maxMessageLength + ", credit " + receiveCredit + ", encryption " +
            (isEncrypted ? "on" : "off");
    }
}
