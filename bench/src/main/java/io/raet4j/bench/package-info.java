/**
 * Benchmarks of raet4j: JMH benchmarks of the codec and of a pair of stacks on loopback UDP, meant to run with
 * {@code -prof gc} to prove the hot paths allocate nothing, and a ping-pong that measures round-trip latency of
 * raet4j against raw {@code DatagramChannel} UDP in the same run. {@link io.raet4j.bench.BenchMain} is the entry
 * point of the shaded jar.
 */
package io.raet4j.bench;
