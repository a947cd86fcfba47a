package io.raet4j.transport.media;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A carrier of datagrams: UDP on a road, Unix-domain datagram sockets on a lane, or a wrapper that injects faults.
 * <p>
 * All methods are called from the duty-cycle agent thread only: an implementation is NOT thread safe. Neither
 * {@link #receive(DatagramHandler, int)} nor {@link #send(ByteBuffer, SocketAddress)} may allocate in steady
 * state, block, or throw for an ordinary I/O failure: failures are reported through the return value and to the
 * error handler the media was built with.
 */
public interface Media extends AutoCloseable
{
    /**
     * Returned by {@link #send(ByteBuffer, SocketAddress)} when the socket could not take the datagram now.
     */
    int SEND_WOULD_BLOCK = 0;

    /**
     * Returned by {@link #send(ByteBuffer, SocketAddress)} when the datagram could not be sent and will never be
     * sent by this call; the cause has gone to the error handler.
     */
    int SEND_FAILED = -1;

    /**
     * Receive up to {@code limit} datagrams without blocking, handing each to {@code handler}.
     *
     * @param handler that is given each datagram; the buffer it is given is only valid during the call.
     * @param limit   the most datagrams to receive in this call.
     * @return the number of datagrams received.
     */
    int receive(DatagramHandler handler, int limit);

    /**
     * Send one datagram without blocking.
     *
     * @param buffer      holding the datagram between its position and limit; a direct buffer for zero copy.
     *                    Its position is left undefined after the call.
     * @param destination to send to, as returned by {@link #resolve(String)} or given to a {@link DatagramHandler}.
     * @return the number of bytes sent, {@link #SEND_WOULD_BLOCK} or {@link #SEND_FAILED}.
     */
    int send(ByteBuffer buffer, SocketAddress destination);

    /**
     * Hand the datagrams queued by {@link #send(ByteBuffer, SocketAddress)} to the kernel, for a media that batches
     * its sends. The duty cycle calls it on its own thread after it has served the estates, and again after anything
     * else that sent outside that service (such as the Leave datagrams of a close), so nothing stays queued past the
     * cycle that sent it. Must not allocate or block; datagrams the kernel cannot take now stay queued for the next
     * call. A media that sends at once has nothing to do.
     *
     * @return the number of datagrams handed to the kernel.
     */
    default int flush()
    {
        return 0;
    }

    /**
     * Parse an address in this media's notation ({@code host:port} for UDP). Control plane only: may allocate.
     *
     * @param address in this media's notation.
     * @return the resolved address.
     * @throws IllegalArgumentException if the address is not valid for this media.
     */
    SocketAddress resolve(String address);

    /**
     * The address this media is bound to, as peers see it.
     *
     * @return the bound local address.
     */
    SocketAddress localAddress();

    /**
     * Largest datagram this media can carry, in bytes.
     *
     * @return the largest datagram in bytes.
     */
    int maxDatagramLength();

    /**
     * Whether this media sends to addresses of this kind (UDP to IP socket addresses, a lane to yard socket paths),
     * so that a {@link CompositeMedia} can route each datagram. Control plane and hot path: must not allocate.
     *
     * @param address a destination.
     * @return true if {@link #send} can carry a datagram to it.
     */
    default boolean canReach(final SocketAddress address)
    {
        return address instanceof java.net.InetSocketAddress;
    }

    /**
     * Whether datagrams to and from this address never leave the host (a lane: the kernel is the only carrier), which
     * lets a stack apply its lane settings, such as encryption off by default, to the estate there.
     *
     * @param address of a peer.
     * @return true for host-local carriers.
     */
    default boolean isHostLocal(final SocketAddress address)
    {
        return false;
    }

    /**
     * The kernel's receive buffer as {@code SO_RCVBUF} reports it after binding: the memory that datagrams waiting to
     * be read may take before the kernel drops what arrives. A stack bounds the receive credit it grants each peer
     * by it, so that a reader that falls briefly behind does not turn into loss. Zero when the media never drops for
     * want of room (a lane holds the sender back instead) or cannot tell.
     *
     * @return the receive buffer in bytes, or 0.
     */
    default int receiveBufferBytes()
    {
        return 0;
    }

    /**
     * Release the socket. Idempotent.
     */
    void close();
}
