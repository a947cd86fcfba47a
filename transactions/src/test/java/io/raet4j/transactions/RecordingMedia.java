package io.raet4j.transactions;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A media that keeps a copy of every datagram it sends, so a test can replay, tamper with and re-inject them from the
 * real socket of the stack (the source address an attacker on the path would also use).
 */
final class RecordingMedia implements Media
{
    final Media inner;
    final List<byte[]> sent = new ArrayList<>();
    boolean isRecording = true;
    boolean isDropping;
    long dropped;
    /** Drops the datagrams it accepts, as lost on the way; null for none. */
    java.util.function.Predicate<byte[]> dropIf;

    RecordingMedia(final Media inner)
    {
        this.inner = inner;
    }

    public int receive(final DatagramHandler handler, final int limit)
    {
        return inner.receive(handler, limit);
    }

    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        if (isRecording)
        {
            final byte[] copy = new byte[buffer.remaining()];
            buffer.duplicate().get(copy);
            sent.add(copy);
        }
        if (isDropping || (null != dropIf && dropIf.test(copyOf(buffer))))
        {
            // Lost on the way, as when the receiver's socket overflows: the sender sees a successful send.
            dropped++;
            final int length = buffer.remaining();
            buffer.position(buffer.limit());
            return length;
        }
        return inner.send(buffer, destination);
    }

    private static byte[] copyOf(final ByteBuffer buffer)
    {
        final byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    int inject(final byte[] datagram, final SocketAddress destination)
    {
        return inner.send(ByteBuffer.allocateDirect(datagram.length).put(datagram).flip(), destination);
    }

    public int flush()
    {
        return inner.flush();
    }

    public SocketAddress resolve(final String address)
    {
        return inner.resolve(address);
    }

    public SocketAddress localAddress()
    {
        return inner.localAddress();
    }

    public int maxDatagramLength()
    {
        return inner.maxDatagramLength();
    }

    public void close()
    {
        inner.close();
    }
}
