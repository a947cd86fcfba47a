package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams between hosts in {@link NetworkNamespaces}: each stream is a {@code send} process on one host and a
 * {@code recv} process on another, each a separate JVM, with a fault applied while they run and every message's
 * outcome held to what the receiving application got ({@link LedgerCheck}). It is {@link Scenario} across hosts: the
 * receiver of each stream has a keep of its own and a record file that a restart continues, and listens on a fixed
 * port of its host so that a restarted receiver is found where the sender knows it; the sender has a keep of its own
 * too. Several streams can share a receiving host, so that a fault of one stream leaves the others flowing; each has
 * its own receiver process and ledgers, since a record file is indexed by sequence number alone.
 * <pre>{@code
 * try (NetworkNamespaces net = NetworkNamespaces.create(3); Fleet fleet = Fleet.create("netns-linkdown-10s");
 *     NetnsScenario scenario = NetnsScenario.builder(fleet, "linkdown-10s")
 *         .stream("a", net.host(1), net.host(2), 300_000)
 *         .stream("c", net.host(3), net.host(2), 300_000)
 *         .fault("link of h2 down 10 s")
 *         .start())
 * {
 *     net.linkDown(net.host(2));
 *     Scenario.hold(Duration.ofSeconds(10));
 *     net.linkUp(net.host(2));
 *     NetnsScenario.Result result = scenario.finish(Duration.ofMinutes(3));
 * }
 * }</pre>
 * The command line's defaults apply unless the builder adds options: unreachable after 3 s of silence, the session
 * ended after 60 s.
 * <p>
 * NOT thread safe: one test thread drives it.
 */
public final class NetnsScenario implements AutoCloseable
{
    /** Port of the first stream's receiver on its host; the next stream's is one above, and so on. */
    public static final int FIRST_RECV_PORT = 7531;
    private static final Duration START = Duration.ofSeconds(30);

    private final String name;
    private final String fault;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private final long startNs = System.nanoTime();

    private NetnsScenario(final Builder builder)
    {
        this.name = builder.name;
        this.fault = builder.fault;
        final Path ledgers = builder.fleet.dir("ledgers");
        try
        {
            Files.createDirectories(ledgers);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make " + ledgers, ex);
        }
        int port = FIRST_RECV_PORT;
        for (final StreamSpec spec : builder.specs)
        {
            streams.put(spec.label, new Stream(builder, spec, port++, ledgers));
        }
        try
        {
            for (final Stream stream : streams.values())
            {
                stream.recv().awaitLine("listening on " + stream.recvAddress, START);
            }
            for (final Stream stream : streams.values())
            {
                stream.startSender();
            }
            for (final Stream stream : streams.values())
            {
                stream.send.awaitLine("^sent [1-9]", START);
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Describe a scenario before starting it.
     *
     * @param fleet to run the processes in; its directory holds their output, keeps and ledgers.
     * @param name  of the scenario, for labels, files and the report.
     * @return the builder.
     */
    public static Builder builder(final Fleet fleet, final String name)
    {
        return new Builder(fleet, name);
    }

    /**
     * One stream by its label.
     *
     * @param label as given to {@link Builder#stream}.
     * @return the stream.
     */
    public Stream stream(final String label)
    {
        final Stream stream = streams.get(label);
        if (null == stream)
        {
            throw new IllegalArgumentException("no stream '" + label + "' in " + name + ": " + streams.keySet());
        }
        return stream;
    }

    /**
     * Every stream.
     *
     * @return in the order they were described.
     */
    public List<Stream> streams()
    {
        return List.copyOf(streams.values());
    }

    /**
     * Wait for every sender not killed to know every outcome and exit, then stop the receivers (SIGTERM, each prints
     * its result), and check each stream's ledgers.
     *
     * @param timeout for each sender.
     * @return what happened.
     */
    public Result finish(final Duration timeout)
    {
        final List<Scenario.Result> results = new ArrayList<>();
        for (final Stream stream : streams.values())
        {
            stream.awaitSender(timeout);
        }
        for (final Stream stream : streams.values())
        {
            results.add(stream.finish());
        }
        final List<String> hosts = new ArrayList<>();
        for (final Stream stream : streams.values())
        {
            hosts.add(stream.label + " h" + stream.from.index() + "->h" + stream.to.index());
        }
        return new Result(name, String.join(", ", hosts), fault, results, (System.nanoTime() - startNs) / 1e9);
    }

    /**
     * Kill every process still running. Idempotent.
     */
    @Override
    public void close()
    {
        for (final Stream stream : streams.values())
        {
            stream.close();
        }
    }

    /**
     * What to start. NOT thread safe.
     */
    public static final class Builder
    {
        private final Fleet fleet;
        private final String name;
        private final List<StreamSpec> specs = new ArrayList<>();
        private final List<String> sendOptions = new ArrayList<>();
        private final List<String> recvOptions = new ArrayList<>();
        private String fault = "none";

        private Builder(final Fleet fleet, final String name)
        {
            this.fleet = fleet;
            this.name = name;
        }

        /**
         * Add a stream of 100-byte messages from a {@code send} on one host to a {@code recv} of its own on another.
         *
         * @param label    of the stream, short and file-name safe, e.g. {@code a}.
         * @param from     the sender's host.
         * @param to       the receiver's host.
         * @param messages the sender offers.
         * @return this for a fluent API.
         */
        public Builder stream(
            final String label, final NetworkNamespaces.Host from, final NetworkNamespaces.Host to, final int messages)
        {
            if (from.equals(to))
            {
                throw new IllegalArgumentException("stream " + label + ": sender and receiver on one host " + from);
            }
            specs.add(new StreamSpec(label, from, to, messages));
            return this;
        }

        /**
         * Options added to every {@code send} and {@code recv}, e.g. {@code --session-timeout-seconds 90}.
         *
         * @param options command-line options with their values.
         * @return this for a fluent API.
         */
        public Builder bothEnds(final String... options)
        {
            sendOptions.addAll(List.of(options));
            recvOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Options added to every {@code send}.
         *
         * @param options command-line options with their values.
         * @return this for a fluent API.
         */
        public Builder sendOptions(final String... options)
        {
            sendOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Options added to every {@code recv}.
         *
         * @param options command-line options with their values.
         * @return this for a fluent API.
         */
        public Builder recvOptions(final String... options)
        {
            recvOptions.addAll(List.of(options));
            return this;
        }

        /**
         * The fault the scenario applies, in words, for the report.
         *
         * @param description e.g. {@code link of h2 down 10 s}.
         * @return this for a fluent API.
         */
        public Builder fault(final String description)
        {
            this.fault = description;
            return this;
        }

        /**
         * Start every receiver, then every sender, and return once messages flow on each stream.
         *
         * @return the running scenario.
         * @throws AssertionError if a process does not start or no message flows in time; what started is killed.
         */
        public NetnsScenario start()
        {
            if (specs.isEmpty())
            {
                throw new IllegalStateException(name + ": no stream");
            }
            return new NetnsScenario(this);
        }
    }

    private record StreamSpec(String label, NetworkNamespaces.Host from, NetworkNamespaces.Host to, int messages)
    {
    }

    /**
     * One {@code send} to {@code recv} stream of a scenario, with its ledgers. NOT thread safe.
     */
    public final class Stream
    {
        private final String label;
        private final NetworkNamespaces.Host from;
        private final NetworkNamespaces.Host to;
        private final String recvAddress;
        private final Path outcomes;
        private final Path record;
        private final List<RaetProcess> receivers = new ArrayList<>();
        private final Fleet.Launch sendLaunch;
        private RaetProcess send;
        private boolean isSenderKilled;
        private int sendStatus = -1;

        private Stream(final Builder builder, final StreamSpec spec, final int port, final Path ledgers)
        {
            this.label = spec.label;
            this.from = spec.from;
            this.to = spec.to;
            this.recvAddress = to.address(port);
            final String prefix = builder.name + "-" + label;
            this.outcomes = ledgers.resolve(prefix + "-outcomes.ledger");
            this.record = ledgers.resolve(prefix + "-received.ledger");
            final String status = builder.fleet.dir("status").toString();
            final List<String> recvArgs = new ArrayList<>(List.of("--name", "recv-" + label, "--bind", recvAddress,
                "--idle-seconds", "900", "--keep", builder.fleet.dir("keep-recv-" + prefix).toString(),
                "--record", record.toString(), "--dir", status));
            recvArgs.addAll(builder.recvOptions);
            receivers.add(builder.fleet.raet("recv").label("recv-" + prefix).in(to)
                .args(recvArgs.toArray(new String[0])).start());
            final List<String> sendArgs = new ArrayList<>(List.of("--name", "send-" + label, "--bind",
                from.address(0), "--peer", recvAddress, "--count", Integer.toString(spec.messages), "--size", "100",
                "--timeout-seconds", "900", "--keep", builder.fleet.dir("keep-send-" + prefix).toString(),
                "--outcomes", outcomes.toString(), "--dir", status));
            sendArgs.addAll(builder.sendOptions);
            if (!builder.sendOptions.contains("--rate"))
            {
                sendArgs.addAll(List.of("--rate", Scenario.DEFAULT_RATE));
            }
            sendLaunch = builder.fleet.raet("send").label("send-" + prefix).in(from)
                .args(sendArgs.toArray(new String[0]));
        }

        /**
         * The label given to the builder.
         *
         * @return e.g. {@code a}.
         */
        public String label()
        {
            return label;
        }

        /**
         * The sender's host.
         *
         * @return the host.
         */
        public NetworkNamespaces.Host from()
        {
            return from;
        }

        /**
         * The receiver's host.
         *
         * @return the host.
         */
        public NetworkNamespaces.Host to()
        {
            return to;
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
         * The sender's outcomes so far, read from its ledger: whether the stream flows.
         *
         * @return the counts now.
         */
        public OutcomeCounts outcomes()
        {
            return OutcomeCounts.of(outcomes);
        }

        /**
         * Kill the receiver (SIGKILL) and start it again with the same arguments: the same keep, so the same estate
         * in a new session, the same address, and the same record file.
         *
         * @param downFor how long it stays dead (the fault's length, wall-clock).
         * @return the new receiver, listening.
         */
        public RaetProcess killAndRestartReceiver(final Duration downFor)
        {
            final RaetProcess recv = recv();
            recv.kill();
            Scenario.hold(downFor);
            final RaetProcess again = recv.restart();
            receivers.add(again);
            again.awaitLine("listening on " + recvAddress, START);
            return again;
        }

        /**
         * Kill the sender (SIGKILL): messages it never learnt an outcome for are then expected, and it is not waited
         * for.
         */
        public void killSender()
        {
            isSenderKilled = true;
            send.kill();
        }

        private void startSender()
        {
            send = sendLaunch.start();
        }

        private void awaitSender(final Duration timeout)
        {
            if (!isSenderKilled)
            {
                sendStatus = send.awaitExit(timeout);
            }
        }

        private Scenario.Result finish()
        {
            final RaetProcess recv = recv();
            if (recv.isPaused())
            {
                recv.resume();
            }
            if (recv.isAlive())
            {
                recv.terminate(START);
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
            return new Scenario.Result(label, sendStatus, isSenderKilled ? null : send.lastJson(), check,
                check.violations(isSenderKilled), presence, (System.nanoTime() - startNs) / 1e9);
        }

        private void close()
        {
            for (final RaetProcess process : receivers)
            {
                process.close();
            }
            if (null != send)
            {
                send.close();
            }
        }
    }

    /**
     * What a scenario showed, stream by stream.
     *
     * @param name    of the scenario.
     * @param hosts   each stream's label and hosts, e.g. {@code a h1->h2, c h3->h2}.
     * @param fault   the fault, in words.
     * @param streams each stream's result, named by its label, in order.
     * @param seconds the scenario's wall-clock length.
     */
    public record Result(String name, String hosts, String fault, List<Scenario.Result> streams, double seconds)
    {
        /**
         * One stream's result.
         *
         * @param label of the stream.
         * @return its result.
         */
        public Scenario.Result stream(final String label)
        {
            for (final Scenario.Result result : streams)
            {
                if (result.name().equals(label))
                {
                    return result;
                }
            }
            throw new IllegalArgumentException("no stream '" + label + "' in " + name);
        }

        /**
         * Every stream's violations, each prefixed by the stream's label.
         *
         * @return empty when every outcome was true.
         */
        public List<String> violations()
        {
            final List<String> violations = new ArrayList<>();
            for (final Scenario.Result result : streams)
            {
                for (final String violation : result.violations())
                {
                    violations.add(result.name() + ": " + violation);
                }
            }
            return violations;
        }

        /**
         * One line for the report: hosts, fault, then per stream the sender's outcomes next to what the receiving
         * application got, and the presence events the sender saw.
         *
         * @return the line.
         */
        public String describe()
        {
            final StringBuilder sb = new StringBuilder(512)
                .append(String.format("%-24s %6.1f s  [%s]  fault: %s", name, seconds, hosts, fault));
            for (final Scenario.Result result : streams)
            {
                final LedgerCheck ledgers = result.ledgers();
                final List<String> events = new ArrayList<>();
                for (final String line : result.presence())
                {
                    events.add(line.substring(line.lastIndexOf(' ') + 1));
                }
                sb.append(String.format(" | %s: sent %,d delivered %,d failed %,d uncertain %,d received %,d " +
                    "duplicates %,d%s%s; violations %s; sender saw %s", result.name(), ledgers.offered(),
                    ledgers.delivered(), ledgers.failed(), ledgers.uncertain(), ledgers.received(),
                    ledgers.duplicates(), ledgers.pending() > 0 ? " pending " + ledgers.pending() : "",
                    result.sendStatus() < 0 ? " (sender killed)" : "",
                    result.violations().isEmpty() ? "none" : result.violations().toString(),
                    events.isEmpty() ? "nothing" : String.join(" ", events)));
            }
            return sb.toString();
        }
    }
}
