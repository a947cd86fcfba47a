package io.raet4j.ipc;

import io.raet4j.transport.media.Media;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixDatagramMediaTest
{
    private static final int MTU = 1408;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path tempDir;

    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldBindTheNormalizedAbsolutePathAndReportTheGrantedSocketBuffers()
    {
        final Path yard = tempDir.resolve("lane").resolve("yard.sock");
        final UnixDatagramMedia media =
            open("unix:" + tempDir.resolve("lane").resolve("..").resolve("lane").resolve("./yard.sock"), MTU);

        assertEquals(UnixAddress.PREFIX + yard, media.localAddress().toString());
        assertEquals(media.resolve("unix:" + yard), media.localAddress());
        assertTrue(Files.exists(yard, LinkOption.NOFOLLOW_LINKS));
        assertEquals(MTU, media.maxDatagramLength());
        assertTrue(media.socketSendBufferBytes() >= MTU + UnixDatagramMedia.SNDBUF_OVERHEAD, media::toString);
        assertTrue(media.socketReceiveBufferBytes() > 0, media::toString);
    }

    @Test
    void shouldExchangeDatagramsBothWaysWithTheSourceEqualToTheResolvedSender()
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);

        final byte[] ping = "ping from a".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ping.length, a.send(ByteBuffer.wrap(ping), b.resolve(yard("b"))));
        final Received atB = receiveOne(b);
        assertArrayEquals(ping, atB.bytes);
        assertEquals(b.resolve(yard("a")), atB.source);
        assertEquals(b.resolve(yard("a")).hashCode(), atB.source.hashCode());
        assertEquals(a.localAddress(), atB.source);

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
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldCarryEveryLengthFromOneToTheMtuFromHeapAndDirectBuffers()
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);
        final SocketAddress toB = a.resolve(yard("b"));
        final ByteBuffer direct = ByteBuffer.allocateDirect(MTU);
        final ByteBuffer heap = ByteBuffer.allocate(MTU);

        for (int length = 1; length <= MTU; length++)
        {
            final ByteBuffer buffer = 0 == (length & 1) ? direct : heap;
            buffer.clear();
            for (int i = 0; i < length; i++)
            {
                buffer.put((byte)(length * 31 + i));
            }
            buffer.flip();

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
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);
        final SocketAddress toB = a.resolve(yard("b"));
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MTU).order(ByteOrder.nativeOrder());
        final int count = 100_000;
        final long[] next = new long[1];
        final SocketAddress[] sources = new SocketAddress[1];

        long sent = 0;
        while (next[0] < count)
        {
            if (sent < count)
            {
                buffer.clear();
                buffer.putLong(0, sent).limit(8 + (int)(sent % 64));
                final int result = a.send(buffer, toB);
                if (result > 0)
                {
                    sent++;
                }
                else
                {
                    assertEquals(Media.SEND_WOULD_BLOCK, result);
                }
            }
            b.receive(
                (buf, offset, length, source) ->
                {
                    assertEquals(next[0], buf.getLong(offset));
                    assertEquals(8 + (int)(next[0] % 64), length);
                    sources[0] = source;
                    next[0]++;
                },
                16);
        }

        assertEquals(count, next[0]);
        assertEquals(a.localAddress(), sources[0]);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldReturnWouldBlockWhenTheReceiverQueueIsFullAndLoseNothingThatWasSent()
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);
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
                    assertEquals(0, refusedInARow, "a send succeeded after one was refused with a full queue");
                }
                else
                {
                    assertEquals(Media.SEND_WOULD_BLOCK, result);
                    refusedInARow++;
                }
                sequence++;
            }
            assertTrue(accepted.size() >= (cycle + 1) * 2, "queue too short: " + accepted.size());

            while (b.receive((buf, offset, length, source) -> delivered.add(buf.getLong(offset)), 100) > 0)
            {
                assertTrue(delivered.size() <= accepted.size());
            }
            assertEquals(accepted, delivered);
        }

        assertTrue(a.sendWouldBlocks() >= 15, "sendWouldBlocks " + a.sendWouldBlocks());
        assertEquals(0, a.sendFailures());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldFailWithoutThrowingAndReportRateLimitedWhenThePeerIsGone()
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);
        final SocketAddress toB = a.resolve(yard("b"));
        b.close();
        assertFalse(Files.exists(Path.of(yard("b").substring(5)), LinkOption.NOFOLLOW_LINKS));

        for (int i = 0; i < 100; i++)
        {
            assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.wrap(new byte[10]), toB));
        }

        assertEquals(100, a.sendFailures());
        assertEquals(7, errors.size(), "reported on the 1st, 2nd, 4th ... 64th: " + errors);
        assertTrue(errors.get(0).getMessage().contains("ENOENT"), errors.get(0)::getMessage);
        assertTrue(errors.get(0).getMessage().contains(yard("b")), errors.get(0)::getMessage);
    }

    @Test
    void shouldFailWithConnectionRefusedWhenThePeerSocketFileIsStale() throws IOException
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final Path stale = tempDir.resolve("stale.sock");
        bindAndAbandon(stale);

        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.wrap(new byte[10]), a.resolve("unix:" + stale)));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("ECONNREFUSED"), errors.get(0)::getMessage);
    }

    @Test
    void shouldReplaceAStaleSocketFileLeftByAClosedSocket() throws IOException
    {
        final Path path = tempDir.resolve("yard.sock");
        bindAndAbandon(path);
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "jnr's close leaves the file, as a crash would");

        final UnixDatagramMedia b = open("unix:" + path, MTU);
        final UnixDatagramMedia a = open(yard("a"), MTU);
        assertEquals(3, a.send(ByteBuffer.wrap(new byte[3]), a.resolve("unix:" + path)));
        assertEquals(a.localAddress(), receiveOne(b).source);
    }

    @Test
    void shouldReplaceAStaleSocketFileLeftByAProcessKilledWithSigkill() throws Exception
    {
        final Path path = tempDir.resolve("lane").resolve("yard.sock");
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process child = new ProcessBuilder(
            javaBin,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            // jffi loads its native library: JDK 24+ would print a warning first, where READY is expected (17 accepts
            // the flag too)
            "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            StaleYardChild.class.getName(),
            path.toString())
            .redirectErrorStream(true)
            .start();
        try
        {
            final BufferedReader reader =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            final String line = reader.readLine();
            assertEquals(StaleYardChild.READY, line);

            final IllegalStateException inUse = assertThrows(
                IllegalStateException.class, () -> UnixDatagramMedia.open("unix:" + path, MTU, errors::add));
            assertTrue(inUse.getMessage().contains("in use by a running process"), inUse::getMessage);
        }
        finally
        {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(128 + 9, child.exitValue(), "killed by SIGKILL");
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "SIGKILL left the socket file behind");

        final UnixDatagramMedia b = open("unix:" + path, MTU);
        final UnixDatagramMedia a = open(yard("a"), MTU);
        assertEquals(5, a.send(ByteBuffer.wrap(new byte[5]), b.localAddress()));
        assertEquals(5, receiveOne(b).bytes.length);
    }

    @Test
    void shouldRefuseAPathHeldByALiveMediaAndLeaveThatMediaWorking()
    {
        final UnixDatagramMedia held = open(yard("b"), MTU);

        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> UnixDatagramMedia.open(yard("b"), MTU, errors::add));
        assertTrue(ex.getMessage().contains("in use by a running process"), ex::getMessage);
        assertTrue(ex.getMessage().contains(yard("b").substring(5)), ex::getMessage);

        final UnixDatagramMedia a = open(yard("a"), MTU);
        assertEquals(4, a.send(ByteBuffer.wrap(new byte[4]), held.localAddress()));
        assertEquals(4, receiveOne(held).bytes.length);
    }

    @Test
    void shouldRefuseToReplaceAFileThatIsNotASocket() throws IOException
    {
        final Path path = tempDir.resolve("notes.txt");
        Files.writeString(path, "keep me");

        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> UnixDatagramMedia.open("unix:" + path, MTU, errors::add));
        assertTrue(ex.getMessage().contains("not a socket"), ex::getMessage);
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    void shouldCreateTheLaneOwnerOnlyAndRemoveTheSocketFileOnClose() throws IOException
    {
        final Path lane = tempDir.resolve("lanes").resolve("alpha");
        final Path path = lane.resolve("yard.sock");
        final UnixDatagramMedia media = open("unix:" + path, MTU);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane)));
        assertEquals("rw-------", PosixFilePermissions.toString(
            Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
        final int mode = (Integer)Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(LibC.S_IFSOCK, LibC.S_IFMT & mode);

        media.close();
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        media.close();
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldLeaveAnExistingLaneDirectoryAsItIs() throws IOException
    {
        final Path lane = Files.createDirectory(tempDir.resolve("shared"));
        Files.setPosixFilePermissions(lane, PosixFilePermissions.fromString("rwxr-x---"));

        open("unix:" + lane.resolve("yard.sock"), MTU);

        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(lane)));
    }

    @Test
    void shouldNotRemoveASocketFileThatAnotherMediaBoundAfterOursWasDeleted() throws IOException
    {
        final Path path = tempDir.resolve("yard.sock");
        final UnixDatagramMedia first = new UnixDatagramMedia(UnixAddress.ofPath(path), MTU, 0, 0, errors::add);
        Files.delete(path);
        final UnixDatagramMedia second = open("unix:" + path, MTU);

        first.close();

        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        final UnixDatagramMedia a = open(yard("a"), MTU);
        assertEquals(2, a.send(ByteBuffer.wrap(new byte[2]), second.localAddress()));
        assertEquals(2, receiveOne(second).bytes.length);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldDropDatagramsLongerThanTheMtuOnReceive()
    {
        final UnixDatagramMedia big = open(yard("big"), 2048);
        final UnixDatagramMedia small = open(yard("small"), 100);

        assertEquals(101, big.send(ByteBuffer.allocateDirect(101), small.localAddress()));
        final List<byte[]> delivered = new ArrayList<>();
        assertEquals(1, small.receive((buf, offset, length, source) -> delivered.add(new byte[length]), 10));
        assertTrue(delivered.isEmpty());
        assertEquals(1, small.oversizeDrops());

        assertEquals(100, big.send(ByteBuffer.allocateDirect(100), small.localAddress()));
        assertEquals(100, receiveOne(small).bytes.length);
    }

    @Test
    void shouldRefuseWithoutThrowingWhatItCannotSend()
    {
        final UnixDatagramMedia a = open(yard("a"), MTU);
        final UnixDatagramMedia b = open(yard("b"), MTU);

        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(MTU + 1), b.localAddress()));
        assertEquals(Media.SEND_FAILED,
            a.send(ByteBuffer.allocate(8), new java.net.InetSocketAddress("127.0.0.1", 9)));
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), UnixAddress.UNNAMED));
        assertEquals(3, a.sendFailures());
        assertEquals(3, errors.size(), errors::toString);

        a.close();
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(8), b.localAddress()));
        assertEquals(0, a.receive((buf, offset, length, source) -> fail("closed"), 10));
    }

    @Test
    void shouldGiveTheUnnamedAddressForADatagramFromAnUnboundSocket() throws IOException
    {
        final UnixDatagramMedia b = open(yard("b"), MTU);
        try (UnixDatagramChannel unbound = UnixDatagramChannel.open())
        {
            final ByteBuffer buffer = ByteBuffer.wrap(new byte[] {1, 2, 3});
            assertEquals(3, unbound.send(buffer, new UnixSocketAddress(b.localAddress().path())));
        }

        final Received received = receiveOne(b);
        assertArrayEquals(new byte[] {1, 2, 3}, received.bytes);
        assertSame(UnixAddress.UNNAMED, received.source);
    }

    @Test
    void shouldReceiveFromAndReplyToAForeignJnrSocket() throws IOException
    {
        final UnixDatagramMedia b = open(yard("b"), MTU);
        final Path foreignPath = tempDir.resolve("foreign.sock");
        try (UnixDatagramChannel foreign = UnixDatagramChannel.open())
        {
            foreign.bind(new UnixSocketAddress(foreignPath.toFile()));
            assertEquals(2, foreign.send(ByteBuffer.wrap(new byte[] {7, 8}),
                new UnixSocketAddress(b.localAddress().path())));

            final Received received = receiveOne(b);
            assertEquals(b.resolve("unix:" + foreignPath), received.source);
            assertEquals(1, b.send(ByteBuffer.wrap(new byte[] {9}), received.source));

            final ByteBuffer reply = ByteBuffer.allocate(16);
            foreign.receive(reply);
            assertEquals(1, reply.position());
            assertEquals(9, reply.get(0));
        }
        finally
        {
            Files.deleteIfExists(foreignPath);
        }
    }

    @Test
    void shouldRejectAddressesThatAreNotUnixPaths()
    {
        final UnixDatagramMedia media = open(yard("a"), MTU);

        assertThrows(IllegalArgumentException.class, () -> media.resolve("127.0.0.1:7000"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("unix:"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("udp:/tmp/x"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve(null));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("unix:/" + "x".repeat(107)));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("unix:/tmp/a\0b"));
        assertThrows(IllegalArgumentException.class,
            () -> UnixDatagramMedia.open("unix:@abstract", MTU, errors::add));
        assertThrows(IllegalArgumentException.class, () -> UnixDatagramMedia.open(yard("c"), 0, errors::add));
        assertThrows(IllegalArgumentException.class,
            () -> UnixDatagramMedia.open(yard("c"), UnixDatagramMedia.MAX_DATAGRAM_LENGTH + 1, errors::add));
    }

    private String yard(final String name)
    {
        return "unix:" + tempDir.resolve("lane").resolve(name + ".sock");
    }

    private UnixDatagramMedia open(final String address, final int mtu)
    {
        final UnixDatagramMedia media = UnixDatagramMedia.open(address, mtu, errors::add);
        closeables.add(media);
        return media;
    }

    /**
     * Bind a socket with jnr-unixsocket's own channel and close it: its close leaves the socket file, as a crash
     * would.
     */
    private static void bindAndAbandon(final Path path) throws IOException
    {
        final UnixDatagramChannel channel = UnixDatagramChannel.open();
        channel.bind(new UnixSocketAddress(path.toFile()));
        channel.close();
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
    }
}
