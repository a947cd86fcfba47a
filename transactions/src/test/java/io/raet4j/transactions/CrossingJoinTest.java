package io.raet4j.transactions;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.sbe.JoinAckDecoder;
import io.raet4j.transport.media.FaultProfile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crossing joins that a lost JoinAck sets off: the acceptor's first sealed packet reaches the joiner before the
 * JoinAck, the joiner asks for a renewal, the acceptor joins back, and the joiner's own join completes later from a
 * retransmitted JoinAck. Found by the pub/sub layer's loss test (its interest never arrived): the acceptor renewed
 * when its join back completed and destroyed the keys of the first join, then answered the joiner's retransmitted
 * Join with the JoinAck it had kept, which installed those destroyed keys at the joiner as a renewal. The two ends
 * sealed with keys the other did not hold, for good. Now a JoinAck kept for retransmissions is forgotten when other
 * keys are installed, and the retransmitted Join gets a fresh answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossingJoinTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @Test
    void shouldEndWithKeysBothSidesHoldAfterALostJoinAckSetsOffCrossingJoins()
    {
        pair = new StackPair(tempDir);
        final Stack acceptor = pair.startA(FaultProfile.none(), (ctx) -> {});
        final Stack joiner = pair.startB(FaultProfile.none(), (ctx) -> {}, "127.0.0.1:0");
        final PacketReader reader = new PacketReader();
        final int[] joinAcksDropped = {0};
        pair.recorderA.dropIf = (datagram) ->
        {
            if (0 == joinAcksDropped[0] && PacketReader.OK == reader.wrap(new UnsafeBuffer(datagram), 0,
                datagram.length) && reader.nextFrame() && JoinAckDecoder.TEMPLATE_ID == reader.templateId())
            {
                joinAcksDropped[0]++;
                return true;
            }
            return false;
        };
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        final List<String> presence = new ArrayList<>();
        acceptor.addPresenceHandler((id, name, event) ->
        {
            presence.add("acceptor:" + event);
            if (PresenceEvent.JOINED == event || PresenceEvent.RENEWED == event)
            {
                // The first sealed packet races the JoinAck, as a layer's greeting does.
                message.putLong(0, 1);
                acceptor.offer(id, 5, message, 0, 8);
            }
        });
        joiner.addPresenceHandler((id, name, event) ->
        {
            presence.add("joiner:" + event);
            if (PresenceEvent.JOINED == event || PresenceEvent.RENEWED == event)
            {
                message.putLong(0, 2);
                joiner.offer(id, 5, message, 0, 8);
            }
        });

        joiner.join(pair.addressOf(acceptor));
        final List<Long> atAcceptor = new ArrayList<>();
        final List<Long> atJoiner = new ArrayList<>();
        final boolean delivered = pair.runUntil(() ->
        {
            acceptor.poll((id, channel, buffer, offset, length) -> atAcceptor.add(buffer.getLong(offset)), 10);
            joiner.poll((id, channel, buffer, offset, length) -> atJoiner.add(buffer.getLong(offset)), 10);
            return !atAcceptor.isEmpty() && !atJoiner.isEmpty() &&
                0 == acceptor.outstandingMessages(joiner.estateId()) &&
                0 == joiner.outstandingMessages(acceptor.estateId());
        }, 500_000);

        assertEquals(1, joinAcksDropped[0], "the first JoinAck was lost");
        assertTrue(delivered, "both sides' messages arrive and are confirmed: " + presence + " acceptor " +
            StackPair.nonZeroCounters(acceptor) + " joiner " + StackPair.nonZeroCounters(joiner) +
            " outstanding " + acceptor.outstandingMessages(joiner.estateId()) + "/" +
            joiner.outstandingMessages(acceptor.estateId()));
        final long unknownKeys = acceptor.counter(StackCounterDescriptor.UNKNOWN_KEY_PACKETS) +
            joiner.counter(StackCounterDescriptor.UNKNOWN_KEY_PACKETS);
        message.putLong(0, 3);
        assertTrue(joiner.offer(acceptor.estateId(), 5, message, 0, 8) >= 0);
        assertTrue(pair.runUntil(() ->
        {
            acceptor.poll((id, channel, buffer, offset, length) -> atAcceptor.add(buffer.getLong(offset)), 10);
            return atAcceptor.contains(3L) && 0 == joiner.outstandingMessages(acceptor.estateId());
        }, 100_000));
        assertEquals(unknownKeys, acceptor.counter(StackCounterDescriptor.UNKNOWN_KEY_PACKETS) +
            joiner.counter(StackCounterDescriptor.UNKNOWN_KEY_PACKETS), "once joined, every packet opens");
    }
}
