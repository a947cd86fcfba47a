/**
 * The wire: SBE codecs generated from {@code spec/raet-schema.xml}, {@code PacketWriter} and {@code PacketReader}
 * (framing, checksum, validation) and the AEAD that seals datagrams.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.codec
{
    requires transitive org.agrona;
    requires org.bouncycastle.provider;

    exports io.raet4j.codec;
    exports io.raet4j.codec.sbe;
    exports io.raet4j.codec.crypto;

    // AEAD implementations outside this module (raet4j-sodium), chosen by PacketAeadFactory.
    uses io.raet4j.codec.crypto.PacketAeadProvider;
}
