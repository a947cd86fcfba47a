/**
 * Wire format of raet4j: the packet framing (header, frames, checksum) on top of the SBE codecs generated from
 * {@code spec/raet-schema.xml} into {@code io.raet4j.codec.sbe}. Nothing here allocates on the hot path.
 */
package io.raet4j.codec;
