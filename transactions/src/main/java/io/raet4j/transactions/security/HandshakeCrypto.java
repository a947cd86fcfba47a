package io.raet4j.transactions.security;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The handshake's primitives on raw 32-byte keys: Ed25519 (RFC 8032), X25519 (RFC 7748), HKDF-SHA256 (RFC 5869) and
 * HMAC-SHA256, all from BouncyCastle's lightweight API, chosen by measurement over the JDK's providers (about 10x
 * faster signing on JDK 17, see bench/CRYPTO-RESULTS.md). No cryptography is implemented here, only composed.
 * <p>
 * Control plane: methods allocate; an instance is not thread safe (it holds one HMAC and one random source), so each
 * duty cycle owns one.
 */
public final class HandshakeCrypto
{
    /** Length of public and private keys in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Length of a signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;

    private static final byte[] EMPTY = new byte[0];

    private final SecureRandom random = new SecureRandom();
    private final HMac hmac = new HMac(new SHA256Digest());
    private final byte[] hmacOut = new byte[32];

    /**
     * Fill an array with random bytes from the instance's {@link SecureRandom}.
     *
     * @param bytes to fill.
     */
    public void randomBytes(final byte[] bytes)
    {
        random.nextBytes(bytes);
    }

    /**
     * A fresh X25519 private key.
     *
     * @return 32 bytes, clamped as RFC 7748 requires.
     */
    public byte[] newAgreementPrivateKey()
    {
        final byte[] key = new byte[KEY_LENGTH];
        X25519.generatePrivateKey(random, key);
        return key;
    }

    /**
     * The X25519 public key of a private key.
     *
     * @param privateKey 32 bytes.
     * @return 32 bytes.
     */
    public static byte[] agreementPublicKey(final byte[] privateKey)
    {
        final byte[] key = new byte[KEY_LENGTH];
        X25519.generatePublicKey(privateKey, 0, key, 0);
        return key;
    }

    /**
     * X25519 agreement.
     *
     * @param privateKey own 32-byte private key.
     * @param publicKey  peer's 32-byte public key, from the network.
     * @param out        receives the 32-byte shared secret.
     * @param outOffset  of the first byte written.
     * @return false if the public key has the wrong length or is a low-order point (the secret would be all zero).
     */
    public static boolean agree(final byte[] privateKey, final byte[] publicKey, final byte[] out, final int outOffset)
    {
        if (null == publicKey || KEY_LENGTH != publicKey.length)
        {
            return false;
        }
        return X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, outOffset);
    }

    /**
     * The Ed25519 public key of a private key (seed).
     *
     * @param privateKey 32-byte seed.
     * @return 32 bytes.
     */
    public static byte[] signingPublicKey(final byte[] privateKey)
    {
        final byte[] key = new byte[KEY_LENGTH];
        Ed25519.generatePublicKey(privateKey, 0, key, 0);
        return key;
    }

    /**
     * Ed25519 signature (pure, no context).
     *
     * @param privateKey 32-byte seed.
     * @param publicKey  its 32-byte public key.
     * @param message    to sign.
     * @return 64 bytes.
     */
    public static byte[] sign(final byte[] privateKey, final byte[] publicKey, final byte[] message)
    {
        final byte[] signature = new byte[SIGNATURE_LENGTH];
        Ed25519.sign(privateKey, 0, publicKey, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * Verify an Ed25519 signature; anything malformed is a failed verification, never an exception.
     *
     * @param publicKey 32-byte key of the claimed signer.
     * @param message   signed.
     * @param signature 64 bytes.
     * @return true only if valid.
     */
    public static boolean verify(final byte[] publicKey, final byte[] message, final byte[] signature)
    {
        if (null == publicKey || KEY_LENGTH != publicKey.length || null == signature ||
            SIGNATURE_LENGTH != signature.length || null == message)
        {
            return false;
        }
        try
        {
            return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * HMAC-SHA256 truncated to the output's length.
     *
     * @param key    MAC key.
     * @param data   to authenticate.
     * @param out    receives the first out.length bytes of the MAC, at most 32.
     */
    public void hmac(final byte[] key, final byte[] data, final byte[] out)
    {
        hmac.init(new KeyParameter(key));
        hmac.update(data, 0, data.length);
        hmac.doFinal(hmacOut, 0);
        System.arraycopy(hmacOut, 0, out, 0, out.length);
        Arrays.fill(hmacOut, (byte)0);
    }

    /**
     * SHA-256.
     *
     * @param data to hash.
     * @return 32 bytes.
     */
    public static byte[] sha256(final byte[] data)
    {
        final SHA256Digest digest = new SHA256Digest();
        digest.update(data, 0, data.length);
        final byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    /**
     * HKDF-SHA256 extract and expand.
     *
     * @param ikm    input keying material.
     * @param salt   salt, may be null.
     * @param info   context label.
     * @param length of the output.
     * @return the output keying material.
     */
    public static byte[] hkdf(final byte[] ikm, final byte[] salt, final String info, final int length)
    {
        final HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(new HKDFParameters(ikm, salt, info.getBytes(StandardCharsets.US_ASCII)));
        final byte[] out = new byte[length];
        generator.generateBytes(out, 0, length);
        return out;
    }

    /**
     * HKDF-SHA256 expand only, from a pseudo-random key such as a previous traffic secret.
     *
     * @param prk    32-byte pseudo-random key.
     * @param info   context label.
     * @param length of the output.
     * @return the output keying material.
     */
    public static byte[] hkdfExpand(final byte[] prk, final String info, final int length)
    {
        final HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(HKDFParameters.skipExtractParameters(prk, info.getBytes(StandardCharsets.US_ASCII)));
        final byte[] out = new byte[length];
        generator.generateBytes(out, 0, length);
        return out;
    }

    static byte[] empty()
    {
        return EMPTY;
    }
}
