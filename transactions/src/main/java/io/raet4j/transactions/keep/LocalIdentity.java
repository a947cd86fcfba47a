package io.raet4j.transactions.keep;

import javax.crypto.KeyAgreement;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.Arrays;

/**
 * The local estate's identity: its name, its non-zero estate id, a long-term Ed25519 signing key pair and an X25519
 * key-agreement key pair. All cryptography is done by the JDK's providers ({@code Signature "Ed25519"},
 * {@code KeyAgreement "X25519"}); this class only moves raw 32-byte keys in and out of their X.509 / PKCS#8 forms.
 * <p>
 * Immutable and thread safe. {@link #sign}, {@link #verify} and {@link #agree} allocate and look up JDK providers:
 * they belong on the control plane (joins), not on the per-message path.
 */
public final class LocalIdentity
{
    /** Length of a raw Ed25519 or X25519 public key in bytes. */
    public static final int PUBLIC_KEY_LENGTH = 32;
    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;
    /** Length of an X25519 shared secret in bytes. */
    public static final int SHARED_SECRET_LENGTH = 32;

    static final String ED25519 = "Ed25519";
    static final String X25519 = "X25519";

    // DER prefixes of SubjectPublicKeyInfo for the two curves (RFC 8410): SEQUENCE, AlgorithmIdentifier with the OID
    // 1.3.101.112 (Ed25519) or 1.3.101.110 (X25519), then a BIT STRING of 33 bytes: no unused bits, then the raw key.
    private static final byte[] ED25519_X509_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
    private static final byte[] X25519_X509_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00 };
    private static final byte[] X25519_BASE_POINT = basePoint();
    private static final byte[] PROBE = "raet4j keep identity probe".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final long id;
    private final long createdMs;
    private final PrivateKey signPrivate;
    private final PrivateKey agreePrivate;
    private final byte[] signPublic;
    private final byte[] agreePublic;

    private LocalIdentity(
        final String name,
        final long id,
        final long createdMs,
        final PrivateKey signPrivate,
        final byte[] signPublic,
        final PrivateKey agreePrivate,
        final byte[] agreePublic)
    {
        this.name = name;
        this.id = id;
        this.createdMs = createdMs;
        this.signPrivate = signPrivate;
        this.signPublic = signPublic;
        this.agreePrivate = agreePrivate;
        this.agreePublic = agreePublic;
    }

    /**
     * Generate a new identity with fresh key pairs and the id derived from the signing key, see {@link #deriveId}.
     * Usually done by {@link Keep#loadOrCreateLocal(String)}; use directly for a stack without a keep.
     *
     * @param name      of the estate, 1 to 255 bytes of UTF-8.
     * @param createdMs epoch time the identity is created at, recorded in the keep.
     * @return the identity.
     */
    public static LocalIdentity generate(final String name, final long createdMs)
    {
        KeepFormat.nameBytes(name);
        try
        {
            final KeyPair sign = KeyPairGenerator.getInstance(ED25519).generateKeyPair();
            final KeyPair agree = KeyPairGenerator.getInstance(X25519).generateKeyPair();
            final byte[] signPublic = rawPublic(sign.getPublic(), ED25519_X509_PREFIX);
            final byte[] agreePublic = rawPublic(agree.getPublic(), X25519_X509_PREFIX);
            return new LocalIdentity(
                name, deriveId(signPublic), createdMs, sign.getPrivate(), signPublic, agree.getPrivate(), agreePublic);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK must provide Ed25519 and X25519 (Java 15 or later)", ex);
        }
    }

    /**
     * The default estate id for a signing key: the first 8 bytes of SHA-256 of the raw public key, big-endian, with the
     * sign bit cleared, and 1 if that is 0. Stable, positive and non-zero.
     *
     * @param signPublicKey raw 32-byte Ed25519 public key.
     * @return the id.
     */
    public static long deriveId(final byte[] signPublicKey)
    {
        checkLength(signPublicKey, "signing public key");
        final byte[] digest = KeepFormat.sha256(signPublicKey);
        long id = 0;
        for (int i = 0; i < 8; i++)
        {
            id = (id << 8) | (digest[i] & 0xFF);
        }
        id &= Long.MAX_VALUE;
        return 0 == id ? 1 : id;
    }

    /**
     * Rebuild an identity from the raw keys stored in the keep, checking the private keys belong to the public keys.
     *
     * @throws IllegalArgumentException describing the first inconsistency found.
     */
    static LocalIdentity fromRaw(
        final String name,
        final long id,
        final long createdMs,
        final byte[] signPublic,
        final byte[] agreePublic,
        final byte[] signPrivateRaw,
        final byte[] agreePrivateRaw)
    {
        KeepFormat.nameBytes(name);
        if (0 == id)
        {
            throw new IllegalArgumentException("estate id must not be 0");
        }
        checkLength(signPublic, "signing public key");
        checkLength(agreePublic, "agreement public key");
        try
        {
            final PrivateKey signPrivate = KeyFactory.getInstance(ED25519)
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, signPrivateRaw));
            final PrivateKey agreePrivate = KeyFactory.getInstance(X25519)
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, agreePrivateRaw));
            final LocalIdentity identity = new LocalIdentity(
                name, id, createdMs, signPrivate, signPublic.clone(), agreePrivate, agreePublic.clone());
            if (!verify(signPublic, PROBE, identity.sign(PROBE)))
            {
                throw new IllegalArgumentException("the signing private key does not belong to the signing public key");
            }
            if (!Arrays.equals(agreePublic, identity.agree(X25519_BASE_POINT)))
            {
                throw new IllegalArgumentException(
                    "the agreement private key does not belong to the agreement public key");
            }
            return identity;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("a private key is not valid: " + ex.getMessage(), ex);
        }
    }

    /**
     * Name of the estate.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Id of the estate, never 0.
     *
     * @return the id.
     */
    public long id()
    {
        return id;
    }

    /**
     * Epoch time the identity was generated at.
     *
     * @return milliseconds since the epoch.
     */
    public long createdMs()
    {
        return createdMs;
    }

    /**
     * The raw Ed25519 public key, as sent to remote estates.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] signPublicKey()
    {
        return signPublic.clone();
    }

    /**
     * The raw X25519 public key, as sent to remote estates.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] agreePublicKey()
    {
        return agreePublic.clone();
    }

    /**
     * Sign data with the Ed25519 private key (RFC 8032, pure Ed25519).
     *
     * @param data to sign.
     * @return the 64-byte signature.
     */
    public byte[] sign(final byte[] data)
    {
        try
        {
            final Signature signature = Signature.getInstance(ED25519);
            signature.initSign(signPrivate);
            signature.update(data);
            return signature.sign();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("Ed25519 signing failed", ex);
        }
    }

    /**
     * Verify an Ed25519 signature. Any malformed input (wrong lengths, a public key that is not a curve point) is a
     * failed verification, never an exception, so it is safe on keys and signatures received from the network.
     *
     * @param signPublicKey raw 32-byte Ed25519 public key of the signer.
     * @param data          that was signed.
     * @param signature     64-byte signature.
     * @return true only if the signature is valid for the data and key.
     */
    public static boolean verify(final byte[] signPublicKey, final byte[] data, final byte[] signature)
    {
        if (null == signPublicKey || signPublicKey.length != PUBLIC_KEY_LENGTH ||
            null == signature || signature.length != SIGNATURE_LENGTH || null == data)
        {
            return false;
        }
        try
        {
            final Signature verifier = Signature.getInstance(ED25519);
            verifier.initVerify(publicKey(ED25519, ED25519_X509_PREFIX, signPublicKey));
            verifier.update(data);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    /**
     * X25519 key agreement (RFC 7748) of the local private key with a peer's public key. The result is the raw shared
     * secret: derive session keys from it with a KDF, never use it as a key directly.
     *
     * @param peerAgreePublicKey raw 32-byte X25519 public key of the peer.
     * @return the 32-byte shared secret, the same on both sides.
     * @throws IllegalArgumentException if the peer key is not 32 bytes or is a small-order point (the JDK refuses an
     *                                  all-zero secret).
     */
    public byte[] agree(final byte[] peerAgreePublicKey)
    {
        checkLength(peerAgreePublicKey, "peer agreement public key");
        try
        {
            final KeyAgreement agreement = KeyAgreement.getInstance(X25519);
            agreement.init(agreePrivate);
            agreement.doPhase(publicKey(X25519, X25519_X509_PREFIX, peerAgreePublicKey), true);
            return agreement.generateSecret();
        }
        catch (final InvalidKeyException ex)
        {
            throw new IllegalArgumentException("peer agreement public key is not usable: " + ex.getMessage(), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("X25519 agreement failed", ex);
        }
    }

    boolean hasSignPublicKey(final byte[] signPublicKey)
    {
        return Arrays.equals(signPublic, signPublicKey);
    }

    boolean hasPublicKeys(final byte[] signPublicKey, final byte[] agreePublicKey)
    {
        return Arrays.equals(signPublic, signPublicKey) && Arrays.equals(agreePublic, agreePublicKey);
    }

    /**
     * The raw Ed25519 private key (seed), for the stack's handshake. Handle with care: never log or send it.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] signPrivateRaw()
    {
        return ((EdECPrivateKey)signPrivate).getBytes()
            .orElseThrow(() -> new IllegalStateException("Ed25519 private key is not extractable"));
    }

    /**
     * The raw X25519 private key, for the stack's handshake. Handle with care: never log or send it.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] agreePrivateRaw()
    {
        return ((XECPrivateKey)agreePrivate).getScalar()
            .orElseThrow(() -> new IllegalStateException("X25519 private key is not extractable"));
    }

    /**
     * Name, id and public key fingerprints; never private keys.
     *
     * @return a description for logs.
     */
    @Override
    public String toString()
    {
        return "LocalIdentity{name=" + name + ", id=" + id + ", sign=" + KeepFormat.hex(signPublic).substring(0, 16) +
            "..., agree=" + KeepFormat.hex(agreePublic).substring(0, 16) + "...}";
    }

    private static PublicKey publicKey(final String algorithm, final byte[] prefix, final byte[] raw)
        throws GeneralSecurityException
    {
        final byte[] encoded = Arrays.copyOf(prefix, prefix.length + PUBLIC_KEY_LENGTH);
        System.arraycopy(raw, 0, encoded, prefix.length, PUBLIC_KEY_LENGTH);
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(encoded));
    }

    private static byte[] rawPublic(final PublicKey key, final byte[] prefix)
    {
        final byte[] encoded = key.getEncoded();
        if (encoded.length != prefix.length + PUBLIC_KEY_LENGTH ||
            !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length))
        {
            throw new IllegalStateException("unexpected X.509 encoding of a " + key.getAlgorithm() + " public key");
        }
        return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
    }

    private static void checkLength(final byte[] key, final String what)
    {
        if (null == key || key.length != PUBLIC_KEY_LENGTH)
        {
            throw new IllegalArgumentException(what + " must be " + PUBLIC_KEY_LENGTH + " bytes");
        }
    }

    private static byte[] basePoint()
    {
        final byte[] u = new byte[PUBLIC_KEY_LENGTH];
        u[0] = 9;
        return u;
    }
}
