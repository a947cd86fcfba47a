package io.raet4j.transport.media;

import org.agrona.concurrent.UnsafeBuffer;

import java.net.SocketAddress;

/**
 * Receives datagrams from a {@link Media}. Called on the duty-cycle agent thread.
 */
@FunctionalInterface
public interface DatagramHandler
{
    /**
     * One datagram has arrived.
     *
     * @param buffer holding the datagram; only valid for the duration of the call.
     * @param offset at which the datagram starts.
     * @param length of the datagram in bytes.
     * @param source the sender's address; an instance the media may reuse, so copy it before keeping it.
     */
    void onDatagram(UnsafeBuffer buffer, int offset, int length, SocketAddress source);
}
