package io.raet4j.ipc;

import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.MediaProvider;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MmsgUdpMediaTest
{
    private static final int MTU = 1408;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);

    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldBindAnEphemeralPortAndResolveBothNotations()
    {
        final MmsgUdpMedia media = open();

        assertNotEquals(0, media.localAddress().getPort());
        assertEquals(new InetSocketAddress("127.0.0.1", media.localAddress().getPort()), media.localAddress());
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), media.resolve("udp:127.0.0.1:4000"));
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), media.resolve("127.0.0.1:4000"));
        assertTrue(media.receiveBufferBytes() > 0, media::toString);
        assertTrue(media.canReach(new InetSocketAddress("127.0.0.1", 1)));
        assertFalse(media.canReach(new InetSocketAddress("::1", 1)));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("udp:[::1]:4000"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("udp:127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> media.resolve("udp:127.0.0.1:65536"));
        final IllegalArgumentException ipv6 = assertThrows(
            IllegalArgumentException.class, () -> new MmsgUdpMedia(new InetSocketAddress("::1", 0), MTU, 0, 0,
                errors::add));
        assertTrue(ipv6.getMessage().contains("IPv4"), ipv6::getMessage);
    }

    @Test
    void shouldReportTheReceiveBufferTheKernelGranted()
    {
        final MmsgUdpMedia media = track(MmsgUdpMedia.open("udp:127.0.0.1:0", MTU, 64 * 1024, 64 * 1024, errors::add));

        // Linux doubles the value asked for (within net.core.rmem_max).
        assertTrue(media.receiveBufferBytes() >= 64 * 1024, media::toString);
    }

    @Test
    void shouldBeChosenByTheProviderForUdpAddresses()
    {
        final Media media = track(MediaProvider.openFor("udp:127.0.0.1:0", MTU, errors::add));

        assertInstanceOf(MmsgUdpMedia.class, media);
        assertFalse(new MmsgUdpMediaProvider().supports("127.0.0.1:0"));
        assertFalse(new MmsgUdpMediaProvider().supports("unix:/tmp/x.sock"));
        System.setProperty(MmsgUdpMediaProvider.MEDIA_PROP_NAME, MmsgUdpMediaProvider.MEDIA_MMSG);
        try
        {
            assertTrue(new MmsgUdpMediaProvider().supports("127.0.0.1:0"));
            assertFalse(new MmsgUdpMediaProvider().supports("unix:/tmp/x.sock"));
            assertFalse(new MmsgUdpMediaProvider().supports("shm:x"));
            assertInstanceOf(MmsgUdpMedia.class, track(MediaProvider.openFor("127.0.0.1:0", MTU, errors::add)));
        }
        finally
        {
            System.clearProperty(MmsgUdpMediaProvider.MEDIA_PROP_NAME);
        }
    }

    @Test
    void shouldExchangeDatagramsBetweenTwoMediaWithTheSourceEqualToTheSender()
    {
        final MmsgUdpMedia a = open();
        final MmsgUdpMedia b = open();

        final byte[] ping = "ping from a".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ping.length, a.send(ByteBuffer.wrap(ping), b.resolve("udp:127.0.0.1:" + port(b))));
        assertEquals(1, a.queuedDatagrams());
        assertEquals(1, a.flush());
        assertEquals(0, a.queuedDatagrams());
        final Received atB = receiveOne(b);
        assertArrayEquals(ping, atB.bytes);
        assertEquals(a.localAddress(), atB.source);

        final ByteBuffer pong = ByteBuffer.allocateDirect(64);
        pong.put("pong from b".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals(11, b.send(pong, atB.source));
        assertEquals(1, b.flush());
        final Received atA = receiveOne(a);
        assertEquals("pong from b", new String(atA.bytes, StandardCharsets.US_ASCII));
        assertEquals(b.localAddress(), atA.source);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldInteroperateWithAnOrdinaryUdpSocketBothWays() throws IOException
    {
        final MmsgUdpMedia media = open();
        final DatagramChannel channel = channel();

        channel.send(ByteBuffer.wrap(new byte[]{1, 2, 3}), media.localAddress());
        final Received atMedia = receiveOne(media);
        assertArrayEquals(new byte[]{1, 2, 3}, atMedia.bytes);
        assertEquals(channel.getLocalAddress(), atMedia.source);

        assertEquals(4, media.send(ByteBuffer.wrap(new byte[]{9, 8, 7, 6}), atMedia.source));
        assertEquals(1, media.flush());
        final ByteBuffer in = ByteBuffer.allocate(MTU);
        final SocketAddress from = receive(channel, in);
        assertEquals(media.localAddress(), from);
        assertEquals(4, in.position());
        assertEquals(6, in.get(3));
    }

    @Test
    void shouldReceiveABatchOfOneHundredDatagramsInOrderWithTheirSources() throws IOException
    {
        final MmsgUdpMedia a = open();
        final MmsgUdpMedia b = open();
        final DatagramChannel channel = channel();
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);

        final ByteBuffer datagram = ByteBuffer.allocateDirect(8);
        for (int i = 0; i < 100; i++)
        {
            datagram.clear();
            datagram.putInt(0, i).limit(8);
            if (0 == (i & 1))
            {
                assertEquals(8, a.send(datagram, b.localAddress()));
            }
            else
            {
                a.flush();
                assertEquals(8, channel.send(datagram, b.localAddress()));
            }
        }
        a.flush();

        final List<Received> received = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (received.size() < 100 && System.nanoTime() < deadlineNs)
        {
            b.receive((buffer, offset, length, source) -> received.add(new Received(buffer, offset, length, source)),
                64);
        }

        assertEquals(100, received.size());
        for (int i = 0; i < 100; i++)
        {
            final Received r = received.get(i);
            assertEquals(i, ByteBuffer.wrap(r.bytes).getInt(0), "datagram " + i);
            assertEquals(0 == (i & 1) ? a.localAddress() : channel.getLocalAddress(), r.source, "source of " + i);
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldInternTheSourcesOfSixteenInterleavedPeers() throws IOException
    {
        final MmsgUdpMedia media = open();
        final DatagramChannel[] peers = new DatagramChannel[16];
        for (int i = 0; i < peers.length; i++)
        {
            peers[i] = channel();
        }

        // A round at a time: a few hundred small datagrams would overflow a default SO_RCVBUF.
        final int rounds = 20;
        final Map<SocketAddress, Integer> seen = new IdentityHashMap<>();
        final List<Received> received = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < peers.length; i++)
            {
                final ByteBuffer datagram = ByteBuffer.allocate(4).putInt(0, i);
                assertEquals(4, peers[i].send(datagram, media.localAddress()));
            }
            received.addAll(receive(media, peers.length));
        }

        assertEquals(rounds * peers.length, received.size());
        final SocketAddress[] firstSource = new SocketAddress[peers.length];
        for (final Received r : received)
        {
            final int peer = ByteBuffer.wrap(r.bytes).getInt(0);
            if (null == firstSource[peer])
            {
                firstSource[peer] = r.source;
            }
            assertSame(firstSource[peer], r.source, "the same instance for each datagram of peer " + peer);
            final InetSocketAddress expected = new InetSocketAddress(
                "127.0.0.1", ((InetSocketAddress)peers[peer].getLocalAddress()).getPort());
            assertEquals(expected, r.source);
            assertEquals(expected.hashCode(), r.source.hashCode());
            seen.merge(r.source, 1, Integer::sum);
        }
        assertEquals(peers.length, seen.size(), "one instance per peer: " + seen);
        for (final int count : seen.values())
        {
            assertEquals(rounds, count);
        }
        assertEquals(0, media.uncachedSources());
    }

    @Test
    void shouldDropAndCountAnOversizeDatagram() throws IOException
    {
        final MmsgUdpMedia media = track(MmsgUdpMedia.open("udp:127.0.0.1:0", 100, errors::add));
        final DatagramChannel channel = channel();

        channel.send(ByteBuffer.allocate(101), media.localAddress());
        channel.send(ByteBuffer.allocate(100), media.localAddress());

        final List<Received> received = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        int count = 0;
        while (count < 2 && System.nanoTime() < deadlineNs)
        {
            count += media.receive((buffer, offset, length, source) ->
                received.add(new Received(buffer, offset, length, source)), 10);
        }

        assertEquals(2, count);
        assertEquals(1, received.size());
        assertEquals(100, received.get(0).bytes.length);
        assertEquals(1, media.oversizeDrops());
    }

    @Test
    void shouldFlushWhenTheSendBatchIsFull()
    {
        final MmsgUdpMedia a = open();
        final MmsgUdpMedia b = open();

        final ByteBuffer datagram = ByteBuffer.allocate(16);
        for (int i = 0; i < MmsgUdpMedia.BATCH; i++)
        {
            datagram.clear().putInt(0, i);
            assertEquals(16, a.send(datagram, b.localAddress()));
        }
        assertEquals(MmsgUdpMedia.BATCH, a.queuedDatagrams());
        assertEquals(0, a.datagramsSent());

        datagram.clear().putInt(0, MmsgUdpMedia.BATCH);
        assertEquals(16, a.send(datagram, b.localAddress()));
        assertEquals(MmsgUdpMedia.BATCH, a.datagramsSent());
        assertEquals(1, a.flushes());
        assertEquals(1, a.queuedDatagrams());
        assertEquals(1, a.flush());

        final List<Received> received = receive(b, MmsgUdpMedia.BATCH + 1);
        for (int i = 0; i <= MmsgUdpMedia.BATCH; i++)
        {
            assertEquals(i, ByteBuffer.wrap(received.get(i).bytes).getInt(0));
        }
    }

    @Test
    void shouldSkipADestinationTheKernelRefusesAndSendTheRestOfTheBatch()
    {
        final MmsgUdpMedia a = open();
        final MmsgUdpMedia b = open();
        // Broadcast without SO_BROADCAST is refused with EACCES, and port 0 with EINVAL, each for that datagram.
        final InetSocketAddress broadcast = new InetSocketAddress("255.255.255.255", port(b));
        final InetSocketAddress portZero = new InetSocketAddress("127.0.0.1", 0);

        final ByteBuffer datagram = ByteBuffer.allocate(4);
        for (int i = 0; i < 10; i++)
        {
            datagram.clear().putInt(0, i);
            final SocketAddress to = 3 == i ? broadcast : 7 == i ? portZero : b.localAddress();
            assertEquals(4, a.send(datagram, to));
        }
        assertEquals(8, a.flush());
        assertEquals(0, a.queuedDatagrams());
        assertEquals(2, a.sendFailures());
        assertEquals(2, errors.size(), errors::toString);
        assertTrue(errors.get(0).getMessage().contains("EACCES"), errors.get(0)::getMessage);

        final List<Received> received = receive(b, 8);
        final int[] expected = {0, 1, 2, 4, 5, 6, 8, 9};
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], ByteBuffer.wrap(received.get(i).bytes).getInt(0));
        }
    }

    @Test
    void shouldFlushOnCloseAndFailAfterwards()
    {
        final MmsgUdpMedia a = open();
        final MmsgUdpMedia b = open();

        assertEquals(3, a.send(ByteBuffer.wrap(new byte[]{4, 5, 6}), b.localAddress()));
        a.close();
        a.close();
        assertArrayEquals(new byte[]{4, 5, 6}, receiveOne(b).bytes);

        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.wrap(new byte[]{1}), b.localAddress()));
        assertEquals(0, a.receive((buffer, offset, length, source) -> fail("closed"), 10));
        assertEquals(0, a.flush());
        assertEquals(2, errors.size(), errors::toString);
    }

    @Test
    void shouldRefuseADatagramLongerThanTheMtuAndAnIpv6Destination()
    {
        final MmsgUdpMedia a = open();

        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(MTU + 1), a.localAddress()));
        assertEquals(Media.SEND_FAILED, a.send(ByteBuffer.allocate(1), new InetSocketAddress("::1", 4000)));
        assertEquals(0, a.queuedDatagrams());
        assertEquals(2, a.sendFailures());
    }

    private MmsgUdpMedia open()
    {
        return track(MmsgUdpMedia.open("udp:127.0.0.1:0", MTU, errors::add));
    }

    private <T extends AutoCloseable> T track(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private DatagramChannel channel() throws IOException
    {
        final DatagramChannel channel = track(DatagramChannel.open());
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static int port(final MmsgUdpMedia media)
    {
        return media.localAddress().getPort();
    }

    private static SocketAddress receive(final DatagramChannel channel, final ByteBuffer into) throws IOException
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (System.nanoTime() < deadlineNs)
        {
            final SocketAddress from = channel.receive(into);
            if (null != from)
            {
                return from;
            }
            Thread.onSpinWait();
        }
        return fail("nothing received within the deadline");
    }

    private static Received receiveOne(final MmsgUdpMedia media)
    {
        return receive(media, 1).get(0);
    }

    private static List<Received> receive(final MmsgUdpMedia media, final int count)
    {
        final List<Received> received = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (received.size() < count && System.nanoTime() < deadlineNs)
        {
            media.receive((buffer, offset, length, source) ->
                received.add(new Received(buffer, offset, length, source)), count - received.size());
        }
        assertEquals(count, received.size(), "datagrams received within the deadline");
        return received;
    }

    private static final class Received
    {
        final byte[] bytes;
        final SocketAddress source;

        Received(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
        {
            bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            this.source = source;
        }
    }
}
