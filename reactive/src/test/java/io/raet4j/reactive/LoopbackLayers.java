package io.raet4j.reactive;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real pub/sub layers on loopback UDP for the tests, as {@link LoopbackStacks} has stacks: launched with a 64 KiB
 * {@code maxMessageBytes} (so that the rings are small), the first one named is joined by each of the others, then
 * each layer's duty cycle runs on a thread of its own after {@code stack().handOver()} (backing off to 100 us parks
 * when idle), with {@link #call} to run work on that thread between duty cycles, where the layer's API may be used.
 */
final class LoopbackLayers implements AutoCloseable
{
    /** The layers' largest message. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Path dir;
    private final Map<String, DutyThread> threads = new LinkedHashMap<>();

    /**
     * Launch, join and run layers with the default stack settings but the largest message.
     *
     * @param names of the layers: the first is joined by each of the others.
     */
    LoopbackLayers(final String... names)
    {
        this((ctx) -> {}, names);
    }

    /**
     * Launch, join and run layers.
     *
     * @param config applied to each stack's context after the largest message is set.
     * @param names  of the layers: the first is joined by each of the others.
     */
    LoopbackLayers(final Consumer<StackContext> config, final String... names)
    {
        try
        {
            dir = Files.createTempDirectory("raet4j-reactive-pubsub-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Map<String, PubSub> layers = new LinkedHashMap<>();
        try
        {
            for (final String name : names)
            {
                final StackContext ctx = new StackContext(new Context()
                    .name(name)
                    .bindAddress("127.0.0.1:0")
                    .statusDir(dir.resolve(name)))
                    .keepDir(dir.resolve("keep-" + name))
                    .maxMessageBytes(MAX_MESSAGE_BYTES);
                config.accept(ctx);
                layers.put(name, PubSub.launch(new PubSubContext(ctx)));
            }
            final PubSub hub = layers.get(names[0]);
            final int hubPort = ((InetSocketAddress)hub.stack().localAddress()).getPort();
            for (final PubSub layer : layers.values())
            {
                if (layer != hub)
                {
                    layer.stack().join("127.0.0.1:" + hubPort);
                }
            }
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (!allJoined(hub, layers))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the layers did not join within 30 s");
                }
                for (final PubSub layer : layers.values())
                {
                    layer.doWork();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            layers.values().forEach(PubSub::close);
            deleteQuietly(dir);
            throw ex;
        }
        for (final Map.Entry<String, PubSub> entry : layers.entrySet())
        {
            entry.getValue().stack().handOver();
            final DutyThread thread = new DutyThread(entry.getValue());
            threads.put(entry.getKey(), thread);
            thread.start();
        }
    }

    /**
     * A layer by name.
     *
     * @param name of the layer.
     * @return the layer.
     */
    PubSub layer(final String name)
    {
        return threads.get(name).layer;
    }

    /**
     * Run work on a layer's duty-cycle thread, between two cycles, and wait for its result.
     *
     * @param name of the layer.
     * @param work to run.
     * @param <T>  the result.
     * @return the result.
     */
    <T> T call(final String name, final Callable<T> work)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        threads.get(name).tasks.add(() ->
        {
            try
            {
                result.complete(work.call());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        });
        try
        {
            return result.get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("work on " + name + "'s duty-cycle thread failed", ex);
        }
    }

    /**
     * Wait until a condition holds, looking every 100 us, for at most 30 s.
     *
     * @param what      the condition is, for the failure's message.
     * @param condition to wait for.
     * @throws IllegalStateException if it did not hold in time.
     */
    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("not within 30 s: " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Close a layer on its own duty-cycle thread and end that thread.
     *
     * @param name of the layer.
     */
    void closeLayer(final String name)
    {
        final DutyThread thread = threads.get(name);
        thread.isRunning = false;
        join(thread);
    }

    /**
     * End every duty-cycle thread, each closing its layer, and delete the stacks' directories.
     */
    public void close()
    {
        for (final DutyThread thread : threads.values())
        {
            thread.isRunning = false;
        }
        threads.values().forEach(LoopbackLayers::join);
        deleteQuietly(dir);
    }

    private static boolean allJoined(final PubSub hub, final Map<String, PubSub> layers)
    {
        for (final PubSub layer : layers.values())
        {
            if (layer != hub && (!hub.stack().isJoined(layer.stack().estateId()) ||
                !layer.stack().isJoined(hub.stack().estateId())))
            {
                return false;
            }
        }
        return true;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ignore)
        {
            // Best effort: a temporary directory.
        }
    }

    /**
     * One layer's duty cycle, and the work given to it.
     */
    private static final class DutyThread extends Thread
    {
        private final PubSub layer;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        private volatile boolean isRunning = true;

        DutyThread(final PubSub layer)
        {
            super("duty-" + layer.stack().name());
            this.layer = layer;
            setDaemon(true);
        }

        public void run()
        {
            try
            {
                while (isRunning)
                {
                    int work = 0;
                    Runnable task;
                    while (null != (task = tasks.poll()))
                    {
                        task.run();
                        work++;
                    }
                    work += layer.doWork();
                    idle.idle(work);
                }
            }
            finally
            {
                layer.close();
            }
        }
    }
}
