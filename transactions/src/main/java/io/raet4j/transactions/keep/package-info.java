/**
 * The keep: a directory per stack holding the local estate's identity (name, id, Ed25519 signing and X25519
 * key-agreement keys) and one file per remote estate with its public keys and acceptance status. {@link
 * io.raet4j.transactions.keep.Keep} reads and writes it with atomic, fsync'd replaces and a cross-process lock, so a
 * command line tool may change it while a stack runs; {@link io.raet4j.transactions.keep.KeepWriter} keeps that I/O off
 * the duty cycle and {@link io.raet4j.transactions.keep.KeepWatcher} notices changes made by other processes, looked
 * for by one keep-watch thread shared by all the stacks of a process. The file format is specified in
 * {@code spec/KEEP.md}.
 */
package io.raet4j.transactions.keep;
