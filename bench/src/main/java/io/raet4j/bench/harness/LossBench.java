package io.raet4j.bench.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loss: raet4j's one-way throughput and transmissions per delivered segment at 0, 1, 5 and 20% loss in both directions
 * (the transport's fault-injecting media over loopback UDP), and round-trip p99.9 at 0.1% and 1% loss next to Aeron
 * with its own receive-side loss generator.
 */
public final class LossBench
{
    /** Loss rates of the throughput runs. */
    public static final double[] THROUGHPUT_LOSS = { 0.0, 0.01, 0.05, 0.20 };
    /** Loss rates of the latency runs. */
    public static final double[] LATENCY_LOSS = { 0.001, 0.01 };
    /** Metric of transmissions per delivered segment. */
    public static final String TX_PER_SEGMENT_METRIC = "txPerSegment";

    private LossBench()
    {
    }

    /**
     * Run the loss bench.
     *
     * @param sizeBytes message size.
     * @param seconds   of each throughput run.
     * @param count     round trips of each latency run.
     * @param out       progress.
     * @return rows: metrics carry the loss in their media field, e.g. {@code udp loss 1%}.
     */
    public static List<Row> run(final int sizeBytes, final double seconds, final int count, final PrintStream out)
    {
        final List<Row> rows = new ArrayList<>();
        for (final double loss : THROUGHPUT_LOSS)
        {
            final String media = String.format(Locale.ROOT, "udp loss %.1f%%", loss * 100);
            final RaetSystem system = RaetSystem.udp(true).withLoss(loss, 42);
            try
            {
                for (final Row row : system.throughput(sizeBytes, seconds))
                {
                    rows.add(row.withMedia(media));
                }
                rows.add(new Row("raet4j", media, true, TX_PER_SEGMENT_METRIC, sizeBytes,
                    system.lastTransmissionsPerSegment(), "tx/segment", "busy-spin", RaetSystem.THREADING));
                out.printf(Locale.ROOT, "loss %5.1f%%: raet4j throughput %s, %.3f transmissions per segment%n",
                    loss * 100, rows.get(rows.size() - 3).value(), system.lastTransmissionsPerSegment());
            }
            catch (final Exception ex)
            {
                out.println("loss " + loss + " throughput FAILED: " + ex);
            }
        }
        for (final double loss : LATENCY_LOSS)
        {
            final String media = String.format(Locale.ROOT, "udp loss %.1f%%", loss * 100);
            try
            {
                for (final Row row : RaetSystem.udp(true).withLoss(loss, 7).latency(sizeBytes, count / 4, count))
                {
                    rows.add(row.withMedia(media));
                }
            }
            catch (final Exception ex)
            {
                out.println("raet4j loss " + loss + " latency FAILED: " + ex);
            }
            try (AeronSystem aeron = AeronSystem.withReceiveLoss(loss, 7))
            {
                for (final Row row : aeron.latency(sizeBytes, count / 4, count))
                {
                    rows.add(row.withMedia(media));
                }
            }
            catch (final Exception ex)
            {
                out.println("aeron loss " + loss + " latency FAILED: " + ex);
            }
            for (final Row row : rows)
            {
                if (row.media().equals(media) && row.metric().equals("rttP999Us"))
                {
                    out.printf(Locale.ROOT, "loss %5.1f%%: %s rtt p99.9 %.1f us%n", loss * 100, row.system(),
                        row.value());
                }
            }
        }
        return rows;
    }
}
