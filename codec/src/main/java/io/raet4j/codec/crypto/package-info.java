/**
 * Authenticated encryption of packets: {@link io.raet4j.codec.crypto.PacketAead} seals and opens one region of a
 * datagram in place with the RFC 8439 AEAD_CHACHA20_POLY1305 construction, with a 64-bit packet counter as the
 * nonce. Implementations sit on vetted libraries only (BouncyCastle's lightweight engines or the JDK's SunJCE); the
 * one for the data path allocates nothing per packet. Key agreement and anti-replay belong to the layers above.
 */
package io.raet4j.codec.crypto;
