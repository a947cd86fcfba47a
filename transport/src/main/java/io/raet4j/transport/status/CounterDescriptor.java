package io.raet4j.transport.status;

/**
 * One counter of a layer, kept in the stack's status file so that another process can read it live. Each layer
 * declares its counters as an enum implementing this interface and allocates them as a {@link CounterSet}; a new
 * layer adds its counters without editing the layers below.
 * <p>
 * The {@link #id()} is the counter's type id in the counters file, stable across versions (add, never renumber) and
 * unique across layers. Ranges: 0 to 999 for the transport's and the transactions layer's counters of the whole stack
 * (the ids 0 to 52 were given out before the layers split; the transport takes new ids from 500, the transactions
 * layer below 500), 1000 to 1999 for the per-estate counters, 2000 to 2999 for the pub/sub layer, 3000 and up for
 * layers to come. {@code spec/PROTOCOL.md} lists them all.
 */
public interface CounterDescriptor
{
    /**
     * Stable id of the counter; also its type id in the counters file.
     *
     * @return the stable id.
     */
    int id();

    /**
     * Human-readable label, also the counter's label in the counters file.
     *
     * @return the label.
     */
    String label();
}
