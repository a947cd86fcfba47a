package io.raet4j.codec;

import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static io.raet4j.codec.SamplePackets.MTU;
import static io.raet4j.codec.SamplePackets.begin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What version 3 adds to the join and the leave: limits, the refusal reason, the final-acks flag; and how much of
 * an older joiner's Join a version 3 reader takes, so that it can be told its version is not supported.
 */
class VersionThreeFramesTest
{
    private static final byte[] KEY = new byte[PacketWriter.KEY_LENGTH];
    private static final byte[] SIGNATURE = new byte[PacketWriter.SIGNATURE_LENGTH];

    /** Block lengths of older versions: frameLength, versions (or status and version) and nonce; then keys. */
    private static final int JOIN_V1_BLOCK = 14;
    private static final int JOIN_V2_BLOCK = 190;
    private static final int JOIN_ACK_V1_BLOCK = 13;
    private static final int JOIN_ACK_V2_BLOCK = 173;

    private final PacketWriter writer = new PacketWriter(MTU);
    private final PacketReader reader = new PacketReader();

    @Test
    void shouldCarryTheJoinersLimitsInTheJoin()
    {
        begin(writer);
        assertTrue(writer.appendJoin(3, 3, 7L, "joiner", null, KEY, KEY, KEY, SIGNATURE,
            new JoinLimits(9000, 1 << 20, 512, true)));
        final int length = writer.finish();

        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertTrue(reader.nextFrame());
        final JoinDecoder join = reader.join();
        assertEquals(9000, join.mtu());
        assertEquals(1 << 20, join.maxMessageLength());
        assertEquals(512, join.receiveCredit());
        assertTrue(join.options().encrypted());
        assertEquals("joiner", reader.joinName());
    }

    @Test
    void shouldCarryTheAcceptorsLimitsAndTheRefusalInTheJoinAck()
    {
        begin(writer);
        assertTrue(writer.appendJoinAck(JoinStatus.REJECTED, 3, 7L, "acceptor", KEY, KEY, null, SIGNATURE,
            new JoinLimits(1408, 4096, 64, false), JoinRefusal.ENCRYPTION_MISMATCH));
        final int length = writer.finish();

        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertTrue(reader.nextFrame());
        final JoinAckDecoder joinAck = reader.joinAck();
        assertEquals(JoinStatus.REJECTED, joinAck.status());
        assertEquals(JoinRefusal.ENCRYPTION_MISMATCH, joinAck.refusal());
        assertEquals(1408, joinAck.mtu());
        assertEquals(4096, joinAck.maxMessageLength());
        assertEquals(64, joinAck.receiveCredit());
        assertFalse(joinAck.options().encrypted());
    }

    @Test
    void shouldRefuseAJoinAckWithAnUnknownRefusal()
    {
        begin(writer);
        assertTrue(writer.appendJoinAck(JoinStatus.REJECTED, 3, 7L, "acceptor", KEY, KEY, null, SIGNATURE,
            JoinLimits.NONE, JoinRefusal.KEYS_CHANGED));
        final int length = writer.finish();
        final int refusalOffset = PacketWriter.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH +
            io.raet4j.codec.sbe.JoinAckEncoder.refusalEncodingOffset();
        writer.buffer().putByte(refusalOffset, (byte)99);
        PacketWriter.writeChecksum(writer.buffer(), 0, length);

        assertEquals(PacketReader.MALFORMED, reader.wrap(writer.buffer(), 0, length));
    }

    @Test
    void shouldTellWhetherALeaveCarriesTheFinalAcks()
    {
        begin(writer);
        assertTrue(writer.appendLeave(true));
        int length = writer.finish();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertTrue(reader.nextFrame());
        final LeaveDecoder leave = reader.leave();
        assertTrue(leave.flags().finalAcks());

        begin(writer);
        assertTrue(writer.appendLeave());
        length = writer.finish();
        assertEquals(PacketReader.OK, reader.wrap(writer.buffer(), 0, length));
        assertTrue(reader.nextFrame());
        assertFalse(reader.leave().flags().finalAcks());
    }

    @Test
    void shouldRefuseALeaveFrameOfAnOlderVersionWhoseDecoderHidesItsFlags()
    {
        // Found by PacketReaderFuzzTest (finding-leave-frame-version-2): with a longer block the frame passed, and
        // the stack's reader.leave().flags().finalAcks() threw a NullPointerException into its error log.
        for (final int frameVersion : new int[]{ 1, 2 })
        {
            begin(writer);
            assertTrue(writer.appendLeave(true));
            final byte[] leave = SamplePackets.copy(writer);
            SamplePackets.putU16(leave, PacketWriter.HEADER_LENGTH + 6, frameVersion);
            SamplePackets.seal(leave);
            assertEquals(PacketReader.MALFORMED, reader.wrap(SamplePackets.heap(leave, leave.length), 0, leave.length),
                "Leave frame version " + frameVersion);
        }

        begin(writer);
        assertTrue(writer.appendLeave(true));
        final byte[] newer = SamplePackets.copy(writer);
        SamplePackets.putU16(newer, PacketWriter.HEADER_LENGTH + 6, 4);
        SamplePackets.seal(newer);
        assertEquals(PacketReader.OK, reader.wrap(SamplePackets.heap(newer, newer.length), 0, newer.length));
        assertTrue(reader.nextFrame());
        assertTrue(reader.leave().flags().finalAcks());
    }

    @Test
    void shouldReadAnOlderJoinFarEnoughToRefuseItsVersionButNotAShortJoinThatClaimsThisVersion()
    {
        assertEquals(PacketReader.OK, wrapShortJoin(2, 2));
        assertTrue(reader.nextFrame());
        assertEquals(2, reader.join().maxVersion());
        assertEquals("old", reader.joinName());

        assertEquals(PacketReader.MALFORMED, wrapShortJoin(2, 3));
    }

    @Test
    void shouldRefuseAJoinOfferingVersionThreeInAnOlderFrameEvenWithTheWholeBlock()
    {
        // The decoder of a version 2 frame hides the limits: they would read as zero.
        final byte[] join = joinPacket(3, 3);
        assertEquals(PacketReader.OK, wrap(join));
        assertEquals(PacketReader.MALFORMED, wrap(SamplePackets.withFrameBlock(join, JoinDecoder.BLOCK_LENGTH, 2)));
        assertEquals(PacketReader.MALFORMED, wrap(SamplePackets.withFrameBlock(joinPacket(2, 5), JOIN_V2_BLOCK, 3)));
        assertEquals(PacketReader.MALFORMED, wrap(SamplePackets.withFrameBlock(joinPacket(4, 4), JOIN_V1_BLOCK, 3)));
    }

    @Test
    void shouldReadAJoinOfferingOnlyOlderVersionsFromItsVersionOneBlockButNotFromAVersionOneFrame()
    {
        for (final int frameVersion : new int[]{ 2, 3, 4 })
        {
            assertEquals(PacketReader.OK,
                wrap(SamplePackets.withFrameBlock(joinPacket(1, 2), JOIN_V1_BLOCK, frameVersion)), "v" + frameVersion);
            assertTrue(reader.nextFrame());
            final JoinDecoder join = reader.join();
            assertEquals(1, join.minVersion());
            assertEquals(2, join.maxVersion());
            assertEquals(7L, join.nonce());
            assertEquals("old", reader.joinName());
        }
        assertEquals(PacketReader.MALFORMED, wrap(SamplePackets.withFrameBlock(joinPacket(1, 2), JOIN_V1_BLOCK, 1)));
        assertEquals(PacketReader.MALFORMED,
            wrap(SamplePackets.withFrameBlock(joinPacket(1, 2), JoinDecoder.BLOCK_LENGTH, 1)));
        assertEquals(PacketReader.MALFORMED,
            wrap(SamplePackets.withFrameBlock(joinPacket(1, 2), JOIN_V1_BLOCK - 1, 3)));
    }

    @Test
    void shouldRefuseAJoinAckOtherThanVersionUnsupportedInAnOlderFrameOrWithAShortBlock()
    {
        for (final JoinStatus status : new JoinStatus[]{ JoinStatus.ACCEPTED, JoinStatus.PENDING, JoinStatus.REJECTED })
        {
            final byte[] joinAck = joinAckPacket(status);
            assertEquals(PacketReader.OK, wrap(joinAck), status.name());
            assertEquals(PacketReader.MALFORMED,
                wrap(SamplePackets.withFrameBlock(joinAck, JoinAckDecoder.BLOCK_LENGTH, 2)), status + " frame v2");
            assertEquals(PacketReader.MALFORMED,
                wrap(SamplePackets.withFrameBlock(joinAck, JOIN_ACK_V2_BLOCK, 3)), status + " block v2");
            assertEquals(PacketReader.MALFORMED,
                wrap(SamplePackets.withFrameBlock(joinAck, JOIN_ACK_V1_BLOCK, 3)), status + " block v1");
        }
    }

    @Test
    void shouldReadAVersionUnsupportedJoinAckFromItsVersionOneBlockButNotFromAVersionOneFrame()
    {
        final byte[] joinAck = joinAckPacket(JoinStatus.VERSION_UNSUPPORTED);
        for (final int frameVersion : new int[]{ 2, 3 })
        {
            assertEquals(PacketReader.OK,
                wrap(SamplePackets.withFrameBlock(joinAck, JOIN_ACK_V1_BLOCK, frameVersion)), "v" + frameVersion);
            assertTrue(reader.nextFrame());
            assertEquals(JoinStatus.VERSION_UNSUPPORTED, reader.joinAck().status());
            assertEquals(3, reader.joinAck().version());
            assertEquals("acceptor", reader.joinName());
        }
        assertEquals(PacketReader.MALFORMED, wrap(SamplePackets.withFrameBlock(joinAck, JOIN_ACK_V1_BLOCK, 1)));
        assertEquals(PacketReader.MALFORMED,
            wrap(SamplePackets.withFrameBlock(joinAck, JoinAckDecoder.BLOCK_LENGTH, 1)));
    }

    @Test
    void shouldRefuseAJoinOrJoinAckWithLimitsNoEstateCouldAnnounce()
    {
        // The stack builds a JoinLimits from these before it checks the signature, and JoinLimits refuses negative
        // values by throwing (ForgedJoinLimitsTest in transactions shows it on a real pair).
        final int block = PacketWriter.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH;
        for (final int offset : new int[]{ JoinDecoder.maxMessageLengthEncodingOffset(),
            JoinDecoder.receiveCreditEncodingOffset() })
        {
            assertEquals(PacketReader.MALFORMED, wrap(withInt(joinPacket(3, 3), block + offset, -1)), "Join " + offset);
            assertEquals(PacketReader.OK, wrap(withInt(joinPacket(3, 3), block + offset, Integer.MAX_VALUE)));
        }
        for (final int offset : new int[]{ JoinAckDecoder.maxMessageLengthEncodingOffset(),
            JoinAckDecoder.receiveCreditEncodingOffset() })
        {
            assertEquals(PacketReader.MALFORMED, wrap(withInt(joinAckPacket(JoinStatus.ACCEPTED), block + offset, -1)),
                "JoinAck " + offset);
            // A refusal for version is read for its version and name only: whatever else it holds is not looked at.
            assertEquals(PacketReader.OK,
                wrap(withInt(joinAckPacket(JoinStatus.VERSION_UNSUPPORTED), block + offset, Integer.MIN_VALUE)));
        }
    }

    private static byte[] withInt(final byte[] packet, final int offset, final int value)
    {
        SamplePackets.putI32(packet, offset, value);
        SamplePackets.seal(packet);

        return packet;
    }

    private byte[] joinPacket(final int minVersion, final int maxVersion)
    {
        begin(writer);
        assertTrue(writer.appendJoin(minVersion, maxVersion, 7L, "old", null, KEY, KEY, KEY, SIGNATURE,
            new JoinLimits(1408, 4096, 64, false)));

        return SamplePackets.copy(writer);
    }

    private byte[] joinAckPacket(final JoinStatus status)
    {
        begin(writer);
        assertTrue(writer.appendJoinAck(status, 3, 7L, "acceptor", KEY, KEY, null, SIGNATURE,
            new JoinLimits(1408, 4096, 64, false), JoinRefusal.NONE));

        return SamplePackets.copy(writer);
    }

    private int wrap(final byte[] packet)
    {
        return reader.wrap(SamplePackets.heap(packet, packet.length), 0, packet.length);
    }

    /**
     * A Join with the block of version 2 (no limits), frame version 2, as a version 2 stack sends it.
     */
    private int wrapShortJoin(final int minVersion, final int maxVersion)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        begin(writer);
        assertTrue(writer.appendJoin(minVersion, maxVersion, 7L, "old"));
        final int fullLength = writer.finish();
        final int frame = PacketWriter.HEADER_LENGTH;
        final int v3Extra = JoinDecoder.BLOCK_LENGTH - JoinDecoder.mtuEncodingOffset();
        final int v2Block = JoinDecoder.BLOCK_LENGTH - v3Extra;
        // Header and the version 2 part of the block, then the name.
        buffer.putBytes(0, writer.buffer(), 0, frame + MessageHeaderEncoder.ENCODED_LENGTH + v2Block);
        final int nameAt = frame + MessageHeaderEncoder.ENCODED_LENGTH + JoinDecoder.BLOCK_LENGTH;
        final int nameBytes = fullLength - nameAt;
        buffer.putBytes(frame + MessageHeaderEncoder.ENCODED_LENGTH + v2Block, writer.buffer(), nameAt, nameBytes);
        final int length = fullLength - v3Extra;
        buffer.putShort(frame, (short)v2Block, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(frame + 6, (short)2, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(frame + MessageHeaderEncoder.ENCODED_LENGTH, (short)(length - frame), ByteOrder.LITTLE_ENDIAN);
        PacketWriter.writeChecksum(buffer, 0, length);
        return reader.wrap(buffer, 0, length);
    }
}
