package io.raet4j.transport.status;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * One {@link AtomicCounter} per {@link SystemCounterDescriptor}, allocated from a {@link CountersManager} with the
 * descriptor's id as type id and its label as label, so a reader of the counters file can find them by type id.
 * <p>
 * Built and closed on the thread that owns the counters manager; {@link #get(SystemCounterDescriptor)} may be called
 * from any thread and allocates nothing.
 */
public final class SystemCounters implements AutoCloseable
{
    private final AtomicCounter[] counters;
    private boolean closed;

    /**
     * Allocate every system counter.
     *
     * @param countersManager to allocate the counters from.
     * @throws IllegalStateException if the manager has no room left for them all.
     */
    public SystemCounters(final CountersManager countersManager)
    {
        final SystemCounterDescriptor[] descriptors = SystemCounterDescriptor.values();
        counters = new AtomicCounter[descriptors.length];
        try
        {
            for (final SystemCounterDescriptor descriptor : descriptors)
            {
                counters[descriptor.ordinal()] = countersManager.newCounter(descriptor.label(), descriptor.id());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters);
            throw ex;
        }
    }

    /**
     * The counter for a descriptor.
     *
     * @param descriptor of the counter.
     * @return the counter.
     */
    public AtomicCounter get(final SystemCounterDescriptor descriptor)
    {
        return counters[descriptor.ordinal()];
    }

    /**
     * Free every counter in the counters manager. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.closeAll(counters);
        }
    }
}
