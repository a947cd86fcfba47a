/**
 * The packet AEAD on libsodium ({@code crypto_aead_chacha20poly1305_ietf}) through jnr-ffi, provided to the codec's
 * {@code PacketAeadFactory} as a {@code PacketAeadProvider}.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.sodium
{
    requires transitive io.raet4j.codec;
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;

    exports io.raet4j.sodium;
    // jnr-ffi implements the native call interface by reflection.
    opens io.raet4j.sodium to org.jnrproject.ffi;

    provides io.raet4j.codec.crypto.PacketAeadProvider with io.raet4j.sodium.SodiumPacketAeadProvider;
}
