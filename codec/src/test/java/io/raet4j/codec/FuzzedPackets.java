package io.raet4j.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinEncoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.RenewReason;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Valid frames with fields chosen by the fuzzer, appended through {@link PacketWriter} so that they always pass the
 * writer's argument checks, and the byte-level edits the fuzzer then makes to the finished datagram. Each appended
 * frame is also described as {@link FrameText} describes the frame read back, so that a packet the writer made can be
 * compared field by field with what the reader shows.
 * <p>
 * <b>Threading:</b> NOT thread safe; one instance per fuzz target.
 */
final class FuzzedPackets
{
    /** The most frames one fuzzed packet asks for before the writer runs out of room or frame count. */
    static final int MAX_FRAME_REQUESTS = 12;

    private static final int MAX_VERSION = JoinEncoder.minVersionMaxValue();
    private static final JoinStatus[] STATUSES = {
        JoinStatus.ACCEPTED, JoinStatus.PENDING, JoinStatus.REJECTED, JoinStatus.VERSION_UNSUPPORTED };
    private static final DeliveryMode[] MODES = {
        DeliveryMode.RELIABLE_ORDERED, DeliveryMode.RELIABLE_UNORDERED, DeliveryMode.BEST_EFFORT };
    private static final JoinRefusal[] REFUSALS = {
        JoinRefusal.NONE, JoinRefusal.KEYS_CHANGED, JoinRefusal.REJECTED_BY_OPERATOR, JoinRefusal.ID_IN_USE,
        JoinRefusal.PINNED_KEY_MISMATCH, JoinRefusal.ENCRYPTION_MISMATCH, JoinRefusal.LIMITS_MISMATCH,
        JoinRefusal.PENDING_ACCEPTANCE };
    private static final RenewReason[] REASONS = { RenewReason.UNKNOWN_ESTATE, RenewReason.STALE_SESSION };
    /** Versions either side of 2 and 3, where the Join and JoinAck rules change. */
    private static final int[] INTERESTING_VERSIONS = { 1, 2, 3, 4 };
    // Lengths of version 1, 2 and 3 blocks and frames among them: 13/14, 173/190, 185/201, Leave 2/3 and 10/11.
    private static final int[] INTERESTING_U16 = {
        0, 1, 2, 3, 4, 8, 9, 10, 11, 13, 14, 15, 16, 17, 25, 32, 33, 35, 173, 184, 185, 190, 200, 201, 255, 256, 4242,
        0x7FFF, 0x8000, 0xFFFE, 0xFFFF };

    private final long[] starts = new long[PacketWriter.MAX_ACK_RANGES];
    private final long[] ends = new long[PacketWriter.MAX_ACK_RANGES];
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PacketWriter.MAX_DATA_PAYLOAD_LENGTH]);

    /**
     * Append up to {@link #MAX_FRAME_REQUESTS} frames of kinds and fields the fuzzer chooses, stopping at the first
     * that does not fit. At least one frame is appended (a Leave if nothing else fitted).
     *
     * @param data     the fuzzer's input.
     * @param writer   begun, plain or sealed.
     * @param expected receives one {@link FrameText} line per appended frame.
     */
    void appendFrames(final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected)
    {
        final int requests = data.consumeInt(1, MAX_FRAME_REQUESTS);
        for (int i = 0; i < requests; i++)
        {
            if (!appendFrame(data, writer, expected))
            {
                break;
            }
        }
        if (!writer.hasFrames())
        {
            writer.appendLeave();
            expected.add(FrameText.leave(false));
        }
    }

    /**
     * Edit a datagram as the fuzzer says: flip a bit, set a byte, set an interesting u16, insert, delete or truncate;
     * none to four times.
     *
     * @param data  the fuzzer's input.
     * @param bytes the datagram, left as it is.
     * @return the edited copy.
     */
    static byte[] mutate(final FuzzedDataProvider data, final byte[] bytes)
    {
        byte[] result = bytes.clone();
        final int edits = data.consumeInt(0, 4);
        for (int i = 0; i < edits; i++)
        {
            final int length = result.length;
            switch (data.consumeInt(0, 5))
            {
                case 0:
                    if (length > 0)
                    {
                        result[data.consumeInt(0, length - 1)] ^= (byte)(1 << data.consumeInt(0, 7));
                    }
                    break;

                case 1:
                    if (length > 0)
                    {
                        result[data.consumeInt(0, length - 1)] = data.consumeByte();
                    }
                    break;

                case 2:
                    if (length > 1)
                    {
                        final int at = data.consumeInt(0, length - 2);
                        final int value = data.consumeBoolean() ?
                            data.pickValue(INTERESTING_U16) : data.consumeInt(0, 0xFFFF);
                        new UnsafeBuffer(result).putShort(at, (short)value, ByteOrder.LITTLE_ENDIAN);
                    }
                    break;

                case 3:
                    result = SamplePackets.splice(
                        result, data.consumeInt(0, length), data.consumeBytes(data.consumeInt(1, 64)));
                    break;

                case 4:
                    if (length > 0)
                    {
                        final int at = data.consumeInt(0, length - 1);
                        final int cut = data.consumeInt(1, Math.min(64, length - at));
                        final byte[] shorter = new byte[length - cut];
                        System.arraycopy(result, 0, shorter, 0, at);
                        System.arraycopy(result, at + cut, shorter, at, length - at - cut);
                        result = shorter;
                    }
                    break;

                default:
                    result = Arrays.copyOf(result, data.consumeInt(0, length));
                    break;
            }
        }

        return result;
    }

    private boolean appendFrame(final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected)
    {
        switch (data.consumeInt(0, 11))
        {
            case 0:
                return appendJoin(data, writer, expected);

            case 1:
                return appendJoinAck(data, writer, expected);

            case 2:
            {
                final long nonce = data.consumeLong();
                final byte[] cookie = bytes(data, PacketWriter.COOKIE_LENGTH, false);
                return added(writer.appendJoinCookie(nonce, cookie), expected, FrameText.joinCookie(nonce, cookie));
            }

            case 3:
            {
                final long nonce = data.consumeLong();
                final long timestampNs = data.consumeLong();
                return added(writer.appendAlive(nonce, timestampNs), expected, FrameText.alive(nonce, timestampNs));
            }

            case 4:
            {
                final long nonce = data.consumeLong();
                final long echoNs = data.consumeLong();
                return added(writer.appendAliveAck(nonce, echoNs), expected, FrameText.aliveAck(nonce, echoNs));
            }

            case 5:
                return appendData(data, writer, expected);

            case 6:
                return appendRanges(data, writer, expected, true);

            case 7:
                return appendRanges(data, writer, expected, false);

            case 8:
            {
                final RenewReason reason = data.pickValue(REASONS);
                return added(writer.appendRenew(reason), expected, FrameText.renew(reason));
            }

            case 9:
            {
                final boolean hasFinalAcks = data.consumeBoolean();
                return added(writer.appendLeave(hasFinalAcks), expected, FrameText.leave(hasFinalAcks));
            }

            default:
            {
                // Many small frames, up to the 255 a packet may hold.
                final int count = data.consumeInt(1, PacketWriter.MAX_FRAME_COUNT);
                final boolean hasFinalAcks = data.consumeBoolean();
                boolean appended = false;
                for (int i = 0; i < count && writer.appendLeave(hasFinalAcks); i++)
                {
                    expected.add(FrameText.leave(hasFinalAcks));
                    appended = true;
                }
                return appended;
            }
        }
    }

    private boolean appendJoin(final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected)
    {
        final int minVersion = version(data);
        final int maxVersion = data.consumeBoolean() ?
            Math.min(MAX_VERSION, minVersion + data.consumeInt(0, 2)) : data.consumeInt(minVersion, MAX_VERSION);
        final long nonce = data.consumeLong();
        final String name = name(data);
        final byte[] cookie = bytes(data, PacketWriter.COOKIE_LENGTH, true);
        final byte[] signingKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] agreementKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] ephemeralKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] signature = bytes(data, PacketWriter.SIGNATURE_LENGTH, true);
        final JoinLimits limits = limits(data);

        return added(
            writer.appendJoin(
                minVersion, maxVersion, nonce, name, cookie, signingKey, agreementKey, ephemeralKey, signature, limits),
            expected,
            FrameText.join(
                minVersion, maxVersion, nonce, name, zeroIfNull(cookie, PacketWriter.COOKIE_LENGTH),
                zeroIfNull(signingKey, PacketWriter.KEY_LENGTH), zeroIfNull(agreementKey, PacketWriter.KEY_LENGTH),
                zeroIfNull(ephemeralKey, PacketWriter.KEY_LENGTH),
                zeroIfNull(signature, PacketWriter.SIGNATURE_LENGTH), FrameText.limits(limits)));
    }

    private boolean appendJoinAck(final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected)
    {
        final JoinStatus status = data.pickValue(STATUSES);
        final int version = version(data);
        final long nonce = data.consumeLong();
        final String name = name(data);
        final byte[] signingKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] agreementKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] ephemeralKey = bytes(data, PacketWriter.KEY_LENGTH, true);
        final byte[] signature = bytes(data, PacketWriter.SIGNATURE_LENGTH, true);
        final JoinLimits limits = limits(data);
        final JoinRefusal refusal = data.pickValue(REFUSALS);

        return added(
            writer.appendJoinAck(
                status, version, nonce, name, signingKey, agreementKey, ephemeralKey, signature, limits, refusal),
            expected,
            FrameText.joinAck(
                status, version, nonce, name, zeroIfNull(signingKey, PacketWriter.KEY_LENGTH),
                zeroIfNull(agreementKey, PacketWriter.KEY_LENGTH), zeroIfNull(ephemeralKey, PacketWriter.KEY_LENGTH),
                zeroIfNull(signature, PacketWriter.SIGNATURE_LENGTH), FrameText.limits(limits), refusal.value()));
    }

    private boolean appendData(final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected)
    {
        final int room = Math.min(
            PacketWriter.MAX_DATA_PAYLOAD_LENGTH, writer.remaining() - PacketWriter.DATA_FRAME_OVERHEAD);
        if (room < 0)
        {
            return false;
        }
        final int channel = data.consumeInt(0, 0xFF);
        final DeliveryMode mode = data.pickValue(MODES);
        final long seq = data.consumeLong();
        final int segmentIndex = intIn(data, 0, Integer.MAX_VALUE);
        final int length = data.consumeInt(0, room);
        final int segmentOffset;
        final int messageLength;
        if (0 == length)
        {
            segmentOffset = 0;
            messageLength = 0;
        }
        else
        {
            segmentOffset = data.consumeBoolean() ? 0 : intIn(data, 1, Integer.MAX_VALUE - length);
            final int maxRest = Integer.MAX_VALUE - length - segmentOffset;
            final int rest = 0 == maxRest || data.consumeBoolean() ? 0 : intIn(data, 1, maxRest);
            messageLength = segmentOffset + length + rest;
        }
        final byte[] bytes = data.consumeBytes(length);
        payload.setMemory(0, length, (byte)0);
        payload.putBytes(0, bytes);
        final byte[] written = new byte[length];
        payload.getBytes(0, written);
        final boolean begin = 0 == segmentOffset;
        final boolean end = segmentOffset + length == messageLength;

        return added(
            writer.appendData(
                channel, mode, begin, end, seq, messageLength, segmentOffset, segmentIndex, payload, 0, length),
            expected,
            FrameText.data(channel, mode, begin, end, seq, messageLength, segmentOffset, segmentIndex, written));
    }

    private boolean appendRanges(
        final FuzzedDataProvider data, final PacketWriter writer, final List<String> expected, final boolean isAck)
    {
        final int channel = data.consumeInt(0, 0xFF);
        final long cumulativeSeq = isAck ? data.consumeLong() : 0;
        final long deliveredSeq = isAck ? data.consumeLong() : 0;
        final int windowSegments = isAck ? data.consumeInt() : 0;
        final int count = data.consumeInt(0, isAck ? PacketWriter.MAX_ACK_RANGES : PacketWriter.MAX_NACK_RANGES);
        for (int i = 0; i < count; i++)
        {
            final long start = longIn(data, Long.MIN_VALUE, Long.MAX_VALUE - 1);
            starts[i] = start;
            ends[i] = longIn(data, start + 1, Long.MAX_VALUE);
        }
        if (isAck)
        {
            return added(
                writer.appendAck(channel, cumulativeSeq, deliveredSeq, windowSegments, starts, ends, count),
                expected,
                FrameText.ack(channel, cumulativeSeq, deliveredSeq, windowSegments, starts, ends, count));
        }

        return added(
            writer.appendNack(channel, starts, ends, count), expected, FrameText.nack(channel, starts, ends, count));
    }

    /**
     * {@link FuzzedDataProvider#consumeInt(int, int)} held to its range: jazzer 0.24.0 skips the reduction when
     * {@code max - min} is exactly {@code Integer.MAX_VALUE}, and then returns values outside [min, max] (fixed
     * upstream after 0.24.0, "make sure ConsumeIntegralInRange is always in range").
     */
    static int intIn(final FuzzedDataProvider data, final int min, final int max)
    {
        final int value = data.consumeInt(min, max);

        // Only ever out of range when max - min is Integer.MAX_VALUE: then this folds it back into [min, max].
        return value >= min && value <= max ? value : min + ((value - min) & Integer.MAX_VALUE);
    }

    /**
     * {@link FuzzedDataProvider#consumeLong(long, long)} held to its range, for the same jazzer 0.24.0 defect as
     * {@link #intIn} (there when {@code max - min} is exactly {@code Long.MAX_VALUE}).
     */
    static long longIn(final FuzzedDataProvider data, final long min, final long max)
    {
        final long value = data.consumeLong(min, max);

        // Only ever out of range when max - min is Long.MAX_VALUE: then this folds it back into [min, max].
        return value >= min && value <= max ? value : min + ((value - min) & Long.MAX_VALUE);
    }

    /**
     * A protocol version, half the time one of those either side of the version 2 and 3 rules.
     */
    private static int version(final FuzzedDataProvider data)
    {
        return data.consumeBoolean() ? data.pickValue(INTERESTING_VERSIONS) : data.consumeInt(1, MAX_VERSION);
    }

    /**
     * Limits as the writer takes them: an MTU that fits a u16, a message length and a credit that are not negative.
     */
    private static JoinLimits limits(final FuzzedDataProvider data)
    {
        return new JoinLimits(
            data.consumeInt(0, 0xFFFF), intIn(data, 0, Integer.MAX_VALUE), intIn(data, 0, Integer.MAX_VALUE),
            data.consumeBoolean());
    }

    private static boolean added(final boolean appended, final List<String> expected, final String text)
    {
        if (appended)
        {
            expected.add(text);
        }

        return appended;
    }

    /**
     * A name of 1 to 255 UTF-8 bytes, as the reader will decode it.
     */
    private static String name(final FuzzedDataProvider data)
    {
        final String chosen = data.consumeBoolean() ? data.consumeAsciiString(255) : data.consumeString(60);
        final byte[] utf8 = chosen.getBytes(StandardCharsets.UTF_8);
        if (0 == utf8.length || utf8.length > PacketWriter.MAX_NAME_LENGTH)
        {
            return "e";
        }

        // Lone surrogates become '?' in UTF-8: the reader can only ever show the encoded form.
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final FuzzedDataProvider data, final int length, final boolean mayBeNull)
    {
        if (mayBeNull && data.consumeBoolean())
        {
            return null;
        }

        return Arrays.copyOf(data.consumeBytes(length), length);
    }

    private static byte[] zeroIfNull(final byte[] bytes, final int length)
    {
        return null == bytes ? new byte[length] : bytes;
    }
}
