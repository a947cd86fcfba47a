package io.raet4j.sodium;

import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.crypto.PacketAeadProvider;

/**
 * Offers {@link SodiumChaCha20Poly1305} to the codec's {@code PacketAeadFactory} under the name {@value #NAME},
 * available when libsodium loads.
 * <p>
 * <b>Threading:</b> thread safe.
 */
public final class SodiumPacketAeadProvider implements PacketAeadProvider
{
    /**
     * Name that forces this implementation ({@code -Draet4j.aead=sodium}).
     */
    public static final String NAME = "sodium";

    /**
     * Code of this implementation in the stack's AEAD counter.
     */
    public static final int CODE = 2;

    /**
     * Found by {@link java.util.ServiceLoader}.
     */
    public SodiumPacketAeadProvider()
    {
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int code()
    {
        return CODE;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String unavailableReason()
    {
        try
        {
            return Sodium.unavailableReason();
        }
        catch (final LinkageError ex)
        {
            // jffi's own native stub or a class of the binding did not load: the stack runs on without libsodium.
            return "libsodium binding did not load: " + ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public PacketAead newAead()
    {
        return new SodiumChaCha20Poly1305();
    }
}
