package io.raet4j.transactions;

import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import io.raet4j.transport.status.CounterDescriptor;
import io.raet4j.transport.status.CounterSet;
import io.raet4j.transport.status.StatusFile;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seams a layer above the transport builds on: channels it reserves, polls of some channels, controlled polls
 * whose handler can leave a message unconsumed, and estates polled in turn. Real stacks on loopback, clocks injected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LayerSeamsTest
{
    /** A layer's own counters, declared above the stack without editing it or the transport. */
    enum LayerCounter implements CounterDescriptor
    {
        INTEREST_SENT(2990, "Interest frames sent"),
        PUBLICATIONS(2991, "Publications");

        private final int id;
        private final String label;

        LayerCounter(final int id, final String label)
        {
            this.id = id;
            this.label = label;
        }

        public int id()
        {
            return id;
        }

        public String label()
        {
            return label;
        }
    }

    @TempDir
    Path tempDir;

    private StackPair pair;
    private Stack a;
    private Stack b;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[8192]);

    @BeforeEach
    void setUp()
    {
        pair = new StackPair(tempDir);
        a = pair.startA(FaultProfile.none(), ctx -> {});
        b = pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.joinAtoB();
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @Test
    void shouldKeepReservedChannelsFromTheApplication()
    {
        final ChannelReservation atA = a.reserveChannels("pubsub", ChannelSet.range(250, 6));
        final ChannelReservation atB = b.reserveChannels("pubsub", ChannelSet.range(250, 6));
        final IllegalStateException overlap =
            assertThrows(IllegalStateException.class, () -> a.reserveChannels("other", ChannelSet.of(255)));
        assertTrue(overlap.getMessage().contains("reserved by pubsub"), overlap.getMessage());

        assertEquals(Stack.CHANNEL_RESERVED, a.offer(b.estateId(), 252, message, 0, 8));
        assertEquals(Stack.CHANNEL_RESERVED, a.tryClaim(b.estateId(), 252, 8, new BufferClaim()));
        assertEquals(Stack.INVALID_CHANNEL, atA.offer(b.estateId(), 7, message, 0, 8), "not the layer's channel");
        message.putLong(0, 1);
        assertTrue(atA.offer(b.estateId(), 252, message, 0, 8) >= 0);
        message.putLong(0, 2);
        assertTrue(a.offer(b.estateId(), 7, message, 0, 8) >= 0);

        final List<String> application = new ArrayList<>();
        final List<String> layer = new ArrayList<>();
        assertTrue(pair.runUntil(() ->
        {
            b.poll((id, channel, buffer, offset, length) ->
                application.add(channel + ":" + buffer.getLong(offset)), 10);
            atB.poll((id, channel, buffer, offset, length) -> layer.add(channel + ":" + buffer.getLong(offset)), 10);
            return application.size() + layer.size() == 2;
        }, 100_000));
        assertEquals(List.of("7:2"), application);
        assertEquals(List.of("252:1"), layer);

        atA.close();
        assertTrue(a.offer(b.estateId(), 252, message, 0, 8) >= 0, "released");
    }

    @Test
    void shouldGiveTheOutcomesOfReservedChannelsToTheLayerOnly()
    {
        final ChannelReservation atA = a.reserveChannels("pubsub", ChannelSet.of(250));
        final ChannelReservation atB = b.reserveChannels("pubsub", ChannelSet.of(250));
        final List<String> application = new ArrayList<>();
        final List<String> layer = new ArrayList<>();
        a.addDeliveryHandler(new RecordingOutcomes("app", application));
        final RecordingOutcomes layerOutcomes = new RecordingOutcomes("layer", layer);
        atA.addDeliveryHandler(layerOutcomes);

        final long onReserved = atA.offer(b.estateId(), 250, message, 0, 8);
        final long onApplication = a.offer(b.estateId(), 3, message, 0, 8);
        assertTrue(pair.runUntil(() ->
        {
            atB.poll((id, channel, buffer, offset, length) -> {}, 10);
            b.poll((id, channel, buffer, offset, length) -> {}, 10);
            return application.size() + layer.size() == 2;
        }, 100_000));

        assertEquals(List.of("app:3:" + onApplication), application);
        assertEquals(List.of("layer:250:" + onReserved), layer);

        assertTrue(atA.removeDeliveryHandler(layerOutcomes));
        atA.close();
        final long released = a.offer(b.estateId(), 250, message, 0, 8);
        assertTrue(pair.runUntil(() ->
        {
            atB.poll((id, channel, buffer, offset, length) -> {}, 10);
            return application.size() == 2;
        }, 100_000));
        assertEquals("app:250:" + released, application.get(1), "released: the application's again");
        assertEquals(1, layer.size());
    }

    private record RecordingOutcomes(String who, List<String> seen) implements DeliveryHandler
    {
        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            seen.add(who + ":" + channel + ":" + messageId);
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            seen.add(who + ":failed:" + channel + ":" + messageId);
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            seen.add(who + ":uncertain:" + channel + ":" + messageId);
        }
    }

    @Test
    void shouldPollOnlyTheChannelsAsked()
    {
        for (long i = 0; i < 6; i++)
        {
            message.putLong(0, i);
            assertTrue(a.offer(b.estateId(), 1 + (int)(i % 2), message, 0, 8) >= 0);
        }
        settle(null);
        final ChannelSet two = ChannelSet.of(2);
        final List<String> received = new ArrayList<>();
        pair.runUntil(() ->
        {
            b.poll((id, channel, buffer, offset, length) -> received.add(channel + ":" + buffer.getLong(offset)), 10,
                two);
            return received.size() == 3;
        }, 100_000);
        assertEquals(List.of("2:1", "2:3", "2:5"), received);
        received.clear();
        assertEquals(3, b.poll((id, channel, buffer, offset, length) ->
            received.add(channel + ":" + buffer.getLong(offset)), 10));
        assertEquals(List.of("1:0", "1:2", "1:4"), received);
    }

    @Test
    void shouldHandAnAbortedMessageOverAgainWhole()
    {
        // 5,000 bytes: four segments at the default MTU, so the abort comes after reassembly.
        for (long i = 0; i < 3; i++)
        {
            message.setMemory(0, 5000, (byte)i);
            assertTrue(a.offer(b.estateId(), 0, message, 0, 5000) >= 0);
        }
        settle(null);
        final List<Integer> seen = new ArrayList<>();
        final int[] aborts = {2};
        final ControlledMessageHandler handler = (id, channel, buffer, offset, length) ->
        {
            assertEquals(5000, length);
            for (int i = 0; i < length; i++)
            {
                assertEquals(buffer.getByte(offset), buffer.getByte(offset + i), "the message is whole");
            }
            seen.add((int)buffer.getByte(offset));
            if (aborts[0] > 0)
            {
                aborts[0]--;
                return ControlledMessageHandler.Action.ABORT;
            }
            return ControlledMessageHandler.Action.BREAK;
        };
        final long ackedBefore = b.counter(StackCounterDescriptor.ACKS_SENT);
        assertEquals(0, b.controlledPoll(handler, 10), "aborted: nothing consumed");
        assertEquals(0, b.controlledPoll(handler, 10), "aborted again");
        assertEquals(1, b.controlledPoll(handler, 10), "consumed, then the handler stopped the poll");
        assertEquals(List.of(0, 0, 0), seen, "the same message three times, the rest left");
        assertEquals(2, b.controlledPoll((id, channel, buffer, offset, length) ->
        {
            seen.add((int)buffer.getByte(offset));
            return ControlledMessageHandler.Action.CONTINUE;
        }, 10));
        assertEquals(List.of(0, 0, 0, 1, 2), seen);
        assertTrue(pair.runUntil(() ->
            b.counter(StackCounterDescriptor.ACKS_SENT) > ackedBefore, 10_000));
    }

    @Test
    void shouldKeepALayersCountersInTheStatusFileAndTheirLastValuesAfterClose()
    {
        final CounterSet<LayerCounter> counters = a.addCounters(LayerCounter.class);
        counters.get(LayerCounter.PUBLICATIONS).getAndAdd(5);
        final Map<Integer, Long> seen = new HashMap<>();
        try (StatusFile.Reader reader = StatusFile.Reader.open(a.statusFile()))
        {
            reader.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
                seen.put(typeId, reader.countersReader().getCounterValue(counterId)));
        }
        assertEquals(5L, seen.get(LayerCounter.PUBLICATIONS.id()), "another process sees the layer's counter");
        assertEquals(0L, seen.get(LayerCounter.INTEREST_SENT.id()));
        assertTrue(seen.containsKey(StackCounterDescriptor.JOINS.id()) &&
            seen.containsKey(io.raet4j.transport.status.TransportCounterDescriptor.PACKETS_SENT.id()),
            "beside the transport's and the stack's: " + seen.keySet());

        a.close();

        assertEquals(5, counters.value(LayerCounter.PUBLICATIONS));
        final IllegalStateException closed =
            assertThrows(IllegalStateException.class, () -> a.addCounters(LayerCounter.class));
        assertTrue(closed.getMessage().startsWith("stack is closed"), closed.getMessage());
    }

    @Test
    void shouldPollEstatesInTurn()
    {
        final StackContext ctx = new StackContext(new Context().name("gamma").estateId(0xC3)
            .media(UdpMedia.open("127.0.0.1:0", Context.MTU_DEFAULT, Context.SOCKET_RCVBUF_DEFAULT,
                Context.SOCKET_SNDBUF_DEFAULT, pair.mediaErrors::add))
            .nanoClock(pair.clockB).epochClock(pair.epochClock).statusDir(tempDir.resolve("gamma")))
            .keepDir(tempDir.resolve("keep-gamma"));
        final Stack c = Stack.launch(ctx);
        try
        {
            c.join(pair.addressOf(b));
            assertTrue(pair.runUntil(() ->
            {
                c.doWork();
                return c.isJoined(b.estateId()) && b.isJoined(c.estateId());
            }, 100_000));
            for (int i = 0; i < 40; i++)
            {
                message.putLong(0, i);
                assertTrue(a.offer(b.estateId(), 0, message, 0, 8) >= 0);
                assertTrue(c.offer(b.estateId(), 0, message, 0, 8) >= 0);
            }
            settle(c);
            final long[] fromA = {0};
            final long[] fromC = {0};
            final MessageHandler count = (id, channel, buffer, offset, length) ->
            {
                if (id == a.estateId())
                {
                    fromA[0]++;
                }
                else
                {
                    fromC[0]++;
                }
            };
            assertEquals(10, b.poll(count, 10));
            assertEquals(10, b.poll(count, 10));
            assertEquals(10, fromA[0], "each poll starts with the next estate");
            assertEquals(10, fromC[0]);
            assertEquals(10, b.poll(count, 10));
            assertEquals(10, b.poll(count, 10));
            assertEquals(20, fromA[0]);
            assertEquals(20, fromC[0]);
        }
        finally
        {
            CloseHelper.quietClose(c);
        }
    }

    /**
     * Run long enough for everything offered to arrive (the receiver only acknowledges delivery once polled).
     */
    private void settle(final Stack third)
    {
        for (int i = 0; i < 2_000; i++)
        {
            pair.step();
            if (null != third)
            {
                third.doWork();
            }
        }
    }
}
