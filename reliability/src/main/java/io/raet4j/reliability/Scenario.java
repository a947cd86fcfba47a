package io.raet4j.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * One stream from a {@code send} process to a {@code recv} process, optionally through a {@link UdpProxy}, with a
 * fault applied while it runs, and the outcomes held to what the receiving application got, message by message
 * ({@link LedgerCheck}). The receiver runs with a keep of its own, so that a restart is the same estate, and with a
 * record file that a restart continues. The command line's defaults apply unless a scenario adds options: unreachable
 * after 3 s of silence, the session ended after 60 s.
 * <pre>{@code
 * try (Scenario scenario = Scenario.start(fleet, "sigstop-10s", 400_000, false))
 * {
 *     scenario.recv().pause();
 *     Scenario.hold(Duration.ofSeconds(10));
 *     scenario.recv().resume();
 *     Scenario.Result result = scenario.finish(Duration.ofMinutes(3));
 * }
 * }</pre>
 * <p>
 * NOT thread safe: one test thread drives it.
 */
public final class Scenario implements AutoCloseable
{
    /**
     * The messages per second a sender is paced at unless its options give {@code --rate}: each fault must land in the
     * middle of the stream however fast the machine and the AEAD are (with libsodium an unpaced sender finished
     * 400,000 messages in under a second, before the first progress line a scenario waits for).
     */
    public static final String DEFAULT_RATE = "100000";

    /** The line {@code recv} prints once bound, with its address. */
    public static final Pattern LISTENING = Pattern.compile("listening on (\\S+) as ");
    private static final Duration START = Duration.ofSeconds(30);

    private final String name;
    private final Fleet fleet;
    private final Path outcomes;
    private final Path record;
    private final List<RaetProcess> receivers = new ArrayList<>();
    private final UdpProxy proxy;
    private final RaetProcess send;
    private final long startNs = System.nanoTime();

    private Scenario(
        final String name,
        final Fleet fleet,
        final int messages,
        final boolean isProxied,
        final List<String> sendOptions,
        final List<String> recvOptions)
    {
        this.name = name;
        this.fleet = fleet;
        final Path ledgers = fleet.dir("ledgers");
        try
        {
            java.nio.file.Files.createDirectories(ledgers);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        this.outcomes = ledgers.resolve(name + "-outcomes.ledger");
        this.record = ledgers.resolve(name + "-received.ledger");
        final String status = fleet.dir("status").toString();
        // A fixed port, so that a restarted receiver is found where the sender knows it.
        final List<String> recvArgs = new ArrayList<>(List.of("--name", "recv-" + name, "--bind", freeLoopbackAddress(),
            "--idle-seconds", "600", "--keep", fleet.dir("keep-recv-" + name).toString(), "--record",
            record.toString(), "--dir", status));
        recvArgs.addAll(recvOptions);
        final RaetProcess recv = fleet.raet("recv").label("recv-" + name).args(recvArgs.toArray(new String[0]))
            .start();
        receivers.add(recv);
        final String recvAddress = recv.awaitMatch(LISTENING, 0, START).group(1);
        proxy = isProxied ? UdpProxy.start("127.0.0.1:0", recvAddress) : null;
        final List<String> sendArgs = new ArrayList<>(List.of("--name", "send-" + name, "--bind", "127.0.0.1:0",
            "--peer", isProxied ? proxy.localHostPort() : recvAddress, "--count", Integer.toString(messages),
            "--size", "100", "--timeout-seconds", "900", "--outcomes", outcomes.toString(), "--dir", status));
        sendArgs.addAll(sendOptions);
        if (!sendOptions.contains("--rate"))
        {
            sendArgs.addAll(List.of("--rate", DEFAULT_RATE));
        }
        send = fleet.raet("send").label("send-" + name).args(sendArgs.toArray(new String[0])).start();
        send.awaitLine("^sent [1-9]", START);
    }

    /**
     * Start the receiver, the proxy if asked for, and the sender, and return once messages flow.
     *
     * @param fleet     to run the processes in.
     * @param name      of the scenario, for labels and files.
     * @param messages  the sender sends, 100 bytes each.
     * @param isProxied whether the sender reaches the receiver through a {@link UdpProxy}.
     * @return the running scenario.
     */
    public static Scenario start(final Fleet fleet, final String name, final int messages, final boolean isProxied)
    {
        return new Scenario(name, fleet, messages, isProxied, List.of(), List.of());
    }

    /**
     * As {@link #start(Fleet, String, int, boolean)} with extra command-line options for each side.
     *
     * @param fleet       to run the processes in.
     * @param name        of the scenario.
     * @param messages    the sender sends.
     * @param isProxied   whether through a proxy.
     * @param sendOptions added to {@code send}'s.
     * @param recvOptions added to {@code recv}'s.
     * @return the running scenario.
     */
    public static Scenario start(
        final Fleet fleet,
        final String name,
        final int messages,
        final boolean isProxied,
        final List<String> sendOptions,
        final List<String> recvOptions)
    {
        return new Scenario(name, fleet, messages, isProxied, sendOptions, recvOptions);
    }

    /**
     * Let a fault last: wall-clock time passes while the processes run (or are stopped). This is the fault's
     * duration, not a wait for an outcome.
     *
     * @param duration of the fault.
     */
    public static void hold(final Duration duration)
    {
        final long deadlineNs = System.nanoTime() + duration.toNanos();
        long leftNs;
        while ((leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(Math.min(leftNs, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static String freeLoopbackAddress()
    {
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open())
        {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            return "127.0.0.1:" + ((java.net.InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * The receiver now running (the latest after restarts).
     *
     * @return the process.
     */
    public RaetProcess recv()
    {
        return receivers.get(receivers.size() - 1);
    }

    /**
     * The sender.
     *
     * @return the process.
     */
    public RaetProcess send()
    {
        return send;
    }

    /**
     * The proxy between them.
     *
     * @return the proxy, or null when not proxied.
     */
    public UdpProxy proxy()
    {
        return proxy;
    }

    /**
     * Kill the receiver (SIGKILL) and start it again with the same arguments: the same keep, so the same estate in
     * a new session, and the same record file.
     *
     * @param downFor how long it stays dead.
     * @return the new receiver.
     */
    public RaetProcess killAndRestartReceiver(final Duration downFor)
    {
        final RaetProcess recv = recv();
        recv.kill();
        hold(downFor);
        final RaetProcess again = recv.restart();
        receivers.add(again);
        again.awaitMatch(LISTENING, 0, START);
        return again;
    }

    /**
     * Wait for the sender to know every outcome and exit, then stop the receiver (SIGTERM, it prints its result), and
     * check the ledgers.
     *
     * @param timeout for the sender.
     * @return what happened.
     */
    public Result finish(final Duration timeout)
    {
        final int sendStatus = send.awaitExit(timeout);
        final RaetProcess recv = recv();
        if (recv.isPaused())
        {
            recv.resume();
        }
        if (recv.isAlive())
        {
            recv.terminate(Duration.ofSeconds(30));
        }
        final LedgerCheck check = LedgerCheck.of(outcomes, record);
        final List<String> presence = new ArrayList<>();
        for (final String line : send.lines())
        {
            if (line.startsWith("estate ") || line.startsWith("join "))
            {
                presence.add(line);
            }
        }
        return new Result(name, sendStatus, send.lastJson(), check, check.violations(false), presence,
            (System.nanoTime() - startNs) / 1e9);
    }

    /**
     * Stop every process and the proxy.
     */
    public void close()
    {
        if (null != proxy)
        {
            proxy.close();
        }
        for (final RaetProcess process : receivers)
        {
            process.close();
        }
        send.close();
    }

    /**
     * What a scenario showed.
     *
     * @param name       of the scenario.
     * @param sendStatus exit status of the sender, -1 if it was killed.
     * @param sendResult its JSON result, or null if killed.
     * @param ledgers    outcomes held to receipts.
     * @param violations what broke the promise, empty if nothing.
     * @param presence   the sender's presence and join lines, in order.
     * @param seconds    the scenario's wall-clock length.
     */
    public record Result(
        String name,
        int sendStatus,
        JsonObject sendResult,
        LedgerCheck ledgers,
        List<String> violations,
        List<String> presence,
        double seconds)
    {
        /**
         * One line for the report: the receiving application's count next to the sender's outcomes.
         *
         * @return the line.
         */
        public String describe()
        {
            return String.format("%-28s %6.1f s  sent %,9d  delivered %,9d  failed %,7d  uncertain %,7d  " +
                "received %,9d  duplicates %,d  violations %s", name, seconds, ledgers.offered(),
                ledgers.delivered(), ledgers.failed(), ledgers.uncertain(), ledgers.received(),
                ledgers.duplicates(), violations.isEmpty() ? "none" : violations.toString());
        }
    }
}
