package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback UDP socket for the proxy tests: sends text, and a thread collects what arrives with its source, so a
 * test can wait (bounded) for a datagram or check that none comes. Optionally answers each datagram with
 * {@code echo:TEXT}, as a target.
 */
final class UdpEndpoint implements AutoCloseable
{
    /** A datagram that arrived. */
    record Received(String text, InetSocketAddress from)
    {
    }

    private final DatagramSocket socket;
    private final boolean isEcho;
    private final List<Received> received = new ArrayList<>();
    private final Thread thread;

    private UdpEndpoint(final boolean isEcho)
    {
        try
        {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        this.isEcho = isEcho;
        thread = new Thread(this::receive, "udp-endpoint-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    static UdpEndpoint client()
    {
        return new UdpEndpoint(false);
    }

    static UdpEndpoint echoTarget()
    {
        return new UdpEndpoint(true);
    }

    InetSocketAddress address()
    {
        return (InetSocketAddress)socket.getLocalSocketAddress();
    }

    void send(final String text, final InetSocketAddress to)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try
        {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    synchronized List<Received> received()
    {
        return List.copyOf(received);
    }

    synchronized boolean hasReceived(final String text)
    {
        return received.stream().anyMatch(r -> r.text().equals(text));
    }

    synchronized Received find(final String text)
    {
        return received.stream().filter(r -> r.text().equals(text)).findFirst().orElse(null);
    }

    synchronized int count()
    {
        return received.size();
    }

    Received await(final String text, final Duration timeout)
    {
        Await.until(() -> hasReceived(text), timeout, () -> "'" + text + "' at " + address() + ", got " + received());
        return find(text);
    }

    void awaitNone(final String text, final Duration duration)
    {
        Await.never(() -> hasReceived(text), duration, () -> "'" + text + "' arrived at " + address());
    }

    @Override
    public void close()
    {
        socket.close();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void receive()
    {
        final DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        try
        {
            socket.setSoTimeout(0);
            while (!socket.isClosed())
            {
                packet.setLength(2048);
                try
                {
                    socket.receive(packet);
                }
                catch (final SocketTimeoutException ignore)
                {
                    continue;
                }
                final String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                final InetSocketAddress from = (InetSocketAddress)packet.getSocketAddress();
                synchronized (this)
                {
                    received.add(new Received(text, from));
                }
                if (isEcho)
                {
                    send("echo:" + text, from);
                }
            }
        }
        catch (final IOException | UncheckedIOException ignore)
        {
            // closed
        }
    }
}
