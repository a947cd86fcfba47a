package io.raet4j.codec.crypto;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Implementations under test, the kinds of buffer they must handle, and the RFC 8439 section 2.8.2 test vector.
 */
final class AeadFixtures
{
    /**
     * One implementation, by name.
     */
    record Implementation(String name, Supplier<PacketAead> factory)
    {
        PacketAead create(final byte[] key)
        {
            final PacketAead aead = factory.get();
            aead.init(key);
            return aead;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    /**
     * One way of holding packet memory, by name.
     */
    record BufferKind(String name, IntFunction<MutableDirectBuffer> factory)
    {
        MutableDirectBuffer allocate(final int capacity)
        {
            return factory.apply(capacity);
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    static final List<Implementation> IMPLEMENTATIONS = List.of(
        new Implementation("bc-engine", BcChaCha20Poly1305::new),
        new Implementation("bc-aead", BcAeadChaCha20Poly1305::new),
        new Implementation("jdk", JdkChaCha20Poly1305::new));

    /** Slack before each region and after the tag, filled with a marker that must survive every call. */
    static final int SLACK = 13;
    static final byte MARKER = (byte)0xA5;

    static final List<BufferKind> BUFFER_KINDS = List.of(
        new BufferKind("direct", (capacity) ->
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.align(capacity, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH), 0, capacity)),
        new BufferKind("heap", (capacity) -> new UnsafeBuffer(new byte[capacity])),
        new BufferKind("heap-slice", (capacity) -> new UnsafeBuffer(new byte[capacity + 2 * SLACK], SLACK, capacity)));

    static final byte[] RFC_KEY = hex(
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    /** The 32-bit fixed-common part 07 00 00 00, read little endian. */
    static final int RFC_NONCE_PREFIX = 7;
    /** The 64-bit IV 40 41 42 43 44 45 46 47, read little endian. */
    static final long RFC_NONCE = 0x4746_4544_4342_4140L;
    static final byte[] RFC_AAD = hex("50515253c0c1c2c3c4c5c6c7");
    static final byte[] RFC_PLAINTEXT = ("Ladies and Gentlemen of the class of '99: If I could offer you only one " +
        "tip for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    static final byte[] RFC_CIPHERTEXT = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2" +
        "a4aded51296e08fea9e2b5a736ee62d6" +
        "3dbea45e8ca9671282fafb69da92728b" +
        "1a71de0a9e060b2905d6a5b67ecd3b36" +
        "92ddbd7f2d778b8c9803aee328091b58" +
        "fab324e4fad675945585808b4831d7bc" +
        "3ff4def08e4b7a9de576d26586cec64b" +
        "6116");
    static final byte[] RFC_TAG = hex("1ae10b594f09e26a7e902ecbd0600691");

    private AeadFixtures()
    {
    }

    static byte[] key(final int seed)
    {
        final byte[] key = new byte[PacketAead.KEY_LENGTH];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)(seed * 31 + i * 7);
        }
        return key;
    }

    static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + i * 13 + (i >>> 8));
        }
        return bytes;
    }

    static byte[] hex(final String hex)
    {
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    static byte[] bytes(final MutableDirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * A packet laid out as {@code SLACK | aad | plaintext | tag room | SLACK}, with the slack and the tag room filled
     * with {@link #MARKER}.
     */
    static final class Packet
    {
        final MutableDirectBuffer buffer;
        final int aadOffset;
        final int aadLength;
        final int textOffset;
        final int textLength;

        Packet(final BufferKind kind, final byte[] aad, final byte[] plaintext)
        {
            aadOffset = SLACK;
            aadLength = aad.length;
            textOffset = aadOffset + aadLength;
            textLength = plaintext.length;
            buffer = kind.allocate(textOffset + textLength + PacketAead.TAG_LENGTH + SLACK);
            buffer.setMemory(0, buffer.capacity(), MARKER);
            buffer.putBytes(aadOffset, aad);
            buffer.putBytes(textOffset, plaintext);
        }

        int seal(final PacketAead aead, final long nonce)
        {
            return aead.seal(nonce, buffer, aadOffset, aadLength, textOffset, textLength);
        }

        boolean open(final PacketAead aead, final long nonce)
        {
            return aead.open(nonce, buffer, aadOffset, aadLength, textOffset, textLength + PacketAead.TAG_LENGTH);
        }

        byte[] aad()
        {
            final byte[] bytes = new byte[aadLength];
            buffer.getBytes(aadOffset, bytes);
            return bytes;
        }

        byte[] text()
        {
            final byte[] bytes = new byte[textLength];
            buffer.getBytes(textOffset, bytes);
            return bytes;
        }

        byte[] tag()
        {
            final byte[] bytes = new byte[PacketAead.TAG_LENGTH];
            buffer.getBytes(textOffset + textLength, bytes);
            return bytes;
        }

        byte[] sealed()
        {
            final byte[] bytes = new byte[textLength + PacketAead.TAG_LENGTH];
            buffer.getBytes(textOffset, bytes);
            return bytes;
        }

        boolean slackIntact()
        {
            for (int i = 0; i < aadOffset; i++)
            {
                if (MARKER != buffer.getByte(i))
                {
                    return false;
                }
            }
            for (int i = textOffset + textLength + PacketAead.TAG_LENGTH; i < buffer.capacity(); i++)
            {
                if (MARKER != buffer.getByte(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
