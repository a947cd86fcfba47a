package io.raet4j.transport;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.net.SocketAddress;
import java.util.Arrays;

/**
 * The estates a stack knows, found by id on the hot path (a primitive-keyed map: no boxing) and by address on the
 * control path, and iterable by index without an iterator.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 *
 * @param <E> type of estate kept.
 */
public final class EstateRegistry<E extends Estate>
{
    private final Long2ObjectHashMap<E> byId = new Long2ObjectHashMap<>();
    private final Object2ObjectHashMap<SocketAddress, E> byAddress = new Object2ObjectHashMap<>();
    private Estate[] estates = new Estate[16];
    private int size;

    /**
     * An empty registry.
     */
    public EstateRegistry()
    {
    }

    /**
     * Add an estate. Its id may still be zero (a join in progress), in which case it is found only by address.
     *
     * @param estate to add.
     * @throws IllegalStateException if the estate is already registered.
     */
    public void add(final E estate)
    {
        if (estate.registryIndex() >= 0)
        {
            throw new IllegalStateException("estate already registered");
        }
        if (size == estates.length)
        {
            estates = Arrays.copyOf(estates, size * 2);
        }
        estates[size] = estate;
        estate.registryIndex(size);
        size++;
        if (0 != estate.id())
        {
            byId.put(estate.id(), estate);
        }
        byAddress.put(estate.address(), estate);
    }

    /**
     * Remove an estate. Removing one that is not registered does nothing.
     *
     * @param estate to remove.
     */
    public void remove(final E estate)
    {
        final int index = estate.registryIndex();
        if (index < 0)
        {
            return;
        }
        final int last = size - 1;
        final Estate moved = estates[last];
        estates[index] = moved;
        moved.registryIndex(index);
        estates[last] = null;
        size = last;
        estate.registryIndex(-1);
        if (0 != estate.id() && byId.get(estate.id()) == estate)
        {
            byId.remove(estate.id());
        }
        if (byAddress.get(estate.address()) == estate)
        {
            byAddress.remove(estate.address());
        }
    }

    /**
     * Give a registered estate its id, name and address as learnt from a join.
     *
     * @param estate  registered estate.
     * @param id      non-zero id.
     * @param name    of the estate.
     * @param address it is now reached at.
     */
    public void identify(final E estate, final long id, final String name, final SocketAddress address)
    {
        if (0 != estate.id() && byId.get(estate.id()) == estate)
        {
            byId.remove(estate.id());
        }
        if (byAddress.get(estate.address()) == estate)
        {
            byAddress.remove(estate.address());
        }
        estate.id(id);
        estate.name(name);
        estate.address(address);
        byId.put(id, estate);
        byAddress.put(address, estate);
    }

    /**
     * Find an estate by id. Allocation free.
     *
     * @param id of the estate.
     * @return the estate or null.
     */
    public E byId(final long id)
    {
        return byId.get(id);
    }

    /**
     * Find an estate by the address it is reached at.
     *
     * @param address of the estate.
     * @return the estate or null.
     */
    public E byAddress(final SocketAddress address)
    {
        return byAddress.get(address);
    }

    /**
     * Number of estates.
     *
     * @return the number of estates.
     */
    public int size()
    {
        return size;
    }

    /**
     * Estate at an index from 0 to {@link #size()} - 1; indices change when estates are removed.
     *
     * @param index of the estate.
     * @return the estate.
     */
    @SuppressWarnings("unchecked")
    public E get(final int index)
    {
        return (E)estates[index];
    }
}
