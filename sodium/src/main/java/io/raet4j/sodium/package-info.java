/**
 * libsodium for raet4j: {@link io.raet4j.sodium.SodiumChaCha20Poly1305} seals and opens packets with libsodium's
 * IETF ChaCha20-Poly1305 (the same RFC 8439 wire format as the codec's pure-Java implementations), bound through
 * jnr-ffi by {@link io.raet4j.sodium.Sodium}, and {@link io.raet4j.sodium.SodiumPacketAeadProvider} offers it to the
 * codec's {@code PacketAeadFactory}.
 */
package io.raet4j.sodium;
