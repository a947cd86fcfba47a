package io.raet4j.sodium;

import io.raet4j.codec.crypto.AbstractPacketAead;
import io.raet4j.codec.crypto.PacketAead;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * {@link PacketAead} on libsodium's IETF ChaCha20 and Poly1305 (RFC 8439 section 2.8, the same construction and wire
 * format as the codec's pure-Java implementations and as libsodium's {@code crypto_aead_chacha20poly1305_ietf}),
 * called through jnr-ffi with raw addresses.
 * <p>
 * <b>Why not {@code crypto_aead_chacha20poly1305_ietf_encrypt_detached}:</b> it takes ten arguments and its
 * {@code decrypt_detached} nine; jffi's allocation-free invokers stop at six, and jnr-ffi 2.3.3 called them through
 * its generic path, which allocated about 90 bytes per call and, measured here, passed wrong arguments (the output
 * did not match RFC 8439). So the construction is composed from calls of at most six arguments: the one-time
 * Poly1305 key from keystream block 0 ({@code crypto_stream_chacha20_ietf}), the payload XORed from block 1
 * ({@code crypto_stream_chacha20_ietf_xor_ic}, through jffi directly), and the tag from the incremental {@code crypto_onetimeauth_poly1305}
 * over {@code aad | pad16 | ciphertext | pad16 | le64(aadLength) | le64(ciphertextLength)}, compared in constant time
 * by {@code crypto_verify_16}. The RFC 8439 test vector and the interoperability tests pin the composition down.
 * <p>
 * <b>Allocation:</b> none per packet. The key and the nonce live in a small native block made once per instance;
 * buffers without a backing array (direct {@code ByteBuffer}s, raw addresses: the data path) are processed in place
 * at their address. A buffer backed by a {@code byte[]} cannot be handed to native code without a copy, so its
 * regions are copied through a native scratch block that grows to the largest packet seen (allocation only while it
 * grows).
 * <p>
 * <b>Opening:</b> the tag is computed over the ciphertext and compared before any byte is decrypted, so after a
 * failed open the buffer is untouched. (libsodium's own {@code decrypt_detached} would not do: it zeroes its output
 * on a wrong tag, which in place destroys the ciphertext.)
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
public final class SodiumChaCha20Poly1305 extends AbstractPacketAead
{
    /**
     * Initial length of the native scratch block used for buffers backed by a {@code byte[]}.
     */
    public static final int INITIAL_SCRATCH_LENGTH = 2048;

    private static final int KEY_OFFSET = 0;
    private static final int NONCE_OFFSET = KEY_OFFSET + KEY_LENGTH;
    private static final int LENGTHS_OFFSET = 48;
    private static final int COMPUTED_TAG_OFFSET = LENGTHS_OFFSET + 16;
    private static final int ZEROES_OFFSET = COMPUTED_TAG_OFFSET + TAG_LENGTH;
    private static final int BLOCK0_OFFSET = ZEROES_OFFSET + 16;
    private static final int CHACHA_BLOCK_LENGTH = 64;
    private static final int POLY1305_STATE_OFFSET = BLOCK0_OFFSET + CHACHA_BLOCK_LENGTH;
    private static final int ALIGNMENT = 64;
    private static final int PAYLOAD_BLOCK_COUNTER = 1;
    private static final int POLY1305_BLOCK_LENGTH = 16;

    private final Sodium.Calls sodium;
    private final UnsafeBuffer state;
    private final long keyAddress;
    private final long nonceAddress;
    private final long lengthsAddress;
    private final long computedTagAddress;
    private final long zeroesAddress;
    private final long block0Address;
    private final long polyStateAddress;
    private UnsafeBuffer scratch =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(INITIAL_SCRATCH_LENGTH, ALIGNMENT));

    /**
     * An instance without a key; call {@link #init(byte[], int)} before the first packet.
     *
     * @throws IllegalStateException if libsodium did not load ({@link Sodium#unavailableReason()}).
     */
    public SodiumChaCha20Poly1305()
    {
        sodium = Sodium.calls();
        final int polyStateLength = (int)sodium.crypto_onetimeauth_poly1305_statebytes();
        state = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(POLY1305_STATE_OFFSET + Math.max(polyStateLength, 256), ALIGNMENT));
        final long base = state.addressOffset();
        keyAddress = base + KEY_OFFSET;
        nonceAddress = base + NONCE_OFFSET;
        lengthsAddress = base + LENGTHS_OFFSET;
        computedTagAddress = base + COMPUTED_TAG_OFFSET;
        zeroesAddress = base + ZEROES_OFFSET;
        block0Address = base + BLOCK0_OFFSET;
        polyStateAddress = base + POLY1305_STATE_OFFSET;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    protected void initKey(final byte[] key32, final int noncePrefix)
    {
        state.putBytes(KEY_OFFSET, key32, 0, KEY_LENGTH);
        state.putInt(NONCE_OFFSET, noncePrefix, LITTLE_ENDIAN);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    protected void sealInPlace(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int plaintextOffset,
        final int plaintextLength)
    {
        state.putLong(NONCE_OFFSET + NONCE_PREFIX_LENGTH, nonce, LITTLE_ENDIAN);
        if (null == buffer.byteArray())
        {
            final long base = buffer.addressOffset();
            sealAt(base + aadOffset, aadLength, base + plaintextOffset, plaintextLength);
            buffer.putBytes(plaintextOffset + plaintextLength, state, COMPUTED_TAG_OFFSET, TAG_LENGTH);
        }
        else
        {
            final UnsafeBuffer scratch = scratch(aadLength + plaintextLength + TAG_LENGTH);
            buffer.getBytes(aadOffset, scratch, 0, aadLength);
            buffer.getBytes(plaintextOffset, scratch, aadLength, plaintextLength);
            final long base = scratch.addressOffset();
            sealAt(base, aadLength, base + aadLength, plaintextLength);
            scratch.putBytes(aadLength + plaintextLength, state, COMPUTED_TAG_OFFSET, TAG_LENGTH);
            buffer.putBytes(plaintextOffset, scratch, aadLength, plaintextLength + TAG_LENGTH);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    protected boolean openInPlace(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int ciphertextOffset,
        final int ciphertextLength)
    {
        state.putLong(NONCE_OFFSET + NONCE_PREFIX_LENGTH, nonce, LITTLE_ENDIAN);
        if (null == buffer.byteArray())
        {
            final long base = buffer.addressOffset();
            return openAt(base + aadOffset, aadLength, base + ciphertextOffset, ciphertextLength);
        }

        final UnsafeBuffer scratch = scratch(aadLength + ciphertextLength + TAG_LENGTH);
        buffer.getBytes(aadOffset, scratch, 0, aadLength);
        buffer.getBytes(ciphertextOffset, scratch, aadLength, ciphertextLength + TAG_LENGTH);
        final long base = scratch.addressOffset();
        if (!openAt(base, aadLength, base + aadLength, ciphertextLength))
        {
            return false;
        }
        buffer.putBytes(ciphertextOffset, scratch, aadLength, ciphertextLength);

        return true;
    }

    private void sealAt(final long aad, final int aadLength, final long text, final int textLength)
    {
        Sodium.streamXorIc(
            text, text, textLength, nonceAddress, PAYLOAD_BLOCK_COUNTER, keyAddress);
        computeTag(aad, aadLength, text, textLength);
    }

    private boolean openAt(final long aad, final int aadLength, final long text, final int textLength)
    {
        computeTag(aad, aadLength, text, textLength);
        if (0 != sodium.crypto_verify_16(computedTagAddress, text + textLength))
        {
            return false;
        }
        Sodium.streamXorIc(
            text, text, textLength, nonceAddress, PAYLOAD_BLOCK_COUNTER, keyAddress);

        return true;
    }

    /**
     * The RFC 8439 tag of a packet into the computed-tag slot: Poly1305 keyed by the first half of keystream block 0,
     * over {@code aad | pad16 | ciphertext | pad16 | le64(aadLength) | le64(ciphertextLength)}.
     */
    private void computeTag(final long aad, final int aadLength, final long text, final int textLength)
    {
        sodium.crypto_stream_chacha20_ietf(block0Address, CHACHA_BLOCK_LENGTH, nonceAddress, keyAddress);
        sodium.crypto_onetimeauth_poly1305_init(polyStateAddress, block0Address);
        authenticate(aad, aadLength);
        authenticate(text, textLength);
        state.putLong(LENGTHS_OFFSET, aadLength, LITTLE_ENDIAN);
        state.putLong(LENGTHS_OFFSET + Long.BYTES, textLength, LITTLE_ENDIAN);
        sodium.crypto_onetimeauth_poly1305_update(polyStateAddress, lengthsAddress, POLY1305_BLOCK_LENGTH);
        sodium.crypto_onetimeauth_poly1305_final(polyStateAddress, computedTagAddress);
        state.setMemory(BLOCK0_OFFSET, CHACHA_BLOCK_LENGTH, (byte)0);
    }

    private void authenticate(final long address, final int length)
    {
        if (length > 0)
        {
            sodium.crypto_onetimeauth_poly1305_update(polyStateAddress, address, length);
            final int partial = length & (POLY1305_BLOCK_LENGTH - 1);
            if (0 != partial)
            {
                sodium.crypto_onetimeauth_poly1305_update(
                    polyStateAddress, zeroesAddress, POLY1305_BLOCK_LENGTH - partial);
            }
        }
    }

    private UnsafeBuffer scratch(final int length)
    {
        if (scratch.capacity() < length)
        {
            scratch = new UnsafeBuffer(
                BufferUtil.allocateDirectAligned(Math.max(length, 2 * scratch.capacity()), ALIGNMENT));
        }
        return scratch;
    }
}
