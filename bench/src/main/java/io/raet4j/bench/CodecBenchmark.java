package io.raet4j.bench;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.transport.Context;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The codec's hot paths, one packet per operation: building a Data packet with a 1 KiB payload, validating and
 * iterating one, and the same for an Ack packet carrying the most ranges an Ack may carry (32). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} should be about 0 B/op.
 * <p>
 * Every operation includes the CRC32C of the whole datagram, on write (in {@code finish}) and on read (in
 * {@code wrap}).
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
public class CodecBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public CodecBenchmark()
    {
    }

    /** Payload of the Data packet, in bytes. */
    public static final int DATA_PAYLOAD_BYTES = 1024;

    private static final long SRC_ESTATE_ID = 0xA1L;
    private static final long DST_ESTATE_ID = 0xB2L;
    private static final int SRC_SESSION = 0x1234_5678;
    private static final int DST_SESSION = 0x7654_3210;
    private static final int RANGES = PacketWriter.MAX_ACK_RANGES;

    private final PacketWriter writer = new PacketWriter(Context.MTU_DEFAULT);
    private final PacketReader reader = new PacketReader();
    private final UnsafeBuffer payload =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(DATA_PAYLOAD_BYTES, BitUtil.CACHE_LINE_LENGTH));
    private final long[] rangeStarts = new long[RANGES];
    private final long[] rangeEnds = new long[RANGES];
    private final UnsafeBuffer dataPacket =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(Context.MTU_DEFAULT, BitUtil.CACHE_LINE_LENGTH));
    private final UnsafeBuffer ackPacket =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(Context.MTU_DEFAULT, BitUtil.CACHE_LINE_LENGTH));
    private int dataPacketLength;
    private int ackPacketLength;
    private long seq;

    /**
     * Fill the payload and the ranges, and build the Data and Ack packets the read benchmarks decode.
     */
    @Setup
    public void setup()
    {
        for (int i = 0; i < DATA_PAYLOAD_BYTES; i++)
        {
            payload.putByte(i, (byte)i);
        }
        for (int i = 0; i < RANGES; i++)
        {
            rangeStarts[i] = 1_000 + 10L * i;
            rangeEnds[i] = rangeStarts[i] + 5;
        }

        writeData();
        dataPacketLength = writer.length();
        dataPacket.putBytes(0, writer.buffer(), 0, dataPacketLength);

        writeAck();
        ackPacketLength = writer.length();
        ackPacket.putBytes(0, writer.buffer(), 0, ackPacketLength);

        if (PacketReader.OK != reader.wrap(dataPacket, 0, dataPacketLength) ||
            PacketReader.OK != reader.wrap(ackPacket, 0, ackPacketLength))
        {
            throw new IllegalStateException("benchmark packets do not validate");
        }
    }

    /**
     * PacketWriter begin, appendData with a 1 KiB payload, finish (frame count and CRC32C).
     *
     * @return the datagram length.
     */
    @Benchmark
    public int writeData()
    {
        writer.begin(SRC_ESTATE_ID, DST_ESTATE_ID, SRC_SESSION, DST_SESSION);
        writer.appendData(
            0, DeliveryMode.RELIABLE_ORDERED, true, true, seq++, DATA_PAYLOAD_BYTES, 0, 0,
            payload, 0, DATA_PAYLOAD_BYTES);
        return writer.finish();
    }

    /**
     * PacketReader wrap (full validation and CRC32C) of a Data packet with a 1 KiB payload, then iterate its frames
     * and read the segment fields and the payload bounds.
     *
     * @return a value that depends on every field read.
     */
    @Benchmark
    public long readData()
    {
        final PacketReader reader = this.reader;
        long sum = reader.wrap(dataPacket, 0, dataPacketLength);
        sum += reader.srcEstateId() + reader.srcSession();
        while (reader.nextFrame())
        {
            sum += reader.data().seq();
            sum += reader.dataPayloadOffset() + reader.dataPayloadLength();
        }
        return sum;
    }

    /**
     * PacketWriter begin, appendAck with 32 ranges, finish.
     *
     * @return the datagram length.
     */
    @Benchmark
    public int writeAck()
    {
        writer.begin(SRC_ESTATE_ID, DST_ESTATE_ID, SRC_SESSION, DST_SESSION);
        writer.appendAck(3, 1_000, 990, 2048, rangeStarts, rangeEnds, RANGES);
        return writer.finish();
    }

    /**
     * PacketReader wrap of an Ack packet with 32 ranges, then iterate the frame and its ranges.
     *
     * @return a value that depends on every range read.
     */
    @Benchmark
    public long readAck()
    {
        final PacketReader reader = this.reader;
        long sum = reader.wrap(ackPacket, 0, ackPacketLength);
        while (reader.nextFrame())
        {
            final AckDecoder ack = reader.ack();
            sum += ack.cumulativeSeq() + ack.deliveredSeq();
            for (final AckDecoder.RangesDecoder range : ack.ranges())
            {
                sum += range.endSeq() - range.startSeq();
            }
        }
        return sum;
    }
}
