package io.raet4j.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextTest
{
    @Test
    void shouldFillDefaultsOnConclude()
    {
        final Context ctx = new Context().conclude();
        assertEquals(0, ctx.estateId(), "0 until launch: the id comes from the keep's identity");
        assertNotNull(ctx.name());
        assertNotNull(ctx.nanoClock());
        assertNotNull(ctx.epochClock());
        assertNotNull(ctx.random());
        assertNotNull(ctx.idleStrategy());
        assertNotNull(ctx.statusDir());
        assertEquals(Context.MTU_DEFAULT, ctx.mtuBytes());
        assertEquals(Context.ThreadingMode.INVOKER, ctx.threadingMode());
        assertTrue(ctx.isConcluded());
    }

    @Test
    void shouldRefuseSecondConclude()
    {
        final Context ctx = new Context().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }

    @Test
    void shouldRejectOutOfRangeSettingsNamingTheSettingAndItsRange()
    {
        final IllegalArgumentException mtu =
            assertThrows(IllegalArgumentException.class, () -> new Context().mtuBytes(100).conclude());
        assertEquals("mtuBytes must be in [576, 65000]: 100", mtu.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Context().name("").conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().socketReceiveBufferBytes(-1).conclude());
        assertThrows(IllegalArgumentException.class, () -> new Context().stallThresholdNs(0).conclude());
    }
}
