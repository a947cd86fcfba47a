package io.raet4j.transactions;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.transport.media.FaultProfile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every failed join says why, to the joiner at once when the other end refuses, and to the refusing end's
 * application too; the limits of the two ends are agreed in the join.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JoinReasonsTest
{
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** Steps of 10 us a refusal may take: a few round trips of the handshake, far below the join timeout. */
    private static final int PROMPT_STEPS = 5_000;

    @TempDir
    Path tempDir;

    private StackPair pair;
    private final Reasons joinerSide = new Reasons();
    private final Reasons acceptorSide = new Reasons();

    static final class Reasons implements JoinHandler
    {
        final List<JoinFailure> failed = new ArrayList<>();
        final List<JoinFailure> refused = new ArrayList<>();

        public void onJoinFailed(final long correlationId, final JoinFailure failure)
        {
            failed.add(failure);
        }

        public void onJoinRefused(final JoinFailure refusal)
        {
            refused.add(refusal);
        }
    }

    @BeforeEach
    void setUp()
    {
        pair = new StackPair(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @Test
    void shouldSayNoAnswerWithWhatWasTriedWhenNothingAnswers() throws IOException
    {
        try (DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(JOIN_TIMEOUT_NS));
            a.addJoinHandler(joinerSide);
            final String address = "127.0.0.1:" + ((InetSocketAddress)silent.getLocalAddress()).getPort();
            a.join(address);
            assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), 1_000_000));

            final JoinFailure failure = joinerSide.failed.get(0);
            assertEquals(JoinFailure.Reason.NO_ANSWER, failure.reason());
            assertEquals(address, failure.address());
            assertFalse(failure.isRefusedByPeer());
            assertTrue(failure.message().startsWith("no answer from " + address + " to "), failure.message());
            assertTrue(failure.message().contains(" Joins in 2 s"), failure.message());
            assertTrue(pair.presenceA.contains(address + ":JOIN_FAILED"), pair.presenceA.toString());
            assertEquals(1, a.counter(StackCounterDescriptor.JOINS_FAILED));
        }
    }

    @Test
    void shouldSayPendingAcceptanceOnBothSidesWhenTheAcceptorsPolicyIsNever()
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(JOIN_TIMEOUT_NS));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.acceptPolicy("never"), "127.0.0.1:0");
        a.addJoinHandler(joinerSide);
        b.addJoinHandler(acceptorSide);
        a.join(pair.addressOf(b));
        assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), 1_000_000));

        final JoinFailure failure = joinerSide.failed.get(0);
        assertEquals(JoinFailure.Reason.PENDING_ACCEPTANCE, failure.reason());
        assertTrue(failure.isRefusedByPeer());
        assertEquals("beta", failure.peerName());
        assertTrue(failure.message().contains("keys accept alpha"), failure.message());
        assertEquals(1, acceptorSide.refused.size(), "reported once per join, not per retry: " + acceptorSide.refused);
        assertEquals(JoinFailure.Reason.PENDING_ACCEPTANCE, acceptorSide.refused.get(0).reason());
        assertEquals("alpha", acceptorSide.refused.get(0).peerName());
    }

    @Test
    void shouldRefuseAtOnceAnEstateWhoseKeysChangedUnderAnAcceptedName()
    {
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.startA(FaultProfile.none(), ctx -> {});
        pair.joinAtoB();
        pair.a.close();

        // The same name with a new identity (a new keep): policy once refuses it.
        final Stack a2 = pair.startA(FaultProfile.none(),
            ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(60)).keepDir(tempDir.resolve("keep-alpha-2")));
        a2.addJoinHandler(joinerSide);
        b.addJoinHandler(acceptorSide);
        a2.join(pair.addressOf(b));
        assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), PROMPT_STEPS), "refused before the timeout");

        final JoinFailure failure = joinerSide.failed.get(0);
        assertEquals(JoinFailure.Reason.KEYS_CHANGED, failure.reason());
        assertTrue(failure.isRefusedByPeer());
        assertTrue(failure.message().contains("accepted that name earlier with other keys"), failure.message());
        assertTrue(failure.message().contains("keys delete alpha"), failure.message());
        assertEquals(JoinFailure.Reason.KEYS_CHANGED, acceptorSide.refused.get(0).reason());
    }

    @Test
    void shouldRefuseAtOnceAnEstateAnOperatorRejected()
    {
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
        pair.joinAtoB();
        assertTrue(b.reject("alpha"));
        assertTrue(pair.runUntil(() -> !b.isJoined(a.estateId()), 1_000_000));

        a.addJoinHandler(joinerSide);
        a.join(pair.addressOf(b));
        assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), PROMPT_STEPS), "refused before the timeout");
        assertEquals(JoinFailure.Reason.REJECTED_BY_OPERATOR, joinerSide.failed.get(0).reason());
    }

    @Test
    void shouldFailAtOnceWhenTheAnswerIsNotSignedByThePinnedKey()
    {
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
        a.addJoinHandler(joinerSide);
        final byte[] wrongKey = b.signingKey();
        wrongKey[0] ^= 1;
        a.join(pair.addressOf(b), wrongKey);
        assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), PROMPT_STEPS), "failed before the timeout");

        final JoinFailure failure = joinerSide.failed.get(0);
        assertEquals(JoinFailure.Reason.PINNED_KEY_MISMATCH, failure.reason());
        assertTrue(failure.message().contains("not the pinned key"), failure.message());
        assertEquals(1, a.counter(StackCounterDescriptor.PINNED_KEY_MISMATCH));
    }

    @Test
    void shouldRefuseOnBothSidesAtOnceWhenOnlyOneEndEncrypts()
    {
        final Stack b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final Stack a = pair.startA(FaultProfile.none(),
            ctx -> ctx.encryption(false).joinTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
        a.addJoinHandler(joinerSide);
        b.addJoinHandler(acceptorSide);
        a.join(pair.addressOf(b));
        assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), PROMPT_STEPS), "refused before the timeout");

        assertEquals(JoinFailure.Reason.ENCRYPTION_MISMATCH, joinerSide.failed.get(0).reason());
        assertTrue(joinerSide.failed.get(0).message().startsWith("encryption is off here and on at 'beta'"),
            joinerSide.failed.get(0).message());
        assertEquals(JoinFailure.Reason.ENCRYPTION_MISMATCH, acceptorSide.refused.get(0).reason());
        assertTrue(acceptorSide.refused.get(0).message().startsWith("encryption is on here and off at 'alpha'"),
            acceptorSide.refused.get(0).message());
        assertEquals(0, b.estateCount(), "nothing kept for a refused joiner");
    }

    @Test
    void shouldFailAtOnceWhenTheAcceptorSpeaksAnotherVersion() throws IOException
    {
        try (DatagramChannel old = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            old.configureBlocking(false);
            final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
            a.addJoinHandler(joinerSide);
            a.join("127.0.0.1:" + ((InetSocketAddress)old.getLocalAddress()).getPort());

            // An acceptor of version 2 answers the Join as a version 2 stack does: VERSION_UNSUPPORTED, unsigned.
            final ByteBuffer in = ByteBuffer.allocateDirect(2048);
            final PacketReader reader = new PacketReader();
            assertTrue(pair.runUntil(() -> receive(old, in) > 0, 100_000));
            assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(in), 0, in.position()));
            assertTrue(reader.nextFrame());
            final PacketWriter writer = new PacketWriter(1408);
            writer.begin(0x0DD, reader.srcEstateId(), 7, reader.srcSession());
            writer.appendJoinAck(JoinStatus.VERSION_UNSUPPORTED, 2, reader.join().nonce(), "old");
            writer.finish();
            old.send(writer.byteBuffer(), pair.a.localAddress());

            assertTrue(pair.runUntil(() -> !joinerSide.failed.isEmpty(), PROMPT_STEPS), "failed before the timeout");
            final JoinFailure failure = joinerSide.failed.get(0);
            assertEquals(JoinFailure.Reason.VERSION_MISMATCH, failure.reason());
            assertTrue(failure.message().contains("speaks protocol version 2 and this stack speaks version 3"),
                failure.message());
        }
    }

    @Test
    void shouldAgreeOnTheSmallerMtuAndTheReceiversMessageLimit()
    {
        pair.mtuB = 9000;
        final Stack a = pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.maxMessageBytes(100_000).transport().mtuBytes(9000),
            "127.0.0.1:0");
        pair.joinAtoB();

        final UnsafeBuffer message = new UnsafeBuffer(new byte[200_000]);
        assertEquals(Stack.MESSAGE_TOO_LARGE, a.offer(b.estateId(), 0, message, 0, 100_001),
            "beta takes no message above 100,000 bytes");
        final int[] receivedAtA = {0};
        final int[] receivedAtB = {0};
        for (int i = 0; i < 20; i++)
        {
            final long toB = a.offer(b.estateId(), 0, message, 0, 100_000);
            final long toA = b.offer(a.estateId(), 0, message, 0, 100_000);
            assertTrue(toB >= 0 && toA >= 0, "offers returned " + toB + ", " + toA);
        }
        assertTrue(pair.runUntil(() ->
        {
            a.poll((id, ch, buf, off, len) -> receivedAtA[0]++, 10);
            b.poll((id, ch, buf, off, len) -> receivedAtB[0]++, 10);
            return 20 == receivedAtA[0] && 20 == receivedAtB[0];
        }, 1_000_000), "beta's 9000 byte MTU is cut to alpha's 1408 for the pair: " + receivedAtA[0] + " " +
            receivedAtB[0] + " " + StackPair.nonZeroCounters(a));
        assertEquals(0, a.counter(StackCounterDescriptor.MALFORMED_PACKETS));
    }

    private static int receive(final DatagramChannel channel, final ByteBuffer buffer)
    {
        try
        {
            buffer.clear();
            return null == channel.receive(buffer) ? 0 : buffer.position();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
