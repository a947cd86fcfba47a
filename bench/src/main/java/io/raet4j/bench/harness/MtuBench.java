package io.raet4j.bench.harness;

import org.agrona.concurrent.BusySpinIdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput at a jumbo MTU: raet4j over UDP, clear and encrypted, and Aeron over UDP in its best throughput
 * configuration, all with the same datagram size (8 KiB by default), so that the goal "32 B throughput at least
 * Aeron UDP's at the same MTU" is measured at both 1,408 B (the main tables) and 8 KiB. Rows carry the MTU in their
 * media field, {@code udp mtu 8192}, and get a table of their own with ratios to Aeron at that MTU.
 */
public final class MtuBench
{
    /** The jumbo MTU: a multiple of 32, as Aeron requires. */
    public static final int JUMBO_MTU = 8192;

    private MtuBench()
    {
    }

    /**
     * Media label of the rows at an MTU.
     *
     * @param mtuBytes datagram size.
     * @return e.g. {@code udp mtu 8192}.
     */
    public static String media(final int mtuBytes)
    {
        return "udp mtu " + mtuBytes;
    }

    /**
     * The systems to measure at an MTU.
     *
     * @param mtuBytes        datagram size of every system.
     * @param aeronThroughput Aeron's best UDP throughput configuration (from the sweep, or the default).
     * @return raet4j clear, raet4j encrypted, Aeron UDP.
     */
    public static List<SystemUnderTest> systems(final int mtuBytes, final AeronSystem.Config aeronThroughput)
    {
        return List.of(
            new RaetSystem(RaetSystem.MEDIA_UDP, false, mtuBytes, RaetSystem.BUSY_SPIN, BusySpinIdleStrategy::new),
            new RaetSystem(RaetSystem.MEDIA_UDP, true, mtuBytes, RaetSystem.BUSY_SPIN, BusySpinIdleStrategy::new),
            new AeronSystem(aeronThroughput.withMtuBytes(mtuBytes)));
    }

    /**
     * Rows relabelled with the MTU's media.
     *
     * @param rows     of a run at the MTU.
     * @param mtuBytes its datagram size.
     * @return the relabelled rows.
     */
    public static List<Row> relabel(final List<Row> rows, final int mtuBytes)
    {
        final List<Row> relabelled = new ArrayList<>(rows.size());
        for (final Row row : rows)
        {
            relabelled.add(row.withMedia(media(mtuBytes)));
        }
        return relabelled;
    }

    /**
     * The markdown table of the MTU rows: msgs/s and MB/s, with the ratio to Aeron at the same MTU and to the same
     * system at the default MTU.
     *
     * @param rows     of the whole run.
     * @param mtuBytes the jumbo MTU measured.
     * @param cpus     CPU count.
     * @return markdown, empty if no row is at that MTU.
     */
    public static String table(final List<Row> rows, final int mtuBytes, final int cpus)
    {
        final String media = media(mtuBytes);
        final StringBuilder out = new StringBuilder();
        for (final Row row : rows)
        {
            if (!row.media().equals(media) || !row.metric().equals("msgsPerSec"))
            {
                continue;
            }
            if (0 == out.length())
            {
                out.append(String.format(Locale.ROOT, "%n#### One-way throughput, %d B, MTU %d B (every system)%n%n",
                    row.sizeBytes(), mtuBytes))
                    .append("| system | idle | threading | CPUs | msgs/s | / Aeron UDP at this MTU | ")
                    .append("/ same system at MTU 1408 |\n|---|---|---|---|---|---|---|\n");
            }
            final Row aeron = Report.bestOf(rows, "aeron", media, "msgsPerSec", row.sizeBytes(), true);
            Row plain = null;
            for (final Row other : rows)
            {
                if (other.system().equals(row.system()) && other.media().equals("udp") &&
                    other.encrypted() == row.encrypted() && other.metric().equals("msgsPerSec") &&
                    other.sizeBytes() == row.sizeBytes())
                {
                    plain = other;
                }
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %,.0f | %s | %s |%n", Report.series(row),
                row.idle(), row.threading(), cpus, row.value(), ratioText(row, aeron), ratioText(row, plain)));
        }
        return out.toString();
    }

    private static String ratioText(final Row row, final Row reference)
    {
        return null == reference || reference.value() <= 0 ? "-" :
            String.format(Locale.ROOT, "%.2fx", row.value() / reference.value());
    }
}
