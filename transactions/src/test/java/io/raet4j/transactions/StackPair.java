package io.raet4j.transactions;

import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultInjectingMedia;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Two stacks on loopback UDP, each over a fault-injecting media and each with its own controllable clock, driven in
 * invoker mode from the test thread. Time only moves when the test moves it.
 */
final class StackPair implements AutoCloseable
{
    static final long STEP_NS = 10_000;

    final CachedNanoClock clockA = new CachedNanoClock();
    final CachedNanoClock clockB = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final List<String> presenceA = new ArrayList<>();
    final List<String> presenceB = new ArrayList<>();
    final List<Throwable> mediaErrors = new ArrayList<>();
    final Path statusDir;
    Stack a;
    Stack b;
    FaultInjectingMedia mediaA;
    FaultInjectingMedia mediaB;
    RecordingMedia recorderA;
    int mtuA = Context.MTU_DEFAULT;
    int mtuB = Context.MTU_DEFAULT;
    boolean isBRunning = true;
    boolean isARunning = true;
    long steps;

    StackPair(final Path statusDir)
    {
        this.statusDir = statusDir;
        clockA.update(1_000_000_000L);
        clockB.update(1_000_000_000L);
        epochClock.update(1_000_000L);
    }

    Stack startA(final FaultProfile faults, final Consumer<StackContext> config)
    {
        mediaA = new FaultInjectingMedia(
            UdpMedia.open("127.0.0.1:0", mtuA, Context.SOCKET_RCVBUF_DEFAULT,
                Context.SOCKET_SNDBUF_DEFAULT, mediaErrors::add), faults, clockA);
        recorderA = new RecordingMedia(mediaA);
        final StackContext ctx = new StackContext(new Context().name("alpha").estateId(0xA1).media(recorderA)
            .nanoClock(clockA).epochClock(epochClock).statusDir(statusDir.resolve("alpha")))
            .keepDir(statusDir.resolve("keep-alpha"));
        config.accept(ctx);
        a = Stack.launch(ctx);
        a.addPresenceHandler((id, name, event) -> presenceA.add(name + ":" + event));
        return a;
    }

    Stack startB(final FaultProfile faults, final Consumer<StackContext> config, final String bind)
    {
        mediaB = new FaultInjectingMedia(
            UdpMedia.open(bind, mtuB, Context.SOCKET_RCVBUF_DEFAULT,
                Context.SOCKET_SNDBUF_DEFAULT, mediaErrors::add), faults, clockB);
        final StackContext ctx = new StackContext(new Context().name("beta").estateId(0xB2).media(mediaB)
            .nanoClock(clockB).epochClock(epochClock).statusDir(statusDir.resolve("beta-" + System.nanoTime())))
            .keepDir(statusDir.resolve("keep-beta"));
        config.accept(ctx);
        b = Stack.launch(ctx);
        b.addPresenceHandler((id, name, event) -> presenceB.add(name + ":" + event));
        isBRunning = true;
        return b;
    }

    String addressOf(final Stack stack)
    {
        final java.net.InetSocketAddress address = (java.net.InetSocketAddress)stack.localAddress();
        return "127.0.0.1:" + address.getPort();
    }

    void joinAtoB()
    {
        a.join(addressOf(b));
        final boolean joined = runUntil(() -> a.isJoined(b.estateId()) && b.isJoined(a.estateId()), 100_000);
        if (!joined)
        {
            throw new AssertionError("join did not complete: " + presenceA + " " + presenceB + " A " +
                nonZeroCounters(a) + " B " + nonZeroCounters(b) + " errors " + mediaErrors);
        }
    }

    static String nonZeroCounters(final Stack stack)
    {
        final StringBuilder out = new StringBuilder("{");
        for (final TransportCounterDescriptor descriptor : TransportCounterDescriptor.values())
        {
            final long value = stack.counter(descriptor);
            if (0 != value && TransportCounterDescriptor.DUTY_CYCLES != descriptor)
            {
                out.append(descriptor.name()).append('=').append(value).append(' ');
            }
        }
        for (final StackCounterDescriptor descriptor : StackCounterDescriptor.values())
        {
            final long value = stack.counter(descriptor);
            if (0 != value)
            {
                out.append(descriptor.name()).append('=').append(value).append(' ');
            }
        }
        return out.append('}').toString();
    }

    /**
     * One step: both clocks advance, both stacks run a duty cycle.
     */
    void step()
    {
        step(STEP_NS);
    }

    /**
     * One step of a given length: both clocks advance by it, both running stacks run a duty cycle. Long steps let a
     * test cover minutes of protocol time (partitions, session timeouts) in a few thousand cycles.
     *
     * @param stepNs how far both clocks move.
     */
    void step(final long stepNs)
    {
        steps++;
        clockA.advance(stepNs);
        clockB.advance(stepNs);
        epochClock.advance(stepNs / 1_000_000 + 1);
        if (isARunning)
        {
            a.doWork();
        }
        if (isBRunning && null != b)
        {
            b.doWork();
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

    public void close()
    {
        CloseHelper.quietCloseAll(a, b);
    }
}
