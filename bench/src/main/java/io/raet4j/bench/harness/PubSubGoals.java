package io.raet4j.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The goals of issue 12 for the pub/sub layer, computed from the rows of one run and reported, never asserted:
 * <ul>
 *     <li>pub/sub round trip p50 within 1.2x of raet4j's own message round trip ({@code offer}), per size and
 *     encryption setting;</li>
 *     <li>NATS's round trip p50 at least 5x pub/sub's, per size, for pub/sub encrypted and clear;</li>
 *     <li>pub/sub 32 B throughput at least NATS's, per fan-out, encrypted and clear.</li>
 * </ul>
 * Also the markdown of the section: a fan-out table, the goals with their ratios, the definition of the throughput
 * figure and Zenoh's published figures as a reference.
 */
public final class PubSubGoals
{
    /** Most pub/sub round trip p50 as a multiple of raet4j's offer round trip p50. */
    public static final double RTT_VS_OFFER_MAX = 1.2;
    /** Least NATS round trip p50 as a multiple of pub/sub's. */
    public static final double NATS_RTT_MIN = 5.0;
    /** Least pub/sub 32 B throughput as a multiple of NATS's. */
    public static final double THROUGHPUT_VS_NATS_MIN = 1.0;
    /** Size of the throughput goal. */
    public static final int THROUGHPUT_GOAL_SIZE = 32;

    private PubSubGoals()
    {
    }

    /**
     * One goal, measured.
     *
     * @param goal      what is compared, e.g. {@code pub/sub RTT p50 / raet4j offer RTT p50}.
     * @param subject   which rows, e.g. {@code 32 B, encrypted}.
     * @param numerator the figure above the line, NaN if not measured.
     * @param divisor   the figure below the line, NaN if not measured.
     * @param target    the goal's bound for the ratio.
     * @param isAtMost  true if the ratio must be at most the target, false if at least.
     */
    public record Goal(
        String goal, String subject, double numerator, double divisor, double target, boolean isAtMost)
    {
        /**
         * The ratio.
         *
         * @return numerator / divisor, NaN if either is missing or the divisor is not positive.
         */
        public double ratio()
        {
            return Double.isNaN(numerator) || Double.isNaN(divisor) || divisor <= 0 ? Double.NaN : numerator / divisor;
        }

        /**
         * Whether both figures were measured.
         *
         * @return true if the ratio is a number.
         */
        public boolean isMeasured()
        {
            return !Double.isNaN(ratio());
        }

        /**
         * Whether the goal is met.
         *
         * @return false if not measured.
         */
        public boolean isMet()
        {
            final double ratio = ratio();
            return isMeasured() && (isAtMost ? ratio <= target : ratio >= target);
        }
    }

    /**
     * The goals of a run.
     *
     * @param rows     of the run.
     * @param sizes    sizes of the round-trip goals.
     * @param fanOuts  fan-outs of the throughput goal.
     * @return every goal, measured or not.
     */
    public static List<Goal> goals(final List<Row> rows, final int[] sizes, final int[] fanOuts)
    {
        final List<Goal> goals = new ArrayList<>();
        for (final int size : sizes)
        {
            for (final boolean encrypted : new boolean[]{ true, false })
            {
                goals.add(new Goal("pub/sub RTT p50 / raet4j offer RTT p50", subject(size, encrypted, 0),
                    value(rows, RaetPubSubSystem.SYSTEM, RaetPubSubSystem.MEDIA, encrypted, "rttP50Us", size),
                    value(rows, RaetSystem.SYSTEM, RaetSystem.MEDIA_UDP, encrypted, "rttP50Us", size),
                    RTT_VS_OFFER_MAX, true));
            }
        }
        for (final int size : sizes)
        {
            for (final boolean encrypted : new boolean[]{ true, false })
            {
                goals.add(new Goal("NATS RTT p50 / pub/sub RTT p50", subject(size, encrypted, 0),
                    value(rows, NatsSystem.SYSTEM, NatsSystem.MEDIA, false, "rttP50Us", size),
                    value(rows, RaetPubSubSystem.SYSTEM, RaetPubSubSystem.MEDIA, encrypted, "rttP50Us", size),
                    NATS_RTT_MIN, false));
            }
        }
        for (final int fanOut : fanOuts)
        {
            for (final boolean encrypted : new boolean[]{ true, false })
            {
                goals.add(new Goal("pub/sub 32 B msgs/s / NATS 32 B msgs/s",
                    subject(THROUGHPUT_GOAL_SIZE, encrypted, fanOut),
                    value(rows, RaetPubSubSystem.SYSTEM, PubSubSystem.fanOutMedia(RaetPubSubSystem.MEDIA, fanOut),
                        encrypted, "msgsPerSec", THROUGHPUT_GOAL_SIZE),
                    value(rows, NatsSystem.SYSTEM, PubSubSystem.fanOutMedia(NatsSystem.MEDIA, fanOut), false,
                        "msgsPerSec", THROUGHPUT_GOAL_SIZE),
                    THROUGHPUT_VS_NATS_MIN, false));
            }
        }
        return goals;
    }

    /**
     * The section's markdown: fan-out throughput by system, the goals, definitions and Zenoh's published figures.
     *
     * @param rows    of the run.
     * @param sizes   sizes of the section.
     * @param fanOuts fan-outs of the section.
     * @return markdown text, empty if the run has no pub/sub rows.
     */
    public static String markdown(final List<Row> rows, final int[] sizes, final int[] fanOuts)
    {
        final StringBuilder out = new StringBuilder();
        out.append("\n#### Pub/sub (issue 12): 1 publisher to N subscribers, msgs/s delivered to all\n\n")
            .append("A fan-out figure counts publications per second delivered to ALL subscribers: the count of the " +
            "slowest subscriber over the measured window. Each subscriber checks every publication (length, and " +
            "its number, in order), the run fails if one misses any, and the publisher keeps at most " +
            String.format(Locale.ROOT, "%,d", FanOut.WINDOW) + " publications ahead of the slowest subscriber " +
            "(the same window for every system). Sizes are application payload per publication. Round trips are " +
            "ping-pong over two topics (A publishes on ping, B replies on pong). The threading of each row is in " +
            "latest.json and the tables above.\n\n")
            .append("| system | size |");
        for (final int fanOut : fanOuts)
        {
            out.append(" 1:").append(fanOut).append(" msgs/s |");
        }
        out.append(" RTT p50 us | RTT p99 us |\n|---|---|");
        for (int i = 0; i < fanOuts.length + 2; i++)
        {
            out.append("---|");
        }
        out.append('\n');
        boolean isAny = false;
        for (final String[] series : sectionSeries(rows))
        {
            for (final int size : sizes)
            {
                final StringBuilder line = new StringBuilder();
                boolean isRow = false;
                line.append("| ").append(series[0]).append(" | ").append(size).append(" B |");
                for (final int fanOut : fanOuts)
                {
                    // raet4j's offer is one to one: its one-way figure goes in the 1:1 column only.
                    final boolean isOffer = RaetSystem.SYSTEM.equals(series[1]);
                    final double value = isOffer && 1 != fanOut ? Double.NaN : value(rows, series[1],
                        isOffer ? series[2] : PubSubSystem.fanOutMedia(series[2], fanOut),
                        Boolean.parseBoolean(series[3]), "msgsPerSec", size);
                    isRow |= !Double.isNaN(value);
                    line.append(Double.isNaN(value) ? " - |" : String.format(Locale.ROOT, " %,.0f |", value));
                }
                for (final String metric : new String[]{ "rttP50Us", "rttP99Us" })
                {
                    final double value = value(rows, series[1], series[2], Boolean.parseBoolean(series[3]), metric,
                        size);
                    isRow |= !Double.isNaN(value);
                    line.append(Double.isNaN(value) ? " - |" : String.format(Locale.ROOT, " %.1f |", value));
                }
                if (isRow)
                {
                    isAny = true;
                    out.append(line).append('\n');
                }
            }
        }
        if (!isAny)
        {
            return "";
        }
        out.append("\nGoals of issue 12, reported not asserted, ratios from this run:\n\n")
            .append("| goal | rows | ratio | target | met |\n|---|---|---|---|---|\n");
        for (final Goal goal : goals(rows, sizes, fanOuts))
        {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s %.1fx | %s |%n", goal.goal(), goal.subject(),
                goal.isMeasured() ? String.format(Locale.ROOT, "%.2fx", goal.ratio()) : "-",
                goal.isAtMost() ? "<=" : ">=", goal.target(),
                goal.isMeasured() ? (goal.isMet() ? "yes" : "no") : "not measured"));
        }
        out.append(priorityTable(rows));
        out.append("\nReference, NOT measured here: Zenoh's published figures, on other hardware (an AMD Ryzen 7 " +
            "5800X): 4.3 M msg/s at 8 B payload, and 10 us peer-to-peer latency at 64 B. If that latency is, as in " +
            "Zenoh's benchmark posts, half a ping-pong round trip, the round trip to set beside this run's is about " +
            "20 us. Machine, payloads and definitions differ: an order of magnitude, not a comparison.\n");
        return out.toString();
    }

    /**
     * The priority runs' table ({@link PriorityRun}), empty if none ran.
     *
     * @param rows of the run.
     * @return markdown text.
     */
    static String priorityTable(final List<Row> rows)
    {
        final StringBuilder table = new StringBuilder();
        final List<String> cases = new java.util.ArrayList<>();
        for (final Row row : rows)
        {
            final String key = row.media() + "|" + row.encrypted();
            if (row.media().contains(" priority: ") && !cases.contains(key))
            {
                cases.add(key);
            }
        }
        if (cases.isEmpty())
        {
            return "";
        }
        table.append("\nPriorities under contention (raet4j pub/sub, ").append(PriorityRun.URGENT_BYTES)
            .append(" B urgent publications every ").append(PriorityRun.URGENT_INTERVAL_US).append(" us, one-way " +
            "latency from their scheduled time; the bulk: ").append(PriorityRun.BULK_BYTES).append(" B on LOW, as " +
            "fast as its channel takes them; two estates, one thread each, busy spin):\n\n")
            .append("| case | enc | urgent p50 us | urgent p99 us | urgent max us | bulk msgs/s |\n")
            .append("|---|---|---|---|---|---|\n");
        for (final String key : cases)
        {
            final String media = key.substring(0, key.indexOf('|'));
            final boolean encrypted = Boolean.parseBoolean(key.substring(key.indexOf('|') + 1));
            table.append("| ").append(media.substring(media.indexOf(" priority: ") + " priority: ".length()))
                .append(" | ").append(encrypted ? "on" : "off").append(" |");
            for (final String metric : PriorityRun.METRICS)
            {
                final double value = rows.stream().filter((r) -> r.media().equals(media) &&
                    r.encrypted() == encrypted && r.metric().equals(metric)).mapToDouble(Row::value).findFirst()
                    .orElse(Double.NaN);
                table.append(Double.isNaN(value) ? " - |" : String.format(Locale.ROOT,
                    metric.startsWith("bulk") ? " %,.0f |" : " %.1f |", value));
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static String subject(final int size, final boolean encrypted, final int fanOut)
    {
        return size + " B" + (fanOut > 0 ? ", 1:" + fanOut : "") + ", pub/sub " + (encrypted ? "encrypted" : "clear");
    }

    /**
     * The section's series in a fixed order: label, system, media of the round trip, encrypted.
     */
    private static List<String[]> sectionSeries(final List<Row> rows)
    {
        final List<String[]> series = new ArrayList<>();
        series.add(new String[]{ "raet4j offer, encrypted", RaetSystem.SYSTEM, RaetSystem.MEDIA_UDP, "true" });
        series.add(new String[]{ "raet4j offer, clear", RaetSystem.SYSTEM, RaetSystem.MEDIA_UDP, "false" });
        series.add(new String[]{ "raet4j pub/sub, encrypted", RaetPubSubSystem.SYSTEM, RaetPubSubSystem.MEDIA,
            "true" });
        series.add(new String[]{ "raet4j pub/sub, clear", RaetPubSubSystem.SYSTEM, RaetPubSubSystem.MEDIA, "false" });
        series.add(new String[]{ "NATS core", NatsSystem.SYSTEM, NatsSystem.MEDIA, "false" });
        series.add(new String[]{ "MQTT QoS 1", MqttSystem.SYSTEM, "tcp qos1", "false" });
        series.add(new String[]{ "MQTT QoS 0", MqttSystem.SYSTEM, "tcp qos0", "false" });
        return series;
    }

    /**
     * The value of the row of exactly this system, media, encryption, metric and size.
     *
     * @return the value, or NaN if there is no such row.
     */
    static double value(
        final List<Row> rows,
        final String system,
        final String media,
        final boolean encrypted,
        final String metric,
        final int size)
    {
        for (final Row row : rows)
        {
            if (row.system().equals(system) && row.media().equals(media) && row.encrypted() == encrypted &&
                row.metric().equals(metric) && row.sizeBytes() == size)
            {
                return row.value();
            }
        }
        return Double.NaN;
    }
}
