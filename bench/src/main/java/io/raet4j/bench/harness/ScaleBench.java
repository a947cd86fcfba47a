package io.raet4j.bench.harness;

import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How one stack, the hub, scales with the number of estates joined to it and idle (exchanging only the default
 * keepalive traffic, about one alive each way per second per estate): memory per idle estate, duty-cycle time, and
 * join rate.
 * <p>
 * Layout: the hub runs in this JVM, driven by the calling thread in invoker mode; nothing else of raet4j runs here,
 * so the heap this JVM uses after a full GC, with N estates joined minus with none, divided by N, is the hub's own
 * share per idle estate. The hub is an ordinary stack with default settings: encryption on, the default accept policy,
 * a temporary keep. The estates are full stacks too (each its own identity with key generation, temporary keep,
 * status file, UDP socket on 127.0.0.1, keep-writer thread; each really joins the hub with the handshake and then
 * exchanges alives with it) in child JVMs, "estate hosts" of at most {@value #ESTATES_PER_HOST} estates each, driven
 * round-robin by one thread per host, one pass over all its estates every {@value #HOST_PASS_MS} ms. Hosts exist
 * because a stack holds two file descriptors (its socket and its keep lock) and a process may open at most
 * {@code ulimit -n} of them (20,000, hard limit too, on the machine this was written on): a host of 5,000 estates holds
 * 10,008 descriptors and 5,023 threads, so 10,000 estates take two hosts.
 * <p>
 * What bounds the estate count on a small machine is the CPU an idle estate stack costs its host, reported per step
 * as {@value #ESTATE_CPU_PER_ESTATE_METRIC}. It used to be 1 to 3 ms per second, which held a 2-core machine to a few
 * hundred estates: the stack's timer wheel was caught up with the clock one 65.5 us tick per poll (about 760 polls per
 * duty cycle 50 ms apart), and each stack's keep-writer thread woke up to ten times a second and read its keep's change
 * counter four times a second, a thread wake-up costing 30 to 65 us of CPU on a virtual machine. The stack now moves
 * its wheel straight to the earliest deadline, keep-writer threads sleep until there is something to write, one
 * keep-watch thread per process reads the change counters, and a temporary keep is looked at every 5 s; so an idle
 * estate costs its host about 60 to 80 us of CPU per second once there are thousands (measured: the figure printed
 * per step also splits out the thread driving the estates and the keep threads), and 10,000 fit beside the hub on
 * 2 cores. Estates the hub declares dead during a step mean the hosts fell behind their keepalives: they are printed
 * and counted in the rows. {@link #DEFAULT_EXTRAPOLATE} is empty; counts given with {@code --extrapolate} beyond the
 * last measured step are extrapolated, in rows whose metric names end in {@value #EXTRAPOLATED_SUFFIX} and whose
 * threading text says from what.
 * <p>
 * Steps are cumulative: the estates of one step stay joined in the next, which launches and joins only the
 * difference. Before the first step the hub is measured alone. Per step:
 * <ol>
 *     <li>launch the new estates in the hosts (two launcher threads per host; printed, not a row);</li>
 *     <li>{@value #JOINS_PER_SEC_METRIC}: the new estates join the hub, at most {@value #MAX_JOINS_IN_FLIGHT} in
 *     flight per host (a host serves the estates in a handshake on every turn of its loop and passes over all its
 *     estates every {@value #HOST_PASS_MS} ms); new estates divided by the time from the join command to the hub's last
 *     {@link PresenceEvent#JOINED}. The hub keeps its default handshake rate limit
 *     ({@link StackContext#HANDSHAKE_RATE_DEFAULT} per second) and its default backoff idle strategy. On a small machine
 *     the estates' half of the handshakes, not the hub, bounds this rate, so the step also reports
 *     {@value #HUB_JOIN_BUSY_METRIC}, the hub thread's CPU time in duty cycles that did work, per join, which
 *     bounds what one hub thread can accept;</li>
 *     <li>settle {@value #SETTLE_MS} ms, then
 *     {@value #DUTY_CYCLE_METRIC}: the hub's {@code doWork()} called back to back for {@value #DUTY_CYCLE_MS} ms,
 *     the hub thread's CPU time divided by the cycles (CPU time rather than elapsed time, so that other processes of a
 *     shared machine preempting the thread do not count; both are printed), idle cycles and cycles that handle
 *     keepalives alike; then, for another {@value #BUSY_MS} ms, {@value #HUB_CPU_PER_ESTATE_METRIC}: the thread
 *     CPU time of the cycles that did work (timed one by one, hence a separate window), less the same with no
 *     estate, per second and per estate; and over both windows, {@value #ESTATE_CPU_PER_ESTATE_METRIC}: the
 *     process CPU time of all the hosts (every thread: driving, keep, GC, JIT), per second and per estate;</li>
 *     <li>{@value #BYTES_PER_IDLE_ESTATE_METRIC}: heap used after {@code System.gc()} minus the same with no estate,
 *     divided by N; and {@value #ESTATE_STACK_HEAP_METRIC}: in the hosts, heap after GC minus before any estate,
 *     divided by their estates: what one whole estate stack costs in heap, for comparison.</li>
 * </ol>
 * Extrapolation to N beyond the last step M: memory grows by the marginal bytes per estate between the last two
 * steps; the hub's estate load is {@code load(N) = N * hubCpuUsPerIdleEstate(M)} (a fraction of one thread), and
 * the duty cycle {@code dutyCycleNs(M) * (1 - load(M)) / (1 - load(N))}: a busy-spinning loop spends {@code load}
 * of its time in cycles with work, so its mean cycle is the idle cycle divided by {@code 1 - load}; the idle cycle
 * is taken as at M (any growth of it beyond M is not modelled), and there is no row once the load reaches one hub
 * thread.
 * <p>
 * Rows: system {@code raet4j}, media {@code udp}, encrypted (the default), size 0, the estate count at the start of
 * the threading text. Estates the hub declared dead during a step are counted in the output and in the threading
 * text; the run fails only if an estate is not joined at the end of its step.
 * <p>
 * Usage: {@code ScaleBench [--estates 1,100,1000,10000] [--extrapolate 100000] [--out FILE]}. The host mode
 * ({@code ScaleBench --host ADDRESS HUB_ID INDEX}) is for this class only.
 */
public final class ScaleBench
{
    /** Default measured steps: estates joined to the hub. */
    public static final int[] DEFAULT_ESTATES = { 1, 100, 1_000, 10_000 };
    /** Default estate counts extrapolated from the last measured steps: none, every default count is measured. */
    public static final int[] DEFAULT_EXTRAPOLATE = {};
    /** Most estates per host JVM: 2 file descriptors each, well under a 20,000 descriptor limit. */
    public static final int ESTATES_PER_HOST = 5_000;
    /** Metric: hub heap per idle estate, bytes. */
    public static final String BYTES_PER_IDLE_ESTATE_METRIC = "bytesPerIdleEstate";
    /** Metric: mean CPU time of one hub duty cycle, nanoseconds. */
    public static final String DUTY_CYCLE_METRIC = "dutyCycleNs";
    /** Metric: hub CPU spent per idle estate, microseconds per second. */
    public static final String HUB_CPU_PER_ESTATE_METRIC = "hubCpuUsPerIdleEstate";
    /** Metric: joins completed per second at the hub. */
    public static final String JOINS_PER_SEC_METRIC = "joinsPerSec";
    /**
     * Metric: CPU time the hub thread spent in duty cycles that did work during the joins, per join, microseconds:
     * the hub's own cost of a join (handshake cryptography, records), which bounds the join rate of one hub thread.
     */
    public static final String HUB_JOIN_BUSY_METRIC = "hubJoinBusyUs";
    /** Metric: heap of one estate stack in its host JVM, bytes. */
    public static final String ESTATE_STACK_HEAP_METRIC = "estateStackHeapBytes";
    /**
     * Metric: CPU time of the estate host processes (all their threads: the driving thread, the keep threads, GC, JIT)
     * while the estates are idle, per second and per estate, microseconds: what one idle estate stack costs.
     */
    public static final String ESTATE_CPU_PER_ESTATE_METRIC = "estateCpuUsPerIdleEstate";
    /** Suffix of the metrics of extrapolated rows. */
    public static final String EXTRAPOLATED_SUFFIX = "Extrapolated";
    /** Settling time after the joins of a step before measuring, milliseconds. */
    public static final long SETTLE_MS = 3_000;
    /** Length of the duty-cycle measurement, milliseconds. */
    public static final long DUTY_CYCLE_MS = 2_000;
    /** Length of the measurement of the hub's CPU in cycles with work, milliseconds. */
    public static final long BUSY_MS = 2_000;
    /** Most joins in flight per host. */
    public static final int MAX_JOINS_IN_FLIGHT = 64;
    /**
     * Interval between a host's passes over all its estates, milliseconds: an idle estate's duty cycle runs this often,
     * as often as its own peer timer ticks ({@code keepaliveIntervalNs / 4}, 250 ms by default).
     */
    public static final long HOST_PASS_MS = 250;

    private static final String SYSTEM = "raet4j";
    private static final String MEDIA = "udp";
    private static final String HOST_FLAG = "--host";
    private static final ThreadMXBean THREAD_MX = ManagementFactory.getThreadMXBean();
    private static final long HOST_START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long LAUNCH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(300);
    private static final long JOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final long MIN_JOINS_PER_SEC_BEFORE_TIMEOUT = 25;
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long HOST_EXIT_TIMEOUT_MS = 30_000;
    private static final long HOST_PASS_NS = TimeUnit.MILLISECONDS.toNanos(HOST_PASS_MS);
    private static final long HOST_COMMAND_POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int LAUNCHERS_PER_HOST = 2;
    private static final String[] HOST_JVM_ARGS =
    {
        "-Xmx4g",
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    };

    private ScaleBench()
    {
    }

    /**
     * Run the scale bench and print its table, or run as an estate host.
     *
     * @param args {@code [--estates N,N,...] [--extrapolate N,N,...] [--out FILE]}.
     * @throws Exception if the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && HOST_FLAG.equals(args[0]))
        {
            if (args.length != 4)
            {
                throw new IllegalArgumentException("usage: --host ADDRESS HUB_ID INDEX");
            }
            new EstateHost(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3])).run();
            return;
        }

        int[] estates = DEFAULT_ESTATES;
        int[] extrapolate = DEFAULT_EXTRAPOLATE;
        Path out = null;
        for (int i = 0; i < args.length; i++)
        {
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            switch (args[i])
            {
                case "--estates":
                    estates = parseCounts(args[++i]);
                    break;
                case "--extrapolate":
                    extrapolate = parseCounts(args[++i]);
                    break;
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i] +
                        "; usage: ScaleBench [--estates 1,100,1000,10000] [--extrapolate N,...] [--out FILE]");
            }
        }
        final List<Row> rows = run(estates, extrapolate, System.out);
        if (null != out)
        {
            Report.writeJson(rows, out);
            System.out.println("wrote " + out.toAbsolutePath());
        }
    }

    private static int[] parseCounts(final String text)
    {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * Run the default steps and extrapolations.
     *
     * @param out for progress and the table.
     * @return the rows, see {@link #run(int[], int[], PrintStream)}.
     * @throws Exception if a host fails or a join does not complete.
     */
    public static List<Row> run(final PrintStream out) throws Exception
    {
        return run(DEFAULT_ESTATES, DEFAULT_EXTRAPOLATE, out);
    }

    /**
     * Run measured steps and extrapolate to {@link #DEFAULT_EXTRAPOLATE} (none by default).
     *
     * @param estateCounts estates joined at each measured step, strictly increasing, each at least 1.
     * @param out          for progress and the table.
     * @return the rows, see {@link #run(int[], int[], PrintStream)}.
     * @throws Exception if a host fails or a join does not complete.
     */
    public static List<Row> run(final int[] estateCounts, final PrintStream out) throws Exception
    {
        return run(estateCounts, DEFAULT_EXTRAPOLATE, out);
    }

    /**
     * Run the steps and return their rows; progress and a summary table go to {@code out}.
     *
     * @param estateCounts estates joined at each measured step, strictly increasing, each at least 1.
     * @param extrapolate  estate counts, above the last step, to extrapolate to; may be empty.
     * @param out          for progress and the table.
     * @return rows {@value #DUTY_CYCLE_METRIC} for 0 estates; per step {@value #JOINS_PER_SEC_METRIC},
     * {@value #HUB_JOIN_BUSY_METRIC}, {@value #DUTY_CYCLE_METRIC}, {@value #HUB_CPU_PER_ESTATE_METRIC},
     * {@value #BYTES_PER_IDLE_ESTATE_METRIC} and {@value #ESTATE_STACK_HEAP_METRIC}; per extrapolated count
     * {@value #BYTES_PER_IDLE_ESTATE_METRIC} and {@value #DUTY_CYCLE_METRIC} with the suffix
     * {@value #EXTRAPOLATED_SUFFIX}.
     * @throws Exception if a host fails, a join does not complete, or an estate is not joined after its step.
     */
    public static List<Row> run(final int[] estateCounts, final int[] extrapolate, final PrintStream out)
        throws Exception
    {
        checkEstateCounts(estateCounts);
        final List<Row> rows = new ArrayList<>();
        final StringBuilder table = new StringBuilder(
            "| estates | joins/s | hub us per join | hub duty cycle ns (CPU) | hub CPU us/s per estate | " +
            "hub heap B per idle estate | estate stack heap B | estate host CPU us/s per estate | " +
            "hub packets in/out per s |\n" +
            "|---|---|---|---|---|---|---|---|---|\n");
        final Path root = Files.createTempDirectory("raet4j-scale-");
        final Path shm = Path.of("/dev/shm");
        final Path hostRoot = Files.isDirectory(shm) && Files.isWritable(shm) ?
            Files.createTempDirectory(shm, "raet4j-scale-") : root.resolve("hosts");
        final List<Host> hosts = new ArrayList<>();
        try (Hub hub = new Hub(root.resolve("hub")))
        {
            out.printf(Locale.ROOT, "scale: hub %s in this JVM; estates in host JVMs of at most %d (ulimit -n %s); " +
                "%d CPUs; load average %s%n", hub.address, ESTATES_PER_HOST, openFileLimit(),
                Runtime.getRuntime().availableProcessors(), loadAverage());

            hub.drive(TimeUnit.MILLISECONDS.toNanos(SETTLE_MS));
            final long heapBefore = heapUsedAfterGc();
            final long directBefore = directBytes();
            final Duty idleDuty = hub.measureDutyCycle(TimeUnit.MILLISECONDS.toNanos(DUTY_CYCLE_MS));
            final double idleBusyNsPerSec = hub.busyCpuNsPerSecond(TimeUnit.MILLISECONDS.toNanos(BUSY_MS));
            rows.add(new Row(SYSTEM, MEDIA, true, DUTY_CYCLE_METRIC, 0, idleDuty.cpuNsPerCycle, "ns", "busy-spin",
                threading(0, "")));
            table.append(String.format(Locale.ROOT, "| 0 | | | %.0f | | | | | %.0f / %.0f |%n",
                idleDuty.cpuNsPerCycle, idleDuty.packetsInPerSec, idleDuty.packetsOutPerSec));
            out.printf(Locale.ROOT, "  hub alone: duty cycle %.0f ns CPU (%.0f ns elapsed), heap after GC %,d B%n",
                idleDuty.cpuNsPerCycle, idleDuty.wallNsPerCycle, heapBefore);

            final Steps steps = new Steps(heapBefore, directBefore, idleBusyNsPerSec, rows, table);
            for (final int target : estateCounts)
            {
                final int added = target - steps.current;
                out.printf(Locale.ROOT, "%n%,d estates (+%,d)%n", target, added);
                final List<Host> launching = launch(hub, hosts, hostRoot, steps.current, target, out);
                final long deadBefore = hub.dead;
                final JoinRate joinRate = join(hub, launching, target, added, out);
                measureIdle(hub, hosts, target, added, deadBefore, joinRate, steps, out);
            }

            extrapolate(estateCounts, extrapolate, steps);
        }
        finally
        {
            for (final Host host : hosts)
            {
                host.close();
            }
            IoUtil.delete(hostRoot.toFile(), true);
            IoUtil.delete(root.toFile(), true);
        }
        out.println();
        out.print(table);
        return rows;
    }

    private static void checkEstateCounts(final int[] estateCounts)
    {
        for (int i = 0; i < estateCounts.length; i++)
        {
            if (estateCounts[i] < 1 || (i > 0 && estateCounts[i] <= estateCounts[i - 1]))
            {
                throw new IllegalArgumentException("estate counts must be >= 1 and increasing");
            }
        }
        if (0 == estateCounts.length)
        {
            throw new IllegalArgumentException("need at least one estate count");
        }
    }

    /**
     * Launches the estates {@code current} to {@code target - 1}, each host taking its share of indices and new hosts
     * started as needed.
     *
     * @return the hosts that launched estates.
     */
    private static List<Host> launch(
        final Hub hub,
        final List<Host> hosts,
        final Path hostRoot,
        final int current,
        final int target,
        final PrintStream out) throws Exception
    {
        final long launchStartNs = System.nanoTime();
        final List<Host> launching = new ArrayList<>();
        for (int index = current; index < target; )
        {
            final int hostIndex = index / ESTATES_PER_HOST;
            final int count = Math.min(target, (hostIndex + 1) * ESTATES_PER_HOST) - index;
            while (hosts.size() <= hostIndex)
            {
                final Host host = new Host(hub, hosts.size(), hostRoot);
                hosts.add(host);
                host.expect(hub, "ready", HOST_START_TIMEOUT_NS);
            }
            final Host host = hosts.get(hostIndex);
            host.send("launch " + count);
            launching.add(host);
            index += count;
        }
        for (final Host host : launching)
        {
            host.expect(hub, "launched", LAUNCH_TIMEOUT_NS);
        }
        final double launchSeconds = (System.nanoTime() - launchStartNs) / 1e9;
        out.printf(Locale.ROOT, "  launched %,d estate stacks in %.1f s (%.1f ms each, %d host JVM(s))%n",
            target - current, launchSeconds, launchSeconds * 1e3 / (target - current), hosts.size());
        return launching;
    }

    /**
     * Joins the estates just launched to the hub, and waits until the hub and every host see them joined.
     */
    private static JoinRate join(final Hub hub, final List<Host> launching, final int target, final int added,
        final PrintStream out) throws Exception
    {
        final long cookiesBefore = hub.stack.counter(StackCounterDescriptor.JOIN_COOKIES_SENT);
        final long limitedBefore = hub.stack.counter(StackCounterDescriptor.JOINS_RATE_LIMITED);
        final long busyBeforeNs = hub.busyCpuNs;
        final long joinStartNs = System.nanoTime();
        for (final Host host : launching)
        {
            host.send("join");
        }
        final long joinTimeoutNs = joinTimeoutNs(added);
        hub.driveUntil(() -> hub.joined >= target, joinTimeoutNs, "the hub did not see " + target + " joins");
        final double joinSeconds = (System.nanoTime() - joinStartNs) / 1e9;
        final double joinBusyUs = (hub.busyCpuNs - busyBeforeNs) / 1e3 / added;
        final StringBuilder hostJoins = new StringBuilder();
        for (final Host host : launching)
        {
            final String reply = host.expect(hub, "joined", joinTimeoutNs);
            hostJoins.append(hostJoins.length() > 0 ? "; " : "").append(reply.substring("joined ".length()));
        }
        final double joinsPerSec = added / joinSeconds;
        out.printf(Locale.ROOT, "  %,d joins in %.2f s: %.0f joins/s at the hub; hub duty cycles with work " +
            "took %.0f us per join, a bound of %.0f joins/s for one hub thread (%d join cookies sent, %d " +
            "joins rate-limited; host %s)%n",
            added, joinSeconds, joinsPerSec, joinBusyUs, 1e6 / joinBusyUs,
            hub.stack.counter(StackCounterDescriptor.JOIN_COOKIES_SENT) - cookiesBefore,
            hub.stack.counter(StackCounterDescriptor.JOINS_RATE_LIMITED) - limitedBefore, hostJoins);
        return new JoinRate(joinsPerSec, joinBusyUs);
    }

    /**
     * With {@code target} estates joined and idle: lets them settle, then measures the hub's duty cycle, the estates'
     * CPU and the memory, and adds the step's rows and table line.
     */
    private static void measureIdle(
        final Hub hub,
        final List<Host> hosts,
        final int target,
        final int added,
        final long deadBefore,
        final JoinRate joinRate,
        final Steps steps,
        final PrintStream out) throws Exception
    {
        final double joinsPerSec = joinRate.joinsPerSec();
        final double joinBusyUs = joinRate.hubBusyUsPerJoin();
        final List<Row> rows = steps.rows;
        final StringBuilder table = steps.table;
        hub.drive(TimeUnit.MILLISECONDS.toNanos(SETTLE_MS));
        final long[] hostCpuStartNs = hostsCpuNs(hub, hosts);
        final long hostWindowStartNs = System.nanoTime();
        final Duty duty = hub.measureDutyCycle(TimeUnit.MILLISECONDS.toNanos(DUTY_CYCLE_MS));
        final double busyNsPerSec = hub.busyCpuNsPerSecond(TimeUnit.MILLISECONDS.toNanos(BUSY_MS));
        final long[] hostCpuEndNs = hostsCpuNs(hub, hosts);
        final double hostUsPerSecPerEstate = 1e-3 / ((System.nanoTime() - hostWindowStartNs) / 1e9) / target;
        final double estateCpuUsPerEstate = (hostCpuEndNs[0] - hostCpuStartNs[0]) * hostUsPerSecPerEstate;
        final double drivingUsPerEstate = (hostCpuEndNs[1] - hostCpuStartNs[1]) * hostUsPerSecPerEstate;
        final double keepUsPerEstate = (hostCpuEndNs[2] - hostCpuStartNs[2]) * hostUsPerSecPerEstate;
        final StringBuilder hostStats = new StringBuilder();
        for (final Host host : hosts)
        {
            hostStats.append(hostStats.length() > 0 ? "; " : "").append(host.procStats());
        }
        final long heap = heapUsedAfterGc();
        final long direct = directBytes();
        final double bytesPerEstate = (double)(heap - steps.heapBefore) / target;
        steps.marginalBytes = (double)(heap - steps.previousHeap) / added;
        steps.cpuUsPerEstate = Math.max(0, busyNsPerSec - steps.idleBusyNsPerSec) / 1e3 / target;
        long hostHeap = 0;
        long hostStacks = 0;
        long notJoined = 0;
        for (final Host host : hosts)
        {
            host.send("heap");
        }
        for (final Host host : hosts)
        {
            final String[] reply = host.expect(hub, "heap", REPLY_TIMEOUT_NS).split(" ");
            hostHeap += Long.parseLong(reply[1]);
            hostStacks += Long.parseLong(reply[2]);
            notJoined += Long.parseLong(reply[3]);
        }
        final double stackHeap = (double)hostHeap / hostStacks;
        final long deaths = hub.dead - deadBefore;
        out.printf(Locale.ROOT, "  hub duty cycle %.0f ns CPU (%.0f ns elapsed) mean over %,d cycles " +
            "(%.3f%% with work): %.2f us of hub CPU per second per idle estate; %.0f packets/s in, %.0f out%n",
            duty.cpuNsPerCycle, duty.wallNsPerCycle, duty.cycles, 100.0 * duty.busyCycles / duty.cycles,
            steps.cpuUsPerEstate, duty.packetsInPerSec, duty.packetsOutPerSec);
        out.printf(Locale.ROOT, "  hub heap after GC %,d B (+%,d B: %.0f B per idle estate, %.0f B per " +
            "estate added), direct buffers %+,d B; estate stacks %.0f B heap each; keep writes %d deferred " +
            "(queue full, written later), %d dropped%n",
            heap, heap - steps.heapBefore, bytesPerEstate, steps.marginalBytes, direct - steps.directBefore, stackHeap,
            hub.stack.counter(StackCounterDescriptor.KEEP_WRITES_DEFERRED),
            hub.stack.counter(StackCounterDescriptor.KEEP_WRITES_DROPPED));
        out.printf(Locale.ROOT, "  estate hosts: %.1f us of CPU per second per idle estate (all host " +
            "threads; %.1f in the thread driving the estates every %d ms, %.1f in keep threads); %s; hub: %s%n",
            estateCpuUsPerEstate, drivingUsPerEstate, HOST_PASS_MS, keepUsPerEstate, hostStats,
            procStats(ProcessHandle.current().pid()));
        if (deaths > 0)
        {
            out.printf(Locale.ROOT, "  WARNING: the hub declared %d estates dead during this step: the hosts " +
                "fell behind their keepalives (CPU); the figures of this step are suspect%n", deaths);
        }
        if (notJoined > 0)
        {
            throw new IllegalStateException(notJoined + " estates do not see the hub joined");
        }
        steps.previousHeap = heap;
        steps.lastDutyNs = duty.cpuNsPerCycle;

        final String threading = threading(target, deaths > 0 ? "; " + deaths + " estate deaths" : "");
        rows.add(new Row(SYSTEM, MEDIA, true, JOINS_PER_SEC_METRIC, 0, joinsPerSec, "joins/s", "backoff",
            threading));
        rows.add(new Row(SYSTEM, MEDIA, true, HUB_JOIN_BUSY_METRIC, 0, joinBusyUs, "us", "backoff",
            threading));
        rows.add(new Row(SYSTEM, MEDIA, true, DUTY_CYCLE_METRIC, 0, duty.cpuNsPerCycle, "ns", "busy-spin",
            threading));
        rows.add(new Row(SYSTEM, MEDIA, true, HUB_CPU_PER_ESTATE_METRIC, 0, steps.cpuUsPerEstate, "us/s",
            "busy-spin", threading));
        rows.add(new Row(SYSTEM, MEDIA, true, BYTES_PER_IDLE_ESTATE_METRIC, 0, bytesPerEstate, "B",
            "backoff", threading));
        rows.add(new Row(SYSTEM, MEDIA, true, ESTATE_STACK_HEAP_METRIC, 0, stackHeap, "B", "backoff",
            threading));
        rows.add(new Row(SYSTEM, MEDIA, true, ESTATE_CPU_PER_ESTATE_METRIC, 0, estateCpuUsPerEstate, "us/s",
            "park until the next pass", threading));
        table.append(String.format(Locale.ROOT,
            "| %,d | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.1f | %.0f / %.0f |%n",
            target, joinsPerSec, joinBusyUs, duty.cpuNsPerCycle, steps.cpuUsPerEstate, bytesPerEstate, stackHeap,
            estateCpuUsPerEstate, duty.packetsInPerSec, duty.packetsOutPerSec));
        steps.current = target;
    }

    /**
     * Adds rows and table lines for the estate counts in {@code extrapolate} above the last step, from the trend of the
     * last two steps.
     */
    private static void extrapolate(final int[] estateCounts, final int[] extrapolate, final Steps steps)
    {
        final List<Row> rows = steps.rows;
        final StringBuilder table = steps.table;
        final int last = estateCounts[estateCounts.length - 1];
        final String from = estateCounts.length > 1 ?
            estateCounts[estateCounts.length - 2] + " and " + last : Integer.toString(last);
        for (final int target : extrapolate)
        {
            if (target <= last)
            {
                continue;
            }
            final double bytes =
                (steps.previousHeap - steps.heapBefore + steps.marginalBytes * (target - last)) / target;
            final double load = steps.cpuUsPerEstate * target / 1e6;
            final double lastLoad = steps.cpuUsPerEstate * last / 1e6;
            final double dutyNs = load < 1 ? steps.lastDutyNs * (1 - lastLoad) / (1 - load) : Double.POSITIVE_INFINITY;
            final String threading = target + " estates, EXTRAPOLATED from the steps of " + from +
                " estates; hub: invoker, 1 thread";
            rows.add(new Row(SYSTEM, MEDIA, true, BYTES_PER_IDLE_ESTATE_METRIC + EXTRAPOLATED_SUFFIX, 0, bytes,
                "B", "backoff", threading));
            if (load < 1)
            {
                rows.add(new Row(SYSTEM, MEDIA, true, DUTY_CYCLE_METRIC + EXTRAPOLATED_SUFFIX, 0, dutyNs, "ns",
                    "busy-spin", threading));
            }
            table.append(String.format(Locale.ROOT,
                "| %,d (extrapolated) | | | %s | (hub load %.0f%%) | %.0f | | | |%n",
                target, load < 1 ? String.format(Locale.ROOT, "%.0f", dutyNs) : "saturated", 100 * load, bytes));
        }
    }

    private static String threading(final int estates, final String note)
    {
        return String.format(Locale.ROOT,
            "%d estates%s; hub: invoker, 1 thread; estates: full stacks in %d host JVM(s), round-robin, 1 thread each",
            estates, note, Math.max(1, (estates + ESTATES_PER_HOST - 1) / ESTATES_PER_HOST));
    }

    private static long joinTimeoutNs(final int joins)
    {
        return Math.max(JOIN_TIMEOUT_NS, TimeUnit.SECONDS.toNanos(joins / MIN_JOINS_PER_SEC_BEFORE_TIMEOUT));
    }

    /**
     * Sums over the hosts of: process CPU time, CPU time of the thread driving the estates, CPU time of the keep
     * threads; asked of each host, the hub driven while waiting.
     */
    private static long[] hostsCpuNs(final Hub hub, final List<Host> hosts) throws IOException
    {
        for (final Host host : hosts)
        {
            host.send("cpu");
        }
        final long[] cpuNs = new long[3];
        for (final Host host : hosts)
        {
            final String[] words = host.expect(hub, "cpu", REPLY_TIMEOUT_NS).split(" ");
            for (int i = 0; i < cpuNs.length; i++)
            {
                cpuNs[i] += Long.parseLong(words[i + 1]);
            }
        }
        return cpuNs;
    }

    /**
     * Open file descriptors, threads and resident memory of a process, from {@code /proc}.
     */
    private static String procStats(final long pid)
    {
        try
        {
            final long fds;
            try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
            {
                fds = entries.count();
            }
            String threads = "?";
            String rss = "?";
            for (final String line : Files.readAllLines(
                Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("Threads:"))
                {
                    threads = line.substring("Threads:".length()).trim();
                }
                else if (line.startsWith("VmRSS:"))
                {
                    rss = line.substring("VmRSS:".length()).trim();
                }
            }
            return String.format(Locale.ROOT, "%d fds, %s threads, RSS %s", fds, threads, rss);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    private static long heapUsedAfterGc()
    {
        for (int i = 0; i < 2; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private static long directBytes()
    {
        long bytes = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                bytes += pool.getMemoryUsed();
            }
        }
        return bytes;
    }

    private static String openFileLimit()
    {
        try
        {
            final List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII);
            for (final String line : lines)
            {
                if (line.startsWith("Max open files"))
                {
                    return line.substring("Max open files".length()).trim().split("\\s+")[0];
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
        return "n/a";
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    /**
     * The join rate of one step.
     *
     * @param joinsPerSec      joins per second seen at the hub.
     * @param hubBusyUsPerJoin microseconds of the hub's duty cycles with work, per join.
     */
    private record JoinRate(double joinsPerSec, double hubBusyUsPerJoin)
    {
    }

    /**
     * What the steps of one run share: the baseline taken with the hub alone, what each step leaves for the next
     * and for the extrapolation, and the rows and table they add to.
     */
    private static final class Steps
    {
        final long heapBefore;
        final long directBefore;
        final double idleBusyNsPerSec;
        final List<Row> rows;
        final StringBuilder table;
        int current;
        long previousHeap;
        double marginalBytes;
        double cpuUsPerEstate;
        double lastDutyNs;

        Steps(
            final long heapBefore,
            final long directBefore,
            final double idleBusyNsPerSec,
            final List<Row> rows,
            final StringBuilder table)
        {
            this.heapBefore = heapBefore;
            this.directBefore = directBefore;
            this.idleBusyNsPerSec = idleBusyNsPerSec;
            this.rows = rows;
            this.table = table;
            previousHeap = heapBefore;
        }
    }

    /**
     * Result of a duty-cycle measurement.
     */
    private static final class Duty
    {
        private final double cpuNsPerCycle;
        private final double wallNsPerCycle;
        private final long cycles;
        private final long busyCycles;
        private final double packetsInPerSec;
        private final double packetsOutPerSec;

        Duty(
            final double cpuNsPerCycle,
            final double wallNsPerCycle,
            final long cycles,
            final long busyCycles,
            final double packetsInPerSec,
            final double packetsOutPerSec)
        {
            this.cpuNsPerCycle = cpuNsPerCycle;
            this.wallNsPerCycle = wallNsPerCycle;
            this.cycles = cycles;
            this.busyCycles = busyCycles;
            this.packetsInPerSec = packetsInPerSec;
            this.packetsOutPerSec = packetsOutPerSec;
        }
    }

    private static final class Hub implements AutoCloseable
    {
        private final Path dir;
        private final Stack stack;
        private final String address;
        private final IdleStrategy backoff = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        private long joined;
        private long dead;
        private long busyCpuNs;

        Hub(final Path dir)
        {
            this.dir = dir;
            stack = Stack.launch(new Context()
                .name("scale-hub")
                .bindAddress("127.0.0.1:0")
                .threadingMode(Context.ThreadingMode.INVOKER)
                .statusDir(dir));
            stack.addPresenceHandler((estateId, name, event) ->
            {
                if (PresenceEvent.JOINED == event)
                {
                    joined++;
                }
                else if (PresenceEvent.DEAD == event)
                {
                    dead++;
                }
            });
            address = RaetSystem.addressOf(stack);
        }

        void drive(final long durationNs)
        {
            final long endNs = System.nanoTime() + durationNs;
            driveUntil(() -> System.nanoTime() >= endNs, durationNs + TimeUnit.SECONDS.toNanos(1), "drive");
        }

        /**
         * Run duty cycles with the backoff idle strategy until done, adding the thread CPU time of the cycles that
         * did work to {@link #busyCpuNs}.
         */
        void driveUntil(final BooleanSupplier isDone, final long timeoutNs, final String what)
        {
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (!isDone.getAsBoolean())
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException(what + " within " +
                        TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s");
                }
                backoff.idle(timedDoWork());
            }
        }

        private int timedDoWork()
        {
            final long cpuStartNs = THREAD_MX.getCurrentThreadCpuTime();
            final int work = stack.doWork();
            if (work > 0)
            {
                busyCpuNs += THREAD_MX.getCurrentThreadCpuTime() - cpuStartNs;
            }
            return work;
        }

        /**
         * Busy-spin for a while and return the thread CPU time of the cycles that did work, per second.
         */
        double busyCpuNsPerSecond(final long durationNs)
        {
            final long busyBeforeNs = busyCpuNs;
            final long startNs = System.nanoTime();
            final long endNs = startNs + durationNs;
            long nowNs = startNs;
            while (nowNs < endNs)
            {
                for (int i = 0; i < 64; i++)
                {
                    timedDoWork();
                }
                nowNs = System.nanoTime();
            }
            return (busyCpuNs - busyBeforeNs) / ((nowNs - startNs) / 1e9);
        }

        Duty measureDutyCycle(final long durationNs)
        {
            final Stack stack = this.stack;
            final long packetsIn = stack.counter(TransportCounterDescriptor.PACKETS_RECEIVED);
            final long packetsOut = stack.counter(TransportCounterDescriptor.PACKETS_SENT);
            final long cpuStartNs = THREAD_MX.getCurrentThreadCpuTime();
            final long startNs = System.nanoTime();
            final long endNs = startNs + durationNs;
            long nowNs = startNs;
            long cycles = 0;
            long busyCycles = 0;
            while (nowNs < endNs)
            {
                for (int i = 0; i < 64; i++)
                {
                    if (stack.doWork() > 0)
                    {
                        busyCycles++;
                    }
                }
                cycles += 64;
                nowNs = System.nanoTime();
            }
            final long cpuNs = THREAD_MX.getCurrentThreadCpuTime() - cpuStartNs;
            final double seconds = (nowNs - startNs) / 1e9;
            return new Duty(
                (double)cpuNs / cycles,
                (double)(nowNs - startNs) / cycles,
                cycles,
                busyCycles,
                (stack.counter(TransportCounterDescriptor.PACKETS_RECEIVED) - packetsIn) / seconds,
                (stack.counter(TransportCounterDescriptor.PACKETS_SENT) - packetsOut) / seconds);
        }

        public void close()
        {
            CloseHelper.quietClose(stack);
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * The parent's handle on an estate host JVM: commands on its standard input, replies read from its standard
     * output by a daemon thread into a queue.
     */
    private static final class Host implements AutoCloseable
    {
        private final int index;
        private final Process process;
        private final Writer commands;
        private final LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();

        Host(final Hub hub, final int index, final Path hostRoot) throws IOException
        {
            this.index = index;
            final Path tmp = Files.createDirectories(hostRoot.resolve("host-" + index));
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Arrays.asList(HOST_JVM_ARGS));
            command.add("-Djava.io.tmpdir=" + tmp);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ScaleBench.class.getName(),
                HOST_FLAG, hub.address, Long.toString(hub.stack.estateId()), Integer.toString(index)));
            process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
            final Thread reader = new Thread(this::readReplies, "scale-host-" + index + "-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void readReplies()
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    replies.add(line);
                }
            }
            catch (final IOException ex)
            {
                replies.add("error reading host " + index + ": " + ex);
            }
            replies.add("error host " + index + " exited");
        }

        String procStats()
        {
            return "host " + index + ": " + ScaleBench.procStats(process.pid());
        }

        void send(final String command) throws IOException
        {
            commands.write(command);
            commands.write('\n');
            commands.flush();
        }

        /**
         * Drive the hub until the host replies; the reply must start with {@code prefix}.
         */
        String expect(final Hub hub, final String prefix, final long timeoutNs)
        {
            // Lines that are not replies (a thread dump on SIGQUIT, say) are skipped; an error is not.
            final String[] reply = new String[1];
            hub.driveUntil(() ->
                null != (reply[0] = replies.poll()) && (reply[0].startsWith(prefix) || reply[0].startsWith("error")),
                timeoutNs, "host " + index + " did not answer " + prefix);
            if (!reply[0].startsWith(prefix))
            {
                throw new IllegalStateException("host " + index + ": expected " + prefix + ", got " + reply[0]);
            }
            return reply[0];
        }

        public void close()
        {
            try
            {
                send("exit");
                if (!process.waitFor(HOST_EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final IOException ex)
            {
                process.destroyForcibly();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * An estate host: launches estate stacks on command (two launcher threads) and drives them all from its main
     * thread: a pass over every estate every {@value #HOST_PASS_MS} ms, and the estates in a handshake on every turn
     * of the loop. Commands on standard input, one per line: {@code launch N}, {@code join}, {@code heap},
     * {@code cpu}, {@code exit}; replies on standard output: {@code ready}, {@code launched N MS},
     * {@code joined N, ...}, {@code heap BYTES STACKS NOT_JOINED}, {@code cpu PROCESS_NS DRIVING_THREAD_NS KEEP_NS},
     * or {@code error TEXT}.
     */
    private static final class EstateHost
    {
        private final String hubAddress;
        private final long hubId;
        private final int hostIndex;
        private final PrintStream replies = System.out;
        private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Object> launched = new ConcurrentLinkedQueue<>();
        private final List<Stack> stacks = new ArrayList<>();
        private final List<Stack> failedJoins = new ArrayList<>();
        private final ArrayDeque<Stack> joinQueue = new ArrayDeque<>();
        private final List<Stack> joinsInFlight = new ArrayList<>();
        private final IdleStrategy joiningIdle = new BackoffIdleStrategy(10, 10, 10_000, 1_000_000);
        private final long heapBefore;
        private long nextPassNs;
        private int launchRequested;
        private int launchTarget;
        private long launchStartNs;
        private int joinFrom;
        private int joinTo;
        private boolean isJoinPending;
        private long joinFailures;
        private long joinCpuStartNs;
        private boolean isRunning = true;

        EstateHost(final String hubAddress, final long hubId, final int hostIndex)
        {
            this.hubAddress = hubAddress;
            this.hubId = hubId;
            this.hostIndex = hostIndex;
            heapBefore = heapUsedAfterGc();
            nextPassNs = System.nanoTime();
        }

        void run()
        {
            final Thread reader = new Thread(this::readCommands, "scale-host-commands");
            reader.setDaemon(true);
            reader.start();
            reply("ready");
            try
            {
                while (isRunning)
                {
                    String command;
                    while (null != (command = commands.poll()))
                    {
                        onCommand(command);
                    }
                    Object item;
                    while (null != (item = launched.poll()))
                    {
                        onLaunched(item);
                    }

                    // Every estate gets a pass every 250 ms, as often as its peer timer ticks: plenty for one alive a
                    // second, and it leaves the CPU to the hub. Estates in a handshake get a cycle on every turn of
                    // the loop, so that joins are not paced by passes over thousands of stacks.
                    int work = 0;
                    final long nowNs = System.nanoTime();
                    if (nowNs - nextPassNs >= 0)
                    {
                        for (int i = 0, size = stacks.size(); i < size; i++)
                        {
                            stacks.get(i).doWork();
                        }
                        nextPassNs = nowNs + HOST_PASS_NS;
                    }
                    for (int i = 0, size = joinsInFlight.size(); i < size; i++)
                    {
                        work += joinsInFlight.get(i).doWork();
                    }
                    for (int i = 0; i < failedJoins.size(); i++)
                    {
                        failedJoins.get(i).join(hubAddress);
                        work++;
                    }
                    failedJoins.clear();
                    work += startJoins();
                    if (isJoinPending)
                    {
                        joiningIdle.idle(work);
                    }
                    else
                    {
                        final long parkNs = nextPassNs - System.nanoTime();
                        if (parkNs > 0 && commands.isEmpty() && launched.isEmpty())
                        {
                            LockSupport.parkNanos(Math.min(parkNs, HOST_COMMAND_POLL_NS));
                        }
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                reply("error " + ex);
                throw ex;
            }
            finally
            {
                CloseHelper.quietCloseAll(stacks);
            }
        }

        private void readCommands()
        {
            try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    commands.add(line.trim());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                commands.add("exit");
            }
        }

        private void onCommand(final String command)
        {
            final String[] words = command.split(" ");
            switch (words[0])
            {
                case "launch":
                    launch(Integer.parseInt(words[1]));
                    break;
                case "join":
                    joinFrom = joinTo;
                    joinTo = stacks.size();
                    for (int i = joinFrom; i < joinTo; i++)
                    {
                        joinQueue.add(stacks.get(i));
                    }
                    isJoinPending = true;
                    joinCpuStartNs = processCpuNs();
                    break;
                case "heap":
                    reply("heap " + (heapUsedAfterGc() - heapBefore) + " " + stacks.size() + " " + notJoined());
                    break;
                case "cpu":
                    reply("cpu " + processCpuNs() + " " + THREAD_MX.getCurrentThreadCpuTime() + " " +
                        keepThreadsCpuNs());
                    break;
                case "exit":
                    isRunning = false;
                    break;
                default:
                    reply("error unknown command " + command);
                    break;
            }
        }

        private static long keepThreadsCpuNs()
        {
            long cpuNs = 0;
            for (final java.lang.management.ThreadInfo info : THREAD_MX.getThreadInfo(THREAD_MX.getAllThreadIds()))
            {
                if (null != info && info.getThreadName().startsWith("raet4j-keep"))
                {
                    cpuNs += Math.max(0, THREAD_MX.getThreadCpuTime(info.getThreadId()));
                }
            }
            return cpuNs;
        }

        private int notJoined()
        {
            int notJoined = 0;
            for (int i = 0; i < joinTo; i++)
            {
                notJoined += stacks.get(i).isJoined(hubId) ? 0 : 1;
            }
            return notJoined;
        }

        private void launch(final int count)
        {
            final int first = launchRequested;
            launchRequested += count;
            launchTarget = launchRequested;
            launchStartNs = System.nanoTime();
            for (int t = 0; t < LAUNCHERS_PER_HOST; t++)
            {
                final int offset = t;
                final Thread launcher = new Thread(() ->
                {
                    for (int i = first + offset; i < first + count; i += LAUNCHERS_PER_HOST)
                    {
                        try
                        {
                            launched.add(Stack.launch(new Context()
                                .name("estate-" + hostIndex + "-" + i)
                                .bindAddress("127.0.0.1:0")
                                .threadingMode(Context.ThreadingMode.INVOKER)
                                .statusDir(Path.of(System.getProperty("java.io.tmpdir"), "status-" + i))));
                        }
                        catch (final RuntimeException | Error ex)
                        {
                            launched.add(ex);
                            return;
                        }
                    }
                }, "scale-launcher-" + t);
                launcher.setDaemon(true);
                launcher.start();
            }
        }

        private void onLaunched(final Object item)
        {
            if (item instanceof Throwable)
            {
                throw new IllegalStateException("launch failed", (Throwable)item);
            }
            final Stack stack = (Stack)item;
            stack.addPresenceHandler((estateId, name, event) ->
            {
                if (PresenceEvent.JOIN_FAILED == event)
                {
                    joinFailures++;
                    failedJoins.add(stack);
                }
            });
            stacks.add(stack);
            if (stacks.size() == launchTarget)
            {
                reply(String.format(Locale.ROOT, "launched %d %.0f", launchTarget,
                    (System.nanoTime() - launchStartNs) / 1e6));
            }
        }

        /**
         * Keep at most {@value #MAX_JOINS_IN_FLIGHT} joins in flight, so that one pass over the estates never holds
         * so many handshakes that the joined estates miss their keepalives; report when all are joined.
         */
        private int startJoins()
        {
            if (!isJoinPending)
            {
                return 0;
            }
            int work = 0;
            for (int i = joinsInFlight.size() - 1; i >= 0; i--)
            {
                if (joinsInFlight.get(i).isJoined(hubId))
                {
                    joinsInFlight.remove(i);
                }
            }
            while (joinsInFlight.size() < MAX_JOINS_IN_FLIGHT && !joinQueue.isEmpty())
            {
                final Stack stack = joinQueue.poll();
                stack.join(hubAddress);
                joinsInFlight.add(stack);
                work++;
            }
            if (joinQueue.isEmpty() && joinsInFlight.isEmpty())
            {
                isJoinPending = false;
                reply(String.format(Locale.ROOT, "joined %d, %d join failures retried, host CPU %.2f ms per join",
                    joinTo - joinFrom, joinFailures, (processCpuNs() - joinCpuStartNs) / 1e6 / (joinTo - joinFrom)));
            }
            return work;
        }

        private void reply(final String line)
        {
            replies.println(line);
            replies.flush();
        }
    }
}
