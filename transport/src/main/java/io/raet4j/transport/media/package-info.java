/**
 * Media: the sockets under a stack. {@link io.raet4j.transport.media.Media} is the seam a Unix-domain lane plugs
 * into; {@code UdpMedia} carries a road, and {@code FaultInjectingMedia} wraps any media with seedable loss,
 * duplication, reordering, corruption and delay for tests and the loss bench.
 */
package io.raet4j.transport.media;
