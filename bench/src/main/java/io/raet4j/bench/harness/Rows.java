package io.raet4j.bench.harness;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the rows of one measurement: five latency rows from a histogram of round-trip times in nanoseconds, or two
 * throughput rows from a count of verified messages.
 */
public final class Rows
{
    /** Latency metrics, in the order of {@link #PERCENTILES} then the maximum. */
    public static final String[] LATENCY_METRICS = { "rttP50Us", "rttP90Us", "rttP99Us", "rttP999Us", "rttMaxUs" };
    /**
     * The metrics of {@code latest.json}: round-trip percentiles, throughput and allocation. Every other figure of a
     * run (loss, scale, raw UDP's lost datagrams) has its own metric name and goes to {@code latest-extra.json}, so
     * that a reader of {@code latest.json} meets only these.
     */
    public static final java.util.Set<String> STANDARD_METRICS = java.util.Set.of(
        "rttP50Us", "rttP90Us", "rttP99Us", "rttP999Us", "rttMaxUs", "msgsPerSec", "mbPerSec", "allocBytesPerOp");
    /** Percentiles of the latency metrics. */
    public static final double[] PERCENTILES = { 50.0, 90.0, 99.0, 99.9 };
    /** Highest round trip a histogram records, 10 s in nanoseconds. */
    public static final long HIGHEST_NS = 10_000_000_000L;

    private Rows()
    {
    }

    /**
     * A message buffer for a benchmark thread: direct, cache-line aligned, at least {@code sizeBytes} long.
     *
     * @param sizeBytes message size.
     * @return the buffer.
     */
    public static UnsafeBuffer messageBuffer(final int sizeBytes)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(sizeBytes, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
    }

    /**
     * A histogram for round-trip times in nanoseconds, 3 significant digits.
     *
     * @return the histogram.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_NS, 3);
    }

    /**
     * The five latency rows of a histogram of round trips in nanoseconds.
     *
     * @param system    of the rows.
     * @param media     of the rows.
     * @param encrypted of the rows.
     * @param sizeBytes message size.
     * @param histogram round-trip times in nanoseconds.
     * @param idle      idle strategy.
     * @param threading threads.
     * @return rows in microseconds.
     */
    public static List<Row> latency(
        final String system,
        final String media,
        final boolean encrypted,
        final int sizeBytes,
        final Histogram histogram,
        final String idle,
        final String threading)
    {
        final List<Row> rows = new ArrayList<>();
        for (int i = 0; i < LATENCY_METRICS.length; i++)
        {
            final long ns = i < PERCENTILES.length ?
                histogram.getValueAtPercentile(PERCENTILES[i]) : histogram.getMaxValue();
            rows.add(new Row(system, media, encrypted, LATENCY_METRICS[i], sizeBytes, ns / 1_000.0, "us", idle,
                threading));
        }
        return rows;
    }

    /**
     * The two throughput rows of a one-way run: messages per second and megabytes (10^6 bytes) per second, counting
     * only messages the receiver verified.
     *
     * @param system    of the rows.
     * @param media     of the rows.
     * @param encrypted of the rows.
     * @param sizeBytes message size.
     * @param messages  verified by the receiver.
     * @param seconds   from the first send to the last verified receipt.
     * @param idle      idle strategy.
     * @param threading threads.
     * @return the rows.
     */
    public static List<Row> throughput(
        final String system,
        final String media,
        final boolean encrypted,
        final int sizeBytes,
        final long messages,
        final double seconds,
        final String idle,
        final String threading)
    {
        final double perSecond = messages / seconds;
        return List.of(
            new Row(system, media, encrypted, "msgsPerSec", sizeBytes, perSecond, "msg/s", idle, threading),
            new Row(system, media, encrypted, "mbPerSec", sizeBytes, perSecond * sizeBytes / 1e6, "MB/s", idle,
                threading));
    }
}
