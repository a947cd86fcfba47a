package io.raet4j.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.PacketHeaderEncoder;
import io.raet4j.codec.sbe.RenewDecoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz targets (Jazzer) for {@link PacketReader}, in addition to the seeded random search of
 * {@link PacketFuzzTest}.
 * <p>
 * <b>What must hold</b>, whatever the bytes: no exception escapes the reader or any accessor the stack uses (every
 * exception is a finding); every offset and length the reader hands out lies inside the datagram, and buffers are
 * exactly as long as the datagram with Agrona's bounds checks on, so any read past it throws; the status of every
 * {@code wrap*} call is the one {@link DatagramRules}, a second reading of the spec's structural rules, expects,
 * so that no malformed datagram is accepted and no valid one refused; a datagram accepted as OK shows exactly the
 * frames the rules found, each with every field the stack reads readable inside the frame (of a Join that offers no
 * version from 3 on, or of a VERSION_UNSUPPORTED JoinAck, in a short or older frame: the version 1 fields and the
 * name, all the stack reads of them); a packet {@link PacketWriter} made is
 * accepted and reads back field for field; a sealed packet opens if and only if not one byte of it was changed, and
 * a failed open leaves the buffer as it was.
 * <p>
 * <b>Modes:</b> a plain {@code mvn verify} replays the inputs committed under
 * {@code src/test/resources/io/raet4j/codec/PacketReaderFuzzTestInputs/<method>/} (regression mode, no fuzzing; the
 * seeds there are written by {@link FuzzSeedCorpusTest}). A campaign runs one target with the {@code fuzz} profile:
 * {@code mvn -B -pl codec test -Pfuzz -Dtest='PacketReaderFuzzTest#anyDatagramIsRefusedOrReadableToTheLastByte'}
 * (see codec/pom.xml). A finding is written to that target's inputs directory, and stays there as a regression
 * test once fixed.
 */
class PacketReaderFuzzTest
{
    /** Large enough for the largest Data frame, and for a sealed packet past the AEAD's scratch length. */
    static final int WRITER_CAPACITY = 66_000;
    /** Fixed key of the sealed target; what matters is that the fuzzer does not have it. */
    static final byte[] KEY = keyBytes();
    private static final int DIRECT_OFFSET = 5;
    /** From this frame version on, and this offered version, a Join or JoinAck shows its limits (and refusal). */
    private static final int JOIN_V3 = 3;

    private final PacketReader reader = new PacketReader();
    private final DatagramRules rules = new DatagramRules();
    private final FuzzedPackets packets = new FuzzedPackets();
    private final PacketWriter mtuWriter = new PacketWriter(SamplePackets.MTU);
    private final PacketWriter jumboWriter = new PacketWriter(WRITER_CAPACITY);
    private final PacketAead sealAead = new BcChaCha20Poly1305();
    private final PacketAead openAead = new BcChaCha20Poly1305();
    private ByteBuffer direct = BufferUtil.allocateDirectAligned(1 << 17, BitUtil.CACHE_LINE_LENGTH);
    private final byte[] bytes16 = new byte[16];
    private final byte[] bytes32 = new byte[32];
    private final byte[] bytes64 = new byte[64];
    private final List<String> expected = new ArrayList<>();
    private final List<String> actual = new ArrayList<>();

    /**
     * Arbitrary bytes, dispatched as the stack does: {@link PacketReader#isSealed} picks {@link PacketReader#wrap} or
     * {@link PacketReader#wrapSealed}; a sealed one then goes to {@link PacketReader#wrapOpened} as if its tag had
     * matched, since the frame checks, not the cryptography, are under test here (and no checksum stands in the way).
     *
     * @param datagram as received.
     */
    @FuzzTest(maxDuration = "3m")
    void anyDatagramIsRefusedOrReadableToTheLastByte(final byte[] datagram)
    {
        receiveAsTheStackDoes(heap(datagram), 0, datagram.length);
        receiveAsTheStackDoes(direct(datagram), DIRECT_OFFSET, datagram.length);
    }

    /**
     * Arbitrary bytes made into a clear-text datagram (SEALED flag cleared) and given their right CRC32C, so that the
     * fuzzer explores the frame rules instead of the checksum.
     *
     * @param datagram as received, before its checksum is set.
     */
    @FuzzTest(maxDuration = "3m")
    void anyClearTextDatagramWithItsChecksumSetIsJudgedByTheSpecRules(final byte[] datagram)
    {
        final byte[] bytes = datagram.clone();
        if (bytes.length >= PacketWriter.HEADER_LENGTH)
        {
            bytes[12] &= (byte)~PacketWriter.FLAG_SEALED;
            SamplePackets.seal(bytes);
        }
        receiveClearText(heap(bytes), 0, bytes.length);
        receiveClearText(direct(bytes), DIRECT_OFFSET, bytes.length);
    }

    /**
     * A clear-text packet of fuzzer-chosen frames and fields made by {@link PacketWriter}, which must be accepted and
     * read back field for field; then edited by the fuzzer, given its right checksum again most of the time, and
     * judged by the spec rules.
     *
     * @param data the fuzzer's choices.
     */
    @FuzzTest(maxDuration = "3m")
    void writerPacketsReadBackAndTheirMutationsAreJudgedByTheSpecRules(final FuzzedDataProvider data)
    {
        final PacketWriter writer = writer(data);
        writer.begin(data.consumeLong(), data.consumeLong(), data.consumeInt(), data.consumeInt());
        writer.flags(data.consumeInt(0, 0xFF) & ~PacketWriter.FLAG_SEALED);
        expected.clear();
        packets.appendFrames(data, writer, expected);
        final byte[] original = SamplePackets.copy(writer);
        assertEquals(PacketReader.OK, receiveClearText(heap(original), 0, original.length), "writer's own packet");
        assertEquals(expected, actual, "fields read back");

        final byte[] mutated = FuzzedPackets.mutate(data, original);
        if (mutated.length >= PacketWriter.HEADER_LENGTH && data.consumeInt(0, 7) != 0)
        {
            SamplePackets.seal(mutated);
        }
        receiveClearText(heap(mutated), 0, mutated.length);
        receiveClearText(direct(mutated), DIRECT_OFFSET, mutated.length);
    }

    /**
     * A sealed packet, made by {@link PacketWriter#finishSealed} from fuzzer-chosen frames or sealed by the AEAD over
     * fuzzer-chosen bytes (authentic but malformed), then edited by the fuzzer: {@code wrapSealed}, the AEAD open and
     * {@code wrapOpened} never throw, the packet opens if and only if it is byte for byte the one sealed, a failed
     * open leaves the buffer untouched, and the opened frames are judged by the spec rules.
     *
     * @param data the fuzzer's choices.
     */
    @FuzzTest(maxDuration = "3m")
    void sealedPacketsOpenOnlyIfUntouched(final FuzzedDataProvider data)
    {
        final int keyId = data.consumeInt();
        final long counter = data.consumeLong();
        sealAead.init(KEY, keyId);
        openAead.init(KEY, keyId);
        final boolean fromWriter = data.consumeInt(0, 3) != 0;
        final byte[] original = fromWriter ? sealWriterPacket(data, keyId, counter) : sealBytes(data, keyId, counter);
        final byte[] mutated = FuzzedPackets.mutate(data, original);
        final boolean untouched = Arrays.equals(original, mutated);
        final boolean onHeap = data.consumeBoolean();
        final int offset = onHeap ? 0 : DIRECT_OFFSET;
        final int length = mutated.length;
        final UnsafeBuffer buffer = onHeap ? heap(mutated) : direct(mutated);

        final int status = reader.wrapSealed(buffer, offset, length);
        assertEquals(statusName(rules.sealedHeader(buffer, offset, length)), statusName(status), "wrapSealed");
        if (PacketReader.OK != status)
        {
            assertFalse(fromWriter && untouched, "writer's sealed packet refused: " + statusName(status));
            return;
        }
        checkHeader(buffer, offset);
        assertEquals(buffer.getInt(offset + 8, ByteOrder.LITTLE_ENDIAN), reader.keyId());
        assertEquals(buffer.getLong(offset + PacketWriter.HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN),
            reader.packetCounter());

        final byte[] before = Arrays.copyOfRange(bytes(buffer), offset, offset + length);
        final boolean opened = openAead.open(
            reader.packetCounter(), buffer, offset, PacketWriter.SEALED_FRAMES_OFFSET,
            offset + PacketWriter.SEALED_FRAMES_OFFSET, length - PacketWriter.SEALED_FRAMES_OFFSET);
        assertEquals(untouched, opened, untouched ? "an untouched packet did not open" : "a changed packet opened");
        if (!opened)
        {
            assertArrayEquals(before, Arrays.copyOfRange(bytes(buffer), offset, offset + length), "failed open wrote");
            return;
        }

        final int openedLength = length - PacketWriter.SEALED_TAG_LENGTH;
        final int openedStatus = reader.wrapOpened(buffer, offset, openedLength);
        assertEquals(statusName(rules.opened(buffer, offset, openedLength)), statusName(openedStatus), "wrapOpened");
        if (fromWriter)
        {
            assertEquals(PacketReader.OK, openedStatus, "writer's own sealed packet");
        }
        if (PacketReader.OK == openedStatus)
        {
            walkFrames(offset + openedLength);
            if (fromWriter)
            {
                assertEquals(expected, actual, "fields read back");
            }
        }
    }

    private byte[] sealWriterPacket(final FuzzedDataProvider data, final int keyId, final long counter)
    {
        final PacketWriter writer = writer(data);
        writer.beginSealed(data.consumeLong(), data.consumeLong(), data.consumeInt(), data.consumeInt());
        writer.flags(data.consumeInt(0, 0xFF));
        expected.clear();
        packets.appendFrames(data, writer, expected);
        final int length = writer.finishSealed(sealAead, keyId, counter);
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);

        return bytes;
    }

    private byte[] sealBytes(final FuzzedDataProvider data, final int keyId, final long counter)
    {
        final int frameCount = data.consumeInt(0, 0xFF);
        final int flags = data.consumeInt(0, 0xFF) | PacketWriter.FLAG_SEALED;
        final byte[] plaintext = data.consumeBytes(data.consumeInt(0, 4096));
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[PacketWriter.SEALED_FRAMES_OFFSET + plaintext.length + PacketWriter.SEALED_TAG_LENGTH]);
        new PacketHeaderEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .checksum(keyId & 0xFFFF_FFFFL)
            .flags((short)flags)
            .frameCount((short)frameCount)
            .reserved(0)
            .srcEstateId(data.consumeLong())
            .dstEstateId(data.consumeLong())
            .srcSession(data.consumeInt() & 0xFFFF_FFFFL)
            .dstSession(data.consumeInt() & 0xFFFF_FFFFL);
        buffer.putLong(PacketWriter.HEADER_LENGTH, counter, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(PacketWriter.SEALED_FRAMES_OFFSET, plaintext);
        sealAead.seal(
            counter, buffer, 0, PacketWriter.SEALED_FRAMES_OFFSET, PacketWriter.SEALED_FRAMES_OFFSET, plaintext.length);

        return buffer.byteArray();
    }

    /**
     * Mostly packets of the default MTU; one in eight up to the largest Data frame, past the AEAD's scratch length.
     */
    private PacketWriter writer(final FuzzedDataProvider data)
    {
        return 0 == data.consumeInt(0, 7) ? jumboWriter : mtuWriter;
    }

    private void receiveAsTheStackDoes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        if (!PacketReader.isSealed(buffer, offset, length))
        {
            receiveClearText(buffer, offset, length);
            return;
        }

        final int status = reader.wrapSealed(buffer, offset, length);
        assertEquals(statusName(rules.sealedHeader(buffer, offset, length)), statusName(status), "wrapSealed");
        if (PacketReader.OK == status)
        {
            checkHeader(buffer, offset);
            final int openedLength = length - PacketWriter.SEALED_TAG_LENGTH;
            final int openedStatus = reader.wrapOpened(buffer, offset, openedLength);
            assertEquals(
                statusName(rules.opened(buffer, offset, openedLength)), statusName(openedStatus), "wrapOpened");
            if (PacketReader.OK == openedStatus)
            {
                walkFrames(offset + openedLength);
            }
        }
    }

    private int receiveClearText(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final int status = reader.wrap(buffer, offset, length);
        assertEquals(statusName(rules.clearText(buffer, offset, length)), statusName(status), "wrap");
        if (PacketReader.OK == status)
        {
            assertSame(buffer, reader.buffer());
            checkHeader(buffer, offset);
            walkFrames(offset + length);
        }

        return status;
    }

    private void checkHeader(final DirectBuffer buffer, final int offset)
    {
        assertEquals(buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF, reader.version());
        assertEquals(buffer.getByte(offset + 12) & 0xFF, reader.flags());
        assertEquals(buffer.getByte(offset + 13) & 0xFF, reader.frameCount());
        assertEquals(buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN), reader.srcEstateId());
        assertEquals(buffer.getLong(offset + 24, ByteOrder.LITTLE_ENDIAN), reader.dstEstateId());
        assertEquals(buffer.getInt(offset + 32, ByteOrder.LITTLE_ENDIAN), reader.srcSession());
        assertEquals(buffer.getInt(offset + 36, ByteOrder.LITTLE_ENDIAN), reader.dstSession());
    }

    /**
     * After an OK: the frames shown are exactly the known ones the rules found, in order, and every field of each
     * is readable inside its frame. Fills {@link #actual}.
     */
    private void walkFrames(final int datagramEnd)
    {
        final List<DatagramRules.Frame> frames = rules.knownFrames();
        assertEquals(rules.unknownFrames(), reader.unknownFrames(), "unknown frames");
        actual.clear();
        int index = 0;
        while (reader.nextFrame())
        {
            assertTrue(index < frames.size(), "more frames shown than the rules found");
            final DatagramRules.Frame frame = frames.get(index++);
            assertEquals(frame.templateId(), reader.templateId(), "templateId");
            assertEquals(frame.offset(), reader.frameOffset(), "frameOffset");
            assertEquals(frame.length(), reader.frameLength(), "frameLength");
            final int frameEnd = frame.offset() + frame.length();
            assertTrue(frameEnd <= datagramEnd, "frame past the datagram");
            actual.add(readFrame(frame, frameEnd));
        }
        assertEquals(frames.size(), index, "frames shown");
        assertFalse(reader.nextFrame());
        assertEquals(-1, reader.templateId());
    }

    private String readFrame(final DatagramRules.Frame frame, final int frameEnd)
    {
        final int bodyLength = frame.length() - 8;
        final int varOffset = frame.offset() + 8 + frame.blockLength();
        switch (frame.templateId())
        {
            case JoinDecoder.TEMPLATE_ID:
            {
                final JoinDecoder join = reader.join();
                assertEquals(frame.length(), join.frameLength());
                assertTrue(varOffset + 2 + join.nameLength() <= frameEnd, "Join name inside the frame");
                final String name = reader.joinName();
                assertTrue(reader.join().sbeDecodedLength() <= bodyLength);
                final boolean isWhole = frame.version() >= JOIN_V3 && frame.blockLength() >= JoinDecoder.BLOCK_LENGTH;
                if (!isWhole)
                {
                    // The stack reads nothing else of a Join that offers no version from 3 on: it answers it
                    // VERSION_UNSUPPORTED. One that does offer 3 must show every field.
                    assertTrue(join.maxVersion() < JOIN_V3, "short or old Join offering version 3 accepted");
                    return FrameText.joinVersionOne(join.minVersion(), join.maxVersion(), join.nonce(), name);
                }
                // The stack reads these once the versions meet: an accepted Join must deliver every byte of them.
                assertEquals(16, join.getCookie(bytes16, 0, 16), "Join cookie delivered");
                final byte[] cookie = bytes16.clone();
                assertEquals(32, join.getSigningKey(bytes32, 0, 32), "Join signingKey delivered");
                final byte[] signingKey = bytes32.clone();
                assertEquals(32, join.getAgreementKey(bytes32, 0, 32), "Join agreementKey delivered");
                final byte[] agreementKey = bytes32.clone();
                assertEquals(32, join.getEphemeralKey(bytes32, 0, 32), "Join ephemeralKey delivered");
                final byte[] ephemeralKey = bytes32.clone();
                assertEquals(64, join.getSignature(bytes64, 0, 64), "Join signature delivered");
                if (join.maxVersion() >= JOIN_V3)
                {
                    // The stack makes these limits into a JoinLimits, which throws for what it cannot hold.
                    assertNotNull(new JoinLimits(
                        join.mtu(), join.maxMessageLength(), join.receiveCredit(), join.options().encrypted()));
                }
                assertFalse(reader.join().toString().isEmpty());
                return FrameText.join(
                    join.minVersion(), join.maxVersion(), join.nonce(), name, cookie, signingKey, agreementKey,
                    ephemeralKey, bytes64.clone(), FrameText.limits(
                        join.mtu(), join.maxMessageLength(), join.receiveCredit(), join.options().encrypted()));
            }

            case JoinAckDecoder.TEMPLATE_ID:
            {
                final JoinAckDecoder joinAck = reader.joinAck();
                assertEquals(frame.length(), joinAck.frameLength());
                assertTrue(varOffset + 2 + joinAck.nameLength() <= frameEnd, "JoinAck name inside the frame");
                final String name = reader.joinName();
                assertTrue(reader.joinAck().sbeDecodedLength() <= bodyLength);
                final boolean isWhole =
                    frame.version() >= JOIN_V3 && frame.blockLength() >= JoinAckDecoder.BLOCK_LENGTH;
                if (!isWhole)
                {
                    // Of a refusal for version the stack reads the version and the name only; any other answer
                    // must show every field.
                    assertEquals(JoinStatus.VERSION_UNSUPPORTED, joinAck.status(), "short or old JoinAck accepted");
                    return FrameText.joinAckVersionOne(joinAck.status(), joinAck.version(), joinAck.nonce(), name);
                }
                assertEquals(32, joinAck.getSigningKey(bytes32, 0, 32), "JoinAck signingKey delivered");
                final byte[] signingKey = bytes32.clone();
                assertEquals(32, joinAck.getAgreementKey(bytes32, 0, 32), "JoinAck agreementKey delivered");
                final byte[] agreementKey = bytes32.clone();
                assertEquals(32, joinAck.getEphemeralKey(bytes32, 0, 32), "JoinAck ephemeralKey delivered");
                final byte[] ephemeralKey = bytes32.clone();
                assertEquals(64, joinAck.getSignature(bytes64, 0, 64), "JoinAck signature delivered");
                // The refusal is checked, and read by the stack, in every answer but a refusal for version.
                final short refusal = joinAck.refusalRaw();
                if (JoinStatus.VERSION_UNSUPPORTED != joinAck.status())
                {
                    assertNotEquals(JoinRefusal.NULL_VAL, joinAck.refusal(), "JoinAck refusal");
                    assertNotNull(new JoinLimits(joinAck.mtu(), joinAck.maxMessageLength(), joinAck.receiveCredit(),
                        joinAck.options().encrypted()));
                    assertFalse(reader.joinAck().toString().isEmpty());
                }
                return FrameText.joinAck(
                    joinAck.status(), joinAck.version(), joinAck.nonce(), name, signingKey, agreementKey, ephemeralKey,
                    bytes64.clone(), FrameText.limits(joinAck.mtu(), joinAck.maxMessageLength(),
                    joinAck.receiveCredit(), joinAck.options().encrypted()), refusal);
            }

            case JoinCookieDecoder.TEMPLATE_ID:
            {
                final JoinCookieDecoder joinCookie = reader.joinCookie();
                assertEquals(frame.length(), joinCookie.frameLength());
                assertEquals(16, joinCookie.getCookie(bytes16, 0, 16), "JoinCookie cookie delivered");
                assertTrue(joinCookie.sbeDecodedLength() <= bodyLength);
                assertFalse(joinCookie.toString().isEmpty());
                return FrameText.joinCookie(joinCookie.nonce(), bytes16.clone());
            }

            case AliveDecoder.TEMPLATE_ID:
            {
                final AliveDecoder alive = reader.alive();
                assertEquals(frame.length(), alive.frameLength());
                assertTrue(alive.sbeDecodedLength() <= bodyLength);
                assertFalse(alive.toString().isEmpty());
                return FrameText.alive(alive.nonce(), alive.timestampNs());
            }

            case AliveAckDecoder.TEMPLATE_ID:
            {
                final AliveAckDecoder aliveAck = reader.aliveAck();
                assertEquals(frame.length(), aliveAck.frameLength());
                assertTrue(aliveAck.sbeDecodedLength() <= bodyLength);
                assertFalse(aliveAck.toString().isEmpty());
                return FrameText.aliveAck(aliveAck.nonce(), aliveAck.echoTimestampNs());
            }

            case DataDecoder.TEMPLATE_ID:
                return readData(frame, frameEnd, varOffset, bodyLength);

            case AckDecoder.TEMPLATE_ID:
            {
                final AckDecoder ack = reader.ack();
                assertEquals(frame.length(), ack.frameLength());
                final long cumulativeSeq = ack.cumulativeSeq();
                final long deliveredSeq = ack.deliveredSeq();
                final int windowSegments = ack.windowSegments();
                final AckDecoder.RangesDecoder ranges = ack.ranges();
                final int count = ranges.count();
                final long[] starts = new long[count];
                final long[] ends = new long[count];
                for (int i = 0; i < count; i++)
                {
                    ranges.next();
                    starts[i] = ranges.startSeq();
                    ends[i] = ranges.endSeq();
                    assertTrue(starts[i] < ends[i], "Ack range inverted");
                }
                assertFalse(ranges.hasNext());
                assertTrue(ack.limit() <= frameEnd, "Ack ranges inside the frame");
                assertTrue(reader.ack().sbeDecodedLength() <= bodyLength);
                assertFalse(reader.ack().toString().isEmpty());
                return FrameText.ack(
                    ack.channel(), cumulativeSeq, deliveredSeq, windowSegments, starts, ends, count);
            }

            case NackDecoder.TEMPLATE_ID:
            {
                final NackDecoder nack = reader.nack();
                assertEquals(frame.length(), nack.frameLength());
                final NackDecoder.MissingDecoder missing = nack.missing();
                final int count = missing.count();
                final long[] starts = new long[count];
                final long[] ends = new long[count];
                for (int i = 0; i < count; i++)
                {
                    missing.next();
                    starts[i] = missing.startSeq();
                    ends[i] = missing.endSeq();
                    assertTrue(starts[i] < ends[i], "Nack range inverted");
                }
                assertFalse(missing.hasNext());
                assertTrue(nack.limit() <= frameEnd, "Nack ranges inside the frame");
                assertTrue(reader.nack().sbeDecodedLength() <= bodyLength);
                assertFalse(reader.nack().toString().isEmpty());
                return FrameText.nack(nack.channel(), starts, ends, count);
            }

            case RenewDecoder.TEMPLATE_ID:
            {
                final RenewDecoder renew = reader.renew();
                assertEquals(frame.length(), renew.frameLength());
                assertTrue(renew.sbeDecodedLength() <= bodyLength);
                assertFalse(renew.toString().isEmpty());
                return FrameText.renew(renew.reason());
            }

            case LeaveDecoder.TEMPLATE_ID:
            {
                final LeaveDecoder leave = reader.leave();
                assertEquals(frame.length(), leave.frameLength());
                assertTrue(leave.sbeDecodedLength() <= bodyLength);
                assertFalse(leave.toString().isEmpty());
                return FrameText.leave(leave.flags().finalAcks());
            }

            default:
                throw new AssertionError("nextFrame() showed an unknown kind " + frame.templateId());
        }
    }

    private String readData(
        final DatagramRules.Frame frame, final int frameEnd, final int varOffset, final int bodyLength)
    {
        final DataDecoder data = reader.data();
        assertEquals(frame.length(), data.frameLength());
        final int payloadOffset = reader.dataPayloadOffset();
        final int payloadLength = reader.dataPayloadLength();
        assertEquals(varOffset + 2, payloadOffset, "payload offset");
        assertTrue(payloadOffset + payloadLength <= frameEnd, "payload inside the frame");
        final int messageLength = data.messageLength();
        final int segmentOffset = data.segmentOffset();
        assertTrue(messageLength >= 0 && segmentOffset >= 0 && data.segmentIndex() >= 0);
        assertTrue((long)segmentOffset + payloadLength <= messageLength, "segment inside the message");
        final byte[] payload = new byte[payloadLength];
        reader.buffer().getBytes(payloadOffset, payload);
        final byte[] viaDecoder = new byte[payloadLength];
        assertEquals(payloadLength, data.getPayload(viaDecoder, 0, payloadLength));
        assertArrayEquals(payload, viaDecoder);
        assertTrue(reader.data().sbeDecodedLength() <= bodyLength);
        assertFalse(reader.data().toString().isEmpty());
        final DataDecoder fresh = reader.data();

        return FrameText.data(
            fresh.channel(), fresh.mode(), fresh.flags().begin(), fresh.flags().end(), fresh.seq(), messageLength,
            segmentOffset, fresh.segmentIndex(), payload);
    }

    /**
     * A heap buffer exactly as long as the datagram: a read past its end throws.
     */
    private static UnsafeBuffer heap(final byte[] bytes)
    {
        return new UnsafeBuffer(bytes.clone());
    }

    /**
     * The datagram at {@link #DIRECT_OFFSET} in direct memory, in a view that ends where the datagram does.
     */
    private UnsafeBuffer direct(final byte[] bytes)
    {
        if (direct.capacity() < DIRECT_OFFSET + bytes.length)
        {
            direct = BufferUtil.allocateDirectAligned(
                BitUtil.align(DIRECT_OFFSET + bytes.length, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(direct, 0, DIRECT_OFFSET + bytes.length);
        buffer.setMemory(0, DIRECT_OFFSET, (byte)0x5A);
        buffer.putBytes(DIRECT_OFFSET, bytes);

        return buffer;
    }

    private static byte[] bytes(final DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);

        return bytes;
    }

    private static String statusName(final int status)
    {
        return PacketReader.statusName(status);
    }

    private static byte[] keyBytes()
    {
        final byte[] key = new byte[PacketAead.KEY_LENGTH];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)(0xA0 + i * 7);
        }

        return key;
    }
}
