package io.raet4j.bench;

import io.raet4j.ipc.UnixAddress;
import io.raet4j.ipc.UnixDatagramMedia;
import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.UdpMedia;
import io.raet4j.transport.media.Media;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The media alone, below the stack: one datagram sent by one socket and received by another, on a lane
 * ({@link UnixDatagramMedia}, jnr-ffi {@code sendmsg}/{@code recvmsg}) and on UDP loopback ({@link UdpMedia}), in one
 * thread, so that {@code -prof gc} shows what the lane's send and receive paths allocate and what they cost next to
 * the JDK's {@code DatagramChannel}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
@State(Scope.Thread)
public class LaneMediaBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public LaneMediaBenchmark()
    {
    }

    /** Most receive attempts per operation before it fails rather than hang. */
    public static final int MAX_SPINS = 10_000_000;

    /** {@code lane} or {@code udp}. */
    @Param({ "lane", "udp" })
    public String media;

    /** Datagram length. */
    @Param({ "64", "1408" })
    public int datagramBytes;

    private Path dir;
    private Media sender;
    private Media receiver;
    private SocketAddress destination;
    private ByteBuffer datagram;
    private final Counter counter = new Counter();

    static final class Counter implements DatagramHandler
    {
        long received;
        long bytes;

        public void onDatagram(
            final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
        {
            received++;
            bytes += buffer.getByte(offset) + length;
        }
    }

    /**
     * Open the two media.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        try
        {
            dir = Files.createTempDirectory("raet4j-lane-bench-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if ("lane".equals(media))
        {
            sender = UnixDatagramMedia.open("unix:" + dir.resolve("lane/a.sock"), 1408, Throwable::printStackTrace);
            receiver = UnixDatagramMedia.open("unix:" + dir.resolve("lane/b.sock"), 1408, Throwable::printStackTrace);
            destination = (UnixAddress)receiver.localAddress();
        }
        else
        {
            sender = UdpMedia.open("127.0.0.1:0", 1408, Throwable::printStackTrace);
            receiver = UdpMedia.open("127.0.0.1:0", 1408, Throwable::printStackTrace);
            destination = receiver.localAddress();
        }
        datagram = BufferUtil.allocateDirectAligned(datagramBytes, 64);
        for (int i = 0; i < datagramBytes; i++)
        {
            datagram.put(i, (byte)i);
        }
    }

    /**
     * Close both media.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietCloseAll(sender, receiver);
        IoUtil.delete(dir.toFile(), true);
    }

    /**
     * Send one datagram and spin on receive until it is there.
     *
     * @return datagrams received so far.
     */
    @Benchmark
    public long sendReceive()
    {
        datagram.clear();
        if (sender.send(datagram, destination) <= 0)
        {
            throw new IllegalStateException("send failed");
        }
        int spins = 0;
        while (0 == receiver.receive(counter, 1))
        {
            if (++spins > MAX_SPINS)
            {
                throw new IllegalStateException("datagram did not arrive");
            }
        }
        return counter.received;
    }
}
