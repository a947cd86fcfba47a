package io.raet4j.transport.media;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpMediaTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(5);
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(closeables);
    }

    @Test
    void shouldBindAnEphemeralPortOnLoopback()
    {
        final UdpMedia media = newMedia(1408);

        assertNotEquals(0, media.localAddress().getPort());
        assertEquals(InetAddress.getLoopbackAddress(), media.localAddress().getAddress());
        assertEquals(1408, media.maxDatagramLength());
    }

    @Test
    void shouldReportTheReceiveBufferTheKernelGranted()
    {
        final UdpMedia small = UdpMedia.open("127.0.0.1:0", 1408, 64 * 1024, 64 * 1024, errors::add);
        closeables.add(small);
        final UdpMedia large = UdpMedia.open("127.0.0.1:0", 1408, 1024 * 1024, 0, errors::add);
        closeables.add(large);

        // Linux grants double the request (half for bookkeeping), up to net.core.rmem_max; other kernels differ, but
        // a larger request is never granted less than a smaller one.
        assertTrue(small.receiveBufferBytes() >= 64 * 1024, "granted " + small.receiveBufferBytes());
        assertTrue(large.receiveBufferBytes() >= small.receiveBufferBytes(),
            small.receiveBufferBytes() + " then " + large.receiveBufferBytes());
    }

    @Test
    void shouldExchangeDatagramsBothWaysOnLoopback()
    {
        final UdpMedia a = newMedia(1408);
        final UdpMedia b = newMedia(1408);

        final byte[] ping = "ping from a".getBytes();
        assertEquals(ping.length, a.send(ByteBuffer.wrap(ping), b.localAddress()));
        final Received atB = receiveOne(b);
        assertArrayEquals(ping, atB.bytes);
        assertEquals(a.localAddress(), atB.source);

        final byte[] pong = "pong from b".getBytes();
        final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(pong).flip();
        assertEquals(pong.length, b.send(direct, atB.source));
        final Received atA = receiveOne(a);
        assertArrayEquals(pong, atA.bytes);
        assertEquals(b.localAddress(), atA.source);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldNotThrowWhenSendingToAClosedPort()
    {
        final UdpMedia sender = newMedia(1408);
        final UdpMedia gone = new UdpMedia(LOOPBACK_ANY_PORT, 1408, 0, 0, errors::add);
        final InetSocketAddress goneAddress = gone.localAddress();
        gone.close();

        final ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        for (int i = 0; i < 100; i++)
        {
            buffer.clear().limit(16);
            final int result = sender.send(buffer, goneAddress);
            assertTrue(result == 16 || result == Media.SEND_FAILED || result == Media.SEND_WOULD_BLOCK,
                "result " + result);
            sender.receive((buf, offset, length, source) -> fail("nothing should arrive"), 10);
        }
    }

    @Test
    void shouldReportSendToAnUnresolvedAddressAsFailedNotThrown()
    {
        final UdpMedia sender = newMedia(1408);

        final int result = sender.send(
            ByteBuffer.allocateDirect(8), InetSocketAddress.createUnresolved("no.such.host.invalid", 9));

        assertEquals(Media.SEND_FAILED, result);
        assertEquals(1, errors.size());
    }

    @Test
    void shouldFailToBindAnAddressInUseWithAMessageNamingTheAddress()
    {
        final UdpMedia first = newMedia(1408);

        final UncheckedIOException ex = assertThrows(
            UncheckedIOException.class,
            () -> new UdpMedia(first.localAddress(), 1408, 0, 0, errors::add));
        assertTrue(ex.getMessage().contains(first.localAddress().toString()), ex.getMessage());
    }

    @Test
    void shouldResolveHostPortAndBracketedIpv6()
    {
        final UdpMedia media = newMedia(1408);

        final InetSocketAddress v4 = (InetSocketAddress)media.resolve("127.0.0.1:40123");
        assertEquals(new InetSocketAddress("127.0.0.1", 40123), v4);

        final InetSocketAddress v6 = (InetSocketAddress)media.resolve("[::1]:65535");
        assertTrue(v6.getAddress() instanceof Inet6Address);
        assertTrue(v6.getAddress().isLoopbackAddress());
        assertEquals(65535, v6.getPort());

        assertEquals(0, ((InetSocketAddress)media.resolve("localhost:0")).getPort());
        assertEquals(new InetSocketAddress("127.0.0.1", 7), UdpMedia.open("127.0.0.1:0", 100, errors::add)
            .resolve("127.0.0.1:7"));
    }

    @Test
    void shouldRejectMalformedAddressesWithAClearMessage()
    {
        final UdpMedia media = newMedia(1408);
        final String[] bad =
        {
            "", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:8o",
            "::1:80", "[::1]80", "[::1]:", "[::1", "[]:80", "127.0.0.1:123456", "no.such.host.invalid:80"
        };

        for (final String address : bad)
        {
            final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> media.resolve(address), "address '" + address + "'");
            assertTrue(ex.getMessage().contains(address), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> media.resolve(null));
    }

    @Test
    void shouldDropAndCountADatagramLongerThanMaxDatagramLength()
    {
        final UdpMedia sender = newMedia(1000);
        final UdpMedia receiver = newMedia(100);

        final ByteBuffer buffer = ByteBuffer.allocateDirect(1000);
        buffer.clear().limit(101);
        assertEquals(101, sender.send(buffer, receiver.localAddress()));
        buffer.clear().limit(100);
        assertEquals(100, sender.send(buffer, receiver.localAddress()));

        final Received received = receiveOne(receiver);
        assertEquals(100, received.bytes.length);
        assertEquals(1, receiver.oversizeDrops());
    }

    @Test
    void shouldAllocateNothingWhenSendingAndReceivingInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UdpMedia a = newMedia(1408);
        final UdpMedia b = newMedia(1408);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1408);
        final InetSocketAddress destination = b.localAddress();
        final CountingHandler handler = new CountingHandler();

        for (int i = 0; i < 5; i++)
        {
            exchange(a, b, buffer, destination, handler, 20_000);
        }

        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        final int count = 50_000;
        exchange(a, b, buffer, destination, handler, count);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        System.out.println("UdpMedia send+receive allocated " + allocated + " bytes over " + count + " datagrams");
        // a per-datagram allocation would be >= 16 B x 50k; what remains after warm-up is one-off JIT noise
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over " + count + " datagrams");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    private static void exchange(
        final UdpMedia sender,
        final UdpMedia receiver,
        final ByteBuffer buffer,
        final InetSocketAddress destination,
        final CountingHandler handler,
        final int count)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS * 4;
        for (int i = 0; i < count; i++)
        {
            buffer.clear().limit(64);
            buffer.putInt(0, i);
            if (sender.send(buffer, destination) != 64)
            {
                throw new AssertionError("send failed at " + i);
            }

            final long expected = handler.count + 1;
            while (handler.count < expected)
            {
                receiver.receive(handler, 16);
                if (System.nanoTime() > deadlineNs)
                {
                    throw new AssertionError("timed out at datagram " + i);
                }
            }
        }
    }

    private UdpMedia newMedia(final int maxDatagramLength)
    {
        final UdpMedia media = new UdpMedia(LOOPBACK_ANY_PORT, maxDatagramLength, 0, 0, errors::add);
        closeables.add(media);
        return media;
    }

    private static Received receiveOne(final Media media)
    {
        final Received received = new Received();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (null == received.bytes)
        {
            media.receive(received, 1);
            if (System.nanoTime() > deadlineNs)
            {
                fail("no datagram within 5 s");
            }
        }
        return received;
    }

    private static final class Received implements DatagramHandler
    {
        byte[] bytes;
        SocketAddress source;

        public void onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress src)
        {
            bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            source = src;
        }
    }

    private static final class CountingHandler implements DatagramHandler
    {
        long count;
        long checksum;

        public void onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress src)
        {
            count++;
            checksum += buffer.getInt(offset);
        }
    }
}
