package io.raet4j.codec;

import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.RenewDecoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random datagrams, random and structure-aware, with valid checksums so that they reach the frame walk. The reader
 * must never throw, and whatever it accepts must be readable to the last byte through every accessor, with Agrona
 * bounds checks on and buffers exactly as long as the datagram.
 */
class PacketFuzzTest
{
    private static final int ITERATIONS = 100_000;
    private static final int MAX_LENGTH = 4096;
    private static final int[] KNOWN_TEMPLATES = {
        JoinDecoder.TEMPLATE_ID, JoinAckDecoder.TEMPLATE_ID, AliveDecoder.TEMPLATE_ID, AliveAckDecoder.TEMPLATE_ID,
        DataDecoder.TEMPLATE_ID, AckDecoder.TEMPLATE_ID, NackDecoder.TEMPLATE_ID, RenewDecoder.TEMPLATE_ID,
        LeaveDecoder.TEMPLATE_ID, 99 };
    private static final int[] KNOWN_BLOCKS = {
        JoinDecoder.BLOCK_LENGTH, JoinAckDecoder.BLOCK_LENGTH, AliveDecoder.BLOCK_LENGTH, AliveAckDecoder.BLOCK_LENGTH,
        DataDecoder.BLOCK_LENGTH, AckDecoder.BLOCK_LENGTH, NackDecoder.BLOCK_LENGTH, RenewDecoder.BLOCK_LENGTH,
        LeaveDecoder.BLOCK_LENGTH, 2 };
    private static final int[] INTERESTING_U16 = { 0, 1, 2, 3, 8, 15, 16, 17, 31, 32, 33, 255, 256, 0x7FFF, 0xFFFF };

    private final PacketReader reader = new PacketReader();
    private final Random random = new Random(0x5EED_4242L);
    private final byte[] heapMemory = new byte[MAX_LENGTH];
    private final ByteBuffer directMemory = BufferUtil.allocateDirectAligned(MAX_LENGTH, BitUtil.CACHE_LINE_LENGTH);
    private final UnsafeBuffer heapView = new UnsafeBuffer(heapMemory);
    private final UnsafeBuffer directView = new UnsafeBuffer(directMemory);
    private final byte[] scratch = new byte[65_536];
    private long sink;

    @Test
    void shouldNeverThrowOnRandomDatagrams()
    {
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++)
        {
            final int length = random.nextInt(1600);
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            if (length >= PacketWriter.HEADER_LENGTH && random.nextBoolean())
            {
                plantPlausibleStructure(bytes);
                if (random.nextInt(10) != 0)
                {
                    SamplePackets.seal(bytes);
                }
            }
            accepted += check(bytes, "random #" + i);
        }
        assertTrue(accepted >= 0);
    }

    @Test
    void shouldNeverThrowOnMutationsOfValidPackets()
    {
        final List<byte[]> samples = new ArrayList<>(SamplePackets.all().values());
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++)
        {
            byte[] bytes = samples.get(random.nextInt(samples.size())).clone();
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                bytes = mutate(bytes);
            }
            if (bytes.length >= PacketWriter.HEADER_LENGTH && random.nextInt(20) != 0)
            {
                SamplePackets.seal(bytes);
            }
            accepted += check(bytes, "mutation #" + i);
        }
        // Payload and field changes that keep the structure valid must still be accepted and fully readable.
        assertTrue(accepted > ITERATIONS / 20, "accepted " + accepted);
    }

    private int check(final byte[] bytes, final String what)
    {
        int accepted = 0;
        try
        {
            System.arraycopy(bytes, 0, heapMemory, 0, bytes.length);
            heapView.wrap(heapMemory, 0, bytes.length);
            final int heapStatus = reader.wrap(heapView, 0, bytes.length);
            if (PacketReader.OK == heapStatus)
            {
                readEverything();
                accepted = 1;
            }

            directView.wrap(directMemory, 0, bytes.length);
            directView.putBytes(0, bytes);
            final int directStatus = reader.wrap(directView, 0, bytes.length);
            if (PacketReader.OK == directStatus)
            {
                readEverything();
            }
            assertEquals(heapStatus, directStatus, what);
        }
        catch (final RuntimeException ex)
        {
            fail(what + " threw " + ex + " on " + toHex(bytes), ex);
        }

        return accepted;
    }

    private void readEverything()
    {
        sink += reader.srcEstateId() + reader.dstEstateId() + reader.srcSession() + reader.dstSession() +
            reader.version() + reader.flags() + reader.frameCount() + reader.unknownFrames();
        while (reader.nextFrame())
        {
            final int frameLength = reader.frameLength();
            final int decoded;
            switch (reader.templateId())
            {
                case JoinDecoder.TEMPLATE_ID:
                {
                    final JoinDecoder join = reader.join();
                    sink += join.frameLength() + join.minVersion() + join.maxVersion() + join.nonce();
                    sink += reader.joinName().length() + join.toString().length();
                    decoded = join.sbeDecodedLength();
                    break;
                }

                case JoinAckDecoder.TEMPLATE_ID:
                {
                    final JoinAckDecoder joinAck = reader.joinAck();
                    sink += joinAck.status().ordinal() + joinAck.version() + joinAck.nonce();
                    sink += reader.joinName().length() + joinAck.toString().length();
                    decoded = joinAck.sbeDecodedLength();
                    break;
                }

                case AliveDecoder.TEMPLATE_ID:
                {
                    final AliveDecoder alive = reader.alive();
                    sink += alive.nonce() + alive.timestampNs() + alive.toString().length();
                    decoded = alive.sbeDecodedLength();
                    break;
                }

                case AliveAckDecoder.TEMPLATE_ID:
                {
                    final AliveAckDecoder aliveAck = reader.aliveAck();
                    sink += aliveAck.nonce() + aliveAck.echoTimestampNs() + aliveAck.toString().length();
                    decoded = aliveAck.sbeDecodedLength();
                    break;
                }

                case DataDecoder.TEMPLATE_ID:
                {
                    final DataDecoder data = reader.data();
                    sink += data.channel() + data.mode().ordinal() + data.seq() + data.messageLength() +
                        data.segmentOffset() + data.segmentIndex() + (data.flags().begin() ? 1 : 0);
                    final int payloadLength = reader.dataPayloadLength();
                    assertTrue(reader.dataPayloadOffset() + payloadLength <= reader.frameOffset() + frameLength);
                    reader.buffer().getBytes(reader.dataPayloadOffset(), scratch, 0, payloadLength);
                    assertEquals(payloadLength, data.getPayload(scratch, 0, scratch.length));
                    sink += data.toString().length();
                    decoded = reader.data().sbeDecodedLength();
                    break;
                }

                case AckDecoder.TEMPLATE_ID:
                {
                    final AckDecoder ack = reader.ack();
                    sink += ack.channel() + ack.cumulativeSeq() + ack.deliveredSeq() + ack.windowSegments();
                    final AckDecoder.RangesDecoder ranges = ack.ranges();
                    while (ranges.hasNext())
                    {
                        ranges.next();
                        assertTrue(ranges.startSeq() < ranges.endSeq());
                    }
                    sink += ack.toString().length();
                    decoded = reader.ack().sbeDecodedLength();
                    break;
                }

                case NackDecoder.TEMPLATE_ID:
                {
                    final NackDecoder nack = reader.nack();
                    final NackDecoder.MissingDecoder missing = nack.missing();
                    while (missing.hasNext())
                    {
                        missing.next();
                        assertTrue(missing.startSeq() < missing.endSeq());
                    }
                    sink += nack.channel() + nack.toString().length();
                    decoded = reader.nack().sbeDecodedLength();
                    break;
                }

                case RenewDecoder.TEMPLATE_ID:
                    sink += reader.renew().reason().ordinal() + reader.renew().toString().length();
                    decoded = reader.renew().sbeDecodedLength();
                    break;

                case LeaveDecoder.TEMPLATE_ID:
                    sink += reader.leave().frameLength();
                    decoded = reader.leave().sbeDecodedLength();
                    break;

                default:
                    throw new AssertionError("nextFrame() returned unknown template " + reader.templateId());
            }
            assertTrue(decoded <= frameLength - 8, "decoded " + decoded + " of frame " + frameLength);
        }
    }

    /**
     * Make random bytes look like a header followed by frames with plausible headers and lengths.
     */
    private void plantPlausibleStructure(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        header.wrap(buffer, 0).blockLength(32).templateId(1).schemaId(4242).version(1 + random.nextInt(2));
        final int frames = 1 + random.nextInt(6);
        buffer.putByte(8 + 5, (byte)frames);
        int offset = PacketWriter.HEADER_LENGTH;
        for (int i = 0; i < frames && offset + 10 <= bytes.length; i++)
        {
            final int kind = random.nextInt(KNOWN_TEMPLATES.length);
            final int blockLength = KNOWN_BLOCKS[kind] + (random.nextInt(8) == 0 ? random.nextInt(9) - 1 : 0);
            header.wrap(buffer, offset)
                .blockLength(Math.max(0, blockLength))
                .templateId(KNOWN_TEMPLATES[kind])
                .schemaId(4242)
                .version(random.nextInt(8) == 0 ? 2 : 1);
            final int remaining = bytes.length - offset;
            final int frameLength = random.nextInt(4) == 0 ?
                random.nextInt(remaining + 1) : Math.min(remaining, 8 + blockLength + 2 + random.nextInt(40));
            buffer.putShort(offset + 8, (short)frameLength, ByteOrder.LITTLE_ENDIAN);
            if (offset + 8 + blockLength + 4 <= bytes.length && random.nextBoolean())
            {
                // A var data length or group header that fits.
                final int end = offset + frameLength;
                final int varOffset = offset + 8 + blockLength;
                buffer.putShort(varOffset, (short)Math.max(0, end - varOffset - 2), ByteOrder.LITTLE_ENDIAN);
            }
            offset += Math.max(frameLength, 10);
        }
    }

    private byte[] mutate(final byte[] bytes)
    {
        if (0 == bytes.length)
        {
            return new byte[]{ (byte)random.nextInt() };
        }

        switch (random.nextInt(7))
        {
            case 0:
                bytes[random.nextInt(bytes.length)] = (byte)random.nextInt();
                return bytes;

            case 1:
                bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                return bytes;

            case 2:
                if (bytes.length >= 2)
                {
                    final int value = INTERESTING_U16[random.nextInt(INTERESTING_U16.length)];
                    SamplePackets.putU16(bytes, random.nextInt(bytes.length - 1), value);
                }
                return bytes;

            case 3:
                if (bytes.length >= 4)
                {
                    SamplePackets.putI32(bytes, random.nextInt(bytes.length - 3), random.nextInt(5) - 2);
                }
                return bytes;

            case 4:
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));

            case 5:
            {
                final byte[] extra = new byte[1 + random.nextInt(40)];
                random.nextBytes(extra);
                return SamplePackets.splice(bytes, random.nextInt(bytes.length + 1), extra);
            }

            default:
            {
                // Payload-only change: keeps the structure valid so the accepting path is exercised.
                if (bytes.length > PacketWriter.HEADER_LENGTH + 60)
                {
                    bytes[bytes.length - 1 - random.nextInt(10)] ^= 0x55;
                }
                return bytes;
            }
        }
    }

    private static String toHex(final byte[] bytes)
    {
        final StringBuilder builder = new StringBuilder();
        for (final byte b : bytes)
        {
            builder.append(String.format("%02x", b & 0xFF));
        }

        return builder.toString();
    }
}
