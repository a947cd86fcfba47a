package io.raet4j.pubsub;

import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Several pub/sub layers, each on its own stack over loopback UDP, driven in invoker mode from the test thread with
 * one controllable clock: time only moves when the test moves it.
 */
final class PubSubMesh implements AutoCloseable
{
    static final long STEP_NS = 10_000;

    final CachedNanoClock clock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final List<PubSub> members = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final java.util.Set<PubSub> paused = new java.util.HashSet<>();
    private final Path dir;

    PubSubMesh(final Path dir)
    {
        this.dir = dir;
        clock.update(1_000_000_000L);
        epochClock.update(1_000_000L);
    }

    PubSub launch(final String name)
    {
        return launch(name, (ctx) -> {});
    }

    PubSub launch(final String name, final Consumer<StackContext> config)
    {
        return launch(name, config, (ctx) -> {});
    }

    PubSub launch(final String name, final Consumer<StackContext> config, final Consumer<PubSubContext> layerConfig)
    {
        final StackContext stackCtx = new StackContext(new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .nanoClock(clock)
            .epochClock(epochClock)
            .errorHandler(errors::add)
            .statusDir(dir.resolve("status-" + name + "-" + System.nanoTime())))
            .keepDir(dir.resolve("keep-" + name));
        config.accept(stackCtx);
        final PubSubContext layerCtx = new PubSubContext(stackCtx);
        layerConfig.accept(layerCtx);
        final PubSub pubSub = PubSub.launch(layerCtx);
        members.add(pubSub);
        return pubSub;
    }

    static String address(final PubSub pubSub)
    {
        return "127.0.0.1:" + ((InetSocketAddress)pubSub.stack().localAddress()).getPort();
    }

    void join(final PubSub from, final PubSub to)
    {
        from.stack().join(address(to));
        if (!runUntil(() -> from.stack().isJoined(to.stack().estateId()) &&
            to.stack().isJoined(from.stack().estateId()), 100_000))
        {
            throw new AssertionError(
                "join of " + from.stack().name() + " to " + to.stack().name() + " did not complete");
        }
    }

    void step()
    {
        clock.advance(STEP_NS);
        epochClock.advance(1);
        for (final PubSub member : members)
        {
            if (!member.isClosed() && !paused.contains(member))
            {
                member.doWork();
            }
        }
    }

    boolean runUntil(final BooleanSupplier condition, final long maxSteps)
    {
        for (long i = 0; i < maxSteps; i++)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            step();
        }
        return condition.getAsBoolean();
    }

    void run(final long steps)
    {
        for (long i = 0; i < steps; i++)
        {
            step();
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(members);
    }
}
