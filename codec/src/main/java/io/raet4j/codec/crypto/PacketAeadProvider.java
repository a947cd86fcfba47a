package io.raet4j.codec.crypto;

/**
 * A {@link PacketAead} implementation that lives outside this module, found by {@link java.util.ServiceLoader}
 * ({@code provides io.raet4j.codec.crypto.PacketAeadProvider with ...} in a module, or a
 * {@code META-INF/services/io.raet4j.codec.crypto.PacketAeadProvider} entry on the class path) and chosen by
 * {@link PacketAeadFactory}. This keeps native bindings, such as the libsodium one in {@code raet4j-sodium}, out of
 * the codec: an application gets them by putting their module on its path.
 * <p>
 * Every implementation must produce the RFC 8439 wire format with the nonce layout of {@link PacketAead}, so that
 * ends interoperate whichever implementation each uses.
 * <p>
 * <b>Threading:</b> thread safe; {@link #newAead()} may be called from any thread.
 */
public interface PacketAeadProvider
{
    /**
     * Short name, the value of {@link PacketAeadFactory#AEAD_PROP_NAME} that forces this implementation.
     *
     * @return e.g. {@code "sodium"}.
     */
    String name();

    /**
     * A number that identifies the implementation in a counter: {@link PacketAeadFactory#JAVA_CODE} is the
     * pure-Java one; providers take other small positive values ({@code 2} is libsodium's).
     *
     * @return the code, greater than {@link PacketAeadFactory#JAVA_CODE}.
     */
    int code();

    /**
     * Why this implementation cannot be used here, or null if it can (for example a native library that did not
     * load). Called once per selection; may load libraries.
     *
     * @return null when available, else a reason for an operator.
     */
    String unavailableReason();

    /**
     * A new instance without a key. Control plane: may allocate.
     *
     * @return a new {@link PacketAead}.
     * @throws IllegalStateException if {@link #unavailableReason()} is not null.
     */
    PacketAead newAead();
}
