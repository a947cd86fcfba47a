package io.raet4j.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A benchmark peer's server (nats-server, mosquitto) run as a child process on a free loopback port for the length
 * of the pubsub section: found on the {@code PATH} or in the system directories Debian installs daemons to, started
 * with its output going to a log file in a private temporary directory, ready once its port accepts a connection,
 * and stopped (SIGTERM, then SIGKILL) on {@link #close()} or when the JVM exits.
 * <p>
 * Threading: control plane only, one thread.
 */
final class ServerProcess implements AutoCloseable
{
    private static final String[] SYSTEM_DIRS = { "/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin" };
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int LOG_TAIL_CHARS = 2_000;

    private final String name;
    private final int port;
    private final Path dir;
    private final Path log;
    private final Process process;
    private final Thread killer;
    private boolean isClosed;

    private ServerProcess(
        final String name, final int port, final Path dir, final Path log, final Process process, final Thread killer)
    {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.log = log;
        this.process = process;
        this.killer = killer;
    }

    /**
     * Where an executable is installed.
     *
     * @param executable its file name, e.g. {@code nats-server}.
     * @return its path, or empty if it is not installed.
     */
    static Optional<Path> find(final String executable)
    {
        final List<String> dirs = new ArrayList<>();
        final String path = System.getenv("PATH");
        if (null != path)
        {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(List.of(SYSTEM_DIRS));
        for (final String directory : dirs)
        {
            if (directory.isEmpty())
            {
                continue;
            }
            final Path candidate = Path.of(directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A TCP port on 127.0.0.1 that was free a moment ago.
     *
     * @return the port.
     * @throws IOException if no socket can be bound.
     */
    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * Start a server on a free loopback port and wait until it accepts connections.
     *
     * @param name       for messages and the log file, e.g. {@code nats-server}.
     * @param executable the installed binary.
     * @param command    the arguments after the executable, given the port and the private directory (where a
     *                   configuration file may be written first).
     * @return the running server.
     * @throws IOException if it cannot be started or is not ready within 10 s (the message holds its log's tail).
     */
    static ServerProcess start(final String name, final Path executable, final CommandLine command)
        throws IOException
    {
        final Path dir = Files.createTempDirectory("raet4j-harness-" + name + "-");
        final Path log = dir.resolve(name + ".log");
        final int port = freePort();
        final List<String> args = new ArrayList<>();
        args.add(executable.toString());
        args.addAll(command.arguments(port, dir));
        final Process process = new ProcessBuilder(args)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        final Thread killer = new Thread(process::destroyForcibly, "harness-stop-" + name);
        Runtime.getRuntime().addShutdownHook(killer);
        final ServerProcess server = new ServerProcess(name, port, dir, log, process, killer);
        try
        {
            server.awaitReady();
        }
        catch (final IOException | RuntimeException ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    /**
     * The arguments of a server's command line.
     */
    @FunctionalInterface
    interface CommandLine
    {
        /**
         * The arguments after the executable.
         *
         * @param port the loopback port to listen on.
         * @param dir  the server's private directory, its working directory.
         * @return the arguments.
         * @throws IOException if a configuration file cannot be written.
         */
        List<String> arguments(int port, Path dir) throws IOException;
    }

    private void awaitReady() throws IOException
    {
        final long deadlineNs = System.nanoTime() + READY_TIMEOUT_NS;
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + logTail());
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IOException(name + " did not accept connections on 127.0.0.1:" + port + " within " +
                        TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NS) + " s: " + logTail(), ex);
                }
                try
                {
                    Thread.sleep(20);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException(name + ": interrupted while starting", ie);
                }
            }
        }
    }

    /**
     * The loopback port the server listens on.
     *
     * @return the port.
     */
    int port()
    {
        return port;
    }

    /**
     * The server's name.
     *
     * @return e.g. {@code nats-server}.
     */
    String name()
    {
        return name;
    }

    /**
     * The end of the server's log, for failure messages.
     *
     * @return up to the last 2,000 characters of its output.
     */
    String logTail()
    {
        try
        {
            final String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= LOG_TAIL_CHARS ? text.trim() :
                "..." + text.substring(text.length() - LOG_TAIL_CHARS).trim();
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /**
     * Stop the server (SIGTERM, SIGKILL after 5 s) and delete its directory. Idempotent.
     */
    @Override
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down: the hook runs anyway.
        }
        org.agrona.IoUtil.delete(dir.toFile(), true);
    }

    /**
     * A command line from a function of the port alone, for servers configured by their arguments.
     *
     * @param arguments the arguments for a port.
     * @return the command line.
     */
    static CommandLine ofPort(final IntFunction<List<String>> arguments)
    {
        return (port, dir) -> arguments.apply(port);
    }
}
