package io.raet4j.bench.harness;

import org.agrona.DirectBuffer;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One fan-out throughput run of the pubsub section, the same for every system: one publisher numbers its
 * publications from 0 in their first 8 bytes and keeps at most {@link #WINDOW} of them ahead of the slowest
 * subscriber; each subscriber checks every publication (its length, and its number, in order) and counts it. The
 * calling thread samples the count of the slowest subscriber at the start and at the end of the measured window: the
 * difference is the number of publications delivered to every subscriber in the window, so the rate is publications
 * per second delivered to all subscribers. After the window the publisher stops and the run waits until every
 * subscriber has every publication, failing if one is missing.
 * <p>
 * The window is application-level flow control applied alike to every system: core NATS and MQTT QoS 0 deliver at
 * most once and drop for a slow consumer, and raet4j's pub/sub skips an estate whose channel is full, so without it
 * "every subscriber gets every publication" would not hold for any of them.
 * <p>
 * Threading: {@link #onMessage} for subscriber {@code i} from one thread at a time (that subscriber's delivery thread);
 * {@link #minReceived()} and {@link #isPublishing()} from the publisher thread; {@link #measure} from the calling
 * thread.
 */
final class FanOut
{
    /** Most publications the publisher keeps ahead of the slowest subscriber. */
    static final int WINDOW = 8192;
    /** Warm-up before the measured window, seconds. */
    static final double WARMUP_S = 0.5;

    private static final int PADDING = 16;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final String what;
    private final int subscribers;
    private final int sizeBytes;
    private final AtomicLongArray counts;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean isPublishing = true;
    private volatile boolean isDone;
    private volatile long published = -1;

    /**
     * A run for a number of subscribers.
     *
     * @param what        the system, for failure messages.
     * @param subscribers 1 or more.
     * @param sizeBytes   length of every publication, at least 8.
     */
    FanOut(final String what, final int subscribers, final int sizeBytes)
    {
        if (subscribers < 1 || sizeBytes < 8)
        {
            throw new IllegalArgumentException("need subscribers >= 1 and sizeBytes >= 8");
        }
        this.what = what;
        this.subscribers = subscribers;
        this.sizeBytes = sizeBytes;
        // One cache line and more per subscriber's count, each written by one thread.
        this.counts = new AtomicLongArray((subscribers + 1) * PADDING);
    }

    /**
     * Subscribers of the run.
     *
     * @return the count.
     */
    int subscribers()
    {
        return subscribers;
    }

    /**
     * A publication arrived at a subscriber: check it and count it.
     *
     * @param subscriber 0 to {@code subscribers - 1}.
     * @param buffer     holding it.
     * @param offset     of it.
     * @param length     of it.
     */
    void onMessage(final int subscriber, final DirectBuffer buffer, final int offset, final int length)
    {
        check(subscriber, length, length >= 8 ? buffer.getLong(offset) : -1);
    }

    /**
     * A publication arrived at a subscriber as a byte array (little-endian number in its first 8 bytes, as
     * {@link #number}): check it and count it.
     *
     * @param subscriber 0 to {@code subscribers - 1}.
     * @param data       the publication.
     */
    void onMessage(final int subscriber, final byte[] data)
    {
        check(subscriber, data.length, data.length >= 8 ? readNumber(data) : -1);
    }

    private void check(final int subscriber, final int length, final long number)
    {
        final int index = (subscriber + 1) * PADDING;
        final long expected = counts.getPlain(index);
        if (length != sizeBytes || number != expected)
        {
            fail(new IllegalStateException(String.format(Locale.ROOT,
                "%s: subscriber %d got publication %d of %d B where %d of %d B was expected (missing or out of order)",
                what, subscriber, number, length, expected, sizeBytes)));
            return;
        }
        counts.setRelease(index, expected + 1);
    }

    /**
     * Write a publication's number in the first 8 bytes of an array, little-endian, as
     * {@link #onMessage(int, byte[])} reads it.
     *
     * @param data   the publication, at least 8 bytes.
     * @param number its number.
     */
    static void number(final byte[] data, final long number)
    {
        for (int i = 0; i < 8; i++)
        {
            data[i] = (byte)(number >>> (8 * i));
        }
    }

    private static long readNumber(final byte[] data)
    {
        long number = 0;
        for (int i = 7; i >= 0; i--)
        {
            number = (number << 8) | (data[i] & 0xFF);
        }
        return number;
    }

    /**
     * Publications the slowest subscriber has.
     *
     * @return the least count.
     */
    long minReceived()
    {
        long min = Long.MAX_VALUE;
        for (int i = 1; i <= subscribers; i++)
        {
            min = Math.min(min, counts.getAcquire(i * PADDING));
        }
        return min;
    }

    /**
     * Publications one subscriber has.
     *
     * @param subscriber 0 to {@code subscribers - 1}.
     * @return its count.
     */
    long received(final int subscriber)
    {
        return counts.getAcquire((subscriber + 1) * PADDING);
    }

    /**
     * The highest number the publisher may publish below now: the slowest subscriber's count plus {@link #WINDOW}.
     *
     * @return the exclusive limit.
     */
    long limit()
    {
        return minReceived() + WINDOW;
    }

    /**
     * Whether the publisher should go on publishing.
     *
     * @return false once the measured window has ended or the run failed.
     */
    boolean isPublishing()
    {
        return isPublishing && null == failure.get();
    }

    /**
     * The publisher stopped: how many it published.
     *
     * @param count publications, numbered 0 to {@code count - 1}.
     */
    void published(final long count)
    {
        published = count;
    }

    /**
     * Whether every subscriber has every publication (or the run failed): delivery threads may stop.
     *
     * @return true at the end of the run.
     */
    boolean isDone()
    {
        return isDone || null != failure.get();
    }

    /**
     * Record the first failure of the run.
     *
     * @param cause what failed.
     */
    void fail(final Throwable cause)
    {
        failure.compareAndSet(null, cause);
    }

    /**
     * The first failure, if any.
     *
     * @return the failure or null.
     */
    Throwable failure()
    {
        return failure.get();
    }

    /**
     * On the calling thread, once the threads that publish and deliver are started: wait for the warm-up, sample the
     * slowest subscriber's count at both ends of the window, stop the publisher, wait until every subscriber has
     * every publication, and tell the delivery threads they are done.
     *
     * @param startNs when publishing began (before the warm-up).
     * @param seconds measured window.
     * @return publications delivered to every subscriber in the window, and the window's length.
     * @throws IllegalStateException if the run failed, a publication is missing, or the drain timed out.
     */
    Window measure(final long startNs, final double seconds)
    {
        try
        {
            final long windowStartNs = startNs + (long)(WARMUP_S * 1e9);
            final long windowEndNs = windowStartNs + (long)(seconds * 1e9);
            waitUntil(windowStartNs);
            final long firstCount = minReceived();
            final long firstNs = System.nanoTime();
            waitUntil(windowEndNs);
            final long lastCount = minReceived();
            final long lastNs = System.nanoTime();
            isPublishing = false;

            final long drainStartNs = System.nanoTime();
            while (null == failure.get() && (published < 0 || minReceived() < published))
            {
                if (System.nanoTime() - drainStartNs > DRAIN_TIMEOUT_NS)
                {
                    throw new IllegalStateException(what + ": after " +
                        TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) + " s the slowest subscriber had " +
                        minReceived() + " of " + published + " publications");
                }
                LockSupport.parkNanos(POLL_NS);
            }
            final Throwable cause = failure.get();
            if (null != cause)
            {
                throw new IllegalStateException(what + " failed: " + cause, cause);
            }
            if (lastCount <= firstCount)
            {
                throw new IllegalStateException(what + ": no publication reached every subscriber in the window");
            }
            return new Window(lastCount - firstCount, (lastNs - firstNs) / 1e9);
        }
        finally
        {
            isPublishing = false;
            isDone = true;
        }
    }

    /**
     * Run a fan-out: start its threads (the publisher and the ones that deliver), {@link #measure}, join them, and
     * fail if any of them failed.
     *
     * @param threads the run's threads, not started.
     * @param seconds measured window.
     * @return publications delivered to every subscriber in the window, and the window's length.
     * @throws InterruptedException  if interrupted while joining.
     * @throws IllegalStateException if the run failed.
     */
    Window run(final List<Thread> threads, final double seconds) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        threads.forEach(Thread::start);
        final Window window;
        try
        {
            window = measure(startNs, seconds);
        }
        finally
        {
            join(threads);
        }
        final Throwable cause = failure();
        if (null != cause)
        {
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
        return window;
    }

    /**
     * Join threads of a run, after {@link #measure}.
     *
     * @param threads to join, each within 30 s.
     * @throws InterruptedException if interrupted.
     */
    void join(final List<Thread> threads) throws InterruptedException
    {
        isPublishing = false;
        isDone = true;
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive())
            {
                fail(new IllegalStateException(what + ": " + thread.getName() + " did not finish"));
            }
        }
    }

    /**
     * What a run measured.
     *
     * @param publications delivered to every subscriber within the window.
     * @param seconds      the window's length.
     */
    record Window(long publications, double seconds)
    {
    }

    private static void waitUntil(final long deadlineNs)
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
        }
    }
}
