package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The processes of one test run: {@code raet4j.jar} commands and tools of this module started as separate JVMs, on
 * this host or inside {@link NetworkNamespaces} hosts, with their output in files under one directory. Closing the
 * fleet kills every process it started; a shutdown hook does the same if the JVM exits first, so no child outlives
 * a test run.
 * <pre>{@code
 * try (Fleet fleet = Fleet.create("partition-8s"))
 * {
 *     RaetProcess recv = fleet.raet("recv").label("recv-b")
 *         .args("--name", "b", "--bind", "127.0.0.1:7531", "--keep", fleet.dir("keep-b").toString())
 *         .start();
 *     recv.awaitLine("listening on", Duration.ofSeconds(20));
 *     ...
 *     recv.kill();
 *     RaetProcess again = recv.restart();   // same arguments, same keep
 * }
 * }</pre>
 * Close the fleet before the namespaces its processes run in (declare the namespaces first in try-with-resources).
 * <p>
 * Thread safe.
 */
public final class Fleet implements AutoCloseable
{
    /** System property of the directory under which {@link #create(String)} makes a run's directory. */
    public static final String WORK_DIR_PROPERTY = "reliability.workDir";
    /** Heap of a {@code raet4j.jar} process unless its launch says otherwise. */
    public static final String RAET_HEAP = "-Xmx512m";
    /** Heap of a tool process. */
    public static final String TOOL_HEAP = "-Xmx128m";

    private static final Set<Process> LIVE = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final AtomicInteger CREATED = new AtomicInteger();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(Fleet::killAllLive, "r4j-fleet-cleanup"));
    }

    private final Path workDir;
    private final List<RaetProcess> processes = new ArrayList<>();
    private final Map<String, Integer> startsByLabel = new HashMap<>();
    private boolean isClosed;

    /**
     * A fleet writing its files in a directory.
     *
     * @param workDir made if absent.
     */
    public Fleet(final Path workDir)
    {
        try
        {
            this.workDir = Files.createDirectories(workDir.toAbsolutePath().normalize());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make " + workDir, ex);
        }
    }

    /**
     * A fleet in a fresh directory {@code NAME-TIMESTAMP-N} under {@code -D}{@value #WORK_DIR_PROPERTY}, or under
     * {@code target/reliability} of the working directory (N counts the fleets this JVM made).
     *
     * @param name of the run, e.g. the test's.
     * @return the fleet.
     */
    public static Fleet create(final String name)
    {
        final String parent = System.getProperty(WORK_DIR_PROPERTY, Path.of("target", "reliability").toString());
        return new Fleet(Path.of(parent, name + "-" + LocalDateTime.now().format(STAMP) + "-" +
            CREATED.incrementAndGet()));
    }

    /**
     * The directory of this run: output of every process, and what {@link #dir(String)} names.
     *
     * @return the absolute path.
     */
    public Path workDir()
    {
        return workDir;
    }

    /**
     * A path in this run's directory for a process to use, e.g. a {@code --keep} or {@code --dir}; not made, the
     * command makes what it needs.
     *
     * @param name of the entry.
     * @return the absolute path.
     */
    public Path dir(final String name)
    {
        return workDir.resolve(name);
    }

    /**
     * Prepare a {@code java -jar raet4j.jar COMMAND} process.
     *
     * @param command {@code send}, {@code recv}, or another command of the jar.
     * @return the launch, to add arguments to and start.
     */
    public Launch raet(final String command)
    {
        return new Launch(this, command, null);
    }

    /**
     * Prepare a process running a main class of this module, such as {@link UdpProxy} or {@link UdpProbe}.
     *
     * @param mainClass with a {@code main} method.
     * @return the launch, to add arguments to and start.
     */
    public Launch java(final Class<?> mainClass)
    {
        return new Launch(this, null, mainClass.getName());
    }

    /**
     * Every process started, running or not.
     *
     * @return a copy, in the order started.
     */
    public synchronized List<RaetProcess> processes()
    {
        return List.copyOf(processes);
    }

    /**
     * Kill every process still running and wait for each. Idempotent.
     */
    @Override
    public void close()
    {
        final List<RaetProcess> toClose;
        synchronized (this)
        {
            isClosed = true;
            toClose = new ArrayList<>(processes);
        }
        for (final RaetProcess process : toClose)
        {
            process.process().destroyForcibly();
        }
        for (final RaetProcess process : toClose)
        {
            process.close();
            LIVE.remove(process.process());
        }
    }

    RaetProcess start(final Launch launch)
    {
        final String label;
        final int start;
        synchronized (this)
        {
            if (isClosed)
            {
                throw new IllegalStateException("fleet closed");
            }
            start = startsByLabel.merge(launch.label, 1, Integer::sum);
            label = 1 == start ? launch.label : launch.label + "." + start;
        }
        final List<String> command = launch.commandLine();
        final Path stdout = workDir.resolve(label + ".out");
        final Path stderr = workDir.resolve(label + ".err");
        try
        {
            Files.writeString(workDir.resolve(label + ".cmd"), String.join(" ", command) + "\n",
                StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            final RaetProcess started = new RaetProcess(this, launch, label, command, process, stdout, stderr);
            synchronized (this)
            {
                processes.add(started);
                if (isClosed)
                {
                    started.close();
                    throw new IllegalStateException("fleet closed while " + label + " started");
                }
            }
            return started;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + label + ": " + String.join(" ", command), ex);
        }
    }

    private static void killAllLive()
    {
        final List<Process> live;
        synchronized (LIVE)
        {
            live = new ArrayList<>(LIVE);
        }
        for (final Process process : live)
        {
            process.destroyForcibly();
        }
        for (final Process process : live)
        {
            try
            {
                process.waitFor(RaetProcess.KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Path classPathOfThisModule()
    {
        final CodeSource source = Fleet.class.getProtectionDomain().getCodeSource();
        if (null == source || null == source.getLocation())
        {
            throw new IllegalStateException("cannot tell where the reliability classes are loaded from");
        }
        try
        {
            return Path.of(source.getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot read the location of the reliability classes", ex);
        }
    }

    /**
     * What to start: a command of {@code raet4j.jar} or a main class, its arguments and JVM options, and where.
     * Kept by the process so {@link RaetProcess#restart()} starts the same again.
     * <p>
     * NOT thread safe: build it on one thread, then {@link #start()}.
     */
    public static final class Launch
    {
        private final Fleet fleet;
        private final String raetCommand;
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private NetworkNamespaces.Host host;
        private String label;

        Launch(final Fleet fleet, final String raetCommand, final String mainClass)
        {
            this.fleet = fleet;
            this.raetCommand = raetCommand;
            this.mainClass = mainClass;
            this.label = null != raetCommand ? raetCommand : mainClass.substring(mainClass.lastIndexOf('.') + 1);
        }

        /**
         * Add arguments after the command or main class.
         *
         * @param arguments in order.
         * @return this for a fluent API.
         */
        public Launch args(final String... arguments)
        {
            args.addAll(List.of(arguments));
            return this;
        }

        /**
         * Add JVM options, e.g. {@code -Draet4j.join.timeout.ns=5000000000}.
         *
         * @param options in order, after the default heap size (a later {@code -Xmx} wins).
         * @return this for a fluent API.
         */
        public Launch jvmOptions(final String... options)
        {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Run inside a host of a {@link NetworkNamespaces} set.
         *
         * @param host to run in.
         * @return this for a fluent API.
         */
        public Launch in(final NetworkNamespaces.Host host)
        {
            this.host = host;
            return this;
        }

        /**
         * Name the process and its files; a second start of the same label gets {@code .2}, then {@code .3}.
         *
         * @param label file-name safe, e.g. {@code recv-b}.
         * @return this for a fluent API.
         */
        public Launch label(final String label)
        {
            if (!label.matches("[A-Za-z0-9._-]+"))
            {
                throw new IllegalArgumentException("label must be letters, digits, '.', '_' or '-', was '" + label +
                    "'");
            }
            this.label = label;
            return this;
        }

        /**
         * Start the process.
         *
         * @return the running process.
         * @throws IllegalStateException if {@code raet4j.jar} is not built, or the fleet is closed.
         */
        public RaetProcess start()
        {
            return fleet.start(this);
        }

        List<String> commandLine()
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (null != raetCommand)
            {
                command.add(RAET_HEAP);
                command.addAll(jvmOptions);
                command.add("-jar");
                command.add(RaetJar.path().toString());
                command.add(raetCommand);
            }
            else
            {
                command.add(TOOL_HEAP);
                command.addAll(jvmOptions);
                command.add("-cp");
                command.add(classPathOfThisModule().toString());
                command.add(mainClass);
            }
            command.addAll(args);
            return null == host ? command : host.wrap(command);
        }
    }
}
