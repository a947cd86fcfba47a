package io.raet4j.transport.status;

import io.raet4j.transport.PrivateDirectory;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The stack's memory-mapped status file, {@code status.dat} in the stack's directory: its counters and its
 * distinct error log, readable live by another process through {@link Reader}.
 * <p>
 * Layout, every integer in the platform's native byte order, each region starting on a {@link #PAGE_SIZE} boundary:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Magic 0x52414554 "RAET"                   |  0
 *  +---------------------------------------------------------------+
 *  |                       Layout Version (1)                      |  4
 *  +---------------------------------------------------------------+
 *  |                   Counters Metadata Length                    |  8
 *  +---------------------------------------------------------------+
 *  |                    Counters Values Length                     | 12
 *  +---------------------------------------------------------------+
 *  |                       Error Log Length                        | 16
 *  +---------------------------------------------------------------+
 *  |                           Padding                             | 20
 *  +---------------------------------------------------------------+
 *  |                              PID                              | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Start Timestamp (ms)                      | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Heartbeat Timestamp (ms)                    | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Padding (16 bytes)                     ...  48
 *  +---------------------------------------------------------------+
 *  |                   Stack Name Length (0..60)                   | 64
 *  +---------------------------------------------------------------+
 *  |                 Stack Name, UTF-8 (60 bytes)                 ...  68
 *  +---------------------------------------------------------------+
 *  |              Padding to the page boundary                    ... 128
 *  +---------------------------------------------------------------+
 *  |          Counters Metadata (Counters Metadata Length)        ... PAGE_SIZE
 *  +---------------------------------------------------------------+
 *  |            Counters Values (Counters Values Length)          ...
 *  +---------------------------------------------------------------+
 *  |                  Error Log (Error Log Length)                ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic is written last, with release semantics, so a reader that sees it sees a complete header. The owner
 * updates the heartbeat through {@link #heartbeat(long)}; a reader treats a stack whose heartbeat is older than
 * {@link #HEARTBEAT_TIMEOUT_MS} as not running. A clean {@link #close()} zeroes the heartbeat.
 * <p>
 * Thread safety: the counters manager and {@link #heartbeat(long)} belong to one thread (the conductor); the error
 * log may be written from any thread; the counter values from the threads that own each counter.
 */
public final class StatusFile implements AutoCloseable
{
    /** Name of the file in the stack's directory. */
    public static final String FILE_NAME = "status.dat";
    /** "RAET" in ASCII. */
    public static final int MAGIC = 0x52414554;
    /** Version of this layout; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 1;
    /** Length of the header fields. */
    public static final int HEADER_LENGTH = 128;
    /** Alignment of each region in the file. */
    public static final int PAGE_SIZE = 4096;
    /** A stack whose heartbeat is older than this is not running. */
    public static final long HEARTBEAT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(3);
    /** Longest stack name, in UTF-8 bytes. */
    public static final int MAX_STACK_NAME_LENGTH = 60;

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the counters metadata length. */
    public static final int COUNTERS_METADATA_LENGTH_OFFSET = 8;
    /** Offset of the counters values length. */
    public static final int COUNTERS_VALUES_LENGTH_OFFSET = 12;
    /** Offset of the error log length. */
    public static final int ERROR_LOG_LENGTH_OFFSET = 16;
    /** Offset of the owner's process id. */
    public static final int PID_OFFSET = 24;
    /** Offset of the start timestamp in epoch milliseconds. */
    public static final int START_TIMESTAMP_OFFSET = 32;
    /** Offset of the heartbeat timestamp in epoch milliseconds. */
    public static final int HEARTBEAT_TIMESTAMP_OFFSET = 40;
    /** Offset of the stack name field: an int length followed by the UTF-8 bytes. */
    public static final int STACK_NAME_OFFSET = 64;

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path directory;
    private final Path file;
    private final String stackName;
    private final boolean deleteOnClose;
    private final boolean isDirectoryCreated;
    private final MappedByteBuffer mappedBuffer;
    private final UnsafeBuffer headerBuffer;
    private final CountersManager countersManager;
    private final DistinctErrorLog errorLog;
    private boolean closed;

    private StatusFile(
        final Path directory,
        final String stackName,
        final int countersCapacity,
        final int errorLogLength,
        final EpochClock clock,
        final boolean deleteOnClose,
        final boolean isDirectoryCreated)
    {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
        this.stackName = stackName;
        this.deleteOnClose = deleteOnClose;
        this.isDirectoryCreated = isDirectoryCreated;

        final int valuesLength = countersValuesLength(countersCapacity);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final int alignedErrorLogLength = BitUtil.align(errorLogLength, PAGE_SIZE);
        final long fileLength = (long)PAGE_SIZE + metadataLength + valuesLength + alignedErrorLogLength;
        if (fileLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("status file would be too large: " + fileLength + " bytes");
        }

        mappedBuffer = IoUtil.mapNewFile(file.toFile(), fileLength, false);
        try
        {
            setOwnerOnly(file, OWNER_ONLY_FILE);

            headerBuffer = new UnsafeBuffer(mappedBuffer, 0, HEADER_LENGTH);
            headerBuffer.putInt(VERSION_OFFSET, LAYOUT_VERSION);
            headerBuffer.putInt(COUNTERS_METADATA_LENGTH_OFFSET, metadataLength);
            headerBuffer.putInt(COUNTERS_VALUES_LENGTH_OFFSET, valuesLength);
            headerBuffer.putInt(ERROR_LOG_LENGTH_OFFSET, alignedErrorLogLength);
            headerBuffer.putLong(PID_OFFSET, ProcessHandle.current().pid());
            final long nowMs = clock.time();
            headerBuffer.putLong(START_TIMESTAMP_OFFSET, nowMs);
            headerBuffer.putLong(HEARTBEAT_TIMESTAMP_OFFSET, nowMs);
            final byte[] nameBytes = stackName.getBytes(StandardCharsets.UTF_8);
            headerBuffer.putInt(STACK_NAME_OFFSET, nameBytes.length);
            headerBuffer.putBytes(STACK_NAME_OFFSET + BitUtil.SIZE_OF_INT, nameBytes);

            final int metadataOffset = PAGE_SIZE;
            final int valuesOffset = metadataOffset + metadataLength;
            final int errorLogOffset = valuesOffset + valuesLength;
            countersManager = new CountersManager(
                new UnsafeBuffer(mappedBuffer, metadataOffset, metadataLength),
                new UnsafeBuffer(mappedBuffer, valuesOffset, valuesLength),
                StandardCharsets.US_ASCII);
            errorLog = new DistinctErrorLog(
                new UnsafeBuffer(mappedBuffer, errorLogOffset, alignedErrorLogLength), clock, StandardCharsets.UTF_8);

            headerBuffer.putIntRelease(MAGIC_OFFSET, MAGIC);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mappedBuffer);
            deleteQuietly(file, ex);
            throw ex;
        }
    }

    /**
     * Create the status file of a stack that does not delete it on close. Control plane only.
     *
     * @param dir              the stack's directory; created with its parents, owner-only where POSIX permissions
     *                         are supported; an existing one is used as it is if private (see
     *                         {@link PrivateDirectory}), never chmod-ed.
     * @param stackName        written in the header, at most {@link #MAX_STACK_NAME_LENGTH} UTF-8 bytes.
     * @param countersCapacity least number of counters; rounded up to fill whole pages.
     * @param errorLogLength   least length of the error log in bytes; rounded up to a whole page.
     * @param clock            for the timestamps in the header and the error log.
     * @return the mapped status file.
     * @see #create(Path, String, int, int, EpochClock, boolean)
     */
    public static StatusFile create(
        final Path dir,
        final String stackName,
        final int countersCapacity,
        final int errorLogLength,
        final EpochClock clock)
    {
        return create(dir, stackName, countersCapacity, errorLogLength, clock, false);
    }

    /**
     * Create the status file of a stack. Control plane only.
     * <p>
     * A {@code status.dat} already in the directory is replaced, unless its heartbeat says its stack is still
     * running.
     * <p>
     * The directory is created 0700 with its missing parents (also 0700) where POSIX permissions are supported. An
     * existing directory is never chmod-ed: it is used as it is when owned by the user running this process and not
     * writable by group or others, and refused otherwise, since another user could replace the file in it.
     *
     * @param dir              the stack's directory; created with its parents, owner-only where POSIX permissions
     *                         are supported; an existing one is used as it is if private (see
     *                         {@link PrivateDirectory}), never chmod-ed.
     * @param stackName        written in the header, at most {@link #MAX_STACK_NAME_LENGTH} UTF-8 bytes.
     * @param countersCapacity least number of counters; rounded up to fill whole pages.
     * @param errorLogLength   least length of the error log in bytes; rounded up to a whole page.
     * @param clock            for the timestamps in the header and the error log.
     * @param deleteOnClose    whether {@link #close()} deletes the file, and the directory if this call created it
     *                         and it is left empty.
     * @return the mapped status file.
     * @throws IllegalArgumentException if the name is too long or a length is out of range.
     * @throws IllegalStateException    if a running stack already owns the directory, or an existing directory is
     *                                  owned by another user or writable by group or others.
     * @throws UncheckedIOException     if the directory or the file cannot be created.
     */
    public static StatusFile create(
        final Path dir,
        final String stackName,
        final int countersCapacity,
        final int errorLogLength,
        final EpochClock clock,
        final boolean deleteOnClose)
    {
        if (null == stackName || stackName.getBytes(StandardCharsets.UTF_8).length > MAX_STACK_NAME_LENGTH)
        {
            throw new IllegalArgumentException(
                "stackName must be at most " + MAX_STACK_NAME_LENGTH + " UTF-8 bytes: " + stackName);
        }
        if (countersCapacity <= 0 || countersCapacity > (Integer.MAX_VALUE / CountersReader.METADATA_LENGTH) / 2)
        {
            throw new IllegalArgumentException("countersCapacity out of range: " + countersCapacity);
        }
        if (errorLogLength <= 0 || errorLogLength > Integer.MAX_VALUE / 2)
        {
            throw new IllegalArgumentException("errorLogLength out of range: " + errorLogLength);
        }

        final Path directory = dir.toAbsolutePath();
        final boolean isDirectoryCreated = createOrCheckDirectory(directory);
        removeStaleFile(directory.resolve(FILE_NAME), clock.time());

        return new StatusFile(
            directory, stackName, countersCapacity, errorLogLength, clock, deleteOnClose, isDirectoryCreated);
    }

    /**
     * Where stacks put their directories by default: {@code ${java.io.tmpdir}/raet4j-${user.name}}.
     *
     * @return the default parent directory of stack directories.
     */
    public static Path defaultParentDir()
    {
        return Paths.get(System.getProperty("java.io.tmpdir"), "raet4j-" + System.getProperty("user.name"));
    }

    /**
     * Record that the stack is alive. Called by the owner at least once a second.
     *
     * @param nowMs the current epoch time in milliseconds.
     */
    public void heartbeat(final long nowMs)
    {
        headerBuffer.putLongRelease(HEARTBEAT_TIMESTAMP_OFFSET, nowMs);
    }

    /**
     * The counters, over the mapped metadata and values regions.
     *
     * @return the counters manager.
     */
    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * The distinct error log, over the mapped error log region.
     *
     * @return the error log.
     */
    public DistinctErrorLog errorLog()
    {
        return errorLog;
    }

    /**
     * The mapped file.
     *
     * @return the path of {@code status.dat}.
     */
    public Path file()
    {
        return file;
    }

    /**
     * The stack's directory holding the file.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * The name written in the header.
     *
     * @return the stack name.
     */
    public String stackName()
    {
        return stackName;
    }

    /**
     * Zero the heartbeat so readers see the stack stopped, unmap, and when asked for delete the file and, if
     * {@link #create} made it and it is empty, the directory: one that existed before is never deleted. Idempotent.
     * Counters and the error log must not be used afterwards.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            headerBuffer.putLongRelease(HEARTBEAT_TIMESTAMP_OFFSET, 0);
            IoUtil.unmap(mappedBuffer);
            if (deleteOnClose)
            {
                try
                {
                    Files.deleteIfExists(file);
                    if (isDirectoryCreated)
                    {
                        Files.deleteIfExists(directory);
                    }
                }
                catch (final DirectoryNotEmptyException ignore)
                {
                    // the directory holds someone else's files too: leave it
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("failed to delete status file " + file, ex);
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "StatusFile{file=" + file + ", stackName='" + stackName + "'}";
    }

    private static int countersValuesLength(final int countersCapacity)
    {
        return BitUtil.align(countersCapacity * CountersReader.COUNTER_LENGTH, PAGE_SIZE);
    }

    private static boolean isPosix(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Create the directory 0700, or check an existing one without changing it (see {@link PrivateDirectory}).
     *
     * @return true if this call created the directory.
     */
    private static boolean createOrCheckDirectory(final Path directory)
    {
        final String problem;
        try
        {
            final Path parent = directory.getParent();
            if (isPosix(directory) && null != parent && !Files.isDirectory(parent))
            {
                // parents made for stacks, such as ${java.io.tmpdir}/raet4j-${user.name}, are private too
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PrivateDirectory.PERMISSIONS));
            }
            if (PrivateDirectory.createIfAbsent(directory))
            {
                return true;
            }
            problem = PrivateDirectory.problem(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to create status directory " + directory, ex);
        }

        if (null != problem)
        {
            throw new IllegalStateException("status directory " + directory + " " + problem +
                ": another user could replace its status file; give the stack a status directory of its own, " +
                "one that does not exist yet (it is created 0700) or one only you can write");
        }

        return false;
    }

    private static void setOwnerOnly(final Path path, final Set<PosixFilePermission> permissions)
    {
        if (isPosix(path))
        {
            try
            {
                Files.setPosixFilePermissions(path, permissions);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to restrict permissions of " + path, ex);
            }
        }
    }

    private static void removeStaleFile(final Path file, final long nowMs)
    {
        if (!Files.exists(file))
        {
            return;
        }

        boolean running = false;
        String owner = "";
        try (Reader reader = Reader.open(file))
        {
            running = reader.isRunning(nowMs);
            owner = "stack '" + reader.stackName() + "' pid " + reader.pid();
        }
        catch (final RuntimeException ignore)
        {
            // an unreadable or half-written file is stale by definition
        }

        if (running)
        {
            throw new IllegalStateException("status file in use by a running " + owner + ": " + file);
        }

        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to delete stale status file " + file, ex);
        }
    }

    private static void deleteQuietly(final Path file, final RuntimeException cause)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            cause.addSuppressed(ex);
        }
    }

    /**
     * A read-only view of a status file, for a monitoring process or a tool. Maps the file read-only: it never
     * writes to it, and the owner may delete the file while the view is open.
     * <p>
     * Thread safety: may be used from any one thread at a time.
     */
    public static final class Reader implements AutoCloseable
    {
        private final Path file;
        private final MappedByteBuffer mappedBuffer;
        private final UnsafeBuffer headerBuffer;
        private final CountersReader countersReader;
        private final AtomicBuffer errorLogBuffer;
        private final String stackName;
        private boolean closed;

        private Reader(final Path file, final MappedByteBuffer mappedBuffer)
        {
            this.file = file;
            this.mappedBuffer = mappedBuffer;

            final int fileLength = mappedBuffer.capacity();
            if (fileLength < HEADER_LENGTH)
            {
                throw new IllegalStateException(
                    "not a raet4j status file, " + fileLength + " bytes is shorter than the header: " + file);
            }

            headerBuffer = new UnsafeBuffer(mappedBuffer, 0, HEADER_LENGTH);
            final int magic = headerBuffer.getIntVolatile(MAGIC_OFFSET);
            if (MAGIC != magic)
            {
                throw new IllegalStateException(String.format(
                    "not a raet4j status file (magic 0x%08x, expected 0x%08x), or not yet initialised: %s",
                    magic, MAGIC, file));
            }

            final int version = headerBuffer.getInt(VERSION_OFFSET);
            if (LAYOUT_VERSION != version)
            {
                throw new IllegalStateException(
                    "unsupported status file layout version " + version + ", expected " + LAYOUT_VERSION + ": " + file);
            }

            final int metadataLength = headerBuffer.getInt(COUNTERS_METADATA_LENGTH_OFFSET);
            final int valuesLength = headerBuffer.getInt(COUNTERS_VALUES_LENGTH_OFFSET);
            final int errorLogLength = headerBuffer.getInt(ERROR_LOG_LENGTH_OFFSET);
            final long expectedLength = (long)PAGE_SIZE + metadataLength + valuesLength + errorLogLength;
            if (metadataLength < 0 || valuesLength < 0 || errorLogLength < 0 || expectedLength > fileLength)
            {
                throw new IllegalStateException("corrupt status file, region lengths metadata=" + metadataLength +
                    " values=" + valuesLength + " errorLog=" + errorLogLength + " exceed file length " + fileLength +
                    ": " + file);
            }

            final int nameLength = headerBuffer.getInt(STACK_NAME_OFFSET);
            if (nameLength < 0 || nameLength > MAX_STACK_NAME_LENGTH)
            {
                throw new IllegalStateException("corrupt status file, stack name length " + nameLength + ": " + file);
            }
            stackName = headerBuffer.getStringWithoutLengthUtf8(STACK_NAME_OFFSET + BitUtil.SIZE_OF_INT, nameLength);

            final int valuesOffset = PAGE_SIZE + metadataLength;
            countersReader = new CountersReader(
                new UnsafeBuffer(mappedBuffer, PAGE_SIZE, metadataLength),
                new UnsafeBuffer(mappedBuffer, valuesOffset, valuesLength),
                StandardCharsets.US_ASCII);
            errorLogBuffer = new UnsafeBuffer(mappedBuffer, valuesOffset + valuesLength, errorLogLength);
        }

        /**
         * Map a status file read-only and validate its header. Control plane only.
         *
         * @param statusFileOrDir the {@code status.dat} file, or the stack directory holding it.
         * @return a reader over the file; close it to unmap.
         * @throws IllegalStateException if the file is not a raet4j status file of this layout version.
         * @throws UncheckedIOException  if the file cannot be opened.
         */
        public static Reader open(final Path statusFileOrDir)
        {
            final Path file = Files.isDirectory(statusFileOrDir) ? statusFileOrDir.resolve(FILE_NAME) : statusFileOrDir;
            final MappedByteBuffer mappedBuffer;
            try (FileChannel channel = FileChannel.open(file))
            {
                mappedBuffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to map status file " + file, ex);
            }

            try
            {
                return new Reader(file, mappedBuffer);
            }
            catch (final RuntimeException ex)
            {
                IoUtil.unmap(mappedBuffer);
                throw ex;
            }
        }

        /**
         * Every {@code status.dat} one directory below {@code parentDir}, sorted. Control plane only.
         *
         * @param parentDir holding stack directories, such as {@link StatusFile#defaultParentDir()}.
         * @return the status files found; empty if {@code parentDir} does not exist.
         * @throws UncheckedIOException if the directory cannot be listed.
         */
        public static List<Path> find(final Path parentDir)
        {
            final List<Path> found = new ArrayList<>();
            if (!Files.isDirectory(parentDir))
            {
                return found;
            }

            try (Stream<Path> children = Files.list(parentDir))
            {
                children
                    .filter(Files::isDirectory)
                    .map((dir) -> dir.resolve(FILE_NAME))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .forEach(found::add);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to list " + parentDir, ex);
            }

            return found;
        }

        /**
         * The counters, read live.
         *
         * @return a reader of the counters.
         */
        public CountersReader countersReader()
        {
            return countersReader;
        }

        /**
         * The name of the stack that wrote the file.
         *
         * @return the stack name.
         */
        public String stackName()
        {
            return stackName;
        }

        /**
         * Process id of the owner.
         *
         * @return the owner's pid.
         */
        public long pid()
        {
            return headerBuffer.getLong(PID_OFFSET);
        }

        /**
         * When the owner created the file.
         *
         * @return the start time in epoch milliseconds.
         */
        public long startTimestampMs()
        {
            return headerBuffer.getLong(START_TIMESTAMP_OFFSET);
        }

        /**
         * Last heartbeat of the owner; 0 once it closed cleanly.
         *
         * @return the heartbeat time in epoch milliseconds.
         */
        public long heartbeatTimestampMs()
        {
            return headerBuffer.getLongVolatile(HEARTBEAT_TIMESTAMP_OFFSET);
        }

        /**
         * Whether the owner's heartbeat is at most {@link #HEARTBEAT_TIMEOUT_MS} old.
         *
         * @param nowMs the current epoch time in milliseconds.
         * @return true if the stack is taken to be running.
         */
        public boolean isRunning(final long nowMs)
        {
            final long heartbeatMs = heartbeatTimestampMs();
            return 0 != heartbeatMs && nowMs - heartbeatMs <= HEARTBEAT_TIMEOUT_MS;
        }

        /**
         * Read every distinct error recorded so far.
         *
         * @param consumer given each error with its observation count, first and last timestamps, and text.
         * @return the number of distinct errors read.
         */
        public int readErrors(final ErrorConsumer consumer)
        {
            return ErrorLogReader.read(errorLogBuffer, consumer);
        }

        /**
         * The file read.
         *
         * @return the path of the status file.
         */
        public Path file()
        {
            return file;
        }

        /**
         * Unmap the file. Idempotent.
         */
        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                IoUtil.unmap(mappedBuffer);
            }
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public String toString()
        {
            return "StatusFile.Reader{file=" + file + ", stackName='" + stackName + "'}";
        }
    }
}
