package io.raet4j.codec.crypto;

import org.agrona.MutableDirectBuffer;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * {@link PacketAead} on the JDK's own {@code ChaCha20-Poly1305} cipher from the SunJCE provider, used the cheapest
 * way found: one {@link Cipher} for sealing and one for opening, created once; the key spec made once per key; the
 * region processed in place in the buffer's {@code byte[]} when it has one, otherwise copied through a reused heap
 * array (the {@code ByteBuffer} overloads copy through fresh temporary arrays on JDK 17 and allocate more).
 * <p>
 * <b>Allocation:</b> NOT zero. Every packet needs {@code Cipher.init} with a new {@link IvParameterSpec} (the spec
 * copies its nonce and the provider builds new engine and authenticator objects on every init), and
 * {@code doFinal} allocates as well; see {@code bench/CRYPTO-RESULTS.md} for the measured bytes per packet. The
 * scratch array grows to the largest packet seen.
 * <p>
 * <b>Nonce checks of the provider:</b> the JDK refuses an init with the key and nonce of the previous init of the same
 * {@link Cipher}. Sealing never repeats a nonce (the base class enforces it). Opening may legitimately see the same
 * nonce twice (a forged packet, then the genuine one), so the opening cipher is first re-initialised with a nonce this
 * key never uses when the nonce repeats.
 * <p>
 * <b>After a failed open</b> the buffer is untouched: SunJCE checks the tag before it writes any output.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
public final class JdkChaCha20Poly1305 extends AbstractPacketAead
{
    /**
     * JCA transformation name.
     */
    public static final String TRANSFORMATION = "ChaCha20-Poly1305";

    /**
     * Provider of the implementation measured here.
     */
    public static final String PROVIDER = "SunJCE";

    private static final String KEY_ALGORITHM = "ChaCha20";
    private static final int INITIAL_SCRATCH_LENGTH = 2048;

    private final Cipher sealer;
    private final Cipher opener;
    private final byte[] nonceBytes = new byte[NONCE_LENGTH];
    private IvParameterSpec unusedNonce;
    private SecretKeySpec key;
    private byte[] scratch = new byte[INITIAL_SCRATCH_LENGTH];
    private boolean openedSinceInit;
    private long lastOpenNonce;

    /**
     * An instance without a key; call {@link #init(byte[], int)} before the first packet.
     *
     * @throws IllegalStateException if the running JDK has no SunJCE ChaCha20-Poly1305.
     */
    public JdkChaCha20Poly1305()
    {
        try
        {
            sealer = Cipher.getInstance(TRANSFORMATION, PROVIDER);
            opener = Cipher.getInstance(TRANSFORMATION, PROVIDER);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(TRANSFORMATION + " is not available from " + PROVIDER, ex);
        }
    }

    @Override
    protected void initKey(final byte[] key32, final int noncePrefix)
    {
        key = new SecretKeySpec(key32, KEY_ALGORITHM);
        final byte[] unused = new byte[NONCE_LENGTH];
        PacketAead.writeNonce(~noncePrefix, 0, unused, 0);
        unusedNonce = new IvParameterSpec(unused);
        openedSinceInit = false;
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
        PacketAead.writeNonce(noncePrefix(), nonce, nonceBytes, 0);
        try
        {
            sealer.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonceBytes));
            final byte[] array = buffer.byteArray();
            if (null != array)
            {
                final int adjustment = buffer.wrapAdjustment();
                sealer.updateAAD(array, adjustment + aadOffset, aadLength);
                final int index = adjustment + plaintextOffset;
                sealer.doFinal(array, index, plaintextLength, array, index);
            }
            else
            {
                final byte[] scratch = scratch(aadLength + plaintextLength + TAG_LENGTH);
                buffer.getBytes(aadOffset, scratch, 0, aadLength);
                buffer.getBytes(plaintextOffset, scratch, aadLength, plaintextLength);
                sealer.updateAAD(scratch, 0, aadLength);
                final int length = sealer.doFinal(scratch, aadLength, plaintextLength, scratch, aadLength);
                buffer.putBytes(plaintextOffset, scratch, aadLength, length);
            }
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
        PacketAead.writeNonce(noncePrefix(), nonce, nonceBytes, 0);
        try
        {
            if (openedSinceInit && nonce == lastOpenNonce)
            {
                opener.init(Cipher.DECRYPT_MODE, key, unusedNonce);
            }
            opener.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonceBytes));
            openedSinceInit = true;
            lastOpenNonce = nonce;

            final byte[] array = buffer.byteArray();
            if (null != array)
            {
                final int adjustment = buffer.wrapAdjustment();
                opener.updateAAD(array, adjustment + aadOffset, aadLength);
                final int index = adjustment + ciphertextOffset;
                opener.doFinal(array, index, lengthWithTag, array, index);
            }
            else
            {
                final byte[] scratch = scratch(aadLength + lengthWithTag);
                buffer.getBytes(aadOffset, scratch, 0, aadLength);
                buffer.getBytes(ciphertextOffset, scratch, aadLength, lengthWithTag);
                opener.updateAAD(scratch, 0, aadLength);
                final int length = opener.doFinal(scratch, aadLength, lengthWithTag, scratch, aadLength);
                buffer.putBytes(ciphertextOffset, scratch, aadLength, length);
            }

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

    private byte[] scratch(final int length)
    {
        scratch = atLeast(scratch, length);
        return scratch;
    }
}
