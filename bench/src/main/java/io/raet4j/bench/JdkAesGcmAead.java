package io.raet4j.bench;

import io.raet4j.codec.crypto.AbstractPacketAead;
import org.agrona.MutableDirectBuffer;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * AES-256-GCM from the JDK (SunJCE, with the AES and GHASH intrinsics on x86), shaped as a packet AEAD for
 * {@link CryptoAeadBenchmark} only: the same in-place seal and open, 12-byte nonce (prefix then counter) and 16-byte
 * tag, copied through a reused heap array as {@code JdkChaCha20Poly1305} does. It is NOT the wire format: using it
 * between stacks would need the AEAD to be negotiated in the join, which is not done.
 * <p>
 * <b>Allocation:</b> a {@link GCMParameterSpec} per packet, and whatever the provider allocates per init.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
final class JdkAesGcmAead extends AbstractPacketAead
{
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int TAG_BITS = 128;

    private final Cipher sealer;
    private final Cipher opener;
    private final byte[] nonceBytes = new byte[NONCE_LENGTH];
    private SecretKeySpec key;
    private byte[] scratch = new byte[2048];

    JdkAesGcmAead()
    {
        try
        {
            sealer = Cipher.getInstance(TRANSFORMATION);
            opener = Cipher.getInstance(TRANSFORMATION);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(TRANSFORMATION + " is not available", ex);
        }
    }

    @Override
    protected void initKey(final byte[] key32, final int noncePrefix)
    {
        key = new SecretKeySpec(key32, "AES");
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
        writeNonce(nonce);
        try
        {
            sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonceBytes));
            scratch = atLeast(scratch, aadLength + plaintextLength + TAG_LENGTH);
            buffer.getBytes(aadOffset, scratch, 0, aadLength);
            buffer.getBytes(plaintextOffset, scratch, aadLength, plaintextLength);
            sealer.updateAAD(scratch, 0, aadLength);
            final int length = sealer.doFinal(scratch, aadLength, plaintextLength, scratch, aadLength);
            buffer.putBytes(plaintextOffset, scratch, aadLength, length);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(TRANSFORMATION + " seal failed", ex);
        }
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
        writeNonce(nonce);
        try
        {
            opener.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonceBytes));
            scratch = atLeast(scratch, aadLength + lengthWithTag);
            buffer.getBytes(aadOffset, scratch, 0, aadLength);
            buffer.getBytes(ciphertextOffset, scratch, aadLength, lengthWithTag);
            opener.updateAAD(scratch, 0, aadLength);
            final int length = opener.doFinal(scratch, aadLength, lengthWithTag, scratch, aadLength);
            buffer.putBytes(ciphertextOffset, scratch, aadLength, length);
            return true;
        }
        catch (final AEADBadTagException ex)
        {
            return false;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(TRANSFORMATION + " open failed", ex);
        }
    }

    private void writeNonce(final long nonce)
    {
        io.raet4j.codec.crypto.PacketAead.writeNonce(noncePrefix(), nonce, nonceBytes, 0);
    }
}
