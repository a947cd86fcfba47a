package io.raet4j.sodium;

import io.raet4j.codec.crypto.BcChaCha20Poly1305;
import io.raet4j.codec.crypto.PacketAeadFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With this module on the path, {@link PacketAeadFactory} finds libsodium through {@link java.util.ServiceLoader},
 * prefers it when it loads, and still gives the pure-Java implementation when asked.
 */
class SodiumPacketAeadProviderTest
{
    @Test
    void shouldChooseLibsodiumAutomaticallyWhenItLoads()
    {
        assumeTrue(Sodium.isAvailable(), Sodium::unavailableReason);
        final PacketAeadFactory factory = PacketAeadFactory.select(PacketAeadFactory.AUTO);
        assertEquals(SodiumPacketAeadProvider.NAME, factory.name());
        assertEquals(SodiumPacketAeadProvider.CODE, factory.code());
        assertInstanceOf(SodiumChaCha20Poly1305.class, factory.newAead());
    }

    @Test
    void shouldGiveLibsodiumWhenForcedByName()
    {
        assumeTrue(Sodium.isAvailable(), Sodium::unavailableReason);
        assertInstanceOf(SodiumChaCha20Poly1305.class, PacketAeadFactory.select("sodium").newAead());
    }

    @Test
    void shouldFallBackToJavaWhenAutomaticAndLibsodiumIsMissing()
    {
        assumeTrue(!Sodium.isAvailable(), "libsodium loads here");
        final PacketAeadFactory factory = PacketAeadFactory.select(PacketAeadFactory.AUTO);
        assertEquals(PacketAeadFactory.JAVA, factory.name());
        assertThrows(IllegalStateException.class, () -> PacketAeadFactory.select("sodium"));
    }

    @Test
    void shouldGiveThePureJavaImplementationWhenForced()
    {
        final PacketAeadFactory factory = PacketAeadFactory.select(PacketAeadFactory.JAVA);
        assertEquals(PacketAeadFactory.JAVA_CODE, factory.code());
        assertInstanceOf(BcChaCha20Poly1305.class, factory.newAead());
    }

    @Test
    void shouldRefuseAnUnknownName()
    {
        assertThrows(IllegalStateException.class, () -> PacketAeadFactory.select("rot13"));
    }
}
