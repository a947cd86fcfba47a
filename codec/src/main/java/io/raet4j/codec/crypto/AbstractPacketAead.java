package io.raet4j.codec.crypto;

import org.agrona.MutableDirectBuffer;

/**
 * What every {@link PacketAead} shares: key length and state checks, the bounds of the regions (thrown on seal,
 * refused on open), the growing-nonce rule of {@link #seal}, and the nonce prefix. Subclasses only move bytes through
 * their library. Public so that an implementation in another module (the libsodium one, which must keep its native
 * binding out of this module) shares the same checks rather than repeating them.
 * <p>
 * <b>Threading:</b> NOT thread safe.
 */
public abstract class AbstractPacketAead implements PacketAead
{
    private boolean keyed;
    private boolean sealedSinceInit;
    private long lastSealNonce;
    private int noncePrefix;

    /**
     * An instance without a key.
     */
    protected AbstractPacketAead()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final void init(final byte[] key32, final int noncePrefix)
    {
        if (null == key32 || KEY_LENGTH != key32.length)
        {
            throw new IllegalArgumentException("key must be " + KEY_LENGTH + " bytes");
        }

        this.noncePrefix = noncePrefix;
        initKey(key32, noncePrefix);
        keyed = true;
        sealedSinceInit = false;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final int seal(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int plaintextOffset,
        final int plaintextLength)
    {
        if (!keyed)
        {
            throw new IllegalStateException("no key: call init first");
        }
        if (aadLength < 0 || plaintextLength < 0 || plaintextLength > Integer.MAX_VALUE - TAG_LENGTH)
        {
            throw new IllegalArgumentException("negative or oversized length");
        }
        final int sealedLength = plaintextLength + TAG_LENGTH;
        buffer.boundsCheck(aadOffset, aadLength);
        buffer.boundsCheck(plaintextOffset, sealedLength);
        if (overlap(aadOffset, aadLength, plaintextOffset, sealedLength))
        {
            throw new IllegalArgumentException("associated data overlaps the ciphertext or the tag");
        }
        if (sealedSinceInit && Long.compareUnsigned(nonce, lastSealNonce) <= 0)
        {
            throw new IllegalStateException("nonce must grow with every seal under one key");
        }

        lastSealNonce = nonce;
        sealedSinceInit = true;
        sealInPlace(nonce, buffer, aadOffset, aadLength, plaintextOffset, plaintextLength);

        return sealedLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public final boolean open(
        final long nonce,
        final MutableDirectBuffer buffer,
        final int aadOffset,
        final int aadLength,
        final int ciphertextOffset,
        final int ciphertextLengthWithTag)
    {
        if (!keyed)
        {
            throw new IllegalStateException("no key: call init first");
        }
        final int capacity = buffer.capacity();
        if (ciphertextLengthWithTag < TAG_LENGTH || aadLength < 0 ||
            !inside(aadOffset, aadLength, capacity) || !inside(ciphertextOffset, ciphertextLengthWithTag, capacity) ||
            overlap(aadOffset, aadLength, ciphertextOffset, ciphertextLengthWithTag))
        {
            return false;
        }

        return openInPlace(
            nonce, buffer, aadOffset, aadLength, ciphertextOffset, ciphertextLengthWithTag - TAG_LENGTH);
    }

    /**
     * The nonce prefix set by the last {@link #init(byte[], int)}.
     *
     * @return the constant first four bytes of every nonce, as an int.
     */
    protected final int noncePrefix()
    {
        return noncePrefix;
    }

    /**
     * Take a new key; the key length has been checked.
     *
     * @param key32       the key, owned by the caller: copy what must be kept.
     * @param noncePrefix constant first four bytes of every nonce under this key.
     */
    protected abstract void initKey(byte[] key32, int noncePrefix);

    /**
     * Seal a region whose bounds, overlap and nonce have been checked; the tag goes right after the plaintext.
     *
     * @param nonce           packet counter.
     * @param buffer          holding both regions.
     * @param aadOffset       of the associated data.
     * @param aadLength       of the associated data.
     * @param plaintextOffset of the plaintext.
     * @param plaintextLength of the plaintext.
     */
    protected abstract void sealInPlace(
        long nonce,
        MutableDirectBuffer buffer,
        int aadOffset,
        int aadLength,
        int plaintextOffset,
        int plaintextLength);

    /**
     * Open a region whose bounds and overlap have been checked; must not throw on a bad tag and must not write the
     * buffer unless the tag matches.
     *
     * @param nonce            packet counter.
     * @param buffer           holding both regions.
     * @param aadOffset        of the associated data.
     * @param aadLength        of the associated data.
     * @param ciphertextOffset of the ciphertext.
     * @param ciphertextLength of the ciphertext alone; the tag follows it.
     * @return {@code true} if the tag matched and the ciphertext is now plaintext.
     */
    protected abstract boolean openInPlace(
        long nonce,
        MutableDirectBuffer buffer,
        int aadOffset,
        int aadLength,
        int ciphertextOffset,
        int ciphertextLength);

    /**
     * A scratch array of at least a length: the one given if long enough, else a new one (allocation only while
     * scratch space grows to the largest packet seen).
     *
     * @param array  current scratch array.
     * @param length needed.
     * @return {@code array} or a longer replacement.
     */
    protected static byte[] atLeast(final byte[] array, final int length)
    {
        return array.length >= length ? array : new byte[length];
    }

    private static boolean inside(final int offset, final int length, final int capacity)
    {
        return offset >= 0 && length >= 0 && offset <= capacity - length;
    }

    private static boolean overlap(final int offsetA, final int lengthA, final int offsetB, final int lengthB)
    {
        return lengthA > 0 && lengthB > 0 && offsetA < offsetB + lengthB && offsetB < offsetA + lengthA;
    }
}
