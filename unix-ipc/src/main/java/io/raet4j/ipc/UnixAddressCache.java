package io.raet4j.ipc;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

/**
 * Interns the {@link UnixAddress} of each datagram source so that receiving allocates nothing: an open-addressing
 * table with linear probing, keyed by the FNV-1a hash of the raw {@code sun_path} bytes and compared byte by byte
 * against the bytes still in the receive buffer.
 * <p>
 * Bounded: once {@code maxEntries} sources are held, a new source is not added but a fresh, equal
 * {@link UnixAddress} is allocated for each of its datagrams and counted in {@link #uncachedLookups()}. Nothing is
 * evicted, so the sources seen first, the long-lived peers of a lane, keep their instances; equality does not depend
 * on the cache, only allocation does. The table has at least twice as many slots as entries, so probes stay short.
 * <p>
 * NOT thread safe: only called from the duty-cycle agent thread.
 */
final class UnixAddressCache
{
    private final UnixAddress[] slots;
    private final int mask;
    private final int maxEntries;
    private int size;
    private long uncachedLookups;

    /**
     * A cache for up to {@code maxEntries} addresses.
     *
     * @param maxEntries the most addresses held, at least 1.
     */
    UnixAddressCache(final int maxEntries)
    {
        if (maxEntries < 1 || maxEntries > (1 << 28))
        {
            throw new IllegalArgumentException("maxEntries must be in 1.." + (1 << 28) + ": " + maxEntries);
        }

        this.maxEntries = maxEntries;
        slots = new UnixAddress[BitUtil.findNextPositivePowerOfTwo(maxEntries * 2)];
        mask = slots.length - 1;
    }

    /**
     * The address for the path bytes in a buffer: the held instance, or a new one that is added if there is room.
     * Allocates nothing on a hit.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the path without a terminating NUL; 0 for an unnamed socket.
     * @return the address, equal to {@code UnixAddress.of("unix:" + path)} for a filesystem path.
     */
    UnixAddress lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length)
        {
            return UnixAddress.UNNAMED;
        }

        final int hash = UnixAddress.hash(buffer, offset, length);
        final UnixAddress[] slots = this.slots;
        final int mask = this.mask;
        int index = mix(hash) & mask;
        UnixAddress entry;
        while (null != (entry = slots[index]))
        {
            if (entry.matches(buffer, offset, length, hash))
            {
                return entry;
            }
            index = (index + 1) & mask;
        }

        final UnixAddress address = UnixAddress.copyOf(buffer, offset, length);
        if (size < maxEntries)
        {
            slots[index] = address;
            size++;
        }
        else
        {
            uncachedLookups++;
        }

        return address;
    }

    /**
     * Addresses held.
     *
     * @return the number of addresses held.
     */
    int size()
    {
        return size;
    }

    /**
     * Lookups of a source not held while the cache was full, each of which allocated.
     *
     * @return the count of uncached lookups.
     */
    long uncachedLookups()
    {
        return uncachedLookups;
    }

    private static int mix(final int hash)
    {
        // FNV-1a leaves the low bits weak for short keys that differ only in their last byte.
        return hash ^ (hash >>> 16);
    }
}
