package io.raet4j.examples;

import io.raet4j.transport.status.StatusFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code stat}: print the counters and the error log of every stack found under a directory, read live from their
 * memory-mapped status files, once or every interval until interrupted.
 * <p>
 * NOT thread safe: runs on the calling thread.
 */
final class StatCommand implements Command
{
    private static final int MAX_ERROR_LINES = 5;


    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return "stat";
    }

    /**
     * {@inheritDoc}
     */
    public String summary()
    {
        return "print live counters and errors of running stacks";
    }

    /**
     * {@inheritDoc}
     */
    public String usage()
    {
        return "usage: java -jar raet4j.jar stat [options]\n" +
            "  --dir DIR            where stacks keep their status directories (default " +
            StatusFile.defaultParentDir() + ")\n" +
            "  --once               print one snapshot and exit (default: refresh until interrupted)\n" +
            "  --interval-seconds S refresh interval (default 1)\n" +
            "  --all                include stacks that are not running (stale heartbeat)\n" +
            "Prints \"label: value\" per counter and the distinct errors of each stack, and last\n" +
            "{\"stacks\":[{\"name\",\"pid\",\"running\",\"counters\":{label: value},\"errors\"}]} " +
            "for the last snapshot.\n";
    }

    /**
     * {@inheritDoc}
     */
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        final Path dir = Path.of(args.string("--dir", StatusFile.defaultParentDir().toString()));
        final boolean once = args.flag("--once");
        final boolean all = args.flag("--all");
        final long intervalNs = args.seconds("--interval-seconds", 1, 0.01, 3_600);
        args.requireAllUsed();

        if (!once)
        {
            StopSignal.install();
        }
        Json json = snapshot(dir, all, out, err);
        while (!once && !StopSignal.isStopRequested())
        {
            final long deadlineNs = System.nanoTime() + intervalNs;
            while (System.nanoTime() < deadlineNs && !StopSignal.isStopRequested())
            {
                // Control plane only: a coarse wait between refreshes is fine here.
                parkMs(Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()) + 1));
            }
            if (!StopSignal.isStopRequested())
            {
                json = snapshot(dir, all, out, err);
            }
        }
        out.println(json);
        return Main.EXIT_OK;
    }

    private static Json snapshot(final Path dir, final boolean all, final PrintStream out, final PrintStream err)
    {
        final long nowMs = System.currentTimeMillis();
        final SimpleDateFormat timeFormat = new SimpleDateFormat("HH:mm:ss");
        final List<Path> files = StatusFile.Reader.find(dir);
        out.println("== " + timeFormat.format(new Date(nowMs)) + " " + dir + ": " + files.size() + " status files");
        final Json json = new Json().beginArray("stacks");
        int shown = 0;
        for (final Path file : files)
        {
            final StackStatus status;
            try (StatusFile.Reader reader = StatusFile.Reader.open(file))
            {
                status = StackStatus.read(reader, nowMs, timeFormat);
            }
            catch (final RuntimeException ex)
            {
                // The owner may be creating or deleting it right now; say so and go on with the others.
                err.println("raet4j stat: skipped " + file + ": " + Main.oneLine(ex));
                continue;
            }
            if (!status.running && !all)
            {
                continue;
            }
            shown++;
            status.print(out, file);
            status.write(json, file);
        }
        if (0 == shown)
        {
            out.println("no running stacks under " + dir);
        }
        out.flush();
        return json.endArray();
    }

    private static void parkMs(final long ms)
    {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /**
     * What one status file said, read in one go so that a file vanishing half way leaves no partial output.
     */
    private static final class StackStatus
    {
        private final List<String> labels = new ArrayList<>();
        private final List<Long> values = new ArrayList<>();
        private final List<String> errorLines = new ArrayList<>();
        private String name;
        private long pid;
        private boolean running;
        private int errors;

        static StackStatus read(final StatusFile.Reader reader, final long nowMs, final SimpleDateFormat timeFormat)
        {
            final StackStatus status = new StackStatus();
            status.name = reader.stackName();
            status.pid = reader.pid();
            status.running = reader.isRunning(nowMs);
            final CountersReader counters = reader.countersReader();
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                status.labels.add(label);
                status.values.add(counters.getCounterValue(counterId));
            });
            status.errors = reader.readErrors((count, firstMs, lastMs, text) ->
            {
                if (status.errorLines.size() < MAX_ERROR_LINES)
                {
                    final int newline = text.indexOf('\n');
                    status.errorLines.add("error x" + count + " (last " + timeFormat.format(new Date(lastMs)) +
                        "): " + (newline < 0 ? text : text.substring(0, newline)));
                }
            });
            return status;
        }

        void print(final PrintStream out, final Path file)
        {
            out.printf("%s (pid %d, %s) %s%n", name, pid, running ? "running" : "not running", file);
            for (int i = 0; i < labels.size(); i++)
            {
                out.printf("  %-40s %,d%n", labels.get(i) + ":", values.get(i));
            }
            for (final String line : errorLines)
            {
                out.println("  " + line);
            }
            out.println("  distinct errors: " + errors);
        }

        void write(final Json json, final Path file)
        {
            json.beginObject(null)
                .put("name", name)
                .put("pid", pid)
                .put("running", running)
                .put("file", file.toString())
                .beginObject("counters");
            for (int i = 0; i < labels.size(); i++)
            {
                json.put(labels.get(i), values.get(i));
            }
            json.endObject()
                .put("errors", errors)
                .endObject();
        }
    }
}
