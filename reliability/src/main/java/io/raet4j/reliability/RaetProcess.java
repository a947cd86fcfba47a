package io.raet4j.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM of a {@link Fleet}: a {@code raet4j.jar} command ({@code send}, {@code recv}, ...) or a tool of this
 * module, started on this host or inside a {@link NetworkNamespaces.Host}. Its standard output and error go to files
 * in the fleet's directory ({@code LABEL.out}, {@code LABEL.err}, the command line in {@code LABEL.cmd}), kept for
 * reading after the run; the waits here read the output file as it grows.
 * <p>
 * A test can wait for a line ({@link #awaitLine(String, Duration)}), for the exit and its last JSON line
 * ({@link #awaitResult(Duration)}), stop and continue the process ({@link #pause()}, {@link #resume()}), kill it as a
 * crash would ({@link #kill()}), stop it as an operator would ({@link #terminate(Duration)}), and start it again with
 * the same arguments ({@link #restart()}), so a {@code --keep} directory carries its identity over.
 * <p>
 * Thread safe: reads of the output are under this object's lock.
 */
public final class RaetProcess implements AutoCloseable
{
    /** Longest wait for a process to end after SIGKILL. */
    public static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** Exit status a JVM killed by SIGKILL reports. */
    public static final int SIGKILL_EXIT_STATUS = 128 + 9;
    /** Exit status a JVM ended by SIGTERM reports, also when its shutdown hooks let it finish cleanly. */
    public static final int SIGTERM_EXIT_STATUS = 128 + 15;
    private static final int TRANSCRIPT_LINES = 60;
    private static final int READ_CHUNK_BYTES = 64 * 1024;

    private final Fleet fleet;
    private final Fleet.Launch launch;
    private final String label;
    private final List<String> commandLine;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final OutputStream stdin;
    private final List<String> lines = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_CHUNK_BYTES);
    private byte[] partial = new byte[0];
    private long readOffset;

    RaetProcess(
        final Fleet fleet,
        final Fleet.Launch launch,
        final String label,
        final List<String> commandLine,
        final Process process,
        final Path stdoutFile,
        final Path stderrFile)
    {
        this.fleet = fleet;
        this.launch = launch;
        this.label = label;
        this.commandLine = List.copyOf(commandLine);
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
        this.stdin = process.getOutputStream();
    }

    /**
     * The name of this process in the fleet and of its files.
     *
     * @return e.g. {@code recv-b}, {@code recv-b.2} after a restart.
     */
    public String label()
    {
        return label;
    }

    /**
     * Process id; the JVM's own, also inside a namespace ({@code ip netns exec} execs the command in place).
     *
     * @return the pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * The command line this process was started with.
     *
     * @return the program and its arguments.
     */
    public List<String> commandLine()
    {
        return commandLine;
    }

    /**
     * File holding the standard output.
     *
     * @return the path.
     */
    public Path stdoutFile()
    {
        return stdoutFile;
    }

    /**
     * File holding the standard error.
     *
     * @return the path.
     */
    public Path stderrFile()
    {
        return stderrFile;
    }

    /**
     * Whether the process is still running (a paused process is).
     *
     * @return true until it exits.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Whether the process is stopped by a signal, as {@link #pause()} leaves it.
     *
     * @return true if its state in {@code /proc} is stopped.
     */
    public boolean isPaused()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            final int afterName = stat.lastIndexOf(')');
            return afterName > 0 && afterName + 2 < stat.length() && 'T' == stat.charAt(afterName + 2);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * The complete lines of standard output so far.
     *
     * @return a copy, in order.
     */
    public synchronized List<String> lines()
    {
        refresh();
        return List.copyOf(lines);
    }

    /**
     * Wait for a line of standard output in which a regular expression is found.
     *
     * @param regex   to find in a line.
     * @param timeout longest wait.
     * @return the first such line.
     * @throws AssertionError if none comes in time, or the process exits without printing one.
     */
    public String awaitLine(final String regex, final Duration timeout)
    {
        return awaitMatch(Pattern.compile(regex), 0, timeout).group();
    }

    /**
     * Wait for a line of standard output, from a mark on, in which a pattern is found.
     *
     * @param pattern  to find in a line.
     * @param fromLine index of the first line to look at, e.g. the size of {@link #lines()} taken earlier.
     * @param timeout  longest wait.
     * @return the match, to read groups from; {@code group()} is the matched part.
     * @throws AssertionError if none comes in time, or the process exits without printing one.
     */
    public Matcher awaitMatch(final Pattern pattern, final int fromLine, final Duration timeout)
    {
        final Matcher[] found = new Matcher[1];
        final int[] next = {fromLine};
        final boolean isFound = Await.holdsWithin(() ->
        {
            synchronized (this)
            {
                final boolean isEnded = !process.isAlive();
                refresh();
                for (; next[0] < lines.size(); next[0]++)
                {
                    final Matcher matcher = pattern.matcher(lines.get(next[0]));
                    if (matcher.find())
                    {
                        found[0] = matcher;
                        return true;
                    }
                }
                if (isEnded)
                {
                    throw new AssertionError(label + " exited with status " + process.exitValue() +
                        " without printing a line matching '" + pattern + "'\n" + transcript());
                }
                return false;
            }
        }, timeout);
        if (!isFound)
        {
            throw new AssertionError("no line matching '" + pattern + "' from " + label + " within " + timeout +
                "\n" + transcript());
        }
        return found[0];
    }

    /**
     * Wait for the process to exit.
     *
     * @param timeout longest wait.
     * @return its exit status.
     * @throws AssertionError if it is still running after the timeout.
     */
    public int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                throw new AssertionError(label + " still running after " + timeout + "\n" + transcript());
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + label, ex);
        }
    }

    /**
     * Wait for the process to exit, and read the JSON result it printed last.
     *
     * @param timeout longest wait for the exit.
     * @return the result.
     * @throws AssertionError if it does not exit in time or its last line is not a JSON object.
     */
    public JsonObject awaitResult(final Duration timeout)
    {
        awaitExit(timeout);
        return lastJson();
    }

    /**
     * The last non-blank line of standard output, read as a JSON object.
     *
     * @return the object.
     * @throws AssertionError if there is no output or the last line is not a JSON object.
     */
    public synchronized JsonObject lastJson()
    {
        refresh();
        final List<String> candidates = new ArrayList<>(lines);
        if (!process.isAlive() && partial.length > 0)
        {
            candidates.add(new String(partial, StandardCharsets.UTF_8));
        }
        for (int i = candidates.size() - 1; i >= 0; i--)
        {
            if (!candidates.get(i).isBlank())
            {
                try
                {
                    return JsonObject.parse(candidates.get(i));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new AssertionError("last line of " + label + " is not JSON: " + ex.getMessage() + "\n" +
                        transcript(), ex);
                }
            }
        }
        throw new AssertionError("no output from " + label + "\n" + transcript());
    }

    /**
     * Stop the process with SIGSTOP: it holds its sockets and state but runs nothing until {@link #resume()}.
     */
    public void pause()
    {
        signal("STOP");
    }

    /**
     * Continue a paused process with SIGCONT.
     */
    public void resume()
    {
        signal("CONT");
    }

    /**
     * Kill the process with SIGKILL, as a crash would, and wait for it to be gone.
     *
     * @return its exit status, {@value #SIGKILL_EXIT_STATUS} if the kill ended it.
     */
    public int kill()
    {
        process.destroyForcibly();
        return awaitExit(KILL_WAIT);
    }

    /**
     * Ask the process to stop with SIGTERM, as an operator would; the raet4j commands close their stack and print
     * their result, then the JVM exits with {@value #SIGTERM_EXIT_STATUS} whatever the command would have returned.
     *
     * @param timeout longest wait for the exit.
     * @return its exit status, {@value #SIGTERM_EXIT_STATUS} if the signal ended it.
     */
    public int terminate(final Duration timeout)
    {
        if (process.isAlive())
        {
            signal("TERM");
        }
        return awaitExit(timeout);
    }

    /**
     * Start the same command again, with the same arguments (so the same {@code --keep} directory and address), in
     * the same place. Its output goes to new files, {@code LABEL.2.out} and so on.
     *
     * @return the new process.
     * @throws IllegalStateException if this one is still running: kill or terminate it first.
     */
    public RaetProcess restart()
    {
        if (process.isAlive())
        {
            throw new IllegalStateException(label + " is still running (pid " + pid() + "): kill or terminate it " +
                "before restarting");
        }
        return fleet.start(launch);
    }

    /**
     * Write a line to the process's standard input, e.g. a command to a {@link UdpProxy} or {@link UdpProbe}.
     *
     * @param line without its line end.
     * @throws UncheckedIOException if the process no longer reads its input.
     */
    public void send(final String line)
    {
        try
        {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write to " + label + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The end of what the process printed, for failure messages.
     *
     * @return the last lines of standard output and standard error, with the command line.
     */
    public synchronized String transcript()
    {
        refresh();
        final StringBuilder sb = new StringBuilder(4096)
            .append("--- ").append(label).append(" (pid ").append(pid()).append(", ")
            .append(process.isAlive() ? "running" : "exited " + process.exitValue()).append("): ")
            .append(String.join(" ", commandLine)).append('\n')
            .append("--- stdout (").append(stdoutFile).append("), last lines:\n");
        for (int i = Math.max(0, lines.size() - TRANSCRIPT_LINES); i < lines.size(); i++)
        {
            sb.append(lines.get(i)).append('\n');
        }
        sb.append("--- stderr (").append(stderrFile).append("):\n");
        try
        {
            final List<String> errors = Files.readAllLines(stderrFile, StandardCharsets.UTF_8);
            for (int i = Math.max(0, errors.size() - TRANSCRIPT_LINES); i < errors.size(); i++)
            {
                sb.append(errors.get(i)).append('\n');
            }
        }
        catch (final IOException ex)
        {
            sb.append("(unreadable: ").append(ex.getMessage()).append(")\n");
        }
        return sb.toString();
    }

    /**
     * Kill the process if it still runs (SIGKILL, which ends a paused process too) and wait for it. Idempotent.
     */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            stdin.close();
        }
        catch (final IOException ignore)
        {
            // the pipe is gone with the process
        }
    }

    /**
     * The process as tests print it.
     *
     * @return label and pid.
     */
    @Override
    public String toString()
    {
        return label + " (pid " + pid() + ")";
    }

    Process process()
    {
        return process;
    }

    private void signal(final String signal)
    {
        final Exec.Result result = Exec.run(List.of("kill", "-" + signal, Long.toString(pid())));
        if (!result.isOk())
        {
            throw new IllegalStateException("kill -" + signal + " " + label + ": " + result.describe());
        }
    }

    private void refresh()
    {
        try (FileChannel channel = FileChannel.open(stdoutFile, StandardOpenOption.READ))
        {
            while (true)
            {
                readBuffer.clear();
                final int read = channel.read(readBuffer, readOffset);
                if (read <= 0)
                {
                    return;
                }
                readOffset += read;
                split(readBuffer.array(), read);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + stdoutFile, ex);
        }
    }

    private void split(final byte[] bytes, final int length)
    {
        int start = 0;
        for (int i = 0; i < length; i++)
        {
            if ('\n' == bytes[i])
            {
                final byte[] line = new byte[partial.length + i - start];
                System.arraycopy(partial, 0, line, 0, partial.length);
                System.arraycopy(bytes, start, line, partial.length, i - start);
                lines.add(new String(line, StandardCharsets.UTF_8));
                partial = new byte[0];
                start = i + 1;
            }
        }
        if (start < length)
        {
            final byte[] rest = new byte[partial.length + length - start];
            System.arraycopy(partial, 0, rest, 0, partial.length);
            System.arraycopy(bytes, start, rest, partial.length, length - start);
            partial = rest;
        }
    }
}
