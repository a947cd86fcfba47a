package io.raet4j.bench.harness;

import java.util.Locale;

/**
 * One figure of the end-to-end harness, as written to {@code bench/results/latest.json}.
 *
 * @param system    {@code raw-udp}, {@code raet4j}, {@code aeron}.
 * @param media     {@code udp}, {@code lane}, {@code ipc}.
 * @param encrypted whether packets were encrypted.
 * @param metric    {@code rttP50Us}, {@code rttP90Us}, {@code rttP99Us}, {@code rttP999Us}, {@code rttMaxUs},
 *                  {@code msgsPerSec}, {@code mbPerSec}, {@code allocBytesPerOp}, or another documented metric.
 * @param sizeBytes message size.
 * @param value     the figure.
 * @param unit      {@code us}, {@code msg/s}, {@code MB/s}, {@code B/op}.
 * @param idle      idle strategy of the threads measured.
 * @param threading threads and their roles.
 */
public record Row(
    String system,
    String media,
    boolean encrypted,
    String metric,
    int sizeBytes,
    double value,
    String unit,
    String idle,
    String threading)
{
    /**
     * The row as one JSON object.
     *
     * @return JSON text.
     */
    public String toJson()
    {
        return String.format(Locale.ROOT,
            "{\"system\":\"%s\",\"media\":\"%s\",\"encrypted\":%b,\"metric\":\"%s\",\"sizeBytes\":%d,\"value\":%.3f," +
            "\"unit\":\"%s\",\"idle\":\"%s\",\"threading\":\"%s\"}",
            system, media, encrypted, metric, sizeBytes, value, unit, escape(idle), escape(threading));
    }

    /**
     * The same row under another media label, e.g. {@code udp loss 1.0%} for a loss variant.
     *
     * @param newMedia the label.
     * @return the relabelled row.
     */
    public Row withMedia(final String newMedia)
    {
        return new Row(system, newMedia, encrypted, metric, sizeBytes, value, unit, idle, threading);
    }

    private static String escape(final String text)
    {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
