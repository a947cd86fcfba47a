package io.raet4j.ipc;

import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.MediaProvider;
import org.agrona.ErrorHandler;

/**
 * Plugs shared-memory lanes into the stack: a {@link MediaProvider} for {@code shm:PATH} addresses, found by the stack
 * through {@link java.util.ServiceLoader} when this module is on the class path, so that
 * {@code new Context().bindAddress("shm:yard-a")} gives a stack whose yard is an inbox in
 * {@code /dev/shm/raet4j-<user name>}. The ring capacity is {@link SharedMemoryMedia#RING_CAPACITY_DEFAULT} or the
 * system property {@value SharedMemoryMedia#RING_CAPACITY_PROP_NAME}; socket buffer sizes do not apply.
 */
public final class SharedMemoryMediaProvider implements MediaProvider
{
    /**
     * The provider, as {@link java.util.ServiceLoader} makes it.
     */
    public SharedMemoryMediaProvider()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean supports(final String address)
    {
        return null != address && address.startsWith(SharedMemoryAddress.PREFIX);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Media open(final String address, final int mtu, final ErrorHandler errorHandler)
    {
        return SharedMemoryMedia.open(address, mtu, errorHandler);
    }
}
