package io.raet4j.bench;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Throughput of two stacks joined over an in-memory media, both driven from one thread: the CPU cost per message of
 * the stack alone, without system calls or a second thread's scheduling. Far steadier on a shared machine than the
 * socket benchmarks (run to run within a few per cent), so it shows small changes in per-message work that the
 * harness's noise hides; it says nothing about the kernel's share. The media copies each datagram into a queue
 * (allocating), the same for every version compared.
 * <pre>
 * java -jar raet4j-bench.jar memory [--encryption on|off] [--size B] [--seconds S]
 * </pre>
 * Prints one line: messages per second handed to the receiving application, measured after a 3-second warm-up, with
 * a delivery handler on the sender so outcomes are handed over as applications see them.
 */
public final class MemoryPairThroughput
{
    private static final int OFFERS_PER_CYCLE = 64;
    private static final int POLL_LIMIT = 256;

    private MemoryPairThroughput()
    {
    }

    /**
     * Run it.
     *
     * @param args {@code --encryption on|off}, {@code --size B}, {@code --seconds S}.
     * @throws Exception if a stack cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        boolean encryption = false;
        int size = 32;
        double seconds = 3;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--encryption":
                    encryption = "on".equals(args[i + 1]);
                    break;
                case "--size":
                    size = Integer.parseInt(args[i + 1]);
                    break;
                case "--seconds":
                    seconds = Double.parseDouble(args[i + 1]);
                    break;
                default:
                    throw new IllegalArgumentException(
                        "usage: memory [--encryption on|off] [--size B] [--seconds S]; unknown: " + args[i]);
            }
        }
        final MemoryMedia mediaA = new MemoryMedia(7001);
        final MemoryMedia mediaB = new MemoryMedia(7002);
        mediaA.peer = mediaB;
        mediaB.peer = mediaA;
        try (Stack a = Stack.launch(new StackContext(new Context().name("memory-a").media(mediaA)
                .statusDir(Files.createTempDirectory("raet4j-memory-a"))).encryption(encryption));
            Stack b = Stack.launch(new StackContext(new Context().name("memory-b").media(mediaB)
                .statusDir(Files.createTempDirectory("raet4j-memory-b"))).encryption(encryption)))
        {
            a.addDeliveryHandler(new CountingOutcomes());
            a.join("127.0.0.1:7002");
            while (!a.isJoined(b.estateId()))
            {
                a.doWork();
                b.doWork();
            }
            final double rate = run(a, b, size, 3);
            final double measured = run(a, b, size, seconds);
            System.out.printf(Locale.ROOT, "memory pair, encryption %s, %d B: %.0f msgs/s (warm-up %.0f msgs/s)%n",
                encryption ? "on" : "off", size, measured, rate);
        }
    }

    private static double run(final Stack a, final Stack b, final int size, final double seconds)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
        final long bId = b.estateId();
        final long[] received = {0};
        final long startNs = System.nanoTime();
        final long endNs = startNs + (long)(seconds * 1e9);
        while (System.nanoTime() < endNs)
        {
            for (int i = 0; i < OFFERS_PER_CYCLE; i++)
            {
                if (a.offer(bId, 0, message, 0, size) < 0)
                {
                    break;
                }
            }
            a.doWork();
            b.doWork();
            b.poll((from, channel, buffer, offset, length) -> received[0]++, POLL_LIMIT);
        }
        return received[0] / ((System.nanoTime() - startNs) / 1e9);
    }

    private static final class CountingOutcomes implements DeliveryHandler
    {
        private long delivered;

        @Override
        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            delivered++;
        }

        @Override
        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            throw new IllegalStateException("failed on an in-memory pair: " + reason);
        }

        @Override
        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            throw new IllegalStateException("uncertain on an in-memory pair: " + reason);
        }
    }

    /**
     * A datagram link in memory between two media: what one sends, the other receives, in order, whole.
     */
    private static final class MemoryMedia implements Media
    {
        private final InetSocketAddress self;
        private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
        private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(65536));
        private MemoryMedia peer;

        MemoryMedia(final int port)
        {
            self = new InetSocketAddress("127.0.0.1", port);
        }

        @Override
        public int receive(final DatagramHandler handler, final int limit)
        {
            int count = 0;
            while (count < limit && !inbox.isEmpty())
            {
                final byte[] datagram = inbox.poll();
                buffer.putBytes(0, datagram);
                handler.onDatagram(buffer, 0, datagram.length, peer.self);
                count++;
            }
            return count;
        }

        @Override
        public int send(final ByteBuffer datagram, final SocketAddress destination)
        {
            final int length = datagram.remaining();
            final byte[] copy = new byte[length];
            datagram.get(copy);
            peer.inbox.add(copy);
            return length;
        }

        @Override
        public SocketAddress resolve(final String address)
        {
            final int colon = address.lastIndexOf(':');
            return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        }

        @Override
        public SocketAddress localAddress()
        {
            return self;
        }

        @Override
        public int maxDatagramLength()
        {
            return 65507;
        }

        @Override
        public void close()
        {
        }
    }
}
