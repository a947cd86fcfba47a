package io.raet4j.ipc;

import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.MediaProvider;
import org.agrona.ErrorHandler;

/**
 * Plugs the batching UDP media into the stack: a {@link MediaProvider} for {@code udp:HOST:PORT} addresses, found by
 * the stack through {@link java.util.ServiceLoader} when this module is on the class path, so that
 * {@code new Context().bindAddress("udp:127.0.0.1:0")} gives a stack on a {@link MmsgUdpMedia}. With the system
 * property {@value #MEDIA_PROP_NAME}{@code =mmsg}, plain {@code HOST:PORT} bind addresses are opened with it too.
 * Peers are written either way: the media resolves both notations to the same {@link java.net.InetSocketAddress}.
 */
public final class MmsgUdpMediaProvider implements MediaProvider
{
    /**
     * System property naming the media for plain {@code HOST:PORT} bind addresses: {@value #MEDIA_MMSG} for
     * {@link MmsgUdpMedia}, anything else (or unset) for the transport's own UDP media. Read at each open.
     */
    public static final String MEDIA_PROP_NAME = "raet4j.udp.media";

    /**
     * Value of {@link #MEDIA_PROP_NAME} that selects {@link MmsgUdpMedia} for plain {@code HOST:PORT}.
     */
    public static final String MEDIA_MMSG = "mmsg";

    /**
     * The provider, as {@link java.util.ServiceLoader} makes it.
     */
    public MmsgUdpMediaProvider()
    {
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@code udp:HOST:PORT} always; {@code HOST:PORT} when {@value #MEDIA_PROP_NAME} is {@value #MEDIA_MMSG} on
     * 64-bit Linux (the lane notations {@code unix:} and {@code shm:} never).
     */
    @Override
    public boolean supports(final String address)
    {
        if (null == address)
        {
            return false;
        }
        if (address.startsWith(MmsgUdpMedia.PREFIX))
        {
            return true;
        }

        return MEDIA_MMSG.equals(System.getProperty(MEDIA_PROP_NAME)) && LibC.isSupported() &&
            !address.startsWith(UnixAddress.PREFIX) && !address.startsWith(SharedMemoryAddress.PREFIX);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Media open(final String address, final int mtu, final ErrorHandler errorHandler)
    {
        return MmsgUdpMedia.open(address, mtu, errorHandler);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Media open(
        final String address,
        final int mtu,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        return MmsgUdpMedia.open(address, mtu, socketReceiveBufferBytes, socketSendBufferBytes, errorHandler);
    }
}
