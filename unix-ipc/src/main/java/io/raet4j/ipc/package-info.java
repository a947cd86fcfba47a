/**
 * Lanes, the media of the stacks of one host: {@link io.raet4j.ipc.UnixDatagramMedia} carries datagrams over
 * {@code AF_UNIX} datagram sockets, each bound to a yard socket file in a lane directory, addresses
 * {@link io.raet4j.ipc.UnixAddress} written {@code unix:PATH}; {@link io.raet4j.ipc.SharedMemoryMedia} carries them
 * through shared memory, each yard owning a memory-mapped inbox file holding a many-to-one ring, addresses
 * {@link io.raet4j.ipc.SharedMemoryAddress} written {@code shm:PATH}. Beside them, a road:
 * {@link io.raet4j.ipc.MmsgUdpMedia} carries UDP over IPv4 with batched system calls ({@code recvmmsg},
 * {@code sendmmsg}), addresses written {@code udp:HOST:PORT}. All three plug into transport as a
 * {@link io.raet4j.transport.media.Media} through a {@link io.raet4j.transport.media.MediaProvider}.
 */
package io.raet4j.ipc;
