/**
 * The transport: the context, the media seam and its UDP media, the estate registry and the status file.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.transport
{
    requires transitive io.raet4j.codec;
    requires transitive org.agrona;
    requires jdk.security.auth;

    exports io.raet4j.transport;
    exports io.raet4j.transport.media;
    exports io.raet4j.transport.status;

    uses io.raet4j.transport.media.MediaProvider;
}
