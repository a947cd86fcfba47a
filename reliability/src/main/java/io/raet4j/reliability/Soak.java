package io.raet4j.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak of issue 10: one {@code send} streaming to one {@code recv} for as long as asked (30 minutes or more on
 * demand), each a separate JVM of {@code raet4j.jar}, through a {@link UdpProxy} on loopback or between two
 * {@link NetworkNamespaces} hosts, while chaos drawn from a seed breaks things one at a time: partitions of 1-20 s,
 * one direction dropped for 1-20 s, loss bursts of 5-40% for 2-20 s, the receiver or the sender stopped (SIGSTOP) for
 * 1-15 s, the receiver killed (SIGKILL) and restarted 0-5 s later with the same keep and record file, and now and
 * then the sender killed and a new one started with the same keep. Every fault is shorter than the session timeout,
 * so no message may be lost or fail because of it.
 * <p>
 * Messages are checked one by one ({@link LedgerCheck}): each sender incarnation writes its outcomes to a ledger of its
 * own, and the receiver its receipts to a record file of the same epoch (a record is indexed by sequence number, and a
 * new sender starts again at 0, so a new sender starts a new epoch, with the receiver restarted on a new record file
 * and the same keep). An epoch ends when its sender has sent everything, is killed by the chaos, or the soak is over
 * (the sender is then stopped with SIGTERM, which ends what is in flight with true outcomes).
 * <p>
 * Every {@code --sample-seconds} it reads each process's resident set and Java heap ({@link ProcessMemory}) and the
 * stacks' counters ({@code raet4j.jar stat --all --once} and {@code stat --estates}). At the end it prints a report
 * and one JSON line, and exits 1 on any violation: a message reported delivered and never received, received twice,
 * reported failed and received, received and never offered, left without an outcome by a sender that was not killed;
 * or a process that ended on its own.
 * <p>
 * NOT thread safe: one thread runs it.
 */
public final class Soak implements AutoCloseable
{
    /** Exit status when every promise held. */
    public static final int EXIT_OK = 0;
    /** Exit status when a promise was broken or a process died on its own. */
    public static final int EXIT_VIOLATIONS = 1;
    /** Exit status of a usage error. */
    public static final int EXIT_USAGE = 2;

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+) as ");
    private static final Pattern PRESENCE = Pattern.compile("^estate \\S+ \\(\\p{XDigit}+\\) ([A-Z_]+)$");
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(60);
    private static final long FIRST_CHAOS_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long QUIET_END_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long MIN_EPOCH_FOR_SENDER_KILL_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long LOOP_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final double MIB = 1024.0 * 1024.0;
    private static final List<String> KEY_COUNTERS = List.of("Segments retransmitted", "Retransmit timeouts",
        "Tail loss probes", "Sessions resumed", "Sessions renewed", "Estates unreachable", "Estates declared dead",
        "Joins completed", "Joins failed", "Key updates", "Duty cycle stalls", "Errors");

    private final Options options;
    private final PrintStream out;
    private final SplittableRandom random;
    private final Fleet fleet;
    private final SoakNetwork network;
    private final Path ledgers;
    private final Path status;
    private final long startNs = System.nanoTime();
    private final long deadlineNs;
    private final List<String> violations = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<Chaos, Integer> chaosCounts = new EnumMap<>(Chaos.class);
    private final Map<String, Integer> presenceCounts = new TreeMap<>();
    private final Map<Long, Map<String, Long>> countersByPid = new LinkedHashMap<>();
    private final Map<Long, String> roleByPid = new LinkedHashMap<>();
    private final Memory recvMemory = new Memory("recv");
    private final Memory sendMemory = new Memory("send");
    private final Totals totals = new Totals();
    private int epoch;
    private int recvRestartsAfterKill;
    private int recvRestartsUnexpected;
    private int sendStarts;
    private int recvStarts;
    private RaetProcess recv;
    private RaetProcess send;
    private Path outcomes;
    private Path record;
    private long epochStartNs;
    private Fault fault;
    private String lastEstateLine = "";

    private Soak(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
        this.random = new SplittableRandom(options.seed);
        this.deadlineNs = startNs + (long)(options.minutes * 60e9);
        this.fleet = new Fleet(options.dir);
        this.ledgers = options.dir.resolve("ledgers");
        this.status = options.dir.resolve("status");
        try
        {
            Files.createDirectories(ledgers);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make " + ledgers, ex);
        }
        this.network = options.isNetns ? new SoakNetwork.Namespaced() :
            new SoakNetwork.Proxied(freeLoopbackAddress());
    }

    /**
     * Run a soak from the command line; exits with {@link #run(String[], PrintStream, PrintStream)}'s status.
     *
     * @param args see {@link #usage()}.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run a soak.
     *
     * @param args see {@link #usage()}.
     * @param out  for progress, the report and the JSON line last.
     * @param err  for usage errors.
     * @return {@link #EXIT_OK}, {@link #EXIT_VIOLATIONS} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("soak: " + ex.getMessage());
            err.print(usage());
            return EXIT_USAGE;
        }
        if (options.isHelp)
        {
            out.print(usage());
            return EXIT_OK;
        }
        if (null != options.jar)
        {
            System.setProperty(RaetJar.PROPERTY, options.jar);
        }
        if (options.isNetns && null != NetworkNamespaces.unavailableReason())
        {
            err.println("soak: --netns: " + NetworkNamespaces.unavailableReason());
            return EXIT_USAGE;
        }
        try (Soak soak = new Soak(options, out))
        {
            return soak.soak();
        }
    }

    /**
     * The command line.
     *
     * @return the usage text.
     */
    public static String usage()
    {
        return "usage: java -cp raet4j-reliability.jar io.raet4j.reliability.Soak [options]\n" +
            "  --minutes M            how long to soak (default 30; fractions allowed)\n" +
            "  --seed N               seed of the chaos schedule (default: from the clock, printed)\n" +
            "  --jar PATH             raet4j.jar to run (default: -Draet4j.jar, else examples/target/raet4j.jar\n" +
            "                         of the reactor above the working directory)\n" +
            "  --dir DIR              where output, keeps, status files and ledgers go (default\n" +
            "                         target/soak-TIMESTAMP)\n" +
            "  --epoch-messages N     messages a sender offers before a new sender takes over (default 20000000)\n" +
            "  --sample-seconds S     memory and counters sampled every S seconds (default 10)\n" +
            "  --rekey-seconds S      session keys renewed every S seconds (-Draet4j.rekey.interval.ns for both\n" +
            "                         processes; default 60, so that key updates meet the chaos; 0: the stack's\n" +
            "                         default of 10 minutes)\n" +
            "  --netns                send and recv in two network namespaces (needs root) instead of loopback\n" +
            "                         through a UDP proxy; no loss bursts there\n" +
            "  --keep-ledgers         keep every epoch's ledgers (default: only those of epochs with a violation)\n" +
            "Chaos, one fault at a time, 3-20 s apart, drawn from the seed (kinds and lengths; when an epoch ends\n" +
            "depends on the processes' speed, so two runs of one seed can part ways): partition 1-20 s, one\n" +
            "direction dropped 1-20 s, loss burst 5-40% 2-20 s, SIGSTOP recv or send 1-15 s, SIGKILL recv and\n" +
            "restart after 0-5 s (same keep and record), now and then SIGKILL send and a new send (same keep,\n" +
            "new ledgers). The last 30 s are quiet; then send is stopped with SIGTERM. The command line's\n" +
            "timeouts are left at their defaults: unreachable after 3 s of silence, sessions ended after 60 s,\n" +
            "which no fault reaches.\n" +
            "Prints events and samples as they happen, a report, and last one JSON line. Exit status 0 if every\n" +
            "message's outcome was true and no process died on its own, 1 otherwise, 2 on a usage error.\n";
    }

    private int soak()
    {
        out.printf(Locale.ROOT, "soak: %.1f min, seed %d, rekey %s, jar %s%n", options.minutes, options.seed,
            0 == options.rekeyNs ? "the stack's default" : "every " + options.rekeyNs / 1_000_000_000.0 + " s",
            RaetJar.path());
        out.println("soak: dir " + options.dir);
        out.println("soak: " + network.describe());
        out.flush();
        long nextChaosNs = startNs + FIRST_CHAOS_NS;
        long nextSampleNs = startNs;
        try
        {
            startEpoch();
            while (true)
            {
                final long nowNs = System.nanoTime();
                if (nowNs >= deadlineNs)
                {
                    break;
                }
                checkProcesses();
                if (null != fault && nowNs >= fault.endNs)
                {
                    endFault();
                    nextChaosNs = System.nanoTime() + gapNs();
                }
                if (null == fault && nowNs >= nextChaosNs && deadlineNs - nowNs > QUIET_END_NS)
                {
                    applyChaos();
                    if (null == fault)
                    {
                        nextChaosNs = System.nanoTime() + gapNs();
                    }
                }
                if (nowNs >= nextSampleNs)
                {
                    sample();
                    nextSampleNs = Math.max(nextSampleNs + options.sampleNs, System.nanoTime());
                }
                LockSupport.parkNanos(LOOP_PARK_NS);
            }
            endEpoch(EpochEnd.SOAK_OVER);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            violations.add("the soak itself failed at " + elapsed() + ": " + ex);
            ex.printStackTrace(out);
        }
        report();
        return violations.isEmpty() ? EXIT_OK : EXIT_VIOLATIONS;
    }

    /**
     * Stop every process, the proxy or the namespaces. Idempotent.
     */
    @Override
    public void close()
    {
        fleet.close();
        network.close();
    }

    private void startEpoch()
    {
        epoch++;
        epochStartNs = System.nanoTime();
        outcomes = ledgers.resolve("epoch-" + epoch + "-outcomes.ledger");
        record = ledgers.resolve("epoch-" + epoch + "-received.ledger");
        final String longSeconds = Long.toString(Math.min(86_400L, (long)(options.minutes * 120) + 600));
        final String[] jvmOptions = 0 == options.rekeyNs ? new String[0] :
            new String[]{"-Draet4j.rekey.interval.ns=" + options.rekeyNs};
        recv = network.place(fleet.raet("recv").label("recv").jvmOptions(jvmOptions).args(
            "--name", "recv", "--bind", network.recvBind(), "--idle-seconds", longSeconds,
            "--keep", options.dir.resolve("keep-recv").toString(), "--record", record.toString(),
            "--dir", status.toString()), false).start();
        recvStarts++;
        recv.awaitMatch(LISTENING, 0, START);
        roleByPid.put(recv.pid(), "recv");
        send = network.place(fleet.raet("send").label("send").jvmOptions(jvmOptions).args(
            "--name", "send", "--bind", network.sendBind(), "--peer", network.sendPeer(),
            "--count", Long.toString(options.epochMessages), "--size", "100", "--timeout-seconds", longSeconds,
            "--keep", options.dir.resolve("keep-send").toString(), "--outcomes", outcomes.toString(),
            "--dir", status.toString()), true).start();
        sendStarts++;
        roleByPid.put(send.pid(), "send");
        send.awaitLine("^sending \\d+ messages", START);
        event("epoch " + epoch + " started: recv pid " + recv.pid() + ", send pid " + send.pid() + ", " +
            options.epochMessages + " messages of 100 bytes");
    }

    private void endEpoch(final EpochEnd end)
    {
        if (null != fault)
        {
            endFault();
        }
        sampleCounters();
        if (EpochEnd.SOAK_OVER == end && send.isAlive())
        {
            send.terminate(STOP);
        }
        if (recv.isAlive())
        {
            recv.terminate(STOP);
        }
        sampleCounters();
        final boolean isSenderKilled = EpochEnd.SENDER_KILLED == end;
        final LedgerCheck check = LedgerCheck.of(outcomes, record);
        final List<String> epochViolations = check.violations(isSenderKilled);
        for (final String violation : epochViolations)
        {
            violations.add("epoch " + epoch + ": " + violation);
        }
        if (check.failed() > 0 && EpochEnd.SOAK_OVER != end)
        {
            warnings.add("epoch " + epoch + " (" + end.words + "): " + check.failed() + " messages failed, though " +
                "no fault reached the session timeout");
        }
        totals.add(check, isSenderKilled);
        countPresence(send);
        event(String.format(Locale.ROOT, "epoch %d ended (%s) after %.1f s: %s; violations %s", epoch, end.words,
            (System.nanoTime() - epochStartNs) / 1e9, check.describe(),
            epochViolations.isEmpty() ? "none" : epochViolations.toString()));
        if (epochViolations.isEmpty() && !options.isKeepLedgers)
        {
            deleteQuietly(outcomes);
            deleteQuietly(record);
        }
    }

    private void checkProcesses()
    {
        final boolean isRecvDownOnPurpose = null != fault && Chaos.KILL_RECV == fault.chaos;
        if (!send.isAlive())
        {
            // Status 1 with no error is a run that ended with some outcomes not delivered (uncertain after a
            // receiver was killed): the ledgers judge those. An error means the run stopped early.
            final int exitStatus = send.awaitExit(STOP);
            final String error = sendError();
            if (0 == exitStatus || (1 == exitStatus && null == error))
            {
                endEpoch(EpochEnd.SENDER_DONE);
            }
            else
            {
                violations.add("epoch " + epoch + ": send (pid " + send.pid() + ") exited with status " + exitStatus +
                    " on its own at " + elapsed() + ": " + (null == error ? "no error given" : error));
                endEpoch(EpochEnd.SENDER_FAILED);
            }
            startEpoch();
        }
        else if (!recv.isAlive() && !isRecvDownOnPurpose)
        {
            violations.add("epoch " + epoch + ": recv (pid " + recv.pid() + ") exited with status " +
                recv.awaitExit(STOP) + " on its own at " + elapsed());
            recv = recv.restart();
            recvRestartsUnexpected++;
            recvStarts++;
            roleByPid.put(recv.pid(), "recv");
            recv.awaitMatch(LISTENING, 0, START);
        }
    }

    private String sendError()
    {
        try
        {
            final JsonObject result = send.lastJson();
            return result.has("error") ? result.getString("error") : null;
        }
        catch (final AssertionError ex)
        {
            return "no JSON result";
        }
    }

    private void applyChaos()
    {
        final Chaos chaos = drawChaos();
        chaosCounts.merge(chaos, 1, Integer::sum);
        switch (chaos)
        {
            case PARTITION:
            {
                final double seconds = between(1, 20);
                network.partition();
                begin(chaos, seconds, String.format(Locale.ROOT, "partition both ways for %.1f s", seconds));
                break;
            }
            case ONE_WAY:
            {
                final double seconds = between(1, 20);
                final boolean isTowardsReceiver = random.nextBoolean();
                network.dropOneWay(isTowardsReceiver);
                begin(chaos, seconds, String.format(Locale.ROOT, "drop %s for %.1f s",
                    isTowardsReceiver ? "send -> recv" : "recv -> send", seconds));
                break;
            }
            case LOSS_BURST:
            {
                final double seconds = between(2, 20);
                final double probability = between(0.05, 0.4);
                network.loss(probability);
                begin(chaos, seconds, String.format(Locale.ROOT, "lose %.0f%% both ways for %.1f s",
                    probability * 100, seconds));
                break;
            }
            case STOP_RECV:
            {
                final double seconds = between(1, 15);
                recv.pause();
                begin(chaos, seconds, String.format(Locale.ROOT, "SIGSTOP recv (pid %d) for %.1f s", recv.pid(),
                    seconds));
                break;
            }
            case STOP_SEND:
            {
                final double seconds = between(1, 15);
                send.pause();
                begin(chaos, seconds, String.format(Locale.ROOT, "SIGSTOP send (pid %d) for %.1f s", send.pid(),
                    seconds));
                break;
            }
            case KILL_RECV:
            {
                final double seconds = between(0, 5);
                final long pid = recv.pid();
                recv.kill();
                begin(chaos, seconds, String.format(Locale.ROOT, "SIGKILL recv (pid %d), restart after %.1f s", pid,
                    seconds));
                break;
            }
            case KILL_SEND:
            {
                final long pid = send.pid();
                send.kill();
                event("chaos: SIGKILL send (pid " + pid + "); a new send takes over with the same keep");
                endEpoch(EpochEnd.SENDER_KILLED);
                startEpoch();
                break;
            }
            default:
                throw new IllegalStateException("unknown chaos " + chaos);
        }
    }

    private Chaos drawChaos()
    {
        final boolean isSenderKillable = System.nanoTime() - epochStartNs >= MIN_EPOCH_FOR_SENDER_KILL_NS;
        while (true)
        {
            int draw = random.nextInt(Chaos.TOTAL_WEIGHT);
            for (final Chaos chaos : Chaos.values())
            {
                draw -= chaos.weight;
                if (draw < 0)
                {
                    if ((Chaos.LOSS_BURST == chaos && !network.canLose()) ||
                        (Chaos.KILL_SEND == chaos && !isSenderKillable))
                    {
                        break;
                    }
                    return chaos;
                }
            }
        }
    }

    private void begin(final Chaos chaos, final double seconds, final String description)
    {
        fault = new Fault(chaos, System.nanoTime() + (long)(seconds * 1e9), description);
        event("chaos: " + description);
    }

    private void endFault()
    {
        final Fault ended = fault;
        fault = null;
        switch (ended.chaos)
        {
            case PARTITION:
            case ONE_WAY:
            case LOSS_BURST:
                network.heal();
                break;
            case STOP_RECV:
                if (recv.isAlive())
                {
                    recv.resume();
                }
                break;
            case STOP_SEND:
                if (send.isAlive())
                {
                    send.resume();
                }
                break;
            case KILL_RECV:
                recv = recv.restart();
                recvRestartsAfterKill++;
                recvStarts++;
                roleByPid.put(recv.pid(), "recv");
                recv.awaitMatch(LISTENING, 0, START);
                break;
            default:
                break;
        }
        event("chaos over: " + ended.description + (Chaos.KILL_RECV == ended.chaos ?
            "; recv restarted as pid " + recv.pid() : ""));
    }

    private void sample()
    {
        final ProcessMemory recvNow = recv.isAlive() ? ProcessMemory.of(recv.pid()) : null;
        final ProcessMemory sendNow = send.isAlive() ? ProcessMemory.of(send.pid()) : null;
        recvMemory.add(recv.pid(), recvNow, elapsedSeconds());
        sendMemory.add(send.pid(), sendNow, elapsedSeconds());
        sampleCounters();
        sampleEstates();
        final OutcomeCounts counts = OutcomeCounts.of(outcomes);
        event(String.format(Locale.ROOT, "sample epoch %d: offered %,d delivered %,d failed %,d uncertain %,d; " +
            "recv %s; send %s; %s", epoch, counts.offered(), counts.delivered(), counts.failed(), counts.uncertain(),
            describe(recvNow), describe(sendNow), lastEstateLine));
    }

    private void sampleCounters()
    {
        final JsonObject json = stat("--all");
        if (null == json || !(json.get("stacks") instanceof List<?> stacks))
        {
            return;
        }
        for (final Object item : stacks)
        {
            if (item instanceof JsonObject stack && stack.get("counters") instanceof JsonObject counters)
            {
                final long pid = stack.getLong("pid");
                final Map<String, Long> values = new LinkedHashMap<>();
                for (final Map.Entry<String, Object> entry : counters.members().entrySet())
                {
                    if (entry.getValue() instanceof Long value)
                    {
                        values.put(entry.getKey(), value);
                    }
                }
                countersByPid.put(pid, values);
                roleByPid.putIfAbsent(pid, stack.getString("name"));
            }
        }
    }

    private void sampleEstates()
    {
        final JsonObject json = stat("--estates", "--all");
        if (null == json || !(json.get("stacks") instanceof List<?> stacks))
        {
            return;
        }
        final StringBuilder line = new StringBuilder();
        for (final Object item : stacks)
        {
            if (item instanceof JsonObject stack && (stack.getLong("pid") == send.pid() ||
                stack.getLong("pid") == recv.pid()) && stack.get("estates") instanceof List<?> estates)
            {
                for (final Object estate : estates)
                {
                    if (estate instanceof JsonObject row)
                    {
                        line.append(line.length() > 0 ? ", " : "").append(stack.getString("name")).append(" sees ")
                            .append(row.getString("name")).append(' ').append(row.getString("state"))
                            .append(" (silent ").append(row.getLong("silentMs")).append(" ms, retransmits ")
                            .append(row.getLong("retransmits")).append(')');
                    }
                }
            }
        }
        lastEstateLine = line.toString();
    }

    private JsonObject stat(final String... extra)
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
            "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar", RaetJar.path().toString(), "stat",
            "--once", "--dir", status.toString()));
        command.addAll(List.of(extra));
        try
        {
            final Exec.Result result = Exec.run(command, Duration.ofSeconds(30));
            final String[] lines = result.stdout().strip().split("\n");
            return result.isOk() && lines.length > 0 ? JsonObject.parse(lines[lines.length - 1]) : null;
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            warnings.add("stat failed at " + elapsed() + ": " + ex.getMessage());
            return null;
        }
    }

    private void countPresence(final RaetProcess sender)
    {
        for (final String line : sender.lines())
        {
            final Matcher matcher = PRESENCE.matcher(line);
            if (matcher.find())
            {
                presenceCounts.merge(matcher.group(1), 1, Integer::sum);
            }
        }
    }

    private void report()
    {
        final double seconds = elapsedSeconds();
        final Map<String, Map<String, Long>> counters = countersByRole();
        out.println();
        out.println("== soak report");
        out.printf(Locale.ROOT, "duration          %.1f s (%.1f min asked), seed %d, %s%n", seconds, options.minutes,
            options.seed, options.isNetns ? "network namespaces" : "loopback through UdpProxy");
        out.printf(Locale.ROOT, "messages          offered %,d  delivered %,d  failed %,d  uncertain %,d (received " +
            "%,d of them)  pending %,d (senders killed)%n", totals.offered, totals.delivered, totals.failed,
            totals.uncertain, totals.uncertainReceived, totals.pendingOfKilled);
        out.printf(Locale.ROOT, "receiver          received %,d  duplicates %,d%n", totals.received, totals.duplicates);
        out.printf(Locale.ROOT, "checks            delivered-not-received %,d  failed-but-received %,d  " +
            "received-not-offered %,d  pending (sender alive) %,d%n", totals.deliveredNotReceived,
            totals.failedButReceived, totals.receivedNotOffered, totals.pendingOfLive);
        out.println("epochs            " + epoch + " (" + totals.epochsByEnd + ")");
        out.println("chaos             " + describeChaos());
        out.printf("restarts          recv after SIGKILL %d, recv after an unexpected exit %d; processes started: " +
            "recv %d, send %d%n", recvRestartsAfterKill, recvRestartsUnexpected, recvStarts, sendStarts);
        out.println("presence (send)   " + (presenceCounts.isEmpty() ? "none" : presenceCounts.toString()));
        out.println(recvMemory.describe());
        out.println(sendMemory.describe());
        out.println("counters          summed over each role's processes, as last sampled (a process that exits " +
            "cleanly removes its status file, so up to one sample interval of it is missing)");
        for (final Map.Entry<String, Map<String, Long>> role : counters.entrySet())
        {
            out.println("  " + role.getKey() + "            " + role.getValue());
        }
        out.println("warnings          " + (warnings.isEmpty() ? "none" : String.join("; ", warnings)));
        out.println("violations        " + (violations.isEmpty() ? "none" : ""));
        for (final String violation : violations)
        {
            out.println("  " + violation);
        }
        out.println("result            " + (violations.isEmpty() ? "PASS" : "FAIL"));

        final JsonWriter json = new JsonWriter()
            .put("result", violations.isEmpty() ? "pass" : "fail")
            .put("seconds", seconds)
            .put("seed", options.seed)
            .put("network", options.isNetns ? "netns" : "proxy")
            .put("epochs", epoch)
            .put("offered", totals.offered)
            .put("delivered", totals.delivered)
            .put("failed", totals.failed)
            .put("uncertain", totals.uncertain)
            .put("uncertainReceived", totals.uncertainReceived)
            .put("pendingOfKilledSenders", totals.pendingOfKilled)
            .put("received", totals.received)
            .put("duplicates", totals.duplicates)
            .put("deliveredNotReceived", totals.deliveredNotReceived)
            .put("failedButReceived", totals.failedButReceived)
            .put("receivedNotOffered", totals.receivedNotOffered)
            .put("pendingOfLiveSenders", totals.pendingOfLive)
            .put("violations", violations.size())
            .put("warnings", warnings.size());
        for (final Chaos chaos : Chaos.values())
        {
            json.put("chaos." + chaos.key, chaosCounts.getOrDefault(chaos, 0));
        }
        json.put("restarts.recvAfterKill", recvRestartsAfterKill)
            .put("restarts.recvUnexpected", recvRestartsUnexpected)
            .put("starts.recv", recvStarts)
            .put("starts.send", sendStarts);
        recvMemory.write(json);
        sendMemory.write(json);
        for (final Map.Entry<String, Map<String, Long>> role : counters.entrySet())
        {
            for (final Map.Entry<String, Long> counter : role.getValue().entrySet())
            {
                json.put(role.getKey() + "." + camelCase(counter.getKey()), counter.getValue());
            }
        }
        out.println(json);
        out.flush();
    }

    private Map<String, Map<String, Long>> countersByRole()
    {
        final Map<String, Map<String, Long>> byRole = new TreeMap<>();
        for (final Map.Entry<Long, Map<String, Long>> entry : countersByPid.entrySet())
        {
            final String role = roleByPid.getOrDefault(entry.getKey(), "?");
            final Map<String, Long> sums = byRole.computeIfAbsent(role, (key) ->
            {
                final Map<String, Long> ordered = new LinkedHashMap<>();
                KEY_COUNTERS.forEach((name) -> ordered.put(name, 0L));
                return ordered;
            });
            for (final String name : KEY_COUNTERS)
            {
                sums.merge(name, entry.getValue().getOrDefault(name, 0L), Long::sum);
            }
        }
        return byRole;
    }

    private String describeChaos()
    {
        final StringBuilder sb = new StringBuilder();
        int total = 0;
        for (final Chaos chaos : Chaos.values())
        {
            final int count = chaosCounts.getOrDefault(chaos, 0);
            total += count;
            sb.append(sb.length() > 0 ? ", " : "").append(chaos.words).append(' ').append(count);
        }
        return total + " events: " + sb;
    }

    private static String camelCase(final String label)
    {
        final StringBuilder sb = new StringBuilder(label.length());
        for (final String word : label.split(" "))
        {
            if (!word.isEmpty())
            {
                sb.append(0 == sb.length() ? word.toLowerCase(Locale.ROOT) :
                    Character.toUpperCase(word.charAt(0)) + word.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }

    private static String describe(final ProcessMemory memory)
    {
        if (null == memory)
        {
            return "not running";
        }
        return String.format(Locale.ROOT, "RSS %.0f MiB (anon %.0f) heap %.0f/%.0f MiB", memory.rssBytes() / MIB,
            memory.rssAnonBytes() / MIB, memory.heapUsedBytes() / MIB, memory.heapCommittedBytes() / MIB);
    }

    private void event(final String text)
    {
        out.printf(Locale.ROOT, "[%8.1f s] %s%n", elapsedSeconds(), text);
        out.flush();
    }

    private double elapsedSeconds()
    {
        return (System.nanoTime() - startNs) / 1e9;
    }

    private String elapsed()
    {
        return String.format(Locale.ROOT, "%.1f s", elapsedSeconds());
    }

    private double between(final double min, final double max)
    {
        return min + random.nextDouble() * (max - min);
    }

    private long gapNs()
    {
        return (long)(between(3, 20) * 1e9);
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // kept: a ledger left behind is only disk space
        }
    }

    private static String freeLoopbackAddress()
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return "127.0.0.1:" + ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The kinds of chaos and how often each is drawn.
     */
    enum Chaos
    {
        PARTITION("partition", "partition", 20),
        ONE_WAY("one-way drop", "oneWay", 15),
        LOSS_BURST("loss burst", "lossBurst", 15),
        STOP_RECV("SIGSTOP recv", "sigstopRecv", 15),
        STOP_SEND("SIGSTOP send", "sigstopSend", 10),
        KILL_RECV("SIGKILL recv + restart", "sigkillRecv", 15),
        KILL_SEND("SIGKILL send + new send", "sigkillSend", 5);

        static final int TOTAL_WEIGHT = totalWeight();

        private final String words;
        private final String key;
        private final int weight;

        Chaos(final String words, final String key, final int weight)
        {
            this.words = words;
            this.key = key;
            this.weight = weight;
        }

        private static int totalWeight()
        {
            int total = 0;
            for (final Chaos chaos : values())
            {
                total += chaos.weight;
            }
            return total;
        }
    }

    private enum EpochEnd
    {
        SENDER_DONE("sender knew every outcome"),
        SENDER_KILLED("sender killed"),
        SENDER_FAILED("sender ended on its own"),
        SOAK_OVER("soak over, sender stopped with SIGTERM");

        private final String words;

        EpochEnd(final String words)
        {
            this.words = words;
        }
    }

    /**
     * The fault now applied, until its end.
     */
    private static final class Fault
    {
        private final Chaos chaos;
        private final long endNs;
        private final String description;

        private Fault(final Chaos chaos, final long endNs, final String description)
        {
            this.chaos = chaos;
            this.endNs = endNs;
            this.description = description;
        }
    }

    /**
     * What the epochs' ledgers added up to.
     */
    private static final class Totals
    {
        private final Map<String, Integer> epochsByEnd = new TreeMap<>();
        private long offered;
        private long delivered;
        private long failed;
        private long uncertain;
        private long uncertainReceived;
        private long pendingOfKilled;
        private long pendingOfLive;
        private long received;
        private long duplicates;
        private long deliveredNotReceived;
        private long failedButReceived;
        private long receivedNotOffered;

        void add(final LedgerCheck check, final boolean isSenderKilled)
        {
            offered += check.offered();
            delivered += check.delivered();
            failed += check.failed();
            uncertain += check.uncertain();
            uncertainReceived += check.uncertainReceived();
            if (isSenderKilled)
            {
                pendingOfKilled += check.pending();
            }
            else
            {
                pendingOfLive += check.pending();
            }
            received += check.received();
            duplicates += check.duplicates();
            deliveredNotReceived += check.deliveredNotReceived();
            failedButReceived += check.failedButReceived();
            receivedNotOffered += check.receivedNotOffered();
            epochsByEnd.merge(isSenderKilled ? "sender killed" : "sender ended", 1, Integer::sum);
        }
    }

    /**
     * Samples of one role's memory, across its incarnations.
     */
    private static final class Memory
    {
        private final String role;
        private final Map<Long, long[]> firstByPid = new LinkedHashMap<>();
        private final Map<Long, long[]> lastByPid = new LinkedHashMap<>();
        private final Map<Long, double[]> spanByPid = new LinkedHashMap<>();
        private long[] first;
        private long[] last;
        private long maxRss = -1;
        private long maxRssAnon = -1;
        private long maxHeap = -1;
        private int samples;

        Memory(final String role)
        {
            this.role = role;
        }

        void add(final long pid, final ProcessMemory memory, final double atSeconds)
        {
            if (null == memory || memory.rssBytes() < 0)
            {
                return;
            }
            final long[] values = {memory.rssBytes(), memory.heapUsedBytes(), memory.heapCommittedBytes(),
                memory.rssAnonBytes()};
            samples++;
            if (null == first)
            {
                first = values;
            }
            last = values;
            firstByPid.putIfAbsent(pid, values);
            lastByPid.put(pid, values);
            spanByPid.computeIfAbsent(pid, (key) -> new double[]{atSeconds, atSeconds})[1] = atSeconds;
            maxRss = Math.max(maxRss, memory.rssBytes());
            maxRssAnon = Math.max(maxRssAnon, memory.rssAnonBytes());
            maxHeap = Math.max(maxHeap, memory.heapUsedBytes());
        }

        String describe()
        {
            if (null == first)
            {
                return String.format("memory %-8s no sample", role);
            }
            long longestPid = -1;
            double longest = -1;
            for (final Map.Entry<Long, double[]> span : spanByPid.entrySet())
            {
                final double length = span.getValue()[1] - span.getValue()[0];
                if (length > longest)
                {
                    longest = length;
                    longestPid = span.getKey();
                }
            }
            final long[] from = firstByPid.get(longestPid);
            final long[] to = lastByPid.get(longestPid);
            return String.format(Locale.ROOT, "memory %-8s RSS start %.0f MiB end %.0f MiB max %.0f MiB (anonymous " +
                "start %.0f end %.0f max %.0f); heap used start %.0f MiB end %.0f MiB max %.0f MiB (committed at end " +
                "%.0f MiB); %d samples of %d processes; longest-lived (pid %d, %.0f s): RSS %.0f -> %.0f MiB " +
                "(anonymous %.0f -> %.0f), heap %.0f -> %.0f MiB", role, first[0] / MIB, last[0] / MIB, maxRss / MIB,
                first[3] / MIB, last[3] / MIB, maxRssAnon / MIB, first[1] / MIB, last[1] / MIB, maxHeap / MIB,
                last[2] / MIB, samples, firstByPid.size(), longestPid, longest, from[0] / MIB, to[0] / MIB,
                from[3] / MIB, to[3] / MIB, from[1] / MIB, to[1] / MIB);
        }

        void write(final JsonWriter json)
        {
            if (null == first)
            {
                return;
            }
            json.put(role + ".rssStartBytes", first[0])
                .put(role + ".rssEndBytes", last[0])
                .put(role + ".rssMaxBytes", maxRss)
                .put(role + ".rssAnonStartBytes", first[3])
                .put(role + ".rssAnonEndBytes", last[3])
                .put(role + ".rssAnonMaxBytes", maxRssAnon)
                .put(role + ".heapUsedStartBytes", first[1])
                .put(role + ".heapUsedEndBytes", last[1])
                .put(role + ".heapUsedMaxBytes", maxHeap)
                .put(role + ".samples", samples);
        }
    }

    /**
     * The command line, read once.
     */
    private static final class Options
    {
        private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

        private double minutes = 30;
        private long seed = System.nanoTime();
        private String jar;
        private Path dir;
        private long epochMessages = 20_000_000;
        private long sampleNs = TimeUnit.SECONDS.toNanos(10);
        private long rekeyNs = TimeUnit.SECONDS.toNanos(60);
        private boolean isNetns;
        private boolean isKeepLedgers;
        private boolean isHelp;

        static Options parse(final String[] args)
        {
            final Options options = new Options();
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                switch (arg)
                {
                    case "--minutes":
                        options.minutes = decimal(args, ++i, arg);
                        if (!(options.minutes > 0 && options.minutes <= 7 * 24 * 60))
                        {
                            throw new IllegalArgumentException("--minutes must be above 0 and at most a week");
                        }
                        break;
                    case "--seed":
                        options.seed = integer(args, ++i, arg);
                        break;
                    case "--jar":
                        options.jar = value(args, ++i, arg);
                        break;
                    case "--dir":
                        options.dir = Path.of(value(args, ++i, arg));
                        break;
                    case "--epoch-messages":
                        options.epochMessages = integer(args, ++i, arg);
                        if (options.epochMessages < 1000 || options.epochMessages > 200_000_000)
                        {
                            throw new IllegalArgumentException("--epoch-messages must be 1000..200000000");
                        }
                        break;
                    case "--sample-seconds":
                    {
                        final double seconds = decimal(args, ++i, arg);
                        if (!(seconds >= 1 && seconds <= 3600))
                        {
                            throw new IllegalArgumentException("--sample-seconds must be 1..3600");
                        }
                        options.sampleNs = (long)(seconds * 1e9);
                        break;
                    }
                    case "--rekey-seconds":
                    {
                        final double seconds = decimal(args, ++i, arg);
                        if (!(0 == seconds || (seconds >= 1 && seconds <= 86_400)))
                        {
                            throw new IllegalArgumentException("--rekey-seconds must be 0 or 1..86400");
                        }
                        options.rekeyNs = (long)(seconds * 1e9);
                        break;
                    }
                    case "--netns":
                        options.isNetns = true;
                        break;
                    case "--keep-ledgers":
                        options.isKeepLedgers = true;
                        break;
                    case "--help":
                    case "-h":
                        options.isHelp = true;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (null == options.dir)
            {
                options.dir = Path.of("target", "soak-" + LocalDateTime.now().format(STAMP));
            }
            options.dir = options.dir.toAbsolutePath().normalize();
            return options;
        }

        private static double decimal(final String[] args, final int index, final String option)
        {
            final String text = value(args, index, option);
            try
            {
                return Double.parseDouble(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(option + " must be a number, was '" + text + "'", ex);
            }
        }

        private static long integer(final String[] args, final int index, final String option)
        {
            final String text = value(args, index, option);
            try
            {
                return Long.parseLong(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(option + " must be an integer, was '" + text + "'", ex);
            }
        }

        private static String value(final String[] args, final int index, final String option)
        {
            if (index >= args.length)
            {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[index];
        }
    }
}
