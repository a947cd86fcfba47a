package io.raet4j.codec;

import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.NackDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sanity check that the data path allocates nothing once warm; the proof with JMH {@code -prof gc} lives in bench.
 */
class PacketAllocationTest
{
    private static final int WARM_UP_ITERATIONS = 50_000;
    private static final int MEASURED_ITERATIONS = 100_000;
    private static final int MEASURED_ROUNDS = 5;
    private static final int DATA_FRAMES = 8;
    private static final int SEGMENT_LENGTH = 120;

    private final PacketWriter writer = new PacketWriter(SamplePackets.MTU);
    private final PacketReader reader = new PacketReader();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[SEGMENT_LENGTH * DATA_FRAMES]);
    private final UnsafeBuffer received = new UnsafeBuffer(new byte[SEGMENT_LENGTH * DATA_FRAMES]);
    private final long[] starts = { 10, 20, 30, 40 };
    private final long[] ends = { 15, 25, 35, 45 };

    @Test
    void shouldNotAllocateWhenWritingAndReadingDataAckAndNackPackets()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < payload.capacity(); i++)
        {
            payload.putByte(i, (byte)i);
        }

        long sink = 0;
        for (int i = 0; i < WARM_UP_ITERATIONS; i++)
        {
            sink += cycle(i);
        }

        // A one-off allocation by the JVM itself (JIT, OSR) can land in a round; per-packet allocation lands in
        // every round and would be at least 16 B x 100,000. So a round of exactly 0 bytes is required, within 5.
        final StringBuilder rounds = new StringBuilder();
        long allocated = -1;
        for (int round = 0; round < MEASURED_ROUNDS && 0 != allocated; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_ITERATIONS; i++)
            {
                sink += cycle(i);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            rounds.append(allocated).append(" B ");
        }

        assertNotEquals(0, sink);
        assertEquals(0L, allocated, "bytes allocated per round of " + MEASURED_ITERATIONS + " packets: " + rounds);
    }

    private long cycle(final int iteration)
    {
        final long baseSeq = (long)iteration * DATA_FRAMES;
        writer.begin(1L, 2L, 3, 4);
        for (int i = 0; i < DATA_FRAMES; i++)
        {
            final boolean first = 0 == i;
            final boolean last = DATA_FRAMES - 1 == i;
            writer.appendData(
                i & 3,
                DeliveryMode.RELIABLE_ORDERED,
                first,
                last,
                baseSeq + i,
                SEGMENT_LENGTH * DATA_FRAMES,
                SEGMENT_LENGTH * i,
                i,
                payload,
                SEGMENT_LENGTH * i,
                SEGMENT_LENGTH);
        }
        writer.appendAck(1, baseSeq, baseSeq, 64, starts, ends, starts.length);
        writer.appendNack(1, starts, ends, 2);
        final int length = writer.finish();

        long sink = 0;
        if (PacketReader.OK != reader.wrap(writer.buffer(), 0, length))
        {
            return Long.MIN_VALUE;
        }
        while (reader.nextFrame())
        {
            switch (reader.templateId())
            {
                case DataDecoder.TEMPLATE_ID:
                {
                    final DataDecoder data = reader.data();
                    sink += data.seq() + data.channel() + data.mode().value() + data.segmentOffset();
                    received.putBytes(
                        data.segmentOffset(), reader.buffer(), reader.dataPayloadOffset(), reader.dataPayloadLength());
                    break;
                }

                case AckDecoder.TEMPLATE_ID:
                {
                    final AckDecoder ack = reader.ack();
                    sink += ack.cumulativeSeq() + ack.windowSegments();
                    final AckDecoder.RangesDecoder ranges = ack.ranges();
                    while (ranges.hasNext())
                    {
                        sink += ranges.next().endSeq() - ranges.startSeq();
                    }
                    break;
                }

                case NackDecoder.TEMPLATE_ID:
                {
                    final NackDecoder.MissingDecoder missing = reader.nack().missing();
                    while (missing.hasNext())
                    {
                        sink += missing.next().startSeq();
                    }
                    break;
                }

                default:
                    return Long.MIN_VALUE;
            }
        }

        return sink + received.getByte(iteration % received.capacity());
    }
}
