package io.raet4j.codec.crypto;

import io.raet4j.codec.crypto.AeadFixtures.BufferKind;
import io.raet4j.codec.crypto.AeadFixtures.Implementation;
import io.raet4j.codec.crypto.AeadFixtures.Packet;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static io.raet4j.codec.crypto.AeadFixtures.BUFFER_KINDS;
import static io.raet4j.codec.crypto.AeadFixtures.IMPLEMENTATIONS;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_AAD;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_CIPHERTEXT;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_KEY;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_NONCE;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_NONCE_PREFIX;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_PLAINTEXT;
import static io.raet4j.codec.crypto.AeadFixtures.RFC_TAG;
import static io.raet4j.codec.crypto.AeadFixtures.bytes;
import static io.raet4j.codec.crypto.AeadFixtures.key;
import static io.raet4j.codec.crypto.AeadFixtures.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link PacketAead} contract, for every implementation and every kind of buffer.
 */
class PacketAeadTest
{
    private static final int HEADER_LENGTH = 40;
    private static final int KIB = 1024;

    static Stream<Arguments> implementationsAndBuffers()
    {
        return IMPLEMENTATIONS.stream()
            .flatMap((implementation) -> BUFFER_KINDS.stream().map((kind) -> Arguments.of(implementation, kind)));
    }

    static Stream<Arguments> implementationsBuffersAndSizes()
    {
        return implementationsAndBuffers().flatMap((arguments) -> Stream.of(0, 1, KIB, 1334, 2049, 64 * KIB)
            .map((size) -> Arguments.of(arguments.get()[0], arguments.get()[1], size)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldSealTheRfc8439AeadTestVector(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead aead = implementation.factory().get();
        aead.init(RFC_KEY, RFC_NONCE_PREFIX);
        final Packet packet = new Packet(kind, RFC_AAD, RFC_PLAINTEXT);

        assertEquals(RFC_PLAINTEXT.length + PacketAead.TAG_LENGTH, packet.seal(aead, RFC_NONCE));

        assertArrayEquals(RFC_CIPHERTEXT, packet.text());
        assertArrayEquals(RFC_TAG, packet.tag());
        assertArrayEquals(RFC_AAD, packet.aad());
        assertTrue(packet.slackIntact());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldOpenTheRfc8439AeadTestVector(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead aead = implementation.factory().get();
        aead.init(RFC_KEY, RFC_NONCE_PREFIX);
        final byte[] sealed = Arrays.copyOf(RFC_CIPHERTEXT, RFC_CIPHERTEXT.length + PacketAead.TAG_LENGTH);
        System.arraycopy(RFC_TAG, 0, sealed, RFC_CIPHERTEXT.length, PacketAead.TAG_LENGTH);
        final Packet packet = new Packet(kind, RFC_AAD, RFC_CIPHERTEXT);
        packet.buffer.putBytes(packet.textOffset, sealed);

        assertTrue(packet.open(aead, RFC_NONCE));

        assertArrayEquals(RFC_PLAINTEXT, packet.text());
        assertArrayEquals(RFC_TAG, packet.tag(), "the tag is left after the plaintext");
        assertTrue(packet.slackIntact());
    }

    @ParameterizedTest(name = "{0} {1} {2} B")
    @MethodSource("implementationsBuffersAndSizes")
    void shouldRoundTripInPlace(final Implementation implementation, final BufferKind kind, final int size)
    {
        final byte[] aad = pattern(HEADER_LENGTH, 1);
        final byte[] plaintext = pattern(size, 2);
        final PacketAead sealer = implementation.create(key(1));
        final PacketAead opener = implementation.create(key(1));
        final Packet packet = new Packet(kind, aad, plaintext);

        assertEquals(size + PacketAead.TAG_LENGTH, packet.seal(sealer, 42));
        assertArrayEquals(aad, packet.aad());
        if (size >= PacketAead.TAG_LENGTH)
        {
            assertFalse(Arrays.equals(plaintext, packet.text()), "the plaintext is encrypted in place");
        }

        assertTrue(packet.open(opener, 42));
        assertArrayEquals(plaintext, packet.text());
        assertArrayEquals(aad, packet.aad());
        assertTrue(packet.slackIntact());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldRejectEverySingleByteTamperingAndLeaveTheBufferAsItWas(
        final Implementation implementation, final BufferKind kind)
    {
        final PacketAead sealer = implementation.create(key(2));
        final PacketAead opener = implementation.create(key(2));
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 3), pattern(KIB, 4));
        packet.seal(sealer, 7);
        final byte[] sealedBuffer = bytes(packet.buffer);
        final int end = packet.textOffset + packet.textLength + PacketAead.TAG_LENGTH;

        for (int index = packet.aadOffset; index < end; index++)
        {
            final byte flip = (byte)(1 << (index & 7));
            packet.buffer.putByte(index, (byte)(sealedBuffer[index] ^ flip));
            final byte[] tampered = bytes(packet.buffer);

            assertFalse(packet.open(opener, 7), "tampered byte " + index);
            assertArrayEquals(tampered, bytes(packet.buffer), "buffer changed by failed open, byte " + index);

            packet.buffer.putByte(index, sealedBuffer[index]);
        }

        assertTrue(packet.open(opener, 7), "the genuine packet still opens after the forgeries");
        assertArrayEquals(pattern(KIB, 4), packet.text());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldRejectAWrongNonceAWrongPrefixAndAWrongKey(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead sealer = implementation.create(key(3));
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 5), pattern(KIB, 6));
        packet.seal(sealer, 1000);
        final byte[] sealedBuffer = bytes(packet.buffer);

        final PacketAead opener = implementation.create(key(3));
        assertFalse(packet.open(opener, 1001));
        assertFalse(packet.open(opener, 999));
        assertFalse(packet.open(opener, 1000L | (1L << 63)));

        final PacketAead otherPrefix = implementation.factory().get();
        otherPrefix.init(key(3), 1);
        assertFalse(packet.open(otherPrefix, 1000));

        final PacketAead otherKey = implementation.create(key(4));
        assertFalse(packet.open(otherKey, 1000));

        assertArrayEquals(sealedBuffer, bytes(packet.buffer));
        assertTrue(packet.open(opener, 1000));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldOpenTheSameNonceAgainAfterAForgery(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead sealer = implementation.create(key(5));
        final PacketAead opener = implementation.create(key(5));
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 7), pattern(100, 8));
        packet.seal(sealer, 5);
        final byte[] sealedBuffer = bytes(packet.buffer);

        final int tagOffset = packet.textOffset + packet.textLength;
        packet.buffer.putByte(tagOffset, (byte)~sealedBuffer[tagOffset]);
        assertFalse(packet.open(opener, 5));
        packet.buffer.putByte(tagOffset, sealedBuffer[tagOffset]);
        assertTrue(packet.open(opener, 5));

        packet.buffer.putBytes(0, sealedBuffer);
        assertTrue(packet.open(opener, 5), "a duplicate opens too: replay is the session's business");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldReturnFalseForRegionsNoPacketCouldHave(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead aead = implementation.create(key(6));
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 9), pattern(64, 10));
        packet.seal(aead, 1);
        final byte[] sealedBuffer = bytes(packet.buffer);
        final MutableDirectBuffer buffer = packet.buffer;
        final int capacity = buffer.capacity();
        final int aadOffset = packet.aadOffset;
        final int textOffset = packet.textOffset;

        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, textOffset, PacketAead.TAG_LENGTH - 1));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, textOffset, -1));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, textOffset, capacity));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, capacity, PacketAead.TAG_LENGTH));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertFalse(aead.open(1, buffer, -1, HEADER_LENGTH, textOffset, 64 + PacketAead.TAG_LENGTH));
        assertFalse(aead.open(1, buffer, aadOffset, -1, textOffset, 64 + PacketAead.TAG_LENGTH));
        assertFalse(aead.open(1, buffer, aadOffset, capacity, textOffset, 64 + PacketAead.TAG_LENGTH));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH + 1, textOffset, 64 + PacketAead.TAG_LENGTH));
        assertFalse(aead.open(1, buffer, aadOffset, HEADER_LENGTH, textOffset + 1, 64 + PacketAead.TAG_LENGTH));

        assertArrayEquals(sealedBuffer, bytes(buffer));
        assertTrue(aead.open(1, buffer, aadOffset, HEADER_LENGTH, textOffset, 64 + PacketAead.TAG_LENGTH));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldRefuseToSealWithANonceThatDoesNotGrow(final Implementation implementation, final BufferKind kind)
    {
        final PacketAead aead = implementation.create(key(7));
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 11), pattern(32, 12));

        packet.seal(aead, -2L);
        assertThrows(IllegalStateException.class, () -> packet.seal(aead, -2L));
        assertThrows(IllegalStateException.class, () -> packet.seal(aead, 3L), "compared unsigned");
        packet.seal(aead, -1L);
        assertThrows(IllegalStateException.class, () -> packet.seal(aead, 0L), "the counter is exhausted");

        aead.init(key(8));
        packet.seal(aead, 0L);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("implementationsAndBuffers")
    void shouldThrowWhenSealingWithArgumentsNoPacketCouldHave(
        final Implementation implementation, final BufferKind kind)
    {
        final PacketAead unkeyed = implementation.factory().get();
        final Packet packet = new Packet(kind, pattern(HEADER_LENGTH, 13), pattern(32, 14));
        final MutableDirectBuffer buffer = packet.buffer;
        final int capacity = buffer.capacity();
        assertThrows(IllegalStateException.class, () -> packet.seal(unkeyed, 1));
        assertThrows(IllegalStateException.class, () -> packet.open(unkeyed, 1));
        assertThrows(IllegalArgumentException.class, () -> unkeyed.init(new byte[PacketAead.KEY_LENGTH - 1]));

        final PacketAead aead = implementation.create(key(9));
        assertThrows(IndexOutOfBoundsException.class,
            () -> aead.seal(1, buffer, 0, HEADER_LENGTH, capacity - PacketAead.TAG_LENGTH + 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(2, buffer, -1, HEADER_LENGTH, 60, 1));
        assertThrows(IllegalArgumentException.class, () -> aead.seal(3, buffer, 0, HEADER_LENGTH, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> aead.seal(4, buffer, 0, HEADER_LENGTH, 40, -1));
    }
}
