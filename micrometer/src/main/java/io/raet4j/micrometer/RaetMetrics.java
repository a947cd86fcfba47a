package io.raet4j.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubCounterDescriptor;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.status.CounterDescriptor;
import io.raet4j.transport.status.StatusFile;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.status.CountersReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a stack's counters to a Micrometer {@link MeterRegistry}: every counter of the transport
 * ({@link TransportCounterDescriptor}), of the stack ({@link StackCounterDescriptor}) and, when the stack runs one, of
 * the pub/sub layer ({@link PubSubCounterDescriptor}) found in the stack's status file.
 * <pre>{@code
 * try (RaetMetrics metrics = new RaetMetrics(stack, Tags.of("service", "orders")))
 * {
 *     metrics.bindTo(registry);
 *     ...
 * }
 * }</pre>
 * <b>Names.</b> {@code raet4j.<layer>.<counter>}: the layer is {@code transport}, {@code stack} or {@code pubsub}, the
 * counter its descriptor's constant in lower case with a dot for each underscore (see {@link #meterName}):
 * {@code StackCounterDescriptor.RETRANSMITS} is {@code raet4j.stack.retransmits},
 * {@code PubSubCounterDescriptor.PUBLICATIONS_SENT} is {@code raet4j.pubsub.publications.sent},
 * {@code TransportCounterDescriptor.BYTES_RECEIVED} is {@code raet4j.transport.bytes.received}. The description is the
 * counter's label. No base unit is set: a name says its unit where it has one (bytes), so a registry that appends the
 * unit to the name (Prometheus) does not say it twice.
 * <p>
 * <b>Kinds.</b> Each is a {@link FunctionCounter}: every counter of these layers only grows (the two
 * {@code KEEP_WRITES_*} ones are set to the keep writer's totals, which only grow too), so none is a level that would
 * be a {@code Gauge}. The status file's levels are per estate (presence state, time since last heard, round trip) and
 * are not bound, nor are the other per-estate counters: there are up to {@code StackContext.estateCountersMax} times
 * nine of them, allocated when an estate first joins and freed when it is reaped, which a binder bound once does not
 * follow, and their totals are the stack's counters ({@code raet4j.jar stat --estates} lists them). Counters of layers
 * this module does not know (type ids from 3000) are not bound either.
 * <p>
 * <b>Tags.</b> {@value #STACK_TAG} (the stack's name) and {@value #ESTATE_ID_TAG} (the local estate's id, 16 hex
 * digits), then the tags given, which win on the same key.
 * <p>
 * <b>Reading.</b> A meter reads its counter from a read-only mapping of the status file that this binder makes for
 * itself: one volatile 8-byte read, no lock and no allocation, on whatever thread the registry reads from, while the
 * stack writes the counter on its own. It does not go through {@link Stack#counter}, thread safe as that is: it reads
 * the stack's own mapping, which the stack unmaps when it closes, and a read that found the counters still open and
 * was descheduled until after the unmap would touch unmapped memory (a crash of the JVM, not an exception). The window
 * is small, but a registry's thread is not the stack's to schedule. This binder's mapping is never unmapped while a
 * meter can reach it: the meters hold it, and the garbage collector releases it once they are gone.
 * <p>
 * <b>A stack that closes.</b> It frees its counters without clearing their values, and its status file, deleted or
 * not, stays mapped here: the meters go on reading the values the counters had when the stack closed, the ones
 * {@link Stack#counter} returns after close. Close this binder when done with the stack: {@link #close()} removes its
 * meters from every registry it bound them to. A registry takes one binder per stack: {@link #bindTo} refuses a meter
 * that another binder registered under the same name and tags (a stack restarted with the same name and keep has the
 * same tags, and the earlier binder's meters would go on showing the closed stack).
 * <p>
 * <b>Another process's stack.</b> {@link #ofStatusFile} binds the counters of any stack whose status file this process
 * can read, with the same code; the file does not say the estate's id, so the caller does.
 * <p>
 * Thread safety: the meters may be read from any thread; {@link #bindTo} and {@link #close()} may be called from any
 * thread (they are control plane and synchronized).
 */
public final class RaetMetrics implements MeterBinder, AutoCloseable
{
    /** Start of every meter's name. */
    public static final String NAME_PREFIX = "raet4j.";
    /** Tag key of the stack's name. */
    public static final String STACK_TAG = "stack";
    /** Tag key of the local estate's id, 16 lower-case hex digits. */
    public static final String ESTATE_ID_TAG = "estate.id";

    private static final Map<Class<?>, String> LAYERS = Map.of(
        TransportCounterDescriptor.class, "transport",
        StackCounterDescriptor.class, "stack",
        PubSubCounterDescriptor.class, "pubsub");
    private static final Int2ObjectHashMap<CounterDescriptor> BY_TYPE_ID = byTypeId(
        TransportCounterDescriptor.values(), StackCounterDescriptor.values(), PubSubCounterDescriptor.values());

    private final Tags tags;
    private final List<CounterReading> readings;
    private final List<Registration> registrations = new ArrayList<>();
    private boolean isClosed;

    /**
     * Bind the counters of a running stack, with the stack's tags only.
     *
     * @param stack whose counters to bind; it may run on any thread.
     * @throws IllegalStateException if the stack is closed.
     */
    public RaetMetrics(final Stack stack)
    {
        this(stack, Tags.empty());
    }

    /**
     * Bind the counters of a running stack.
     *
     * @param stack whose counters to bind; it may run on any thread.
     * @param tags  added to every meter, after {@value #STACK_TAG} and {@value #ESTATE_ID_TAG}.
     * @throws IllegalStateException if the stack is closed.
     */
    public RaetMetrics(final Stack stack, final Iterable<Tag> tags)
    {
        this(openStatusFile(stack), stack.name(), stack.estateId(), tags);
    }

    /**
     * Bind the counters of a pub/sub layer and of the stack it runs on, with the stack's tags only.
     *
     * @param pubSub whose counters and stack's counters to bind.
     * @throws IllegalStateException if the layer is closed.
     */
    public RaetMetrics(final PubSub pubSub)
    {
        this(pubSub, Tags.empty());
    }

    /**
     * Bind the counters of a pub/sub layer and of the stack it runs on: the same as binding its stack, whose status
     * file holds the layer's counters too.
     *
     * @param pubSub whose counters and stack's counters to bind.
     * @param tags   added to every meter, after {@value #STACK_TAG} and {@value #ESTATE_ID_TAG}.
     * @throws IllegalStateException if the layer is closed.
     */
    public RaetMetrics(final PubSub pubSub, final Iterable<Tag> tags)
    {
        this(pubSub.stack(), tags);
    }

    private RaetMetrics(
        final StatusFile.Reader statusFile, final String stackName, final long estateId, final Iterable<Tag> tags)
    {
        Objects.requireNonNull(tags, "tags");
        this.tags = Tags.of(STACK_TAG, stackName, ESTATE_ID_TAG, String.format("%016x", estateId)).and(tags);
        this.readings = readings(statusFile);
    }

    /**
     * Bind the counters of a stack from its status file alone, read-only: a stack of another process (or one that
     * has stopped, whose counters keep their last values), as {@code raet4j.jar stat} reads it. The counters bound
     * are those allocated in the file now. The {@value #STACK_TAG} tag is the name in the file's header.
     *
     * @param statusFileOrDir the {@code status.dat} file, or the stack directory holding it.
     * @param estateId        of the stack's estate, for the {@value #ESTATE_ID_TAG} tag: the file does not say it.
     * @param tags            added to every meter, after {@value #STACK_TAG} and {@value #ESTATE_ID_TAG}.
     * @return the binder.
     * @throws IllegalStateException              if the file is not a raet4j status file of this layout version.
     * @throws java.io.UncheckedIOException if the file cannot be opened.
     */
    public static RaetMetrics ofStatusFile(final Path statusFileOrDir, final long estateId, final Iterable<Tag> tags)
    {
        final StatusFile.Reader statusFile = StatusFile.Reader.open(statusFileOrDir);
        return new RaetMetrics(statusFile, statusFile.stackName(), estateId, tags);
    }

    /**
     * The name of a counter's meter: {@code raet4j.<layer>.<counter>} (see the class comment).
     *
     * @param descriptor of a counter of the transport, the stack or the pub/sub layer.
     * @return the meter's name, such as {@code raet4j.stack.retransmits}.
     * @throws IllegalArgumentException if the descriptor belongs to a layer this binder does not know.
     */
    public static String meterName(final CounterDescriptor descriptor)
    {
        if (!(descriptor instanceof Enum))
        {
            throw new IllegalArgumentException("not a layer's counter descriptor enum: " + descriptor);
        }
        final Enum<?> constant = (Enum<?>)descriptor;
        final String layer = LAYERS.get(constant.getDeclaringClass());
        if (null == layer)
        {
            throw new IllegalArgumentException(constant.getDeclaringClass().getName() +
                " is not a layer this binder knows (transport, stack, pubsub)");
        }
        return NAME_PREFIX + layer + '.' + constant.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /**
     * The tags on every meter of this binder: {@value #STACK_TAG}, {@value #ESTATE_ID_TAG} and those given.
     *
     * @return the tags.
     */
    public Tags tags()
    {
        return tags;
    }

    /**
     * Register one {@link FunctionCounter} per counter found in the stack's status file. Binding again to a registry
     * already bound does nothing.
     *
     * @param registry to register the meters with.
     * @throws IllegalStateException if this binder is closed, or the registry holds a meter of the same name and tags
     *                               from another binder: close that one first. Nothing is registered then.
     */
    @Override
    public synchronized void bindTo(final MeterRegistry registry)
    {
        Objects.requireNonNull(registry, "registry");
        if (isClosed)
        {
            throw new IllegalStateException("this RaetMetrics is closed: make a new one to bind the stack again");
        }
        if (isBoundTo(registry))
        {
            return;
        }
        for (final CounterReading reading : readings)
        {
            if (null != registry.find(reading.name).tags(tags).meter())
            {
                throw new IllegalStateException("the registry holds a meter " + reading.name + " " + tags +
                    " from another binder: a registry takes one binder per stack (a stack restarted with the same " +
                    "name and keep has the same tags); close the earlier RaetMetrics before binding this one");
            }
        }
        for (final CounterReading reading : readings)
        {
            final FunctionCounter counter = FunctionCounter.builder(reading.name, reading, reading)
                .description(reading.description)
                .tags(tags)
                .register(registry);
            registrations.add(new Registration(registry, counter));
        }
    }

    /**
     * Remove the meters this binder registered from every registry it bound them to. Idempotent. A meter someone
     * still holds stays readable.
     */
    @Override
    public synchronized void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            for (final Registration registration : registrations)
            {
                registration.registry.remove(registration.meter);
            }
            registrations.clear();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RaetMetrics{tags=" + tags + ", counters=" + readings.size() + "}";
    }

    private boolean isBoundTo(final MeterRegistry registry)
    {
        for (final Registration registration : registrations)
        {
            if (registration.registry == registry)
            {
                return true;
            }
        }
        return false;
    }

    private static StatusFile.Reader openStatusFile(final Stack stack)
    {
        if (stack.isClosed())
        {
            throw new IllegalStateException("stack " + stack.name() + " is closed: bind it while it runs (its meters " +
                "then keep their last values), or bind its status file with RaetMetrics.ofStatusFile");
        }
        return StatusFile.Reader.open(stack.statusFile());
    }

    private static List<CounterReading> readings(final StatusFile.Reader statusFile)
    {
        final CountersReader counters = statusFile.countersReader();
        final List<CounterReading> readings = new ArrayList<>();
        final IntHashSet typeIdsFound = new IntHashSet();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final CounterDescriptor descriptor = BY_TYPE_ID.get(typeId);
            // A layer has one counter per descriptor; a second of a type id (none today) is left out rather than
            // registered twice under one name.
            if (null != descriptor && typeIdsFound.add(typeId))
            {
                readings.add(new CounterReading(meterName(descriptor), descriptor.label(), statusFile, counterId));
            }
        });
        return List.copyOf(readings);
    }

    private static Int2ObjectHashMap<CounterDescriptor> byTypeId(final CounterDescriptor[]... layers)
    {
        final Int2ObjectHashMap<CounterDescriptor> byTypeId = new Int2ObjectHashMap<>();
        for (final CounterDescriptor[] layer : layers)
        {
            for (final CounterDescriptor descriptor : layer)
            {
                if (null != byTypeId.put(descriptor.id(), descriptor))
                {
                    throw new IllegalStateException("type id " + descriptor.id() + " given out twice: " + descriptor);
                }
            }
        }
        return byTypeId;
    }

    /**
     * One counter of the status file, read for its meter. It is the meter's function as well as its object: a
     * {@link FunctionCounter} holds its object weakly and its function strongly, so the meter itself keeps the reading,
     * and with it the mapped file, for as long as the meter is reachable (a binder dropped after {@link #bindTo} is an
     * ordinary way to use one).
     */
    private static final class CounterReading implements ToDoubleFunction<CounterReading>
    {
        private final String name;
        private final String description;
        /** Holds the mapping, which is never closed explicitly (see the class comment). */
        private final StatusFile.Reader statusFile;
        private final CountersReader counters;
        private final int counterId;

        private CounterReading(
            final String name, final String description, final StatusFile.Reader statusFile, final int counterId)
        {
            this.name = name;
            this.description = description;
            this.statusFile = statusFile;
            this.counters = statusFile.countersReader();
            this.counterId = counterId;
        }

        @Override
        public double applyAsDouble(final CounterReading reading)
        {
            return reading.counters.getCounterValue(reading.counterId);
        }

        @Override
        public String toString()
        {
            return name + " (counter " + counterId + " of " + statusFile.file() + ")";
        }
    }

    /**
     * A meter this binder registered, and where.
     *
     * @param registry the meter is registered with.
     * @param meter    registered.
     */
    private record Registration(MeterRegistry registry, Meter meter)
    {
    }
}
