package io.raet4j.codec;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.RenewReason;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Valid packets of every kind, built with {@link PacketWriter}, and helpers to forge variants of them.
 */
final class SamplePackets
{
    static final int MTU = 1408;
    static final long SRC_ESTATE = 0x1122_3344_5566_7788L;
    static final long DST_ESTATE = -2L;
    static final int SRC_SESSION = 0xDEAD_BEEF;
    static final int DST_SESSION = 7;
    static final long[] ACK_STARTS = { 105, 120, 200 };
    static final long[] ACK_ENDS = { 110, 121, 264 };
    static final long[] NACK_STARTS = { 100, 110 };
    static final long[] NACK_ENDS = { 105, 120 };
    static final String JOIN_NAME = "estate-\u00e9\u4e16";
    static final String JOIN_ACK_NAME = "acceptor";
    static final int COALESCED_DATA_FRAMES = 12;
    static final int COALESCED_DATA_LENGTH = 40;

    private SamplePackets()
    {
    }

    /**
     * One valid datagram per frame kind, plus a coalesced one and a Data frame filling a whole MTU.
     *
     * @return name to datagram bytes, in a stable order.
     */
    static Map<String, byte[]> all()
    {
        final Map<String, byte[]> packets = new LinkedHashMap<>();
        final PacketWriter writer = new PacketWriter(MTU);

        begin(writer);
        assertTrue(writer.appendJoin(1, 3, 42L, JOIN_NAME));
        packets.put("join", copy(writer));

        begin(writer);
        assertTrue(writer.appendJoinAck(JoinStatus.ACCEPTED, 2, 42L, JOIN_ACK_NAME));
        packets.put("joinAck", copy(writer));

        begin(writer);
        assertTrue(writer.appendAlive(43L, 1_000_000_007L));
        packets.put("alive", copy(writer));

        begin(writer);
        assertTrue(writer.appendAliveAck(43L, 1_000_000_007L));
        packets.put("aliveAck", copy(writer));

        begin(writer);
        assertTrue(appendData(writer, 3, 1000L, 17, 0, 0, 17));
        packets.put("data", copy(writer));

        begin(writer);
        assertTrue(writer.appendAck(3, 100L, 90L, 256, ACK_STARTS, ACK_ENDS, ACK_STARTS.length));
        packets.put("ack", copy(writer));

        begin(writer);
        assertTrue(writer.appendNack(3, NACK_STARTS, NACK_ENDS, NACK_STARTS.length));
        packets.put("nack", copy(writer));

        begin(writer);
        assertTrue(writer.appendRenew(RenewReason.STALE_SESSION));
        packets.put("renew", copy(writer));

        begin(writer);
        assertTrue(writer.appendLeave());
        packets.put("leave", copy(writer));

        packets.put("coalesced", coalesced(writer));

        begin(writer);
        final int max = PacketWriter.maxDataPayload(MTU);
        assertTrue(appendData(writer, 1, 5000L, 3 * max, max, 1, max));
        packets.put("maxData", copy(writer));

        return packets;
    }

    /**
     * {@link #COALESCED_DATA_FRAMES} Data frames, an Ack, a Nack and an Alive in one datagram.
     */
    static byte[] coalesced(final PacketWriter writer)
    {
        begin(writer);
        for (int i = 0; i < COALESCED_DATA_FRAMES; i++)
        {
            assertTrue(appendData(
                writer, i % 4, 2000L + i, COALESCED_DATA_LENGTH, 0, 0, COALESCED_DATA_LENGTH));
        }
        assertTrue(writer.appendAck(2, 100L, 90L, 64, ACK_STARTS, ACK_ENDS, ACK_STARTS.length));
        assertTrue(writer.appendNack(2, NACK_STARTS, NACK_ENDS, NACK_STARTS.length));
        assertTrue(writer.appendAlive(9L, 99L));

        return copy(writer);
    }

    static void begin(final PacketWriter writer)
    {
        writer.begin(SRC_ESTATE, DST_ESTATE, SRC_SESSION, DST_SESSION);
    }

    /**
     * Append a segment whose payload bytes are {@link #payloadByte(long, int)}.
     */
    static boolean appendData(
        final PacketWriter writer,
        final int channel,
        final long seq,
        final int messageLength,
        final int segmentOffset,
        final int segmentIndex,
        final int length)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[length + 3]);
        for (int i = 0; i < length; i++)
        {
            payload.putByte(3 + i, payloadByte(seq, i));
        }

        return writer.appendData(
            channel,
            DeliveryMode.RELIABLE_ORDERED,
            0 == segmentOffset,
            segmentOffset + length == messageLength,
            seq,
            messageLength,
            segmentOffset,
            segmentIndex,
            payload,
            3,
            length);
    }

    static byte payloadByte(final long seq, final int index)
    {
        return (byte)(seq * 31 + index);
    }

    static byte[] copy(final PacketWriter writer)
    {
        final int length = writer.finish();
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);

        return bytes;
    }

    /**
     * A heap buffer of exactly the datagram's length, so that any read past the end fails a bounds check.
     */
    static UnsafeBuffer heap(final byte[] bytes, final int length)
    {
        return new UnsafeBuffer(Arrays.copyOf(bytes, length));
    }

    /**
     * An aligned direct buffer of exactly the datagram's length.
     */
    static UnsafeBuffer direct(final byte[] bytes)
    {
        final ByteBuffer byteBuffer = BufferUtil.allocateDirectAligned(
            Math.max(bytes.length, 1), BitUtil.CACHE_LINE_LENGTH);
        final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer, 0, bytes.length);
        buffer.putBytes(0, bytes);

        return buffer;
    }

    /**
     * Recompute the checksum after an edit.
     */
    static UnsafeBuffer seal(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        PacketWriter.writeChecksum(buffer, 0, bytes.length);

        return buffer;
    }

    static void putU8(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)value;
    }

    static void putU16(final byte[] bytes, final int offset, final int value)
    {
        new UnsafeBuffer(bytes).putShort(offset, (short)value, ByteOrder.LITTLE_ENDIAN);
    }

    static int getU16(final byte[] bytes, final int offset)
    {
        return new UnsafeBuffer(bytes).getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static void putI32(final byte[] bytes, final int offset, final int value)
    {
        new UnsafeBuffer(bytes).putInt(offset, value, ByteOrder.LITTLE_ENDIAN);
    }

    static void putI64(final byte[] bytes, final int offset, final long value)
    {
        new UnsafeBuffer(bytes).putLong(offset, value, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The first frame of a one-frame clear-text packet as an older sender would write it: only the first
     * {@code blockLength} bytes of its block, its var data after them, the SBE version {@code frameVersion}, its
     * frameLength and the checksum set again. For Join and JoinAck frames, whose fields grew with each version.
     *
     * @param packet       a clear-text packet of one frame, whose block is at least {@code blockLength} long.
     * @param blockLength  of the frame to write.
     * @param frameVersion SBE version of the frame header.
     * @return the new packet.
     */
    static byte[] withFrameBlock(final byte[] packet, final int blockLength, final int frameVersion)
    {
        final int frame = PacketWriter.HEADER_LENGTH;
        final int block = frame + 8;
        final int oldBlockLength = getU16(packet, frame);
        final int varLength = packet.length - block - oldBlockLength;
        final byte[] result = new byte[block + blockLength + varLength];
        System.arraycopy(packet, 0, result, 0, block + blockLength);
        System.arraycopy(packet, block + oldBlockLength, result, block + blockLength, varLength);
        putU16(result, frame, blockLength);
        putU16(result, frame + 6, frameVersion);
        putU16(result, block, result.length - frame);
        seal(result);

        return result;
    }

    /**
     * Insert bytes at an offset.
     */
    static byte[] splice(final byte[] bytes, final int at, final byte[] insert)
    {
        final byte[] result = new byte[bytes.length + insert.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(insert, 0, result, at, insert.length);
        System.arraycopy(bytes, at, result, at + insert.length, bytes.length - at);

        return result;
    }
}
