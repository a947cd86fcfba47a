package io.raet4j.codec.crypto;

import io.raet4j.codec.crypto.AeadFixtures.BufferKind;
import io.raet4j.codec.crypto.AeadFixtures.Implementation;
import io.raet4j.codec.crypto.AeadFixtures.Packet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.raet4j.codec.crypto.AeadFixtures.BUFFER_KINDS;
import static io.raet4j.codec.crypto.AeadFixtures.IMPLEMENTATIONS;
import static io.raet4j.codec.crypto.AeadFixtures.key;
import static io.raet4j.codec.crypto.AeadFixtures.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every implementation computes the same RFC 8439 construction: a packet sealed by one opens with every other, and
 * all of them produce the same bytes for the same key, nonce and input.
 */
class PacketAeadInteropTest
{
    private static final int HEADER_LENGTH = 40;
    private static final int NONCE_PREFIX = 0x5EED;

    static Stream<Arguments> pairsBuffersAndSizes()
    {
        return IMPLEMENTATIONS.stream().flatMap((sealer) -> IMPLEMENTATIONS.stream().flatMap((opener) ->
            BUFFER_KINDS.stream().flatMap((kind) -> Stream.of(0, 1, 1024, 1334, 64 * 1024)
                .map((size) -> Arguments.of(sealer, opener, kind, size)))));
    }

    @ParameterizedTest(name = "{0} -> {1} {2} {3} B")
    @MethodSource("pairsBuffersAndSizes")
    void shouldOpenWhatAnotherImplementationSealed(
        final Implementation sealerImplementation,
        final Implementation openerImplementation,
        final BufferKind kind,
        final int size)
    {
        final PacketAead sealer = sealerImplementation.factory().get();
        final PacketAead opener = openerImplementation.factory().get();
        sealer.init(key(11), NONCE_PREFIX);
        opener.init(key(11), NONCE_PREFIX);
        final byte[] aad = pattern(HEADER_LENGTH, 21);
        final byte[] plaintext = pattern(size, 22);
        final long nonce = 0x0123_4567_89AB_CDEFL + size;

        final Packet packet = new Packet(kind, aad, plaintext);
        packet.seal(sealer, nonce);

        final Packet reference = new Packet(kind, aad, plaintext);
        final PacketAead referenceSealer = IMPLEMENTATIONS.get(0).factory().get();
        referenceSealer.init(key(11), NONCE_PREFIX);
        reference.seal(referenceSealer, nonce);
        assertArrayEquals(reference.sealed(), packet.sealed(), "same ciphertext and tag as " + IMPLEMENTATIONS.get(0));

        assertTrue(packet.open(opener, nonce));
        assertArrayEquals(plaintext, packet.text());
        assertArrayEquals(aad, packet.aad());
        assertTrue(packet.slackIntact());
    }
}
