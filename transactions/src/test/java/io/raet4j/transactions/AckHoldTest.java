package io.raet4j.transactions;

import io.raet4j.transport.media.FaultProfile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive ack hold ({@link StackContext#ackHoldMaxNs()}): a responder that answers a few duty cycles after each
 * request sends one datagram per exchange, its ack riding on the reply, once the pattern is learned; a one-way stream
 * is acked once per 16 KiB or half the hold limit, also right after a request/reply phase taught the stack to hold for
 * replies. Two stacks on loopback UDP in invoker mode, on controlled clocks: alpha answers, beta asks.
 */
class AckHoldTest
{
    private static final int EXCHANGES = 120;
    private static final int WARM_UP = 20;
    /** Alpha answers three 10 us steps after it has a request: 30 us, past the one cycle every ack waits. */
    private static final int REPLY_DELAY_STEPS = 3;

    @TempDir
    Path tempDir;

    private StackPair pair;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
    private int received;

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
    void shouldCarryTheAckOnTheReplyOfAResponderThatAnswersAfterAFewCycles()
    {
        start(StackContext.ACK_HOLD_MAX_DEFAULT_NS);

        final double datagramsPerExchange = requestReply(EXCHANGES);

        assertEquals(1.0, datagramsPerExchange, 0.05, "alpha's datagrams per exchange, after " + WARM_UP +
            " to learn: " + StackPair.nonZeroCounters(pair.a));
    }

    @Test
    void shouldSendTheAckAloneAfterOneCycleWhenTheHoldIsOff()
    {
        start(0);

        final double datagramsPerExchange = requestReply(EXCHANGES);

        assertEquals(2.0, datagramsPerExchange, 0.05, "an ack, then the reply: " + StackPair.nonZeroCounters(pair.a));
    }

    @Test
    void shouldAckAOneWayStreamAfterRequestReplyAsAFreshStreamIsAcked()
    {
        start(StackContext.ACK_HOLD_MAX_DEFAULT_NS);
        requestReply(EXCHANGES);
        final int afterRequestReply = streamAcks();
        pair.close();

        pair = new StackPair(tempDir.resolve("fresh"));
        start(StackContext.ACK_HOLD_MAX_DEFAULT_NS);
        final int fresh = streamAcks();

        // The reply pattern is unlearned: the stream is acked on the stream's schedule, not held for replies.
        assertTrue(Math.abs(afterRequestReply - fresh) <= fresh / 20 + 1,
            "alpha's datagrams in the stream after request/reply " + afterRequestReply + ", fresh " + fresh);
    }

    @Test
    void shouldAckAOneWayStreamEverySixteenKibibytesOrHalfTheHoldLimit()
    {
        start(StackContext.ACK_HOLD_MAX_DEFAULT_NS);
        final int thinned = streamAcks();
        pair.close();

        pair = new StackPair(tempDir.resolve("hold-off"));
        start(0);
        final int everyOther = streamAcks();

        // 32 B every 10 us step never reaches 16 KiB, so the acks go once 50 us (half of 100 us) have passed since
        // they fell due: every 5 or 6 steps. With the hold off they go the cycle after they fall due, and the next
        // message finds them due again: every second step.
        assertTrue(thinned >= 180 / 7 && thinned <= 180 / 4, "alpha's acks in 180 steps of a stream: " + thinned);
        assertTrue(everyOther >= 80, "alpha's acks with the hold off: " + everyOther);
    }

    /**
     * Beta streams one message per step and alpha never answers; the stack may hold while it unlearns the replies, a
     * few holds in the first 100 us, which are not counted.
     *
     * @return alpha's datagrams in the 180 steps after the first 20.
     */
    private int streamAcks()
    {
        final int steps = 200;
        int sent = 0;
        for (int i = 0; i < steps; i++)
        {
            assertTrue(pair.b.offer(pair.a.estateId(), 0, message, 0, message.capacity()) >= 0);
            final int sentBefore = pair.recorderA.sent.size();
            pair.step();
            pair.a.poll((id, channel, buffer, offset, length) -> received++, 100);
            if (i >= 20)
            {
                sent += pair.recorderA.sent.size() - sentBefore;
            }
        }
        return sent;
    }

    @Test
    void shouldRefuseAHoldThatCouldLookLikeLoss()
    {
        final StackContext ctx = new StackContext(new io.raet4j.transport.Context())
            .minRtoNs(TimeUnit.MILLISECONDS.toNanos(1))
            .ackHoldMaxNs(TimeUnit.MILLISECONDS.toNanos(1));
        final IllegalArgumentException ex =
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, ctx::conclude);
        assertTrue(ex.getMessage().startsWith("ackHoldMaxNs must be in 0..minRtoNs-1"), ex.getMessage());
    }

    private void start(final long ackHoldMaxNs)
    {
        pair.startA(FaultProfile.none(), (ctx) -> ctx.ackHoldMaxNs(ackHoldMaxNs));
        pair.startB(FaultProfile.none(), (ctx) -> ctx.ackHoldMaxNs(ackHoldMaxNs), "127.0.0.1:0");
        pair.joinAtoB();
    }

    /**
     * Beta asks, alpha answers {@link #REPLY_DELAY_STEPS} steps after it has the request, beta asks again as soon as
     * it has the answer.
     *
     * @return alpha's datagrams per exchange after the warm-up.
     */
    private double requestReply(final int exchanges)
    {
        int sentAfterWarmUp = 0;
        for (int i = 0; i < exchanges; i++)
        {
            final int sentBefore = pair.recorderA.sent.size();
            assertTrue(pair.b.offer(pair.a.estateId(), 0, message, 0, message.capacity()) >= 0);
            final int receivedBefore = received;
            assertTrue(pair.runUntil(() ->
                pair.a.poll((id, channel, buffer, offset, length) -> received++, 10) > 0 || received > receivedBefore,
                1_000), "request " + i + " never arrived");
            for (int step = 0; step < REPLY_DELAY_STEPS; step++)
            {
                pair.step();
            }
            assertTrue(pair.a.offer(pair.b.estateId(), 0, message, 0, message.capacity()) >= 0);
            final int[] answers = new int[1];
            assertTrue(pair.runUntil(() ->
                pair.b.poll((id, channel, buffer, offset, length) -> answers[0]++, 10) > 0 || answers[0] > 0,
                1_000), "reply " + i + " never arrived");
            if (i >= WARM_UP)
            {
                sentAfterWarmUp += pair.recorderA.sent.size() - sentBefore;
            }
        }
        return (double)sentAfterWarmUp / (exchanges - WARM_UP);
    }
}
