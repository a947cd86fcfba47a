package io.raet4j.transactions;

import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultInjectingMedia;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One hub and several spokes on loopback UDP through 10% loss: every spoke joins the hub, and messages flow both
 * ways between the hub and every spoke at once. Each stream is checked for exactly-once, in-order delivery.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HubTest
{
    private static final int SPOKES = 5;
    private static final int MESSAGES_PER_DIRECTION = 3_000;

    @TempDir
    Path tempDir;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final CachedEpochClock epochClock = new CachedEpochClock();
    private final List<Stack> stacks = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(stacks);
    }

    private Stack start(final String name, final long seed)
    {
        final FaultInjectingMedia media = new FaultInjectingMedia(
            UdpMedia.open("127.0.0.1:0", Context.MTU_DEFAULT, (ex) -> {}),
            new FaultProfile().lossRate(0.1).reorderRate(0.02).seed(seed), clock);
        final Stack stack = Stack.launch(new Context().name(name).media(media).nanoClock(clock)
            .epochClock(epochClock).statusDir(tempDir.resolve(name)));
        stacks.add(stack);
        return stack;
    }

    @Test
    void shouldDeliverEveryStreamExactlyOnceInOrderBetweenHubAndManySpokes()
    {
        clock.update(1_000_000_000L);
        final Stack hub = start("hub", 1);
        final Stack[] spokes = new Stack[SPOKES];
        final int hubPort = ((InetSocketAddress)hub.localAddress()).getPort();
        for (int i = 0; i < SPOKES; i++)
        {
            spokes[i] = start("spoke-" + i, 100 + i);
            spokes[i].join("127.0.0.1:" + hubPort);
        }
        assertTrue(runUntil(() ->
        {
            for (final Stack spoke : spokes)
            {
                if (!spoke.isJoined(hub.estateId()) || !hub.isJoined(spoke.estateId()))
                {
                    return false;
                }
            }
            return true;
        }, 200_000), "every spoke joined the hub");
        assertEquals(SPOKES, hub.estateCount());

        final Long2LongHashMap hubNextFrom = new Long2LongHashMap(0);
        final long[] spokeNext = new long[SPOKES];
        final long[] errors = {0};
        final long[] hubSent = new long[SPOKES];
        final long[] spokeSent = new long[SPOKES];
        final UnsafeBuffer msg = new UnsafeBuffer(new byte[3000]);
        final long total = 2L * SPOKES * MESSAGES_PER_DIRECTION;
        final long[] received = {0};

        final boolean done = runUntil(() ->
        {
            for (int i = 0; i < SPOKES; i++)
            {
                offerNext(hub, spokes[i].estateId(), hubSent, i, msg);
                offerNext(spokes[i], hub.estateId(), spokeSent, i, msg);
            }
            hub.poll((id, channel, buffer, offset, length) ->
            {
                final long expected = hubNextFrom.get(id);
                if (buffer.getLong(offset) != expected || length != lengthOf(expected))
                {
                    errors[0]++;
                }
                hubNextFrom.put(id, expected + 1);
                received[0]++;
            }, 100);
            for (int i = 0; i < SPOKES; i++)
            {
                final int spoke = i;
                spokes[i].poll((id, channel, buffer, offset, length) ->
                {
                    if (id != hub.estateId() || buffer.getLong(offset) != spokeNext[spoke] ||
                        length != lengthOf(spokeNext[spoke]))
                    {
                        errors[0]++;
                    }
                    spokeNext[spoke]++;
                    received[0]++;
                }, 100);
            }
            return received[0] == total;
        }, 3_000_000);

        assertTrue(done, "received " + received[0] + " of " + total);
        assertEquals(0, errors[0], "duplicates, gaps, reordering or corruption");
        for (int i = 0; i < SPOKES; i++)
        {
            assertEquals(MESSAGES_PER_DIRECTION, hubNextFrom.get(spokes[i].estateId()));
            assertEquals(MESSAGES_PER_DIRECTION, spokeNext[i]);
        }
    }

    private static int lengthOf(final long index)
    {
        return 8 + (int)(index * 7 % 2900);
    }

    private static void offerNext(
        final Stack from, final long to, final long[] sent, final int i, final UnsafeBuffer msg)
    {
        while (sent[i] < MESSAGES_PER_DIRECTION)
        {
            msg.putLong(0, sent[i]);
            if (from.offer(to, 0, msg, 0, lengthOf(sent[i])) < 0)
            {
                return;
            }
            sent[i]++;
        }
    }

    private boolean runUntil(final java.util.function.BooleanSupplier condition, final int maxSteps)
    {
        for (int step = 0; step < maxSteps; step++)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            clock.advance(10_000);
            epochClock.advance(1);
            for (final Stack stack : stacks)
            {
                stack.doWork();
            }
        }
        return condition.getAsBoolean();
    }
}
