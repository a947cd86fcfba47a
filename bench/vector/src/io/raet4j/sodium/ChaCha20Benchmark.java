package io.raet4j.sodium;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
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

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The ChaCha20 part of sealing one packet, per implementation (issue 14 part 1): keystream block 0 (the one-time
 * Poly1305 key) and the payload XORed from block 1, in a direct buffer as on the data path. {@code vector}:
 * {@link VectorChaCha20} (Vector API, one block per lane); {@code sodium}: libsodium through the binding the stack
 * uses (two native calls); {@code bc}: BouncyCastle's ChaCha7539Engine on a byte array. Setup checks the vector
 * implementation against libsodium for several lengths and counters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-modules", "jdk.incubator.vector",
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@State(Scope.Thread)
public class ChaCha20Benchmark
{
    @Param({ "64", "1024", "8192" })
    public int packetBytes;

    @Param({ "vector", "sodium", "bc" })
    public String implementation;

    private final byte[] key = new byte[32];
    private final byte[] nonce = new byte[12];
    private UnsafeBuffer native32;
    private UnsafeBuffer block0;
    private UnsafeBuffer payload;
    private byte[] heapBlock0;
    private byte[] heapPayload;
    private final byte[] zeroes = new byte[64];
    private VectorChaCha20 vector;
    private ChaCha7539Engine chacha;
    private ParametersWithIV nonceOnly;

    @Setup
    public void setup()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 32; i++)
        {
            key[i] = (byte)random.nextInt();
        }
        for (int i = 0; i < 12; i++)
        {
            nonce[i] = (byte)random.nextInt();
        }
        native32 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        native32.putBytes(0, key);
        native32.putBytes(32, nonce);
        block0 = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(64, packetBytes), 64), 0, packetBytes);
        heapBlock0 = new byte[64];
        heapPayload = new byte[packetBytes];
        vector = new VectorChaCha20();
        vector.init(key, nonce);
        chacha = new ChaCha7539Engine();
        chacha.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        nonceOnly = new ParametersWithIV(null, nonce);
        check(random);
    }

    private void check(final SplittableRandom random)
    {
        for (final int length : new int[]{ 1, 63, 64, 65, 200, 511, 512, 513, 1024, 1400, 8199 })
        {
            for (final int counter : new int[]{ 0, 1, 5 })
            {
                final UnsafeBuffer a = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length + 64, 64), 0, length);
                final UnsafeBuffer b = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length + 64, 64), 0, length);
                for (int i = 0; i < length; i++)
                {
                    final byte v = (byte)random.nextInt();
                    a.putByte(i, v);
                    b.putByte(i, v);
                }
                final long k = native32.addressOffset();
                Sodium.streamXorIc(a.addressOffset(), a.addressOffset(), length, k + 32, counter, k);
                vector.xor(b, 0, length, counter);
                final byte[] x = new byte[length];
                final byte[] y = new byte[length];
                a.getBytes(0, x);
                b.getBytes(0, y);
                if (!Arrays.equals(x, y))
                {
                    throw new IllegalStateException("vector ChaCha20 differs from libsodium: length " + length +
                        ", counter " + counter);
                }
            }
        }
    }

    @Benchmark
    public long packet()
    {
        switch (implementation)
        {
            case "vector":
                block0.setMemory(0, 64, (byte)0);
                vector.xor(block0, 0, 64, 0);
                vector.xor(payload, 0, packetBytes, 1);
                return block0.getLong(0);
            case "sodium":
                final long k = native32.addressOffset();
                Sodium.calls().crypto_stream_chacha20_ietf(block0.addressOffset(), 64, k + 32, k);
                Sodium.streamXorIc(payload.addressOffset(), payload.addressOffset(), packetBytes, k + 32, 1, k);
                return block0.getLong(0);
            case "bc":
                chacha.init(true, nonceOnly);
                chacha.processBytes(zeroes, 0, 64, heapBlock0, 0);
                chacha.processBytes(heapPayload, 0, packetBytes, heapPayload, 0);
                return heapBlock0[0];
            default:
                throw new IllegalArgumentException(implementation);
        }
    }
}
