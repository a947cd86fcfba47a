package io.raet4j.transport;

import java.net.SocketAddress;

/**
 * A remote peer as the transport knows it: a non-zero id, a name and the address it is reached at.
 * Subclassed by the transactions layer to hang per-peer protocol state on.
 * <p>
 * NOT thread safe: owned by the duty-cycle agent.
 */
public class Estate
{
    private long id;
    private String name;
    private SocketAddress address;
    private int registryIndex = -1;

    /**
     * A new estate reached at an address.
     *
     * @param id      of the estate, or zero while unknown.
     * @param name    of the estate, or null while unknown.
     * @param address the estate is reached at.
     */
    public Estate(final long id, final String name, final SocketAddress address)
    {
        this.id = id;
        this.name = name;
        this.address = address;
    }

    /**
     * Id of the estate, zero while unknown.
     *
     * @return the id.
     */
    public final long id()
    {
        return id;
    }

    /**
     * Name of the estate, null while unknown.
     *
     * @return the name.
     */
    public final String name()
    {
        return name;
    }

    /**
     * Address the estate is reached at.
     *
     * @return the address.
     */
    public final SocketAddress address()
    {
        return address;
    }

    final void id(final long id)
    {
        this.id = id;
    }

    final void name(final String name)
    {
        this.name = name;
    }

    final void address(final SocketAddress address)
    {
        this.address = address;
    }

    /**
     * Is the estate in a registry.
     *
     * @return true while registered.
     */
    public final boolean isRegistered()
    {
        return registryIndex >= 0;
    }

    final int registryIndex()
    {
        return registryIndex;
    }

    final void registryIndex(final int registryIndex)
    {
        this.registryIndex = registryIndex;
    }
}
