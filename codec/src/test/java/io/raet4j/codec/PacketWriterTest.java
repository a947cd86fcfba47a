package io.raet4j.codec;

import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.RenewDecoder;
import io.raet4j.codec.sbe.RenewReason;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.raet4j.codec.SamplePackets.ACK_ENDS;
import static io.raet4j.codec.SamplePackets.ACK_STARTS;
import static io.raet4j.codec.SamplePackets.DST_ESTATE;
import static io.raet4j.codec.SamplePackets.DST_SESSION;
import static io.raet4j.codec.SamplePackets.MTU;
import static io.raet4j.codec.SamplePackets.NACK_ENDS;
import static io.raet4j.codec.SamplePackets.NACK_STARTS;
import static io.raet4j.codec.SamplePackets.SRC_ESTATE;
import static io.raet4j.codec.SamplePackets.SRC_SESSION;
import static io.raet4j.codec.SamplePackets.appendData;
import static io.raet4j.codec.SamplePackets.begin;
import static io.raet4j.codec.SamplePackets.payloadByte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketWriterTest
{
    private final PacketWriter writer = new PacketWriter(MTU);
    private final PacketReader reader = new PacketReader();

    @Test
    void shouldExposeLayoutConstants()
    {
        assertEquals(40, PacketWriter.HEADER_LENGTH);
        assertEquals(8 + 25 + 2, PacketWriter.DATA_FRAME_OVERHEAD);
        assertEquals(MTU - 40 - 35, PacketWriter.maxDataPayload(MTU));
        assertEquals(PacketWriter.MAX_DATA_PAYLOAD_LENGTH, PacketWriter.maxDataPayload(65_507));
        assertEquals(8 + 23 + 4, PacketWriter.ackFrameLength(0));
        assertEquals(8 + 23 + 4 + 32 * 16, PacketWriter.ackFrameLength(PacketWriter.MAX_ACK_RANGES));
        assertEquals(8 + 3 + 4 + 2 * 16, PacketWriter.nackFrameLength(2));
        assertEquals(4242, PacketReader.SCHEMA_ID);
        assertEquals(3, PacketReader.SCHEMA_VERSION);
        assertEquals(MTU, writer.capacity());
        assertEquals(0, writer.length());
        assertEquals("BAD_CHECKSUM", PacketReader.statusName(PacketReader.BAD_CHECKSUM));
        assertEquals("UNKNOWN", PacketReader.statusName(42));
    }

    @Test
    void shouldRoundTripJoin()
    {
        begin(writer);
        assertTrue(writer.appendJoin(1, 3, 42L, SamplePackets.JOIN_NAME));
        readBothWays(() ->
        {
            assertHeader(1);
            assertNextFrame(JoinDecoder.TEMPLATE_ID);
            final JoinDecoder join = reader.join();
            assertEquals(8 + JoinDecoder.BLOCK_LENGTH + 2 +
                SamplePackets.JOIN_NAME.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, reader.frameLength());
            assertEquals(reader.frameLength(), join.frameLength());
            assertEquals(1, join.minVersion());
            assertEquals(3, join.maxVersion());
            assertEquals(42L, join.nonce());
            assertEquals(SamplePackets.JOIN_NAME, reader.joinName());
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripJoinAck()
    {
        begin(writer);
        assertTrue(writer.appendJoinAck(JoinStatus.VERSION_UNSUPPORTED, 2, -42L, "x"));
        readBothWays(() ->
        {
            assertHeader(1);
            assertNextFrame(JoinAckDecoder.TEMPLATE_ID);
            final JoinAckDecoder joinAck = reader.joinAck();
            assertEquals(JoinStatus.VERSION_UNSUPPORTED, joinAck.status());
            assertEquals(2, joinAck.version());
            assertEquals(-42L, joinAck.nonce());
            assertEquals("x", reader.joinName());
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripAlive()
    {
        begin(writer);
        assertTrue(writer.appendAlive(Long.MIN_VALUE, Long.MAX_VALUE));
        readBothWays(() ->
        {
            assertHeader(1);
            assertNextFrame(AliveDecoder.TEMPLATE_ID);
            assertEquals(PacketWriter.HEADER_LENGTH, reader.frameOffset());
            assertEquals(8 + AliveDecoder.BLOCK_LENGTH, reader.frameLength());
            assertEquals(Long.MIN_VALUE, reader.alive().nonce());
            assertEquals(Long.MAX_VALUE, reader.alive().timestampNs());
            assertFalse(reader.nextFrame());
            assertEquals(-1, reader.templateId());
        });
    }

    @Test
    void shouldRoundTripAliveAck()
    {
        begin(writer);
        assertTrue(writer.appendAliveAck(5L, 6L));
        readBothWays(() ->
        {
            assertHeader(1);
            assertNextFrame(AliveAckDecoder.TEMPLATE_ID);
            assertEquals(5L, reader.aliveAck().nonce());
            assertEquals(6L, reader.aliveAck().echoTimestampNs());
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripDataSegments()
    {
        begin(writer);
        final UnsafeBuffer src = new UnsafeBuffer(new byte[300]);
        for (int i = 0; i < src.capacity(); i++)
        {
            src.putByte(i, (byte)(i * 7));
        }
        assertTrue(writer.appendData(
            254, DeliveryMode.BEST_EFFORT, true, false, Long.MAX_VALUE, 300, 0, 0, src, 0, 100));
        assertTrue(writer.appendData(
            0, DeliveryMode.RELIABLE_UNORDERED, false, false, 1L, 300, 100, 1, src, 100, 150));
        assertTrue(writer.appendData(
            255, DeliveryMode.RELIABLE_ORDERED, false, true, 2L, 300, 250, 2, src, 250, 50));
        readBothWays(() ->
        {
            assertHeader(3);
            assertData(254, DeliveryMode.BEST_EFFORT, true, false, Long.MAX_VALUE, 300, 0, 0, src, 0, 100);
            assertData(0, DeliveryMode.RELIABLE_UNORDERED, false, false, 1L, 300, 100, 1, src, 100, 150);
            assertData(255, DeliveryMode.RELIABLE_ORDERED, false, true, 2L, 300, 250, 2, src, 250, 50);
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripAnEmptyMessage()
    {
        begin(writer);
        assertTrue(writer.appendData(1, DeliveryMode.RELIABLE_ORDERED, true, true, 9L, 0, 0, 0, null, 0, 0));
        readBothWays(() ->
        {
            assertHeader(1);
            assertNextFrame(DataDecoder.TEMPLATE_ID);
            assertEquals(0, reader.dataPayloadLength());
            assertEquals(0, reader.data().messageLength());
            assertEquals(PacketWriter.DATA_FRAME_OVERHEAD, reader.frameLength());
            assertTrue(reader.data().flags().begin());
            assertTrue(reader.data().flags().end());
        });
    }

    @Test
    void shouldRoundTripAck()
    {
        final long[] starts = new long[PacketWriter.MAX_ACK_RANGES];
        final long[] ends = new long[PacketWriter.MAX_ACK_RANGES];
        for (int i = 0; i < starts.length; i++)
        {
            starts[i] = 1000 + 10L * i;
            ends[i] = starts[i] + 1 + i;
        }
        begin(writer);
        assertTrue(writer.appendAck(7, 100L, 90L, -5, ACK_STARTS, ACK_ENDS, ACK_STARTS.length));
        assertTrue(writer.appendAck(8, 0L, 0L, 0, null, null, 0));
        assertTrue(writer.appendAck(9, 1L, 1L, 1, starts, ends, starts.length));
        readBothWays(() ->
        {
            assertHeader(3);
            assertAck(7, 100L, 90L, -5, ACK_STARTS, ACK_ENDS, ACK_STARTS.length);
            assertAck(8, 0L, 0L, 0, new long[0], new long[0], 0);
            assertAck(9, 1L, 1L, 1, starts, ends, starts.length);
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripNack()
    {
        begin(writer);
        assertTrue(writer.appendNack(4, NACK_STARTS, NACK_ENDS, NACK_STARTS.length));
        assertTrue(writer.appendNack(5, NACK_STARTS, NACK_ENDS, 0));
        readBothWays(() ->
        {
            assertHeader(2);
            assertNack(4, NACK_STARTS, NACK_ENDS, NACK_STARTS.length);
            assertNack(5, NACK_STARTS, NACK_ENDS, 0);
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripRenewAndLeave()
    {
        begin(writer);
        assertTrue(writer.appendRenew(RenewReason.UNKNOWN_ESTATE));
        assertTrue(writer.appendRenew(RenewReason.STALE_SESSION));
        assertTrue(writer.appendLeave());
        readBothWays(() ->
        {
            assertHeader(3);
            assertNextFrame(RenewDecoder.TEMPLATE_ID);
            assertEquals(RenewReason.UNKNOWN_ESTATE, reader.renew().reason());
            assertNextFrame(RenewDecoder.TEMPLATE_ID);
            assertEquals(RenewReason.STALE_SESSION, reader.renew().reason());
            assertNextFrame(LeaveDecoder.TEMPLATE_ID);
            assertEquals(8 + LeaveDecoder.BLOCK_LENGTH, reader.leave().frameLength());
            assertFalse(reader.nextFrame());
        });
    }

    @Test
    void shouldRoundTripACoalescedPacketOfDataAckAndNack()
    {
        final byte[] bytes = SamplePackets.coalesced(writer);
        assertEquals(PacketReader.OK, reader.wrap(SamplePackets.heap(bytes, bytes.length), 0, bytes.length));
        assertHeader(SamplePackets.COALESCED_DATA_FRAMES + 3);
        for (int i = 0; i < SamplePackets.COALESCED_DATA_FRAMES; i++)
        {
            assertNextFrame(DataDecoder.TEMPLATE_ID);
            final DataDecoder data = reader.data();
            assertEquals(i % 4, data.channel());
            assertEquals(2000L + i, data.seq());
            assertEquals(SamplePackets.COALESCED_DATA_LENGTH, reader.dataPayloadLength());
            for (int b = 0; b < SamplePackets.COALESCED_DATA_LENGTH; b++)
            {
                assertEquals(payloadByte(2000L + i, b), reader.buffer().getByte(reader.dataPayloadOffset() + b));
            }
        }
        assertAck(2, 100L, 90L, 64, ACK_STARTS, ACK_ENDS, ACK_STARTS.length);
        assertNack(2, NACK_STARTS, NACK_ENDS, NACK_STARTS.length);
        assertNextFrame(AliveDecoder.TEMPLATE_ID);
        assertEquals(9L, reader.alive().nonce());
        assertFalse(reader.nextFrame());
        assertFalse(reader.nextFrame());
    }

    @Test
    void shouldCarrySessionsAsUnsigned32BitValues()
    {
        writer.begin(0L, Long.MIN_VALUE, -1, Integer.MIN_VALUE);
        writer.appendLeave();
        final int length = writer.finish();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertEquals(0L, reader.srcEstateId());
        assertEquals(Long.MIN_VALUE, reader.dstEstateId());
        assertEquals(-1, reader.srcSession());
        assertEquals(Integer.MIN_VALUE, reader.dstSession());
        assertEquals(0xFFFF_FFFFL, writer.buffer().getInt(32) & 0xFFFF_FFFFL);
    }

    @Test
    void shouldCarryHeaderFlagsUninterpreted()
    {
        begin(writer);
        writer.flags(0x81);
        writer.appendLeave();
        final int length = writer.finish();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertEquals(0x81, reader.flags());
        assertThrows(IllegalArgumentException.class, () -> writer.flags(256));
        begin(writer);
        writer.appendLeave();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, writer.finish()));
        assertEquals(0, reader.flags());
    }

    @Test
    void shouldReturnFalseAndLeaveThePacketUnchangedWhenAFrameDoesNotFit()
    {
        final Runnable[] appends = {
            () -> assertFalse(writer.appendJoin(1, 1, 1L, "joiner")),
            () -> assertFalse(writer.appendJoinAck(JoinStatus.PENDING, 1, 1L, "acceptor")),
            () -> assertFalse(writer.appendAlive(1L, 2L)),
            () -> assertFalse(writer.appendAliveAck(1L, 2L)),
            () -> assertFalse(appendData(writer, 1, 1L, 20, 0, 0, 20)),
            () -> assertFalse(writer.appendAck(1, 1L, 1L, 1, ACK_STARTS, ACK_ENDS, ACK_STARTS.length)),
            () -> assertFalse(writer.appendNack(1, NACK_STARTS, NACK_ENDS, NACK_STARTS.length)),
            () -> assertFalse(writer.appendRenew(RenewReason.UNKNOWN_ESTATE)),
            () -> assertFalse(writer.appendLeave()),
        };

        for (final Runnable append : appends)
        {
            begin(writer);
            // Fill with Data until exactly 9 bytes remain: less than the smallest frame (Leave, 11 bytes).
            final int fill = writer.remaining() - 9;
            assertTrue(appendData(writer, 0, 1L, fill - PacketWriter.DATA_FRAME_OVERHEAD, 0, 0,
                fill - PacketWriter.DATA_FRAME_OVERHEAD));
            assertEquals(9, writer.remaining());
            final byte[] before = new byte[MTU];
            writer.buffer().getBytes(0, before);

            append.run();

            assertEquals(MTU - 9, writer.length());
            assertEquals(1, writer.frameCount());
            final byte[] after = new byte[MTU];
            writer.buffer().getBytes(0, after);
            assertArrayEquals(before, after);
            assertEquals(MTU - 9, writer.finish());
            assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, writer.length()));
            assertEquals(1, reader.frameCount());
        }
    }

    @Test
    void shouldFillToTheLastByte()
    {
        begin(writer);
        final int payload = PacketWriter.maxDataPayload(MTU);
        assertFalse(appendData(writer, 0, 1L, payload + 1, 0, 0, payload + 1));
        assertTrue(appendData(writer, 0, 1L, payload, 0, 0, payload));
        assertEquals(0, writer.remaining());
        assertEquals(MTU, writer.finish());
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, MTU));
    }

    @Test
    void shouldRefuseMoreThan255Frames()
    {
        final PacketWriter big = new PacketWriter(65_536);
        begin(big);
        for (int i = 0; i < 255; i++)
        {
            assertTrue(big.appendLeave());
        }
        assertFalse(big.appendLeave());
        assertFalse(big.appendAlive(1L, 1L));
        assertEquals(255, big.frameCount());
        final int length = big.finish();
        assertEquals(40 + 255 * 11, length);
        assertEquals(PacketReader.OK, reader.wrap(big.buffer(), 0, length));
        assertEquals(255, reader.frameCount());
        int frames = 0;
        while (reader.nextFrame())
        {
            frames++;
        }
        assertEquals(255, frames);
    }

    @Test
    void shouldThrowOnArgumentsNoPacketCanCarryAndLeaveThePacketUnchanged()
    {
        begin(writer);
        assertTrue(writer.appendAlive(1L, 1L));
        final int length = writer.length();
        final UnsafeBuffer src = new UnsafeBuffer(new byte[64]);
        final long[] inverted = { 10, 20 };
        final long[] invertedEnds = { 15, 20 };
        final Executable[] bad = {
            () -> writer.appendJoin(0, 1, 1L, "a"),
            () -> writer.appendJoin(2, 1, 1L, "a"),
            () -> writer.appendJoin(1, 65_535, 1L, "a"),
            () -> writer.appendJoin(1, 1, 1L, ""),
            () -> writer.appendJoin(1, 1, 1L, null),
            () -> writer.appendJoin(1, 1, 1L, "n".repeat(256)),
            () -> writer.appendJoinAck(JoinStatus.NULL_VAL, 1, 1L, "a"),
            () -> writer.appendJoinAck(null, 1, 1L, "a"),
            () -> writer.appendJoinAck(JoinStatus.ACCEPTED, 0, 1L, "a"),
            () -> writer.appendData(256, DeliveryMode.BEST_EFFORT, true, true, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(-1, DeliveryMode.BEST_EFFORT, true, true, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.NULL_VAL, true, true, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(1, null, true, true, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, false, true, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, false, 1L, 1, 0, 0, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, 2, 1, 1, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, 1, 0, 0, src, 0, 2),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, 5, 0, 0, src, 0, 0),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, -1, 0, 0, src, 0, 0),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, 1, 0, -1, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, false, false, 1L, 10, -1, 0, src, 0, 1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, 1, 0, 0, src, 0, -1),
            () -> writer.appendData(1, DeliveryMode.BEST_EFFORT, true, true, 1L, Integer.MAX_VALUE, 0, 0, src, 0,
                PacketWriter.MAX_DATA_PAYLOAD_LENGTH + 1),
            () -> writer.appendAck(1, 1L, 1L, 1, ACK_STARTS, ACK_ENDS, PacketWriter.MAX_ACK_RANGES + 1),
            () -> writer.appendAck(1, 1L, 1L, 1, ACK_STARTS, ACK_ENDS, -1),
            () -> writer.appendAck(1, 1L, 1L, 1, ACK_STARTS, ACK_ENDS, ACK_STARTS.length + 1),
            () -> writer.appendAck(1, 1L, 1L, 1, null, ACK_ENDS, 1),
            () -> writer.appendAck(1, 1L, 1L, 1, inverted, invertedEnds, 2),
            () -> writer.appendNack(1, inverted, invertedEnds, 2),
            () -> writer.appendNack(1, NACK_STARTS, NACK_ENDS, PacketWriter.MAX_NACK_RANGES + 1),
            () -> writer.appendRenew(RenewReason.NULL_VAL),
            () -> writer.appendRenew(null),
        };

        for (final Executable executable : bad)
        {
            assertThrows(IllegalArgumentException.class, executable);
            assertEquals(length, writer.length());
            assertEquals(1, writer.frameCount());
        }
        assertEquals(length, writer.finish());
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
    }

    @Test
    void shouldRequireBeginBeforeAppendingAndAFrameBeforeFinishing()
    {
        final PacketWriter fresh = new PacketWriter(MTU);
        assertThrows(IllegalStateException.class, fresh::appendLeave);
        assertThrows(IllegalStateException.class, () -> fresh.flags(1));
        begin(fresh);
        assertFalse(fresh.hasFrames());
        assertThrows(IllegalStateException.class, fresh::finish);
        assertThrows(IllegalArgumentException.class, () -> new PacketWriter(PacketWriter.HEADER_LENGTH - 1));
    }

    @Test
    void shouldReadyTheByteBufferForSendingOnFinish()
    {
        begin(writer);
        writer.appendAlive(1L, 2L);
        writer.byteBuffer().position(17);
        final int length = writer.finish();
        final ByteBuffer byteBuffer = writer.byteBuffer();
        assertTrue(byteBuffer.isDirect());
        assertEquals(0, byteBuffer.position());
        assertEquals(length, byteBuffer.limit());
        assertEquals(0, writer.buffer().addressOffset() & 63, "cache line aligned");
        assertEquals(writer.buffer().addressOffset(), BufferUtil.address(byteBuffer));
    }

    @Test
    void shouldRestartCleanlyOnBegin()
    {
        begin(writer);
        writer.flags(3);
        writer.appendAlive(1L, 2L);
        writer.appendAlive(1L, 2L);
        writer.finish();
        writer.begin(5L, 6L, 7, 8);
        assertEquals(PacketWriter.HEADER_LENGTH, writer.length());
        assertEquals(0, writer.frameCount());
        writer.appendLeave();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, writer.finish()));
        assertEquals(0, reader.flags());
        assertEquals(1, reader.frameCount());
        assertEquals(5L, reader.srcEstateId());
        assertEquals(8, reader.dstSession());
    }

    @Test
    void shouldReadADatagramAtAnOffsetInsideALargerBuffer()
    {
        final byte[] packet = SamplePackets.coalesced(writer);
        final byte[] larger = new byte[packet.length + 200];
        System.arraycopy(packet, 0, larger, 77, packet.length);
        assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(larger), 77, packet.length));
        assertEquals(77 + PacketWriter.HEADER_LENGTH, nextFrameOffset());

        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(larger.length));
        direct.putBytes(0, larger);
        assertEquals(PacketReader.OK, reader.wrap(direct, 77, packet.length));
        final UnsafeBuffer slice = new UnsafeBuffer(direct, 50, larger.length - 50);
        assertEquals(PacketReader.OK, reader.wrap(slice, 27, packet.length));
        assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(larger, 60, packet.length + 17), 17, packet.length));
    }

    @Test
    void shouldComputeTheSameChecksumOnHeapDirectAndRawAddressBuffers()
    {
        final Random random = new Random(7);
        final ByteBuffer memory = ByteBuffer.allocateDirect(20_000);
        for (final int length : new int[]{ 40, 41, 63, 64, 65, 1408, 4095, 4096, 4097, 4108, 9000, 19_000 })
        {
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            final CRC32C reference = new CRC32C();
            reference.update(bytes, 0, 8);
            reference.update(bytes, 12, length - 12);
            final int expected = (int)reference.getValue();

            final UnsafeBuffer viaByteBuffer = new UnsafeBuffer(memory);
            viaByteBuffer.putBytes(3, bytes);
            final UnsafeBuffer viaAddress = new UnsafeBuffer(BufferUtil.address(memory), memory.capacity());

            assertEquals(expected, PacketWriter.computeChecksum(new UnsafeBuffer(bytes), 0, length));
            assertEquals(expected, PacketWriter.computeChecksum(viaByteBuffer, 3, length));
            assertEquals(expected, PacketWriter.computeChecksum(viaAddress, 3, length));
            assertEquals(0, memory.position(), "the caller's ByteBuffer is untouched");
            assertEquals(memory.capacity(), memory.limit());
        }
    }

    @Test
    void shouldReadThroughARawAddressBuffer()
    {
        final byte[] packet = SamplePackets.coalesced(writer);
        final ByteBuffer memory = ByteBuffer.allocateDirect(packet.length);
        final UnsafeBuffer raw = new UnsafeBuffer(BufferUtil.address(memory), packet.length);
        raw.putBytes(0, packet);
        assertEquals(PacketReader.OK, reader.wrap(raw, 0, packet.length));
        raw.putByte(700, (byte)(raw.getByte(700) ^ 1));
        assertEquals(PacketReader.BAD_CHECKSUM, reader.wrap(raw, 0, packet.length));
    }

    private int nextFrameOffset()
    {
        assertTrue(reader.nextFrame());
        return reader.frameOffset();
    }

    private void readBothWays(final Runnable assertions)
    {
        final int length = writer.finish();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length), "direct");
        assertions.run();

        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(bytes), 0, length), "heap");
        assertions.run();
    }

    private void assertHeader(final int frameCount)
    {
        assertEquals(SRC_ESTATE, reader.srcEstateId());
        assertEquals(DST_ESTATE, reader.dstEstateId());
        assertEquals(SRC_SESSION, reader.srcSession());
        assertEquals(DST_SESSION, reader.dstSession());
        assertEquals(frameCount, reader.frameCount());
        assertEquals(PacketReader.SCHEMA_VERSION, reader.version());
        assertEquals(0, reader.unknownFrames());
    }

    private void assertNextFrame(final int templateId)
    {
        assertTrue(reader.nextFrame());
        assertEquals(templateId, reader.templateId());
    }

    private void assertData(
        final int channel,
        final DeliveryMode mode,
        final boolean begin,
        final boolean end,
        final long seq,
        final int messageLength,
        final int segmentOffset,
        final int segmentIndex,
        final DirectBuffer src,
        final int srcOffset,
        final int length)
    {
        assertNextFrame(DataDecoder.TEMPLATE_ID);
        final DataDecoder data = reader.data();
        assertEquals(PacketWriter.DATA_FRAME_OVERHEAD + length, data.frameLength());
        assertEquals(channel, data.channel());
        assertEquals(mode, data.mode());
        assertEquals(begin, data.flags().begin());
        assertEquals(end, data.flags().end());
        assertEquals(seq, data.seq());
        assertEquals(messageLength, data.messageLength());
        assertEquals(segmentOffset, data.segmentOffset());
        assertEquals(segmentIndex, data.segmentIndex());
        assertEquals(length, data.payloadLength());
        assertEquals(length, reader.dataPayloadLength());
        assertEquals(reader.frameOffset() + PacketWriter.DATA_FRAME_OVERHEAD, reader.dataPayloadOffset());
        final byte[] expected = new byte[length];
        src.getBytes(srcOffset, expected);
        final byte[] actual = new byte[length];
        reader.buffer().getBytes(reader.dataPayloadOffset(), actual);
        assertArrayEquals(expected, actual);
        final byte[] viaDecoder = new byte[length];
        assertEquals(length, reader.data().getPayload(viaDecoder, 0, length));
        assertArrayEquals(expected, viaDecoder);
    }

    private void assertAck(
        final int channel,
        final long cumulativeSeq,
        final long deliveredSeq,
        final int windowSegments,
        final long[] starts,
        final long[] ends,
        final int count)
    {
        assertNextFrame(AckDecoder.TEMPLATE_ID);
        assertEquals(PacketWriter.ackFrameLength(count), reader.frameLength());
        final AckDecoder ack = reader.ack();
        assertEquals(reader.frameLength(), ack.frameLength());
        assertEquals(channel, ack.channel());
        assertEquals(cumulativeSeq, ack.cumulativeSeq());
        assertEquals(deliveredSeq, ack.deliveredSeq());
        assertEquals(windowSegments, ack.windowSegments());
        final AckDecoder.RangesDecoder ranges = ack.ranges();
        assertEquals(count, ranges.count());
        final long[] actualStarts = new long[count];
        final long[] actualEnds = new long[count];
        for (int i = 0; i < count; i++)
        {
            ranges.next();
            actualStarts[i] = ranges.startSeq();
            actualEnds[i] = ranges.endSeq();
        }
        assertArrayEquals(Arrays.copyOf(starts, count), actualStarts);
        assertArrayEquals(Arrays.copyOf(ends, count), actualEnds);
        assertEquals(reader.frameLength() - 8, ack.sbeDecodedLength());
    }

    private void assertNack(final int channel, final long[] starts, final long[] ends, final int count)
    {
        assertNextFrame(NackDecoder.TEMPLATE_ID);
        assertEquals(PacketWriter.nackFrameLength(count), reader.frameLength());
        final NackDecoder nack = reader.nack();
        assertEquals(channel, nack.channel());
        final NackDecoder.MissingDecoder missing = nack.missing();
        assertEquals(count, missing.count());
        for (int i = 0; i < count; i++)
        {
            missing.next();
            assertEquals(starts[i], missing.startSeq());
            assertEquals(ends[i], missing.endSeq());
        }
        assertEquals(reader.frameLength() - 8, nack.sbeDecodedLength());
    }
}
