package io.raet4j.ipc;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

import java.net.SocketAddress;

/**
 * Interns the address of each datagram source, by the raw path bytes that name it, so that receiving allocates
 * nothing: an open-addressing table with linear probing, keyed by the FNV-1a hash of the bytes and compared byte by
 * byte against the bytes still in the receive buffer. One class serves both lane media: the {@code sun_path} of a
 * {@link UnixAddress} and the source path written in a {@link SharedMemoryAddress} record.
 * <p>
 * Bounded: once {@code maxEntries} sources are held, a new source is not added but a fresh, equal address is made by
 * the factory for each of its datagrams and counted in {@link #uncachedLookups()}. Nothing is evicted, so the sources
 * seen first, the long-lived peers of a lane, keep their instances; equality does not depend on the cache, only
 * allocation does. The table has at least twice as many slots as entries, so probes stay short. Zero-length keys are
 * never held: they go to the factory each time (a Unix socket that never bound gives its shared unnamed address).
 * <p>
 * NOT thread safe: only called from the duty-cycle agent thread.
 *
 * @param <A> the address type.
 */
final class PathAddressCache<A extends SocketAddress>
{
    /**
     * Makes an address from path bytes in a buffer; called on a miss only.
     *
     * @param <A> the address type.
     */
    @FunctionalInterface
    interface Factory<A>
    {
        /**
         * Copy an address out of a buffer.
         *
         * @param buffer holding the bytes.
         * @param offset of the first byte.
         * @param length of the bytes.
         * @return an address equal to any other made from the same bytes.
         */
        A copyOf(DirectBuffer buffer, int offset, int length);
    }

    private final Factory<A> factory;
    private final byte[][] keys;
    private final int[] hashes;
    private final Object[] values;
    private final int mask;
    private final int maxEntries;
    private int size;
    private long uncachedLookups;

    /**
     * A cache for up to {@code maxEntries} addresses.
     *
     * @param maxEntries the most addresses held, at least 1.
     * @param factory    makes an address on a miss.
     */
    PathAddressCache(final int maxEntries, final Factory<A> factory)
    {
        if (maxEntries < 1 || maxEntries > (1 << 28))
        {
            throw new IllegalArgumentException("maxEntries must be in 1.." + (1 << 28) + ": " + maxEntries);
        }

        this.maxEntries = maxEntries;
        this.factory = factory;
        final int slots = BitUtil.findNextPositivePowerOfTwo(maxEntries * 2);
        keys = new byte[slots][];
        hashes = new int[slots];
        values = new Object[slots];
        mask = slots - 1;
    }

    /**
     * The address for the path bytes in a buffer: the held instance, or a new one that is added if there is room.
     * Allocates nothing on a hit.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the path bytes; 0 is never cached.
     * @return the address.
     */
    @SuppressWarnings("unchecked")
    A lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length)
        {
            return factory.copyOf(buffer, offset, 0);
        }

        final int hash = hash(buffer, offset, length);
        final byte[][] keys = this.keys;
        final int mask = this.mask;
        int index = mix(hash) & mask;
        byte[] key;
        while (null != (key = keys[index]))
        {
            if (hashes[index] == hash && matches(key, buffer, offset, length))
            {
                return (A)values[index];
            }
            index = (index + 1) & mask;
        }

        final A address = factory.copyOf(buffer, offset, length);
        if (size < maxEntries)
        {
            key = new byte[length];
            buffer.getBytes(offset, key);
            keys[index] = key;
            hashes[index] = hash;
            values[index] = address;
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

    /**
     * FNV-1a over bytes in a buffer.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length in bytes.
     * @return the hash.
     */
    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ (buffer.getByte(offset + i) & 0xFF)) * 0x01000193;
        }

        return hash;
    }

    /**
     * FNV-1a over bytes in an array, the same as {@link #hash(DirectBuffer, int, int)} for those bytes.
     *
     * @param bytes to hash.
     * @return the hash.
     */
    static int hash(final byte[] bytes)
    {
        int hash = 0x811C9DC5;
        for (final byte b : bytes)
        {
            hash = (hash ^ (b & 0xFF)) * 0x01000193;
        }

        return hash;
    }

    private static boolean matches(final byte[] key, final DirectBuffer buffer, final int offset, final int length)
    {
        if (key.length != length)
        {
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            if (key[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }

        return true;
    }

    private static int mix(final int hash)
    {
        // FNV-1a leaves the low bits weak for short keys that differ only in their last byte.
        return hash ^ (hash >>> 16);
    }
}
