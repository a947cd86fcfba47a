package io.raet4j.codec.crypto;

import org.agrona.MutableDirectBuffer;

/**
 * Seals and opens one packet in place with AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8): the plaintext is encrypted
 * where it lies, and the 16-byte Poly1305 tag, computed over the associated data and the ciphertext, is written right
 * after it.
 * <p>
 * <b>Nonce layout:</b> the 96-bit nonce is a 32-bit constant chosen at {@link #init(byte[], int)} followed by the
 * 64-bit packet counter given to each call, both little endian (the "32-bit fixed-common part" and 64-bit IV of
 * RFC 8439 section 2.8.2):
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                  noncePrefix (u32, 0 by default)              |  0
 *   +---------------------------------------------------------------+
 *   |                  nonce: packet counter (u64)                  |  4
 *   |                                                               |
 *   +---------------------------------------------------------------+
 * </pre>
 * A (key, prefix, counter) triple must never seal two different packets: both directions of a session need distinct
 * keys, or one key with distinct prefixes. {@link #seal} enforces the part it can see: the counter must grow with
 * every seal since the last {@link #init}, or it throws.
 * <p>
 * <b>Buffers:</b> any {@link MutableDirectBuffer}, usually an Agrona {@code UnsafeBuffer} over a direct
 * {@code ByteBuffer} (the media's receive buffer or the {@code PacketWriter}'s buffer). The associated data and the
 * ciphertext-plus-tag region must not overlap; the caller leaves {@link #TAG_LENGTH} bytes of room after the
 * plaintext for {@link #seal}.
 * <p>
 * <b>Failure contract:</b> {@link #open} never throws for anything that arrives from the network (a region outside
 * the buffer, a region shorter than the tag, a wrong tag); it returns {@code false} and leaves the buffer exactly as
 * it was, so a failed open never exposes unauthenticated plaintext. {@link #seal} throws on arguments no packet could
 * have (a region outside the buffer, a repeated nonce), because those are bugs in the caller.
 * <p>
 * <b>Threading:</b> NOT thread safe. An instance belongs to one agent thread and is reused for every packet.
 */
public interface PacketAead
{
    /**
     * Length of a key, in bytes.
     */
    int KEY_LENGTH = 32;

    /**
     * Length of the authentication tag appended after the ciphertext, in bytes.
     */
    int TAG_LENGTH = 16;

    /**
     * Length of the nonce handed to ChaCha20, in bytes: {@link #NONCE_PREFIX_LENGTH} then the 64-bit counter.
     */
    int NONCE_LENGTH = 12;

    /**
     * Length of the constant that starts every nonce, in bytes.
     */
    int NONCE_PREFIX_LENGTH = 4;

    /**
     * Set the key, with a nonce prefix of 0, and forget the nonces sealed under the previous key. Control plane: may
     * allocate.
     *
     * @param key32 the {@link #KEY_LENGTH}-byte key; copied, so the caller may wipe it afterwards.
     * @throws IllegalArgumentException if the key is not {@link #KEY_LENGTH} bytes long.
     */
    default void init(final byte[] key32)
    {
        init(key32, 0);
    }

    /**
     * Set the key and the constant first four bytes of every nonce, and forget the nonces sealed under the previous
     * key. Control plane: may allocate.
     *
     * @param key32       the {@link #KEY_LENGTH}-byte key; copied, so the caller may wipe it afterwards.
     * @param noncePrefix written little endian into bytes 0 to 3 of every nonce.
     * @throws IllegalArgumentException if the key is not {@link #KEY_LENGTH} bytes long.
     */
    void init(byte[] key32, int noncePrefix);

    /**
     * Encrypt {@code [plaintextOffset, plaintextOffset + plaintextLength)} in place and write the tag, which also
     * covers {@code [aadOffset, aadOffset + aadLength)}, at {@code plaintextOffset + plaintextLength}.
     *
     * @param nonce           packet counter, strictly greater (unsigned) than the one of the previous seal since
     *                        {@link #init}.
     * @param buffer          holding the associated data and the plaintext.
     * @param aadOffset       of the associated data, authenticated but left as it is.
     * @param aadLength       of the associated data, may be 0.
     * @param plaintextOffset of the plaintext, which becomes the ciphertext.
     * @param plaintextLength of the plaintext, may be 0.
     * @return {@code plaintextLength + TAG_LENGTH}, the length of ciphertext and tag.
     * @throws IndexOutOfBoundsException if a region or the tag falls outside the buffer.
     * @throws IllegalArgumentException  if the associated data overlaps the ciphertext or the tag.
     * @throws IllegalStateException     if no key is set, or the nonce does not grow.
     */
    int seal(
        long nonce,
        MutableDirectBuffer buffer,
        int aadOffset,
        int aadLength,
        int plaintextOffset,
        int plaintextLength);

    /**
     * Check the tag at the end of {@code [ciphertextOffset, ciphertextOffset + ciphertextLengthWithTag)} against the
     * associated data and the ciphertext, and only if it matches decrypt the ciphertext in place.
     * <p>
     * On success the plaintext occupies {@code [ciphertextOffset, ciphertextOffset + ciphertextLengthWithTag -
     * TAG_LENGTH)} and the tag bytes after it are left as they were. On failure every byte of the buffer is left as
     * it was: the region still holds the ciphertext and no plaintext is written anywhere in it.
     *
     * @param nonce                   packet counter the packet was sealed with.
     * @param buffer                  holding the associated data and the ciphertext followed by the tag.
     * @param aadOffset               of the associated data.
     * @param aadLength               of the associated data, may be 0.
     * @param ciphertextOffset        of the ciphertext.
     * @param ciphertextLengthWithTag length of the ciphertext plus {@link #TAG_LENGTH}.
     * @return {@code true} if the packet is authentic and now decrypted, {@code false} otherwise.
     * @throws IllegalStateException if no key is set.
     */
    boolean open(
        long nonce,
        MutableDirectBuffer buffer,
        int aadOffset,
        int aadLength,
        int ciphertextOffset,
        int ciphertextLengthWithTag);

    /**
     * Write the 96-bit nonce for a prefix and a packet counter, as laid out in the class comment.
     *
     * @param noncePrefix constant first four bytes.
     * @param nonce       packet counter.
     * @param dst         receives {@link #NONCE_LENGTH} bytes.
     * @param dstOffset   of the first byte written.
     */
    static void writeNonce(final int noncePrefix, final long nonce, final byte[] dst, final int dstOffset)
    {
        for (int i = 0; i < NONCE_PREFIX_LENGTH; i++)
        {
            dst[dstOffset + i] = (byte)(noncePrefix >>> (8 * i));
        }
        for (int i = 0; i < Long.BYTES; i++)
        {
            dst[dstOffset + NONCE_PREFIX_LENGTH + i] = (byte)(nonce >>> (8 * i));
        }
    }
}
