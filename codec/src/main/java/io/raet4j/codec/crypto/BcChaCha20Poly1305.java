package io.raet4j.codec.crypto;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.util.Pack;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * {@link PacketAead} on BouncyCastle's lightweight {@link ChaCha7539Engine} and {@link Poly1305}, wired together as
 * RFC 8439 section 2.8 specifies: the one-time Poly1305 key is the first half of keystream block 0, the payload is
 * encrypted from block 1, and the tag covers {@code aad | pad16 | ciphertext | pad16 | le64(aadLength) |
 * le64(ciphertextLength)}. No cipher or MAC code lives here; only the composition, which the RFC test vector and the
 * interoperability tests with the JDK's SunJCE pin down.
 * <p>
 * <b>Allocation:</b> none per packet. The engine is re-keyed per packet with a reused nonce-only parameter object, so
 * the key is expanded once in {@link #init(byte[], int)}.
 * <p>
 * <b>Memory access:</b> a buffer backed by a {@code byte[]} is processed in place. Any other buffer (direct, or a raw
 * address) is copied through a {@value #SCRATCH_LENGTH}-byte scratch array; a ciphertext that fits in the scratch is
 * copied in once, authenticated there, decrypted there and copied back, and a longer one is read twice (once to
 * authenticate, once to decrypt) so that nothing is decrypted before the tag has matched.
 * <p>
 * <b>After a failed open</b> the buffer is untouched: the tag is checked before any byte is decrypted.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
public final class BcChaCha20Poly1305 extends AbstractPacketAead
{
    /**
     * Bytes processed per copy for buffers without a backing array; a default-MTU packet fits in one.
     */
    public static final int SCRATCH_LENGTH = 2048;

    private static final int CHACHA_BLOCK_LENGTH = 64;
    private static final int POLY1305_KEY_LENGTH = 32;
    private static final int POLY1305_BLOCK_LENGTH = 16;
    private static final byte[] ZEROES = new byte[CHACHA_BLOCK_LENGTH];

    private final ChaCha7539Engine chacha = new ChaCha7539Engine();
    private final Poly1305 poly1305 = new Poly1305();
    private final ParametersWithIV nonceOnly = new ParametersWithIV(null, new byte[NONCE_LENGTH]);
    private final KeyParameter poly1305Key = new KeyParameter(new byte[POLY1305_KEY_LENGTH]);
    private final byte[] keyStreamBlock = new byte[CHACHA_BLOCK_LENGTH];
    private final byte[] lengthsBlock = new byte[POLY1305_BLOCK_LENGTH];
    private final byte[] computedTag = new byte[TAG_LENGTH];
    private final byte[] receivedTag = new byte[TAG_LENGTH];
    private final byte[] scratch = new byte[SCRATCH_LENGTH];

    /**
     * An instance without a key; call {@link #init(byte[], int)} before the first packet.
     */
    public BcChaCha20Poly1305()
    {
    }

    @Override
    protected void initKey(final byte[] key32, final int noncePrefix)
    {
        final KeyParameter key = new KeyParameter(key32);
        PacketAead.writeNonce(noncePrefix, 0, nonceOnly.getIV(), 0);
        chacha.init(true, new ParametersWithIV(key, nonceOnly.getIV()));
        Arrays.fill(key.getKey(), (byte)0);
    }

    @Override
    protected void sealInPlace(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int plaintextOffset,
        final int plaintextLength)
    {
        startPacket(nonce);
        authenticate(buffer, aadOffset, aadLength);

        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            final int index = buffer.wrapAdjustment() + plaintextOffset;
            chacha.processBytes(array, index, plaintextLength, array, index);
            poly1305.update(array, index, plaintextLength);
        }
        else
        {
            int position = plaintextOffset;
            int remaining = plaintextLength;
            while (remaining > 0)
            {
                final int chunk = Math.min(remaining, SCRATCH_LENGTH);
                buffer.getBytes(position, scratch, 0, chunk);
                chacha.processBytes(scratch, 0, chunk, scratch, 0);
                poly1305.update(scratch, 0, chunk);
                buffer.putBytes(position, scratch, 0, chunk);
                position += chunk;
                remaining -= chunk;
            }
        }

        padToBlock(plaintextLength);
        finishTag(aadLength, plaintextLength);
        buffer.putBytes(plaintextOffset + plaintextLength, computedTag, 0, TAG_LENGTH);
    }

    @Override
    protected boolean openInPlace(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int ciphertextOffset,
        final int ciphertextLength)
    {
        startPacket(nonce);
        authenticate(buffer, aadOffset, aadLength);

        final byte[] array = buffer.byteArray();
        final boolean inScratch = null == array && ciphertextLength <= SCRATCH_LENGTH;
        if (inScratch)
        {
            buffer.getBytes(ciphertextOffset, scratch, 0, ciphertextLength);
            poly1305.update(scratch, 0, ciphertextLength);
            padToBlock(ciphertextLength);
        }
        else
        {
            authenticate(buffer, ciphertextOffset, ciphertextLength);
        }

        finishTag(aadLength, ciphertextLength);
        buffer.getBytes(ciphertextOffset + ciphertextLength, receivedTag, 0, TAG_LENGTH);
        if (!MessageDigest.isEqual(computedTag, receivedTag))
        {
            return false;
        }

        if (null != array)
        {
            final int index = buffer.wrapAdjustment() + ciphertextOffset;
            chacha.processBytes(array, index, ciphertextLength, array, index);
        }
        else if (inScratch)
        {
            chacha.processBytes(scratch, 0, ciphertextLength, scratch, 0);
            buffer.putBytes(ciphertextOffset, scratch, 0, ciphertextLength);
        }
        else
        {
            decryptByChunks(buffer, ciphertextOffset, ciphertextLength);
        }

        return true;
    }

    /**
     * Re-key the engine with the packet's nonce (block counter 0), take the one-time Poly1305 key from block 0 and
     * leave the engine at block 1, where the payload starts.
     */
    private void startPacket(final long nonce)
    {
        PacketAead.writeNonce(noncePrefix(), nonce, nonceOnly.getIV(), 0);
        chacha.init(true, nonceOnly);
        chacha.processBytes(ZEROES, 0, CHACHA_BLOCK_LENGTH, keyStreamBlock, 0);
        System.arraycopy(keyStreamBlock, 0, poly1305Key.getKey(), 0, POLY1305_KEY_LENGTH);
        poly1305.init(poly1305Key);
        Arrays.fill(keyStreamBlock, (byte)0);
    }

    /**
     * Feed a region to Poly1305, then zeroes up to the next 16-byte boundary.
     */
    private void authenticate(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            poly1305.update(array, buffer.wrapAdjustment() + offset, length);
        }
        else
        {
            int position = offset;
            int remaining = length;
            while (remaining > 0)
            {
                final int chunk = Math.min(remaining, SCRATCH_LENGTH);
                buffer.getBytes(position, scratch, 0, chunk);
                poly1305.update(scratch, 0, chunk);
                position += chunk;
                remaining -= chunk;
            }
        }

        padToBlock(length);
    }

    private void padToBlock(final int length)
    {
        final int partial = length & (POLY1305_BLOCK_LENGTH - 1);
        if (0 != partial)
        {
            poly1305.update(ZEROES, 0, POLY1305_BLOCK_LENGTH - partial);
        }
    }

    private void finishTag(final int aadLength, final int ciphertextLength)
    {
        Pack.longToLittleEndian(aadLength, lengthsBlock, 0);
        Pack.longToLittleEndian(ciphertextLength, lengthsBlock, Long.BYTES);
        poly1305.update(lengthsBlock, 0, POLY1305_BLOCK_LENGTH);
        poly1305.doFinal(computedTag, 0);
        Arrays.fill(poly1305Key.getKey(), (byte)0);
    }

    private void decryptByChunks(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        int position = offset;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, SCRATCH_LENGTH);
            buffer.getBytes(position, scratch, 0, chunk);
            chacha.processBytes(scratch, 0, chunk, scratch, 0);
            buffer.putBytes(position, scratch, 0, chunk);
            position += chunk;
            remaining -= chunk;
        }
    }
}
