package io.raet4j.examples;

import io.raet4j.transactions.StackContext;
import io.raet4j.transport.status.EstateCounterDescriptor;
import io.raet4j.transport.status.StatusFile;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

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
    @Override
    public String name()
    {
        return "stat";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "print live counters and errors of running stacks";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar stat [options]\n" +
            "  --dir DIR            where stacks keep their status directories (default " +
            StatusFile.defaultParentDir() + ")\n" +
            "  --once               print one snapshot and exit (default: refresh until interrupted)\n" +
            "  --interval-seconds S refresh interval (default 1)\n" +
            "  --all                include stacks that are not running (stale heartbeat)\n" +
            "  --estates            list each stack's remote estates instead of its totals: name, id, address,\n" +
            "                       presence (JOINED, UNREACHABLE, DEAD), time since last heard, round trip, and\n" +
            "                       messages offered, delivered, failed, uncertain, received, retransmits\n" +
            "Prints \"label: value\" per counter and the distinct errors of each stack, and last\n" +
            "{\"stacks\":[{\"name\",\"pid\",\"running\",\"counters\":{label: value},\"errors\"}]} " +
            "for the last snapshot;\n" +
            "with --estates {\"stacks\":[{\"name\",\"pid\",\"running\",\"estates\":[{\"name\",\"id\",\"address\"," +
            "\"state\",\"silentMs\",\n" +
            "\"rttUs\",\"offered\",\"delivered\",\"failed\",\"uncertain\",\"received\",\"retransmits\"}]}]} " +
            "(id: 16 hex digits).\n" +
            "A stack lists at most StackContext.estateCountersMax estates (default " +
            StackContext.ESTATE_COUNTERS_MAX_DEFAULT + "; -Draet4j.estate.counters.max).\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        final Path dir = Path.of(args.string("--dir", StatusFile.defaultParentDir().toString()));
        final boolean once = args.flag("--once");
        final boolean all = args.flag("--all");
        final long intervalNs = args.seconds("--interval-seconds", 1, 0.01, 3_600);
        final boolean estates = args.flag("--estates");
        args.requireAllUsed();

        if (!once)
        {
            StopSignal.install();
        }
        Json json = snapshot(dir, all, estates, out, err);
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
                json = snapshot(dir, all, estates, out, err);
            }
        }
        out.println(json);
        return Main.EXIT_OK;
    }

    private static Json snapshot(
        final Path dir, final boolean all, final boolean estates, final PrintStream out, final PrintStream err)
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
            if (estates)
            {
                status.printEstates(out, file);
                status.writeEstates(json, file);
            }
            else
            {
                status.print(out, file);
                status.write(json, file);
            }
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
     * One remote estate's counters, gathered from its counters' keys.
     */
    private static final class EstateRow
    {
        private final long id;
        private final String name;
        private final String address;
        private final long[] values = new long[EstateCounterDescriptor.values().length];

        private EstateRow(final long id, final String name, final String address)
        {
            this.id = id;
            this.name = name;
            this.address = address;
        }

        static EstateRow of(final long id, final DirectBuffer keyBuffer)
        {
            final byte[] bytes = new byte[CountersReader.MAX_KEY_LENGTH - Long.BYTES];
            keyBuffer.getBytes(Long.BYTES, bytes);
            int end = bytes.length;
            while (end > 0 && 0 == bytes[end - 1])
            {
                end--;
            }
            final String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
            final int separator = text.indexOf('\0');
            return separator < 0 ? new EstateRow(id, text, "?") :
                new EstateRow(id, text.substring(0, separator), text.substring(separator + 1));
        }

        long get(final EstateCounterDescriptor descriptor)
        {
            return values[descriptor.ordinal()];
        }

        String state()
        {
            final int state = (int)get(EstateCounterDescriptor.STATE);
            return state >= 0 && state < EstateCounterDescriptor.STATE_NAMES.length ?
                EstateCounterDescriptor.STATE_NAMES[state] : String.valueOf(state);
        }
    }

    /**
     * What one status file said, read in one go so that a file vanishing half way leaves no partial output.
     */
    private static final class StackStatus
    {
        private final List<String> labels = new ArrayList<>();
        private final List<Long> values = new ArrayList<>();
        private final List<String> errorLines = new ArrayList<>();
        private final Map<Long, EstateRow> estates = new LinkedHashMap<>();
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
                final EstateCounterDescriptor descriptor = EstateCounterDescriptor.ofTypeId(typeId);
                if (null == descriptor)
                {
                    status.labels.add(label);
                    status.values.add(counters.getCounterValue(counterId));
                    return;
                }
                final long id = keyBuffer.getLong(0, ByteOrder.LITTLE_ENDIAN);
                final EstateRow row = status.estates.computeIfAbsent(id, (key) -> EstateRow.of(key, keyBuffer));
                row.values[descriptor.ordinal()] = counters.getCounterValue(counterId);
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

        void printEstates(final PrintStream out, final Path file)
        {
            out.printf("%s (pid %d, %s) %s: %d estate%s%n", name, pid, running ? "running" : "not running", file,
                estates.size(), 1 == estates.size() ? "" : "s");
            if (estates.isEmpty())
            {
                return;
            }
            out.printf("  %-20s %-16s %-22s %-11s %9s %9s %10s %10s %8s %9s %10s %11s%n", "estate", "id", "address",
                "state", "silent ms", "rtt us", "offered", "delivered", "failed", "uncertain", "received",
                "retransmits");
            for (final EstateRow row : estates.values())
            {
                out.printf("  %-20s %-16s %-22s %-11s %,9d %,9d %,10d %,10d %,8d %,9d %,10d %,11d%n", row.name,
                    Main.id(row.id), row.address, row.state(), row.get(EstateCounterDescriptor.SILENT_MS),
                    row.get(EstateCounterDescriptor.RTT_US), row.get(EstateCounterDescriptor.MESSAGES_OFFERED),
                    row.get(EstateCounterDescriptor.MESSAGES_DELIVERED),
                    row.get(EstateCounterDescriptor.MESSAGES_FAILED),
                    row.get(EstateCounterDescriptor.MESSAGES_UNCERTAIN),
                    row.get(EstateCounterDescriptor.MESSAGES_RECEIVED),
                    row.get(EstateCounterDescriptor.RETRANSMITS));
            }
        }

        private Json beginStack(final Json json, final Path file)
        {
            return json.beginObject(null)
                .put("name", name)
                .put("pid", pid)
                .put("running", running)
                .put("file", file.toString());
        }

        void writeEstates(final Json json, final Path file)
        {
            beginStack(json, file).beginArray("estates");
            for (final EstateRow row : estates.values())
            {
                json.beginObject(null)
                    .put("name", row.name)
                    .put("id", Main.id(row.id))
                    .put("address", row.address)
                    .put("state", row.state())
                    .put("silentMs", row.get(EstateCounterDescriptor.SILENT_MS))
                    .put("rttUs", row.get(EstateCounterDescriptor.RTT_US))
                    .put("offered", row.get(EstateCounterDescriptor.MESSAGES_OFFERED))
                    .put("delivered", row.get(EstateCounterDescriptor.MESSAGES_DELIVERED))
                    .put("failed", row.get(EstateCounterDescriptor.MESSAGES_FAILED))
                    .put("uncertain", row.get(EstateCounterDescriptor.MESSAGES_UNCERTAIN))
                    .put("received", row.get(EstateCounterDescriptor.MESSAGES_RECEIVED))
                    .put("retransmits", row.get(EstateCounterDescriptor.RETRANSMITS))
                    .endObject();
            }
            json.endArray().endObject();
        }

        void write(final Json json, final Path file)
        {
            beginStack(json, file).beginObject("counters");
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
