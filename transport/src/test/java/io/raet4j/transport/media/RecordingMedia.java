package io.raet4j.transport.media;

import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link Media} for tests: records every datagram sent, and delivers datagrams queued with
 * {@link #enqueueInbound(byte[])} on receive. Allocates freely; not for allocation tests unless
 * {@link #recording(boolean)} is off.
 */
final class RecordingMedia implements Media
{
    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 40001);
    static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40002);

    private final int maxDatagramLength;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<SocketAddress> destinations = new ArrayList<>();
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final UnsafeBuffer receiveBuffer;
    private boolean recording = true;
    private int sendResultOverride = Integer.MIN_VALUE;
    private long sendCalls;
    private boolean closed;

    RecordingMedia(final int maxDatagramLength)
    {
        this.maxDatagramLength = maxDatagramLength;
        receiveBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxDatagramLength));
    }

    RecordingMedia recording(final boolean recording)
    {
        this.recording = recording;
        return this;
    }

    void sendResultOverride(final int result)
    {
        sendResultOverride = result;
    }

    void clearSendResultOverride()
    {
        sendResultOverride = Integer.MIN_VALUE;
    }

    List<byte[]> sent()
    {
        return sent;
    }

    List<SocketAddress> destinations()
    {
        return destinations;
    }

    long sendCalls()
    {
        return sendCalls;
    }

    boolean isClosed()
    {
        return closed;
    }

    void enqueueInbound(final byte[] datagram)
    {
        inbound.add(datagram);
    }

    public int receive(final DatagramHandler handler, final int limit)
    {
        int received = 0;
        while (received < limit && !inbound.isEmpty())
        {
            final byte[] datagram = inbound.poll();
            receiveBuffer.putBytes(0, datagram);
            handler.onDatagram(receiveBuffer, 0, datagram.length, PEER);
            received++;
        }
        return received;
    }

    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        sendCalls++;
        if (Integer.MIN_VALUE != sendResultOverride)
        {
            return sendResultOverride;
        }

        final int length = buffer.remaining();
        if (recording)
        {
            final byte[] copy = new byte[length];
            buffer.get(copy);
            sent.add(copy);
            destinations.add(destination);
        }
        else
        {
            buffer.position(buffer.limit());
        }
        return length;
    }

    public SocketAddress resolve(final String address)
    {
        return PEER;
    }

    public SocketAddress localAddress()
    {
        return LOCAL;
    }

    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    public void close()
    {
        closed = true;
    }
}
