package io.raet4j.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the rows of a harness run into the three outputs: {@code latest.json} (every figure), a markdown table with
 * ratios to raw UDP and to Aeron, and an SVG chart (latency percentile curves and throughput bars) a person can open
 * in a browser.
 */
public final class Report
{
    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f" };

    private Report()
    {
    }

    /**
     * Key of a row's series: system, media and encryption.
     *
     * @param row the row.
     * @return e.g. {@code raet4j udp encrypted}.
     */
    public static String series(final Row row)
    {
        return row.system() + " " + row.media() + (row.encrypted() ? " encrypted" : "");
    }

    /**
     * Write every row as a JSON list, one object per line.
     *
     * @param rows to write.
     * @param file to write to; parent directories are created.
     * @throws IOException if the file cannot be written.
     */
    public static void writeJson(final List<Row> rows, final Path file) throws IOException
    {
        final StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++)
        {
            json.append("  ").append(rows.get(i).toJson()).append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        json.append("]\n");
        write(file, json.toString());
    }

    /**
     * The markdown tables: latency per size, throughput per size, each with the series' idle strategy and threading,
     * and ratios to raw UDP over UDP, to Aeron over UDP and to Aeron over IPC, each the row of that system on exactly
     * that media (a loss or MTU variant is not taken for the plain one).
     *
     * @param rows of the run.
     * @param cpus CPU count of the machine.
     * @return markdown text.
     */
    public static String markdown(final List<Row> rows, final int cpus)
    {
        final StringBuilder out = new StringBuilder();
        for (final int size : sizes(rows, "rttP50Us"))
        {
            out.append(String.format(Locale.ROOT, "%n#### Round trip, %d B (us)%n%n", size));
            out.append("| system | idle | threading | CPUs | p50 | p90 | p99 | p99.9 | max | p50 / raw UDP | " +
                "p50 / Aeron UDP | p50 / Aeron IPC |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (final String series : seriesOf(rows, "rttP50Us", size))
            {
                final Row p50 = find(rows, series, "rttP50Us", size);
                out.append("| ").append(series).append(" | ").append(p50.idle()).append(" | ")
                    .append(p50.threading()).append(" | ").append(cpus).append(" |");
                for (final String metric : Rows.LATENCY_METRICS)
                {
                    final Row row = find(rows, series, metric, size);
                    out.append(String.format(Locale.ROOT, " %.1f |", null == row ? Double.NaN : row.value()));
                }
                out.append(ratio(p50.value(), bestOf(rows, "raw-udp", "udp", "rttP50Us", size, false)))
                    .append(ratio(p50.value(), bestOf(rows, "aeron", "udp", "rttP50Us", size, false)))
                    .append(ratio(p50.value(), bestOf(rows, "aeron", "ipc", "rttP50Us", size, false))).append('\n');
            }
        }
        for (final int size : sizes(rows, "msgsPerSec"))
        {
            out.append(String.format(Locale.ROOT, "%n#### One-way throughput, %d B%n%n", size));
            out.append("| system | idle | threading | CPUs | msgs/s | MB/s | / raw UDP | / Aeron UDP | / Aeron IPC |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
            for (final String series : seriesOf(rows, "msgsPerSec", size))
            {
                final Row msgs = find(rows, series, "msgsPerSec", size);
                final Row mb = find(rows, series, "mbPerSec", size);
                out.append("| ").append(series).append(" | ").append(msgs.idle()).append(" | ")
                    .append(msgs.threading()).append(" | ").append(cpus).append(" |")
                    .append(String.format(Locale.ROOT, " %,.0f | %.1f |", msgs.value(),
                    null == mb ? Double.NaN : mb.value()))
                    .append(ratio(msgs.value(), bestOf(rows, "raw-udp", "udp", "msgsPerSec", size, true)))
                    .append(ratio(msgs.value(), bestOf(rows, "aeron", "udp", "msgsPerSec", size, true)))
                    .append(ratio(msgs.value(), bestOf(rows, "aeron", "ipc", "msgsPerSec", size, true))).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * An SVG with, on the left, round-trip percentile curves (log scale) of every series for one size and, on the
     * right, throughput bars of every series for each size.
     *
     * @param rows         of the run.
     * @param latencySize  message size of the latency curves.
     * @param title        of the chart.
     * @return SVG text.
     */
    public static String svg(final List<Row> rows, final int latencySize, final String title)
    {
        final int width = 1100;
        // Room for the legend, four series a line below the charts: the pubsub section adds many series.
        final int height = Math.max(480, 440 + (allSeries(rows).size() + 3) / 4 * 16);
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"18\" font-size=\"14\">%s</text>%n", xml(title)));

        // Left: latency percentile curves, x = percentile (50, 90, 99, 99.9, max), y = log10(us).
        final int lx = 60;
        final int ly = 50;
        final int lw = 440;
        final int lh = 340;
        final List<String> latencySeries = seriesOf(rows, "rttP50Us", latencySize);
        double max = 1;
        double min = Double.MAX_VALUE;
        for (final String series : latencySeries)
        {
            for (final String metric : Rows.LATENCY_METRICS)
            {
                final Row row = find(rows, series, metric, latencySize);
                if (null != row && row.value() > 0)
                {
                    max = Math.max(max, row.value());
                    min = Math.min(min, row.value());
                }
            }
        }
        final double logMin = Math.floor(Math.log10(Math.max(0.1, Math.min(min, max))));
        final double logMax = Math.ceil(Math.log10(max));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">Round trip, %d B: percentiles (us, log)" +
            "</text>%n", lx, ly - 12, latencySize));
        svg.append(axes(lx, ly, lw, lh));
        for (double e = logMin; e <= logMax; e++)
        {
            final double y = ly + lh - (e - logMin) / Math.max(1, logMax - logMin) * lh;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>" +
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", lx, y, lx + lw, y, lx - 4, y + 4,
                formatPower(e)));
        }
        final String[] xLabels = { "p50", "p90", "p99", "p99.9", "max" };
        for (int i = 0; i < xLabels.length; i++)
        {
            final double x = lx + i * (lw / (double)(xLabels.length - 1));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, ly + lh + 16, xLabels[i]));
        }
        int colour = 0;
        final Map<String, String> colours = new LinkedHashMap<>();
        for (final String series : allSeries(rows))
        {
            colours.put(series, COLOURS[colour++ % COLOURS.length]);
        }
        for (final String series : latencySeries)
        {
            final StringBuilder points = new StringBuilder();
            for (int i = 0; i < Rows.LATENCY_METRICS.length; i++)
            {
                final Row row = find(rows, series, Rows.LATENCY_METRICS[i], latencySize);
                if (null == row || row.value() <= 0)
                {
                    continue;
                }
                final double x = lx + i * (lw / (double)(Rows.LATENCY_METRICS.length - 1));
                final double y = ly + lh - (Math.log10(row.value()) - logMin) / Math.max(1, logMax - logMin) * lh;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" " +
                "stroke-width=\"2\"/>%n", points.toString().trim(), colours.get(series)));
        }

        throughputBars(svg, rows, colours);

        // Legend.
        int i = 0;
        for (final Map.Entry<String, String> entry : colours.entrySet())
        {
            final int x = 60 + (i % 4) * 260;
            final int y = ly + lh + 40 + (i / 4) * 16;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>" +
                "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 9, entry.getValue(), x + 16, y, xml(entry.getKey())));
            i++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /**
     * Appends the right half of {@link #svg}: throughput bars, messages/s, grouped by size.
     */
    private static void throughputBars(
        final StringBuilder svg, final List<Row> rows, final Map<String, String> colours)
    {
        final int rx = 580;
        final int ry = 50;
        final int rw = 480;
        final int rh = 340;
        final List<Integer> sizes = sizes(rows, "msgsPerSec");
        final List<String> throughputSeries = new ArrayList<>();
        double top = 1;
        for (final int size : sizes)
        {
            for (final String series : seriesOf(rows, "msgsPerSec", size))
            {
                if (!throughputSeries.contains(series))
                {
                    throughputSeries.add(series);
                }
                top = Math.max(top, find(rows, series, "msgsPerSec", size).value());
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">One-way throughput (messages/s, linear)" +
            "</text>%n", rx, ry - 12));
        svg.append(axes(rx, ry, rw, rh));
        for (int i = 0; i <= 4; i++)
        {
            final double y = ry + rh - i * rh / 4.0;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>" +
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"9\">%s</text>%n", rx, y, rx + rw, y,
                rx - 4, y + 3, formatCount(top * i / 4)));
        }
        final double groupWidth = rw / (double)Math.max(1, sizes.size());
        final double barWidth = groupWidth * 0.8 / Math.max(1, throughputSeries.size());
        for (int g = 0; g < sizes.size(); g++)
        {
            final int size = sizes.get(g);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d B</text>%n",
                rx + (g + 0.5) * groupWidth, ry + rh + 16, size));
            for (int s = 0; s < throughputSeries.size(); s++)
            {
                final Row row = find(rows, throughputSeries.get(s), "msgsPerSec", size);
                if (null == row)
                {
                    continue;
                }
                final double h = row.value() / top * rh;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" " +
                    "fill=\"%s\"><title>%s %d B: %,.0f msgs/s</title></rect>%n",
                    rx + g * groupWidth + groupWidth * 0.1 + s * barWidth, ry + rh - h, barWidth, h,
                    colours.get(throughputSeries.get(s)), xml(throughputSeries.get(s)), size, row.value()));
            }
        }
    }

    /**
     * Write text to a file, creating its directory.
     *
     * @param file to write.
     * @param text to write.
     * @throws IOException if it cannot be written.
     */
    public static void write(final Path file, final String text) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String axes(final int x, final int y, final int w, final int h)
    {
        return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>" +
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            x, y, x, y + h, x, y + h, x + w, y + h);
    }

    private static String formatPower(final double exponent)
    {
        final double value = Math.pow(10, exponent);
        return value >= 1 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String formatCount(final double value)
    {
        if (value >= 1e6)
        {
            return String.format(Locale.ROOT, "%.1fM", value / 1e6);
        }
        return value >= 1e3 ? String.format(Locale.ROOT, "%.0fk", value / 1e3) :
            String.format(Locale.ROOT, "%.0f", value);
    }

    private static String ratio(final double value, final Row reference)
    {
        return null == reference || reference.value() <= 0 ? " - |" :
            String.format(Locale.ROOT, " %.2fx |", value / reference.value());
    }

    /**
     * The best row of a system on exactly one media (plain, not a loss or MTU variant) for a metric and size.
     *
     * @param rows           of the run.
     * @param system         e.g. {@code aeron}.
     * @param media          e.g. {@code udp}.
     * @param metric         e.g. {@code msgsPerSec}.
     * @param size           message size.
     * @param isHigherBetter whether the highest value is best.
     * @return the row, or null.
     */
    static Row bestOf(
        final List<Row> rows,
        final String system,
        final String media,
        final String metric,
        final int size,
        final boolean isHigherBetter)
    {
        Row best = null;
        for (final Row row : rows)
        {
            if (row.system().equals(system) && row.media().equals(media) && row.metric().equals(metric) &&
                row.sizeBytes() == size &&
                (null == best || (isHigherBetter ? row.value() > best.value() : row.value() < best.value())))
            {
                best = row;
            }
        }
        return best;
    }

    private static Row find(final List<Row> rows, final String series, final String metric, final int size)
    {
        for (final Row row : rows)
        {
            if (row.metric().equals(metric) && row.sizeBytes() == size && series(row).equals(series))
            {
                return row;
            }
        }
        return null;
    }

    private static List<Integer> sizes(final List<Row> rows, final String metric)
    {
        final Set<Integer> sizes = new java.util.TreeSet<>();
        for (final Row row : rows)
        {
            if (row.metric().equals(metric))
            {
                sizes.add(row.sizeBytes());
            }
        }
        return new ArrayList<>(sizes);
    }

    private static List<String> seriesOf(final List<Row> rows, final String metric, final int size)
    {
        final Set<String> series = new LinkedHashSet<>();
        for (final Row row : rows)
        {
            if (row.metric().equals(metric) && row.sizeBytes() == size)
            {
                series.add(series(row));
            }
        }
        return new ArrayList<>(series);
    }

    private static List<String> allSeries(final List<Row> rows)
    {
        final Set<String> series = new LinkedHashSet<>();
        for (final Row row : rows)
        {
            if (Objects.equals(row.unit(), "us") || Objects.equals(row.unit(), "msg/s"))
            {
                series.add(series(row));
            }
        }
        return new ArrayList<>(series);
    }

    private static String xml(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
