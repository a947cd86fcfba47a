package io.raet4j.examples;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One byte per message sequence number in a memory-mapped file, so that what an application did with each message
 * survives the process being killed: {@code send --outcomes FILE} writes each message's outcome as it learns it,
 * {@code recv --record FILE} marks each message its application got (a restarted receiver given the same file goes
 * on marking it, so a message delivered to two incarnations shows as a duplicate). Another process (the reliability
 * suite's checker) reads both files and holds the outcomes to what was received.
 * <p>
 * Layout: a 64-byte header (magic, then the count of messages marked twice as a long at offset 8), then one byte per
 * sequence number: {@link #NONE}, {@link #OFFERED}, {@link #DELIVERED}, {@link #FAILED}, {@link #UNCERTAIN} for
 * outcomes; {@link #RECEIVED} for receipts. Writes are plain stores to a shared mapping: the kernel keeps them when
 * the process dies.
 * <p>
 * NOT thread safe: one writer.
 */
final class Ledger implements AutoCloseable
{
    /** Nothing known of the sequence number. */
    static final byte NONE = 0;
    /** Offered; no outcome yet. */
    static final byte OFFERED = 1;
    /** Outcome: delivered. */
    static final byte DELIVERED = 2;
    /** Outcome: failed, certainly not delivered. */
    static final byte FAILED = 3;
    /** Outcome: uncertain. */
    static final byte UNCERTAIN = 4;
    /** Receipt: the application got it. */
    static final byte RECEIVED = 5;

    static final int HEADER_LENGTH = 64;
    private static final int MAGIC = 0x4C454447;
    private static final int DUPLICATES_OFFSET = 8;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final long capacity;

    private Ledger(final MappedByteBuffer mapped, final long capacity)
    {
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.capacity = capacity;
    }

    /**
     * Open a ledger file for writing, created with room for {@code capacity} sequence numbers if it does not exist,
     * or continued if it does (a restarted receiver).
     *
     * @param file     to map.
     * @param capacity sequence numbers it must hold.
     * @return the ledger.
     */
    static Ledger open(final Path file, final long capacity)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final long length = HEADER_LENGTH + capacity;
            if (length > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("a ledger holds at most " + (Integer.MAX_VALUE - HEADER_LENGTH) +
                    " messages, asked " + capacity);
            }
            final long existing = channel.size();
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(length, existing));
            final Ledger ledger = new Ledger(mapped, Math.max(length, existing) - HEADER_LENGTH);
            if (0 == existing)
            {
                ledger.buffer.putInt(0, MAGIC);
            }
            else if (MAGIC != ledger.buffer.getInt(0))
            {
                IoUtil.unmap(mapped);
                throw new IllegalArgumentException(file + " is not a ledger (wrong magic)");
            }
            return ledger;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map the ledger " + file + ": " + ex, ex);
        }
    }

    /**
     * Record what happened to a sequence number; for receipts, count a second receipt as a duplicate.
     *
     * @param sequence of the message.
     * @param value    one of the constants.
     */
    void mark(final long sequence, final byte value)
    {
        if (sequence < 0 || sequence >= capacity)
        {
            return;
        }
        final int index = (int)(HEADER_LENGTH + sequence);
        if (RECEIVED == value && RECEIVED == buffer.getByte(index))
        {
            buffer.putLong(DUPLICATES_OFFSET, buffer.getLong(DUPLICATES_OFFSET) + 1);
        }
        buffer.putByte(index, value);
    }

    /**
     * What is recorded for a sequence number.
     *
     * @param sequence of the message.
     * @return one of the constants.
     */
    byte get(final long sequence)
    {
        return sequence < 0 || sequence >= capacity ? NONE : buffer.getByte((int)(HEADER_LENGTH + sequence));
    }

    /**
     * Receipts of a message already received.
     *
     * @return the count.
     */
    long duplicates()
    {
        return buffer.getLong(DUPLICATES_OFFSET);
    }

    /**
     * Unmap. Idempotent enough: the mapping is released once.
     */
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
