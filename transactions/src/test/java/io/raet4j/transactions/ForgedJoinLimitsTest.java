package io.raet4j.transactions;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinAckEncoder;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.transactions.estate.RemoteEstate;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JoinAck whose limits no estate could announce (a negative message length or credit), forged by someone who saw
 * the Join: the stack built its JoinLimits from them before checking the signature, and JoinLimits threw into the
 * error log. It must be counted as malformed and dropped, and the join go on.
 */
class ForgedJoinLimitsTest
{
    private static final int BLOCK = PacketWriter.HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH;

    private final PacketWriter writer = new PacketWriter(FuzzedStackPair.MTU);

    @AfterEach
    void tearDown()
    {
        FuzzedStackPair.closeAll();
    }

    @Test
    void shouldCountAJoinAckWithANegativeMessageLengthOrCreditAsMalformedNotThrowIt()
    {
        for (final int offset : new int[]{
            JoinAckEncoder.maxMessageLengthEncodingOffset(), JoinAckEncoder.receiveCreditEncodingOffset() })
        {
            final FuzzedStackPair pair = FuzzedStackPair.forThread(false, true);
            final RemoteEstate peerAtTarget = waitForSignedJoinOfTarget(pair);
            final long malformed = pair.target.counter(StackCounterDescriptor.MALFORMED_PACKETS);

            pair.injectIntoTarget(joinAck(pair, peerAtTarget.joiner.nonce(), offset), FuzzedStackPair.PEER_ADDRESS);
            pair.runTarget();

            pair.check();
            assertEquals(malformed + 1, pair.target.counter(StackCounterDescriptor.MALFORMED_PACKETS));
            pair.settle();
            pair.checkStillWorking();
        }
    }

    /**
     * A Renew from the peer's address makes the target join the peer again; run until the target has sent its signed
     * Join (it holds the cookie), the point from which it looks at a JoinAck's limits.
     */
    private RemoteEstate waitForSignedJoinOfTarget(final FuzzedStackPair pair)
    {
        writer.begin(FuzzedStackPair.PEER_ID, FuzzedStackPair.TARGET_ID, pair.peer.session(), pair.target.session());
        assertTrue(writer.appendRenew(RenewReason.STALE_SESSION));
        final int length = writer.finish();
        final byte[] renew = new byte[length];
        writer.buffer().getBytes(0, renew);
        pair.injectIntoTarget(renew, FuzzedStackPair.PEER_ADDRESS);
        pair.runTarget();
        final RemoteEstate peerAtTarget = StackInternals.estate(pair.target, FuzzedStackPair.PEER_ID);
        assertNotNull(peerAtTarget);
        for (int i = 0; i < 10 && !peerAtTarget.joiner.isSigned(); i++)
        {
            // Only the handshake goes through: the target's Join to the peer, the peer's JoinCookie back.
            pair.takeTargetOutput().forEach(pair::deliverToPeer);
            pair.runPeer();
            pair.takePeerOutput().forEach((bytes) -> pair.injectIntoTarget(bytes, FuzzedStackPair.PEER_ADDRESS));
            pair.runTarget();
        }
        assertTrue(peerAtTarget.joiner.isSigned(), "the target did not sign its Join");
        assertNotEquals(0, peerAtTarget.joiner.nonce());
        pair.takeTargetOutput();

        return peerAtTarget;
    }

    /**
     * An ACCEPTED JoinAck for the target's outstanding nonce, with -1 at a limit's offset and its checksum set.
     */
    private byte[] joinAck(final FuzzedStackPair pair, final long nonce, final int limitOffset)
    {
        writer.begin(FuzzedStackPair.PEER_ID, FuzzedStackPair.TARGET_ID, pair.peer.session(), pair.target.session());
        assertTrue(writer.appendJoinAck(JoinStatus.ACCEPTED, 3, nonce, "peer", new byte[PacketWriter.KEY_LENGTH],
            new byte[PacketWriter.KEY_LENGTH], new byte[PacketWriter.KEY_LENGTH],
            new byte[PacketWriter.SIGNATURE_LENGTH], new JoinLimits(1408, 1 << 20, 64, false), JoinRefusal.NONE));
        final int length = writer.finish();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putBytes(0, writer.buffer(), 0, length);
        buffer.putInt(BLOCK + limitOffset, -1, ByteOrder.LITTLE_ENDIAN);
        PacketWriter.writeChecksum(buffer, 0, length);

        return buffer.byteArray();
    }
}
