package io.raet4j.bench;

import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultInjectingMedia;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CachedNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Two stacks, alpha and beta, on loopback UDP in invoker mode, with their status files in a private temporary
 * directory. Alpha may send through a {@link FaultInjectingMedia}, and both may run on a {@link CachedNanoClock}
 * the caller advances, so that timers fire when the caller says.
 * <p>
 * NOT thread safe: built on one thread; each stack is then driven by exactly one thread.
 */
final class LoopbackPair implements AutoCloseable
{
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private final boolean encryption;
    private final boolean lane;

    private final Path statusDir;
    private final CachedNanoClock clock;
    private final FaultInjectingMedia alphaFaults;
    private final Stack alpha;
    private final Stack beta;

    /**
     * Launch two stacks on the system clock with no fault injection.
     */
    LoopbackPair()
    {
        this(null, null, true);
    }

    /**
     * Launch two stacks.
     *
     * @param alphaOutbound faults on the datagrams alpha sends, or null for plain UDP.
     * @param clock         clock of both stacks and of the fault media, or null for the system clock.
     */
    LoopbackPair(final FaultProfile alphaOutbound, final CachedNanoClock clock)
    {
        this(alphaOutbound, clock, true);
    }

    /**
     * Launch two stacks.
     *
     * @param alphaOutbound faults on the datagrams alpha sends, or null for plain UDP.
     * @param clock         clock of both stacks and of the fault media, or null for the system clock.
     * @param encryption    whether the stacks seal their packets (see {@link StackContext#encryption()}).
     */
    LoopbackPair(final FaultProfile alphaOutbound, final CachedNanoClock clock, final boolean encryption)
    {
        this(alphaOutbound, clock, encryption, false);
    }

    /**
     * Two stacks on a lane: yards {@code alpha.sock} and {@code beta.sock} in a lane directory under the status
     * directory, lane packets in clear text (the lane default), system clock.
     *
     * @return the pair.
     */
    static LoopbackPair onLane()
    {
        return new LoopbackPair(null, null, false, true);
    }

    private LoopbackPair(
        final FaultProfile alphaOutbound, final CachedNanoClock clock, final boolean encryption, final boolean lane)
    {
        this.clock = clock;
        this.encryption = encryption;
        this.lane = lane;
        try
        {
            statusDir = Files.createTempDirectory("raet4j-bench-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final StackContext alphaStackCtx = context("bench-alpha");
        final Context alphaCtx = alphaStackCtx.transport();
        FaultInjectingMedia faults = null;
        if (null != alphaOutbound)
        {
            final CachedNanoClock mediaClock = null != clock ? clock : new CachedNanoClock();
            faults = new FaultInjectingMedia(
                UdpMedia.open("127.0.0.1:0", alphaCtx.mtuBytes(), alphaCtx.socketReceiveBufferBytes(),
                    alphaCtx.socketSendBufferBytes(), Throwable::printStackTrace),
                alphaOutbound,
                mediaClock);
            alphaCtx.media(faults);
        }
        alphaFaults = faults;

        Stack a = null;
        Stack b = null;
        try
        {
            a = Stack.launch(alphaStackCtx);
            b = Stack.launch(context("bench-beta"));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(a, b, faults);
            IoUtil.delete(statusDir.toFile(), true);
            throw ex;
        }
        alpha = a;
        beta = b;
    }

    private StackContext context(final String name)
    {
        final Context ctx = new Context()
            .name(name)
            .bindAddress("127.0.0.1:0")
            .threadingMode(Context.ThreadingMode.INVOKER)
            .idleStrategy(new BusySpinIdleStrategy())
            .statusDir(statusDir.resolve(name));
        if (lane)
        {
            ctx.bindAddress("unix:" + statusDir.resolve("lane").resolve(name + ".sock"));
        }
        if (null != clock)
        {
            ctx.nanoClock(clock);
        }
        return new StackContext(ctx).encryption(encryption);
    }

    /**
     * The {@code host:port} a stack is bound to, for {@link Stack#join(String)}.
     *
     * @param stack one of the pair.
     * @return its loopback address.
     */
    static String addressOf(final Stack stack)
    {
        final java.net.SocketAddress address = stack.localAddress();
        return address instanceof InetSocketAddress ?
            "127.0.0.1:" + ((InetSocketAddress)address).getPort() : address.toString();
    }

    /**
     * Alpha joins beta, both driven from the calling thread; with a controlled clock, each step advances it.
     *
     * @param stepNs how far to advance the controlled clock per step; ignored on the system clock.
     * @throws IllegalStateException if the join does not complete within 20 s of wall-clock time.
     */
    void join(final long stepNs)
    {
        alpha.join(addressOf(beta));
        final long deadlineNs = System.nanoTime() + JOIN_TIMEOUT_NS;
        while (!alpha.isJoined(beta.estateId()) || !beta.isJoined(alpha.estateId()))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("join of alpha to beta did not complete");
            }
            if (null != clock)
            {
                clock.advance(stepNs);
            }
            alpha.doWork();
            beta.doWork();
        }
    }

    /**
     * The stack that joins and, in the benchmarks, offers.
     *
     * @return alpha.
     */
    Stack alpha()
    {
        return alpha;
    }

    /**
     * The stack that is joined and, in the benchmarks, receives.
     *
     * @return beta.
     */
    Stack beta()
    {
        return beta;
    }

    /**
     * The fault-injecting media alpha sends through.
     *
     * @return the media, or null if alpha sends on plain UDP.
     */
    FaultInjectingMedia alphaFaults()
    {
        return alphaFaults;
    }

    /**
     * Close both stacks (and so their media) and delete the status directory.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(alpha, beta);
        IoUtil.delete(statusDir.toFile(), true);
    }
}
