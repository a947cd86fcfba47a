/**
 * Lanes: AF_UNIX datagram sockets and shared-memory inboxes as media of the transport, found through
 * {@code MediaProvider} for {@code unix:PATH} and {@code shm:PATH} addresses; and a road: UDP with batched system
 * calls ({@code recvmmsg}, {@code sendmmsg}) for {@code udp:HOST:PORT}.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.ipc
{
    requires transitive io.raet4j.transport;
    requires org.jnrproject.ffi;
    requires org.jnrproject.unixsocket;
    requires org.jnrproject.constants;

    exports io.raet4j.ipc;
    // jnr-ffi implements the native call interface by reflection.
    opens io.raet4j.ipc to org.jnrproject.ffi;

    provides io.raet4j.transport.media.MediaProvider with
        io.raet4j.ipc.UnixMediaProvider,
        io.raet4j.ipc.SharedMemoryMediaProvider,
        io.raet4j.ipc.MmsgUdpMediaProvider;
}
