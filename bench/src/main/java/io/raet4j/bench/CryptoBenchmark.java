package io.raet4j.bench;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.crypto.BcAeadChaCha20Poly1305;
import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.JdkChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.concurrent.TimeUnit;

/**
 * Cost per packet of sealing and opening with each {@link PacketAead} implementation, next to the plain path it
 * would add to (PacketWriter build + CRC32C, PacketReader validate + CRC32C), measured in the same run; and the cost
 * of the handshake primitives (Ed25519, X25519) from the JDK and from BouncyCastle. Run with {@code -prof gc}.
 * <p>
 * The packet is a Data packet with a {@code payloadBytes} payload built by {@link PacketWriter}; the associated data
 * is its 40-byte header and the plaintext is everything after it. All packet memory is direct, as on the data path.
 * <ul>
 *     <li>{@code *Seal}: seal in place with a fresh nonce; the buffer's content (plaintext or ciphertext) does not
 *     change the cost.</li>
 *     <li>{@code *Open}: copy a sealed packet into the working buffer (see {@link #copySealedPacket}), then open it;
 *     two packets sealed under two nonces alternate, so no opener sees the same nonce twice in a row.</li>
 *     <li>{@code *SealOpen}: seal then open the same buffer in place, the sender's and the receiver's work for one
 *     packet, without a copy.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
public class CryptoBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public CryptoBenchmark()
    {
    }

    /** Associated data of every sealed packet: the packet header. */
    public static final int AAD_LENGTH = PacketWriter.HEADER_LENGTH;
    /** Capacity of the packet writer: room for a 1334-byte payload, its frame, the header and the tag. */
    public static final int WRITER_CAPACITY = 2048;
    /** Length of the message signed and verified by the handshake benchmarks. */
    public static final int HANDSHAKE_MESSAGE_BYTES = 128;

    private static final long SRC_ESTATE_ID = 0xA1L;
    private static final long DST_ESTATE_ID = 0xB2L;
    private static final int SRC_SESSION = 0x1234_5678;
    private static final int DST_SESSION = 0x7654_3210;
    private static final long[] OPEN_NONCES = { 1L, 2L };

    /**
     * One packet per payload size, its sealed forms, and a sealer and an opener of each implementation.
     */
    @State(Scope.Thread)
    public static class PacketState
    {
        /**
         * Instantiated by JMH.
         */
        public PacketState()
        {
        }

        /** Payload of the Data packet, in bytes. */
        @Param({ "1024", "1334" })
        public int payloadBytes;

        final PacketWriter writer = new PacketWriter(WRITER_CAPACITY);
        final PacketReader reader = new PacketReader();
        final PacketAead bcSealer = new BcChaCha20Poly1305();
        final PacketAead bcOpener = new BcChaCha20Poly1305();
        final PacketAead bcAeadSealer = new BcAeadChaCha20Poly1305();
        final PacketAead bcAeadOpener = new BcAeadChaCha20Poly1305();
        final PacketAead jdkSealer = new JdkChaCha20Poly1305();
        final PacketAead jdkOpener = new JdkChaCha20Poly1305();
        final UnsafeBuffer[] sealedPackets = new UnsafeBuffer[OPEN_NONCES.length];
        UnsafeBuffer payload;
        UnsafeBuffer plainPacket;
        UnsafeBuffer work;
        int packetLength;
        int textLength;
        int sealedLength;
        long sealNonce = OPEN_NONCES.length + 1;
        int openIndex;
        long seq;

        /**
         * Build the packet, seal it under each open nonce, and key every sealer and opener alike.
         */
        @Setup
        public void setup()
        {
            payload = directBuffer(payloadBytes);
            for (int i = 0; i < payloadBytes; i++)
            {
                payload.putByte(i, (byte)i);
            }

            packetLength = writeData(this);
            textLength = packetLength - AAD_LENGTH;
            sealedLength = textLength + PacketAead.TAG_LENGTH;
            plainPacket = directBuffer(packetLength);
            plainPacket.putBytes(0, writer.buffer(), 0, packetLength);
            if (PacketReader.OK != reader.wrap(plainPacket, 0, packetLength))
            {
                throw new IllegalStateException("benchmark packet does not validate");
            }

            final byte[] key = new byte[PacketAead.KEY_LENGTH];
            new SecureRandom().nextBytes(key);
            for (final PacketAead aead : new PacketAead[]{
                bcSealer, bcOpener, bcAeadSealer, bcAeadOpener, jdkSealer, jdkOpener })
            {
                aead.init(key);
            }

            final PacketAead referenceSealer = new BcChaCha20Poly1305();
            referenceSealer.init(key);
            for (int i = 0; i < OPEN_NONCES.length; i++)
            {
                sealedPackets[i] = directBuffer(packetLength + PacketAead.TAG_LENGTH);
                sealedPackets[i].putBytes(0, plainPacket, 0, packetLength);
                referenceSealer.seal(OPEN_NONCES[i], sealedPackets[i], 0, AAD_LENGTH, AAD_LENGTH, textLength);
            }

            work = directBuffer(packetLength + PacketAead.TAG_LENGTH);
            checkEveryPathOpens(new PacketAead[]{ bcSealer, bcAeadSealer, jdkSealer },
                new PacketAead[]{ bcOpener, bcAeadOpener, jdkOpener });
            work.putBytes(0, plainPacket, 0, packetLength);
        }

        private void checkEveryPathOpens(final PacketAead[] sealers, final PacketAead[] openers)
        {
            for (int i = 0; i < openers.length; i++)
            {
                for (int j = 0; j < 2 * OPEN_NONCES.length; j++)
                {
                    if (!openers[i].open(nextOpenNonce(), work, 0, AAD_LENGTH, AAD_LENGTH, sealedLength))
                    {
                        throw new IllegalStateException("a sealed packet does not open");
                    }
                }

                final long nonce = sealNonce++;
                sealers[i].seal(nonce, work, 0, AAD_LENGTH, AAD_LENGTH, textLength);
                if (!openers[i].open(nonce, work, 0, AAD_LENGTH, AAD_LENGTH, sealedLength) ||
                    !plainPacket.equals(new UnsafeBuffer(work, 0, packetLength)))
                {
                    throw new IllegalStateException("seal then open does not restore the packet");
                }
            }
        }

        long nextOpenNonce()
        {
            final int index = openIndex;
            openIndex = (index + 1) & 1;
            work.putBytes(0, sealedPackets[index], 0, packetLength + PacketAead.TAG_LENGTH);
            return OPEN_NONCES[index];
        }
    }

    /**
     * Keys and a message for the handshake primitives, and a JDK cipher for {@link #jdkCipherInit}.
     */
    @State(Scope.Thread)
    public static class HandshakeState
    {
        final byte[] message = new byte[HANDSHAKE_MESSAGE_BYTES];
        final byte[] bcSignature = new byte[Ed25519.SIGNATURE_SIZE];
        final byte[] bcSignSecret = new byte[Ed25519.SECRET_KEY_SIZE];
        final byte[] bcSignPublic = new byte[Ed25519.PUBLIC_KEY_SIZE];
        final byte[] bcAgreeSecret = new byte[X25519.SCALAR_SIZE];
        final byte[] bcPeerAgreePublic = new byte[X25519.POINT_SIZE];
        final byte[] bcSharedSecret = new byte[X25519.POINT_SIZE];
        final byte[] cipherNonce = new byte[PacketAead.NONCE_LENGTH];
        KeyPair jdkSignKeys;
        KeyPair jdkAgreeKeys;
        KeyPair jdkPeerAgreeKeys;
        Signature jdkSigner;
        Signature jdkVerifier;
        KeyAgreement jdkAgreement;
        byte[] jdkSignature;
        Cipher jdkCipher;
        SecretKeySpec jdkCipherKey;
        long cipherNonceCounter;

        /**
         * Instantiated by JMH.
         */
        public HandshakeState()
        {
        }

        /**
         * Generate key pairs with both libraries and sign the message once for the verify benchmarks.
         *
         * @throws GeneralSecurityException if the JDK lacks Ed25519, X25519 or ChaCha20-Poly1305.
         */
        @Setup
        public void setup() throws GeneralSecurityException
        {
            final SecureRandom random = new SecureRandom();
            random.nextBytes(message);

            jdkSignKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            jdkAgreeKeys = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            jdkPeerAgreeKeys = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            jdkSigner = Signature.getInstance("Ed25519");
            jdkVerifier = Signature.getInstance("Ed25519");
            jdkAgreement = KeyAgreement.getInstance("X25519");
            jdkSigner.initSign(jdkSignKeys.getPrivate());
            jdkSigner.update(message);
            jdkSignature = jdkSigner.sign();

            Ed25519.generatePrivateKey(random, bcSignSecret);
            Ed25519.generatePublicKey(bcSignSecret, 0, bcSignPublic, 0);
            Ed25519.sign(bcSignSecret, 0, message, 0, message.length, bcSignature, 0);
            X25519.generatePrivateKey(random, bcAgreeSecret);
            final byte[] peerSecret = new byte[X25519.SCALAR_SIZE];
            X25519.generatePrivateKey(random, peerSecret);
            X25519.generatePublicKey(peerSecret, 0, bcPeerAgreePublic, 0);

            jdkCipher = Cipher.getInstance(JdkChaCha20Poly1305.TRANSFORMATION, JdkChaCha20Poly1305.PROVIDER);
            final byte[] key = new byte[PacketAead.KEY_LENGTH];
            random.nextBytes(key);
            jdkCipherKey = new SecretKeySpec(key, "ChaCha20");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The plain path, for reference.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * PacketWriter begin, appendData, finish (frame count and CRC32C): the plain send path of one packet.
     *
     * @param s packet state.
     * @return the datagram length.
     */
    @Benchmark
    public int plainWrite(final PacketState s)
    {
        return writeData(s);
    }

    /**
     * PacketReader wrap (validation and CRC32C), then iterate the frames: the plain receive path of one packet.
     *
     * @param s packet state.
     * @return a value that depends on every field read.
     */
    @Benchmark
    public long plainRead(final PacketState s)
    {
        final PacketReader reader = s.reader;
        long sum = reader.wrap(s.plainPacket, 0, s.packetLength);
        while (reader.nextFrame())
        {
            sum += reader.data().seq() + reader.dataPayloadOffset() + reader.dataPayloadLength();
        }
        return sum;
    }

    /**
     * The copy every {@code *Open} benchmark does before it opens: one sealed packet into the working buffer.
     *
     * @param s packet state.
     * @return the nonce of the copied packet.
     */
    @Benchmark
    public long copySealedPacket(final PacketState s)
    {
        return s.nextOpenNonce();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // BouncyCastle ChaCha7539Engine + Poly1305, composed per RFC 8439 (BcChaCha20Poly1305).
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Seal with {@link BcChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return sealed length.
     */
    @Benchmark
    public int bcSeal(final PacketState s)
    {
        return s.bcSealer.seal(s.sealNonce++, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
    }

    /**
     * Copy a sealed packet in, then open it with {@link BcChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean bcOpen(final PacketState s)
    {
        return s.bcOpener.open(s.nextOpenNonce(), s.work, 0, AAD_LENGTH, AAD_LENGTH, s.sealedLength);
    }

    /**
     * Seal then open in place with {@link BcChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean bcSealOpen(final PacketState s)
    {
        final long nonce = s.sealNonce++;
        final int sealedLength = s.bcSealer.seal(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
        return s.bcOpener.open(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, sealedLength);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // BouncyCastle AEAD mode org.bouncycastle.crypto.modes.ChaCha20Poly1305 (BcAeadChaCha20Poly1305).
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Seal with {@link BcAeadChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return sealed length.
     */
    @Benchmark
    public int bcAeadSeal(final PacketState s)
    {
        return s.bcAeadSealer.seal(s.sealNonce++, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
    }

    /**
     * Copy a sealed packet in, then open it with {@link BcAeadChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean bcAeadOpen(final PacketState s)
    {
        return s.bcAeadOpener.open(s.nextOpenNonce(), s.work, 0, AAD_LENGTH, AAD_LENGTH, s.sealedLength);
    }

    /**
     * Seal then open in place with {@link BcAeadChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean bcAeadSealOpen(final PacketState s)
    {
        final long nonce = s.sealNonce++;
        final int sealedLength = s.bcAeadSealer.seal(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
        return s.bcAeadOpener.open(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, sealedLength);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // JDK SunJCE ChaCha20-Poly1305 (JdkChaCha20Poly1305).
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Seal with {@link JdkChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return sealed length.
     */
    @Benchmark
    public int jdkSeal(final PacketState s)
    {
        return s.jdkSealer.seal(s.sealNonce++, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
    }

    /**
     * Copy a sealed packet in, then open it with {@link JdkChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean jdkOpen(final PacketState s)
    {
        return s.jdkOpener.open(s.nextOpenNonce(), s.work, 0, AAD_LENGTH, AAD_LENGTH, s.sealedLength);
    }

    /**
     * Seal then open in place with {@link JdkChaCha20Poly1305}.
     *
     * @param s packet state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean jdkSealOpen(final PacketState s)
    {
        final long nonce = s.sealNonce++;
        final int sealedLength = s.jdkSealer.seal(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, s.textLength);
        return s.jdkOpener.open(nonce, s.work, 0, AAD_LENGTH, AAD_LENGTH, sealedLength);
    }

    /**
     * {@code Cipher.init} alone, the per-packet part of the JDK path that does not depend on the payload: a new
     * {@link IvParameterSpec} and an encrypt init under a fresh nonce.
     *
     * @param h handshake state, which holds the cipher.
     * @return the cipher's block size, to consume the init.
     * @throws GeneralSecurityException never, with a valid key and nonce.
     */
    @Benchmark
    public int jdkCipherInit(final HandshakeState h) throws GeneralSecurityException
    {
        PacketAead.writeNonce(0, h.cipherNonceCounter++, h.cipherNonce, 0);
        h.jdkCipher.init(Cipher.ENCRYPT_MODE, h.jdkCipherKey, new IvParameterSpec(h.cipherNonce));
        return h.jdkCipher.getBlockSize();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Handshake primitives: control plane, allocation noted but not a goal.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Ed25519 signature of a 128-byte message with the JDK ({@code Signature "Ed25519"}, instance reused).
     *
     * @param h handshake state.
     * @return the signature.
     * @throws GeneralSecurityException never, with a valid key.
     */
    @Benchmark
    public byte[] jdkEd25519Sign(final HandshakeState h) throws GeneralSecurityException
    {
        final Signature signer = h.jdkSigner;
        signer.initSign(h.jdkSignKeys.getPrivate());
        signer.update(h.message);
        return signer.sign();
    }

    /**
     * Ed25519 verification of a 128-byte message with the JDK ({@code Signature "Ed25519"}, instance reused).
     *
     * @param h handshake state.
     * @return true when valid.
     * @throws GeneralSecurityException never, with a valid key.
     */
    @Benchmark
    public boolean jdkEd25519Verify(final HandshakeState h) throws GeneralSecurityException
    {
        final Signature verifier = h.jdkVerifier;
        verifier.initVerify(h.jdkSignKeys.getPublic());
        verifier.update(h.message);
        return verifier.verify(h.jdkSignature);
    }

    /**
     * X25519 agreement with the JDK ({@code KeyAgreement "X25519"}, instance reused).
     *
     * @param h handshake state.
     * @return the shared secret.
     * @throws GeneralSecurityException never, with valid keys.
     */
    @Benchmark
    public byte[] jdkX25519Agree(final HandshakeState h) throws GeneralSecurityException
    {
        final KeyAgreement agreement = h.jdkAgreement;
        agreement.init(h.jdkAgreeKeys.getPrivate());
        agreement.doPhase(h.jdkPeerAgreeKeys.getPublic(), true);
        return agreement.generateSecret();
    }

    /**
     * Ed25519 signature of a 128-byte message with BouncyCastle's {@code rfc8032.Ed25519} on raw arrays.
     *
     * @param h handshake state.
     * @return the signature array.
     */
    @Benchmark
    public byte[] bcEd25519Sign(final HandshakeState h)
    {
        Ed25519.sign(h.bcSignSecret, 0, h.message, 0, h.message.length, h.bcSignature, 0);
        return h.bcSignature;
    }

    /**
     * Ed25519 verification of a 128-byte message with BouncyCastle's {@code rfc8032.Ed25519} on raw arrays.
     *
     * @param h handshake state.
     * @return true when valid.
     */
    @Benchmark
    public boolean bcEd25519Verify(final HandshakeState h)
    {
        return Ed25519.verify(h.bcSignature, 0, h.bcSignPublic, 0, h.message, 0, h.message.length);
    }

    /**
     * X25519 agreement with BouncyCastle's {@code rfc7748.X25519} on raw arrays.
     *
     * @param h handshake state.
     * @return true unless the result is all zeroes.
     */
    @Benchmark
    public boolean bcX25519Agree(final HandshakeState h)
    {
        return X25519.calculateAgreement(h.bcAgreeSecret, 0, h.bcPeerAgreePublic, 0, h.bcSharedSecret, 0);
    }

    static int writeData(final PacketState s)
    {
        final PacketWriter writer = s.writer;
        writer.begin(SRC_ESTATE_ID, DST_ESTATE_ID, SRC_SESSION, DST_SESSION);
        writer.appendData(
            0, DeliveryMode.RELIABLE_ORDERED, true, true, s.seq++, s.payloadBytes, 0, 0,
            s.payload, 0, s.payloadBytes);
        return writer.finish();
    }

    static UnsafeBuffer directBuffer(final int capacity)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(capacity, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH), 0, capacity);
    }
}
