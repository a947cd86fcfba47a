package io.raet4j.codec;

import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.PacketHeaderEncoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C of a datagram over its bytes {@code [0, 8)} followed by {@code [12, length)}: everything except the checksum
 * field of the packet header.
 * <p>
 * Both regions feed one {@link CRC32C}, whose public API runs the JDK's CRC32C intrinsic in place on a {@code byte[]}
 * or on the memory of a direct {@link ByteBuffer}. Agrona's {@code Crc32c} is not used: it reaches the same intrinsic
 * by reflection, which needs {@code --add-opens java.base/java.util.zip} in every JVM, and each call starts a fresh
 * CRC over one contiguous region, so skipping the checksum field would take an extra CRC-combine step.
 * <ul>
 *     <li>Heap buffer ({@link DirectBuffer#byteArray()} set): the array is checksummed in place.</li>
 *     <li>Direct buffer over a {@link ByteBuffer} (the usual case): a duplicate of that ByteBuffer, made once and
 *     reused while the buffer's ByteBuffer stays the same, is positioned over each region in turn.</li>
 *     <li>Direct buffer wrapping a raw address, which no ByteBuffer can view without reflection: the regions are
 *     copied in chunks through a small direct scratch buffer, allocated on first use.</li>
 * </ul>
 * <b>NOT thread safe</b>: each {@link PacketWriter} and {@link PacketReader} owns an instance.
 */
final class DatagramChecksum
{
    /**
     * Offset of the checksum field from the start of the datagram.
     */
    static final int CHECKSUM_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + PacketHeaderEncoder.checksumEncodingOffset();

    /**
     * First byte covered by the checksum after the checksum field.
     */
    static final int SUFFIX_OFFSET = CHECKSUM_OFFSET + PacketHeaderEncoder.checksumEncodingLength();

    private static final int SCRATCH_CAPACITY = 4096;

    private static final ThreadLocal<DatagramChecksum> THREAD_INSTANCE = ThreadLocal.withInitial(DatagramChecksum::new);

    private final CRC32C crc = new CRC32C();
    private ByteBuffer viewSource;
    private ByteBuffer view;
    private ByteBuffer scratch;

    /**
     * Checksum of the datagram in {@code [offset, offset + length)} of the buffer. The caller has checked that the
     * range lies inside the buffer and that length is at least {@link #SUFFIX_OFFSET}.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram.
     * @return the CRC32C as stored in the checksum field.
     */
    int compute(final DirectBuffer buffer, final int offset, final int length)
    {
        final int suffixLength = length - SUFFIX_OFFSET;
        crc.reset();

        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            final int index = buffer.wrapAdjustment() + offset;
            crc.update(array, index, CHECKSUM_OFFSET);
            crc.update(array, index + SUFFIX_OFFSET, suffixLength);
        }
        else
        {
            final ByteBuffer source = buffer.byteBuffer();
            if (null != source)
            {
                final ByteBuffer view = view(source);
                final int index = buffer.wrapAdjustment() + offset;
                update(view, index, CHECKSUM_OFFSET);
                update(view, index + SUFFIX_OFFSET, suffixLength);
            }
            else
            {
                updateByCopy(buffer, offset, CHECKSUM_OFFSET);
                updateByCopy(buffer, offset + SUFFIX_OFFSET, suffixLength);
            }
        }

        return (int)crc.getValue();
    }

    /**
     * {@link #compute(DirectBuffer, int, int)} with an instance kept per calling thread, for static callers.
     *
     * @param buffer holding the datagram.
     * @param offset of the datagram in the buffer.
     * @param length of the datagram.
     * @return the CRC32C as stored in the checksum field.
     */
    static int computeOnCallingThread(final DirectBuffer buffer, final int offset, final int length)
    {
        return THREAD_INSTANCE.get().compute(buffer, offset, length);
    }

    private void update(final ByteBuffer byteBuffer, final int index, final int length)
    {
        byteBuffer.limit(index + length);
        byteBuffer.position(index);
        crc.update(byteBuffer);
    }

    private ByteBuffer view(final ByteBuffer source)
    {
        if (source != viewSource)
        {
            // A duplicate so the caller's position and limit are never touched; made once per distinct ByteBuffer.
            view = source.duplicate();
            viewSource = source;
        }

        return view;
    }

    private void updateByCopy(final DirectBuffer buffer, final int index, final int length)
    {
        if (null == scratch)
        {
            scratch = BufferUtil.allocateDirectAligned(SCRATCH_CAPACITY, BitUtil.CACHE_LINE_LENGTH);
        }

        int position = index;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, SCRATCH_CAPACITY);
            buffer.getBytes(position, scratch, 0, chunk);
            update(scratch, 0, chunk);
            position += chunk;
            remaining -= chunk;
        }
    }
}
