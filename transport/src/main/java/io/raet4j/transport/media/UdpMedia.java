package io.raet4j.transport.media;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * A {@link Media} over a non-blocking UDP {@link DatagramChannel} bound to one local address.
 * <p>
 * One receive buffer serves every datagram: a cache-line aligned direct buffer of {@code maxDatagramLength + 1}
 * bytes, wrapped once by the {@link UnsafeBuffer} handed to the {@link DatagramHandler}. The spare byte detects a
 * datagram longer than {@link #maxDatagramLength()}: the kernel truncates it to the buffer, so a receive that
 * fills the buffer is dropped and counted in {@link #oversizeDrops()} rather than delivered truncated.
 * <p>
 * Neither {@link #receive(DatagramHandler, int)} nor {@link #send(ByteBuffer, SocketAddress)} allocates in steady
 * state: the JDK's channel reuses the sender address object while the sender stays the same, and a send from a
 * direct buffer is copied by the kernel straight from that buffer. The JDK caches one sender only: datagrams from
 * two or more interleaved peers cost a new {@link InetSocketAddress} each time the sender changes (128 B measured on
 * JDK 17).
 * <p>
 * NOT thread safe: only called from the duty-cycle agent thread.
 */
public final class UdpMedia implements Media
{
    /**
     * Largest UDP payload over IPv4: 65535 less the IP and UDP headers.
     */
    public static final int MAX_UDP_PAYLOAD = 65507;

    private static final int MAX_PORT = 65535;

    private final DatagramChannel channel;
    private final ByteBuffer receiveByteBuffer;
    private final UnsafeBuffer receiveBuffer;
    private final int maxDatagramLength;
    private final ErrorHandler errorHandler;
    private final InetSocketAddress localAddress;
    private final int receiveBufferBytes;
    private long oversizeDrops;
    private boolean closed;

    /**
     * Open a channel and bind it.
     *
     * @param bindAddress              to bind to; port 0 binds an ephemeral port, see {@link #localAddress()}.
     * @param maxDatagramLength        largest datagram carried, in bytes; longer ones are dropped on receive.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             given the I/O failures of {@link #send} and {@link #receive}.
     * @throws UncheckedIOException     if the channel cannot be opened, configured or bound.
     * @throws IllegalArgumentException if a length is out of range.
     */
    public UdpMedia(
        final InetSocketAddress bindAddress,
        final int maxDatagramLength,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        if (maxDatagramLength <= 0 || maxDatagramLength > MAX_UDP_PAYLOAD)
        {
            throw new IllegalArgumentException(
                "maxDatagramLength must be in 1.." + MAX_UDP_PAYLOAD + ": " + maxDatagramLength);
        }
        if (socketReceiveBufferBytes < 0 || socketSendBufferBytes < 0)
        {
            throw new IllegalArgumentException("socket buffer lengths must be >= 0: SO_RCVBUF=" +
                socketReceiveBufferBytes + " SO_SNDBUF=" + socketSendBufferBytes);
        }
        if (null == bindAddress || null == errorHandler)
        {
            throw new NullPointerException("bindAddress and errorHandler are required");
        }

        this.maxDatagramLength = maxDatagramLength;
        this.errorHandler = errorHandler;

        DatagramChannel channel = null;
        boolean bound = false;
        try
        {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, Boolean.FALSE);
            if (socketReceiveBufferBytes > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, socketReceiveBufferBytes);
            }
            if (socketSendBufferBytes > 0)
            {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, socketSendBufferBytes);
            }
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            localAddress = (InetSocketAddress)channel.getLocalAddress();
            receiveBufferBytes = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            bound = true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to bind UDP media to " + bindAddress + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!bound)
            {
                CloseHelper.quietClose(channel);
            }
        }
        this.channel = channel;

        receiveByteBuffer = BufferUtil.allocateDirectAligned(maxDatagramLength + 1, BitUtil.CACHE_LINE_LENGTH);
        receiveBuffer = new UnsafeBuffer(receiveByteBuffer);
    }

    /**
     * Open a media bound to {@code host:port} with the OS default socket buffers. Control plane only.
     *
     * @param bindAddress       to bind to in {@code host:port} or {@code [ipv6]:port} notation.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param errorHandler      given the I/O failures of {@link #send} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed.
     * @throws UncheckedIOException     if the bind fails.
     */
    public static UdpMedia open(final String bindAddress, final int maxDatagramLength, final ErrorHandler errorHandler)
    {
        return new UdpMedia(parse(bindAddress), maxDatagramLength, 0, 0, errorHandler);
    }

    /**
     * Open a media bound to {@code host:port} with the socket buffers asked for. The kernel may grant less (Linux caps
     * {@code SO_RCVBUF} at {@code net.core.rmem_max}); {@link #receiveBufferBytes()} tells what it granted. Control
     * plane only.
     *
     * @param bindAddress              to bind to in {@code host:port} or {@code [ipv6]:port} notation.
     * @param maxDatagramLength        largest datagram carried, in bytes.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             given the I/O failures of {@link #send} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed.
     * @throws UncheckedIOException     if the bind fails.
     */
    public static UdpMedia open(
        final String bindAddress,
        final int maxDatagramLength,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        return new UdpMedia(
            parse(bindAddress), maxDatagramLength, socketReceiveBufferBytes, socketSendBufferBytes, errorHandler);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Datagrams longer than {@link #maxDatagramLength()} are counted in {@link #oversizeDrops()} and not delivered,
     * but they count towards {@code limit} and the return value. An I/O failure goes to the error handler and ends
     * the call.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        final ByteBuffer byteBuffer = receiveByteBuffer;
        final int oversizeLength = maxDatagramLength + 1;
        int received = 0;

        while (received < limit)
        {
            final SocketAddress source;
            byteBuffer.clear();
            try
            {
                source = channel.receive(byteBuffer);
            }
            catch (final IOException ex)
            {
                errorHandler.onError(ex);
                break;
            }

            if (null == source)
            {
                break;
            }

            received++;
            final int length = byteBuffer.position();
            if (length >= oversizeLength)
            {
                oversizeDrops++;
            }
            else
            {
                handler.onDatagram(receiveBuffer, 0, length, source);
            }
        }

        return received;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Never throws: an I/O failure, or a destination this socket cannot reach (unresolved, wrong family), goes to
     * the error handler and returns {@link #SEND_FAILED}.
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        try
        {
            return channel.send(buffer, destination);
        }
        catch (final IOException | UnresolvedAddressException | UnsupportedAddressTypeException ex)
        {
            errorHandler.onError(ex);
            return SEND_FAILED;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Accepts {@code host:port} and {@code [ipv6]:port}, port in 0..65535; the host is resolved now.
     */
    @Override
    public SocketAddress resolve(final String address)
    {
        return parse(address);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The address actually bound: an ephemeral port if port 0 was asked for.
     */
    @Override
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    /**
     * Datagrams received that were longer than {@link #maxDatagramLength()} and dropped.
     *
     * @return the count of oversize datagrams dropped.
     */
    public long oversizeDrops()
    {
        return oversizeDrops;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.close(errorHandler, channel);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "UdpMedia{localAddress=" + localAddress + ", maxDatagramLength=" + maxDatagramLength + '}';
    }

    private static InetSocketAddress parse(final String address)
    {
        if (null == address || address.isEmpty())
        {
            throw new IllegalArgumentException("address must be host:port, was empty");
        }

        return parse(address, address);
    }

    /**
     * Parse {@code host:port} or {@code [ipv6]:port} into a resolved socket address, for the UDP media of other
     * modules that take the same notation behind a prefix. Control plane only: allocates and may resolve a name.
     *
     * @param hostPort the {@code host:port} part, not empty.
     * @param address  the address as the user wrote it, for the messages.
     * @return the resolved address.
     * @throws IllegalArgumentException if malformed or the host is unknown, saying which.
     */
    public static InetSocketAddress parse(final String hostPort, final String address)
    {
        final String host;
        final String portText;
        if (hostPort.charAt(0) == '[')
        {
            final int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("address must be [ipv6]:port: " + address);
            }
            host = hostPort.substring(1, close);
            portText = hostPort.substring(close + 2);
        }
        else
        {
            final int colon = hostPort.lastIndexOf(':');
            if (colon < 0 || hostPort.indexOf(':') != colon)
            {
                throw new IllegalArgumentException(
                    "address must be host:port (IPv6 as [ipv6]:port): " + address);
            }
            host = hostPort.substring(0, colon);
            portText = hostPort.substring(colon + 1);
        }

        if (host.isEmpty())
        {
            throw new IllegalArgumentException("address has no host: " + address);
        }

        final int port = parsePort(portText, address);
        final InetSocketAddress resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved())
        {
            throw new IllegalArgumentException("unknown host '" + host + "' in address: " + address);
        }

        return resolved;
    }

    private static int parsePort(final String portText, final String address)
    {
        if (portText.isEmpty() || portText.length() > 5)
        {
            throw new IllegalArgumentException("port must be 0.." + MAX_PORT + " in address: " + address);
        }

        int port = 0;
        for (int i = 0; i < portText.length(); i++)
        {
            final char c = portText.charAt(i);
            if (c < '0' || c > '9')
            {
                throw new IllegalArgumentException("port must be 0.." + MAX_PORT + " in address: " + address);
            }
            port = port * 10 + (c - '0');
        }

        if (port > MAX_PORT)
        {
            throw new IllegalArgumentException("port must be 0.." + MAX_PORT + " in address: " + address);
        }

        return port;
    }
}
