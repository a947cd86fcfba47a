package io.raet4j.transport.media;

import org.agrona.CloseHelper;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Several media served by one stack, for example a road (UDP) and a lane (Unix-domain datagram sockets): one duty
 * cycle receives from each in turn, and each datagram sent goes out through the first media that
 * {@link Media#canReach can reach} its destination. Addresses are resolved by the first media that accepts their
 * notation ({@code host:port}, {@code unix:PATH}).
 * <p>
 * Not thread safe, like every media: the duty-cycle thread only. Allocation free on receive and send.
 */
public final class CompositeMedia implements Media
{
    private final Media[] media;
    private int next;

    /**
     * Serve these media together; the first is the primary one, whose address is {@link #localAddress()}.
     *
     * @param media at least one; closed when this one is closed.
     * @return the composite.
     */
    public static CompositeMedia of(final Media... media)
    {
        if (null == media || 0 == media.length)
        {
            throw new IllegalArgumentException("at least one media");
        }
        return new CompositeMedia(media.clone());
    }

    private CompositeMedia(final Media[] media)
    {
        this.media = media;
    }

    /**
     * The media served, primary first.
     *
     * @return a copy of the array.
     */
    public Media[] media()
    {
        return media.clone();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Takes up to the limit from each media in turn, starting with a different one each call so that a busy media
     * cannot starve the others.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        int received = 0;
        final int count = media.length;
        final int first = next;
        next = (first + 1) % count;
        for (int i = 0; i < count; i++)
        {
            received += media[(first + i) % count].receive(handler, limit);
        }
        return received;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        for (final Media m : media)
        {
            if (m.canReach(destination))
            {
                return m.send(buffer, destination);
            }
        }
        return SEND_FAILED;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Flushes every media.
     */
    @Override
    public int flush()
    {
        int sent = 0;
        for (final Media m : media)
        {
            sent += m.flush();
        }
        return sent;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress resolve(final String address)
    {
        IllegalArgumentException first = null;
        for (final Media m : media)
        {
            try
            {
                return m.resolve(address);
            }
            catch (final IllegalArgumentException ex)
            {
                if (null == first)
                {
                    first = ex;
                }
            }
        }
        throw null != first ? first : new IllegalArgumentException("no media for " + address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress localAddress()
    {
        return media[0].localAddress();
    }

    /**
     * {@inheritDoc}
     * <p>
     * The smallest of the media, so that one segment size fits every path.
     */
    @Override
    public int maxDatagramLength()
    {
        int min = Integer.MAX_VALUE;
        for (final Media m : media)
        {
            min = Math.min(min, m.maxDatagramLength());
        }
        return min;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The smallest non-zero buffer of the media: the credit bound must hold on the path that drops.
     */
    @Override
    public int receiveBufferBytes()
    {
        int min = 0;
        for (final Media m : media)
        {
            final int bytes = m.receiveBufferBytes();
            if (bytes > 0 && (0 == min || bytes < min))
            {
                min = bytes;
            }
        }
        return min;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean canReach(final SocketAddress address)
    {
        for (final Media m : media)
        {
            if (m.canReach(address))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isHostLocal(final SocketAddress address)
    {
        for (final Media m : media)
        {
            if (m.canReach(address))
            {
                return m.isHostLocal(address);
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(media);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "CompositeMedia" + Arrays.toString(media);
    }
}
