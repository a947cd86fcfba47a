package io.raet4j.codec;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.RenewReason;

import java.util.Arrays;

/**
 * One line of text per frame holding every field the stack reads, built the same way from what was given to
 * {@link PacketWriter} and from what {@link PacketReader} shows, so that a round trip compares with one
 * {@code assertEquals}. Byte fields appear as their length and {@link Arrays#hashCode(byte[])}. A Join or JoinAck of
 * which the reader guarantees only the version 1 fields and the name (a Join offering only versions below 3, a
 * VERSION_UNSUPPORTED JoinAck, when the frame is short or older than version 3) has its own shorter line.
 */
final class FrameText
{
    private FrameText()
    {
    }

    static String join(
        final int minVersion,
        final int maxVersion,
        final long nonce,
        final String name,
        final byte[] cookie,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final byte[] signature,
        final String limits)
    {
        return joinVersionOne(minVersion, maxVersion, nonce, name) +
            " cookie=" + bytes(cookie) + " signingKey=" + bytes(signingKey) + " agreementKey=" + bytes(agreementKey) +
            " ephemeralKey=" + bytes(ephemeralKey) + " signature=" + bytes(signature) + " " + limits;
    }

    static String joinVersionOne(final int minVersion, final int maxVersion, final long nonce, final String name)
    {
        return "Join min=" + minVersion + " max=" + maxVersion + " nonce=" + nonce + " name=" + name;
    }

    static String joinAck(
        final JoinStatus status,
        final int version,
        final long nonce,
        final String name,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final byte[] signature,
        final String limits,
        final int refusal)
    {
        return joinAckVersionOne(status, version, nonce, name) +
            " signingKey=" + bytes(signingKey) + " agreementKey=" + bytes(agreementKey) +
            " ephemeralKey=" + bytes(ephemeralKey) + " signature=" + bytes(signature) + " " + limits +
            " refusal=" + refusal;
    }

    static String joinAckVersionOne(final JoinStatus status, final int version, final long nonce, final String name)
    {
        return "JoinAck status=" + status + " version=" + version + " nonce=" + nonce + " name=" + name;
    }

    static String joinCookie(final long nonce, final byte[] cookie)
    {
        return "JoinCookie nonce=" + nonce + " cookie=" + bytes(cookie);
    }

    static String alive(final long nonce, final long timestampNs)
    {
        return "Alive nonce=" + nonce + " timestampNs=" + timestampNs;
    }

    static String aliveAck(final long nonce, final long echoTimestampNs)
    {
        return "AliveAck nonce=" + nonce + " echoTimestampNs=" + echoTimestampNs;
    }

    static String data(
        final int channel,
        final DeliveryMode mode,
        final boolean begin,
        final boolean end,
        final long seq,
        final int messageLength,
        final int segmentOffset,
        final int segmentIndex,
        final byte[] payload)
    {
        return "Data channel=" + channel + " mode=" + mode + " begin=" + begin + " end=" + end + " seq=" + seq +
            " messageLength=" + messageLength + " segmentOffset=" + segmentOffset + " segmentIndex=" + segmentIndex +
            " payload=" + bytes(payload);
    }

    static String ack(
        final int channel,
        final long cumulativeSeq,
        final long deliveredSeq,
        final int windowSegments,
        final long[] starts,
        final long[] ends,
        final int count)
    {
        return "Ack channel=" + channel + " cumulativeSeq=" + cumulativeSeq + " deliveredSeq=" + deliveredSeq +
            " windowSegments=" + windowSegments + " ranges=" + ranges(starts, ends, count);
    }

    static String nack(final int channel, final long[] starts, final long[] ends, final int count)
    {
        return "Nack channel=" + channel + " missing=" + ranges(starts, ends, count);
    }

    static String renew(final RenewReason reason)
    {
        return "Renew reason=" + reason;
    }

    static String leave(final boolean hasFinalAcks)
    {
        return "Leave finalAcks=" + hasFinalAcks;
    }

    /**
     * The version 3 limits of a Join or JoinAck, as plain values: read from a fuzzed frame they may be what
     * {@link JoinLimits} refuses (negative).
     */
    static String limits(
        final int mtu, final int maxMessageLength, final int receiveCredit, final boolean isEncrypted)
    {
        return "mtu=" + mtu + " maxMessageLength=" + maxMessageLength + " receiveCredit=" + receiveCredit +
            " encrypted=" + isEncrypted;
    }

    static String limits(final JoinLimits limits)
    {
        return limits(limits.mtu(), limits.maxMessageLength(), limits.receiveCredit(), limits.isEncrypted());
    }

    private static String bytes(final byte[] bytes)
    {
        return bytes.length + "#" + Arrays.hashCode(bytes);
    }

    private static String ranges(final long[] starts, final long[] ends, final int count)
    {
        final StringBuilder builder = new StringBuilder().append('[');
        for (int i = 0; i < count; i++)
        {
            builder.append(i > 0 ? "," : "").append(starts[i]).append("..").append(ends[i]);
        }

        return builder.append(']').toString();
    }
}
