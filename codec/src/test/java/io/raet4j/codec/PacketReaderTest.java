package io.raet4j.codec;

import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AckEncoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DataEncoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinEncoder;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.PacketHeaderEncoder;
import io.raet4j.codec.sbe.RenewDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static io.raet4j.codec.PacketReader.BAD_CHECKSUM;
import static io.raet4j.codec.PacketReader.BAD_SCHEMA;
import static io.raet4j.codec.PacketReader.BAD_VERSION;
import static io.raet4j.codec.PacketReader.MALFORMED;
import static io.raet4j.codec.PacketReader.OK;
import static io.raet4j.codec.PacketReader.TOO_SHORT;
import static io.raet4j.codec.SamplePackets.getU16;
import static io.raet4j.codec.SamplePackets.putI32;
import static io.raet4j.codec.SamplePackets.putI64;
import static io.raet4j.codec.SamplePackets.putU16;
import static io.raet4j.codec.SamplePackets.putU8;
import static io.raet4j.codec.SamplePackets.splice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PacketReaderTest
{
    /** First frame of a datagram: its SBE header. */
    private static final int F = PacketWriter.HEADER_LENGTH;
    /** First frame's block, where frameLength is. */
    private static final int B = F + 8;
    /** Offset of the header's frameCount. */
    private static final int FRAME_COUNT = 8 + PacketHeaderEncoder.frameCountEncodingOffset();

    private static final Map<String, byte[]> PACKETS = SamplePackets.all();

    private final PacketReader reader = new PacketReader();

    @Test
    void shouldAcceptEverySamplePacket()
    {
        assertEquals(11, PACKETS.size());
        assertEquals(SamplePackets.MTU, packet("maxData").length);
        PACKETS.forEach((name, bytes) ->
        {
            assertEquals(OK, reader.wrap(SamplePackets.heap(bytes, bytes.length), 0, bytes.length), name);
            assertEquals(OK, reader.wrap(SamplePackets.direct(bytes), 0, bytes.length), name);
        });
    }

    @Test
    void shouldRejectEveryTruncationOfEachPacketKind()
    {
        PACKETS.forEach((name, bytes) ->
        {
            final UnsafeBuffer direct = SamplePackets.direct(bytes);
            for (int length = 0; length < bytes.length; length++)
            {
                assertRejected(name + " truncated to " + length, SamplePackets.heap(bytes, length), length);
                assertRejected(name + " direct truncated to " + length, direct, length);
                if (length < PacketWriter.HEADER_LENGTH)
                {
                    assertEquals(TOO_SHORT, reader.wrap(direct, 0, length));
                }
            }
        });
    }

    @Test
    void shouldRejectEverySingleByteCorruptionOfEachPacketKind()
    {
        PACKETS.forEach((name, bytes) ->
        {
            final UnsafeBuffer heap = SamplePackets.heap(bytes, bytes.length);
            final UnsafeBuffer direct = SamplePackets.direct(bytes);
            for (int position = 0; position < bytes.length; position++)
            {
                final byte original = bytes[position];
                for (int mask = 1; mask < 256; mask++)
                {
                    final byte corrupted = (byte)(original ^ mask);
                    heap.putByte(position, corrupted);
                    direct.putByte(position, corrupted);
                    assertRejected(name + " byte " + position + " ^ " + mask, heap, bytes.length);
                    assertRejected(name + " direct byte " + position + " ^ " + mask, direct, bytes.length);
                }
                heap.putByte(position, original);
                direct.putByte(position, original);
            }
            assertEquals(OK, reader.wrap(heap, 0, bytes.length));
            assertEquals(OK, reader.wrap(direct, 0, bytes.length));
        });
    }

    @Test
    void shouldRejectAChecksumMismatch()
    {
        final byte[] bytes = packet("data");
        bytes[bytes.length - 1] ^= 1;
        assertEquals(BAD_CHECKSUM, wrap(bytes));
        bytes[bytes.length - 1] ^= 1;
        bytes[9] ^= 0x40;
        assertEquals(BAD_CHECKSUM, wrap(bytes));
    }

    @Test
    void shouldRejectFrameLengthTooSmallOrTooBig()
    {
        for (final String name : new String[]{ "alive", "data", "ack", "join", "leave", "coalesced" })
        {
            final byte[] bytes = packet(name);
            final int frameLength = getU16(bytes, B);
            for (final int wrong : new int[]{ 0, 1, 9, frameLength - 1, frameLength + 1, 0xFFFF })
            {
                final byte[] forged = bytes.clone();
                putU16(forged, B, wrong);
                assertSealed(MALFORMED, forged, name + " frameLength " + wrong);
            }
        }
    }

    @Test
    void shouldRejectAFrameCountThatDoesNotMatchTheFrames()
    {
        final byte[] bytes = packet("coalesced");
        final int frameCount = bytes[FRAME_COUNT] & 0xFF;
        for (final int wrong : new int[]{ 0, 1, frameCount - 1, frameCount + 1, 255 })
        {
            final byte[] forged = bytes.clone();
            putU8(forged, FRAME_COUNT, wrong);
            assertSealed(MALFORMED, forged, "frameCount " + wrong);
        }
        final byte[] single = packet("alive");
        putU8(single, FRAME_COUNT, 0);
        assertSealed(MALFORMED, single, "frameCount 0");
    }

    @Test
    void shouldRejectTrailingBytes()
    {
        for (final String name : new String[]{ "alive", "coalesced", "nack" })
        {
            final byte[] bytes = packet(name);
            assertSealed(MALFORMED, Arrays.copyOf(bytes, bytes.length + 1), name + " + 1 byte");
            assertSealed(MALFORMED, Arrays.copyOf(bytes, bytes.length + 9), name + " + 9 bytes");
            assertSealed(MALFORMED, Arrays.copyOf(bytes, bytes.length + 10), name + " + 10 bytes");
        }
    }

    @Test
    void shouldRejectAGroupCountOverTheLimit()
    {
        final long[] starts = new long[PacketWriter.MAX_ACK_RANGES];
        final long[] ends = new long[PacketWriter.MAX_ACK_RANGES];
        for (int i = 0; i < starts.length; i++)
        {
            starts[i] = 2L * i;
            ends[i] = 2L * i + 1;
        }
        final PacketWriter writer = new PacketWriter(SamplePackets.MTU);
        SamplePackets.begin(writer);
        assertTrue(writer.appendAck(1, 0L, 0L, 1, starts, ends, starts.length));
        assertOverLimit(SamplePackets.copy(writer), B + AckDecoder.BLOCK_LENGTH);

        SamplePackets.begin(writer);
        assertTrue(writer.appendNack(1, starts, ends, starts.length));
        assertOverLimit(SamplePackets.copy(writer), B + NackDecoder.BLOCK_LENGTH);
    }

    @Test
    void shouldRejectAGroupThatDoesNotFitItsFrame()
    {
        for (final String name : new String[]{ "ack", "nack" })
        {
            final byte[] bytes = packet(name);
            final int group = B + ("ack".equals(name) ? AckDecoder.BLOCK_LENGTH : NackDecoder.BLOCK_LENGTH);
            final int count = getU16(bytes, group + 2);

            final byte[] moreEntries = bytes.clone();
            putU16(moreEntries, group + 2, count + 1);
            assertSealed(MALFORMED, moreEntries, name + " count + 1");

            final byte[] fewerEntries = bytes.clone();
            putU16(fewerEntries, group + 2, count - 1);
            assertSealed(MALFORMED, fewerEntries, name + " count - 1");

            final byte[] shortEntries = bytes.clone();
            putU16(shortEntries, group, 15);
            assertSealed(MALFORMED, shortEntries, name + " group blockLength 15");

            final byte[] longEntries = bytes.clone();
            putU16(longEntries, group, 17);
            assertSealed(MALFORMED, longEntries, name + " group blockLength 17");
        }
    }

    @Test
    void shouldRejectInvertedOrEmptyRanges()
    {
        for (final String name : new String[]{ "ack", "nack" })
        {
            final byte[] bytes = packet(name);
            final int entries = B + ("ack".equals(name) ? AckDecoder.BLOCK_LENGTH : NackDecoder.BLOCK_LENGTH) + 4;

            final byte[] inverted = bytes.clone();
            putI64(inverted, entries + 16 + 8, 0L);
            assertSealed(MALFORMED, inverted, name + " second range inverted");

            final byte[] empty = bytes.clone();
            putI64(empty, entries + 8, new UnsafeBuffer(bytes).getLong(entries, java.nio.ByteOrder.LITTLE_ENDIAN));
            assertSealed(MALFORMED, empty, name + " first range empty");
        }
    }

    @Test
    void shouldRejectEnumValuesOutsideTheSchema()
    {
        for (final int mode : new int[]{ 3, 4, 127, 254, 255 })
        {
            final byte[] bytes = packet("data");
            putU8(bytes, B + DataDecoder.modeEncodingOffset(), mode);
            assertSealed(MALFORMED, bytes, "mode " + mode);
        }
        for (final int status : new int[]{ 4, 200, 255 })
        {
            final byte[] bytes = packet("joinAck");
            putU8(bytes, B + JoinAckDecoder.statusEncodingOffset(), status);
            assertSealed(MALFORMED, bytes, "status " + status);
        }
        for (final int reason : new int[]{ 2, 255 })
        {
            final byte[] bytes = packet("renew");
            putU8(bytes, B + RenewDecoder.reasonEncodingOffset(), reason);
            assertSealed(MALFORMED, bytes, "reason " + reason);
        }
    }

    @Test
    void shouldRejectDataFlagsOutsideBeginAndEnd()
    {
        for (final int extraBit : new int[]{ 4, 8, 0x80 })
        {
            final byte[] bytes = packet("data");
            bytes[B + DataDecoder.flagsEncodingOffset()] |= (byte)extraBit;
            assertSealed(MALFORMED, bytes, "flag bit " + extraBit);
        }
    }

    @Test
    void shouldRejectVarDataOverflowingOrUnderfillingTheFrame()
    {
        final byte[] data = packet("data");
        final int payloadLengthOffset = B + DataDecoder.BLOCK_LENGTH;
        final int payloadLength = getU16(data, payloadLengthOffset);
        for (final int wrong : new int[]{ payloadLength + 1, payloadLength - 1, 0, 0xFFFF })
        {
            final byte[] forged = data.clone();
            putU16(forged, payloadLengthOffset, wrong);
            assertSealed(MALFORMED, forged, "payload length " + wrong);
        }

        final byte[] join = packet("join");
        final int nameLengthOffset = B + JoinDecoder.BLOCK_LENGTH;
        final int nameLength = getU16(join, nameLengthOffset);
        for (final int wrong : new int[]{ nameLength + 1, nameLength - 1, 0, 0xFFFF })
        {
            final byte[] forged = join.clone();
            putU16(forged, nameLengthOffset, wrong);
            assertSealed(MALFORMED, forged, "name length " + wrong);
        }
    }

    @Test
    void shouldRejectNamesOutsideOneTo255Bytes()
    {
        assertEquals(OK, wrap(forgeJoin(1)));
        assertEquals(OK, wrap(forgeJoin(255)));
        assertEquals(MALFORMED, wrap(forgeJoin(0)));
        assertEquals(MALFORMED, wrap(forgeJoin(256)));
        assertEquals(MALFORMED, wrap(forgeJoin(1024)));
    }

    @Test
    void shouldRejectDataFlagsInconsistentWithTheSegment()
    {
        final int flags = B + DataDecoder.flagsEncodingOffset();

        final byte[] noEnd = packet("data");
        noEnd[flags] &= ~2;
        assertSealed(MALFORMED, noEnd, "single segment without end");

        final byte[] noBegin = packet("data");
        noBegin[flags] &= ~1;
        assertSealed(MALFORMED, noBegin, "single segment without begin");

        final byte[] middleWithBegin = packet("maxData");
        middleWithBegin[flags] |= 1;
        assertSealed(MALFORMED, middleWithBegin, "middle segment with begin");

        final byte[] middleWithEnd = packet("maxData");
        middleWithEnd[flags] |= 2;
        assertSealed(MALFORMED, middleWithEnd, "middle segment with end");
    }

    @Test
    void shouldRejectSegmentArithmeticThatDoesNotAddUp()
    {
        final int messageLength = B + DataDecoder.messageLengthEncodingOffset();
        final int segmentOffset = B + DataDecoder.segmentOffsetEncodingOffset();
        final int segmentIndex = B + DataDecoder.segmentIndexEncodingOffset();

        final byte[] shortMessage = packet("maxData");
        putI32(shortMessage, messageLength, PacketWriter.maxDataPayload(SamplePackets.MTU));
        assertSealed(MALFORMED, shortMessage, "payload beyond the message");

        final byte[] negativeMessage = packet("data");
        putI32(negativeMessage, messageLength, -17);
        assertSealed(MALFORMED, negativeMessage, "negative messageLength");

        final byte[] negativeOffset = packet("maxData");
        putI32(negativeOffset, segmentOffset, Integer.MIN_VALUE);
        assertSealed(MALFORMED, negativeOffset, "negative segmentOffset");

        final byte[] hugeOffset = packet("maxData");
        putI32(hugeOffset, segmentOffset, Integer.MAX_VALUE);
        putI32(hugeOffset, messageLength, Integer.MAX_VALUE);
        assertSealed(MALFORMED, hugeOffset, "segmentOffset + payload overflowing");

        final byte[] negativeIndex = packet("data");
        putI32(negativeIndex, segmentIndex, -1);
        assertSealed(MALFORMED, negativeIndex, "negative segmentIndex");

        final PacketWriter writer = new PacketWriter(SamplePackets.MTU);
        SamplePackets.begin(writer);
        assertTrue(writer.appendData(0, DeliveryMode.BEST_EFFORT, true, true, 1L, 0, 0, 0, null, 0, 0));
        final byte[] emptyPayload = SamplePackets.copy(writer);
        assertEquals(OK, wrap(emptyPayload));
        putI32(emptyPayload, messageLength, 5);
        emptyPayload[B + DataDecoder.flagsEncodingOffset()] = 1;
        assertSealed(MALFORMED, emptyPayload, "empty segment of a non-empty message");
    }

    @Test
    void shouldRejectProtocolVersionsBelowOneOrInverted()
    {
        final byte[] minZero = packet("join");
        putU16(minZero, B + JoinDecoder.minVersionEncodingOffset(), 0);
        assertSealed(MALFORMED, minZero, "minVersion 0");

        final byte[] inverted = packet("join");
        putU16(inverted, B + JoinDecoder.minVersionEncodingOffset(), 4);
        assertSealed(MALFORMED, inverted, "minVersion > maxVersion");

        final byte[] ackVersionZero = packet("joinAck");
        putU16(ackVersionZero, B + JoinAckDecoder.versionEncodingOffset(), 0);
        assertSealed(MALFORMED, ackVersionZero, "JoinAck version 0");
    }

    @Test
    void shouldRejectAJoinOrJoinAckFrameOfVersionOneEvenWithTheWholeBlock()
    {
        // A version-1 frame header makes the decoder hide the version-2 fields (cookie, keys, signature) and the
        // version 3 ones that the stack reads, although the block holds them: such a frame is a version-1 Join.
        final byte[] join = packet("join");
        putU16(join, F + 6, 1);
        assertSealed(MALFORMED, join, "Join frame version 1");

        final byte[] joinAck = packet("joinAck");
        putU16(joinAck, F + 6, 1);
        assertSealed(MALFORMED, joinAck, "JoinAck frame version 1");

        // Frames without version-2 fields are read as version 1 as before.
        final byte[] coalesced = packet("coalesced");
        for (int offset = F, i = 0; i < SamplePackets.COALESCED_DATA_FRAMES + 3; i++)
        {
            putU16(coalesced, offset + 6, 1);
            offset += getU16(coalesced, offset + 8);
        }
        assertSealed(OK, coalesced, "Data, Ack, Nack and Alive frames of version 1");
        final byte[] renew = packet("renew");
        putU16(renew, F + 6, 1);
        assertSealed(OK, renew, "Renew frame version 1");
    }

    @Test
    void shouldRejectAForeignSchemaOrHeaderTemplate()
    {
        final byte[] headerSchema = packet("alive");
        putU16(headerSchema, 4, 4243);
        assertSealed(BAD_SCHEMA, headerSchema, "header schema");

        final byte[] headerTemplate = packet("alive");
        putU16(headerTemplate, 2, AliveDecoder.TEMPLATE_ID);
        assertSealed(BAD_SCHEMA, headerTemplate, "header template");

        final byte[] frameSchema = packet("coalesced");
        putU16(frameSchema, F + 4, 1);
        assertSealed(BAD_SCHEMA, frameSchema, "frame schema");
    }

    @Test
    void shouldRejectVersionZero()
    {
        final byte[] header = packet("alive");
        putU16(header, 6, 0);
        assertSealed(BAD_VERSION, header, "header version 0");

        final byte[] frame = packet("coalesced");
        putU16(frame, F + 6, 0);
        assertSealed(BAD_VERSION, frame, "frame version 0");
    }

    @Test
    void shouldRejectAHeaderBlockShorterThanOursOrLongerThanTheDatagram()
    {
        for (final int wrong : new int[]{ 0, 8, 31, 1000, 0xFFFF })
        {
            final byte[] bytes = packet("alive");
            putU16(bytes, 0, wrong);
            assertSealed(MALFORMED, bytes, "header blockLength " + wrong);
        }
    }

    @Test
    void shouldRejectAKnownFrameWhoseBlockIsShorterThanOurs()
    {
        final byte[] alive = packet("alive");
        final byte[] shortAlive = Arrays.copyOf(alive, alive.length - 1);
        putU16(shortAlive, F, AliveDecoder.BLOCK_LENGTH - 1);
        putU16(shortAlive, B, 8 + AliveDecoder.BLOCK_LENGTH - 1);
        assertSealed(MALFORMED, shortAlive, "Alive block 17");

        final byte[] leave = packet("leave");
        final byte[] noFrameLength = Arrays.copyOf(leave, leave.length - 2);
        putU16(noFrameLength, F, 0);
        assertSealed(MALFORMED, noFrameLength, "block without frameLength");
    }

    @Test
    void shouldNeverThrowOnArgumentsOutsideTheBuffer()
    {
        final byte[] bytes = packet("alive");
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertEquals(MALFORMED, reader.wrap(null, 0, bytes.length));
        assertEquals(TOO_SHORT, reader.wrap(null, 0, 0));
        assertEquals(TOO_SHORT, reader.wrap(buffer, 0, -1));
        assertEquals(TOO_SHORT, reader.wrap(buffer, 0, Integer.MIN_VALUE));
        assertEquals(MALFORMED, reader.wrap(buffer, -1, bytes.length));
        assertEquals(MALFORMED, reader.wrap(buffer, 1, bytes.length));
        assertEquals(MALFORMED, reader.wrap(buffer, 0, bytes.length + 1));
        assertEquals(MALFORMED, reader.wrap(buffer, Integer.MAX_VALUE - 10, 100));
        assertEquals(MALFORMED, reader.wrap(buffer, 0, Integer.MAX_VALUE));
        assertEquals(OK, reader.wrap(buffer, 0, bytes.length));
    }

    @Test
    void shouldForgetTheLastPacketAfterAFailedWrap()
    {
        final byte[] bytes = packet("coalesced");
        assertEquals(OK, wrap(bytes));
        assertTrue(reader.nextFrame());
        bytes[100] ^= 1;
        assertEquals(BAD_CHECKSUM, wrap(bytes));
        assertFalse(reader.nextFrame());
        assertEquals(-1, reader.templateId());
        assertEquals(0, reader.frameCount());
        assertEquals(0L, reader.srcEstateId());
        assertNull(reader.buffer());
        assertThrows(IllegalStateException.class, reader::data);
    }

    @Test
    void shouldThrowWhenAskedForAFrameKindOtherThanTheCurrentOne()
    {
        assertEquals(OK, wrap(packet("data")));
        assertThrows(IllegalStateException.class, reader::ack);
        assertTrue(reader.nextFrame());
        assertThrows(IllegalStateException.class, reader::ack);
        assertThrows(IllegalStateException.class, reader::joinName);
        assertThrows(IllegalStateException.class, reader::alive);
        reader.data();
        assertFalse(reader.nextFrame());
        assertThrows(IllegalStateException.class, reader::dataPayloadLength);
    }

    @Test
    void shouldSkipAndCountFramesOfUnknownKind()
    {
        final PacketWriter writer = new PacketWriter(SamplePackets.MTU);
        SamplePackets.begin(writer);
        assertTrue(writer.appendAlive(1L, 2L));
        assertTrue(SamplePackets.appendData(writer, 5, 77L, 30, 0, 0, 30));
        final byte[] bytes = SamplePackets.copy(writer);
        final int second = F + 8 + AliveDecoder.BLOCK_LENGTH;

        byte[] forged = splice(bytes, second, unknownFrame(99, 6, 5));
        forged = splice(forged, forged.length, unknownFrame(1000, 2, 0));
        forged = splice(forged, F, unknownFrame(65_535, 40, 300));
        putU8(forged, FRAME_COUNT, 5);
        assertEquals(OK, wrap(seal(forged)));

        assertEquals(5, reader.frameCount());
        assertEquals(3, reader.unknownFrames());
        assertTrue(reader.nextFrame());
        assertEquals(AliveDecoder.TEMPLATE_ID, reader.templateId());
        assertEquals(F + 8 + 40 + 300, reader.frameOffset());
        assertEquals(2L, reader.alive().timestampNs());
        assertTrue(reader.nextFrame());
        assertEquals(DataDecoder.TEMPLATE_ID, reader.templateId());
        assertEquals(77L, reader.data().seq());
        assertEquals(30, reader.dataPayloadLength());
        assertEquals(SamplePackets.payloadByte(77L, 29),
            reader.buffer().getByte(reader.dataPayloadOffset() + 29));
        assertFalse(reader.nextFrame());

        final byte[] onlyUnknown = splice(Arrays.copyOf(bytes, F), F, unknownFrame(500, 2, 0));
        putU8(onlyUnknown, FRAME_COUNT, 1);
        assertEquals(OK, wrap(seal(onlyUnknown)));
        assertEquals(1, reader.unknownFrames());
        assertFalse(reader.nextFrame());
    }

    @Test
    void shouldRejectAnUnknownFrameWithABadLengthOrSchema()
    {
        final byte[] alive = packet("alive");
        final byte[] unknown = unknownFrame(99, 6, 5);

        final byte[] tooLong = splice(alive, alive.length, unknown);
        putU8(tooLong, FRAME_COUNT, 2);
        putU16(tooLong, alive.length + 8, unknown.length + 1);
        assertSealed(MALFORMED, tooLong, "unknown frameLength beyond the datagram");

        final byte[] belowBlock = splice(alive, alive.length, unknown);
        putU8(belowBlock, FRAME_COUNT, 2);
        putU16(belowBlock, alive.length + 8, 8 + 6 - 1);
        assertSealed(MALFORMED, belowBlock, "unknown frameLength below its block");

        final byte[] foreign = splice(alive, alive.length, unknown);
        putU8(foreign, FRAME_COUNT, 2);
        putU16(foreign, alive.length + 4, 1);
        assertSealed(BAD_SCHEMA, foreign, "unknown frame of another schema");
    }

    @Test
    void shouldReadANewerVersionWithLongerBlocksByActingVersionRules()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        header.wrap(buffer, 0)
            .blockLength(PacketHeaderEncoder.BLOCK_LENGTH + 8)
            .templateId(1)
            .schemaId(4242)
            .version(2);
        new PacketHeaderEncoder().wrap(buffer, 8)
            .frameCount((short)2)
            .srcEstateId(11L)
            .dstEstateId(12L)
            .srcSession(13L)
            .dstSession(0xFFFF_FFFFL);
        buffer.putLong(40, 0x0123_4567_89AB_CDEFL);

        final int dataFrame = 48;
        final int dataBlock = DataEncoder.BLOCK_LENGTH + 8;
        final byte[] payload = { 1, 2, 3, 4, 5 };
        final int dataFrameLength = 8 + dataBlock + 2 + payload.length;
        header.wrap(buffer, dataFrame).blockLength(dataBlock).templateId(DataEncoder.TEMPLATE_ID).schemaId(4242)
            .version(2);
        final DataEncoder data = new DataEncoder().wrap(buffer, dataFrame + 8)
            .frameLength(dataFrameLength)
            .channel((short)6)
            .mode(DeliveryMode.RELIABLE_UNORDERED);
        data.flags().clear().begin(true).end(true);
        data.seq(314L).messageLength(payload.length).segmentOffset(0).segmentIndex(0);
        buffer.putLong(dataFrame + 8 + DataEncoder.BLOCK_LENGTH, -1L);
        data.limit(dataFrame + 8 + dataBlock);
        data.putPayload(payload, 0, payload.length);

        final int ackFrame = dataFrame + dataFrameLength;
        new AckEncoder().wrapAndApplyHeader(buffer, ackFrame, header)
            .frameLength(PacketWriter.ackFrameLength(1))
            .channel((short)6)
            .cumulativeSeq(300L)
            .deliveredSeq(299L)
            .windowSegments(64)
            .rangesCount(1).next().startSeq(310L).endSeq(312L);
        final int length = ackFrame + PacketWriter.ackFrameLength(1);
        PacketWriter.writeChecksum(buffer, 0, length);

        assertEquals(OK, reader.wrap(buffer, 0, length));
        assertEquals(2, reader.version());
        assertEquals(11L, reader.srcEstateId());
        assertEquals(-1, reader.dstSession());
        assertTrue(reader.nextFrame());
        final DataDecoder decoder = reader.data();
        assertEquals(2, decoder.actingVersion());
        assertEquals(6, decoder.channel());
        assertEquals(DeliveryMode.RELIABLE_UNORDERED, decoder.mode());
        assertEquals(314L, decoder.seq());
        assertEquals(dataFrame + 8 + dataBlock + 2, reader.dataPayloadOffset());
        assertEquals(payload.length, reader.dataPayloadLength());
        final byte[] actual = new byte[payload.length];
        assertEquals(payload.length, decoder.getPayload(actual, 0, actual.length));
        assertArrayEquals(payload, actual);
        assertTrue(reader.nextFrame());
        assertEquals(AckDecoder.TEMPLATE_ID, reader.templateId());
        assertEquals(300L, reader.ack().cumulativeSeq());
        assertEquals(312L, reader.ack().ranges().next().endSeq());
        assertFalse(reader.nextFrame());
    }

    @Test
    void shouldAcceptFieldsAfterTheKnownOnesOnlyFromANewerFrameVersion()
    {
        final byte[] data = packet("data");
        final byte[] extended = splice(data, data.length, new byte[]{ 9, 9, 9, 9 });
        putU16(extended, B, getU16(data, B) + 4);
        assertSealed(MALFORMED, extended.clone(), "our own version with trailing bytes");

        putU16(extended, F + 6, PacketReader.SCHEMA_VERSION + 1);
        assertEquals(OK, wrap(seal(extended)));
        assertTrue(reader.nextFrame());
        assertEquals(17, reader.dataPayloadLength());
        assertEquals(data.length - 17, reader.dataPayloadOffset());
    }

    private static byte[] packet(final String name)
    {
        return PACKETS.get(name).clone();
    }

    private int wrap(final byte[] bytes)
    {
        final int heapStatus = reader.wrap(SamplePackets.heap(bytes, bytes.length), 0, bytes.length);
        final int directStatus = reader.wrap(SamplePackets.direct(bytes), 0, bytes.length);
        assertEquals(heapStatus, directStatus, "heap and direct agree");

        return reader.wrap(SamplePackets.heap(bytes, bytes.length), 0, bytes.length);
    }

    private static byte[] seal(final byte[] bytes)
    {
        SamplePackets.seal(bytes);

        return bytes;
    }

    private void assertSealed(final int expected, final byte[] bytes, final String what)
    {
        SamplePackets.seal(bytes);
        assertEquals(PacketReader.statusName(expected), PacketReader.statusName(wrap(bytes)), what);
    }

    private void assertRejected(final String what, final UnsafeBuffer buffer, final int length)
    {
        final int status;
        try
        {
            status = reader.wrap(buffer, 0, length);
        }
        catch (final RuntimeException ex)
        {
            fail(what + " threw " + ex, ex);
            return;
        }
        assertNotEquals(OK, status, what);
    }

    private void assertOverLimit(final byte[] bytes, final int group)
    {
        assertEquals(OK, wrap(bytes));
        assertEquals(32, getU16(bytes, group + 2));
        final byte[] extraEntry = new byte[16];
        extraEntry[0] = 100;
        extraEntry[8] = 101;
        final byte[] forged = splice(bytes, bytes.length, extraEntry);
        putU16(forged, group + 2, 33);
        putU16(forged, B, getU16(bytes, B) + 16);
        assertSealed(MALFORMED, forged, "33 ranges");
    }

    private static byte[] forgeJoin(final int nameLength)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[F + 8 + JoinEncoder.BLOCK_LENGTH + 2 + nameLength]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        new PacketHeaderEncoder().wrapAndApplyHeader(buffer, 0, header).frameCount((short)1);
        final byte[] name = new byte[nameLength];
        Arrays.fill(name, (byte)'n');
        new JoinEncoder().wrapAndApplyHeader(buffer, F, header)
            .frameLength(buffer.capacity() - F)
            .minVersion(1)
            .maxVersion(1)
            .nonce(5L)
            .putName(name, 0, nameLength);
        PacketWriter.writeChecksum(buffer, 0, buffer.capacity());

        return buffer.byteArray();
    }

    private static byte[] unknownFrame(final int templateId, final int blockLength, final int varLength)
    {
        final int frameLength = 8 + blockLength + varLength;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frameLength]);
        for (int i = 0; i < frameLength; i++)
        {
            buffer.putByte(i, (byte)(0xA5 ^ i));
        }
        new MessageHeaderEncoder().wrap(buffer, 0)
            .blockLength(blockLength)
            .templateId(templateId)
            .schemaId(4242)
            .version(1);
        buffer.putShort(8, (short)frameLength, java.nio.ByteOrder.LITTLE_ENDIAN);

        return buffer.byteArray();
    }
}
