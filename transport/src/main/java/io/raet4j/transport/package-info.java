/**
 * The transport layer: the stack's {@link io.raet4j.transport.Context}, its media ({@code media}) and its
 * observability ({@code status}: counters and the error log in a memory-mapped file), with the start-up checks every
 * stack needs: the JVM's flags ({@link io.raet4j.transport.JvmFlags}) and private directories
 * ({@link io.raet4j.transport.PrivateDirectory}). Transactions build on it.
 */
package io.raet4j.transport;
