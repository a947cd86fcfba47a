package io.raet4j.transport.media;

import org.agrona.ErrorHandler;

import java.util.ServiceLoader;

/**
 * Opens a media for an address notation, so that a module outside the transport (the lane media of {@code unix-ipc},
 * for {@code unix:PATH}) plugs in without the stack depending on it: implementations are found with
 * {@link ServiceLoader} ({@code META-INF/services/io.raet4j.transport.media.MediaProvider}). UDP ({@code host:port})
 * is built in.
 */
public interface MediaProvider
{
    /**
     * Whether this provider opens media for an address written like this one.
     *
     * @param address as configured, e.g. {@code unix:/run/raet/lane/a.sock}.
     * @return true if {@link #open} accepts it.
     */
    boolean supports(String address);

    /**
     * Open and bind a media.
     *
     * @param address      to bind to.
     * @param mtu          largest datagram.
     * @param errorHandler for I/O failures met later.
     * @return the open media.
     */
    Media open(String address, int mtu, ErrorHandler errorHandler);

    /**
     * Open and bind a media, asking for socket buffers of these sizes where the media has such buffers. The default
     * ignores them.
     *
     * @param address                  to bind to.
     * @param mtu                      largest datagram.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             for I/O failures met later.
     * @return the open media.
     */
    default Media open(
        final String address,
        final int mtu,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        return open(address, mtu, errorHandler);
    }

    /**
     * Open a media for an address: the first provider on the class path that supports it, else UDP.
     *
     * @param address      to bind to.
     * @param mtu          largest datagram.
     * @param errorHandler for I/O failures met later.
     * @return the open media.
     * @throws IllegalArgumentException if the address is in a notation no provider supports and is not UDP.
     */
    static Media openFor(final String address, final int mtu, final ErrorHandler errorHandler)
    {
        return openFor(address, mtu, 0, 0, errorHandler);
    }

    /**
     * Open a media for an address with socket buffers of these sizes: the first provider on the class path that
     * supports it, else UDP.
     *
     * @param address                  to bind to.
     * @param mtu                      largest datagram.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             for I/O failures met later.
     * @return the open media.
     * @throws IllegalArgumentException if the address is in a notation no provider supports and is not UDP.
     */
    static Media openFor(
        final String address,
        final int mtu,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        for (final MediaProvider provider : ServiceLoader.load(MediaProvider.class))
        {
            if (provider.supports(address))
            {
                return provider.open(address, mtu, socketReceiveBufferBytes, socketSendBufferBytes, errorHandler);
            }
        }
        if (address.startsWith("unix:") || address.startsWith("shm:"))
        {
            throw new IllegalArgumentException(
                "no media for " + address + ": put raet4j-unix-ipc on the class path for lanes");
        }
        if (address.startsWith("udp:"))
        {
            throw new IllegalArgumentException(
                "no media for " + address + ": put raet4j-unix-ipc on the class path for batched UDP");
        }
        return UdpMedia.open(address, mtu, socketReceiveBufferBytes, socketSendBufferBytes, errorHandler);
    }
}
