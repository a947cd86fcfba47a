package io.raet4j.transport.status;

/**
 * The transport's counters: the traffic through the media, the duty cycle every layer runs on, and the errors
 * recorded. Ids are stable across versions and shared with the other layers' ranges (see {@link CounterDescriptor}).
 */
public enum TransportCounterDescriptor implements CounterDescriptor
{
    /** Bytes received from the media. */
    BYTES_RECEIVED(0, "Bytes received"),
    /** Bytes sent to the media. */
    BYTES_SENT(1, "Bytes sent"),
    /** Datagrams received from the media. */
    PACKETS_RECEIVED(2, "Packets received"),
    /** Datagrams sent to the media. */
    PACKETS_SENT(3, "Packets sent"),
    /** Sends the media could not take (socket buffer full). */
    SEND_WOULD_BLOCK(23, "Sends that would block"),
    /** Duty cycle stalls longer than the stall threshold (GC, debugger, SIGSTOP). */
    DUTY_CYCLE_STALLS(29, "Duty cycle stalls"),
    /** Errors recorded in the distinct error log. */
    ERRORS(30, "Errors"),
    /** Duty cycles run. */
    DUTY_CYCLES(31, "Duty cycles");

    private final int id;
    private final String label;

    TransportCounterDescriptor(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int id()
    {
        return id;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return label;
    }
}
