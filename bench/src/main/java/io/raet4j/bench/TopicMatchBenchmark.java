package io.raet4j.bench;

import io.raet4j.pubsub.SubscriptionTrie;
import io.raet4j.pubsub.TopicError;
import io.raet4j.pubsub.Topics;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The pub/sub topic model's hot paths, one topic per operation: matching a published topic against a fleet's worth of
 * subscriptions, from the route cache and by walking the trie, and validating a topic. Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} should be about 0 B/op.
 * <p>
 * The subscriptions: {@value #REGIONS} regions of {@value #HOSTS_PER_REGION} hosts, each host subscribed to its own
 * {@code fleet.REGION.HOST.>}, each region's monitor to {@code fleet.REGION.*.cpu} and {@code fleet.REGION.>}, a
 * fleet-wide alarm to {@code fleet.*.*.alarm}, and one auditor to {@code >}. The topics cycle through
 * {@value #TOPICS} host metrics ({@code fleet.REGION.HOST.cpu}, {@code .mem}, {@code .alarm}); each matches 3 or 4 ids
 * (host, region monitor, auditor, and the alarm subscriber for an alarm), and a cpu topic matches two patterns of its
 * region's monitor, which is handed over once.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
@State(Scope.Thread)
public class TopicMatchBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public TopicMatchBenchmark()
    {
    }

    /** Regions in the fleet. */
    public static final int REGIONS = 16;

    /** Hosts in a region. */
    public static final int HOSTS_PER_REGION = 64;

    /** Distinct topics the benchmarks cycle through, a power of two; all fit in the route cache. */
    public static final int TOPICS = 512;

    private static final String[] METRICS = {"cpu", "mem", "alarm"};
    private static final int TOPIC_STRIDE = 64;

    private final SubscriptionTrie cached = new SubscriptionTrie();
    private final SubscriptionTrie uncached = new SubscriptionTrie(0, 1);
    private final UnsafeBuffer topics =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(TOPICS * TOPIC_STRIDE, BitUtil.CACHE_LINE_LENGTH));
    private final int[] topicLengths = new int[TOPICS];
    private final IntConsumer sink = this::onId;
    private long idSum;
    private int next;

    /**
     * Subscribe the fleet to both tries and lay the topics out in a direct buffer.
     */
    @Setup
    public void setup()
    {
        int id = 0;
        for (int region = 0; region < REGIONS; region++)
        {
            for (int host = 0; host < HOSTS_PER_REGION; host++)
            {
                subscribe("fleet.r" + region + ".h" + host + ".>", id++);
            }
            subscribe("fleet.r" + region + ".*.cpu", id);
            subscribe("fleet.r" + region + ".>", id++);
        }
        subscribe("fleet.*.*.alarm", id++);
        subscribe(">", id);

        for (int i = 0; i < TOPICS; i++)
        {
            final String topic = Topics.requireTopic(
                "fleet.r" + (i % REGIONS) + ".h" + (i * 7 % HOSTS_PER_REGION) + "." + METRICS[i % METRICS.length]);
            final byte[] bytes = topic.getBytes(StandardCharsets.US_ASCII);
            topics.putBytes(i * TOPIC_STRIDE, bytes);
            topicLengths[i] = bytes.length;
            if (cached.match(topics, i * TOPIC_STRIDE, bytes.length, sink) < 3)
            {
                throw new IllegalStateException("benchmark topic matches too few subscribers: " + topic);
            }
        }
    }

    /**
     * Match a topic answered by the route cache: hash, compare the bytes, hand over the ids.
     *
     * @return a value that depends on every id handed over.
     */
    @Benchmark
    public long matchRouteCacheHit()
    {
        final int i = next++ & (TOPICS - 1);
        cached.match(topics, i * TOPIC_STRIDE, topicLengths[i], sink);
        return idSum;
    }

    /**
     * Match a topic by walking the trie (no route cache): scan and tokenise, walk, deduplicate, hand over the ids.
     *
     * @return a value that depends on every id handed over.
     */
    @Benchmark
    public long matchTrieWalk()
    {
        final int i = next++ & (TOPICS - 1);
        uncached.match(topics, i * TOPIC_STRIDE, topicLengths[i], sink);
        return idSum;
    }

    /**
     * Validate a topic held in a buffer, the check a publish makes.
     *
     * @return the validation's result.
     */
    @Benchmark
    public TopicError validateTopic()
    {
        final int i = next++ & (TOPICS - 1);
        return Topics.validateTopic(topics, i * TOPIC_STRIDE, topicLengths[i]);
    }

    private void subscribe(final String pattern, final int id)
    {
        cached.add(pattern, id);
        uncached.add(pattern, id);
    }

    private void onId(final int id)
    {
        idSum += id;
    }
}
