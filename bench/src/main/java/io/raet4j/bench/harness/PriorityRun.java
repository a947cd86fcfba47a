package io.raet4j.bench.harness;

import io.raet4j.pubsub.Delivery;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.Publisher;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Priorities under contention, one run: estate A publishes bulk publications of {@value #BULK_BYTES} B on a LOW topic
 * as fast as its channel to B takes them (so that channel stays full), and every
 * {@value #URGENT_INTERVAL_US} us an urgent publication of {@value #URGENT_BYTES} B on a topic of the delivery
 * measured; B records each urgent one's latency from its scheduled time (time spent refused by a full channel counts,
 * so a slow sender cannot hide its delay) to its arrival. Both estates are in this process (one clock), each driven
 * by its own thread with busy spin. Without bulk the urgent ones alone give the floor.
 * <p>
 * Threading: {@link #run} starts the two threads and joins them; one run per instance.
 */
final class PriorityRun
{
    /** Metrics of the rows: one-way latency of the urgent publications, and the bulk's rate beside them. */
    static final String[] METRICS = { "urgentP50Us", "urgentP99Us", "urgentMaxUs", "bulkMsgsPerSec" };
    /** Payload of a bulk publication. */
    static final int BULK_BYTES = 1000;
    /** Payload of an urgent publication: its scheduled send time and its number. */
    static final int URGENT_BYTES = 16;
    /** Interval between urgent publications, in microseconds. */
    static final int URGENT_INTERVAL_US = 200;
    /** Warm-up before recording. */
    static final long WARMUP_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final String BULK = "bench.bulk";
    private static final String URGENT = "bench.urgent";
    private static final int BULK_BURST = 16;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final PubSub source;
    private final PubSub sink;
    private final Publisher bulk;
    private final Publisher urgent;
    private final Delivery urgentDelivery;
    private final boolean withBulk;
    private final Histogram histogram = Rows.newHistogram();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long recordFromNs = Long.MAX_VALUE;
    private volatile long endNs = Long.MAX_VALUE;
    private volatile long urgentPublished = -1;
    private volatile boolean isSinkDone;
    private long bulkReceived;
    private long urgentReceived;
    private long bulkAtStart = -1;
    private long bulkAtEnd = -1;
    private long sinkEndNs;

    PriorityRun(final PubSub source, final PubSub sink, final Delivery urgentDelivery, final boolean withBulk)
    {
        this.source = source;
        this.sink = sink;
        this.urgentDelivery = urgentDelivery;
        this.withBulk = withBulk;
        sink.subscribe(BULK, (topic, estateId, buffer, offset, length) -> bulkReceived++);
        sink.subscribe(URGENT, this::onUrgent);
        bulk = source.publisher(BULK).delivery(Delivery.LOW);
        urgent = source.publisher(URGENT).delivery(urgentDelivery);
    }

    /**
     * Whether both topics have their subscriber at the source.
     *
     * @return true once interest arrived.
     */
    boolean isReady()
    {
        return 1 == bulk.remoteSubscribers() && 1 == urgent.remoteSubscribers();
    }

    /**
     * Run the two threads: warm-up, the measured seconds, then until every urgent publication arrived.
     *
     * @param seconds measured.
     * @throws InterruptedException if interrupted while joining.
     */
    void run(final double seconds) throws InterruptedException
    {
        final long beginNs = System.nanoTime();
        recordFromNs = beginNs + WARMUP_NS;
        endNs = recordFromNs + (long)(seconds * 1e9);
        final Thread sinkThread = new Thread(this::sinkLoop, "raet4j-priority-sink");
        final Thread sourceThread = new Thread(this::sourceLoop, "raet4j-priority-source");
        sinkThread.start();
        sourceThread.start();
        sourceThread.join();
        sinkThread.join();
        final Throwable cause = failure.get();
        if (null != cause)
        {
            throw new IllegalStateException("priority run failed: " + cause, cause);
        }
    }

    /**
     * The run's rows.
     *
     * @return one row per metric, media {@code udp priority: urgent DELIVERY, bulk LOW|none}.
     */
    List<Row> rows(
        final String system, final String media, final boolean encrypted, final String idle, final String threading)
    {
        final String caseMedia =
            media + " priority: urgent " + urgentDelivery + (withBulk ? ", bulk LOW" : ", no bulk");
        final double seconds = (sinkEndNs - recordFromNs) / 1e9;
        final List<Row> rows = new ArrayList<>();
        rows.add(row(system, caseMedia, encrypted, 0, histogram.getValueAtPercentile(50.0) / 1e3, idle, threading));
        rows.add(row(system, caseMedia, encrypted, 1, histogram.getValueAtPercentile(99.0) / 1e3, idle, threading));
        rows.add(row(system, caseMedia, encrypted, 2, histogram.getMaxValue() / 1e3, idle, threading));
        rows.add(new Row(system, caseMedia, encrypted, METRICS[3], BULK_BYTES,
            withBulk ? (bulkAtEnd - bulkAtStart) / seconds : 0, "msg/s", idle, threading));
        return rows;
    }

    /**
     * One line for progress output.
     *
     * @return the case and its figures.
     */
    String describe()
    {
        return String.format(Locale.ROOT, "urgent on %s%s: %d recorded, p50 %.1f us, p99 %.1f us, max %.1f us; bulk " +
            "%d received", urgentDelivery, withBulk ? " beside LOW bulk" : ", no bulk", histogram.getTotalCount(),
            histogram.getValueAtPercentile(50.0) / 1e3, histogram.getValueAtPercentile(99.0) / 1e3,
            histogram.getMaxValue() / 1e3, bulkReceived);
    }

    private static Row row(
        final String system,
        final String media,
        final boolean encrypted,
        final int metric,
        final double valueUs,
        final String idle,
        final String threading)
    {
        return new Row(system, media, encrypted, METRICS[metric], URGENT_BYTES, valueUs, "us", idle, threading);
    }

    private void onUrgent(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long scheduledNs = buffer.getLong(offset);
        urgentReceived++;
        if (scheduledNs >= recordFromNs && scheduledNs < endNs)
        {
            histogram.recordValue(Math.min(Rows.HIGHEST_NS, Math.max(0, System.nanoTime() - scheduledNs)));
        }
    }

    private void sourceLoop()
    {
        try
        {
            final IdleStrategy idle = new BusySpinIdleStrategy();
            final UnsafeBuffer bulkMessage = Rows.messageBuffer(BULK_BYTES);
            final UnsafeBuffer urgentMessage = Rows.messageBuffer(URGENT_BYTES);
            final long intervalNs = TimeUnit.MICROSECONDS.toNanos(URGENT_INTERVAL_US);
            long nextUrgentNs = System.nanoTime();
            long sent = 0;
            long nowNs;
            while ((nowNs = System.nanoTime()) < endNs && null == failure.get())
            {
                int work = 0;
                while (nowNs >= nextUrgentNs)
                {
                    // Every urgent publication due, not one per loop: a loop slower than the interval must not
                    // push the schedule back (its lateness is what the figures measure).
                    urgentMessage.putLong(0, nextUrgentNs);
                    urgentMessage.putLong(8, sent);
                    final long copies = urgent.publish(urgentMessage, 0, URGENT_BYTES);
                    if (1 != copies)
                    {
                        if (copies < 0 || 0 == urgent.lastBackPressured())
                        {
                            throw new IllegalStateException(
                                "urgent publication " + sent + ": publish returned " + copies);
                        }
                        break; // its channel is full: try again after the duty cycle
                    }
                    sent++;
                    nextUrgentNs += intervalNs;
                    work++;
                }
                for (int i = 0; withBulk && i < BULK_BURST; i++)
                {
                    if (1 != bulk.publish(bulkMessage, 0, BULK_BYTES))
                    {
                        break; // the LOW channel is full: that is the contention
                    }
                    work++;
                }
                work += source.doWork();
                idle.idle(work);
            }
            urgentPublished = sent;
            final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
            while (!isSinkDone && null == failure.get())
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the urgent publications did not all arrive within " +
                        TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) + " s after the run");
                }
                idle.idle(source.doWork());
            }
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private void sinkLoop()
    {
        try
        {
            final IdleStrategy idle = new BusySpinIdleStrategy();
            while (null == failure.get())
            {
                idle.idle(sink.doWork());
                final long nowNs = System.nanoTime();
                if (bulkAtStart < 0 && nowNs >= recordFromNs)
                {
                    bulkAtStart = bulkReceived;
                }
                if (bulkAtEnd < 0 && nowNs >= endNs)
                {
                    bulkAtEnd = bulkReceived;
                    sinkEndNs = nowNs;
                }
                final long published = urgentPublished;
                if (published >= 0 && urgentReceived >= published)
                {
                    break;
                }
            }
            isSinkDone = true;
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
        }
    }
}
