package io.raet4j.transactions.message;

import io.raet4j.codec.sbe.DeliveryMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The receive side of a channel on its own.
 */
class ReceiveChannelTest
{
    private static final int WINDOW = 64;
    private static final int MAX_PAYLOAD = 1333;

    private final ReceiveChannel channel = new ReceiveChannel(3, WINDOW, MAX_PAYLOAD, 1 << 20);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[MAX_PAYLOAD]);
    private final List<Byte> received = new ArrayList<>();

    @Test
    @Timeout(10)
    void shouldSkipABestEffortChannelFarAheadInOneStepNotOneSequenceAtATime()
    {
        // Found by StackReceiveFuzzTest (best-effort-data-seq-far-ahead): a Data frame 2^62 sequences ahead made
        // skipTo count up to it one by one, and the duty cycle never came back.
        assertEquals(ReceiveChannel.ACCEPTED, onData(5, 'a'));
        final long farAhead = 1L << 62;
        assertEquals(ReceiveChannel.ACCEPTED, onData(farAhead, 'b'));
        assertEquals(ReceiveChannel.DUPLICATE, onData(7, 'c'));

        poll();
        assertEquals(List.of((byte)'b'), received);
        assertEquals(ReceiveChannel.ACCEPTED, onData(farAhead + 1, 'd'));
        poll();
        assertEquals(List.of((byte)'b', (byte)'d'), received);
    }

    @Test
    void shouldStillDropWhatASkipWithinTheWindowPassesAndKeepWhatItDoesNot()
    {
        assertEquals(ReceiveChannel.ACCEPTED, onData(0, 'a'));
        assertEquals(ReceiveChannel.ACCEPTED, onData(10, 'b'));
        // Past the window from 0: the skip frees seq 0 but keeps 10, which is still inside the new window.
        assertEquals(ReceiveChannel.ACCEPTED, onData(WINDOW + 5, 'c'));

        poll();
        assertEquals(List.of((byte)'b', (byte)'c'), received);
    }

    private int onData(final long seq, final char content)
    {
        payload.putByte(0, (byte)content);

        return channel.onData(DeliveryMode.BEST_EFFORT, true, true, seq, 1, payload, 0, 1);
    }

    private void poll()
    {
        channel.poll((estateId, ch, buffer, offset, length) -> received.add(buffer.getByte(offset)), 1L, 100);
    }
}
