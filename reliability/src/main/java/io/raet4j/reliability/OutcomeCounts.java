package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How many messages of a {@code send --outcomes} ledger are in each state right now: a cheap look at a stream while
 * it runs (is it still flowing?), where {@link LedgerCheck} is the full comparison made at the end. The ledger is
 * read through a mapping while the sender writes it, so the counts are a moment's view, each byte read once.
 *
 * @param offered   messages offered so far (every non-empty byte).
 * @param pending   offered without an outcome yet.
 * @param delivered reported delivered.
 * @param failed    reported failed.
 * @param uncertain reported uncertain.
 */
public record OutcomeCounts(long offered, long pending, long delivered, long failed, long uncertain)
{
    /** Counts of a ledger that does not exist yet. */
    public static final OutcomeCounts NONE = new OutcomeCounts(0, 0, 0, 0, 0);

    private static final int HEADER_LENGTH = 64;
    private static final int MAGIC = 0x4C454447;

    /**
     * Count the outcomes in a ledger.
     *
     * @param outcomes the sender's {@code --outcomes} file.
     * @return the counts, {@link #NONE} if the file is absent or not yet a ledger (the sender is starting).
     */
    public static OutcomeCounts of(final Path outcomes)
    {
        if (!Files.exists(outcomes))
        {
            return NONE;
        }
        try (FileChannel channel = FileChannel.open(outcomes, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                return NONE;
            }
            final ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size)
                .order(ByteOrder.LITTLE_ENDIAN);
            if (MAGIC != buffer.getInt(0))
            {
                return NONE;
            }
            final long[] byState = new long[256];
            for (int i = HEADER_LENGTH, end = buffer.limit(); i < end; i++)
            {
                byState[buffer.get(i) & 0xFF]++;
            }
            final long pending = byState[1];
            final long delivered = byState[2];
            final long failed = byState[3];
            final long uncertain = byState[4];
            return new OutcomeCounts(pending + delivered + failed + uncertain, pending, delivered, failed, uncertain);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + outcomes, ex);
        }
    }
}
