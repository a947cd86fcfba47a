package io.raet4j.bench.harness;

import java.util.List;

/**
 * One publish/subscribe system the harness's pubsub section measures (raet4j's pub/sub layer, core NATS, MQTT):
 * round trip by ping-pong over two topics, and one-way fan-out throughput from one publisher to N subscribers, in
 * threads it starts and stops itself. Every row it returns states its idle strategy and threading. The size of a
 * row is the application payload of one publication; topic names and each system's framing come on top.
 */
public interface PubSubSystem
{
    /**
     * Longest a round-trip run may take: a system whose round trips are pathologically slow fails its run with a
     * message instead of holding the section up.
     */
    long ROUND_TRIP_BUDGET_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    /**
     * Label for progress output, e.g. {@code nats (core, jnats)}.
     *
     * @return the label.
     */
    String label();

    /**
     * Ping-pong over topics: A publishes on {@code ping} with its send time in the first 8 bytes, B, subscribed
     * there, publishes the same bytes back on {@code pong}, to which A subscribes; {@code warmup} round trips not
     * recorded, then {@code count} recorded.
     *
     * @param sizeBytes payload, at least 8 B.
     * @param warmup    round trips first, not recorded.
     * @param count     round trips recorded.
     * @return the five latency rows ({@link Rows#latency}).
     * @throws Exception if the run fails, a round trip times out, or the run exceeds {@link #ROUND_TRIP_BUDGET_NS}.
     */
    List<Row> roundTrip(int sizeBytes, int warmup, int count) throws Exception;

    /**
     * One publisher to {@code subscribers} subscribers of one topic, as {@link FanOut} describes: publications per
     * second delivered to every subscriber.
     *
     * @param sizeBytes   payload, at least 8 B.
     * @param subscribers 1 or more.
     * @param seconds     measured window.
     * @return the two throughput rows ({@link Rows#throughput}), media naming the fan-out.
     * @throws Exception if the run fails, a publication is missing at a subscriber, or the run times out.
     */
    List<Row> fanOut(int sizeBytes, int subscribers, double seconds) throws Exception;

    /**
     * The media label of a fan-out row: the transport and the fan-out, e.g. {@code udp 1:4}.
     *
     * @param transport   e.g. {@code udp}.
     * @param subscribers the fan-out.
     * @return the label.
     */
    static String fanOutMedia(final String transport, final int subscribers)
    {
        return transport + " 1:" + subscribers;
    }

    /**
     * Fail a round-trip run that has taken longer than {@link #ROUND_TRIP_BUDGET_NS}.
     *
     * @param what     the system.
     * @param runStartNs when the run began.
     * @param done     round trips done so far.
     * @param total    round trips of the run.
     * @throws IllegalStateException if over budget.
     */
    static void checkBudget(final String what, final long runStartNs, final int done, final int total)
    {
        final long elapsedNs = System.nanoTime() - runStartNs;
        if (elapsedNs > ROUND_TRIP_BUDGET_NS)
        {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                "%s: stopped after %d of %d round trips in %.0f s (%.1f ms each)", what, done, total,
                elapsedNs / 1e9, elapsedNs / 1e6 / Math.max(1, done)));
        }
    }
}
