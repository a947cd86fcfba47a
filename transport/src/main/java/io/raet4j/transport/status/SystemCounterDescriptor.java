package io.raet4j.transport.status;

/**
 * The counters every stack keeps, one per entry, allocated in the stack's memory-mapped counters file so that a
 * separate process ({@code raet4j.jar stat}) can read them live. Ids are stable across versions: add, never renumber.
 */
public enum SystemCounterDescriptor
{
    /** Bytes received from the media. */
    BYTES_RECEIVED(0, "Bytes received"),
    /** Bytes sent to the media. */
    BYTES_SENT(1, "Bytes sent"),
    /** Datagrams received from the media. */
    PACKETS_RECEIVED(2, "Packets received"),
    /** Datagrams sent to the media. */
    PACKETS_SENT(3, "Packets sent"),
    /** Datagrams dropped because they were truncated, malformed or failed the checksum. */
    MALFORMED_PACKETS(4, "Malformed packets dropped"),
    /** Datagrams dropped because they carried another schema or an unsupported protocol version. */
    UNSUPPORTED_VERSION(5, "Unsupported version packets dropped"),
    /** Datagrams dropped because they came from an estate that has not joined. */
    UNKNOWN_ESTATE(6, "Unknown estate packets dropped"),
    /** Datagrams dropped because they belong to an earlier session of either side. */
    STALE_SESSION(7, "Stale session packets dropped"),
    /** Frames of a kind this version does not know, skipped. */
    UNKNOWN_FRAMES(8, "Unknown frames skipped"),
    /** Data segments received more than once and dropped. */
    DUPLICATE_SEGMENTS(9, "Duplicate segments dropped"),
    /** Data segments dropped because they fell outside the receive window. */
    OUT_OF_WINDOW_SEGMENTS(10, "Out of window segments dropped"),
    /** Data segments sent for the first time. */
    SEGMENTS_SENT(11, "Segments sent"),
    /** Data segments sent again. */
    RETRANSMITS(12, "Segments retransmitted"),
    /** Retransmission timer expiries. */
    RETRANSMIT_TIMEOUTS(13, "Retransmit timeouts"),
    /** Ack frames sent. */
    ACKS_SENT(14, "Acks sent"),
    /** Ack frames received. */
    ACKS_RECEIVED(15, "Acks received"),
    /** Nack frames sent. */
    NACKS_SENT(16, "Nacks sent"),
    /** Nack frames received. */
    NACKS_RECEIVED(17, "Nacks received"),
    /** Messages accepted by offer. */
    MESSAGES_OFFERED(18, "Messages offered"),
    /** Messages confirmed delivered to the remote application. */
    MESSAGES_DELIVERED(19, "Messages delivered"),
    /** Messages reported failed to the local application. */
    MESSAGES_FAILED(20, "Messages failed"),
    /** Messages handed to the local application by poll. */
    MESSAGES_RECEIVED(21, "Messages received"),
    /** Offers refused for back-pressure. */
    BACK_PRESSURE_EVENTS(22, "Back pressure events"),
    /** Sends the media could not take (socket buffer full). */
    SEND_WOULD_BLOCK(23, "Sends that would block"),
    /** Joins completed, as joiner or as acceptor. */
    JOINS(24, "Joins completed"),
    /** Join requests refused. */
    JOINS_REFUSED(25, "Joins refused"),
    /** Estates declared dead. */
    ESTATES_DEAD(26, "Estates declared dead"),
    /** Estates reaped. */
    ESTATES_REAPED(27, "Estates reaped"),
    /** Sessions renewed because a peer restarted or asked for it. */
    SESSIONS_RENEWED(28, "Sessions renewed"),
    /** Duty cycle stalls longer than the stall threshold (GC, debugger, SIGSTOP). */
    DUTY_CYCLE_STALLS(29, "Duty cycle stalls"),
    /** Errors recorded in the distinct error log. */
    ERRORS(30, "Errors"),
    /** Duty cycles run. */
    DUTY_CYCLES(31, "Duty cycles"),
    /** Congestion window reductions. */
    CONGESTION_EVENTS(32, "Congestion window reductions");

    private final int id;
    private final String label;

    SystemCounterDescriptor(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * Stable id of the counter; also its type id in the counters file.
     *
     * @return the stable id.
     */
    public int id()
    {
        return id;
    }

    /**
     * Human-readable label.
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }
}
