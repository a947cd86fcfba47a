package io.raet4j.codec.crypto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Without any provider on the path (the codec's own tests), the automatic choice is the pure-Java implementation and
 * never fails, while a provider asked for by name is an error.
 */
class PacketAeadFactoryTest
{
    @Test
    void shouldFallBackToPureJavaWhenNoProviderIsOnThePath()
    {
        final PacketAeadFactory factory = PacketAeadFactory.select(null);
        assertEquals(PacketAeadFactory.JAVA, factory.name());
        assertEquals(PacketAeadFactory.JAVA_CODE, factory.code());
        assertInstanceOf(BcChaCha20Poly1305.class, factory.newAead());
    }

    @Test
    void shouldRefuseAMissingProviderAskedForByName()
    {
        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> PacketAeadFactory.select("sodium"));
        assertEquals(true, ex.getMessage().contains(PacketAeadFactory.AEAD_PROP_NAME));
    }
}
