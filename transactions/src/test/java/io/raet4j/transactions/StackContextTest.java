package io.raet4j.transactions;

import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transport.Context;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackContextTest
{
    @Test
    void shouldRefuseUnknownAcceptPolicy()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> new StackContext().acceptPolicy("sometimes").conclude());
        assertEquals("acceptPolicy must be always, once or never: sometimes", ex.getMessage());
        assertEquals("never", new StackContext().acceptPolicy("NEVER").conclude().acceptPolicy());
    }

    @Test
    void shouldFillDefaultsOnConcludeAndConcludeTheTransportFirst()
    {
        final Context transport = new Context();
        final StackContext ctx = new StackContext(transport).conclude();
        assertSame(transport, ctx.transport());
        assertTrue(transport.isConcluded());
        assertNotNull(transport.name());
        assertEquals("once", ctx.acceptPolicy());
        assertTrue(ctx.encryption());
        assertNull(ctx.keepDir());
        assertEquals(StackContext.RECEIVE_WINDOW_DEFAULT, ctx.receiveWindowSegments());
        assertEquals(StackContext.LAYER_COUNTERS_MAX_DEFAULT, ctx.layerCountersMax());
        assertEquals(DeliveryMode.RELIABLE_ORDERED, ctx.channelMode(0));
    }

    @Test
    void shouldTakeATransportConcludedAlready()
    {
        final Context transport = new Context().name("t").conclude();
        assertTrue(new StackContext(transport).conclude().isConcluded());
    }

    @Test
    void shouldRefuseSecondConcludeAndANullTransport()
    {
        final StackContext ctx = new StackContext().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
        final NullPointerException ex = assertThrows(NullPointerException.class, () -> new StackContext(null));
        assertTrue(ex.getMessage().contains("new Context()"), ex.getMessage());
    }

    @Test
    void shouldRejectOutOfRangeSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new StackContext().maxMessageBytes(0).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new StackContext().maxMessageBytes(StackContext.MAX_MESSAGE_LIMIT + 1).conclude());
        final IllegalArgumentException liveness = assertThrows(IllegalArgumentException.class,
            () -> new StackContext().livenessTimeoutNs(10).keepaliveIntervalNs(20).conclude());
        assertTrue(liveness.getMessage().startsWith("livenessTimeoutNs (10) must exceed keepaliveIntervalNs (20)"),
            liveness.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StackContext().minRtoNs(10).initialRtoNs(5).conclude());
        assertThrows(IllegalArgumentException.class, () -> new StackContext().layerCountersMax(-1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new StackContext().channelMode(256, DeliveryMode.BEST_EFFORT));
    }

    @Test
    void shouldCheckTheReceiveWindowAgainstTheTransportsMtu()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new StackContext(new Context().mtuBytes(Context.MTU_MAX)).receiveWindowSegments(1 << 20).conclude());
        assertTrue(ex.getMessage().startsWith("receiveWindowSegments x segment payload must be at most 1 GiB"),
            ex.getMessage());
    }

    @Test
    void shouldAllowMessagesUpToOneGibibyteAndRaiseSendBufferToFit()
    {
        final StackContext ctx = new StackContext().maxMessageBytes(StackContext.MAX_MESSAGE_LIMIT).conclude();
        assertEquals(StackContext.MAX_MESSAGE_LIMIT, ctx.maxMessageBytes());
        assertEquals(StackContext.MAX_MESSAGE_LIMIT, ctx.sendBufferMaxBytes());
    }
}
