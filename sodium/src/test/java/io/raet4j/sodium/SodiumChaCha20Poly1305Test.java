package io.raet4j.sodium;

import io.raet4j.codec.crypto.BcAeadChaCha20Poly1305;
import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.JdkChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAead;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.raet4j.codec.crypto.PacketAead.TAG_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SodiumChaCha20Poly1305} computes RFC 8439 exactly as the codec's pure-Java implementations do, in both
 * directions, over random keys, nonce prefixes, nonces, associated data and lengths from 0 to 64 KiB, in direct and
 * heap buffers; every tampered packet is refused by every implementation and left as it was; and it allocates
 * nothing per packet. Skipped, with the reason, where libsodium does not load.
 */
class SodiumChaCha20Poly1305Test
{
    private static final int[] LENGTHS = { 0, 1, 15, 16, 17, 63, 64, 65, 1024, 1334, 8192, 65535, 65536 };
    private static final int SLACK = 8;

    @BeforeEach
    void requireLibsodium()
    {
        assumeTrue(Sodium.isAvailable(), Sodium::unavailableReason);
    }

    @Test
    void shouldReproduceTheRfc8439AeadTestVector()
    {
        // RFC 8439 section 2.8.2: nonce 07000000 4041424344454647, i.e. prefix 7 then counter 0x4746454443424140.
        final byte[] key = new byte[PacketAead.KEY_LENGTH];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)(0x80 + i);
        }
        final byte[] aad = HexFormat.of().parseHex("50515253c0c1c2c3c4c5c6c7");
        final byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for " +
            "the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        final String expectedHead = "d31a8d34648e60db7b86afbc53ef7ec2";
        final String expectedTag = "1ae10b594f09e26a7e902ecbd0600691";

        final PacketAead aead = new SodiumChaCha20Poly1305();
        aead.init(key, 7);
        final UnsafeBuffer buffer = direct(aad.length + plaintext.length + TAG_LENGTH);
        buffer.putBytes(0, aad);
        buffer.putBytes(aad.length, plaintext);
        final int sealed = aead.seal(0x4746454443424140L, buffer, 0, aad.length, aad.length, plaintext.length);

        assertEquals(plaintext.length + TAG_LENGTH, sealed);
        assertEquals(expectedHead, HexFormat.of().formatHex(bytes(buffer, aad.length, 16)));
        assertEquals(expectedTag, HexFormat.of().formatHex(bytes(buffer, aad.length + plaintext.length, 16)));
        assertTrue(aead.open(0x4746454443424140L, buffer, 0, aad.length, aad.length, sealed));
        assertArrayEquals(plaintext, bytes(buffer, aad.length, plaintext.length));
    }

    static Stream<Arguments> peersAndBuffers()
    {
        final List<Arguments> arguments = new ArrayList<>();
        for (final String peer : new String[]{ "bc", "bc-aead", "jdk", "sodium" })
        {
            for (final boolean direct : new boolean[]{ true, false })
            {
                arguments.add(Arguments.of(peer, direct));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "sodium <-> {0}, direct {1}")
    @MethodSource("peersAndBuffers")
    void shouldInteroperateWithEveryImplementationAndRefuseEveryTamperedPacket(
        final String peerName, final boolean direct)
    {
        final Random random = new Random(0x50D1L + peerName.hashCode() + (direct ? 1 : 0));
        final Supplier<PacketAead> peer = implementation(peerName);
        for (final int length : LENGTHS)
        {
            final byte[] key = new byte[PacketAead.KEY_LENGTH];
            random.nextBytes(key);
            final int prefix = random.nextInt();
            final long nonce = random.nextLong();
            final byte[] aad = new byte[random.nextInt(65)];
            random.nextBytes(aad);
            final byte[] plaintext = new byte[length];
            random.nextBytes(plaintext);

            final PacketAead sodium = new SodiumChaCha20Poly1305();
            final PacketAead other = peer.get();
            sodium.init(key, prefix);
            other.init(key, prefix);

            final MutableDirectBuffer bySodium = packet(direct, aad, plaintext);
            final MutableDirectBuffer byOther = packet(direct, aad, plaintext);
            sodium.seal(nonce, bySodium, SLACK, aad.length, SLACK + aad.length, length);
            other.seal(nonce, byOther, SLACK, aad.length, SLACK + aad.length, length);
            assertArrayEquals(all(byOther), all(bySodium), "same ciphertext and tag, " + length + " B");

            final int sealedLength = length + TAG_LENGTH;
            final List<MutableDirectBuffer> tampered = tamperings(direct, all(bySodium), aad.length, length, random);
            for (final MutableDirectBuffer forgery : tampered)
            {
                final byte[] before = all(forgery);
                for (final PacketAead opener : new PacketAead[]{ sodium, other })
                {
                    assertFalse(opener.open(nonce, forgery, SLACK, aad.length, SLACK + aad.length, sealedLength));
                    assertArrayEquals(before, all(forgery), "a refused packet is left as it was");
                }
            }
            assertFalse(sodium.open(nonce + 1, bySodium, SLACK, aad.length, SLACK + aad.length, sealedLength));

            assertTrue(other.open(nonce, bySodium, SLACK, aad.length, SLACK + aad.length, sealedLength));
            assertArrayEquals(plaintext, bytes(bySodium, SLACK + aad.length, length));
            assertTrue(sodium.open(nonce, byOther, SLACK, aad.length, SLACK + aad.length, sealedLength));
            assertArrayEquals(plaintext, bytes(byOther, SLACK + aad.length, length));
            assertArrayEquals(aad, bytes(byOther, SLACK, aad.length));
            assertArrayEquals(new byte[SLACK], bytes(byOther, 0, SLACK));
            assertArrayEquals(new byte[SLACK], bytes(byOther, SLACK + aad.length + sealedLength, SLACK));
        }
    }

    @Test
    void shouldKeepTheChecksOfEveryPacketAead()
    {
        final PacketAead aead = new SodiumChaCha20Poly1305();
        final UnsafeBuffer buffer = direct(128);
        assertThrows(IllegalStateException.class, () -> aead.seal(1, buffer, 0, 8, 8, 16));
        assertThrows(IllegalArgumentException.class, () -> aead.init(new byte[16]));
        aead.init(new byte[PacketAead.KEY_LENGTH]);
        aead.seal(5, buffer, 0, 8, 8, 16);
        assertThrows(IllegalStateException.class, () -> aead.seal(5, buffer, 0, 8, 8, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(6, buffer, 0, 8, 8, 128));
        assertFalse(aead.open(5, buffer, 0, 8, 8, 15));
        assertFalse(aead.open(5, buffer, 0, 8, 120, 24));
        assertFalse(aead.open(5, buffer, -1, 8, 8, 32));
    }

    @Test
    void shouldNotAllocateWhenSealingAndOpeningADirectBuffer()
    {
        assertNoAllocation(direct(40 + 1024 + TAG_LENGTH));
    }

    @Test
    void shouldNotAllocateWhenSealingAndOpeningAHeapBuffer()
    {
        assertNoAllocation(new UnsafeBuffer(new byte[40 + 1024 + TAG_LENGTH]));
    }

    private static void assertNoAllocation(final MutableDirectBuffer buffer)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        final PacketAead sealer = new SodiumChaCha20Poly1305();
        final PacketAead opener = new SodiumChaCha20Poly1305();
        sealer.init(new byte[PacketAead.KEY_LENGTH], 3);
        opener.init(new byte[PacketAead.KEY_LENGTH], 3);
        long nonce = 0;
        for (int i = 0; i < 20_000; i++)
        {
            assertEquals(3, cycle(sealer, opener, buffer, nonce++));
        }

        // A one-off allocation by the JVM (JIT, OSR) can land in a round; one per packet would land in every round.
        final StringBuilder rounds = new StringBuilder();
        long allocated = -1;
        for (int round = 0; round < 5 && 0 != allocated; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            int outcomes = 0;
            for (int i = 0; i < 100_000; i++)
            {
                outcomes += cycle(sealer, opener, buffer, nonce++);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(300_000, outcomes);
            rounds.append(allocated).append(" B ");
        }
        assertEquals(0L, allocated, "bytes per round of 100,000 seal + failed open + open: " + rounds);
    }

    private static int cycle(
        final PacketAead sealer, final PacketAead opener, final MutableDirectBuffer buffer, final long nonce)
    {
        final int sealed = sealer.seal(nonce, buffer, 0, 40, 40, 1024);
        final int tagIndex = 40 + 1024;
        final byte tagByte = buffer.getByte(tagIndex);
        buffer.putByte(tagIndex, (byte)(tagByte ^ 1));
        final boolean forgery = opener.open(nonce, buffer, 0, 40, 40, sealed);
        buffer.putByte(tagIndex, tagByte);
        final boolean genuine = opener.open(nonce, buffer, 0, 40, 40, sealed);
        return (1024 + TAG_LENGTH == sealed ? 1 : 0) + (forgery ? 0 : 1) + (genuine ? 1 : 0);
    }

    private static Supplier<PacketAead> implementation(final String name)
    {
        switch (name)
        {
            case "bc":
                return BcChaCha20Poly1305::new;
            case "bc-aead":
                return BcAeadChaCha20Poly1305::new;
            case "jdk":
                return JdkChaCha20Poly1305::new;
            default:
                return SodiumChaCha20Poly1305::new;
        }
    }

    /**
     * Copies of a sealed packet with one bit flipped: in the associated data (if any), the ciphertext (if any), the
     * tag, and the last tag byte.
     */
    private static List<MutableDirectBuffer> tamperings(
        final boolean direct, final byte[] sealed, final int aadLength, final int length, final Random random)
    {
        final List<Integer> positions = new ArrayList<>();
        if (aadLength > 0)
        {
            positions.add(SLACK + random.nextInt(aadLength));
        }
        if (length > 0)
        {
            positions.add(SLACK + aadLength + random.nextInt(length));
        }
        positions.add(SLACK + aadLength + length + random.nextInt(TAG_LENGTH));
        positions.add(SLACK + aadLength + length + TAG_LENGTH - 1);

        final List<MutableDirectBuffer> forgeries = new ArrayList<>();
        for (final int position : positions)
        {
            final MutableDirectBuffer copy = direct ? direct(sealed.length) : new UnsafeBuffer(new byte[sealed.length]);
            copy.putBytes(0, sealed);
            copy.putByte(position, (byte)(copy.getByte(position) ^ (1 << random.nextInt(8))));
            forgeries.add(copy);
        }
        return forgeries;
    }

    private static MutableDirectBuffer packet(final boolean direct, final byte[] aad, final byte[] plaintext)
    {
        final int capacity = SLACK + aad.length + plaintext.length + TAG_LENGTH + SLACK;
        final MutableDirectBuffer buffer = direct ? direct(capacity) : new UnsafeBuffer(new byte[capacity]);
        buffer.putBytes(SLACK, aad);
        buffer.putBytes(SLACK + aad.length, plaintext);
        return buffer;
    }

    private static UnsafeBuffer direct(final int capacity)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(capacity, 8) + 64, 64));
        return new UnsafeBuffer(buffer, 0, capacity);
    }

    private static byte[] all(final MutableDirectBuffer buffer)
    {
        return bytes(buffer, 0, buffer.capacity());
    }

    private static byte[] bytes(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
