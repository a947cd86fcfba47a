package io.raet4j.codec.crypto;

import org.agrona.MutableDirectBuffer;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

import java.util.Arrays;

/**
 * {@link PacketAead} on BouncyCastle's ready-made AEAD mode {@link ChaCha20Poly1305}, kept as a measured alternative
 * to {@link BcChaCha20Poly1305}.
 * <p>
 * The mode is re-initialised per packet with a reused nonce-only parameter object. It cannot work in place (it copies
 * overlapping input into a new array) and it writes plaintext before it has checked the tag, so the associated data
 * and the region are copied into a reused input array, processed into a reused output array, and copied back only on
 * success; both arrays grow to the largest packet seen.
 * <p>
 * <b>Allocation:</b> NOT zero: the mode allocates a keystream block, a Poly1305 key and a lengths block on every init
 * and every final, and throws {@link InvalidCipherTextException} on a bad tag. See {@code bench/CRYPTO-RESULTS.md}.
 * <p>
 * <b>After a failed open</b> the buffer is untouched and the output array, which may hold unauthenticated
 * plaintext, is wiped.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
public final class BcAeadChaCha20Poly1305 extends AbstractPacketAead
{
    private static final int INITIAL_SCRATCH_LENGTH = 2048;

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final ParametersWithIV nonceOnly = new ParametersWithIV(null, new byte[NONCE_LENGTH]);
    private byte[] input = new byte[INITIAL_SCRATCH_LENGTH];
    private byte[] output = new byte[INITIAL_SCRATCH_LENGTH];

    /**
     * An instance without a key; call {@link #init(byte[], int)} before the first packet.
     */
    public BcAeadChaCha20Poly1305()
    {
    }

    @Override
    protected void initKey(final byte[] key32, final int noncePrefix)
    {
        // Keyed for decryption under a nonce this key never uses: the mode refuses to encrypt under the nonce of its
        // previous init, which would otherwise forbid sealing the first packet with the nonce given here.
        final KeyParameter key = new KeyParameter(key32);
        final byte[] unusedNonce = new byte[NONCE_LENGTH];
        PacketAead.writeNonce(~noncePrefix, 0, unusedNonce, 0);
        aead.init(false, new ParametersWithIV(key, unusedNonce));
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
        PacketAead.writeNonce(noncePrefix(), nonce, nonceOnly.getIV(), 0);
        aead.init(true, nonceOnly);

        final byte[] input = input(aadLength + plaintextLength);
        final byte[] output = output(plaintextLength + TAG_LENGTH);
        buffer.getBytes(aadOffset, input, 0, aadLength);
        buffer.getBytes(plaintextOffset, input, aadLength, plaintextLength);
        aead.processAADBytes(input, 0, aadLength);
        int length = aead.processBytes(input, aadLength, plaintextLength, output, 0);
        try
        {
            length += aead.doFinal(output, length);
        }
        catch (final InvalidCipherTextException ex)
        {
            throw new IllegalStateException("ChaCha20Poly1305 seal failed", ex);
        }
        buffer.putBytes(plaintextOffset, output, 0, length);
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
        final int lengthWithTag = ciphertextLength + TAG_LENGTH;
        PacketAead.writeNonce(noncePrefix(), nonce, nonceOnly.getIV(), 0);
        aead.init(false, nonceOnly);

        final byte[] input = input(aadLength + lengthWithTag);
        final byte[] output = output(lengthWithTag);
        buffer.getBytes(aadOffset, input, 0, aadLength);
        buffer.getBytes(ciphertextOffset, input, aadLength, lengthWithTag);
        aead.processAADBytes(input, 0, aadLength);
        int length = aead.processBytes(input, aadLength, lengthWithTag, output, 0);
        try
        {
            length += aead.doFinal(output, length);
        }
        catch (final InvalidCipherTextException ex)
        {
            Arrays.fill(output, 0, lengthWithTag, (byte)0);
            return false;
        }
        buffer.putBytes(ciphertextOffset, output, 0, length);

        return true;
    }

    private byte[] input(final int length)
    {
        input = atLeast(input, length);
        return input;
    }

    private byte[] output(final int length)
    {
        output = atLeast(output, length);
        return output;
    }
}
