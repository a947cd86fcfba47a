package io.raet4j.bench.harness;

import java.util.List;

/**
 * One system the harness measures (raw UDP, raet4j on a media and encryption setting, Aeron on a media): round-trip
 * latency by ping-pong and one-way reliable throughput, each message of the given size, in threads it starts and
 * stops itself. Every row it returns states its idle strategy and threading.
 */
public interface SystemUnderTest
{
    /**
     * Label for progress output, e.g. {@code aeron udp (SHARED, busy-spin)}.
     *
     * @return the label.
     */
    String label();

    /**
     * Ping-pong: {@code warmup} round trips not recorded, then {@code count} recorded.
     *
     * @param sizeBytes message size, 32 B to 64 KiB.
     * @param warmup    round trips first, not recorded.
     * @param count     round trips recorded.
     * @return the five latency rows ({@link Rows#latency}).
     * @throws Exception if the run fails or times out.
     */
    List<Row> latency(int sizeBytes, int warmup, int count) throws Exception;

    /**
     * One way: the sender sends as fast as the system lets it for about {@code seconds} after a warm-up; the
     * receiver verifies each message (its length and a sequence number in its first 8 bytes, in order) and only
     * verified messages count.
     *
     * @param sizeBytes message size, 32 B to 64 KiB.
     * @param seconds   measured duration.
     * @return the two throughput rows ({@link Rows#throughput}).
     * @throws Exception if the run fails, a message fails verification, or the run times out.
     */
    List<Row> throughput(int sizeBytes, double seconds) throws Exception;
}
