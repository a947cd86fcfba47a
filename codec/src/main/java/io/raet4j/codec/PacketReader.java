package io.raet4j.codec;

import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.AliveAckDecoder;
import io.raet4j.codec.sbe.AliveDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.MessageHeaderDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.codec.sbe.PacketHeaderDecoder;
import io.raet4j.codec.sbe.RenewDecoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.codec.sbe.VarDataEncodingDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Validates a whole received datagram in {@link #wrap} and then iterates its frames with flyweight decoders.
 * <p>
 * <b>Threading:</b> NOT thread safe. One instance belongs to one agent thread and is reused for every datagram.
 * <p>
 * <b>Failure contract:</b> {@link #wrap} never throws and never allocates, whatever the bytes. It returns {@link #OK}
 * only when every byte of the datagram has been accounted for: header, checksum, and every frame's length, var data,
 * groups, enums and segment arithmetic. Only after {@code OK} may the accessors and {@link #nextFrame()} be used, and
 * then every field a decoder reads lies inside the datagram. Calling a frame accessor that does not match the current
 * frame is a bug and throws {@link IllegalStateException}.
 * <p>
 * <b>Compatibility:</b> SBE acting-version rules apply to the header and to every frame: a block longer than ours
 * (a newer version) is skipped over by its blockLength, a frame kind we do not know is skipped by its frameLength and
 * counted in {@link #unknownFrames()}, and a known frame of a version newer than ours may carry bytes after the
 * fields we know, up to its frameLength. A frame of our own version must end exactly at its frameLength. The decoder
 * hides a field from a frame of a version before the field's, whatever its block length, so a Join or JoinAck frame
 * must be of version 2 or later. A Join offering version 3 or later, and a JoinAck other than VERSION_UNSUPPORTED,
 * must be a version 3 frame with the whole version 3 block, limits that are not negative (what {@link JoinLimits}
 * holds) and, in a JoinAck, a valid refusal; a Join offering only older versions, or a VERSION_UNSUPPORTED JoinAck,
 * needs only the version 1 block, enough to answer or to report it: of such a frame only the version 1 fields and the
 * name may be read. A Leave frame must be of version 3 or later, which shows its flags.
 * <p>
 * <b>Layout:</b> all fields little endian; offsets in bytes from the start of the datagram.
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------------------------------+-------------------------------+
 *   |    SBE blockLength (32)       |    SBE templateId (1)         |  0
 *   +-------------------------------+-------------------------------+
 *   |    SBE schemaId (4242)        |    SBE version (1)            |  4
 *   +-------------------------------+-------------------------------+
 *   |   checksum: CRC32C of [0, 8) then [12, length)                |  8
 *   +---------------+---------------+-------------------------------+
 *   |    flags      |  frameCount   |          reserved             | 12
 *   +---------------+---------------+-------------------------------+
 *   |                          srcEstateId                          | 16
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                          dstEstateId                          | 24
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                       srcSession (u32)                        | 32
 *   +---------------------------------------------------------------+
 *   |                       dstSession (u32)                        | 36
 *   +---------------------------------------------------------------+
 *   |                 frameCount frames, back to back              ... 40
 *   +---------------------------------------------------------------+
 *
 *   A Data frame (templateId 30) at offset f, as an example of a frame:
 *   +-------------------------------+-------------------------------+
 *   |    SBE blockLength (25)       |    SBE templateId (30)        |  f + 0
 *   +-------------------------------+-------------------------------+
 *   |    SBE schemaId (4242)        |    SBE version (1)            |  f + 4
 *   +-------------------------------+---------------+---------------+
 *   |    frameLength                |    channel    |     mode      |  f + 8
 *   +---------------+---------------+---------------+---------------+
 *   |  flags: E B   |                seq (i64)                     ... f + 12
 *   +---------------+-----------------------------------------------+
 *  ...              |                messageLength                 ... f + 20
 *   +---------------+-----------------------------------------------+
 *  ...              |                segmentOffset                 ... f + 24
 *   +---------------+-----------------------------------------------+
 *  ...              |                segmentIndex                  ... f + 28
 *   +---------------+-------------------------------+---------------+
 *  ...              |    payload length (u16)       |  payload     ... f + 32
 *   +---------------+-------------------------------+---------------+
 *   |                payload, up to f + frameLength                ...
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class PacketReader
{
    /**
     * The datagram is valid and may be read.
     */
    public static final int OK = 0;

    /**
     * Shorter than the packet header.
     */
    public static final int TOO_SHORT = 1;

    /**
     * Not ours: a schema id other than {@link #SCHEMA_ID}, or a first message that is not a PacketHeader.
     */
    public static final int BAD_SCHEMA = 2;

    /**
     * An SBE version of 0 in the header or in a frame.
     */
    public static final int BAD_VERSION = 3;

    /**
     * The checksum does not match the bytes.
     */
    public static final int BAD_CHECKSUM = 4;

    /**
     * Any structural violation: lengths, counts, enums, ranges, segment arithmetic or trailing bytes.
     */
    public static final int MALFORMED = 5;

    /**
     * Schema id of raet4j, carried in every SBE message header.
     */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;

    /**
     * Schema version this reader was generated from.
     */
    public static final int SCHEMA_VERSION = PacketHeaderDecoder.SCHEMA_VERSION;

    private static final int NO_FRAME = -1;
    private static final int FLAGS_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + PacketHeaderDecoder.flagsEncodingOffset();
    private static final int HEADER_LENGTH = PacketWriter.HEADER_LENGTH;
    private static final int FRAME_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int FRAME_LENGTH_FIELD_LENGTH = 2;
    private static final int VAR_LENGTH_FIELD_LENGTH = 2;
    private static final int GROUP_HEADER_LENGTH = AckDecoder.RangesDecoder.HEADER_SIZE;
    private static final int RANGE_LENGTH = AckDecoder.RangesDecoder.sbeBlockLength();
    // Ack ranges and Nack missing ranges share one layout ([startSeq, endSeq), two Seq fields): one validator and one
    // copy serve both, checked here once.
    private static final int RANGE_START_OFFSET = AckDecoder.RangesDecoder.startSeqEncodingOffset();
    private static final int RANGE_END_OFFSET = AckDecoder.RangesDecoder.endSeqEncodingOffset();

    static
    {
        if (NackDecoder.MissingDecoder.startSeqEncodingOffset() != RANGE_START_OFFSET ||
            NackDecoder.MissingDecoder.endSeqEncodingOffset() != RANGE_END_OFFSET ||
            NackDecoder.MissingDecoder.sbeBlockLength() != RANGE_LENGTH ||
            NackDecoder.MissingDecoder.HEADER_SIZE != GROUP_HEADER_LENGTH)
        {
            throw new IllegalStateException("Ack ranges and Nack missing ranges no longer share a layout");
        }
    }

    private static final int MAX_DATA_PAYLOAD_LENGTH = VarDataEncodingDecoder.lengthMaxValue();
    private static final int DATA_FLAG_BEGIN = 1;
    private static final int DATA_FLAG_END = 1 << 1;
    // The decoders hide a field from a frame of a version before the field's sinceVersion, even when the block holds
    // it (it reads as its null value, or an array as nothing): a Join or JoinAck frame before version 2 hides the
    // cookie, keys and signature, one before version 3 the limits (options() is null) and the refusal.
    private static final int HANDSHAKE_MIN_FRAME_VERSION = JoinDecoder.signatureSinceVersion();
    private static final int JOIN_LIMITS_FRAME_VERSION = JoinDecoder.optionsSinceVersion();
    private static final int JOIN_ACK_LIMITS_FRAME_VERSION = JoinAckDecoder.refusalSinceVersion();
    private static final int LEAVE_MIN_FRAME_VERSION = LeaveDecoder.flagsSinceVersion();
    private static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final boolean[] VALID_DELIVERY_MODE = new boolean[256];
    private static final boolean[] VALID_JOIN_STATUS = new boolean[256];
    private static final boolean[] VALID_RENEW_REASON = new boolean[256];
    private static final boolean[] VALID_JOIN_REFUSAL = new boolean[256];
    /** Block length of a version-1 Join: frameLength, minVersion, maxVersion, nonce. */
    private static final int JOIN_V1_BLOCK_LENGTH = 14;
    /** Block length of a version-1 JoinAck: frameLength, status, version, nonce. */
    private static final int JOIN_ACK_V1_BLOCK_LENGTH = 13;

    static
    {
        for (final DeliveryMode mode : DeliveryMode.values())
        {
            VALID_DELIVERY_MODE[mode.value()] = DeliveryMode.NULL_VAL != mode;
        }
        for (final JoinRefusal refusal : JoinRefusal.values())
        {
            VALID_JOIN_REFUSAL[refusal.value()] = JoinRefusal.NULL_VAL != refusal;
        }
        for (final JoinStatus status : JoinStatus.values())
        {
            VALID_JOIN_STATUS[status.value()] = JoinStatus.NULL_VAL != status;
        }
        for (final RenewReason reason : RenewReason.values())
        {
            VALID_RENEW_REASON[reason.value()] = RenewReason.NULL_VAL != reason;
        }
    }

    private final DatagramChecksum checksum = new DatagramChecksum();
    private final MessageHeaderDecoder messageHeaderDecoder = new MessageHeaderDecoder();
    private final PacketHeaderDecoder packetHeaderDecoder = new PacketHeaderDecoder();
    private final JoinDecoder joinDecoder = new JoinDecoder();
    private final JoinAckDecoder joinAckDecoder = new JoinAckDecoder();
    private final JoinCookieDecoder joinCookieDecoder = new JoinCookieDecoder();
    private final AliveDecoder aliveDecoder = new AliveDecoder();
    private final AliveAckDecoder aliveAckDecoder = new AliveAckDecoder();
    private final DataDecoder dataDecoder = new DataDecoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final NackDecoder nackDecoder = new NackDecoder();
    private final RenewDecoder renewDecoder = new RenewDecoder();
    private final LeaveDecoder leaveDecoder = new LeaveDecoder();

    private DirectBuffer buffer;
    private int version;
    private int flags;
    private int frameCount;
    private int unknownFrames;
    private long srcEstateId;
    private long dstEstateId;
    private int srcSession;
    private int dstSession;

    private int nextFrameOffset;
    private int framesRemaining;
    private int templateId = NO_FRAME;
    private int frameOffset;
    private int frameLength;
    private int frameBlockLength;
    private int frameVersion;
    private int keyId;
    private long packetCounter;

    /**
     * Create a reader with its decoders; reuse it for every datagram.
     */
    public PacketReader()
    {
    }

    /**
     * Human readable name of a status returned by {@link #wrap}.
     *
     * @param status code.
     * @return its constant's name, or "UNKNOWN".
     */
    public static String statusName(final int status)
    {
        switch (status)
        {
            case OK:
                return "OK";
            case TOO_SHORT:
                return "TOO_SHORT";
            case BAD_SCHEMA:
                return "BAD_SCHEMA";
            case BAD_VERSION:
                return "BAD_VERSION";
            case BAD_CHECKSUM:
                return "BAD_CHECKSUM";
            case MALFORMED:
                return "MALFORMED";
            default:
                return "UNKNOWN";
        }
    }

    /**
     * Validate a whole datagram and, if it is valid, position before its first frame. Never throws, never allocates.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram in bytes.
     * @return {@link #OK} or the first violation found: {@link #TOO_SHORT}, {@link #BAD_SCHEMA},
     * {@link #BAD_VERSION}, {@link #BAD_CHECKSUM} or {@link #MALFORMED}.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        final int status = validate(buffer, offset, length);
        if (OK == status)
        {
            captureHeader(buffer);
        }
        else
        {
            unknownFrames = 0;
        }

        return status;
    }

    /**
     * Buffer of the datagram last wrapped with {@link #OK}, for copying payloads out.
     *
     * @return the buffer, or null if the last wrap failed.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * SBE version of the packet header.
     *
     * @return the sender's schema version.
     */
    public int version()
    {
        return version;
    }

    /**
     * Header flags, a u8 whose bits belong to the layer above; the reader does not interpret them.
     *
     * @return flags 0 to 255.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * Number of frames in the datagram, unknown kinds included.
     *
     * @return frame count, 1 to 255.
     */
    public int frameCount()
    {
        return frameCount;
    }

    /**
     * Frames of unknown kind in the datagram last wrapped, skipped by {@link #nextFrame()}.
     *
     * @return count of unknown frames.
     */
    public int unknownFrames()
    {
        return unknownFrames;
    }

    /**
     * Sending estate.
     *
     * @return srcEstateId from the header.
     */
    public long srcEstateId()
    {
        return srcEstateId;
    }

    /**
     * Receiving estate, 0 when the sender does not know it yet.
     *
     * @return dstEstateId from the header.
     */
    public long dstEstateId()
    {
        return dstEstateId;
    }

    /**
     * Sending session.
     *
     * @return srcSession from the header, a u32 carried in an int.
     */
    public int srcSession()
    {
        return srcSession;
    }

    /**
     * Receiving session, 0 when the sender does not know it yet.
     *
     * @return dstSession from the header, a u32 carried in an int.
     */
    public int dstSession()
    {
        return dstSession;
    }

    /**
     * Advance to the next frame of a known kind, skipping unknown kinds.
     *
     * @return true if positioned on a frame, false when no frame is left (or the last wrap failed).
     */
    public boolean nextFrame()
    {
        while (framesRemaining > 0)
        {
            final int offset = nextFrameOffset;
            messageHeaderDecoder.wrap(buffer, offset);
            final int length = buffer.getShort(offset + FRAME_HEADER_LENGTH, BYTE_ORDER) & 0xFFFF;
            final int id = messageHeaderDecoder.templateId();
            nextFrameOffset = offset + length;
            framesRemaining--;
            if (isKnown(id))
            {
                templateId = id;
                frameOffset = offset;
                frameLength = length;
                frameBlockLength = messageHeaderDecoder.blockLength();
                frameVersion = messageHeaderDecoder.version();
                return true;
            }
        }
        templateId = NO_FRAME;

        return false;
    }

    /**
     * Kind of the current frame, to switch on with the generated {@code TEMPLATE_ID} constants.
     *
     * @return template id of the current frame, or -1 when there is none.
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * Where the current frame starts: the absolute offset of its SBE message header in {@link #buffer()}.
     *
     * @return offset of the current frame.
     */
    public int frameOffset()
    {
        return frameOffset;
    }

    /**
     * Total length of the current frame, SBE header and var data included.
     *
     * @return frameLength of the current frame.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * The current Join frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public JoinDecoder join()
    {
        checkFrame(JoinDecoder.TEMPLATE_ID);

        return joinDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current JoinAck frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public JoinAckDecoder joinAck()
    {
        checkFrame(JoinAckDecoder.TEMPLATE_ID);

        return joinAckDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current JoinCookie frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public JoinCookieDecoder joinCookie()
    {
        checkFrame(JoinCookieDecoder.TEMPLATE_ID);

        return joinCookieDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current Alive frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public AliveDecoder alive()
    {
        checkFrame(AliveDecoder.TEMPLATE_ID);

        return aliveDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current AliveAck frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public AliveAckDecoder aliveAck()
    {
        checkFrame(AliveAckDecoder.TEMPLATE_ID);

        return aliveAckDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current Data frame. Prefer {@link #dataPayloadOffset()} and {@link #dataPayloadLength()} to copy the
     * payload.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public DataDecoder data()
    {
        checkFrame(DataDecoder.TEMPLATE_ID);

        return dataDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current Ack frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public AckDecoder ack()
    {
        checkFrame(AckDecoder.TEMPLATE_ID);

        return ackDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current Nack frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public NackDecoder nack()
    {
        checkFrame(NackDecoder.TEMPLATE_ID);

        return nackDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * Copy the ranges of the current Ack (received ranges) or Nack (missing ranges) frame, each [startSeq, endSeq),
     * already validated: at most {@link PacketWriter#MAX_ACK_RANGES} or {@link PacketWriter#MAX_NACK_RANGES}.
     *
     * @param starts receives each range's first sequence.
     * @param ends   receives each range's end, exclusive.
     * @return the number of ranges.
     * @throws IllegalStateException if the current frame is neither an Ack nor a Nack.
     */
    public int copyRanges(final long[] starts, final long[] ends)
    {
        if (AckDecoder.TEMPLATE_ID != templateId)
        {
            checkFrame(NackDecoder.TEMPLATE_ID);
        }
        final int groupOffset = blockOffset() + frameBlockLength;
        final int entryLength = buffer.getShort(groupOffset, BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, BYTE_ORDER) & 0xFFFF;
        int entry = groupOffset + GROUP_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            starts[i] = buffer.getLong(entry + RANGE_START_OFFSET, BYTE_ORDER);
            ends[i] = buffer.getLong(entry + RANGE_END_OFFSET, BYTE_ORDER);
            entry += entryLength;
        }
        return count;
    }

    /**
     * The current Renew frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public RenewDecoder renew()
    {
        checkFrame(RenewDecoder.TEMPLATE_ID);

        return renewDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * The current Leave frame.
     *
     * @return decoder wrapped on the frame with the acting block length and version.
     */
    public LeaveDecoder leave()
    {
        checkFrame(LeaveDecoder.TEMPLATE_ID);

        return leaveDecoder.wrap(buffer, blockOffset(), frameBlockLength, frameVersion);
    }

    /**
     * Absolute offset in {@link #buffer()} of the current Data frame's payload.
     *
     * @return offset of the first payload byte.
     */
    public int dataPayloadOffset()
    {
        checkFrame(DataDecoder.TEMPLATE_ID);

        return blockOffset() + frameBlockLength + VAR_LENGTH_FIELD_LENGTH;
    }

    /**
     * Length of the current Data frame's payload.
     *
     * @return payload length in bytes, possibly 0 for an empty message.
     */
    public int dataPayloadLength()
    {
        checkFrame(DataDecoder.TEMPLATE_ID);

        return buffer.getShort(blockOffset() + frameBlockLength, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * Name carried by the current Join or JoinAck frame. Control plane: allocates the String.
     *
     * @return the name decoded as UTF-8.
     */
    public String joinName()
    {
        if (JoinDecoder.TEMPLATE_ID == templateId)
        {
            return join().name();
        }
        checkFrame(JoinAckDecoder.TEMPLATE_ID);

        return joinAck().name();
    }

    private void reset()
    {
        buffer = null;
        keyId = 0;
        packetCounter = 0;
        version = 0;
        flags = 0;
        frameCount = 0;
        unknownFrames = 0;
        srcEstateId = 0;
        dstEstateId = 0;
        srcSession = 0;
        dstSession = 0;
        framesRemaining = 0;
        templateId = NO_FRAME;
        frameOffset = 0;
        frameLength = 0;
        frameBlockLength = 0;
        frameVersion = 0;
    }

    /**
     * Check the header of a sealed datagram ({@link PacketWriter#FLAG_SEALED}) without touching its ciphertext, and
     * if it is sound expose its ids, sessions, flags, {@link #keyId()} and {@link #packetCounter()}, so that every
     * cheap check runs before any cryptography. No frame is available until {@link #wrapOpened} after the AEAD open.
     * Never throws, never allocates.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram in bytes, tag included.
     * @return {@link #OK}, {@link #TOO_SHORT}, {@link #BAD_SCHEMA}, {@link #BAD_VERSION} or {@link #MALFORMED} (also
     * when the SEALED flag is not set).
     */
    public int wrapSealed(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        unknownFrames = 0;
        if (length < PacketWriter.SEALED_FRAMES_OFFSET + PacketWriter.SEALED_TAG_LENGTH + FRAME_HEADER_LENGTH +
            FRAME_LENGTH_FIELD_LENGTH)
        {
            return TOO_SHORT;
        }
        final int status = validateHeader(buffer, offset, length);
        if (OK != status)
        {
            return status;
        }
        if (0 == (packetHeaderDecoder.flags() & PacketWriter.FLAG_SEALED) ||
            PacketHeaderDecoder.BLOCK_LENGTH != messageHeaderDecoder.blockLength() ||
            0 == packetHeaderDecoder.frameCount())
        {
            return MALFORMED;
        }
        captureHeader(buffer);
        keyId = (int)packetHeaderDecoder.checksum();
        packetCounter = buffer.getLong(offset + PacketWriter.HEADER_LENGTH, BYTE_ORDER);
        framesRemaining = 0;
        return OK;
    }

    /**
     * After {@link #wrapSealed} and a successful AEAD open in place, validate the decrypted frames as {@link #wrap}
     * does (no checksum: the tag replaced it) and position before the first one.
     *
     * @param buffer holding the datagram, now decrypted.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram without the tag.
     * @return {@link #OK} or the first violation found in the frames.
     */
    public int wrapOpened(final DirectBuffer buffer, final int offset, final int length)
    {
        final int frames = frameCount;
        final int end = offset + length;
        int position = offset + PacketWriter.SEALED_FRAMES_OFFSET;
        unknownFrames = 0;
        for (int i = 0; i < frames; i++)
        {
            final int result = validateFrame(buffer, position, end - position);
            if (result < 0)
            {
                framesRemaining = 0;
                return -result;
            }
            position += result;
        }
        if (end != position)
        {
            framesRemaining = 0;
            return MALFORMED;
        }
        nextFrameOffset = offset + PacketWriter.SEALED_FRAMES_OFFSET;
        framesRemaining = frames;
        return OK;
    }

    /**
     * Key id of the sealed datagram last wrapped by {@link #wrapSealed}: the checksum field.
     *
     * @return the key id.
     */
    public int keyId()
    {
        return keyId;
    }

    /**
     * Packet counter (the AEAD nonce) of the sealed datagram last wrapped by {@link #wrapSealed}.
     *
     * @return the counter.
     */
    public long packetCounter()
    {
        return packetCounter;
    }

    /**
     * Whether the datagram last wrapped carries {@link PacketWriter#FLAG_SEALED}; a cheap peek at the flags byte that
     * needs no wrap, for dispatching between {@link #wrap} and {@link #wrapSealed}.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram.
     * @param length of the datagram.
     * @return true if long enough to have a header and the SEALED flag is set.
     */
    public static boolean isSealed(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= PacketWriter.HEADER_LENGTH &&
            0 != (buffer.getByte(offset + FLAGS_OFFSET) & PacketWriter.FLAG_SEALED);
    }

    private void captureHeader(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        version = packetHeaderDecoder.actingVersion();
        flags = packetHeaderDecoder.flags();
        frameCount = packetHeaderDecoder.frameCount();
        srcEstateId = packetHeaderDecoder.srcEstateId();
        dstEstateId = packetHeaderDecoder.dstEstateId();
        srcSession = (int)packetHeaderDecoder.srcSession();
        dstSession = (int)packetHeaderDecoder.dstSession();
        nextFrameOffset = packetHeaderDecoder.limit();
        framesRemaining = frameCount;
    }

    private int validateHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == buffer || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return MALFORMED;
        }

        messageHeaderDecoder.wrap(buffer, offset);
        if (SCHEMA_ID != messageHeaderDecoder.schemaId() ||
            PacketHeaderDecoder.TEMPLATE_ID != messageHeaderDecoder.templateId())
        {
            return BAD_SCHEMA;
        }
        final int headerVersion = messageHeaderDecoder.version();
        if (0 == headerVersion)
        {
            return BAD_VERSION;
        }
        final int headerBlockLength = messageHeaderDecoder.blockLength();
        if (headerBlockLength < PacketHeaderDecoder.BLOCK_LENGTH ||
            headerBlockLength > length - FRAME_HEADER_LENGTH)
        {
            return MALFORMED;
        }

        packetHeaderDecoder.wrap(buffer, offset + FRAME_HEADER_LENGTH, headerBlockLength, headerVersion);
        return OK;
    }

    private int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return TOO_SHORT;
        }
        final int headerStatus = validateHeader(buffer, offset, length);
        if (OK != headerStatus)
        {
            return headerStatus;
        }
        final int headerBlockLength = messageHeaderDecoder.blockLength();
        if (0 != (packetHeaderDecoder.flags() & PacketWriter.FLAG_SEALED))
        {
            return MALFORMED;
        }
        if ((int)packetHeaderDecoder.checksum() != checksum.compute(buffer, offset, length))
        {
            return BAD_CHECKSUM;
        }

        final int frames = packetHeaderDecoder.frameCount();
        if (0 == frames)
        {
            return MALFORMED;
        }

        final int end = offset + length;
        int position = offset + FRAME_HEADER_LENGTH + headerBlockLength;
        for (int i = 0; i < frames; i++)
        {
            final int result = validateFrame(buffer, position, end - position);
            if (result < 0)
            {
                return -result;
            }
            position += result;
        }

        return end == position ? OK : MALFORMED;
    }

    // Returns the frame length if the frame is valid, else the negated status.
    private int validateFrame(final DirectBuffer buffer, final int offset, final int remaining)
    {
        if (remaining < FRAME_HEADER_LENGTH + FRAME_LENGTH_FIELD_LENGTH)
        {
            return -MALFORMED;
        }

        messageHeaderDecoder.wrap(buffer, offset);
        if (SCHEMA_ID != messageHeaderDecoder.schemaId())
        {
            return -BAD_SCHEMA;
        }
        final int actingVersion = messageHeaderDecoder.version();
        if (0 == actingVersion)
        {
            return -BAD_VERSION;
        }
        final int blockLength = messageHeaderDecoder.blockLength();
        final int length = buffer.getShort(offset + FRAME_HEADER_LENGTH, BYTE_ORDER) & 0xFFFF;
        if (blockLength < FRAME_LENGTH_FIELD_LENGTH || length < FRAME_HEADER_LENGTH + blockLength || length > remaining)
        {
            return -MALFORMED;
        }

        final int blockOffset = offset + FRAME_HEADER_LENGTH;
        final int frameEnd = offset + length;
        // Our own version must account for every byte; a newer one may append fields we skip via frameLength.
        final boolean exact = actingVersion <= SCHEMA_VERSION;
        final boolean valid;
        switch (messageHeaderDecoder.templateId())
        {
            case JoinDecoder.TEMPLATE_ID:
                valid = validateJoin(buffer, blockOffset, blockLength, actingVersion, frameEnd, exact);
                break;

            case JoinAckDecoder.TEMPLATE_ID:
                valid = validateJoinAck(buffer, blockOffset, blockLength, actingVersion, frameEnd, exact);
                break;

            case JoinCookieDecoder.TEMPLATE_ID:
                valid = validateFixed(blockOffset, blockLength, JoinCookieDecoder.BLOCK_LENGTH, frameEnd, exact);
                break;

            case AliveDecoder.TEMPLATE_ID:
                valid = validateFixed(blockOffset, blockLength, AliveDecoder.BLOCK_LENGTH, frameEnd, exact);
                break;

            case AliveAckDecoder.TEMPLATE_ID:
                valid = validateFixed(blockOffset, blockLength, AliveAckDecoder.BLOCK_LENGTH, frameEnd, exact);
                break;

            case DataDecoder.TEMPLATE_ID:
                valid = validateData(buffer, blockOffset, blockLength, actingVersion, frameEnd, exact);
                break;

            case AckDecoder.TEMPLATE_ID:
                valid = validateRanges(buffer, blockOffset, blockLength, AckDecoder.BLOCK_LENGTH,
                    PacketWriter.MAX_ACK_RANGES, frameEnd, exact);
                break;

            case NackDecoder.TEMPLATE_ID:
                valid = validateRanges(buffer, blockOffset, blockLength, NackDecoder.BLOCK_LENGTH,
                    PacketWriter.MAX_NACK_RANGES, frameEnd, exact);
                break;

            case RenewDecoder.TEMPLATE_ID:
                valid = validateRenew(buffer, blockOffset, blockLength, actingVersion, frameEnd, exact);
                break;

            case LeaveDecoder.TEMPLATE_ID:
                // Its one field, flags, came with version 3: an older frame would hide it (flags() is null).
                valid = actingVersion >= LEAVE_MIN_FRAME_VERSION &&
                    validateFixed(blockOffset, blockLength, LeaveDecoder.BLOCK_LENGTH, frameEnd, exact);
                break;

            default:
                unknownFrames++;
                valid = true;
                break;
        }

        return valid ? length : -MALFORMED;
    }

    private static boolean endsAt(final int contentEnd, final int frameEnd, final boolean exact)
    {
        return exact ? contentEnd == frameEnd : contentEnd <= frameEnd;
    }

    private static boolean validateFixed(
        final int blockOffset,
        final int blockLength,
        final int knownBlockLength,
        final int frameEnd,
        final boolean exact)
    {
        return blockLength >= knownBlockLength && endsAt(blockOffset + blockLength, frameEnd, exact);
    }

    private boolean validateJoin(
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int actingVersion,
        final int frameEnd,
        final boolean exact)
    {
        if (blockLength < JOIN_V1_BLOCK_LENGTH || actingVersion < HANDSHAKE_MIN_FRAME_VERSION)
        {
            return false;
        }

        final JoinDecoder decoder = joinDecoder.wrap(buffer, blockOffset, blockLength, actingVersion);
        final int minVersion = decoder.minVersion();
        if (minVersion < 1 || minVersion > decoder.maxVersion())
        {
            return false;
        }
        // A joiner that offers version 3 or later sends all of its block in a frame that shows it, with limits a
        // JoinLimits can hold; an older one is read far enough (versions, nonce, name) to be told that its versions
        // are not supported.
        if (decoder.maxVersion() >= JOIN_LIMITS_FRAME_VERSION &&
            (actingVersion < JOIN_LIMITS_FRAME_VERSION || blockLength < JoinDecoder.BLOCK_LENGTH ||
            decoder.maxMessageLength() < 0 || decoder.receiveCredit() < 0))
        {
            return false;
        }

        final int varOffset = blockOffset + blockLength;

        return varOffset + VAR_LENGTH_FIELD_LENGTH <= frameEnd &&
            validateName(varOffset, decoder.nameLength(), frameEnd, exact);
    }

    private boolean validateJoinAck(
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int actingVersion,
        final int frameEnd,
        final boolean exact)
    {
        if (blockLength < JOIN_ACK_V1_BLOCK_LENGTH || actingVersion < HANDSHAKE_MIN_FRAME_VERSION)
        {
            return false;
        }

        final JoinAckDecoder decoder = joinAckDecoder.wrap(buffer, blockOffset, blockLength, actingVersion);
        if (!VALID_JOIN_STATUS[decoder.statusRaw()] || decoder.version() < 1)
        {
            return false;
        }
        // Only a refusal for version may come from an older acceptor, with a shorter block or an older frame.
        if (JoinStatus.VERSION_UNSUPPORTED != decoder.status() &&
            (actingVersion < JOIN_ACK_LIMITS_FRAME_VERSION || blockLength < JoinAckDecoder.BLOCK_LENGTH ||
            !VALID_JOIN_REFUSAL[decoder.refusalRaw()] || decoder.maxMessageLength() < 0 ||
            decoder.receiveCredit() < 0))
        {
            return false;
        }

        final int varOffset = blockOffset + blockLength;

        return varOffset + VAR_LENGTH_FIELD_LENGTH <= frameEnd &&
            validateName(varOffset, decoder.nameLength(), frameEnd, exact);
    }

    private static boolean validateName(
        final int varOffset, final int nameLength, final int frameEnd, final boolean exact)
    {
        return nameLength >= PacketWriter.MIN_NAME_LENGTH &&
            nameLength <= PacketWriter.MAX_NAME_LENGTH &&
            endsAt(varOffset + VAR_LENGTH_FIELD_LENGTH + nameLength, frameEnd, exact);
    }

    private boolean validateData(
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int actingVersion,
        final int frameEnd,
        final boolean exact)
    {
        if (blockLength < DataDecoder.BLOCK_LENGTH)
        {
            return false;
        }

        final DataDecoder decoder = dataDecoder.wrap(buffer, blockOffset, blockLength, actingVersion);
        final int flags = decoder.flags().getRaw();
        if (!VALID_DELIVERY_MODE[decoder.modeRaw()] || 0 != (flags & ~(DATA_FLAG_BEGIN | DATA_FLAG_END)))
        {
            return false;
        }

        final int varOffset = blockOffset + blockLength;
        if (varOffset + VAR_LENGTH_FIELD_LENGTH > frameEnd)
        {
            return false;
        }
        final int payloadLength = decoder.payloadLength();
        if (payloadLength > MAX_DATA_PAYLOAD_LENGTH ||
            !endsAt(varOffset + VAR_LENGTH_FIELD_LENGTH + payloadLength, frameEnd, exact))
        {
            return false;
        }

        final int messageLength = decoder.messageLength();
        final int segmentOffset = decoder.segmentOffset();
        if (messageLength < 0 || segmentOffset < 0 || decoder.segmentIndex() < 0)
        {
            return false;
        }

        // Both are non-negative here, so neither the difference nor the sum below can overflow.
        if (payloadLength > messageLength - segmentOffset || (0 == payloadLength && 0 != messageLength))
        {
            return false;
        }

        final boolean begin = 0 != (flags & DATA_FLAG_BEGIN);
        final boolean end = 0 != (flags & DATA_FLAG_END);

        return begin == (0 == segmentOffset) && end == (segmentOffset + payloadLength == messageLength);
    }

    /**
     * Validate an Ack or a Nack: a block at least as long as ours, a range group whose header is sane, and every range
     * non-empty ([startSeq, endSeq) with startSeq below endSeq).
     */
    private static boolean validateRanges(
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int minBlockLength,
        final int maxRanges,
        final int frameEnd,
        final boolean exact)
    {
        if (blockLength < minBlockLength)
        {
            return false;
        }

        final int groupOffset = blockOffset + blockLength;
        if (!validateGroupDimensions(buffer, groupOffset, maxRanges, frameEnd, exact))
        {
            return false;
        }

        final int entryLength = buffer.getShort(groupOffset, BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, BYTE_ORDER) & 0xFFFF;
        int entry = groupOffset + GROUP_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final long start = buffer.getLong(entry + RANGE_START_OFFSET, BYTE_ORDER);
            if (start >= buffer.getLong(entry + RANGE_END_OFFSET, BYTE_ORDER))
            {
                return false;
            }
            entry += entryLength;
        }

        return true;
    }

    /**
     * Check a range group's header before its decoder touches it: the header fits, entries are at least as long as
     * ours, the count is within the limit, and the entries end where the frame does.
     */
    private static boolean validateGroupDimensions(
        final DirectBuffer buffer, final int groupOffset, final int maxCount, final int frameEnd, final boolean exact)
    {
        if (groupOffset + GROUP_HEADER_LENGTH > frameEnd)
        {
            return false;
        }

        final int entryLength = buffer.getShort(groupOffset, BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, BYTE_ORDER) & 0xFFFF;

        return entryLength >= RANGE_LENGTH &&
            count <= maxCount &&
            endsAt(groupOffset + GROUP_HEADER_LENGTH + count * entryLength, frameEnd, exact);
    }

    private boolean validateRenew(
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int actingVersion,
        final int frameEnd,
        final boolean exact)
    {
        if (!validateFixed(blockOffset, blockLength, RenewDecoder.BLOCK_LENGTH, frameEnd, exact))
        {
            return false;
        }

        return VALID_RENEW_REASON[renewDecoder.wrap(buffer, blockOffset, blockLength, actingVersion).reasonRaw()];
    }

    private static boolean isKnown(final int templateId)
    {
        switch (templateId)
        {
            case JoinDecoder.TEMPLATE_ID:
            case JoinAckDecoder.TEMPLATE_ID:
            case JoinCookieDecoder.TEMPLATE_ID:
            case AliveDecoder.TEMPLATE_ID:
            case AliveAckDecoder.TEMPLATE_ID:
            case DataDecoder.TEMPLATE_ID:
            case AckDecoder.TEMPLATE_ID:
            case NackDecoder.TEMPLATE_ID:
            case RenewDecoder.TEMPLATE_ID:
            case LeaveDecoder.TEMPLATE_ID:
                return true;

            default:
                return false;
        }
    }

    private int blockOffset()
    {
        return frameOffset + FRAME_HEADER_LENGTH;
    }

    private void checkFrame(final int expectedTemplateId)
    {
        if (expectedTemplateId != templateId)
        {
            throw new IllegalStateException(
                "current frame templateId=" + templateId + ", expected " + expectedTemplateId);
        }
    }
}
