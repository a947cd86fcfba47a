package io.raet4j.transactions.estate;

import io.raet4j.transport.EstateRegistry;

import java.net.SocketAddress;
import java.util.Arrays;

/**
 * Every remote estate the stack knows, by id and by address, and the two lists the duty cycle works from: estates with
 * work pending (acks, retransmissions, new segments, liveness requests: served each cycle until idle) and estates
 * holding messages for the application (polled in turn, starting where the last poll stopped).
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class Estates
{
    private final EstateRegistry<RemoteEstate> registry = new EstateRegistry<>();
    private RemoteEstate[] active = new RemoteEstate[16];
    private int activeCount;
    private RemoteEstate[] readable = new RemoteEstate[16];
    private int readableCount;
    private int nextReadable;

    /**
     * The estate with an id.
     *
     * @param id of the estate.
     * @return the estate, or null.
     */
    public RemoteEstate byId(final long id)
    {
        return registry.byId(id);
    }

    /**
     * The estate at an address.
     *
     * @param address of the estate.
     * @return the estate, or null.
     */
    public RemoteEstate byAddress(final SocketAddress address)
    {
        return registry.byAddress(address);
    }

    /**
     * The number of estates known.
     *
     * @return the count.
     */
    public int size()
    {
        return registry.size();
    }

    /**
     * An estate by index, for iteration; indices change when an estate is removed.
     *
     * @param index from 0 to {@link #size()} - 1.
     * @return the estate.
     */
    public RemoteEstate get(final int index)
    {
        return registry.get(index);
    }

    /**
     * Add an estate.
     *
     * @param estate to add.
     */
    public void add(final RemoteEstate estate)
    {
        registry.add(estate);
    }

    /**
     * Give an estate its id, name and address, learnt from a join.
     *
     * @param estate  the estate.
     * @param id      its id.
     * @param name    its name.
     * @param address its address.
     */
    public void identify(final RemoteEstate estate, final long id, final String name, final SocketAddress address)
    {
        registry.identify(estate, id, name, address);
    }

    /**
     * Remove an estate, from the registry and from both work lists.
     *
     * @param estate to remove.
     */
    public void remove(final RemoteEstate estate)
    {
        registry.remove(estate);
        removeActive(estate);
        removeReadable(estate);
    }

    /**
     * Put an estate in the list of those with work pending, if it is not there.
     *
     * @param estate the estate; ignored if null or no longer registered.
     */
    public void activate(final RemoteEstate estate)
    {
        if (null != estate && !estate.isActive && estate.isRegistered())
        {
            estate.isActive = true;
            if (activeCount == active.length)
            {
                active = Arrays.copyOf(active, activeCount * 2);
            }
            active[activeCount++] = estate;
        }
    }

    /**
     * The number of estates with work pending.
     *
     * @return the count.
     */
    public int activeCount()
    {
        return activeCount;
    }

    /**
     * An estate with work pending.
     *
     * @param index from 0 to {@link #activeCount()} - 1.
     * @return the estate.
     */
    public RemoteEstate active(final int index)
    {
        return active[index];
    }

    /**
     * Take the estate at an index out of the work list: the last one takes its place.
     *
     * @param index of the estate.
     */
    public void deactivate(final int index)
    {
        active[index].isActive = false;
        active[index] = active[--activeCount];
        active[activeCount] = null;
    }

    private void removeActive(final RemoteEstate estate)
    {
        if (!estate.isActive)
        {
            return;
        }
        for (int i = 0; i < activeCount; i++)
        {
            if (active[i] == estate)
            {
                deactivate(i);
                return;
            }
        }
        estate.isActive = false;
    }

    /**
     * Put an estate in the list of those holding messages for the application, if it is not there.
     *
     * @param estate the estate.
     */
    public void addReadable(final RemoteEstate estate)
    {
        if (estate.isReadable)
        {
            return;
        }
        estate.isReadable = true;
        if (readableCount == readable.length)
        {
            readable = Arrays.copyOf(readable, readableCount * 2);
        }
        readable[readableCount++] = estate;
    }

    /**
     * The number of estates holding messages for the application.
     *
     * @return the count.
     */
    public int readableCount()
    {
        return readableCount;
    }

    /**
     * An estate holding messages for the application.
     *
     * @param index from 0 to {@link #readableCount()} - 1.
     * @return the estate.
     */
    public RemoteEstate readable(final int index)
    {
        return readable[index];
    }

    /**
     * Where the next poll starts in the readable list, so that estates take turns: a busy estate cannot starve the
     * others, whatever the poll's limit.
     *
     * @return an index below {@link #readableCount()}, or 0 when empty.
     */
    public int nextReadable()
    {
        return nextReadable < readableCount ? nextReadable : 0;
    }

    /**
     * Record where the next poll starts.
     *
     * @param index the index after the estate the last poll stopped at.
     */
    public void nextReadable(final int index)
    {
        nextReadable = index;
    }

    /**
     * Take the estate at an index out of the readable list, keeping the others' order.
     *
     * @param index of the estate.
     */
    public void removeReadable(final int index)
    {
        readable[index].isReadable = false;
        System.arraycopy(readable, index + 1, readable, index, readableCount - index - 1);
        readable[--readableCount] = null;
        if (nextReadable > index)
        {
            nextReadable--;
        }
    }

    private void removeReadable(final RemoteEstate estate)
    {
        if (!estate.isReadable)
        {
            return;
        }
        for (int i = 0; i < readableCount; i++)
        {
            if (readable[i] == estate)
            {
                removeReadable(i);
                return;
            }
        }
    }
}
