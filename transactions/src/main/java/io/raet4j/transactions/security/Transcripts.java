package io.raet4j.transactions.security;

import io.raet4j.codec.JoinLimits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The byte strings the join handshake signs, laid out in spec/PROTOCOL.md section 6.3. Each starts with a distinct
 * label, so a signature over one can never be taken for the other, and every field is fixed length except the name,
 * which is length-prefixed, so no two field lists encode to the same bytes.
 */
public final class Transcripts
{
    private static final byte[] JOIN_LABEL = "raet4j v3 join\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JOIN_ACK_LABEL = "raet4j v3 joinack\0".getBytes(StandardCharsets.US_ASCII);
    private static final int LIMITS_LENGTH = 2 + 4 + 4 + 1;

    private Transcripts()
    {
    }

    /**
     * What the joiner signs: every field of its Join and of the packet header that matters.
     *
     * @param flags        of the packet header (RENEW).
     * @param srcEstateId  joiner's id.
     * @param srcSession   joiner's session.
     * @param minVersion   lowest version offered.
     * @param maxVersion   highest version offered.
     * @param nonce        of the join.
     * @param cookie       echoed cookie, 16 bytes.
     * @param signingKey   joiner's Ed25519 key.
     * @param agreementKey joiner's long-term X25519 key.
     * @param ephemeralKey joiner's X25519 key for this join.
     * @param limits       joiner's limits.
     * @param name         joiner's name.
     * @return the transcript.
     */
    public static byte[] join(
        final int flags,
        final long srcEstateId,
        final int srcSession,
        final int minVersion,
        final int maxVersion,
        final long nonce,
        final byte[] cookie,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final JoinLimits limits,
        final String name)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer transcript = ByteBuffer.allocate(
            JOIN_LABEL.length + 1 + 8 + 4 + 2 + 2 + 8 + 16 + 32 * 3 + LIMITS_LENGTH + 2 + nameBytes.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(JOIN_LABEL)
            .put((byte)flags)
            .putLong(srcEstateId)
            .putInt(srcSession)
            .putShort((short)minVersion)
            .putShort((short)maxVersion)
            .putLong(nonce)
            .put(cookie)
            .put(signingKey)
            .put(agreementKey)
            .put(ephemeralKey);
        return putLimits(transcript, limits)
            .putShort((short)nameBytes.length)
            .put(nameBytes)
            .array();
    }

    private static ByteBuffer putLimits(final ByteBuffer transcript, final JoinLimits limits)
    {
        return transcript
            .putShort((short)limits.mtu())
            .putInt(limits.maxMessageLength())
            .putInt(limits.receiveCredit())
            .put((byte)(limits.isEncrypted() ? 1 : 0));
    }

    /**
     * What the acceptor signs: the joiner's signature (which commits to the whole Join), then every field of its
     * answer and of the packet header that matters.
     *
     * @param joinSignature the signature of the Join answered.
     * @param flags         of the packet header (RENEW: the acceptor's state for the pair is fresh).
     * @param srcEstateId   acceptor's id.
     * @param srcSession    acceptor's session.
     * @param dstEstateId   joiner's id.
     * @param dstSession    joiner's session.
     * @param status        of the answer, as its wire value.
     * @param version       chosen.
     * @param nonce         echoed.
     * @param signingKey    acceptor's Ed25519 key.
     * @param agreementKey  acceptor's long-term X25519 key.
     * @param ephemeralKey  acceptor's X25519 key for this join, zeros unless accepted.
     * @param limits        acceptor's limits.
     * @param refusal       wire value of the refusal reason, 0 when accepted.
     * @param name          acceptor's name.
     * @return the transcript.
     */
    public static byte[] joinAck(
        final byte[] joinSignature,
        final int flags,
        final long srcEstateId,
        final int srcSession,
        final long dstEstateId,
        final int dstSession,
        final int status,
        final int version,
        final long nonce,
        final byte[] signingKey,
        final byte[] agreementKey,
        final byte[] ephemeralKey,
        final JoinLimits limits,
        final int refusal,
        final String name)
    {
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer transcript = ByteBuffer.allocate(JOIN_ACK_LABEL.length + 64 + 1 + 8 + 4 + 8 + 4 + 1 + 2 + 8 +
            32 * 3 + LIMITS_LENGTH + 1 + 2 + nameBytes.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(JOIN_ACK_LABEL)
            .put(joinSignature)
            .put((byte)flags)
            .putLong(srcEstateId)
            .putInt(srcSession)
            .putLong(dstEstateId)
            .putInt(dstSession)
            .put((byte)status)
            .putShort((short)version)
            .putLong(nonce)
            .put(signingKey)
            .put(agreementKey)
            .put(ephemeralKey);
        return putLimits(transcript, limits)
            .put((byte)refusal)
            .putShort((short)nameBytes.length)
            .put(nameBytes)
            .array();
    }
}
