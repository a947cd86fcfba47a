package io.raet4j.bench;

import io.raet4j.codec.crypto.BcAeadChaCha20Poly1305;
import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.JdkChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.sodium.Sodium;
import io.raet4j.sodium.SodiumChaCha20Poly1305;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The packet AEAD implementations side by side (issue 14 part 1), per packet of {@code packetBytes} bytes after a
 * 40-byte header taken as associated data, in a direct buffer as on the data path. Run with {@code -prof gc}.
 * <ul>
 *     <li>{@code sodium}: {@link SodiumChaCha20Poly1305}, libsodium through jnr-ffi and jffi;</li>
 *     <li>{@code bc}: {@link BcChaCha20Poly1305}, the pure-Java fallback (BouncyCastle engines, composed);</li>
 *     <li>{@code bcAead}: {@link BcAeadChaCha20Poly1305}, BouncyCastle's AEAD mode;</li>
 *     <li>{@code jdk}: {@link JdkChaCha20Poly1305}, the JDK's ChaCha20-Poly1305 {@code Cipher};</li>
 *     <li>{@code jdkAesGcm}: AES-256-GCM from the JDK ({@link JdkAesGcmAead}), intrinsic on x86; for comparison
 *     only, as it is not the wire format.</li>
 * </ul>
 * {@code seal} seals in place with a fresh nonce (the buffer's content does not change the cost); {@code sealOpen}
 * seals then opens the same buffer, the sender's and the receiver's work for one packet.
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
public class CryptoAeadBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public CryptoAeadBenchmark()
    {
    }

    /** Associated data of every packet: a packet header's length. */
    public static final int AAD_LENGTH = 40;

    /**
     * One implementation, one packet size, a sealer and an opener.
     */
    @State(Scope.Thread)
    public static class AeadState
    {
        /**
         * Instantiated by JMH.
         */
        public AeadState()
        {
        }

        /** Bytes sealed after the header. */
        @Param({ "64", "1024", "8192" })
        public int packetBytes;

        /** Implementation: sodium, bc, bcAead, jdk or jdkAesGcm. */
        @Param({ "sodium", "bc", "bcAead", "jdk", "jdkAesGcm" })
        public String implementation;

        PacketAead sealer;
        PacketAead opener;
        UnsafeBuffer buffer;
        long nonce = 1;

        /**
         * Key both ends alike and check that a sealed packet opens.
         */
        @Setup
        public void setup()
        {
            sealer = create(implementation);
            opener = create(implementation);
            final byte[] key = new byte[PacketAead.KEY_LENGTH];
            new SecureRandom().nextBytes(key);
            sealer.init(key, 7);
            opener.init(key, 7);
            final int capacity = AAD_LENGTH + packetBytes + PacketAead.TAG_LENGTH;
            buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BitUtil.align(capacity, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH), 0, capacity);
            for (int i = 0; i < capacity; i++)
            {
                buffer.putByte(i, (byte)i);
            }
            final long n = nonce++;
            final int sealed = sealer.seal(n, buffer, 0, AAD_LENGTH, AAD_LENGTH, packetBytes);
            if (!opener.open(n, buffer, 0, AAD_LENGTH, AAD_LENGTH, sealed))
            {
                throw new IllegalStateException(implementation + ": a sealed packet does not open");
            }
        }

        private static PacketAead create(final String implementation)
        {
            switch (implementation)
            {
                case "sodium":
                    if (!Sodium.isAvailable())
                    {
                        throw new IllegalStateException(Sodium.unavailableReason());
                    }
                    return new SodiumChaCha20Poly1305();
                case "bc":
                    return new BcChaCha20Poly1305();
                case "bcAead":
                    return new BcAeadChaCha20Poly1305();
                case "jdk":
                    return new JdkChaCha20Poly1305();
                case "jdkAesGcm":
                    return new JdkAesGcmAead();
                default:
                    throw new IllegalArgumentException("unknown implementation: " + implementation);
            }
        }
    }

    /**
     * Seal in place.
     *
     * @param s state.
     * @return sealed length.
     */
    @Benchmark
    public int seal(final AeadState s)
    {
        return s.sealer.seal(s.nonce++, s.buffer, 0, AAD_LENGTH, AAD_LENGTH, s.packetBytes);
    }

    /**
     * Seal then open in place: one packet's work at both ends.
     *
     * @param s state.
     * @return true when authentic.
     */
    @Benchmark
    public boolean sealOpen(final AeadState s)
    {
        final long n = s.nonce++;
        final int sealed = s.sealer.seal(n, s.buffer, 0, AAD_LENGTH, AAD_LENGTH, s.packetBytes);
        return s.opener.open(n, s.buffer, 0, AAD_LENGTH, AAD_LENGTH, sealed);
    }
}
