package io.raet4j.transport.status;

import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatusFileTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path tempDir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void after()
    {
        // counters before the file that maps them: touching unmapped memory crashes the JVM
        Collections.reverse(closeables);
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldShowCountersWrittenByTheOwnerToAReaderOfTheSameFile()
    {
        final StatusFile statusFile = create(tempDir.resolve("stack-a"), "stack-a", false);
        final CounterSet<TransportCounterDescriptor> counters =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        closeables.add(counters);
        final StatusFile.Reader reader = open(statusFile.directory());

        counters.get(TransportCounterDescriptor.BYTES_SENT).getAndAdd(1408);
        counters.get(TransportCounterDescriptor.PACKETS_SENT).increment();

        assertEquals(1408, valueOf(reader.countersReader(), TransportCounterDescriptor.BYTES_SENT));
        assertEquals(1, valueOf(reader.countersReader(), TransportCounterDescriptor.PACKETS_SENT));
        assertEquals(0, valueOf(reader.countersReader(), TransportCounterDescriptor.BYTES_RECEIVED));

        counters.get(TransportCounterDescriptor.BYTES_SENT).getAndAdd(1);
        assertEquals(1409, valueOf(reader.countersReader(), TransportCounterDescriptor.BYTES_SENT));

        final List<String> labels = new ArrayList<>();
        reader.countersReader().forEach((counterId, typeId, keyBuffer, label) -> labels.add(label));
        assertEquals(TransportCounterDescriptor.values().length, labels.size());
        assertEquals(TransportCounterDescriptor.BYTES_RECEIVED.label(), labels.get(0));
    }

    @Test
    void shouldExposeTheHeaderToAReader()
    {
        final StatusFile statusFile = create(tempDir.resolve("s"), "estate-\u00e9-7", false);
        final StatusFile.Reader reader = open(statusFile.file());

        assertEquals("estate-\u00e9-7", reader.stackName());
        assertEquals(ProcessHandle.current().pid(), reader.pid());
        assertEquals(START_MS, reader.startTimestampMs());
        assertEquals(START_MS, reader.heartbeatTimestampMs());
        assertEquals(statusFile.file(), reader.file());
        assertEquals(StatusFile.FILE_NAME, statusFile.file().getFileName().toString());
    }

    @Test
    void shouldReadBackRecordedErrorsWithTheirObservationCount()
    {
        final StatusFile statusFile = create(tempDir.resolve("errors"), "errors", false);
        final CounterSet<TransportCounterDescriptor> counters =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        closeables.add(counters);
        final ByteArrayOutputStream fallback = new ByteArrayOutputStream();
        final CountingErrorHandler errorHandler = new CountingErrorHandler(
            statusFile.errorLog(), counters.get(TransportCounterDescriptor.ERRORS), new PrintStream(fallback, true));

        final IllegalStateException repeated = new IllegalStateException("socket went away");
        errorHandler.onError(repeated);
        clock.advance(10);
        errorHandler.onError(repeated);
        errorHandler.onError(repeated);
        errorHandler.onError(new IllegalArgumentException("bad frame"));

        final StatusFile.Reader reader = open(statusFile.directory());
        final List<String> read = new ArrayList<>();
        final int distinct = reader.readErrors(
            (observationCount, firstTimestamp, lastTimestamp, encodedException) ->
                read.add(observationCount + " " + (lastTimestamp - firstTimestamp) + " " + encodedException));

        assertEquals(2, distinct);
        assertTrue(read.get(0).startsWith("3 10 "), read.get(0));
        assertTrue(read.get(0).contains("socket went away"), read.get(0));
        assertTrue(read.get(1).startsWith("1 0 "), read.get(1));
        assertTrue(read.get(1).contains("bad frame"), read.get(1));
        assertEquals(4, valueOf(reader.countersReader(), TransportCounterDescriptor.ERRORS));
        assertEquals(0, fallback.size());
    }

    @Test
    void shouldPrintErrorsToTheFallbackStreamOnceTheLogIsFull()
    {
        clock.update(START_MS);
        final StatusFile statusFile = StatusFile.create(tempDir.resolve("full"), "full", 64, 4096, clock);
        closeables.add(statusFile);
        final CounterSet<TransportCounterDescriptor> counters =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        closeables.add(counters);
        final ByteArrayOutputStream fallback = new ByteArrayOutputStream();
        final CountingErrorHandler errorHandler = new CountingErrorHandler(
            statusFile.errorLog(), counters.get(TransportCounterDescriptor.ERRORS), new PrintStream(fallback, true));
        final String bulk = "x".repeat(1500);

        for (int i = 0; i < 10; i++)
        {
            errorHandler.onError(new IllegalStateException("error " + i + " " + bulk));
        }

        assertEquals(10, counters.get(TransportCounterDescriptor.ERRORS).get());
        final String printed = fallback.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("error log full"), printed);
        assertTrue(printed.contains("error 9 "), printed);
    }

    @Test
    void shouldNeverThrowFromTheErrorHandler()
    {
        final StatusFile statusFile = create(tempDir.resolve("never"), "never", false);
        final CounterSet<TransportCounterDescriptor> counters =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        final ByteArrayOutputStream fallback = new ByteArrayOutputStream();
        final CountingErrorHandler errorHandler = new CountingErrorHandler(
            statusFile.errorLog(), counters.get(TransportCounterDescriptor.ERRORS), new PrintStream(fallback, true));
        counters.close();

        errorHandler.onError(new IllegalStateException("after the counters closed"));
        errorHandler.onError(null);

        assertTrue(fallback.toString(StandardCharsets.UTF_8).contains("failed to record error"));
    }

    @Test
    void shouldReportRunningOnlyWhileTheHeartbeatIsAtMostThreeSecondsOld()
    {
        final StatusFile statusFile = create(tempDir.resolve("hb"), "hb", false);
        final StatusFile.Reader reader = open(statusFile.directory());

        statusFile.heartbeat(START_MS + 10_000);
        assertEquals(START_MS + 10_000, reader.heartbeatTimestampMs());
        assertTrue(reader.isRunning(START_MS + 10_000));
        assertTrue(reader.isRunning(START_MS + 13_000));
        assertFalse(reader.isRunning(START_MS + 13_001));

        statusFile.close();
        assertEquals(0, reader.heartbeatTimestampMs());
        assertFalse(reader.isRunning(START_MS + 10_000));
    }

    @Test
    void shouldRefuseToReplaceTheFileOfARunningStackButReplaceAStaleOne()
    {
        final Path dir = tempDir.resolve("owned");
        final StatusFile first = create(dir, "first", false);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> create(dir, "second", false));
        assertTrue(ex.getMessage().contains("first"), ex.getMessage());

        clock.advance(StatusFile.HEARTBEAT_TIMEOUT_MS + 1);
        final StatusFile second = create(dir, "second", false);
        assertEquals("second", open(dir).stackName());
        assertNotNull(first);
        assertNotNull(second);
    }

    @Test
    void shouldRejectAFileWithBadMagicWithAClearMessage() throws Exception
    {
        final Path file = tempDir.resolve("bogus.dat");
        Files.write(file, new byte[8192]);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> StatusFile.Reader.open(file));
        assertTrue(ex.getMessage().contains("magic"), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());

        final Path shortFile = tempDir.resolve("short.dat");
        Files.write(shortFile, new byte[10]);
        final IllegalStateException shortEx =
            assertThrows(IllegalStateException.class, () -> StatusFile.Reader.open(shortFile));
        assertTrue(shortEx.getMessage().contains("shorter than the header"), shortEx.getMessage());
    }

    @Test
    void shouldRejectAnotherLayoutVersionWithAClearMessage() throws Exception
    {
        final Path file = tempDir.resolve("v2.dat");
        final ByteBuffer bytes = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
        bytes.putInt(StatusFile.MAGIC_OFFSET, StatusFile.MAGIC);
        bytes.putInt(StatusFile.VERSION_OFFSET, 2);
        Files.write(file, bytes.array());

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> StatusFile.Reader.open(file));
        assertTrue(ex.getMessage().contains("version 2"), ex.getMessage());
    }

    @Test
    void shouldDeleteTheFileAndTheDirectoryOnCloseWhenAsked()
    {
        final Path dir = tempDir.resolve("parent").resolve("stack");
        final StatusFile statusFile = StatusFile.create(dir, "gone", 64, 4096, clock, true);
        assertTrue(Files.isRegularFile(statusFile.file()));

        statusFile.close();
        statusFile.close();

        assertFalse(Files.exists(statusFile.file()));
        assertFalse(Files.exists(dir));
        assertTrue(Files.isDirectory(tempDir.resolve("parent")));
    }

    @Test
    void shouldKeepTheFileOnCloseByDefaultAndTheDirectoryWhenNotEmpty() throws Exception
    {
        final Path dir = tempDir.resolve("kept");
        final StatusFile kept = StatusFile.create(dir, "kept", 64, 4096, clock);
        kept.close();
        assertTrue(Files.isRegularFile(kept.file()));

        final StatusFile shared = StatusFile.create(dir, "shared", 64, 4096, clock, true);
        Files.write(dir.resolve("other.txt"), new byte[1]);
        shared.close();
        assertFalse(Files.exists(shared.file()));
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void shouldCreateTheDirectoriesAndTheFileOwnerOnly() throws Exception
    {
        assumeTrue(tempDir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        final Path parent = tempDir.resolve("raet4j-test");
        final StatusFile statusFile = create(parent.resolve("stack"), "perm", false);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(parent)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(statusFile.directory())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(statusFile.file())));
    }

    @Test
    void shouldUseAnExistingPrivateDirectoryAsItIsAndNotDeleteItOnClose() throws Exception
    {
        assumeTrue(tempDir.getFileSystem().supportedFileAttributeViews().contains("unix"));
        final Path dir = Files.createDirectory(tempDir.resolve("given"));
        Files.setAttribute(dir, "unix:mode", 0755);

        final StatusFile statusFile = StatusFile.create(dir, "given", 64, 4096, clock, true);
        assertEquals(0755, mode(dir));
        statusFile.close();

        assertFalse(Files.exists(statusFile.file()));
        assertTrue(Files.isDirectory(dir), "a directory the stack did not create is not deleted");
        assertEquals(0755, mode(dir));
    }

    @Test
    void shouldRefuseAnExistingDirectoryOthersCanWriteAndLeaveItsModeAlone() throws Exception
    {
        assumeTrue(tempDir.getFileSystem().supportedFileAttributeViews().contains("unix"));
        final Path dir = Files.createDirectory(tempDir.resolve("tmp"));
        Files.setAttribute(dir, "unix:mode", 01777);

        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> StatusFile.create(dir, "shared", 64, 4096, clock));

        assertTrue(ex.getMessage().contains(
            "status directory " + dir + " is writable by group and others (mode rwxrwxrwt)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("does not exist yet (it is created 0700)"), ex.getMessage());
        assertEquals(01777, mode(dir));
        assertFalse(Files.exists(dir.resolve(StatusFile.FILE_NAME)));
    }

    @Test
    void shouldFindEveryStatusFileOneLevelDown() throws Exception
    {
        final Path parent = tempDir.resolve("stacks");
        final StatusFile b = create(parent.resolve("b"), "b", false);
        final StatusFile a = create(parent.resolve("a"), "a", false);
        Files.createDirectories(parent.resolve("empty"));
        Files.createDirectories(parent.resolve("deep").resolve("deeper"));
        create(parent.resolve("deep").resolve("deeper"), "too deep", false);

        assertEquals(List.of(a.file(), b.file()), StatusFile.Reader.find(parent));
        assertEquals(List.of(), StatusFile.Reader.find(tempDir.resolve("missing")));
    }

    @Test
    void shouldRoundCapacityUpToWholePagesAndRefuseBadArguments()
    {
        final StatusFile statusFile = StatusFile.create(tempDir.resolve("cap"), "cap", 1, 1, clock);
        closeables.add(statusFile);

        assertEquals(StatusFile.PAGE_SIZE / CountersReader.COUNTER_LENGTH, statusFile.countersManager().capacity());
        assertThrows(IllegalArgumentException.class,
            () -> StatusFile.create(tempDir.resolve("x"), "n".repeat(61), 64, 4096, clock));
        assertThrows(IllegalArgumentException.class,
            () -> StatusFile.create(tempDir.resolve("x"), "ok", 0, 4096, clock));
        assertThrows(IllegalArgumentException.class,
            () -> StatusFile.create(tempDir.resolve("x"), "ok", 64, 0, clock));
    }

    @Test
    void shouldPutTheDefaultParentDirectoryUnderTmpNamedForTheUser()
    {
        final Path expected = Path.of(
            System.getProperty("java.io.tmpdir"), "raet4j-" + System.getProperty("user.name"));

        assertEquals(expected, StatusFile.defaultParentDir());
    }

    @Test
    void shouldReturnTheSameCounterForTheSameDescriptor()
    {
        final StatusFile statusFile = create(tempDir.resolve("same"), "same", false);
        final CounterSet<TransportCounterDescriptor> counters =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        closeables.add(counters);

        for (final TransportCounterDescriptor descriptor : TransportCounterDescriptor.values())
        {
            assertSame(counters.get(descriptor), counters.get(descriptor));
            assertEquals(descriptor.label(), counters.get(descriptor).label());
            assertEquals(descriptor.id(), statusFile.countersManager().getCounterTypeId(counters.get(descriptor).id()));
        }
    }

    private static int mode(final Path path) throws Exception
    {
        return ((Integer)Files.getAttribute(path, "unix:mode")) & 07777;
    }

    private StatusFile create(final Path dir, final String name, final boolean deleteOnClose)
    {
        if (0 == clock.time())
        {
            clock.update(START_MS);
        }
        final StatusFile statusFile = StatusFile.create(dir, name, 64, 64 * 1024, clock, deleteOnClose);
        closeables.add(statusFile);
        return statusFile;
    }

    private StatusFile.Reader open(final Path path)
    {
        final StatusFile.Reader reader = StatusFile.Reader.open(path);
        closeables.add(reader);
        return reader;
    }

    private static long valueOf(final CountersReader reader, final CounterDescriptor descriptor)
    {
        final long[] value = {Long.MIN_VALUE};
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == descriptor.id())
            {
                value[0] = reader.getCounterValue(counterId);
            }
        });
        if (Long.MIN_VALUE == value[0])
        {
            throw new AssertionError("no counter of type " + descriptor.id());
        }
        return value[0];
    }
}
