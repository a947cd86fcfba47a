package io.raet4j.ipc;

import org.agrona.BitUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Interns the IPv4 socket address of each datagram source, keyed by its 32-bit address and port, so that receiving
 * from any number of peers allocates nothing: an open-addressing table with linear probing over a {@code long} key,
 * {@code address << 16 | port}.
 * <p>
 * Bounded: once {@code maxEntries} sources are held, a new source is not added but a fresh, equal address is made
 * for each of its datagrams and counted in {@link #uncachedLookups()}. Nothing is evicted, so the sources seen first
 * keep their instances; equality does not depend on the cache, only allocation does. An address made here is equal
 * to {@code new InetSocketAddress("a.b.c.d", port)} (equality of {@link InetSocketAddress} compares the IP address
 * and port, not the host name). The table has at least twice as many slots as entries, so probes stay short.
 * <p>
 * NOT thread safe: only called from the duty-cycle agent thread.
 */
final class Inet4AddressCache
{
    private final long[] keys;
    private final InetSocketAddress[] values;
    private final int mask;
    private final int maxEntries;
    private int size;
    private long uncachedLookups;

    /**
     * A cache for up to {@code maxEntries} addresses.
     *
     * @param maxEntries the most addresses held, at least 1.
     */
    Inet4AddressCache(final int maxEntries)
    {
        if (maxEntries < 1 || maxEntries > (1 << 28))
        {
            throw new IllegalArgumentException("maxEntries must be in 1.." + (1 << 28) + ": " + maxEntries);
        }

        this.maxEntries = maxEntries;
        final int slots = BitUtil.findNextPositivePowerOfTwo(maxEntries * 2);
        keys = new long[slots];
        values = new InetSocketAddress[slots];
        mask = slots - 1;
    }

    /**
     * The socket address for an IPv4 address and port: the held instance, or a new one that is added if there is
     * room. Allocates nothing on a hit.
     *
     * @param address the IPv4 address, most significant byte first (as {@code 0x7F000001} for 127.0.0.1).
     * @param port    0..65535.
     * @return the socket address.
     */
    InetSocketAddress lookup(final int address, final int port)
    {
        final long key = ((address & 0xFFFF_FFFFL) << 16) | (port & 0xFFFF);
        final InetSocketAddress[] values = this.values;
        final int mask = this.mask;
        int index = mix(key) & mask;
        InetSocketAddress value;
        while (null != (value = values[index]))
        {
            if (keys[index] == key)
            {
                return value;
            }
            index = (index + 1) & mask;
        }

        final InetSocketAddress made = make(address, port);
        if (size < maxEntries)
        {
            keys[index] = key;
            values[index] = made;
            size++;
        }
        else
        {
            uncachedLookups++;
        }

        return made;
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

    private static InetSocketAddress make(final int address, final int port)
    {
        final byte[] bytes = {(byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address};
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        }
        catch (final UnknownHostException ex)
        {
            // getByAddress only throws for a length other than 4 or 16.
            throw new IllegalStateException(ex);
        }
    }

    private static int mix(final long key)
    {
        final long hash = key * 0x9E37_79B9_7F4A_7C15L;
        return (int)(hash >>> 32);
    }
}
