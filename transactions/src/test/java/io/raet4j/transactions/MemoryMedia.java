package io.raet4j.transactions;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A media without sockets for tests that must be fast and deterministic: what the stack sends is kept in
 * {@link #sent} for the test to deliver, drop, replay or edit, and what the test {@link #inject}s is handed to the
 * stack's {@link DatagramHandler} on its next receive, each datagram in a heap buffer exactly as long as itself so
 * that a read past its end fails Agrona's bounds check. Addresses are IPv4 socket addresses that are never resolved.
 * <p>
 * <b>Threading:</b> NOT thread safe; the stack's duty-cycle thread and the test are the same thread.
 */
final class MemoryMedia implements Media
{
    /**
     * One datagram and where it came from or goes to.
     *
     * @param bytes   the datagram.
     * @param address its source when received, its destination when sent.
     */
    record Datagram(byte[] bytes, SocketAddress address)
    {
    }

    /** The MTU both ends are launched with; a longer injected datagram is dropped as a socket would. */
    private final int maxDatagramLength;
    private final InetSocketAddress address;
    private final ArrayDeque<Datagram> inbox = new ArrayDeque<>();
    final List<Datagram> sent = new ArrayList<>();
    long tooLong;

    MemoryMedia(final InetSocketAddress address, final int maxDatagramLength)
    {
        this.address = address;
        this.maxDatagramLength = maxDatagramLength;
    }

    /**
     * Queue a datagram for the stack's next receive, as if it came from {@code source}.
     *
     * @param bytes  the datagram, copied.
     * @param source the address it claims to come from.
     */
    void inject(final byte[] bytes, final SocketAddress source)
    {
        if (bytes.length > maxDatagramLength)
        {
            tooLong++;
            return;
        }
        inbox.add(new Datagram(bytes.clone(), source));
    }

    /**
     * Datagrams injected and not yet received.
     *
     * @return their count.
     */
    int pending()
    {
        return inbox.size();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && !inbox.isEmpty())
        {
            final Datagram datagram = inbox.poll();
            // A fresh buffer per datagram: the stack opens sealed packets in place.
            handler.onDatagram(new UnsafeBuffer(datagram.bytes()), 0, datagram.bytes().length, datagram.address());
            count++;
        }

        return count;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        sent.add(new Datagram(bytes, destination));

        return bytes.length;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress resolve(final String address)
    {
        final int colon = address.lastIndexOf(':');

        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress localAddress()
    {
        return address;
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
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        inbox.clear();
        sent.clear();
    }
}
