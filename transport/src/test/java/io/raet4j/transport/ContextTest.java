package io.raet4j.transport;

import io.raet4j.codec.sbe.DeliveryMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ContextTest
{
    @Test
    void shouldRefuseUnknownAcceptPolicy()
    {
        assertThrows(IllegalArgumentException.class, () -> new Context().acceptPolicy("sometimes").conclude());
        assertEquals("never", new Context().acceptPolicy("NEVER").conclude().acceptPolicy());
    }

    @Test
    void shouldFillDefaultsOnConclude()
    {
        final Context ctx = new Context().conclude();
        assertEquals(0, ctx.estateId(), "0 until launch: the id comes from the keep's identity");
        assertNotNull(ctx.name());
        assertEquals("once", ctx.acceptPolicy());
        assertTrue(ctx.encryption());
        assertNull(ctx.keepDir());
        assertNotNull(ctx.nanoClock());
        assertNotNull(ctx.idleStrategy());
        assertNotNull(ctx.statusDir());
        assertEquals(Context.MTU_DEFAULT, ctx.mtuBytes());
        assertEquals(DeliveryMode.RELIABLE_ORDERED, ctx.channelMode(0));
    }

    @Test
    void shouldRefuseSecondConclude()
    {
        final Context ctx = new Context().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }

    @Test
    void shouldRejectOutOfRangeSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new Context().mtuBytes(100).conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().maxMessageBytes(0).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new Context().maxMessageBytes(Context.MAX_MESSAGE_LIMIT + 1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new Context().livenessTimeoutNs(10).keepaliveIntervalNs(20).conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().minRtoNs(10).initialRtoNs(5).conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().name("").conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().channelMode(256, DeliveryMode.BEST_EFFORT));
    }

    @Test
    void shouldAllowMessagesUpToOneGibibyteAndRaiseSendBufferToFit()
    {
        final Context ctx = new Context().maxMessageBytes(Context.MAX_MESSAGE_LIMIT).conclude();
        assertEquals(Context.MAX_MESSAGE_LIMIT, ctx.maxMessageBytes());
        assertEquals(Context.MAX_MESSAGE_LIMIT, ctx.sendBufferMaxBytes());
    }
}
