/**
 * Unix-domain IPC: {@link io.raet4j.ipc.UnixDatagramMedia} carries datagrams between the stacks of one host over
 * {@code AF_UNIX} datagram sockets, each bound to a yard socket file in a lane directory, and plugs into transport
 * as a {@link io.raet4j.transport.media.Media}. Addresses are {@link io.raet4j.ipc.UnixAddress}, written
 * {@code unix:PATH}.
 */
package io.raet4j.ipc;
