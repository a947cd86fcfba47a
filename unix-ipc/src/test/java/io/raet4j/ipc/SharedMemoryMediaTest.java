package io.raet4j.ipc;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedMemoryMediaTest
{
    private static final int MTU = 1408;
    private static final int SMALL_RING = SharedMemoryMedia.MIN_RING_CAPACITY;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path tempDir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void after() throws InterruptedException
    {
        CloseHelper.closeAll(closeables);
        for (final Process child : children)
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldBindTheNormalizedAbsolutePathInAnOwnerOnlyDirectoryWithAnOwnerOnlyFile() throws IOException
    {
        final Path lane = tempDir.resolve("lanes").resolve("alpha");
        final Path inbox = lane.resolve("yard");
        final SharedMemoryMedia media = open("shm:" + lane.resolve("..").resolve("alpha").resolve("./yard"), MTU);

        assertEquals("shm:" + inbox, media.localAddress().toString());
        assertEquals(media.resolve("shm:" + inbox), media.localAddress());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane)));
        assertEquals("rw-------", PosixFilePermissions.toString(
            Files.getPosixFilePermissions(inbox, LinkOption.NOFOLLOW_LINKS)));
        assertTrue(Files.isRegularFile(inbox, LinkOption.NOFOLLOW_LINKS));
        assertEquals(SharedMemoryInbox.fileLength(SharedMemoryMedia.RING_CAPACITY_DEFAULT), Files.size(inbox));
        try (var files = Files.list(lane))
        {
            assertEquals(List.of(inbox), files.toList(), "no temporary file is left beside the inbox");
        }
        assertEquals(MTU, media.maxDatagramLength());
        assertEquals(SharedMemoryMedia.RING_CAPACITY_DEFAULT, media.ringCapacity());
        assertEquals(0, media.receiveBufferBytes());
        assertTrue(media.isHostLocal(media.localAddress()));
        assertTrue(media.canReach(media.localAddress()));
        assertFalse(media.canReach(UnixAddress.of("unix:" + inbox)));
        assertFalse(media.canReach(new InetSocketAddress("127.0.0.1", 7000)));
    }

    @Test
    void shouldLeaveAnExistingDirectoryAsItIs() throws IOException
    {
        final Path lane = Files.createDirectory(tempDir.resolve("shared"));
        Files.setPosixFilePermissions(lane, PosixFilePermissions.fromString("rwxr-x---"));

        open("shm:" + lane.resolve("yard"), MTU);

        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane)));
    }

    @Test
    void shouldExchangeDatagramsBothWaysWithTheSourceEqualToTheResolvedSender()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);

        final byte[] ping = "ping from a".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ping.length, a.send(ByteBuffer.wrap(ping), a.resolve(yard("b"))));
        final Received atB = receiveOne(b);
        assertArrayEquals(ping, atB.bytes);
        assertEquals(b.resolve(yard("a")), atB.source);
        assertEquals(b.resolve(yard("a")).hashCode(), atB.source.hashCode());
        assertEquals(a.localAddress(), atB.source);
        assertEquals(0, atB.offset & 7, "datagrams start 8-byte aligned in the ring");

        final byte[] pong = "pong from b".getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(pong).flip();
        assertEquals(pong.length, b.send(direct, atB.source));
        assertEquals(pong.length, direct.position());
        final Received atA = receiveOne(a);
        assertArrayEquals(pong, atA.bytes);
        assertEquals(b.localAddress(), atA.source);

        assertEquals(ping.length, a.send(ByteBuffer.wrap(ping), atA.source));
        assertSame(atB.source, receiveOne(b).source, "the source address is interned");
        assertEquals(0, a.receive((buffer, offset, length, source) -> fail("nothing more"), 10));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldCarryEveryLengthFromZeroToTheMtuFromHeapAndDirectBuffers()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);
        final SocketAddress toB = a.resolve(yard("b"));
        final ByteBuffer direct = ByteBuffer.allocateDirect(MTU + 16);
        final ByteBuffer heap = ByteBuffer.allocate(MTU + 16);

        for (int length = 0; length <= MTU; length++)
        {
            final ByteBuffer buffer = 0 == (length & 1) ? direct : heap;
            buffer.clear().position(length % 16);
            for (int i = 0; i < length; i++)
            {
                buffer.put((byte)(length * 31 + i));
            }
            buffer.flip().position(length % 16);

            assertEquals(length, a.send(buffer, toB));
            final Received received = receiveOne(b);
            assertEquals(length, received.bytes.length);
            for (int i = 0; i < length; i++)
            {
                assertEquals((byte)(length * 31 + i), received.bytes[i], "length " + length + " byte " + i);
            }
            assertEquals(a.localAddress(), received.source);
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldCarryManyDatagramsInOrderThroughBackPressure()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU, SMALL_RING);
        final SocketAddress toB = a.resolve(yard("b"));
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MTU).order(ByteOrder.nativeOrder());
        final int count = 200_000;
        final long[] next = new long[1];
        final SocketAddress[] sources = new SocketAddress[1];
        final DatagramHandler handler = (buf, offset, length, source) ->
        {
            assertEquals(next[0], buf.getLong(offset));
            assertEquals(8 + (int)(next[0] % 700), length);
            sources[0] = source;
            next[0]++;
        };

        long sent = 0;
        while (next[0] < count)
        {
            while (sent < count)
            {
                buffer.clear();
                buffer.putLong(0, sent).limit(8 + (int)(sent % 700));
                final int result = a.send(buffer, toB);
                if (Media.SEND_WOULD_BLOCK == result)
                {
                    break;
                }
                assertEquals(8 + (int)(sent % 700), result, errors::toString);
                sent++;
            }
            b.receive(handler, 16);
        }

        assertEquals(count, next[0]);
        assertTrue(a.sendWouldBlocks() > 0, "a ring of 64 KiB filled at least once");
        assertEquals(a.localAddress(), sources[0]);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldReturnWouldBlockWhenTheRingIsFullAndDeliverEverythingAcceptedOnceDrained()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU, SMALL_RING);
        final SocketAddress toB = a.resolve(yard("b"));
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MTU).order(ByteOrder.nativeOrder());
        final List<Long> accepted = new ArrayList<>();
        final List<Long> delivered = new ArrayList<>();
        long sequence = 0;

        for (int cycle = 0; cycle < 5; cycle++)
        {
            int refusedInARow = 0;
            while (refusedInARow < 3)
            {
                buffer.clear();
                buffer.putLong(0, sequence).limit(MTU);
                final int result = a.send(buffer, toB);
                if (MTU == result)
                {
                    accepted.add(sequence);
                    assertEquals(0, refusedInARow, "a send succeeded after one was refused with a full ring");
                }
                else
                {
                    assertEquals(Media.SEND_WOULD_BLOCK, result);
                    refusedInARow++;
                }
                sequence++;
            }
            assertTrue(accepted.size() >= (cycle + 1) * 30, "a ring of 64 KiB took " + accepted.size());

            while (b.receive((buf, offset, length, source) -> delivered.add(buf.getLong(offset)), 7) > 0)
            {
                assertTrue(delivered.size() <= accepted.size());
            }
            assertEquals(accepted, delivered);
        }

        assertEquals(15, a.sendWouldBlocks());
        assertEquals(0, a.sendFailures());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldEnforceTheMtuOnSendAndTheRingCapacityOnBind()
    {
        final SharedMemoryMedia big = open(yard("big"), 4096);
        final SharedMemoryMedia small = open(yard("small"), 100);

        assertEquals(Media.SEND_FAILED, small.send(ByteBuffer.allocateDirect(101), big.localAddress()));
        assertEquals(Media.SEND_FAILED, big.send(ByteBuffer.allocateDirect(101), small.localAddress()),
            "longer than the peer's MTU");
        assertEquals(2, errors.size(), errors::toString);
        assertTrue(errors.get(1).getMessage().contains("peer's MTU 100"), errors.get(1)::getMessage);
        assertEquals(100, big.send(ByteBuffer.allocateDirect(100), small.localAddress()));
        assertEquals(100, receiveOne(small).bytes.length);
        assertEquals(2, big.sendFailures() + small.sendFailures());

        final int largest = SharedMemoryInbox.maxDatagramLength(SMALL_RING);
        assertEquals(SMALL_RING / 8 - SharedMemoryInbox.MAX_SOURCE_PREFIX_LENGTH, largest);
        open(yard("largest"), largest, SMALL_RING).close();
        final IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
            () -> SharedMemoryMedia.open(yard("too-big"), largest + 1, SMALL_RING, errors::add));
        assertTrue(tooBig.getMessage().contains(SharedMemoryMedia.RING_CAPACITY_PROP_NAME), tooBig::getMessage);
        assertFalse(Files.exists(Path.of(yard("too-big").substring(4))));
    }

    @Test
    void shouldRefuseASecondBindWhileTheOwnerLivesAndLeaveTheOwnerWorking()
    {
        final SharedMemoryMedia held = open(yard("b"), MTU);

        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> SharedMemoryMedia.open(yard("b"), MTU, errors::add));
        assertTrue(ex.getMessage().contains("in use by running process " + ProcessHandle.current().pid()),
            ex::getMessage);
        assertTrue(ex.getMessage().contains(yard("b").substring(4)), ex::getMessage);

        final SharedMemoryMedia a = open(yard("a"), MTU);
        assertEquals(4, a.send(ByteBuffer.wrap(new byte[4]), held.localAddress()));
        assertEquals(4, receiveOne(held).bytes.length);
    }

    @Test
    void shouldRefuseToReplaceAFileThatIsNotAnInboxAndLeaveItAlone() throws IOException
    {
        final Path notes = tempDir.resolve("notes.txt");
        Files.writeString(notes, "keep me");
        final Path big = tempDir.resolve("big.bin");
        Files.write(big, new byte[4096]);

        final IllegalStateException short1 = assertThrows(
            IllegalStateException.class, () -> SharedMemoryMedia.open("shm:" + notes, MTU, errors::add));
        assertTrue(short1.getMessage().contains("is not a raet4j shm inbox"), short1::getMessage);
        assertFalse(short1.getMessage().contains("\n"), "one line");
        final IllegalStateException noMagic = assertThrows(
            IllegalStateException.class, () -> SharedMemoryMedia.open("shm:" + big, MTU, errors::add));
        assertTrue(noMagic.getMessage().contains("no RAET4SHM magic"), noMagic::getMessage);
        final IllegalStateException directory = assertThrows(
            IllegalStateException.class, () -> SharedMemoryMedia.open("shm:" + tempDir, MTU, errors::add));
        assertTrue(directory.getMessage().contains("not a regular file"), directory::getMessage);

        assertEquals("keep me", Files.readString(notes));
        assertEquals(4096, Files.size(big));
    }

    @Test
    void shouldReplaceAnInboxLeftClosedOrByAProcessThatIsGone() throws Exception
    {
        final Path path = tempDir.resolve("lane").resolve("yard");
        open("shm:" + path, MTU).close();
        final SharedMemoryInbox leftOver = SharedMemoryInbox.create(path, SMALL_RING, MTU, deadPid(), 1L);

        final SharedMemoryMedia b = open("shm:" + path, MTU);
        // The old file is still mapped here, so its inode number cannot have been reused.
        assertNotEquals(leftOver.fileKey(), SharedMemoryInbox.fileKey(path), "a new file, not the old one reused");
        leftOver.unmap();
        final SharedMemoryMedia a = open(yard("a"), MTU);
        assertEquals(3, a.send(ByteBuffer.wrap(new byte[3]), b.localAddress()));
        assertEquals(a.localAddress(), receiveOne(b).source);
    }

    @Test
    void shouldTakeOverAnInboxLeftByAProcessKilledWithSigkillAndRemapItsSenders() throws Exception
    {
        final Path path = tempDir.resolve("lane").resolve("yard");
        final Process child = startChild(path, SMALL_RING);
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryAddress toChild = a.resolve("shm:" + path);
        assertEquals(8, a.send(ByteBuffer.allocate(8), toChild));

        final IllegalStateException inUse = assertThrows(
            IllegalStateException.class, () -> SharedMemoryMedia.open("shm:" + path, MTU, errors::add));
        assertTrue(inUse.getMessage().contains("in use by running process " + child.pid()), inUse::getMessage);

        kill(child);
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "SIGKILL left the inbox file behind");
        final Object staleKey = SharedMemoryInbox.fileKey(path);

        final SharedMemoryMedia b = open("shm:" + path, MTU);
        assertNotEquals(staleKey, SharedMemoryInbox.fileKey(path));
        makeChildHeartbeatStale();
        assertEquals(5, a.send(ByteBuffer.allocate(5), toChild), "the sender found the new inbox at the path");
        assertEquals(1, a.peerRemaps());
        final Received received = receiveOne(b);
        assertEquals(5, received.bytes.length);
        assertEquals(a.localAddress(), received.source);
        assertEquals(0, a.sendFailures());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldFailSendsToAnInboxWhoseOwnerWasKilledOnceItsHeartbeatIsStale() throws Exception
    {
        final Path path = tempDir.resolve("lane").resolve("victim");
        final Process child = startChild(path, SMALL_RING);
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryAddress toChild = a.resolve("shm:" + path);
        assertEquals(8, a.send(ByteBuffer.allocate(8), toChild));

        kill(child);
        // Like a datagram in flight when a socket's owner dies: a fresh heartbeat still takes it.
        assertEquals(8, a.send(ByteBuffer.allocate(8), toChild));
        assertEquals(0, a.peerLivenessChecks());

        makeChildHeartbeatStale();
        for (int i = 0; i < 100; i++)
        {
            assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), toChild));
        }
        assertEquals(100, a.sendFailures());
        assertEquals(1, a.peerLivenessChecks(), "one look at the process per check interval");
        assertEquals(7, errors.size(), "reported on the 1st, 2nd, 4th ... 64th: " + errors);
        assertTrue(errors.get(0).getMessage().contains("process " + child.pid() + ", is gone"),
            errors.get(0)::getMessage);
        assertTrue(errors.get(0).getMessage().contains(path.toString()), errors.get(0)::getMessage);

        clock.advance(SharedMemoryMedia.PEER_CHECK_INTERVAL_MS);
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), toChild));
        assertEquals(2, a.peerLivenessChecks());
    }

    @Test
    void shouldHoldSendersBackWithoutFailingThemWhileTheOwnerIsStopped() throws Exception
    {
        final Path path = tempDir.resolve("lane").resolve("sleeper");
        final Process child = startChild(path, SMALL_RING);
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryAddress toChild = a.resolve("shm:" + path);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MTU);
        int accepted = 0;
        while (MTU == a.send(buffer.clear(), toChild))
        {
            accepted++;
        }
        assertTrue(accepted > 10, "accepted " + accepted);

        signal(child, "STOP");
        try
        {
            makeChildHeartbeatStale();
            for (int i = 0; i < 10; i++)
            {
                assertEquals(Media.SEND_WOULD_BLOCK, a.send(buffer.clear(), toChild), errors::toString);
                clock.advance(SharedMemoryMedia.PEER_CHECK_INTERVAL_MS);
            }
            assertEquals(10, a.peerLivenessChecks(), "the stale heartbeat made the sender look at the process");
            assertEquals(0, a.sendFailures());
            assertTrue(errors.isEmpty(), errors::toString);
        }
        finally
        {
            signal(child, "CONT");
        }
    }

    @Test
    void shouldFailSendsToAClosedInboxThenRemapAPeerRestartedAtTheSamePath()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);
        final SharedMemoryAddress toB = a.resolve(yard("b"));
        assertEquals(1, a.send(ByteBuffer.allocate(1), toB));
        assertEquals(1, receiveOne(b).bytes.length);

        b.close();
        assertFalse(Files.exists(Path.of(b.localAddress().path())), "close deleted the inbox");
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(1), toB), "closed, like ECONNREFUSED");
        assertTrue(errors.get(0).getMessage().contains("was closed by its owner"), errors.get(0)::getMessage);
        clock.advance(SharedMemoryMedia.PEER_CHECK_INTERVAL_MS);
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(1), toB), "gone, like ENOENT");
        assertTrue(errors.get(1).getMessage().contains("no inbox at"), errors.get(1)::getMessage);

        final SharedMemoryMedia again = open(yard("b"), MTU);
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(2), toB), "not looked at again before the interval");
        clock.advance(SharedMemoryMedia.PEER_CHECK_INTERVAL_MS);
        assertEquals(2, a.send(ByteBuffer.allocate(2), toB));
        assertEquals(2, receiveOne(again).bytes.length);
        assertEquals(1, a.peerRemaps());
        assertEquals(3, a.sendFailures());
        assertEquals(3, errors.size(), errors::toString);
    }

    @Test
    void shouldFailWithoutThrowingAndReportRateLimitedWhenThereIsNoInbox()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SocketAddress nobody = a.resolve(yard("nobody"));

        for (int i = 0; i < 100; i++)
        {
            assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.wrap(new byte[10]), nobody));
        }

        assertEquals(100, a.sendFailures());
        assertEquals(7, errors.size(), "reported on the 1st, 2nd, 4th ... 64th: " + errors);
        assertTrue(errors.get(0).getMessage().contains("ENOENT"), errors.get(0)::getMessage);
        assertTrue(errors.get(0).getMessage().contains(yard("nobody").substring(4)), errors.get(0)::getMessage);
    }

    @Test
    void shouldDeleteItsInboxOnCloseButNotAnotherMadeAtThePathSince() throws IOException
    {
        final Path path = tempDir.resolve("yard");
        final SharedMemoryMedia first = new SharedMemoryMedia(
            SharedMemoryAddress.ofPath(path), MTU, SMALL_RING, errors::add, clock);
        first.close();
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        first.close();
        assertEquals(0, first.receive((buffer, offset, length, source) -> fail("closed"), 10));
        assertEquals(Media.SEND_FAILED, first.send(ByteBuffer.allocate(1), first.localAddress()));

        final SharedMemoryMedia second = new SharedMemoryMedia(
            SharedMemoryAddress.ofPath(path), MTU, SMALL_RING, errors::add, clock);
        closeables.add(second);
        Files.delete(path);
        final SharedMemoryMedia third = open("shm:" + path, MTU);
        second.close();
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "the inbox of another media is left");

        final SharedMemoryMedia a = open(yard("a"), MTU);
        assertEquals(2, a.send(ByteBuffer.allocate(2), third.localAddress()));
        assertEquals(2, receiveOne(third).bytes.length);
        assertEquals(1, errors.size(), "only the send after close: " + errors);
    }

    @Test
    void shouldFailWithoutThrowingForPeerFilesThatAreNotInboxes() throws Exception
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final Path empty = Files.createFile(tempDir.resolve("empty"));
        final Path text = Files.writeString(tempDir.resolve("text"), "x".repeat(500));
        final Path badCapacity = tempDir.resolve("bad-capacity");
        SharedMemoryInbox.create(badCapacity, SMALL_RING, MTU, ProcessHandle.current().pid(), clock.time()).unmap();
        corrupt(badCapacity, SharedMemoryInbox.CAPACITY_OFFSET, 12345);
        final Path badVersion = tempDir.resolve("bad-version");
        SharedMemoryInbox.create(badVersion, SMALL_RING, MTU, ProcessHandle.current().pid(), clock.time()).unmap();
        corrupt(badVersion, SharedMemoryInbox.VERSION_OFFSET, 99);
        final Path badPid = tempDir.resolve("bad-pid");
        SharedMemoryInbox.create(badPid, SMALL_RING, MTU, ProcessHandle.current().pid(), clock.time()).unmap();
        corrupt(badPid, SharedMemoryInbox.OWNER_PID_OFFSET, -1);
        final Path truncated = tempDir.resolve("truncated");
        SharedMemoryInbox.create(truncated, SMALL_RING, MTU, ProcessHandle.current().pid(), clock.time()).unmap();
        try (var channel = java.nio.channels.FileChannel.open(truncated, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(4096);
        }

        // One sender each, so that each failure is the first of its kind for its sender and is reported.
        final Path fifo = tempDir.resolve("fifo");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && 0 == mkfifo.exitValue(), "mkfifo");
        final Path link = Files.createSymbolicLink(tempDir.resolve("link"), badVersion);
        final List<Path> bad = List.of(empty, text, badCapacity, badVersion, badPid, truncated, fifo, link, tempDir);
        for (int i = 0; i < bad.size(); i++)
        {
            final SharedMemoryMedia sender = open(yard("sender-" + i), MTU);
            assertEquals(Media.SEND_FAILED, sender.send(ByteBuffer.allocate(8), a.resolve("shm:" + bad.get(i))),
                bad.get(i)::toString);
            assertEquals(1, sender.sendFailures());
        }

        assertEquals(bad.size(), errors.size(), errors::toString);
        for (int i = 0; i < 9; i++)
        {
            assertTrue(errors.get(i).getMessage().contains("is not a raet4j shm inbox"), errors.get(i)::getMessage);
        }
        assertTrue(errors.get(1).getMessage().contains("no RAET4SHM magic"), errors.get(1)::getMessage);
        assertTrue(errors.get(2).getMessage().contains("ring capacity 12345"), errors.get(2)::getMessage);
        assertTrue(errors.get(3).getMessage().contains("layout version 99"), errors.get(3)::getMessage);
        assertTrue(errors.get(4).getMessage().contains("owner pid -1"), errors.get(4)::getMessage);
        assertTrue(errors.get(5).getMessage().contains("file length 4096"), errors.get(5)::getMessage);
        assertTrue(errors.get(6).getMessage().contains("not a regular file"), "a FIFO is never read");
        assertTrue(errors.get(7).getMessage().contains("not a regular file"), "a symbolic link is not followed");
    }

    @Test
    void shouldFailWithoutThrowingWhenAMappedPeerHeaderIsCorruptedAfterwards() throws IOException
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);
        assertEquals(8, a.send(ByteBuffer.allocate(8), b.localAddress()));
        assertEquals(8, receiveOne(b).bytes.length);

        // Garbage written over the live fields: a pid that names all processes, an old heartbeat, a closed flag.
        final SharedMemoryInbox view = SharedMemoryInbox.map(Path.of(b.localAddress().path()));
        final UnsafeBuffer header = new UnsafeBuffer(view.ringBuffer().addressOffset() -
            SharedMemoryInbox.HEADER_LENGTH, SharedMemoryInbox.HEADER_LENGTH);
        header.putLong(SharedMemoryInbox.HEARTBEAT_OFFSET, Long.MIN_VALUE);
        header.putInt(SharedMemoryInbox.CLOSED_OFFSET, 0x5A5A5A5A);
        view.unmap();

        for (int i = 0; i < 10; i++)
        {
            assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), b.localAddress()));
            clock.advance(SharedMemoryMedia.PEER_CHECK_INTERVAL_MS);
        }
        assertEquals(10, a.sendFailures());
        assertTrue(errors.get(0).getMessage().contains("was closed by its owner"), errors.get(0)::getMessage);
    }

    @Test
    void shouldDropMalformedRecordsInItsOwnInboxAndDeliverWhatFollows() throws IOException
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);
        final SharedMemoryInbox view = SharedMemoryInbox.map(Path.of(b.localAddress().path()));
        final ManyToOneRingBuffer ring = view.ring();
        final UnsafeBuffer record = new UnsafeBuffer(new byte[64]);
        record.putInt(0, 3);
        assertTrue(ring.write(SharedMemoryInbox.MSG_TYPE_DATAGRAM + 1, record, 0, 16), "another record type");
        assertTrue(ring.write(SharedMemoryInbox.MSG_TYPE_DATAGRAM, record, 0, 2), "shorter than a length field");
        record.putInt(0, SharedMemoryAddress.MAX_PATH_BYTES + 1);
        assertTrue(ring.write(SharedMemoryInbox.MSG_TYPE_DATAGRAM, record, 0, 64), "path too long");
        record.putInt(0, 0);
        assertTrue(ring.write(SharedMemoryInbox.MSG_TYPE_DATAGRAM, record, 0, 64), "path empty");
        record.putInt(0, 61);
        assertTrue(ring.write(SharedMemoryInbox.MSG_TYPE_DATAGRAM, record, 0, 64), "path beyond the record");
        view.unmap();
        assertEquals(6, a.send(ByteBuffer.allocate(6), b.localAddress()));

        final List<Integer> delivered = new ArrayList<>();
        assertEquals(6, b.receive((buffer, offset, length, source) -> delivered.add(length), 100));
        assertEquals(List.of(6), delivered);
        assertEquals(5, b.malformedDrops());
        assertEquals(3, errors.size(), "reported on the 1st, 2nd, 4th: " + errors);
    }

    @Test
    void shouldSkipARecordClaimedBySenderThatDiedBeforeCommittingIt() throws IOException
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);
        final SharedMemoryInbox view = SharedMemoryInbox.map(Path.of(b.localAddress().path()));
        assertTrue(view.ring().tryClaim(SharedMemoryInbox.MSG_TYPE_DATAGRAM, 100) > 0, "claimed, never committed");
        view.unmap();
        assertEquals(7, a.send(ByteBuffer.allocate(7), b.localAddress()));

        final List<Integer> delivered = new ArrayList<>();
        final DatagramHandler handler = (buffer, offset, length, source) -> delivered.add(length);
        for (long ms = 0; ms < SharedMemoryMedia.BLOCKED_RECORD_TIMEOUT_MS; ms += 100)
        {
            assertEquals(0, b.receive(handler, 10), "at " + ms + " ms");
            clock.advance(100);
        }
        assertEquals(0, b.unblockedRecords());
        assertEquals(0, b.receive(handler, 10), "this call finds the ring blocked for long enough and unblocks it");
        assertEquals(1, b.unblockedRecords());
        assertEquals(1, b.receive(handler, 10));
        assertEquals(List.of(7), delivered);
        assertEquals(1, b.unblockedRecords());
        assertTrue(errors.get(0).getMessage().contains("never committed"), errors.get(0)::getMessage);
    }

    @Test
    void shouldRefuseWithoutThrowingWhatItCannotSend()
    {
        final SharedMemoryMedia a = open(yard("a"), MTU);
        final SharedMemoryMedia b = open(yard("b"), MTU);

        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(MTU + 1), b.localAddress()));
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), new InetSocketAddress("127.0.0.1", 9)));
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), UnixAddress.of("unix:" + tempDir)));
        assertEquals(3, a.sendFailures());
        assertEquals(3, errors.size(), errors::toString);
    }

    @Test
    void shouldRejectBadArguments()
    {
        final SharedMemoryMedia media = open(yard("a"), MTU);

        assertThrows(IllegalArgumentException.class, () -> media.resolve("127.0.0.1:7000"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("unix:/tmp/x"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("shm:"));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryMedia.open(yard("c"), 0, errors::add));
        assertThrows(IllegalArgumentException.class,
            () -> SharedMemoryMedia.open(yard("c"), SharedMemoryMedia.MAX_DATAGRAM_LENGTH + 1, errors::add));
        assertThrows(IllegalArgumentException.class,
            () -> SharedMemoryMedia.open(yard("c"), MTU, SMALL_RING + 1, errors::add));
        assertThrows(IllegalArgumentException.class,
            () -> SharedMemoryMedia.open(yard("c"), MTU, SMALL_RING / 2, errors::add));
        assertFalse(Files.exists(Path.of(yard("c").substring(4))));
    }

    private String yard(final String name)
    {
        return "shm:" + tempDir.resolve("lane").resolve(name);
    }

    private SharedMemoryMedia open(final String address, final int mtu)
    {
        return open(address, mtu, SharedMemoryMedia.RING_CAPACITY_DEFAULT);
    }

    private SharedMemoryMedia open(final String address, final int mtu, final int ringCapacity)
    {
        if (0 == clock.time())
        {
            clock.update(System.currentTimeMillis());
        }
        final SharedMemoryMedia media =
            new SharedMemoryMedia(SharedMemoryAddress.of(address), mtu, ringCapacity, errors::add, clock);
        closeables.add(media);
        return media;
    }

    private Process startChild(final Path path, final int ringCapacity) throws IOException
    {
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(
            javaBin,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            // jffi loads its native library: JDK 24+ would print a warning first, where READY is expected (17 accepts
            // the flag too)
            "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            SharedMemoryYardChild.class.getName(),
            path.toString(),
            Integer.toString(ringCapacity))
            .redirectErrorStream(true)
            .start();
        children.add(child);
        final BufferedReader reader =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertEquals(SharedMemoryYardChild.READY, reader.readLine());
        return child;
    }

    /**
     * Move the clock of the media in this JVM past the child's last heartbeat, which it writes from the real clock,
     * by more than the staleness limit.
     */
    private void makeChildHeartbeatStale()
    {
        clock.update(System.currentTimeMillis() + SharedMemoryMedia.STALE_HEARTBEAT_MS + 1);
    }

    private static void kill(final Process child) throws InterruptedException
    {
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, child.exitValue(), "killed by SIGKILL");
    }

    private static void signal(final Process child, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }

    /**
     * A pid no process has: a child that has exited and been reaped.
     */
    private static long deadPid() throws IOException, InterruptedException
    {
        final Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        assertFalse(gone.isAlive());
        return gone.pid();
    }

    private static void corrupt(final Path path, final int offset, final long value) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        final boolean isLong = SharedMemoryInbox.OWNER_PID_OFFSET == offset;
        if (isLong)
        {
            bytes.putLong(0, value);
        }
        else
        {
            bytes.putInt(0, (int)value).limit(4);
        }
        try (var channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(bytes, offset);
        }
    }

    private static Received receiveOne(final Media media)
    {
        final Received received = new Received();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (null == received.bytes)
        {
            media.receive(
                (final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source) ->
                {
                    received.bytes = new byte[length];
                    buffer.getBytes(offset, received.bytes);
                    received.source = source;
                    received.offset = offset;
                },
                1);
            if (System.nanoTime() > deadlineNs)
            {
                fail("no datagram within the deadline");
            }
        }

        return received;
    }

    private static final class Received
    {
        byte[] bytes;
        SocketAddress source;
        int offset;
    }
}
