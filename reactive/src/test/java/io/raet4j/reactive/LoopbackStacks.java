package io.raet4j.reactive;

import io.raet4j.transactions.Stack;
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
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real stacks on loopback UDP for the tests: the first one named is joined by each of the others, then each stack's
 * duty cycle runs on a thread of its own (backing off to 100 us parks when idle, so that two of them leave room on two
 * cores for the executors and the test), with {@link #call} to run work on that thread between duty cycles, where the
 * stack's API may be used.
 */
final class LoopbackStacks implements AutoCloseable
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Path dir;
    private final Map<String, DutyThread> threads = new LinkedHashMap<>();

    /**
     * Launch, join and run stacks.
     *
     * @param config applied to each stack's context.
     * @param names  of the stacks: the first is joined by each of the others.
     */
    LoopbackStacks(final Consumer<StackContext> config, final String... names)
    {
        try
        {
            dir = Files.createTempDirectory("raet4j-reactive-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Map<String, Stack> stacks = new LinkedHashMap<>();
        try
        {
            for (final String name : names)
            {
                final StackContext ctx = new StackContext(new Context()
                    .name(name)
                    .bindAddress("127.0.0.1:0")
                    .statusDir(dir.resolve(name)))
                    .keepDir(dir.resolve("keep-" + name));
                config.accept(ctx);
                stacks.put(name, Stack.launch(ctx));
            }
            final Stack hub = stacks.get(names[0]);
            final int hubPort = ((InetSocketAddress)hub.localAddress()).getPort();
            for (final Stack stack : stacks.values())
            {
                if (stack != hub)
                {
                    stack.join("127.0.0.1:" + hubPort);
                }
            }
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (!allJoined(hub, stacks))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("the stacks did not join within 30 s");
                }
                for (final Stack stack : stacks.values())
                {
                    stack.doWork();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            stacks.values().forEach(Stack::close);
            deleteQuietly(dir);
            throw ex;
        }
        for (final Map.Entry<String, Stack> entry : stacks.entrySet())
        {
            entry.getValue().handOver();
            final DutyThread thread = new DutyThread(entry.getValue());
            threads.put(entry.getKey(), thread);
            thread.start();
        }
    }

    /**
     * A stack by name.
     *
     * @param name of the stack.
     * @return the stack.
     */
    Stack stack(final String name)
    {
        return threads.get(name).stack;
    }

    /**
     * Run work on a stack's duty-cycle thread, between two cycles, and wait for its result.
     *
     * @param name of the stack.
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
     * Run work on a stack's duty-cycle thread without waiting for it.
     *
     * @param name of the stack.
     * @param work to run.
     */
    void post(final String name, final Runnable work)
    {
        threads.get(name).tasks.add(work);
    }

    /**
     * Close a stack on its own duty-cycle thread and end that thread.
     *
     * @param name of the stack.
     */
    void closeStack(final String name)
    {
        final DutyThread thread = threads.get(name);
        thread.isRunning = false;
        join(thread);
    }

    /**
     * End every duty-cycle thread, each closing its stack, and delete the stacks' directories.
     */
    public void close()
    {
        for (final DutyThread thread : threads.values())
        {
            thread.isRunning = false;
        }
        threads.values().forEach(LoopbackStacks::join);
        deleteQuietly(dir);
    }

    private static boolean allJoined(final Stack hub, final Map<String, Stack> stacks)
    {
        for (final Stack stack : stacks.values())
        {
            if (stack != hub && (!hub.isJoined(stack.estateId()) || !stack.isJoined(hub.estateId())))
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
     * One stack's duty cycle, and the work given to it.
     */
    private static final class DutyThread extends Thread
    {
        private final Stack stack;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        private volatile boolean isRunning = true;

        DutyThread(final Stack stack)
        {
            super("duty-" + stack.name());
            this.stack = stack;
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
                    work += stack.doWork();
                    idle.idle(work);
                }
            }
            finally
            {
                stack.close();
            }
        }
    }
}
