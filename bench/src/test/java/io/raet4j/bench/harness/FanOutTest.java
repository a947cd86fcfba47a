package io.raet4j.bench.harness;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FanOutTest
{
    @Test
    void shouldCountForAllSubscribersOnlyWhatTheSlowestHas()
    {
        final FanOut run = new FanOut("test", 2, 16);
        final byte[] data = new byte[16];
        for (long i = 0; i < 3; i++)
        {
            FanOut.number(data, i);
            run.onMessage(0, data);
        }
        FanOut.number(data, 0);
        run.onMessage(1, data);

        assertNull(run.failure());
        assertEquals(3, run.received(0));
        assertEquals(1, run.received(1));
        assertEquals(1, run.minReceived());
        assertEquals(1 + FanOut.WINDOW, run.limit());
    }

    @Test
    void shouldFailTheRunWhenASubscriberMissesAPublication()
    {
        final FanOut run = new FanOut("test", 1, 8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, 0);
        run.onMessage(0, buffer, 0, 8);
        buffer.putLong(0, 2);
        run.onMessage(0, buffer, 0, 8);

        assertNotNull(run.failure());
        assertTrue(run.failure().getMessage().contains("got publication 2"), run.failure()::getMessage);
        assertEquals(1, run.received(0));
        assertTrue(run.isDone());
    }

    @Test
    void shouldFailTheRunOnAPublicationOfTheWrongLength()
    {
        final FanOut run = new FanOut("test", 1, 32);

        run.onMessage(0, new byte[31]);

        assertNotNull(run.failure());
    }
}
