package io.raet4j.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The memory of a running JVM, read from outside without attaching to it, so that a process stopped by SIGSTOP can
 * be read as well as a running one, and nothing is started for a sample: the resident set size from
 * {@code /proc/PID/status} ({@code VmRSS}, and its anonymous part {@code RssAnon}, which leaves out the pages of mapped
 * files such as the command line's ledgers and status file), and the Java heap in use and committed from the JVM's
 * own performance counters ({@code hsperfdata}, the memory-mapped file {@code jstat} reads: the sum of the {@code used} and
 * {@code capacity} counters of every space of every heap generation, as {@code jstat -gc} adds them up). The file is
 * looked for through {@code /proc/PID/root}, so a JVM in another mount namespace (as {@code ip netns exec} makes) is
 * found too.
 * <p>
 * The hsperfdata layout read here (HotSpot's {@code PerfDataPrologue} and {@code PerfDataEntry}):
 * <pre>
 * prologue: magic 0xcafec0c0 (big-endian) | byte order (0 big, 1 little) | major | minor | accessible |
 *           used:int | overflow:int | modTimeStamp:long | entryOffset:int (at 24) | numEntries:int (at 28)
 * entry:    entryLength:int | nameOffset:int | vectorLength:int | dataType:byte ('J' long) | flags | units |
 *           variability | dataOffset:int (at 16); name NUL-terminated at entry + nameOffset, value at
 *           entry + dataOffset
 * </pre>
 *
 * @param rssBytes           resident set size, -1 if unknown.
 * @param rssAnonBytes       anonymous part of the resident set (heap, stacks, direct buffers), -1 if unknown.
 * @param heapUsedBytes      Java heap in use, -1 if unknown.
 * @param heapCommittedBytes Java heap committed (capacity of the spaces), -1 if unknown.
 */
public record ProcessMemory(long rssBytes, long rssAnonBytes, long heapUsedBytes, long heapCommittedBytes)
{
    private static final int MAGIC = 0xCAFEC0C0;
    private static final int BYTE_ORDER_OFFSET = 4;
    private static final int ENTRY_OFFSET_OFFSET = 24;
    private static final int ENTRY_COUNT_OFFSET = 28;
    private static final int ENTRY_NAME_OFFSET = 4;
    private static final int ENTRY_VECTOR_LENGTH = 8;
    private static final int ENTRY_TYPE = 12;
    private static final int ENTRY_DATA_OFFSET = 16;
    private static final String GENERATION = "sun.gc.generation.";
    private static final String USED = ".used";
    private static final String CAPACITY = ".capacity";

    /**
     * Read a process's memory now.
     *
     * @param pid of a JVM.
     * @return what could be read; fields that could not are -1 (the process is gone, or runs without
     * {@code -XX:+UsePerfData}).
     */
    public static ProcessMemory of(final long pid)
    {
        final long[] rss = rssBytes(pid);
        final long[] heap = heapBytes(pid);
        return new ProcessMemory(rss[0], rss[1], heap[0], heap[1]);
    }

    /**
     * The resident set size of a process, whole and its anonymous part.
     *
     * @param pid of any process.
     * @return {VmRSS, RssAnon} in bytes, each -1 if unknown (the process is gone).
     */
    public static long[] rssBytes(final long pid)
    {
        final long[] rss = {-1, -1};
        try
        {
            final List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"),
                StandardCharsets.US_ASCII);
            for (final String line : lines)
            {
                if (line.startsWith("VmRSS:"))
                {
                    rss[0] = kibibytes(line);
                }
                else if (line.startsWith("RssAnon:"))
                {
                    rss[1] = kibibytes(line);
                }
            }
            return rss;
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[]{-1, -1};
        }
    }

    /**
     * The heap of a JVM from its performance counters.
     *
     * @param pid of a JVM.
     * @return {used, committed} in bytes, each -1 if unknown.
     */
    public static long[] heapBytes(final long pid)
    {
        final Path file = perfDataFile(pid);
        if (null == file)
        {
            return new long[]{-1, -1};
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            if (buffer.limit() < ENTRY_COUNT_OFFSET + Integer.BYTES ||
                MAGIC != buffer.order(ByteOrder.BIG_ENDIAN).getInt(0))
            {
                return new long[]{-1, -1};
            }
            buffer.order(0 == buffer.get(BYTE_ORDER_OFFSET) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long used = 0;
            long committed = 0;
            boolean isFound = false;
            int entry = buffer.getInt(ENTRY_OFFSET_OFFSET);
            final int entries = buffer.getInt(ENTRY_COUNT_OFFSET);
            for (int i = 0; i < entries && entry > 0 && entry + ENTRY_DATA_OFFSET + Integer.BYTES <= buffer.limit();
                i++)
            {
                final int length = buffer.getInt(entry);
                if (length <= 0)
                {
                    break;
                }
                if ('J' == buffer.get(entry + ENTRY_TYPE) && 0 == buffer.getInt(entry + ENTRY_VECTOR_LENGTH))
                {
                    final String name = name(buffer, entry + buffer.getInt(entry + ENTRY_NAME_OFFSET));
                    if (name.startsWith(GENERATION) && name.contains(".space."))
                    {
                        final int data = entry + buffer.getInt(entry + ENTRY_DATA_OFFSET);
                        if (data >= 0 && data + Long.BYTES <= buffer.limit())
                        {
                            if (name.endsWith(USED))
                            {
                                used += buffer.getLong(data);
                                isFound = true;
                            }
                            else if (name.endsWith(CAPACITY))
                            {
                                committed += buffer.getLong(data);
                            }
                        }
                    }
                }
                entry += length;
            }
            return isFound ? new long[]{used, committed} : new long[]{-1, -1};
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[]{-1, -1};
        }
    }

    private static long kibibytes(final String statusLine)
    {
        final String[] parts = statusLine.substring(statusLine.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024L;
    }

    private static Path perfDataFile(final long pid)
    {
        final String name = Long.toString(pid);
        final Path tmp = Path.of("/proc", name, "root", "tmp");
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*"))
        {
            for (final Path dir : dirs)
            {
                final Path file = dir.resolve(name);
                if (Files.isRegularFile(file))
                {
                    return file;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
        return null;
    }

    private static String name(final ByteBuffer buffer, final int offset)
    {
        int end = offset;
        while (end < buffer.limit() && 0 != buffer.get(end))
        {
            end++;
        }
        final byte[] bytes = new byte[end - offset];
        buffer.get(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
