package io.raet4j.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java -jar raet4j.jar} child process whose stdout and stderr are collected line by line by two reader
 * threads, so a test can wait, with a deadline, for a line or for the exit. Nothing here sleeps: waits are on a
 * monitor notified by the readers, or on {@link Process#waitFor(long, TimeUnit)}.
 */
final class JarProcess implements AutoCloseable
{
    private final String description;
    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private boolean isOutEnded;
    private final Thread outReader;
    private final Thread errReader;

    private JarProcess(final String description, final Process process)
    {
        this.description = description;
        this.process = process;
        outReader = reader(process.getInputStream(), out, "out", () -> isOutEnded = true);
        errReader = reader(process.getErrorStream(), err, "err", () -> {});
    }

    /**
     * Start {@code java -jar ${raet4j.jar} args...} with the JVM running the tests.
     *
     * @param args command and options.
     * @return the running process.
     */
    static JarProcess start(final String... args)
    {
        return startWithJvmOptions(List.of(), args);
    }

    /**
     * Start {@code java <jvmOptions> -jar ${raet4j.jar} args...} with the JVM running the tests.
     *
     * @param jvmOptions e.g. system properties.
     * @param args       command and options.
     * @return the running process.
     */
    static JarProcess startWithJvmOptions(final List<String> jvmOptions, final String... args)
    {
        final String jar = System.getProperty("raet4j.jar");
        if (null == jar || !Path.of(jar).toFile().isFile())
        {
            throw new IllegalStateException("system property raet4j.jar must name the built jar, was " + jar);
        }
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        try
        {
            return new JarProcess(String.join(" ", args), new ProcessBuilder(command).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A loopback UDP port free a moment ago: bind to port 0, read the port, close.
     *
     * @return {@code 127.0.0.1:port}.
     */
    static String freeLoopbackAddress()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return "127.0.0.1:" + socket.getLocalPort();
        }
        catch (final SocketException | java.net.UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Wait for a stdout line matching a predicate.
     *
     * @param matcher of the line.
     * @param timeout longest wait.
     * @return the first matching line.
     * @throws AssertionError if none arrives in time or the process ends first.
     */
    String awaitLine(final Predicate<String> matcher, final Duration timeout)
    {
        return awaitLines(matcher, 1, timeout);
    }

    /**
     * Wait until a number of stdout lines match a predicate, e.g. the second time a count changes to a value.
     *
     * @param matcher of the lines.
     * @param count   of matching lines to wait for, at least 1.
     * @param timeout longest wait.
     * @return the matching line that made the count.
     * @throws AssertionError if they do not arrive in time or the process ends first.
     */
    String awaitLines(final Predicate<String> matcher, final int count, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (out)
        {
            int checked = 0;
            int matched = 0;
            while (true)
            {
                for (; checked < out.size(); checked++)
                {
                    if (matcher.test(out.get(checked)) && ++matched == count)
                    {
                        return out.get(checked);
                    }
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0 || isOutEnded)
                {
                    throw new AssertionError("no expected line from '" + description + "' within " + timeout +
                        (isOutEnded ? " (output ended)" : "") + "\n" + transcript());
                }
                try
                {
                    out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", ex);
                }
            }
        }
    }

    /**
     * Wait for the process to exit and its output to be read to the end.
     *
     * @param timeout longest wait.
     * @return the exit status.
     * @throws AssertionError if it has not exited in time.
     */
    int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw new AssertionError("'" + description + "' still running after " + timeout + "\n" +
                    transcript());
            }
            outReader.join(TimeUnit.SECONDS.toMillis(10));
            errReader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * The last stdout line, parsed as a JSON object.
     *
     * @return the object.
     * @throws AssertionError if there is no output or the last line is not a JSON object.
     */
    Map<String, Object> lastJson()
    {
        final String line = lastLine();
        try
        {
            return JsonParser.parseObject(line);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AssertionError("last line is not JSON: " + ex.getMessage() + "\n" + transcript(), ex);
        }
    }

    /**
     * The last non-empty stdout line.
     *
     * @return the line.
     */
    String lastLine()
    {
        synchronized (out)
        {
            for (int i = out.size() - 1; i >= 0; i--)
            {
                if (!out.get(i).isBlank())
                {
                    return out.get(i);
                }
            }
        }
        throw new AssertionError("no output from '" + description + "'\n" + transcript());
    }

    /**
     * All of stdout so far.
     *
     * @return the lines joined with newlines.
     */
    String stdout()
    {
        synchronized (out)
        {
            return String.join("\n", out);
        }
    }

    /**
     * What the process printed so far, for failure messages.
     *
     * @return stdout and stderr.
     */
    String transcript()
    {
        final String stderr;
        synchronized (err)
        {
            stderr = String.join("\n", err);
        }
        return "--- stdout of '" + description + "':\n" + stdout() + "\n--- stderr:\n" + stderr;
    }

    /**
     * Process id of the child.
     *
     * @return the pid.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * Send a POSIX signal to the process, e.g. STOP or CONT.
     *
     * @param signal name without the SIG prefix.
     */
    void signal(final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new AssertionError("kill -" + signal + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * Hold for a duration while the process cannot exit (it is stopped): returns false after the duration.
     *
     * @param duration to hold.
     * @return true if the process exited meanwhile, which a stopped process cannot.
     */
    boolean exitsWithin(final java.time.Duration duration)
    {
        try
        {
            return process.waitFor(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /**
     * Kill the process with SIGKILL, as a crash would.
     */
    void kill()
    {
        process.destroyForcibly();
    }

    /**
     * Kill the process if still running and wait for it. Idempotent.
     */
    @Override
    public void close()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread reader(
        final InputStream stream, final List<String> lines, final String name, final Runnable onEnd)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process was killed and its pipe closed: nothing more to read
            }
            finally
            {
                synchronized (lines)
                {
                    onEnd.run();
                    lines.notifyAll();
                }
            }
        }, "jar-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
