package io.raet4j.transport.status;

/**
 * The counters a stack keeps per remote estate in its status file, so that another process ({@code raet4j.jar stat
 * --estates}) can list a running stack's estates with their presence and traffic. Each is a counter of type id
 * {@link #typeId()} whose key is the estate's id (8 bytes, little endian) followed by its name and address as
 * {@code name\u0000address} in UTF-8; the label says the same for people. Type ids are stable: add, never renumber.
 */
public enum EstateCounterDescriptor
{
    /** Presence state, one of {@link #STATE_NAMES} by index. */
    STATE(1000, "state"),
    /** Reliable and best-effort messages accepted by offer for the estate. */
    MESSAGES_OFFERED(1001, "messages offered"),
    /** Messages the estate confirmed its application got. */
    MESSAGES_DELIVERED(1002, "messages delivered"),
    /** Messages to the estate that certainly were not delivered. */
    MESSAGES_FAILED(1003, "messages failed"),
    /** Messages to the estate whose delivery is unknown (sent whole, the session ended unconfirmed). */
    MESSAGES_UNCERTAIN(1004, "messages uncertain"),
    /** Messages from the estate handed to this stack's application. */
    MESSAGES_RECEIVED(1005, "messages received"),
    /** Segments retransmitted to the estate. */
    RETRANSMITS(1006, "segments retransmitted"),
    /** Milliseconds since the estate was last heard from, as of the estate's last timer tick (every 250 ms or less). */
    SILENT_MS(1007, "ms since last heard"),
    /** Smoothed round-trip time to the estate in microseconds, 0 before a sample. */
    RTT_US(1008, "rtt us");

    /** Names of the values of {@link #STATE}. */
    public static final String[] STATE_NAMES = { "JOINING", "JOINED", "UNREACHABLE", "DEAD", "RENEWING" };

    private final int typeId;
    private final String label;

    EstateCounterDescriptor(final int typeId, final String label)
    {
        this.typeId = typeId;
        this.label = label;
    }

    /**
     * Type id of the counter in the counters file.
     *
     * @return the type id.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * What the counter counts.
     *
     * @return the label suffix.
     */
    public String label()
    {
        return label;
    }

    /**
     * The descriptor of a type id, or null if the type id is not an estate counter's.
     *
     * @param typeId read from the counters file.
     * @return the descriptor, or null.
     */
    public static EstateCounterDescriptor ofTypeId(final int typeId)
    {
        for (final EstateCounterDescriptor descriptor : values())
        {
            if (descriptor.typeId == typeId)
            {
                return descriptor;
            }
        }
        return null;
    }
}
