package io.raet4j.sodium;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * IETF ChaCha20 (RFC 8439 section 2.4) on the Vector API, for evaluation only (issue 14 part 1; not part of the
 * library): one block per lane, {@code SPECIES_PREFERRED.length()} blocks at a time (8 on AVX2), the 20 rounds on 16
 * vectors of state words, then the words transposed into keystream bytes and XORed into the buffer. Checked against
 * libsodium's {@code crypto_stream_chacha20_ietf_xor_ic} by {@link ChaCha20Benchmark}. NOT thread safe.
 */
final class VectorChaCha20
{
    private static final VectorSpecies<Integer> SPECIES = IntVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final IntVector IOTA = IntVector.fromArray(SPECIES, iota(), 0);

    private final int[] state = new int[16];
    private final int[] words = new int[16 * LANES];
    private final byte[] keystream = new byte[64 * LANES];

    private static int[] iota()
    {
        final int[] values = new int[LANES];
        for (int i = 0; i < LANES; i++)
        {
            values[i] = i;
        }
        return values;
    }

    void init(final byte[] key, final byte[] nonce)
    {
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        for (int i = 0; i < 8; i++)
        {
            state[4 + i] = le(key, 4 * i);
        }
        for (int i = 0; i < 3; i++)
        {
            state[13 + i] = le(nonce, 4 * i);
        }
    }

    /**
     * XOR the keystream from block {@code counter} on into {@code length} bytes at {@code offset}.
     */
    void xor(final MutableDirectBuffer buffer, final int offset, final int length, final int counter)
    {
        int done = 0;
        int block = counter;
        while (done < length)
        {
            final int chunk = Math.min(64 * LANES, length - done);
            blocks(block, (chunk + 63) >>> 6);
            int i = 0;
            for (; i + 8 <= chunk; i += 8)
            {
                final long k = longLe(keystream, i);
                buffer.putLong(offset + done + i, buffer.getLong(offset + done + i, LITTLE_ENDIAN) ^ k, LITTLE_ENDIAN);
            }
            for (; i < chunk; i++)
            {
                buffer.putByte(offset + done + i, (byte)(buffer.getByte(offset + done + i) ^ keystream[i]));
            }
            done += chunk;
            block += LANES;
        }
    }

    private void blocks(final int counter, final int wanted)
    {
        IntVector x0 = IntVector.broadcast(SPECIES, state[0]);
        IntVector x1 = IntVector.broadcast(SPECIES, state[1]);
        IntVector x2 = IntVector.broadcast(SPECIES, state[2]);
        IntVector x3 = IntVector.broadcast(SPECIES, state[3]);
        IntVector x4 = IntVector.broadcast(SPECIES, state[4]);
        IntVector x5 = IntVector.broadcast(SPECIES, state[5]);
        IntVector x6 = IntVector.broadcast(SPECIES, state[6]);
        IntVector x7 = IntVector.broadcast(SPECIES, state[7]);
        IntVector x8 = IntVector.broadcast(SPECIES, state[8]);
        IntVector x9 = IntVector.broadcast(SPECIES, state[9]);
        IntVector x10 = IntVector.broadcast(SPECIES, state[10]);
        IntVector x11 = IntVector.broadcast(SPECIES, state[11]);
        IntVector x12 = IntVector.broadcast(SPECIES, counter).add(IOTA);
        IntVector x13 = IntVector.broadcast(SPECIES, state[13]);
        IntVector x14 = IntVector.broadcast(SPECIES, state[14]);
        IntVector x15 = IntVector.broadcast(SPECIES, state[15]);
        for (int round = 0; round < 10; round++)
        {
            x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 16);
            x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 12);
            x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 8);
            x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 7);
            x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 16);
            x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 12);
            x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 8);
            x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 7);
            x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 16);
            x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 12);
            x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 8);
            x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 7);
            x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 16);
            x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 12);
            x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 8);
            x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 7);
            x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 16);
            x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 12);
            x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 8);
            x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 7);
            x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 16);
            x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 12);
            x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 8);
            x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 7);
            x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 16);
            x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 12);
            x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 8);
            x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 7);
            x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 16);
            x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 12);
            x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 8);
            x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 7);
        }
        x0.add(IntVector.broadcast(SPECIES, state[0])).intoArray(words, 0 * LANES);
        x1.add(IntVector.broadcast(SPECIES, state[1])).intoArray(words, 1 * LANES);
        x2.add(IntVector.broadcast(SPECIES, state[2])).intoArray(words, 2 * LANES);
        x3.add(IntVector.broadcast(SPECIES, state[3])).intoArray(words, 3 * LANES);
        x4.add(IntVector.broadcast(SPECIES, state[4])).intoArray(words, 4 * LANES);
        x5.add(IntVector.broadcast(SPECIES, state[5])).intoArray(words, 5 * LANES);
        x6.add(IntVector.broadcast(SPECIES, state[6])).intoArray(words, 6 * LANES);
        x7.add(IntVector.broadcast(SPECIES, state[7])).intoArray(words, 7 * LANES);
        x8.add(IntVector.broadcast(SPECIES, state[8])).intoArray(words, 8 * LANES);
        x9.add(IntVector.broadcast(SPECIES, state[9])).intoArray(words, 9 * LANES);
        x10.add(IntVector.broadcast(SPECIES, state[10])).intoArray(words, 10 * LANES);
        x11.add(IntVector.broadcast(SPECIES, state[11])).intoArray(words, 11 * LANES);
        x12.add(IntVector.broadcast(SPECIES, counter).add(IOTA)).intoArray(words, 12 * LANES);
        x13.add(IntVector.broadcast(SPECIES, state[13])).intoArray(words, 13 * LANES);
        x14.add(IntVector.broadcast(SPECIES, state[14])).intoArray(words, 14 * LANES);
        x15.add(IntVector.broadcast(SPECIES, state[15])).intoArray(words, 15 * LANES);
        for (int lane = 0; lane < wanted; lane++)
        {
            for (int w = 0; w < 16; w++)
            {
                final int v = words[w * LANES + lane];
                final int at = lane * 64 + w * 4;
                keystream[at] = (byte)v;
                keystream[at + 1] = (byte)(v >>> 8);
                keystream[at + 2] = (byte)(v >>> 16);
                keystream[at + 3] = (byte)(v >>> 24);
            }
        }
    }

    private static int le(final byte[] b, final int i)
    {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static long longLe(final byte[] b, final int i)
    {
        return (le(b, i) & 0xffffffffL) | ((long)le(b, i + 4) << 32);
    }
}
