package io.raet4j.codec;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static io.raet4j.codec.PacketReader.BAD_CHECKSUM;
import static io.raet4j.codec.PacketReader.BAD_SCHEMA;
import static io.raet4j.codec.PacketReader.BAD_VERSION;
import static io.raet4j.codec.PacketReader.MALFORMED;
import static io.raet4j.codec.PacketReader.OK;
import static io.raet4j.codec.PacketReader.TOO_SHORT;

/**
 * The structural rules of spec/PROTOCOL.md section 4.1 (version 1, with what versions 2 and 3 require of Join,
 * JoinAck and Leave) and spec/PROTOCOL.md sections 2.3 and 2.4 (version 2), with the version 3 blocks of
 * spec/raet-schema.xml, written a second time from the spec text with plain little-endian reads, no SBE decoder and
 * none of
 * {@link PacketReader}'s code: the oracle the fuzz targets hold the reader to. Offsets and lengths below are the
 * spec's, spelled as numbers on purpose, so that a wrong constant in the codec shows up as a disagreement.
 * <p>
 * After a call, {@link #knownFrames()} lists the frames of known kind in wire order and {@link #unknownFrames()}
 * counts the others, as far as the walk got.
 * <p>
 * <b>Threading:</b> NOT thread safe; one instance per fuzz target.
 */
final class DatagramRules
{
    /**
     * A frame of known kind where the rules found it.
     *
     * @param offset      absolute offset of its SBE header.
     * @param templateId  its kind.
     * @param length      its frameLength.
     * @param blockLength its SBE blockLength.
     * @param version     its SBE version.
     */
    record Frame(int offset, int templateId, int length, int blockLength, int version)
    {
    }

    static final int SCHEMA_ID = 4242;
    static final int HEADER_LENGTH = 40;
    static final int SEALED_FRAMES_OFFSET = 48;
    static final int TAG_LENGTH = 16;
    static final int FLAG_SEALED = 2;
    static final int JOIN = 10;
    static final int JOIN_ACK = 11;
    static final int JOIN_COOKIE = 12;
    static final int ALIVE = 20;
    static final int ALIVE_ACK = 21;
    static final int DATA = 30;
    static final int ACK = 31;
    static final int NACK = 32;
    static final int RENEW = 40;
    static final int LEAVE = 41;

    /** The schema version of this codebase: frames of a version up to this one must end exactly. */
    private static final int OWN_VERSION = 3;
    /** Version 1 blocks: what an older joiner's Join or a VERSION_UNSUPPORTED JoinAck needs (PROTOCOL.md 2.3). */
    private static final int JOIN_BLOCK_V1 = 14;
    private static final int JOIN_ACK_BLOCK_V1 = 13;
    /**
     * Version 3 blocks: version 2's keys and signature (PROTOCOL.md section 2.3), then mtu (u16), maxMessageLength and
     * receiveCredit (i32), options (u8) and, in a JoinAck, refusal (u8).
     */
    private static final int JOIN_BLOCK_V3 = 14 + 16 + 3 * 32 + 64 + 2 + 4 + 4 + 1;
    private static final int JOIN_ACK_BLOCK_V3 = 13 + 3 * 32 + 64 + 2 + 4 + 4 + 1 + 1;
    private static final int JOIN_ACK_REFUSAL_OFFSET = JOIN_ACK_BLOCK_V3 - 1;
    private static final int VERSION_UNSUPPORTED = 3;
    private static final int MAX_REFUSAL = 7;
    private static final int MAX_RANGES = 32;
    private static final int RANGE_LENGTH = 16;
    private static final int MAX_PAYLOAD = 65_000;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final List<Frame> knownFrames = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private byte[] copy = new byte[2048];
    private int unknownFrames;

    /**
     * Frames of known kind found by the last call, in wire order.
     *
     * @return the frames; valid until the next call.
     */
    List<Frame> knownFrames()
    {
        return knownFrames;
    }

    /**
     * Frames of unknown kind found by the last call.
     *
     * @return their count.
     */
    int unknownFrames()
    {
        return unknownFrames;
    }

    /**
     * The status {@link PacketReader#wrap} must return for a clear-text datagram.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram.
     * @param length of the datagram.
     * @return the expected status.
     */
    int clearText(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        final int header = header(buffer, offset, length);
        if (OK != header)
        {
            return header;
        }
        // Sealed packets go to wrapSealed; wrap refuses them before spending a CRC on them.
        if (0 != (u8(buffer, offset + 12) & FLAG_SEALED))
        {
            return MALFORMED;
        }
        if (u32(buffer, offset + 8) != crc32c(buffer, offset, length))
        {
            return BAD_CHECKSUM;
        }
        final int frameCount = u8(buffer, offset + 13);
        if (0 == frameCount)
        {
            return MALFORMED;
        }

        return frames(buffer, offset + 8 + u16(buffer, offset), offset + length, frameCount);
    }

    /**
     * The status {@link PacketReader#wrapSealed} must return: the header alone, nothing of the ciphertext.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram.
     * @param length of the datagram, tag included.
     * @return the expected status.
     */
    int sealedHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        // Header, counter, the tag and room for one frame header with its frameLength.
        if (length < SEALED_FRAMES_OFFSET + TAG_LENGTH + 10)
        {
            return TOO_SHORT;
        }
        final int header = header(buffer, offset, length);
        if (OK != header)
        {
            return header;
        }
        if (0 == (u8(buffer, offset + 12) & FLAG_SEALED) || 32 != u16(buffer, offset) ||
            0 == u8(buffer, offset + 13))
        {
            return MALFORMED;
        }

        return OK;
    }

    /**
     * The status {@link PacketReader#wrapOpened} must return for the frames of a sealed datagram once opened.
     *
     * @param buffer holding the datagram, frames in plain text.
     * @param offset of the datagram.
     * @param length of the datagram without the tag.
     * @return the expected status.
     */
    int opened(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        if (length < SEALED_FRAMES_OFFSET)
        {
            return MALFORMED;
        }

        return frames(buffer, offset + SEALED_FRAMES_OFFSET, offset + length, u8(buffer, offset + 13));
    }

    private void reset()
    {
        knownFrames.clear();
        unknownFrames = 0;
    }

    // S1 to S4 of PROTOCOL.md 4.1.
    private static int header(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return TOO_SHORT;
        }
        if (SCHEMA_ID != u16(buffer, offset + 4) || 1 != u16(buffer, offset + 2))
        {
            return BAD_SCHEMA;
        }
        if (0 == u16(buffer, offset + 6))
        {
            return BAD_VERSION;
        }
        final int blockLength = u16(buffer, offset);
        if (blockLength < 32 || 8 + blockLength > length)
        {
            return MALFORMED;
        }

        return OK;
    }

    // S7 to S9 of PROTOCOL.md 4.1.
    private int frames(final DirectBuffer buffer, final int start, final int end, final int frameCount)
    {
        int position = start;
        for (int i = 0; i < frameCount; i++)
        {
            if (end - position < 10)
            {
                return MALFORMED;
            }
            if (SCHEMA_ID != u16(buffer, position + 4))
            {
                return BAD_SCHEMA;
            }
            final int version = u16(buffer, position + 6);
            if (0 == version)
            {
                return BAD_VERSION;
            }
            final int blockLength = u16(buffer, position);
            final int length = u16(buffer, position + 8);
            if (blockLength < 2 || length < 8 + blockLength || length > end - position)
            {
                return MALFORMED;
            }
            final int templateId = u16(buffer, position + 2);
            final Boolean wellFormed = wellFormed(
                buffer, templateId, position + 8, blockLength, version, position + length);
            if (null == wellFormed)
            {
                unknownFrames++;
            }
            else if (wellFormed)
            {
                knownFrames.add(new Frame(position, templateId, length, blockLength, version));
            }
            else
            {
                return MALFORMED;
            }
            position += length;
        }

        return end == position ? OK : MALFORMED;
    }

    /**
     * S8: is a frame of known kind well formed.
     *
     * @return null for an unknown kind.
     */
    private static Boolean wellFormed(
        final DirectBuffer buffer,
        final int templateId,
        final int block,
        final int blockLength,
        final int version,
        final int frameEnd)
    {
        final boolean exact = version <= OWN_VERSION;
        final int blockEnd = block + blockLength;
        switch (templateId)
        {
            case JOIN:
            {
                // A frame of version 1 is a version-1 Join, whatever its block length: its decoder would not show
                // the version-2 fields (cookie, keys, signature). A joiner offering version 3 sends the version 3
                // block in a version 3 frame (an older frame would hide the limits); an older joiner is read only as
                // far as its versions, nonce and name, to be answered VERSION_UNSUPPORTED.
                if (version < 2 || blockLength < JOIN_BLOCK_V1)
                {
                    return false;
                }
                final int minVersion = u16(buffer, block + 2);
                final int maxVersion = u16(buffer, block + 4);
                // The limits (i32 maxMessageLength at 192, receiveCredit at 196) are never negative.
                if (maxVersion >= 3 && (version < 3 || blockLength < JOIN_BLOCK_V3 ||
                    buffer.getInt(block + 192, LE) < 0 || buffer.getInt(block + 196, LE) < 0))
                {
                    return false;
                }
                return minVersion >= 1 && minVersion <= maxVersion && name(buffer, blockEnd, frameEnd, exact);
            }

            case JOIN_ACK:
            {
                // Only VERSION_UNSUPPORTED may come from an older acceptor; every other answer is a version 3 frame
                // with the version 3 block and a refusal that is a JoinRefusal value.
                if (version < 2 || blockLength < JOIN_ACK_BLOCK_V1)
                {
                    return false;
                }
                final int status = u8(buffer, block + 2);
                if (status > VERSION_UNSUPPORTED || u16(buffer, block + 3) < 1)
                {
                    return false;
                }
                // As a Join's, the limits (maxMessageLength at 175, receiveCredit at 179) are never negative.
                if (VERSION_UNSUPPORTED != status && (version < 3 || blockLength < JOIN_ACK_BLOCK_V3 ||
                    u8(buffer, block + JOIN_ACK_REFUSAL_OFFSET) > MAX_REFUSAL ||
                    buffer.getInt(block + 175, LE) < 0 || buffer.getInt(block + 179, LE) < 0))
                {
                    return false;
                }
                return name(buffer, blockEnd, frameEnd, exact);
            }

            case JOIN_COOKIE:
                return fixed(blockLength, 26, blockEnd, frameEnd, exact);

            case ALIVE:
            case ALIVE_ACK:
                return fixed(blockLength, 18, blockEnd, frameEnd, exact);

            case DATA:
                return blockLength >= 25 && data(buffer, block, blockEnd, frameEnd, exact);

            case ACK:
                return blockLength >= 23 && ranges(buffer, blockEnd, frameEnd, exact);

            case NACK:
                return blockLength >= 3 && ranges(buffer, blockEnd, frameEnd, exact);

            case RENEW:
                return fixed(blockLength, 3, blockEnd, frameEnd, exact) && u8(buffer, block + 2) <= 1;

            case LEAVE:
                // Version 3 appended flags (finalAcks): the block is 3 bytes, the frame 11, and a frame of an older
                // version would hide them from its decoder.
                return version >= 3 && fixed(blockLength, 3, blockEnd, frameEnd, exact);

            default:
                return null;
        }
    }

    private static boolean endsAt(final int contentEnd, final int frameEnd, final boolean exact)
    {
        return exact ? contentEnd == frameEnd : contentEnd <= frameEnd;
    }

    private static boolean fixed(
        final int blockLength, final int knownLength, final int blockEnd, final int frameEnd, final boolean exact)
    {
        return blockLength >= knownLength && endsAt(blockEnd, frameEnd, exact);
    }

    private static boolean name(final DirectBuffer buffer, final int at, final int frameEnd, final boolean exact)
    {
        if (at + 2 > frameEnd)
        {
            return false;
        }
        final int length = u16(buffer, at);

        return length >= 1 && length <= 255 && endsAt(at + 2 + length, frameEnd, exact);
    }

    private static boolean data(
        final DirectBuffer buffer, final int block, final int blockEnd, final int frameEnd, final boolean exact)
    {
        final int mode = u8(buffer, block + 3);
        final int flags = u8(buffer, block + 4);
        final int messageLength = buffer.getInt(block + 13, LE);
        final int segmentOffset = buffer.getInt(block + 17, LE);
        final int segmentIndex = buffer.getInt(block + 21, LE);
        if (mode > 2 || 0 != (flags & ~3) || blockEnd + 2 > frameEnd)
        {
            return false;
        }
        final int payload = u16(buffer, blockEnd);
        if (payload > MAX_PAYLOAD || !endsAt(blockEnd + 2 + payload, frameEnd, exact))
        {
            return false;
        }
        if (messageLength < 0 || segmentOffset < 0 || segmentIndex < 0)
        {
            return false;
        }
        // In long arithmetic so that the rules do not lean on the reader's overflow argument.
        final long segmentEnd = (long)segmentOffset + payload;
        final boolean begin = 0 != (flags & 1);
        final boolean end = 0 != (flags & 2);

        return segmentEnd <= messageLength &&
            (payload > 0 || 0 == messageLength) &&
            begin == (0 == segmentOffset) &&
            end == (segmentEnd == messageLength);
    }

    private static boolean ranges(final DirectBuffer buffer, final int group, final int frameEnd, final boolean exact)
    {
        if (group + 4 > frameEnd)
        {
            return false;
        }
        final int entryLength = u16(buffer, group);
        final int count = u16(buffer, group + 2);
        if (entryLength < RANGE_LENGTH || count > MAX_RANGES ||
            !endsAt(group + 4 + count * entryLength, frameEnd, exact))
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            final int entry = group + 4 + i * entryLength;
            if (buffer.getLong(entry, LE) >= buffer.getLong(entry + 8, LE))
            {
                return false;
            }
        }

        return true;
    }

    // PROTOCOL.md 2.2: one running CRC32C over [0, 8) then [12, length).
    private int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        if (copy.length < length)
        {
            copy = new byte[length];
        }
        buffer.getBytes(offset, copy, 0, length);
        crc.reset();
        crc.update(copy, 0, 8);
        crc.update(copy, 12, length - 12);

        return (int)crc.getValue();
    }

    private static int u8(final DirectBuffer buffer, final int index)
    {
        return buffer.getByte(index) & 0xFF;
    }

    private static int u16(final DirectBuffer buffer, final int index)
    {
        return buffer.getShort(index, LE) & 0xFFFF;
    }

    private static int u32(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index, LE);
    }
}
