package io.raet4j.bench;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The pub/sub layer's hot paths, for {@code -prof gc} (0 B/op expected): a publication handed to a local subscription
 * (route cache, dispatch), and a publication sent to another estate over loopback UDP and handed to its subscription
 * (publish, encode, the stack's send, receive, decode, match, dispatch), both stacks driven in this thread (invoker
 * mode, busy spin). Not a throughput figure: the harness measures those against other systems.
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
@State(Scope.Benchmark)
public class PubSubBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public PubSubBenchmark()
    {
    }

    /** Payload length. */
    @Param({ "64" })
    public int payloadBytes;

    /** Whether the stacks seal their packets. */
    @Param({ "false", "true" })
    public boolean encryption;

    private Path dir;
    private PubSub publisher;
    private PubSub subscriber;
    private Publisher remote;
    private Publisher local;
    private UnsafeBuffer payload;
    private long received;

    /**
     * Launch two layers on loopback, join them, subscribe.
     *
     * @throws Exception if a directory cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        dir = Files.createTempDirectory("raet4j-pubsub-bench");
        publisher = launch("bench-pub");
        subscriber = launch("bench-sub");
        subscriber.subscribe("bench.remote.*", (topic, estateId, buffer, offset, length) -> received++);
        publisher.subscribe("bench.local.>", (topic, estateId, buffer, offset, length) -> received++);
        payload = new UnsafeBuffer(new byte[payloadBytes]);
        subscriber.stack().join("127.0.0.1:" + ((InetSocketAddress)publisher.stack().localAddress()).getPort());
        remote = publisher.publisher("bench.remote.topic");
        local = publisher.publisher("bench.local.topic");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (remote.remoteSubscribers() < 1)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("the subscriber's interest did not arrive");
            }
            publisher.doWork();
            subscriber.doWork();
        }
    }

    private PubSub launch(final String name)
    {
        return PubSub.launch(new PubSubContext(new StackContext(new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .idleStrategy(new BusySpinIdleStrategy())
            .statusDir(dir.resolve(name)))
            .encryption(encryption)
            .keepDir(dir.resolve("keep-" + name))));
    }

    /**
     * Close both layers.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietCloseAll(subscriber, publisher);
    }

    /**
     * Publish to a local subscription: the route from the cache, the handler called.
     *
     * @return the publications received so far.
     */
    @Benchmark
    public long publishLocal()
    {
        local.publish(payload, 0, payloadBytes);
        return received;
    }

    /**
     * Publish to a subscription of another estate and run both duty cycles until it is handed over.
     *
     * @return the publications received so far.
     */
    @Benchmark
    public long publishRemoteAndReceive()
    {
        final long before = received;
        remote.publish(payload, 0, payloadBytes);
        while (received == before)
        {
            publisher.doWork();
            subscriber.doWork();
        }
        return received;
    }
}
