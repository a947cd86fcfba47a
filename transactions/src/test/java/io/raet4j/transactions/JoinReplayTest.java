package io.raet4j.transactions;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.sbe.JoinDecoder;
import io.raet4j.transport.media.FaultProfile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Join of an earlier join, replayed from the joiner's address while its cookie is still valid, is dropped: taken as
 * new it renewed the acceptor alone (clear text: channels out of step, a message delivered twice) or installed keys
 * the joiner never derived (sealed). Found by StackReceiveFuzzTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinReplayTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;

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

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void shouldDropAnEarlierJoinReplayedWithinItsCookiesLifetimeAndKeepTheSessionWorking(final boolean isEncrypted)
    {
        final Stack a = pair.startA(FaultProfile.none(), ctx -> ctx.encryption(isEncrypted));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.encryption(isEncrypted), "127.0.0.1:0");
        pair.joinAtoB();
        final byte[] firstJoin = lastSignedJoin();

        // A second join of the same pair: a new nonce, answered and accepted.
        a.join(pair.addressOf(b));
        final long joinsBefore = b.counter(StackCounterDescriptor.JOINS);
        pair.runUntil(() -> false, 2_000);
        assertTrue(lastSignedJoin() != firstJoin);
        final long renewedBefore = b.counter(StackCounterDescriptor.SESSIONS_RENEWED);
        final long replayedBefore = b.counter(StackCounterDescriptor.REPLAYED_PACKETS);

        pair.recorderA.inject(firstJoin, b.localAddress());
        assertTrue(pair.runUntil(() -> b.counter(StackCounterDescriptor.REPLAYED_PACKETS) > replayedBefore, 10_000),
            "the replay was dropped: " + StackPair.nonZeroCounters(b));
        assertEquals(renewedBefore, b.counter(StackCounterDescriptor.SESSIONS_RENEWED), "no renewal");
        assertEquals(joinsBefore, b.counter(StackCounterDescriptor.JOINS), "no join");

        final StackTest.Outcomes outcomes = new StackTest.Outcomes();
        a.addDeliveryHandler(outcomes);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        final int[] received = {0};
        for (int i = 0; i < 50; i++)
        {
            assertTrue(a.offer(b.estateId(), 0, message, 0, 100) >= 0);
        }
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, channel, buffer, offset, length) -> received[0]++, 10);
            return 50 == outcomes.delivered.size();
        }, 200_000), "the session keeps working: " + StackPair.nonZeroCounters(a) + " " + StackPair.nonZeroCounters(b));
        assertEquals(50, received[0], "each message once");
    }

    /**
     * The last Join that A sent with a signature (the one the acceptor accepted), as it went on the wire.
     */
    private byte[] lastSignedJoin()
    {
        final PacketReader reader = new PacketReader();
        byte[] found = null;
        for (final byte[] datagram : pair.recorderA.sent)
        {
            if (PacketReader.OK == reader.wrap(new UnsafeBuffer(datagram), 0, datagram.length) && reader.nextFrame() &&
                JoinDecoder.TEMPLATE_ID == reader.templateId() && isSigned(reader.join()))
            {
                found = datagram;
            }
        }
        assertNotNull(found, "a signed Join was sent");
        return found;
    }

    private static boolean isSigned(final JoinDecoder join)
    {
        for (int i = 0; i < JoinDecoder.signatureLength(); i++)
        {
            if (0 != join.signature(i))
            {
                return true;
            }
        }
        return false;
    }
}
