package io.raet4j.transactions.estate;

import io.raet4j.transactions.EstateState;
import io.raet4j.transport.status.EstateCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One remote estate's counters in the status file (see {@link EstateCounterDescriptor}): allocated when the estate
 * first joins, freed when it is reaped. Writes are single-writer ordered stores, readable live by another process.
 * <p>
 * NOT thread safe: written by the duty cycle only.
 */
public final class EstateCounters implements AutoCloseable
{
    private static final EstateCounterDescriptor[] DESCRIPTORS = EstateCounterDescriptor.values();

    /** Presence state, the ordinal of its {@link EstateState}. */
    public final AtomicCounter state;
    /** Messages offered to the estate. */
    public final AtomicCounter offered;
    /** Messages it confirmed its application got. */
    public final AtomicCounter delivered;
    /** Messages to it that certainly were not delivered. */
    public final AtomicCounter failed;
    /** Messages to it whose delivery is unknown. */
    public final AtomicCounter uncertain;
    /** Messages from it handed to the application. */
    public final AtomicCounter received;
    /** Segments sent to it again. */
    public final AtomicCounter retransmits;
    /** Milliseconds since it was last heard from. */
    public final AtomicCounter silentMs;
    /** Smoothed round trip to it, microseconds. */
    public final AtomicCounter rttUs;
    private final AtomicCounter[] all;

    private EstateCounters(final AtomicCounter[] all)
    {
        this.all = all;
        state = all[EstateCounterDescriptor.STATE.ordinal()];
        offered = all[EstateCounterDescriptor.MESSAGES_OFFERED.ordinal()];
        delivered = all[EstateCounterDescriptor.MESSAGES_DELIVERED.ordinal()];
        failed = all[EstateCounterDescriptor.MESSAGES_FAILED.ordinal()];
        uncertain = all[EstateCounterDescriptor.MESSAGES_UNCERTAIN.ordinal()];
        received = all[EstateCounterDescriptor.MESSAGES_RECEIVED.ordinal()];
        retransmits = all[EstateCounterDescriptor.RETRANSMITS.ordinal()];
        silentMs = all[EstateCounterDescriptor.SILENT_MS.ordinal()];
        rttUs = all[EstateCounterDescriptor.RTT_US.ordinal()];
    }

    /**
     * Allocate an estate's counters, if the counters file has room for them all. Control plane: allocates.
     *
     * @param manager of the status file's counters.
     * @param id      of the estate.
     * @param name    of the estate.
     * @param address of the estate, as people read it.
     * @return the counters, or null when there is no room.
     */
    public static EstateCounters allocate(
        final CountersManager manager, final long id, final String name, final String address)
    {
        if (manager.available() < DESCRIPTORS.length)
        {
            return null;
        }
        final byte[] nameAndAddress = (name + '\0' + address).getBytes(StandardCharsets.UTF_8);
        final AtomicCounter[] all = new AtomicCounter[DESCRIPTORS.length];
        try
        {
            for (final EstateCounterDescriptor descriptor : DESCRIPTORS)
            {
                all[descriptor.ordinal()] = manager.newCounter(
                    "estate " + name + " (" + String.format("%016x", id) + ") at " + address + ": " +
                    descriptor.label(),
                    descriptor.typeId(),
                    (keyBuffer) ->
                    {
                        keyBuffer.putLong(0, id, ByteOrder.LITTLE_ENDIAN);
                        final int length = Math.min(nameAndAddress.length,
                            CountersManager.MAX_KEY_LENGTH - Long.BYTES);
                        keyBuffer.putBytes(Long.BYTES, nameAndAddress, 0, length);
                    });
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(all);
            return null;
        }
        return new EstateCounters(all);
    }

    /**
     * Set the presence state.
     *
     * @param value the estate's state.
     */
    public void state(final EstateState value)
    {
        state.setRelease(value.ordinal());
    }

    /**
     * Free the counters. Idempotent.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(all);
    }
}
