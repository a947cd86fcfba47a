package io.raet4j.transactions;

import io.raet4j.transactions.agent.StackAgent;
import io.raet4j.transactions.agent.TransactionCounters;
import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.AcceptancePolicy;
import io.raet4j.transactions.keep.Keep;
import io.raet4j.transactions.keep.KeepChange;
import io.raet4j.transactions.keep.KeepException;
import io.raet4j.transactions.keep.KeepWatcher;
import io.raet4j.transactions.keep.KeepWriter;
import io.raet4j.transactions.keep.LocalIdentity;
import io.raet4j.transactions.keep.RemoteEstateRecord;
import io.raet4j.transactions.keep.Trust;
import io.raet4j.transport.Context;
import io.raet4j.transport.JvmFlags;
import io.raet4j.transport.media.Media;
import io.raet4j.transport.status.CounterDescriptor;
import io.raet4j.transport.status.CounterSet;
import io.raet4j.transport.status.CountingErrorHandler;
import io.raet4j.transport.status.StatusFile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A raet4j stack: one local estate, its media, and the duty-cycle agent that runs its transactions.
 * <p>
 * Threading: the agent and the data API ({@link #offer}, {@link #tryClaim}, {@link #poll}, {@link #join}) share one
 * thread and are NOT thread safe. In {@link Context.ThreadingMode#INVOKER} mode (the default, lowest latency) the
 * application calls {@link #doWork()} from its own loop and calls the data API from that same loop. In
 * {@link Context.ThreadingMode#DEDICATED} mode {@link #start(Agent)} runs the stack on its own thread together with an
 * application agent whose {@code doWork} may call the data API. Callbacks always run on that thread. Any thread may
 * read the counters ({@link #counter}), and call {@link #accept}, {@link #reject} and {@link #remoteEstates}. Other
 * threads reach the data API through {@link ConcurrentSender} (offers and {@code execute}) and
 * {@link ConcurrentReceiver} (received messages), which the duty cycle drains and fills
 * ({@link #addDutyCycleTask}).
 * <pre>{@code
 * try (Stack stack = Stack.launch(new Context().name("alpha").bindAddress("127.0.0.1:7530")))
 * {
 *     stack.addPresenceHandler((id, name, event) -> System.out.println(name + " " + event));
 *     stack.join("127.0.0.1:7531");
 *     while (running)
 *     {
 *         stack.doWork();
 *         stack.poll(handler, 16);
 *     }
 * }
 * }</pre>
 */
public final class Stack implements AutoCloseable
{
    /** The estate is unknown, not joined yet, dead, or being renewed. */
    public static final long NOT_CONNECTED = -1;
    /** The channel's send buffer or segment limit is full: try again after the duty cycle has run. */
    public static final long BACK_PRESSURED = -2;
    /** The message exceeds the maximum message length (or the one-segment limit of a claim). */
    public static final long MESSAGE_TOO_LARGE = -3;
    /** The stack is closed. */
    public static final long CLOSED = -4;
    /** The channel is not in 0 to 255. */
    public static final long INVALID_CHANNEL = -5;
    /** The channel is reserved by a layer above the transport (see {@link #reserveChannels}): offer on another. */
    public static final long CHANNEL_RESERVED = -6;

    /** How often the stack looks for changes other processes (the keys command) made to a configured keep. */
    static final long KEEP_WATCH_INTERVAL_MS = 250;
    /**
     * The same for a temporary keep (no {@link StackContext#keepDir()}): it holds an identity that lives as long as the
     * stack, and only {@link #keepDir()} tells anyone where it is, so an operator accepting an estate in it by hand is
     * rare and may wait this long. Looking costs one small file read (20 to 100 us of CPU measured on a 2-core virtual
     * machine) on the process's shared keep-watch thread: at this interval a process running 5,000 estates (the scale
     * bench) spends about a tenth of a core on it, at 250 ms it would spend more than a core. Changes made through
     * {@link #accept} and {@link #reject} reach the duty cycle at once in either case.
     */
    static final long TEMPORARY_KEEP_WATCH_INTERVAL_MS = 5_000;

    private final StackContext ctx;
    private final Media media;
    private final StatusFile statusFile;
    private final CounterSet<TransportCounterDescriptor> transportCounters;
    private final CounterSet<StackCounterDescriptor> stackCounters;
    private final List<CounterSet<?>> layerCounters = new ArrayList<>();
    private final StackAgent agent;
    private final Keep keep;
    private final KeepWatcher keepWatcher;
    private final KeepWriter keepWriter;
    private final Path temporaryKeepDir;
    private final byte[] signingKey;
    private final AgentInvoker invoker;
    private final ErrorHandler errorHandler;
    private AgentRunner runner;
    private volatile boolean isClosed;
    private volatile boolean isReleaseDeferred;

    private Stack(final StackContext ctx)
    {
        this.ctx = ctx;
        final Context transport = ctx.transport();
        StatusFile statusFile = null;
        CounterSet<TransportCounterDescriptor> transportCounters = null;
        CounterSet<StackCounterDescriptor> stackCounters = null;
        Media media = null;
        Keep keep = null;
        KeepWatcher keepWatcher = null;
        KeepWriter keepWriter = null;
        Path temporaryKeepDir = null;
        try
        {
            statusFile = StatusFile.create(transport.statusDir(), StackResources.statusName(transport.name()),
                StackResources.countersCapacity(ctx), 1024 * 1024, transport.epochClock(),
                transport.deleteStatusDirOnClose());
            transportCounters = new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
            stackCounters = new CounterSet<>(statusFile.countersManager(), StackCounterDescriptor.class);
            stackCounters.get(StackCounterDescriptor.AEAD_IMPLEMENTATION).setRelease(ctx.aeadFactory().code());
            final ErrorHandler userHandler = transport.errorHandler();
            final CountingErrorHandler counting = new CountingErrorHandler(
                statusFile.errorLog(), transportCounters.get(TransportCounterDescriptor.ERRORS), System.err);
            final ErrorHandler errorHandler = null == userHandler ? counting : (ex) ->
            {
                counting.onError(ex);
                userHandler.onError(ex);
            };
            Path keepDir = ctx.keepDir();
            if (null == keepDir)
            {
                temporaryKeepDir = Files.createTempDirectory("raet4j-keep-");
                keepDir = temporaryKeepDir;
            }
            keep = Keep.open(keepDir, transport.epochClock());
            final LocalIdentity identity = keep.loadOrCreateLocal(transport.name());
            if (0 == transport.estateId())
            {
                transport.estateId(identity.id());
            }
            keepWatcher = new KeepWatcher(keep, errorHandler);
            keepWriter = new KeepWriter(keep, KeepWriter.DEFAULT_CAPACITY, errorHandler, keepWatcher,
                null == temporaryKeepDir ? KEEP_WATCH_INTERVAL_MS : TEMPORARY_KEEP_WATCH_INTERVAL_MS,
                KeepWriter.DEFAULT_CHANGE_CAPACITY);
            final Trust trust = new Trust(identity, AcceptancePolicy.parse(ctx.acceptPolicy()),
                keepWatcher.records(), keepWriter, transport.epochClock());
            media = null != transport.media() ? transport.media() : StackResources.openMedia(transport, errorHandler);
            final StatusFile status = statusFile;
            this.agent = new StackAgent(
                ctx, media, new TransactionCounters(transportCounters, stackCounters), errorHandler,
                () -> status.heartbeat(transport.epochClock().time()), transport.estateId(), trust, keepWriter,
                statusFile.countersManager(), keepDir.toString());
            this.invoker = new AgentInvoker(errorHandler, null, agent);
            this.errorHandler = errorHandler;
            this.signingKey = identity.signPublicKey();
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(
                media, keepWriter, keepWatcher, keep, stackCounters, transportCounters, statusFile);
            StackResources.deleteQuietly(temporaryKeepDir);
            throw new UncheckedIOException("cannot create a temporary keep", ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(
                media, keepWriter, keepWatcher, keep, stackCounters, transportCounters, statusFile);
            StackResources.deleteQuietly(temporaryKeepDir);
            throw ex;
        }
        this.keep = keep;
        this.keepWatcher = keepWatcher;
        this.keepWriter = keepWriter;
        this.temporaryKeepDir = temporaryKeepDir;
        this.media = media;
        this.statusFile = statusFile;
        this.transportCounters = transportCounters;
        this.stackCounters = stackCounters;
        invoker.start();
    }

    /**
     * Launch a stack with the transactions layer's defaults over the transport settings given: the same as
     * {@code launch(new StackContext(transport))}.
     *
     * @param transport the transport's settings: name, media, addresses, status file, duty cycle.
     * @return the stack.
     * @throws IllegalStateException if the JVM lacks {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED},
     *                               which Agrona's buffers need: the message says where to add it.
     */
    public static Stack launch(final Context transport)
    {
        return launch(new StackContext(transport));
    }

    /**
     * Launch a stack: conclude the context if needed (the transport's first), create the status file, open the
     * media.
     *
     * @param ctx the transactions layer's settings, holding the transport's.
     * @return the stack.
     * @throws IllegalStateException if the JVM lacks {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED},
     *                               which Agrona's buffers need: the message says where to add it.
     */
    public static Stack launch(final StackContext ctx)
    {
        JvmFlags.check();
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        return new Stack(ctx);
    }

    /**
     * In {@link Context.ThreadingMode#DEDICATED} mode, run the stack agent on its own thread, followed in every
     * duty cycle by an application agent that may call the data API.
     *
     * @param application agent run after the stack in each duty cycle, or null for none.
     * @return this for a fluent API.
     * @throws IllegalStateException if not in dedicated mode or already started.
     */
    public Stack start(final Agent application)
    {
        if (Context.ThreadingMode.DEDICATED != ctx.transport().threadingMode() || null != runner)
        {
            throw new IllegalStateException("start needs DEDICATED threading mode and may be called once");
        }
        final Agent stackAgent = new Agent()
        {
            public int doWork()
            {
                if (isReleaseDeferred)
                {
                    // Closed from this thread: end the runner's loop, which then calls onClose.
                    throw new AgentTerminationException("closed on the stack's thread");
                }
                return invoker.invoke();
            }

            public void onClose()
            {
                invoker.close();
                if (isReleaseDeferred)
                {
                    release();
                }
            }

            public String roleName()
            {
                return agent.roleName();
            }
        };
        final Agent toRun = null == application ? stackAgent : new CompositeAgent(stackAgent, application);
        runner = new AgentRunner(ctx.transport().idleStrategy(), this::onAgentError, null, toRun);
        // The runner's thread owns the stack from its first instruction: no other thread can slip in before it.
        AgentRunner.startOnThread(runner, (runnable) ->
        {
            final Thread thread = new Thread(runnable);
            agent.owner().owner(thread);
            return thread;
        });
        return this;
    }

    private void onAgentError(final Throwable ex)
    {
        if (ex instanceof AgentTerminationException && isReleaseDeferred)
        {
            return;
        }
        ex.printStackTrace(System.err);
    }

    /**
     * Run one duty cycle. Invoker mode only. The first call claims the stack for the calling thread: from then on
     * only that thread may run it and call its data API, until it {@link #handOver() hands it over} or ends.
     *
     * @return the amount of work done, 0 if idle.
     * @throws IllegalStateException if another thread owns the stack.
     */
    public int doWork()
    {
        agent.owner().claimOrRefuse("doWork");
        return invoker.invoke();
    }

    /**
     * Give the stack up from the thread that runs it, so that the next call from another thread takes it over: for
     * an application that moves its duty-cycle loop between threads. Calls are never concurrent: the owner stops
     * calling before it hands over. A stack whose owner thread has ended is taken over the same way without it.
     *
     * @throws IllegalStateException if called from a thread that does not own the stack.
     */
    public void handOver()
    {
        agent.owner().handOver();
    }

    /**
     * Polls of the agent's timer wheel so far (see {@code StackAgent.timerWheelPolls()}), for tests of what a duty
     * cycle costs. Same thread as {@link #doWork()}.
     *
     * @return the number of polls.
     */
    long timerWheelPolls()
    {
        return agent.timerWheelPolls();
    }

    /**
     * The invoker that runs the agent's duty cycle in the caller's thread.
     *
     * @return the agent invoker.
     */
    public AgentInvoker invoker()
    {
        return invoker;
    }

    /**
     * Add a handler that learns the outcome of every reliable message offered from now on. Several may be added; each
     * is called, in the order added, for every outcome. Outcomes are handed over at the end of a duty cycle, after the
     * state change that ended the message, so a handler may call any method of the stack, {@link #close()} included.
     * Add handlers before the stack runs or on its duty-cycle thread. Adding one twice has no effect.
     *
     * @param handler to call on the duty-cycle thread.
     * @return this for a fluent API.
     */
    public Stack addDeliveryHandler(final DeliveryHandler handler)
    {
        agent.events().add(handler);
        return this;
    }

    /**
     * Add work the duty cycle runs at the start of every cycle, on its thread, at a safe point where the task may
     * call the data API: how a component that other threads feed or drain ({@link ConcurrentSender},
     * {@link ConcurrentReceiver}) gets its share of the cycle. Tasks run in the order added. Add tasks before the
     * stack runs or on its duty-cycle thread. Adding one twice has no effect.
     *
     * @param task to run every duty cycle.
     * @return this for a fluent API.
     * @throws IllegalStateException if called from a thread other than the stack's while it runs.
     */
    public Stack addDutyCycleTask(final DutyCycleTask task)
    {
        if (null == task)
        {
            throw new NullPointerException("task is null: give the work to run every duty cycle");
        }
        if (!agent.owner().isOwner())
        {
            agent.owner().claimOrRefuse("addDutyCycleTask");
        }
        agent.addTask(task);
        return this;
    }

    /**
     * Remove a task added with {@link #addDutyCycleTask}; it is not run in cycles that start after this returns.
     * Same thread rule as adding.
     *
     * @param task to remove.
     * @return true if it had been added.
     */
    public boolean removeDutyCycleTask(final DutyCycleTask task)
    {
        if (!agent.owner().isOwner())
        {
            agent.owner().claimOrRefuse("removeDutyCycleTask");
        }
        return agent.removeTask(task);
    }

    /**
     * Remove a delivery handler; it is not called for outcomes handed over after this returns.
     *
     * @param handler to remove.
     * @return true if it had been added.
     */
    public boolean removeDeliveryHandler(final DeliveryHandler handler)
    {
        return agent.events().remove(handler);
    }

    /**
     * Add a handler that learns of estates joining, becoming unreachable and reachable again, being renewed, dying and
     * being reaped. Several may be added; each is called, in the order added, for every event, at the end of the duty
     * cycle that caused it (see {@link #addDeliveryHandler}). A layer that attaches late reads the estates already
     * joined with {@link #estates()}. Adding one twice has no effect.
     *
     * @param handler to call on the duty-cycle thread.
     * @return this for a fluent API.
     */
    public Stack addPresenceHandler(final PresenceHandler handler)
    {
        agent.events().add(handler);
        return this;
    }

    /**
     * Remove a presence handler.
     *
     * @param handler to remove.
     * @return true if it had been added.
     */
    public boolean removePresenceHandler(final PresenceHandler handler)
    {
        return agent.events().remove(handler);
    }

    /**
     * Add a handler that learns why joins fail: those this stack started, with the returned correlation id, and those
     * it refused or keeps pending. Each comes with a {@link JoinFailure} whose message says what happened and what to
     * do. Several may be added; adding one twice has no effect.
     *
     * @param handler to call on the duty-cycle thread.
     * @return this for a fluent API.
     */
    public Stack addJoinHandler(final JoinHandler handler)
    {
        agent.events().add(handler);
        return this;
    }

    /**
     * Remove a join handler.
     *
     * @param handler to remove.
     * @return true if it had been added.
     */
    public boolean removeJoinHandler(final JoinHandler handler)
    {
        return agent.events().remove(handler);
    }

    /**
     * A snapshot of every remote estate the stack knows, joined or not, with its state: what a layer that attaches
     * late (after estates joined) needs before presence events tell it of changes. Control plane: allocates.
     *
     * @return the estates, in no particular order.
     * @throws IllegalStateException if called from a thread that does not own the stack.
     */
    public List<EstateSnapshot> estates()
    {
        final io.raet4j.transactions.estate.Estates estates = agent.estates();
        final java.util.ArrayList<EstateSnapshot> snapshot = new java.util.ArrayList<>(estates.size());
        for (int i = 0, size = estates.size(); i < size; i++)
        {
            final io.raet4j.transactions.estate.RemoteEstate estate = estates.get(i);
            snapshot.add(new EstateSnapshot(estate.id(), estate.name(),
                io.raet4j.transactions.estate.LocalEstate.format(estate.address()), estate.state()));
        }
        return snapshot;
    }

    /**
     * Join an estate at an address. The outcome arrives as a presence event: {@link PresenceEvent#JOINED} with the
     * estate's id, or {@link PresenceEvent#JOIN_FAILED} with the returned correlation id, and then the reason at the
     * {@link JoinHandler}. A refusal is learnt as soon as the other end answers; silence fails after the join timeout.
     *
     * @param address of the estate, in the media's notation ({@code host:port}).
     * @return a correlation id for the join.
     * @throws IllegalArgumentException if the address is not valid.
     */
    public long join(final String address)
    {
        return agent.join(media.resolve(address), null);
    }

    /**
     * Join an estate at an address, trusting its answer only if it is signed by the given key: an answer signed by
     * another key is refused (counted as {@link StackCounterDescriptor#PINNED_KEY_MISMATCH}) and the join fails at
     * once with {@link JoinFailure.Reason#PINNED_KEY_MISMATCH}.
     *
     * @param address          of the estate, in the media's notation ({@code host:port}).
     * @param pinnedSigningKey the estate's 32-byte Ed25519 public key, or null to accept whatever key the keep allows.
     * @return a correlation id for the join.
     * @throws IllegalArgumentException if the address is not valid or the key is not 32 bytes.
     */
    public long join(final String address, final byte[] pinnedSigningKey)
    {
        if (null != pinnedSigningKey && LocalIdentity.PUBLIC_KEY_LENGTH != pinnedSigningKey.length)
        {
            throw new IllegalArgumentException("pinned signing key must be 32 bytes");
        }
        return agent.join(media.resolve(address), pinnedSigningKey);
    }

    /**
     * This estate's long-term Ed25519 public key, from its keep: what a joiner pins.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] signingKey()
    {
        return signingKey.clone();
    }

    /**
     * The keep directory this stack runs on (a temporary one, deleted at close, if none was configured). Changes other
     * processes make to the keep (the keys command) are seen within 250 ms, or within 5 s in a temporary keep.
     *
     * @return the directory.
     */
    public Path keepDir()
    {
        return keep.directory();
    }

    /**
     * The remote estates the keep records, with their keys and acceptance status: pending, accepted and rejected.
     * Waits for the keep writer to write what this stack queued, then reads the keep: blocking file I/O, for a control
     * thread, not for a hot loop.
     *
     * @return the records, sorted by name.
     */
    public List<RemoteEstateRecord> remoteEstates()
    {
        keepWriter.flush(KeepWriter.CLOSE_TIMEOUT_MS);
        return keep.remotes();
    }

    /**
     * Accept an estate the keep records (usually a pending one): its next join is accepted, within a second.
     * Writes the keep (blocking file I/O, safe alongside other processes using the keep).
     *
     * @param name of the remote estate.
     * @return true if the status changed, false if it was already accepted.
     * @throws KeepException if the keep has no such estate or cannot be written.
     */
    public boolean accept(final String name)
    {
        return setStatus(name, Acceptance.ACCEPTED);
    }

    /**
     * Reject an estate: its joins are refused, and if it is joined now it is cut off within a second, its messages in
     * flight failed. Writes the keep (blocking file I/O).
     *
     * @param name of the remote estate.
     * @return true if the status changed.
     * @throws KeepException if the keep has no such estate or cannot be written.
     */
    public boolean reject(final String name)
    {
        return setStatus(name, Acceptance.REJECTED);
    }

    private boolean setStatus(final String name, final Acceptance status)
    {
        // Decisions the duty cycle queued for the writer go to disk first: an older record written after this change
        // would undo it. (Records deferred because the queue was full are not covered: see KEEP.md section 6.)
        keepWriter.flush(KeepWriter.CLOSE_TIMEOUT_MS);
        final RemoteEstateRecord before = keep.remote(name).orElse(null);
        final boolean changed = keep.setStatus(name, status);
        if (changed)
        {
            // The keep's watcher absorbs this process's own writes, so the duty cycle is told directly.
            keep.remote(name).ifPresent((after) -> agent.onOperatorChange(new KeepChange(before, after)));
        }
        return changed;
    }

    /**
     * Offer a message to an estate on a channel. The bytes are copied; the outcome of a reliable message arrives
     * later at the {@link DeliveryHandler}, exactly once.
     *
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @param buffer   holding the message.
     * @param offset   of the message.
     * @param length   of the message, 0 to the maximum message length.
     * @return the message id, 0 or more, or {@link #NOT_CONNECTED}, {@link #BACK_PRESSURED},
     * {@link #MESSAGE_TOO_LARGE}, {@link #CLOSED} or {@link #INVALID_CHANNEL}.
     */
    public long offer(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        return agent.offer(estateId, channel, buffer, offset, length);
    }

    /**
     * Claim room for a message of one segment, to be written in place and committed: zero copy.
     *
     * @param estateId of the receiver.
     * @param channel  0 to 255.
     * @param length   of the message, at most one segment's payload.
     * @param claim    to wrap around the room.
     * @return a non-negative value when claimed, or a negative status as for {@link #offer}.
     */
    public long tryClaim(final long estateId, final int channel, final int length, final BufferClaim claim)
    {
        final long position = agent.tryClaim(estateId, channel, length);
        if (position >= 0)
        {
            claim.wrap(agent, agent.claimEstate(), agent.claimChannel(), position, length);
        }
        return position;
    }

    /**
     * Hand up to {@code limit} complete messages to a handler, from every channel no layer reserved
     * ({@link #reserveChannels}). Estates take turns: each poll starts with the estate after the one the last poll
     * ended with, so a busy estate cannot starve the others. Within a channel, messages come in the channel's order.
     * A poll from inside a handler hands nothing over and returns 0.
     *
     * @param handler given each message.
     * @param limit   most messages.
     * @return number of messages handed over.
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        return agent.poll(handler, limit, null);
    }

    /**
     * Hand up to {@code limit} complete messages from some channels only (reserved ones included if in the set), the
     * rest left for other polls: for a consumer per channel or per group of channels.
     *
     * @param handler  given each message.
     * @param limit    most messages.
     * @param channels the channels polled; reuse one set on every poll, it allocates nothing.
     * @return number of messages handed over.
     */
    public int poll(final MessageHandler handler, final int limit, final ChannelSet channels)
    {
        return agent.poll(handler, limit, channels);
    }

    /**
     * Hand complete messages to a handler that decides, for each, whether it is consumed and whether the poll goes
     * on: a message it aborts stays first in its channel, whole, and is handed over again by the next poll. From
     * every channel no layer reserved.
     *
     * @param handler given each message.
     * @param limit   most messages consumed.
     * @return number of messages consumed (aborted ones not counted).
     */
    public int controlledPoll(final ControlledMessageHandler handler, final int limit)
    {
        return agent.controlledPoll(handler, limit, null);
    }

    /**
     * As {@link #controlledPoll(ControlledMessageHandler, int)}, from some channels only.
     *
     * @param handler  given each message.
     * @param limit    most messages consumed.
     * @param channels the channels polled.
     * @return number of messages consumed.
     */
    public int controlledPoll(final ControlledMessageHandler handler, final int limit, final ChannelSet channels)
    {
        return agent.controlledPoll(handler, limit, channels);
    }

    /**
     * Reserve channels for a layer above the transport (pub/sub reserves its control and data channels this way):
     * from now on the application's {@link #offer} and {@link #tryClaim} on them return {@link #CHANNEL_RESERVED},
     * its polls without a channel set leave their messages alone, and its delivery handlers do not see their outcomes.
     * The layer offers, polls and learns outcomes through the returned reservation. Both ends of a pair must reserve
     * the same numbers: a layer uses fixed channels, documented with the layer. Call on the duty-cycle thread, before
     * the layer's first message.
     *
     * @param owner    the layer's name, given in refusals.
     * @param channels the channels.
     * @return the reservation.
     * @throws IllegalStateException if a channel is reserved already (the message names by whom).
     */
    public ChannelReservation reserveChannels(final String owner, final ChannelSet channels)
    {
        agent.messenger().poller().reserve(owner, channels);
        agent.events().reserveOutcomes(channels);
        return new ChannelReservation(this, agent, owner, channels);
    }

    /**
     * Is an estate joined and alive.
     *
     * @param estateId of the estate.
     * @return true if messages may be offered to it.
     */
    public boolean isJoined(final long estateId)
    {
        return agent.isJoined(estateId);
    }

    /**
     * Id of a known estate by name. Control plane.
     *
     * @param name of the estate.
     * @return its id, or 0 if unknown.
     */
    public long estateIdByName(final String name)
    {
        return agent.estateIdByName(name);
    }

    /**
     * Reliable messages to an estate neither delivered nor failed yet.
     *
     * @param estateId of the estate.
     * @return the number of outstanding messages.
     */
    public long outstandingMessages(final long estateId)
    {
        return agent.outstandingMessages(estateId);
    }

    /**
     * Number of estates known, in any state.
     *
     * @return the count of estates.
     */
    public int estateCount()
    {
        return agent.estateCount();
    }

    /**
     * Id of the local estate.
     *
     * @return the id.
     */
    public long estateId()
    {
        return agent.estateId();
    }

    /**
     * Name of the local estate.
     *
     * @return the name.
     */
    public String name()
    {
        return agent.name();
    }

    /**
     * Session id of this incarnation of the stack.
     *
     * @return the session id.
     */
    public int session()
    {
        return agent.session();
    }

    /**
     * Address the media is bound to.
     *
     * @return the local address.
     */
    public SocketAddress localAddress()
    {
        return media.localAddress();
    }

    /**
     * Value of one of the transport's counters; after {@link #close()}, its value when the stack closed. Counters are
     * read-only to applications: only the stack writes them. Other processes read them from {@link #statusFile()}.
     *
     * @param descriptor of the counter.
     * @return its value.
     */
    public long counter(final TransportCounterDescriptor descriptor)
    {
        return transportCounters.value(descriptor);
    }

    /**
     * Value of one of the transactions layer's counters; after {@link #close()}, its value when the stack closed.
     * Counters are read-only to applications: only the stack writes them. Other processes read them from
     * {@link #statusFile()}.
     *
     * @param descriptor of the counter.
     * @return its value.
     */
    public long counter(final StackCounterDescriptor descriptor)
    {
        return stackCounters.value(descriptor);
    }

    /**
     * For a layer above the stack: allocate its own counters in the stack's status file, beside the transport's and
     * the stack's, where {@code raet4j.jar stat} and other processes read them by type id. The set is the layer's to
     * write (and to hand out read-only); it is freed when the stack closes, keeping its last values. Room comes from
     * {@link StackContext#layerCountersMax()}. Call before the stack runs or on its duty-cycle thread.
     *
     * @param descriptorClass the layer's descriptor enum; its ids must not be used by another layer
     *                        (see {@link CounterDescriptor}).
     * @param <D>             the descriptor type.
     * @return the layer's counters.
     * @throws IllegalStateException if the stack is closed, called from a thread that does not own the stack, or
     *                               the status file has no room left: the message says which.
     */
    public <D extends Enum<D> & CounterDescriptor> CounterSet<D> addCounters(final Class<D> descriptorClass)
    {
        if (isClosed)
        {
            throw new IllegalStateException("stack is closed: add a layer's counters before closing it");
        }
        agent.owner().claimOrRefuse("addCounters");
        final CounterSet<D> set = new CounterSet<>(statusFile.countersManager(), descriptorClass);
        layerCounters.add(set);
        return set;
    }

    /**
     * The stack's error handler: counts each error ({@link TransportCounterDescriptor#ERRORS}), records it in the
     * status file's distinct error log, and passes it to the application's handler if one was set. For a layer above
     * to report what it catches (a subscriber's handler that throws) where the stack's own errors go. Thread safe.
     *
     * @return the error handler.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * The status file other processes read counters and errors from.
     *
     * @return the path of the status file.
     */
    public Path statusFile()
    {
        return statusFile.file();
    }

    /**
     * The context the stack runs with.
     *
     * @return the context.
     */
    public StackContext context()
    {
        return ctx;
    }

    /**
     * Whether the stack is closed: by {@link #close()}, from any handler or thread.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Close: tell joined estates this one is leaving, fail messages in flight with {@link FailureReason#CLOSED},
     * stop the agent, release the media and the status file. Idempotent.
     */
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        if (null != runner)
        {
            if (agent.owner().isOwner())
            {
                // On the stack's own thread (a handler, or the application agent): the stack ends now, but the
                // runner's loop is still on the stack, so the media and files are released when that loop ends.
                CloseHelper.quietClose(invoker);
                isReleaseDeferred = true;
                return;
            }
            CloseHelper.quietClose(runner);
        }
        else
        {
            CloseHelper.quietClose(invoker);
        }
        release();
    }

    private void release()
    {
        CloseHelper.quietCloseAll(layerCounters);
        CloseHelper.quietCloseAll(media, keepWriter, keepWatcher, keep, stackCounters, transportCounters, statusFile);
        StackResources.deleteQuietly(temporaryKeepDir);
    }
}
