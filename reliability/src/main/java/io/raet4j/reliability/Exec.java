package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short external command ({@code ip}, {@code kill}, {@code id}) to completion with a bound on its time, its
 * output collected in temporary files so a chatty or hung command can neither block on a full pipe nor hang the
 * caller.
 * <p>
 * Thread safe: no state.
 */
public final class Exec
{
    /** Bound on a command that should take milliseconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private Exec()
    {
    }

    /**
     * What a command did.
     *
     * @param command  that ran.
     * @param exitCode its exit status.
     * @param stdout   its standard output.
     * @param stderr   its standard error.
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr)
    {
        /**
         * Whether the command succeeded.
         *
         * @return true for exit status 0.
         */
        public boolean isOk()
        {
            return 0 == exitCode;
        }

        /**
         * The command, its status and its output in one line, for failure messages.
         *
         * @return the description.
         */
        public String describe()
        {
            return "'" + String.join(" ", command) + "' exited " + exitCode +
                (stderr.isBlank() ? "" : ": " + stderr.strip().replace('\n', ' ')) +
                (stdout.isBlank() ? "" : " (stdout: " + stdout.strip().replace('\n', ' ') + ")");
        }
    }

    /**
     * Run a command to completion within {@link #DEFAULT_TIMEOUT}.
     *
     * @param command and its arguments.
     * @return what it did, whatever its exit status.
     * @throws IllegalStateException if it cannot start or does not end in time (it is killed).
     */
    public static Result run(final List<String> command)
    {
        return run(command, DEFAULT_TIMEOUT);
    }

    /**
     * Run a command to completion.
     *
     * @param command and its arguments.
     * @param timeout longest wait; the command is killed after it.
     * @return what it did, whatever its exit status.
     * @throws IllegalStateException if it cannot start or does not end in time.
     */
    public static Result run(final List<String> command, final Duration timeout)
    {
        Path out = null;
        Path err = null;
        try
        {
            out = Files.createTempFile("r4j-exec-", ".out");
            err = Files.createTempFile("r4j-exec-", ".err");
            final Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not end within " + timeout);
            }
            return new Result(List.copyOf(command), process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run '" + String.join(" ", command) + "': " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", ex);
        }
        finally
        {
            deleteIfExists(out);
            deleteIfExists(err);
        }
    }

    /**
     * Run a command that must succeed.
     *
     * @param command and its arguments.
     * @return its standard output.
     * @throws IllegalStateException if it fails, cannot start or does not end in time.
     */
    public static String check(final String... command)
    {
        final Result result = run(List.of(command));
        if (!result.isOk())
        {
            throw new IllegalStateException(result.describe());
        }
        return result.stdout();
    }

    private static void deleteIfExists(final Path path)
    {
        if (null != path)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
