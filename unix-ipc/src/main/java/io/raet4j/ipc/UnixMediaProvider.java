package io.raet4j.ipc;

import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.MediaProvider;
import org.agrona.ErrorHandler;

/**
 * Plugs lanes into the stack: a {@link MediaProvider} for {@code unix:PATH} addresses, found by the stack through
 * {@link java.util.ServiceLoader} when this module is on the class path, so that
 * {@code new Context().bindAddress("unix:/run/raet/lane/a.sock")} gives a stack on a lane.
 */
public final class UnixMediaProvider implements MediaProvider
{
    /**
     * The provider, as {@link java.util.ServiceLoader} makes it.
     */
    public UnixMediaProvider()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean supports(final String address)
    {
        return null != address && address.startsWith(UnixAddress.PREFIX);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Media open(final String address, final int mtu, final ErrorHandler errorHandler)
    {
        return UnixDatagramMedia.open(address, mtu, errorHandler);
    }
}
