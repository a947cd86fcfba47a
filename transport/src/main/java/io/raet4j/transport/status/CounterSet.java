package io.raet4j.transport.status;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link AtomicCounter} per constant of a layer's {@link CounterDescriptor} enum, allocated from a
 * {@link CountersManager} with the descriptor's id as type id and its label as label, so that a reader of the
 * counters file finds them by type id. When closed it keeps each counter's last value, so a layer can still answer
 * for its counters after the status file is gone.
 * <p>
 * Built and closed on the thread that owns the counters manager; {@link #get(Enum)} and {@link #value(Enum)} may be
 * called from any thread and allocate nothing. A {@link #value(Enum)} read that started before {@link #close()} ends
 * before close returns, so a status file unmapped after its counter sets are closed is never read unmapped.
 *
 * @param <D> the layer's descriptor enum.
 */
public final class CounterSet<D extends Enum<D> & CounterDescriptor> implements AutoCloseable
{
    private final D[] descriptors;
    private final AtomicCounter[] counters;
    private volatile long[] finalValues;
    /** Readers of the live counters: close waits for them before the memory under the counters may go. */
    private final AtomicInteger liveReaders = new AtomicInteger();

    /**
     * Allocate one counter per descriptor.
     *
     * @param countersManager to allocate the counters from.
     * @param descriptorClass the layer's descriptor enum.
     * @throws IllegalStateException if the manager has no room left for them all: the message names the layer.
     */
    public CounterSet(final CountersManager countersManager, final Class<D> descriptorClass)
    {
        descriptors = descriptorClass.getEnumConstants();
        counters = new AtomicCounter[descriptors.length];
        try
        {
            for (final D descriptor : descriptors)
            {
                counters[descriptor.ordinal()] = countersManager.newCounter(descriptor.label(), descriptor.id());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters);
            throw new IllegalStateException("no room in the status file for the " + descriptors.length +
                " counters of " + descriptorClass.getSimpleName() +
                ": raise the room for counters of the layers above (StackContext.layerCountersMax)", ex);
        }
    }

    /**
     * The counter of a descriptor, writable: for the layer that owns the set.
     *
     * @param descriptor of the counter.
     * @return the counter.
     */
    public AtomicCounter get(final D descriptor)
    {
        return counters[descriptor.ordinal()];
    }

    /**
     * Value of a counter: live while the set is open, its last value once closed.
     *
     * @param descriptor of the counter.
     * @return its value.
     */
    public long value(final D descriptor)
    {
        final long[] values = finalValues;
        if (null != values)
        {
            return values[descriptor.ordinal()];
        }
        liveReaders.getAndIncrement();
        try
        {
            final long[] closedValues = finalValues;
            return null != closedValues ? closedValues[descriptor.ordinal()] : counters[descriptor.ordinal()].get();
        }
        finally
        {
            liveReaders.getAndDecrement();
        }
    }

    /**
     * Number of counters in the set.
     *
     * @return the number of descriptors.
     */
    public int size()
    {
        return descriptors.length;
    }

    /**
     * Keep the counters' last values, then free every counter in the counters manager. Idempotent.
     */
    @Override
    public void close()
    {
        if (null == finalValues)
        {
            final long[] values = new long[counters.length];
            for (int i = 0; i < counters.length; i++)
            {
                values[i] = counters[i].get();
            }
            finalValues = values;
            // A reader that saw the set open finishes its read first; none starts on the live counters after this.
            while (liveReaders.get() > 0)
            {
                Thread.onSpinWait();
            }
            CloseHelper.closeAll(counters);
        }
    }
}
