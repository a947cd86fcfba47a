package io.raet4j.codec.crypto;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Chooses which {@link PacketAead} implementation seals and opens packets, and makes instances of it.
 * <p>
 * By name: {@value #AUTO} (the default) takes the first {@link PacketAeadProvider} found by {@link ServiceLoader}
 * that is available here (libsodium when {@code raet4j-sodium} is on the path and its library loads) and falls back
 * to the pure-Java {@link BcChaCha20Poly1305} otherwise, so a missing native library never stops a stack;
 * {@value #JAVA} forces the pure-Java one; any other name forces the provider of that name and fails if it is
 * missing or unavailable, because an operator who asked for it by name wants to know. Every choice speaks the same
 * RFC 8439 wire format, so two ends interoperate whatever each chose.
 * <p>
 * <b>Threading:</b> immutable, thread safe. Choosing is control plane (it loads services and libraries).
 */
public final class PacketAeadFactory
{
    /**
     * System property naming the implementation: {@value #AUTO}, {@value #JAVA} or a provider's name such as
     * {@code sodium}.
     */
    public static final String AEAD_PROP_NAME = "raet4j.aead";

    /**
     * Take the fastest available, falling back to the pure-Java one.
     */
    public static final String AUTO = "auto";

    /**
     * The pure-Java implementation, {@link BcChaCha20Poly1305}.
     */
    public static final String JAVA = "java";

    /**
     * Default of {@link #AEAD_PROP_NAME}.
     */
    public static final String AEAD_DEFAULT = AUTO;

    /**
     * {@link #code()} of the pure-Java implementation.
     */
    public static final int JAVA_CODE = 1;

    private static final PacketAeadFactory JAVA_FACTORY = new PacketAeadFactory(JAVA, JAVA_CODE, null, "pure Java");

    private final String name;
    private final int code;
    private final PacketAeadProvider provider;
    private final String description;

    private PacketAeadFactory(
        final String name, final int code, final PacketAeadProvider provider, final String description)
    {
        this.name = name;
        this.code = code;
        this.provider = provider;
        this.description = description;
    }

    /**
     * The pure-Java implementation, always available.
     *
     * @return the factory of {@link BcChaCha20Poly1305}.
     */
    public static PacketAeadFactory java()
    {
        return JAVA_FACTORY;
    }

    /**
     * The implementation named by the system property {@link #AEAD_PROP_NAME}, {@value #AEAD_DEFAULT} if unset.
     *
     * @return the chosen factory.
     * @throws IllegalStateException if a provider was named and is missing or unavailable.
     */
    public static PacketAeadFactory fromSystemProperty()
    {
        return select(System.getProperty(AEAD_PROP_NAME, AEAD_DEFAULT));
    }

    /**
     * The implementation of a name, as described in the class comment.
     *
     * @param choice {@value #AUTO}, {@value #JAVA} or a provider's name; null means {@value #AUTO}.
     * @return the chosen factory.
     * @throws IllegalStateException if a provider was named and is missing or unavailable.
     */
    public static PacketAeadFactory select(final String choice)
    {
        final String wanted = null == choice || choice.isBlank() ? AUTO : choice.trim();
        if (JAVA.equals(wanted))
        {
            return JAVA_FACTORY;
        }

        final StringBuilder unavailable = new StringBuilder();
        try
        {
            for (final PacketAeadProvider provider : ServiceLoader.load(PacketAeadProvider.class))
            {
                if (AUTO.equals(wanted) || provider.name().equals(wanted))
                {
                    final String reason = provider.unavailableReason();
                    if (null == reason)
                    {
                        return new PacketAeadFactory(provider.name(), provider.code(), provider, provider.name());
                    }
                    unavailable.append(unavailable.length() > 0 ? "; " : "").append(provider.name()).append(": ")
                        .append(reason);
                }
            }
        }
        catch (final ServiceConfigurationError | LinkageError ex)
        {
            // A provider that cannot even be instantiated is as good as absent: the automatic choice goes on.
            unavailable.append(unavailable.length() > 0 ? "; " : "").append(ex);
        }

        if (AUTO.equals(wanted))
        {
            final String why = unavailable.length() > 0 ? unavailable.toString() : "no native provider on the path";
            return new PacketAeadFactory(JAVA, JAVA_CODE, null, "pure Java (" + why + ")");
        }

        throw new IllegalStateException(AEAD_PROP_NAME + "=" + wanted + " is not available: " +
            (unavailable.length() > 0 ? unavailable : "no such provider on the path"));
    }

    /**
     * Short name of the implementation chosen: {@value #JAVA} or a provider's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Number of the implementation chosen, for a counter: {@link #JAVA_CODE} or the provider's
     * {@link PacketAeadProvider#code()}.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * What was chosen and, for a fallback, why the others were not, for an operator.
     *
     * @return a description.
     */
    public String description()
    {
        return description;
    }

    /**
     * A new instance without a key. Control plane: may allocate.
     *
     * @return a new {@link PacketAead} of the chosen implementation.
     */
    public PacketAead newAead()
    {
        return null == provider ? new BcChaCha20Poly1305() : provider.newAead();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return name + " (" + description + ")";
    }
}
