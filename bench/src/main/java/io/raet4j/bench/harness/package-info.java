/**
 * The end-to-end harness ({@code raet4j-bench.jar harness}): each {@link io.raet4j.bench.harness.SystemUnderTest}
 * (raw UDP as the floor, raet4j, Aeron with an embedded driver) measured for round-trip latency and one-way reliable
 * throughput in the same run, plus the loss, MTU and scale benches, written out by
 * {@link io.raet4j.bench.harness.Report} as JSON, markdown and SVG under {@code bench/results}.
 */
package io.raet4j.bench.harness;
