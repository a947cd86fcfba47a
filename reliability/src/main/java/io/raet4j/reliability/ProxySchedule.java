package io.raet4j.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outages of a {@link UdpProxy} planned ahead, from text such as {@code down@5s+8s,down:c2t@20s+2s}: each item is
 * {@code down} (both directions), {@code down:c2t} or {@code down:t2c}, then {@code @START} after the schedule begins,
 * then {@code +DURATION}. Durations are a number with {@code ms}, {@code s} or {@code m}: {@code 500ms},
 * {@code 2.5s}, {@code 2m}. Outages that drop the same direction must not overlap, so every {@code up} undoes exactly
 * one {@code down}.
 * <p>
 * Immutable.
 */
public final class ProxySchedule
{
    private static final Pattern ITEM = Pattern.compile("down(?::(c2t|t2c))?@([^+]+)\\+(.+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");

    private final List<Outage> outages;

    /**
     * One outage: the proxy drops a direction, or both, from a start for a duration.
     *
     * @param direction dropped, or null for both.
     * @param start     after the schedule begins.
     * @param duration  of the outage, positive.
     */
    public record Outage(Direction direction, Duration start, Duration duration)
    {
        /**
         * When the outage ends, after the schedule begins.
         *
         * @return start plus duration.
         */
        public Duration end()
        {
            return start.plus(duration);
        }

        /**
         * Whether this outage drops what another drops, at some of the same time.
         *
         * @param other outage.
         * @return true if they overlap in time and share a direction.
         */
        boolean conflictsWith(final Outage other)
        {
            final boolean sharesDirection =
                null == direction || null == other.direction || direction == other.direction;
            return sharesDirection && start.compareTo(other.end()) < 0 && other.start.compareTo(end()) < 0;
        }

        /**
         * The item as it is written.
         *
         * @return e.g. {@code down:c2t@5s+8s}.
         */
        @Override
        public String toString()
        {
            return "down" + (null == direction ? "" : ":" + direction.code()) + "@" + format(start) + "+" +
                format(duration);
        }
    }

    private ProxySchedule(final List<Outage> outages)
    {
        this.outages = List.copyOf(outages);
    }

    /**
     * A schedule of the given outages.
     *
     * @param outages in any order.
     * @return the schedule, sorted by start.
     * @throws IllegalArgumentException if two outages of a direction overlap or a duration is not positive.
     */
    public static ProxySchedule of(final List<Outage> outages)
    {
        final List<Outage> sorted = new ArrayList<>(outages);
        sorted.sort(Comparator.comparing(Outage::start));
        for (int i = 0; i < sorted.size(); i++)
        {
            final Outage outage = sorted.get(i);
            if (outage.duration().isNegative() || outage.duration().isZero() || outage.start().isNegative())
            {
                throw new IllegalArgumentException("an outage needs a start >= 0 and a positive duration: " + outage);
            }
            for (int j = 0; j < i; j++)
            {
                if (outage.conflictsWith(sorted.get(j)))
                {
                    throw new IllegalArgumentException("outages " + sorted.get(j) + " and " + outage + " overlap");
                }
            }
        }
        return new ProxySchedule(sorted);
    }

    /**
     * Read a schedule.
     *
     * @param text items separated by commas, e.g. {@code down@5s+8s,down:t2c@20s+2s}; blank for none.
     * @return the schedule.
     * @throws IllegalArgumentException if an item is malformed or two outages of a direction overlap.
     */
    public static ProxySchedule parse(final String text)
    {
        final List<Outage> outages = new ArrayList<>();
        if (!text.isBlank())
        {
            for (final String item : text.split(","))
            {
                final Matcher matcher = ITEM.matcher(item.strip());
                if (!matcher.matches())
                {
                    throw new IllegalArgumentException("schedule item must be down[:c2t|:t2c]@START+DURATION, " +
                        "e.g. down@5s+8s, was '" + item.strip() + "'");
                }
                final Direction direction = null == matcher.group(1) ? null : Direction.ofCode(matcher.group(1));
                outages.add(new Outage(direction, parseDuration(matcher.group(2)), parseDuration(matcher.group(3))));
            }
        }
        return of(outages);
    }

    /**
     * Read a duration written as a number and a unit.
     *
     * @param text e.g. {@code 500ms}, {@code 2.5s}, {@code 2m}.
     * @return the duration.
     * @throws IllegalArgumentException if malformed.
     */
    public static Duration parseDuration(final String text)
    {
        final Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("a duration is a number and ms, s or m, e.g. 500ms, 2.5s, 2m; was '" +
                text + "'");
        }
        final double value = Double.parseDouble(matcher.group(1));
        final double unitMs = "ms".equals(matcher.group(2)) ? 1 : "s".equals(matcher.group(2)) ? 1_000 : 60_000;
        return Duration.ofNanos(Math.round(value * unitMs * 1_000_000));
    }

    /**
     * The outages.
     *
     * @return sorted by start.
     */
    public List<Outage> outages()
    {
        return outages;
    }

    /**
     * When the last outage ends.
     *
     * @return after the schedule begins; zero for an empty schedule.
     */
    public Duration end()
    {
        Duration end = Duration.ZERO;
        for (final Outage outage : outages)
        {
            end = outage.end().compareTo(end) > 0 ? outage.end() : end;
        }
        return end;
    }

    /**
     * The schedule as it is written.
     *
     * @return items separated by commas.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Outage outage : outages)
        {
            sb.append(sb.length() > 0 ? "," : "").append(outage);
        }
        return sb.toString();
    }

    private static String format(final Duration duration)
    {
        final long ms = duration.toMillis();
        return 0 == ms % 1_000 ? ms / 1_000 + "s" : ms + "ms";
    }
}
