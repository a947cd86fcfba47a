package io.raet4j.codec;

import io.raet4j.codec.sbe.AckEncoder;
import io.raet4j.codec.sbe.AliveAckEncoder;
import io.raet4j.codec.sbe.AliveEncoder;
import io.raet4j.codec.sbe.DataEncoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.sbe.JoinAckEncoder;
import io.raet4j.codec.sbe.JoinCookieEncoder;
import io.raet4j.codec.sbe.JoinEncoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.LeaveEncoder;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.NackEncoder;
import io.raet4j.codec.sbe.PacketHeaderEncoder;
import io.raet4j.codec.sbe.RenewEncoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.codec.sbe.VarDataEncodingEncoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.ArrayUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one datagram at a time in a single cache-line aligned direct buffer: {@link #begin} writes the packet
 * header, each {@code append*} method adds one frame if it fits, and {@link #finish()} stamps the frame count and the
 * checksum and readies {@link #byteBuffer()} for a send.
 * <p>
 * <b>Threading:</b> NOT thread safe. One instance belongs to one agent thread and is reused for every packet.
 * <p>
 * <b>Allocation:</b> none in any method except {@link #appendJoin} and {@link #appendJoinAck}, which encode a
 * {@code String} and belong to the control plane.
 * <p>
 * <b>Failure contract:</b> an append returns {@code false} when the frame does not fit in the remaining capacity or
 * the packet already holds {@link #MAX_FRAME_COUNT} frames, and then leaves the packet exactly as it was. Arguments
 * that no packet could ever carry (a negative length, inconsistent segment flags, an inverted range, ...) are bugs
 * in the caller and throw {@link IllegalArgumentException} before anything is written, so the writer never produces
 * a packet that {@link PacketReader} would reject.
 * <p>
 * <b>Layout:</b> all fields little endian; offsets in bytes from the start of the datagram. See
 * {@code spec/raet-schema.xml} for the fields of each frame.
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
 *   Every frame, at offset f:
 *   +-------------------------------+-------------------------------+
 *   |    SBE blockLength            |    SBE templateId             |  f + 0
 *   +-------------------------------+-------------------------------+
 *   |    SBE schemaId (4242)        |    SBE version                |  f + 4
 *   +-------------------------------+-------------------------------+
 *   |    frameLength                |  rest of the fixed block     ...  f + 8
 *   +-------------------------------+-------------------------------+
 *   |  then var data (u16 length, bytes) or a group                ...  f + 8 + blockLength
 *   |  (u16 blockLength, u16 numInGroup, entries); the frame ends   |
 *   |  at f + frameLength                                           |
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class PacketWriter
{
    /**
     * Length of the packet header: SBE message header plus the PacketHeader block.
     */
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + PacketHeaderEncoder.BLOCK_LENGTH;

    /**
     * Bytes of a Data frame besides its payload: SBE message header, Data block and the payload length field.
     */
    public static final int DATA_FRAME_OVERHEAD =
        MessageHeaderEncoder.ENCODED_LENGTH + DataEncoder.BLOCK_LENGTH + DataEncoder.payloadHeaderLength();

    /**
     * Largest payload of one Data frame allowed by the schema ({@code varDataEncoding.length} maxValue).
     */
    public static final int MAX_DATA_PAYLOAD_LENGTH = VarDataEncodingEncoder.lengthMaxValue();

    /**
     * Most received ranges one Ack frame carries.
     */
    public static final int MAX_ACK_RANGES = 32;

    /**
     * Most missing ranges one Nack frame carries.
     */
    public static final int MAX_NACK_RANGES = 32;

    /**
     * Most frames one packet carries: the frameCount field is a u8.
     */
    public static final int MAX_FRAME_COUNT = 255;

    /**
     * Shortest name, in UTF-8 bytes, of a Join or JoinAck.
     */
    public static final int MIN_NAME_LENGTH = 1;

    /**
     * Longest name, in UTF-8 bytes, of a Join or JoinAck.
     */
    public static final int MAX_NAME_LENGTH = 255;

    /**
     * Header flag bit 0, on a Join: the joiner discarded its state for the pair.
     */
    public static final int FLAG_RENEW = 1;

    /**
     * Header flag bit 1: the packet is sealed; see {@link #beginSealed} and {@link #finishSealed}.
     */
    public static final int FLAG_SEALED = 1 << 1;

    /**
     * Bytes between the header and the first frame of a sealed packet: the packet counter, a little-endian u64.
     */
    public static final int SEALED_PREFIX_LENGTH = 8;

    /**
     * Offset of the first frame (the first ciphertext byte) of a sealed packet.
     */
    public static final int SEALED_FRAMES_OFFSET = HEADER_LENGTH + SEALED_PREFIX_LENGTH;

    /**
     * Length of the authentication tag that ends a sealed packet.
     */
    public static final int SEALED_TAG_LENGTH = PacketAead.TAG_LENGTH;

    /**
     * Bytes a sealed packet spends beyond a plain one: counter and tag.
     */
    public static final int SEALED_OVERHEAD = SEALED_PREFIX_LENGTH + SEALED_TAG_LENGTH;

    /**
     * Length of the keys in a Join or JoinAck.
     */
    public static final int KEY_LENGTH = 32;

    /**
     * Length of the signature in a Join or JoinAck.
     */
    public static final int SIGNATURE_LENGTH = 64;

    /**
     * Length of a join cookie.
     */
    public static final int COOKIE_LENGTH = 16;

    private static final int FRAME_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int GROUP_HEADER_LENGTH = AckEncoder.RangesEncoder.HEADER_SIZE;
    private static final int RANGE_LENGTH = AckEncoder.RangesEncoder.sbeBlockLength();
    private static final int ALIVE_FRAME_LENGTH = FRAME_HEADER_LENGTH + AliveEncoder.BLOCK_LENGTH;
    private static final int ALIVE_ACK_FRAME_LENGTH = FRAME_HEADER_LENGTH + AliveAckEncoder.BLOCK_LENGTH;
    private static final int RENEW_FRAME_LENGTH = FRAME_HEADER_LENGTH + RenewEncoder.BLOCK_LENGTH;
    private static final int JOIN_COOKIE_FRAME_LENGTH = FRAME_HEADER_LENGTH + JoinCookieEncoder.BLOCK_LENGTH;
    private static final int LEAVE_FRAME_LENGTH = FRAME_HEADER_LENGTH + LeaveEncoder.BLOCK_LENGTH;
    private static final int MAX_CHANNEL = 0xFF;
    private static final int MAX_PROTOCOL_VERSION = JoinEncoder.minVersionMaxValue();
    private static final long U32_MASK = 0xFFFF_FFFFL;

    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final DatagramChecksum checksum = new DatagramChecksum();
    private final MessageHeaderEncoder messageHeaderEncoder = new MessageHeaderEncoder();
    private final PacketHeaderEncoder packetHeaderEncoder = new PacketHeaderEncoder();
    private final JoinEncoder joinEncoder = new JoinEncoder();
    private final JoinAckEncoder joinAckEncoder = new JoinAckEncoder();
    private final JoinCookieEncoder joinCookieEncoder = new JoinCookieEncoder();
    private final AliveEncoder aliveEncoder = new AliveEncoder();
    private final AliveAckEncoder aliveAckEncoder = new AliveAckEncoder();
    private final DataEncoder dataEncoder = new DataEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final NackEncoder nackEncoder = new NackEncoder();
    private final RenewEncoder renewEncoder = new RenewEncoder();
    private final LeaveEncoder leaveEncoder = new LeaveEncoder();
    private int length;
    private int frameCount;
    private int limit;
    private int headerFlags;
    private boolean isSealed;

    /**
     * Allocate the packet buffer, cache-line aligned direct memory of the given capacity.
     *
     * @param capacity largest datagram this writer builds, in bytes, at least {@link #HEADER_LENGTH}.
     * @throws IllegalArgumentException if capacity is below {@link #HEADER_LENGTH}.
     */
    public PacketWriter(final int capacity)
    {
        if (capacity < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " < HEADER_LENGTH=" + HEADER_LENGTH);
        }

        this.capacity = capacity;
        this.limit = capacity;
        byteBuffer = BufferUtil.allocateDirectAligned(capacity, BitUtil.CACHE_LINE_LENGTH);
        buffer = new UnsafeBuffer(byteBuffer);
    }

    /**
     * Largest Data payload that fits alone in a datagram: {@code maxDatagramLength - HEADER_LENGTH -
     * DATA_FRAME_OVERHEAD}, capped at {@link #MAX_DATA_PAYLOAD_LENGTH}.
     *
     * @param maxDatagramLength largest datagram the path carries, in bytes.
     * @return largest payload of a single Data frame in such a datagram, capped at {@link #MAX_DATA_PAYLOAD_LENGTH}.
     */
    public static int maxDataPayload(final int maxDatagramLength)
    {
        return Math.min(MAX_DATA_PAYLOAD_LENGTH, maxDatagramLength - HEADER_LENGTH - DATA_FRAME_OVERHEAD);
    }

    /**
     * Encoded length of an Ack frame.
     *
     * @param rangeCount number of received ranges.
     * @return frame length in bytes, SBE header included.
     */
    public static int ackFrameLength(final int rangeCount)
    {
        return FRAME_HEADER_LENGTH + AckEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH + rangeCount * RANGE_LENGTH;
    }

    /**
     * Encoded length of a Nack frame.
     *
     * @param rangeCount number of missing ranges.
     * @return frame length in bytes, SBE header included.
     */
    public static int nackFrameLength(final int rangeCount)
    {
        return FRAME_HEADER_LENGTH + NackEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH + rangeCount * RANGE_LENGTH;
    }

    /**
     * The packet buffer; the datagram is {@code [0, length())}.
     *
     * @return the buffer the packet is built in.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * The direct {@link ByteBuffer} under {@link #buffer()}; after {@link #finish()} its position is 0 and its limit
     * the datagram length, ready for a channel send.
     *
     * @return the aligned direct byte buffer.
     */
    public ByteBuffer byteBuffer()
    {
        return byteBuffer;
    }

    /**
     * Capacity of the packet buffer.
     *
     * @return largest datagram in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Bytes written so far: header plus appended frames, 0 before the first {@link #begin}.
     *
     * @return current packet length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Bytes still free for frames.
     *
     * @return {@code capacity() - length()}.
     */
    public int remaining()
    {
        return limit - length;
    }

    /**
     * Frames appended since {@link #begin}.
     *
     * @return frame count.
     */
    public int frameCount()
    {
        return frameCount;
    }

    /**
     * Whether the packet has a frame and so may be finished and sent.
     *
     * @return true if at least one frame was appended since {@link #begin}.
     */
    public boolean hasFrames()
    {
        return frameCount > 0;
    }

    /**
     * Start a new packet, discarding the current one, and write its header with no frames, flags 0 and checksum 0.
     *
     * @param srcEstateId sending estate.
     * @param dstEstateId receiving estate, 0 when not yet known.
     * @param srcSession  sending session, a u32 carried in an int.
     * @param dstSession  receiving session, a u32 carried in an int, 0 when not yet known.
     */
    public void begin(final long srcEstateId, final long dstEstateId, final int srcSession, final int dstSession)
    {
        packetHeaderEncoder.wrapAndApplyHeader(buffer, 0, messageHeaderEncoder)
            .checksum(0)
            .flags((short)0)
            .frameCount((short)0)
            .reserved(0)
            .srcEstateId(srcEstateId)
            .dstEstateId(dstEstateId)
            .srcSession(srcSession & U32_MASK)
            .dstSession(dstSession & U32_MASK);
        length = HEADER_LENGTH;
        frameCount = 0;
        limit = capacity;
        headerFlags = 0;
        isSealed = false;
    }

    /**
     * Start a packet to be sealed by {@link #finishSealed}: as {@link #begin}, then {@link #SEALED_PREFIX_LENGTH}
     * bytes reserved for the packet counter, and {@link #SEALED_TAG_LENGTH} bytes kept free at the end for the tag.
     *
     * @param srcEstateId sending estate.
     * @param dstEstateId receiving estate.
     * @param srcSession  sending session.
     * @param dstSession  receiving session.
     */
    public void beginSealed(final long srcEstateId, final long dstEstateId, final int srcSession, final int dstSession)
    {
        begin(srcEstateId, dstEstateId, srcSession, dstSession);
        buffer.putLong(HEADER_LENGTH, 0, ByteOrder.LITTLE_ENDIAN);
        length = SEALED_FRAMES_OFFSET;
        limit = capacity - SEALED_TAG_LENGTH;
        isSealed = true;
    }

    /**
     * Cap the current packet at a datagram length below the writer's capacity, for a peer whose MTU is smaller: appends
     * that would make the datagram longer return false. Call after {@link #begin} or {@link #beginSealed}; the next
     * begin lifts the cap.
     *
     * @param maxDatagramLength the longest datagram, tag included when sealed; at most {@link #capacity()}.
     */
    public void limitLength(final int maxDatagramLength)
    {
        ensureBegun();
        if (maxDatagramLength < capacity)
        {
            limit = Math.min(limit, maxDatagramLength - (isSealed ? SEALED_TAG_LENGTH : 0));
        }
    }

    /**
     * Whether the current packet was begun with {@link #beginSealed}.
     *
     * @return true if it is to be sealed.
     */
    public boolean isSealed()
    {
        return isSealed;
    }

    /**
     * Set the packet header flags, a u8 whose bits belong to the layer above (see {@link PacketReader#flags()}).
     *
     * @param flags value 0 to 255.
     * @throws IllegalArgumentException if flags does not fit in a u8.
     * @throws IllegalStateException    if {@link #begin} was not called.
     */
    public void flags(final int flags)
    {
        ensureBegun();
        if (flags < 0 || flags > 0xFF)
        {
            throw new IllegalArgumentException("flags=" + flags);
        }

        headerFlags = flags;
        packetHeaderEncoder.flags((short)flags);
    }

    /**
     * Append a Join frame. Control plane: encodes the name into a new array.
     *
     * @param minVersion lowest protocol version the joiner speaks, at least 1.
     * @param maxVersion highest protocol version the joiner speaks, at least minVersion.
     * @param nonce      echoed by the JoinAck.
     * @param name       of the joiner, 1 to {@link #MAX_NAME_LENGTH} bytes in UTF-8.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoin(final int minVersion, final int maxVersion, final long nonce, final String name)
    {
        return appendJoin(minVersion, maxVersion, nonce, name, null, null, null, null, null, JoinLimits.NONE);
    }

    /**
     * Append a version 2 Join frame, with no limits announced (zeros). Control plane.
     *
     * @param minVersion   lowest protocol version the joiner speaks, at least 1.
     * @param maxVersion   highest protocol version the joiner speaks, at least minVersion.
     * @param nonce        echoed by the JoinAck.
     * @param name         of the joiner, 1 to {@link #MAX_NAME_LENGTH} bytes in UTF-8.
     * @param cookie       {@link #COOKIE_LENGTH} bytes echoed from a JoinCookie, or null.
     * @param signingKey   {@link #KEY_LENGTH} bytes, or null.
     * @param agreementKey {@link #KEY_LENGTH} bytes, or null.
     * @param ephemeralKey {@link #KEY_LENGTH} bytes, or null.
     * @param signature    {@link #SIGNATURE_LENGTH} bytes, or null.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoin(
        final int minVersion,
        final int maxVersion,
        final long nonce,
        final String name,
        final byte[] cookie,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final byte[] signature)
    {
        return appendJoin(minVersion, maxVersion, nonce, name, cookie, signingKey, agreementKey, ephemeralKey,
            signature, JoinLimits.NONE);
    }

    /**
     * Append a version 2 Join frame. Control plane: encodes the name into a new array. A null array is sent as
     * zeros.
     *
     * @param minVersion   lowest protocol version the joiner speaks, at least 1.
     * @param maxVersion   highest protocol version the joiner speaks, at least minVersion.
     * @param nonce        echoed by the JoinAck.
     * @param name         of the joiner, 1 to {@link #MAX_NAME_LENGTH} bytes in UTF-8.
     * @param cookie       {@link #COOKIE_LENGTH} bytes echoed from a JoinCookie, or null.
     * @param signingKey   {@link #KEY_LENGTH} bytes, or null.
     * @param agreementKey {@link #KEY_LENGTH} bytes, or null.
     * @param ephemeralKey {@link #KEY_LENGTH} bytes, or null.
     * @param signature    {@link #SIGNATURE_LENGTH} bytes, or null.
     * @param limits       the joiner's limits (version 3).
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoin(
        final int minVersion,
        final int maxVersion,
        final long nonce,
        final String name,
        final byte[] cookie,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final byte[] signature,
        final JoinLimits limits)
    {
        checkVersion(minVersion);
        checkVersion(maxVersion);
        if (minVersion > maxVersion)
        {
            throw new IllegalArgumentException("minVersion=" + minVersion + " > maxVersion=" + maxVersion);
        }
        final byte[] nameBytes = encodeName(name);
        final int frameLength =
            FRAME_HEADER_LENGTH + JoinEncoder.BLOCK_LENGTH + JoinEncoder.nameHeaderLength() + nameBytes.length;
        if (!hasRoomFor(frameLength))
        {
            return false;
        }

        joinEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(frameLength)
            .minVersion(minVersion)
            .maxVersion(maxVersion)
            .nonce(nonce)
            .mtu(limits.mtu())
            .maxMessageLength(limits.maxMessageLength())
            .receiveCredit(limits.receiveCredit())
            .options().clear().encrypted(limits.isEncrypted());
        putBytes(length + FRAME_HEADER_LENGTH + JoinEncoder.cookieEncodingOffset(), cookie, COOKIE_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinEncoder.signingKeyEncodingOffset(), signingKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinEncoder.agreementKeyEncodingOffset(), agreementKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinEncoder.ephemeralKeyEncodingOffset(), ephemeralKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinEncoder.signatureEncodingOffset(), signature, SIGNATURE_LENGTH);
        joinEncoder.putName(nameBytes, 0, nameBytes.length);

        return commit(frameLength);
    }

    /**
     * Append a JoinAck frame. Control plane: encodes the name into a new array.
     *
     * @param status  answer to the Join, not {@link JoinStatus#NULL_VAL}.
     * @param version protocol version chosen for the pair, at least 1.
     * @param nonce   echo of the Join nonce.
     * @param name    of the acceptor, 1 to {@link #MAX_NAME_LENGTH} bytes in UTF-8.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoinAck(final JoinStatus status, final int version, final long nonce, final String name)
    {
        return appendJoinAck(status, version, nonce, name, null, null, null, null, JoinLimits.NONE, JoinRefusal.NONE);
    }

    /**
     * Append a version 2 JoinAck frame. Control plane: encodes the name into a new array. A null array is sent as
     * zeros.
     *
     * @param status       answer to the Join, not {@link JoinStatus#NULL_VAL}.
     * @param version      protocol version chosen for the pair, at least 1.
     * @param nonce        echo of the Join nonce.
     * @param name         of the acceptor, 1 to {@link #MAX_NAME_LENGTH} bytes in UTF-8.
     * @param signingKey   {@link #KEY_LENGTH} bytes, or null.
     * @param agreementKey {@link #KEY_LENGTH} bytes, or null.
     * @param ephemeralKey {@link #KEY_LENGTH} bytes, or null.
     * @param signature    {@link #SIGNATURE_LENGTH} bytes, or null.
     * @param limits       the acceptor's limits (version 3).
     * @param refusal      why the status is REJECTED or PENDING, {@link JoinRefusal#NONE} otherwise.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoinAck(
        final JoinStatus status,
        final int version,
        final long nonce,
        final String name,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final byte[] signature,
        final JoinLimits limits,
        final JoinRefusal refusal)
    {
        if (null == refusal || JoinRefusal.NULL_VAL == refusal)
        {
            throw new IllegalArgumentException("refusal=" + refusal);
        }
        if (null == status || JoinStatus.NULL_VAL == status)
        {
            throw new IllegalArgumentException("status=" + status);
        }
        checkVersion(version);
        final byte[] nameBytes = encodeName(name);
        final int frameLength =
            FRAME_HEADER_LENGTH + JoinAckEncoder.BLOCK_LENGTH + JoinAckEncoder.nameHeaderLength() + nameBytes.length;
        if (!hasRoomFor(frameLength))
        {
            return false;
        }

        joinAckEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(frameLength)
            .status(status)
            .version(version)
            .nonce(nonce)
            .mtu(limits.mtu())
            .maxMessageLength(limits.maxMessageLength())
            .receiveCredit(limits.receiveCredit())
            .refusal(refusal)
            .options().clear().encrypted(limits.isEncrypted());
        putBytes(length + FRAME_HEADER_LENGTH + JoinAckEncoder.signingKeyEncodingOffset(), signingKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinAckEncoder.agreementKeyEncodingOffset(), agreementKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinAckEncoder.ephemeralKeyEncodingOffset(), ephemeralKey, KEY_LENGTH);
        putBytes(length + FRAME_HEADER_LENGTH + JoinAckEncoder.signatureEncodingOffset(), signature, SIGNATURE_LENGTH);
        joinAckEncoder.putName(nameBytes, 0, nameBytes.length);

        return commit(frameLength);
    }

    /**
     * Append a JoinCookie frame, the stateless answer to a Join without a valid cookie.
     *
     * @param nonce  echo of the Join nonce.
     * @param cookie {@link #COOKIE_LENGTH} bytes.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendJoinCookie(final long nonce, final byte[] cookie)
    {
        if (null == cookie || cookie.length != COOKIE_LENGTH)
        {
            throw new IllegalArgumentException("cookie must be " + COOKIE_LENGTH + " bytes");
        }
        if (!hasRoomFor(JOIN_COOKIE_FRAME_LENGTH))
        {
            return false;
        }

        joinCookieEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(JOIN_COOKIE_FRAME_LENGTH)
            .nonce(nonce)
            .putCookie(cookie, 0, COOKIE_LENGTH);

        return commit(JOIN_COOKIE_FRAME_LENGTH);
    }

    /**
     * Append an Alive probe.
     *
     * @param nonce       echoed by the AliveAck.
     * @param timestampNs sender's clock, echoed by the AliveAck.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendAlive(final long nonce, final long timestampNs)
    {
        if (!hasRoomFor(ALIVE_FRAME_LENGTH))
        {
            return false;
        }

        aliveEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(ALIVE_FRAME_LENGTH)
            .nonce(nonce)
            .timestampNs(timestampNs);

        return commit(ALIVE_FRAME_LENGTH);
    }

    /**
     * Append an answer to an Alive probe.
     *
     * @param nonce           of the Alive being answered.
     * @param echoTimestampNs timestampNs of the Alive being answered.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendAliveAck(final long nonce, final long echoTimestampNs)
    {
        if (!hasRoomFor(ALIVE_ACK_FRAME_LENGTH))
        {
            return false;
        }

        aliveAckEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(ALIVE_ACK_FRAME_LENGTH)
            .nonce(nonce)
            .echoTimestampNs(echoTimestampNs);

        return commit(ALIVE_ACK_FRAME_LENGTH);
    }

    /**
     * Append one segment of an application message. The arguments must describe a segment the reader accepts:
     * {@code 0 <= segmentOffset}, {@code segmentOffset + length <= messageLength}, {@code length > 0} unless the
     * message is empty, {@code begin == (segmentOffset == 0)} and {@code end == (segmentOffset + length ==
     * messageLength)}.
     *
     * @param channel       0 to 255.
     * @param mode          delivery mode, not {@link DeliveryMode#NULL_VAL}.
     * @param begin         true for the first segment of the message.
     * @param end           true for the last segment of the message.
     * @param seq           segment sequence number in the channel.
     * @param messageLength length of the whole message, not negative.
     * @param segmentOffset offset of this segment in the message, not negative.
     * @param segmentIndex  index of this segment in the message, not negative.
     * @param src           buffer holding the payload; may be null when length is 0.
     * @param srcOffset     offset of the payload in src.
     * @param length        payload length, 0 to {@link #MAX_DATA_PAYLOAD_LENGTH}.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendData(
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
        checkChannel(channel);
        checkSegment(mode, begin, end, messageLength, segmentOffset, segmentIndex, length);
        final int frameLength = DATA_FRAME_OVERHEAD + length;
        if (!hasRoomFor(frameLength))
        {
            return false;
        }

        final DataEncoder encoder = dataEncoder.wrapAndApplyHeader(buffer, this.length, messageHeaderEncoder)
            .frameLength(frameLength)
            .channel((short)channel)
            .mode(mode);
        encoder.flags().clear().begin(begin).end(end);
        encoder
            .seq(seq)
            .messageLength(messageLength)
            .segmentOffset(segmentOffset)
            .segmentIndex(segmentIndex);
        if (0 == length)
        {
            encoder.putPayload(ArrayUtil.EMPTY_BYTE_ARRAY, 0, 0);
        }
        else
        {
            encoder.putPayload(src, srcOffset, length);
        }

        return commit(frameLength);
    }

    /**
     * Append a selective acknowledgement.
     *
     * @param channel        0 to 255.
     * @param cumulativeSeq  every segment below this was received.
     * @param deliveredSeq   every message whose segments all lie below this was delivered.
     * @param windowSegments receive credit in segments above cumulativeSeq.
     * @param rangeStarts    start (inclusive) of each received range above cumulativeSeq.
     * @param rangeEnds      end (exclusive) of each received range, greater than its start.
     * @param rangeCount     number of ranges, 0 to {@link #MAX_ACK_RANGES}.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendAck(
        final int channel,
        final long cumulativeSeq,
        final long deliveredSeq,
        final int windowSegments,
        final long[] rangeStarts,
        final long[] rangeEnds,
        final int rangeCount)
    {
        checkChannel(channel);
        checkRanges(rangeStarts, rangeEnds, rangeCount, MAX_ACK_RANGES);
        final int frameLength = ackFrameLength(rangeCount);
        if (!hasRoomFor(frameLength))
        {
            return false;
        }

        final AckEncoder.RangesEncoder ranges = ackEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(frameLength)
            .channel((short)channel)
            .cumulativeSeq(cumulativeSeq)
            .deliveredSeq(deliveredSeq)
            .windowSegments(windowSegments)
            .rangesCount(rangeCount);
        for (int i = 0; i < rangeCount; i++)
        {
            ranges.next().startSeq(rangeStarts[i]).endSeq(rangeEnds[i]);
        }

        return commit(frameLength);
    }

    /**
     * Append the ranges a receiver found missing.
     *
     * @param channel 0 to 255.
     * @param starts  start (inclusive) of each missing range.
     * @param ends    end (exclusive) of each missing range, greater than its start.
     * @param count   number of ranges, 0 to {@link #MAX_NACK_RANGES}.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendNack(final int channel, final long[] starts, final long[] ends, final int count)
    {
        checkChannel(channel);
        checkRanges(starts, ends, count, MAX_NACK_RANGES);
        final int frameLength = nackFrameLength(count);
        if (!hasRoomFor(frameLength))
        {
            return false;
        }

        final NackEncoder.MissingEncoder missing = nackEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(frameLength)
            .channel((short)channel)
            .missingCount(count);
        for (int i = 0; i < count; i++)
        {
            missing.next().startSeq(starts[i]).endSeq(ends[i]);
        }

        return commit(frameLength);
    }

    /**
     * Append a request that the peer join again.
     *
     * @param reason why, not {@link RenewReason#NULL_VAL}.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendRenew(final RenewReason reason)
    {
        if (null == reason || RenewReason.NULL_VAL == reason)
        {
            throw new IllegalArgumentException("reason=" + reason);
        }
        if (!hasRoomFor(RENEW_FRAME_LENGTH))
        {
            return false;
        }

        renewEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(RENEW_FRAME_LENGTH)
            .reason(reason);

        return commit(RENEW_FRAME_LENGTH);
    }

    /**
     * Append a notice that the sender is closing.
     *
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendLeave()
    {
        return appendLeave(false);
    }

    /**
     * Append a notice that the sender is closing.
     *
     * @param hasFinalAcks true if this packet already holds the sender's final Ack of every channel it received on
     *                     from the receiver, so that whatever they do not confirm was not delivered.
     * @return true if the frame was appended, false if it did not fit.
     */
    public boolean appendLeave(final boolean hasFinalAcks)
    {
        if (!hasRoomFor(LEAVE_FRAME_LENGTH))
        {
            return false;
        }

        leaveEncoder.wrapAndApplyHeader(buffer, length, messageHeaderEncoder)
            .frameLength(LEAVE_FRAME_LENGTH)
            .flags().clear().finalAcks(hasFinalAcks);

        return commit(LEAVE_FRAME_LENGTH);
    }

    /**
     * Complete the packet: write the frame count and the checksum, and set {@link #byteBuffer()} to position 0 and
     * limit {@link #length()}. Frames may still be appended afterwards, followed by another finish.
     *
     * @return the datagram length in bytes.
     * @throws IllegalStateException if the packet has no frame.
     */
    public int finish()
    {
        if (0 == frameCount)
        {
            throw new IllegalStateException("a packet needs at least one frame");
        }
        if (isSealed)
        {
            throw new IllegalStateException("a packet begun with beginSealed ends with finishSealed");
        }

        packetHeaderEncoder.frameCount((short)frameCount);
        packetHeaderEncoder.checksum(checksum.compute(buffer, 0, length) & U32_MASK);
        byteBuffer.limit(length).position(0);

        return length;
    }

    /**
     * Complete a packet begun with {@link #beginSealed}: write the frame count, set {@link #FLAG_SEALED}, put the key
     * id in the checksum field and the packet counter after the header, then encrypt the frames in place and append
     * the tag; the header and counter are the associated data. Allocation free. Unlike {@link #finish}, nothing may
     * be appended afterwards.
     *
     * @param aead          keyed with the send key whose id is keyId.
     * @param keyId         identifies the key to the receiver.
     * @param packetCounter nonce of this packet, greater than every counter sealed before with the key.
     * @return the datagram length in bytes, tag included.
     * @throws IllegalStateException if the packet has no frame or was not begun sealed.
     */
    public int finishSealed(final PacketAead aead, final int keyId, final long packetCounter)
    {
        if (0 == frameCount)
        {
            throw new IllegalStateException("a packet needs at least one frame");
        }
        if (!isSealed)
        {
            throw new IllegalStateException("packet was not begun with beginSealed");
        }

        packetHeaderEncoder.frameCount((short)frameCount);
        packetHeaderEncoder.flags((short)(headerFlags | FLAG_SEALED));
        packetHeaderEncoder.checksum(keyId & U32_MASK);
        buffer.putLong(HEADER_LENGTH, packetCounter, ByteOrder.LITTLE_ENDIAN);
        final int sealed = aead.seal(
            packetCounter, buffer, 0, SEALED_FRAMES_OFFSET, SEALED_FRAMES_OFFSET, length - SEALED_FRAMES_OFFSET);
        length = SEALED_FRAMES_OFFSET + sealed;
        isSealed = false;
        limit = length;
        byteBuffer.limit(length).position(0);

        return length;
    }

    /**
     * Compute and store the checksum of a datagram, e.g. after editing one by hand.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram, at least {@link #HEADER_LENGTH}.
     */
    public static void writeChecksum(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putInt(
            offset + DatagramChecksum.CHECKSUM_OFFSET,
            computeChecksum(buffer, offset, length),
            ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * CRC32C of a datagram over its bytes {@code [0, 8)} followed by {@code [12, length)}: everything but the checksum
     * field. Allocation free on direct buffers.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram, at least {@link #HEADER_LENGTH}.
     * @return the checksum as stored, a u32 in an int.
     */
    public static int computeChecksum(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("length=" + length + " < HEADER_LENGTH=" + HEADER_LENGTH);
        }
        buffer.boundsCheck(offset, length);

        return DatagramChecksum.computeOnCallingThread(buffer, offset, length);
    }

    private void putBytes(final int offset, final byte[] bytes, final int expectedLength)
    {
        if (null == bytes)
        {
            buffer.setMemory(offset, expectedLength, (byte)0);
            return;
        }
        if (bytes.length != expectedLength)
        {
            throw new IllegalArgumentException("expected " + expectedLength + " bytes, got " + bytes.length);
        }
        buffer.putBytes(offset, bytes);
    }

    private boolean hasRoomFor(final int frameLength)
    {
        ensureBegun();

        return frameCount < MAX_FRAME_COUNT && frameLength <= limit - length;
    }

    private boolean commit(final int frameLength)
    {
        length += frameLength;
        frameCount++;

        return true;
    }

    private void ensureBegun()
    {
        if (0 == length)
        {
            throw new IllegalStateException("begin() has not been called");
        }
    }

    private static void checkChannel(final int channel)
    {
        if (channel < 0 || channel > MAX_CHANNEL)
        {
            throw new IllegalArgumentException("channel=" + channel);
        }
    }

    private static void checkVersion(final int version)
    {
        if (version < 1 || version > MAX_PROTOCOL_VERSION)
        {
            throw new IllegalArgumentException("protocol version=" + version);
        }
    }

    private static byte[] encodeName(final String name)
    {
        if (null == name)
        {
            throw new IllegalArgumentException("name is null");
        }

        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_NAME_LENGTH || bytes.length > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("name length in UTF-8 bytes=" + bytes.length);
        }

        return bytes;
    }

    private static void checkSegment(
        final DeliveryMode mode,
        final boolean begin,
        final boolean end,
        final int messageLength,
        final int segmentOffset,
        final int segmentIndex,
        final int length)
    {
        if (null == mode || DeliveryMode.NULL_VAL == mode)
        {
            throw new IllegalArgumentException("mode=" + mode);
        }
        if (messageLength < 0 || segmentOffset < 0 || segmentIndex < 0 || length < 0 ||
            length > MAX_DATA_PAYLOAD_LENGTH || length > messageLength - segmentOffset ||
            (0 == length && 0 != messageLength) ||
            begin != (0 == segmentOffset) ||
            end != (segmentOffset + length == messageLength))
        {
            throw new IllegalArgumentException(
                "inconsistent segment: messageLength=" + messageLength + " segmentOffset=" + segmentOffset +
                " segmentIndex=" + segmentIndex + " length=" + length + " begin=" + begin + " end=" + end);
        }
    }

    private static void checkRanges(final long[] starts, final long[] ends, final int count, final int maxCount)
    {
        if (count < 0 || count > maxCount)
        {
            throw new IllegalArgumentException("range count=" + count + " not in [0, " + maxCount + "]");
        }
        if (count > 0 && (null == starts || null == ends || starts.length < count || ends.length < count))
        {
            throw new IllegalArgumentException("range arrays shorter than count=" + count);
        }
        for (int i = 0; i < count; i++)
        {
            if (starts[i] >= ends[i])
            {
                throw new IllegalArgumentException("empty or inverted range [" + starts[i] + ", " + ends[i] + ")");
            }
        }
    }
}
