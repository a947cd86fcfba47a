package io.raet4j.codec;

import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes the seed corpus of the byte-array targets of {@link PacketReaderFuzzTest}: one valid datagram of every frame
 * kind (the {@link SamplePackets}, a JoinCookie, version 3 Join and JoinAck with keys, signature, limits and refusal,
 * the shorter Join and JoinAck of older stacks that version 3 still reads, and a Leave after the final Ack), and for
 * {@code anyDatagramIsRefusedOrReadableToTheLastByte} also sealed packets, both as sealed and as opened in place
 * (frames in plain text, tag left behind), which is the form that target hands to {@code wrapOpened}.
 * <p>
 * Not part of the normal run: it writes into the source tree, so it runs only when asked, from the codec directory:
 * {@code mvn -B -pl codec test -Dtest=FuzzSeedCorpusTest -Draet4j.fuzz.writeSeeds=true}.
 * <p>
 * The seeds of the two FuzzedDataProvider targets ({@code campaign-*}) cannot be written like this: they were picked
 * from a campaign's {@code .cifuzz-corpus}, a handful that together build every frame kind, a jumbo packet, an
 * untouched and an edited packet, and each status (clear text) or both sealing modes (sealed). They are read through
 * {@link FuzzedPackets} in the order it consumes its input, so a change to that order turns them into other packets:
 * harmless, but pick them again then.
 */
class FuzzSeedCorpusTest
{
    private static final Path INPUTS = Path.of("src/test/resources/io/raet4j/codec/PacketReaderFuzzTestInputs");
    private static final int JOIN_BLOCK_V1 = 14;
    private static final int JOIN_BLOCK_V2 = 190;
    private static final int JOIN_ACK_BLOCK_V1 = 13;

    @Test
    @EnabledIfSystemProperty(named = "raet4j.fuzz.writeSeeds", matches = "true")
    void shouldWriteOneValidDatagramOfEveryKindAsSeeds() throws IOException
    {
        final Map<String, byte[]> clear = clearTextSeeds();
        final Map<String, byte[]> sealed = sealedSeeds();
        for (final Map.Entry<String, byte[]> seed : clear.entrySet())
        {
            assertEquals(PacketReader.OK, new PacketReader().wrap(
                new UnsafeBuffer(seed.getValue()), 0, seed.getValue().length), seed.getKey());
            write("anyDatagramIsRefusedOrReadableToTheLastByte", seed.getKey(), seed.getValue());
            write("anyClearTextDatagramWithItsChecksumSetIsJudgedByTheSpecRules", seed.getKey(), seed.getValue());
        }
        for (final Map.Entry<String, byte[]> seed : sealed.entrySet())
        {
            write("anyDatagramIsRefusedOrReadableToTheLastByte", seed.getKey(), seed.getValue());
        }
    }

    private static Map<String, byte[]> clearTextSeeds()
    {
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        SamplePackets.all().forEach((name, bytes) -> seeds.put("seed-" + name, bytes));
        final PacketWriter writer = new PacketWriter(SamplePackets.MTU);

        SamplePackets.begin(writer);
        assertTrue(writer.appendJoinCookie(44L, pattern(PacketWriter.COOKIE_LENGTH, 1)));
        seeds.put("seed-joinCookie", SamplePackets.copy(writer));

        SamplePackets.begin(writer);
        writer.flags(PacketWriter.FLAG_RENEW);
        assertTrue(writer.appendJoin(
            3, 3, 45L, "joiner", pattern(PacketWriter.COOKIE_LENGTH, 2), pattern(PacketWriter.KEY_LENGTH, 3),
            pattern(PacketWriter.KEY_LENGTH, 4), pattern(PacketWriter.KEY_LENGTH, 5),
            pattern(PacketWriter.SIGNATURE_LENGTH, 6), new JoinLimits(1408, 1 << 20, 256, true)));
        seeds.put("seed-joinWithKeys", SamplePackets.copy(writer));

        SamplePackets.begin(writer);
        assertTrue(writer.appendJoinAck(
            JoinStatus.PENDING, 3, 45L, "acceptor", pattern(PacketWriter.KEY_LENGTH, 7),
            pattern(PacketWriter.KEY_LENGTH, 8), pattern(PacketWriter.KEY_LENGTH, 9),
            pattern(PacketWriter.SIGNATURE_LENGTH, 10), new JoinLimits(9000, 4096, 64, false),
            JoinRefusal.PENDING_ACCEPTANCE));
        seeds.put("seed-joinAckWithKeys", SamplePackets.copy(writer));

        // What older stacks send, and a version 3 stack reads only far enough to answer VERSION_UNSUPPORTED or, as
        // a joiner, to be told so: a version 2 Join (version 2 block and frame), a Join with the version 1 block,
        // and a VERSION_UNSUPPORTED JoinAck with the version 1 block.
        SamplePackets.begin(writer);
        assertTrue(writer.appendJoin(
            2, 2, 46L, "older", pattern(PacketWriter.COOKIE_LENGTH, 11), pattern(PacketWriter.KEY_LENGTH, 12),
            pattern(PacketWriter.KEY_LENGTH, 13), pattern(PacketWriter.KEY_LENGTH, 14),
            pattern(PacketWriter.SIGNATURE_LENGTH, 15)));
        final byte[] olderJoin = SamplePackets.copy(writer);
        seeds.put("seed-joinVersion2", SamplePackets.withFrameBlock(olderJoin, JOIN_BLOCK_V2, 2));
        seeds.put("seed-joinVersion1Block", SamplePackets.withFrameBlock(olderJoin, JOIN_BLOCK_V1, 2));

        SamplePackets.begin(writer);
        assertTrue(writer.appendJoinAck(JoinStatus.VERSION_UNSUPPORTED, 2, 46L, "older"));
        seeds.put("seed-joinAckVersionUnsupported1Block",
            SamplePackets.withFrameBlock(SamplePackets.copy(writer), JOIN_ACK_BLOCK_V1, 2));

        SamplePackets.begin(writer);
        assertTrue(writer.appendAck(3, 100L, 90L, 256, SamplePackets.ACK_STARTS, SamplePackets.ACK_ENDS,
            SamplePackets.ACK_STARTS.length));
        assertTrue(writer.appendLeave(true));
        seeds.put("seed-leaveWithFinalAcks", SamplePackets.copy(writer));

        return seeds;
    }

    /**
     * Estate packets (what travels sealed) sealed with the fuzz test's key, and each also opened in place.
     */
    private static Map<String, byte[]> sealedSeeds()
    {
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        final PacketWriter writer = new PacketWriter(SamplePackets.MTU);
        final PacketAead aead = new BcChaCha20Poly1305();
        final int keyId = 0x0102_0304;
        aead.init(PacketReaderFuzzTest.KEY, keyId);
        for (int kind = 0; kind < 6; kind++)
        {
            writer.beginSealed(
                SamplePackets.SRC_ESTATE, SamplePackets.DST_ESTATE, SamplePackets.SRC_SESSION,
                SamplePackets.DST_SESSION);
            final String name;
            switch (kind)
            {
                case 0:
                    name = "alive";
                    assertTrue(writer.appendAlive(43L, 1_000_000_007L));
                    assertTrue(writer.appendAliveAck(42L, 999_999_999L));
                    break;

                case 1:
                    name = "data";
                    assertTrue(SamplePackets.appendData(writer, 3, 1000L, 17, 0, 0, 17));
                    break;

                case 2:
                    name = "ack";
                    assertTrue(writer.appendAck(3, 100L, 90L, 256, SamplePackets.ACK_STARTS, SamplePackets.ACK_ENDS,
                        SamplePackets.ACK_STARTS.length));
                    break;

                case 3:
                    name = "nack";
                    assertTrue(writer.appendNack(
                        3, SamplePackets.NACK_STARTS, SamplePackets.NACK_ENDS, SamplePackets.NACK_STARTS.length));
                    break;

                case 4:
                    name = "leave";
                    assertTrue(writer.appendAck(3, 100L, 90L, 256, SamplePackets.ACK_STARTS, SamplePackets.ACK_ENDS,
                        SamplePackets.ACK_STARTS.length));
                    assertTrue(writer.appendLeave(true));
                    break;

                default:
                    name = "coalesced";
                    for (int i = 0; i < 4; i++)
                    {
                        assertTrue(SamplePackets.appendData(writer, i, 2000L + i, 40, 0, 0, 40));
                    }
                    assertTrue(writer.appendAck(2, 100L, 90L, 64, SamplePackets.ACK_STARTS, SamplePackets.ACK_ENDS,
                        SamplePackets.ACK_STARTS.length));
                    assertTrue(writer.appendAlive(9L, 99L));
                    break;
            }
            final long counter = kind + 1;
            final int length = writer.finishSealed(aead, keyId, counter);
            final byte[] sealed = new byte[length];
            writer.buffer().getBytes(0, sealed);
            seeds.put("seed-sealed-" + name, sealed);

            final UnsafeBuffer opened = new UnsafeBuffer(sealed.clone());
            assertTrue(aead.open(
                counter, opened, 0, PacketWriter.SEALED_FRAMES_OFFSET, PacketWriter.SEALED_FRAMES_OFFSET,
                length - PacketWriter.SEALED_FRAMES_OFFSET));
            seeds.put("seed-opened-" + name, opened.byteArray());
        }

        return seeds;
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 37 + i);
        }

        return bytes;
    }

    private static void write(final String method, final String name, final byte[] bytes) throws IOException
    {
        final Path directory = INPUTS.resolve(method);
        Files.createDirectories(directory);
        Files.write(directory.resolve(name), bytes);
    }
}
