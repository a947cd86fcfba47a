package io.raet4j.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds every outcome a sender reported to what its receivers' applications really got, message by message, from
 * the two memory-mapped ledgers the command line writes: {@code send --outcomes FILE} (one byte per sequence number:
 * 1 offered without outcome, 2 delivered, 3 failed, 4 uncertain) and {@code recv --record FILE} (5 received; a
 * restarted receiver continues the same file, and the header counts second receipts). Both are written as things
 * happen and survive the writer being killed.
 * <p>
 * The promise checked: every message offered has exactly one outcome (unless the sender itself was killed);
 * delivered means received; failed means not received; nothing is received twice; nothing is received that was not
 * offered. Uncertain may go either way: how many of them were received is reported.
 * <p>
 * Immutable once made.
 *
 * @param offered              messages the sender offered.
 * @param delivered            reported delivered.
 * @param failed               reported failed.
 * @param uncertain            reported uncertain.
 * @param pending              offered without an outcome.
 * @param received             distinct messages the receivers got.
 * @param duplicates           receipts of a message already received, across receiver incarnations.
 * @param uncertainReceived    uncertain ones that the receivers did get.
 * @param deliveredNotReceived violations: delivered, never received.
 * @param failedButReceived    violations: failed, yet received.
 * @param receivedNotOffered   violations: received, never offered.
 */
public record LedgerCheck(
    long offered,
    long delivered,
    long failed,
    long uncertain,
    long pending,
    long received,
    long duplicates,
    long uncertainReceived,
    long deliveredNotReceived,
    long failedButReceived,
    long receivedNotOffered)
{
    private static final int HEADER_LENGTH = 64;
    private static final int MAGIC = 0x4C454447;
    private static final int DUPLICATES_OFFSET = 8;
    private static final byte OFFERED = 1;
    private static final byte DELIVERED = 2;
    private static final byte FAILED = 3;
    private static final byte UNCERTAIN = 4;
    private static final byte RECEIVED = 5;

    /**
     * Read the ledgers and compare them.
     *
     * @param outcomes the sender's {@code --outcomes} file.
     * @param records  the receivers' {@code --record} files (one, or one per receiver that did not share it).
     * @return the check.
     */
    public static LedgerCheck of(final Path outcomes, final Path... records)
    {
        final ByteBuffer sent = map(outcomes);
        final List<ByteBuffer> receipts = new ArrayList<>();
        long duplicates = 0;
        int receiptLength = 0;
        for (final Path record : records)
        {
            final ByteBuffer buffer = map(record);
            receipts.add(buffer);
            duplicates += buffer.getLong(DUPLICATES_OFFSET);
            receiptLength = Math.max(receiptLength, buffer.limit());
        }
        long offered = 0;
        long delivered = 0;
        long failed = 0;
        long uncertain = 0;
        long pending = 0;
        long received = 0;
        long uncertainReceived = 0;
        long deliveredNotReceived = 0;
        long failedButReceived = 0;
        long receivedNotOffered = 0;
        final int end = Math.max(sent.limit(), receiptLength);
        for (int i = HEADER_LENGTH; i < end; i++)
        {
            final byte outcome = i < sent.limit() ? sent.get(i) : 0;
            boolean isReceived = false;
            for (final ByteBuffer buffer : receipts)
            {
                if (i < buffer.limit() && RECEIVED == buffer.get(i))
                {
                    isReceived = true;
                }
            }
            if (isReceived)
            {
                received++;
            }
            if (0 == outcome)
            {
                receivedNotOffered += isReceived ? 1 : 0;
                continue;
            }
            offered++;
            switch (outcome)
            {
                case OFFERED:
                    pending++;
                    break;
                case DELIVERED:
                    delivered++;
                    deliveredNotReceived += isReceived ? 0 : 1;
                    break;
                case FAILED:
                    failed++;
                    failedButReceived += isReceived ? 1 : 0;
                    break;
                case UNCERTAIN:
                    uncertain++;
                    uncertainReceived += isReceived ? 1 : 0;
                    break;
                default:
                    throw new IllegalStateException(outcomes + ": unknown outcome " + outcome + " at " +
                        (i - HEADER_LENGTH));
            }
        }
        return new LedgerCheck(offered, delivered, failed, uncertain, pending, received, duplicates,
            uncertainReceived, deliveredNotReceived, failedButReceived, receivedNotOffered);
    }

    /**
     * What breaks the promise, one line each; empty when the outcomes were all true.
     *
     * @param isSenderKilled whether the sender was killed, so that messages without an outcome are expected.
     * @return the violations.
     */
    public List<String> violations(final boolean isSenderKilled)
    {
        final List<String> violations = new ArrayList<>();
        if (deliveredNotReceived > 0)
        {
            violations.add(deliveredNotReceived + " reported delivered were never received");
        }
        if (failedButReceived > 0)
        {
            violations.add(failedButReceived + " reported failed were received");
        }
        if (duplicates > 0)
        {
            violations.add(duplicates + " received twice");
        }
        if (receivedNotOffered > 0)
        {
            violations.add(receivedNotOffered + " received but never offered");
        }
        if (pending > 0 && !isSenderKilled)
        {
            violations.add(pending + " offered without an outcome");
        }
        return violations;
    }

    /**
     * One line for a report.
     *
     * @return the counts.
     */
    public String describe()
    {
        return "offered " + offered + ", delivered " + delivered + ", failed " + failed + ", uncertain " + uncertain +
            " (of which received " + uncertainReceived + "), pending " + pending + "; received " + received +
            ", duplicates " + duplicates + "; violations: delivered-not-received " + deliveredNotReceived +
            ", failed-but-received " + failedButReceived + ", received-not-offered " + receivedNotOffered;
    }

    private static ByteBuffer map(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                .order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.limit() < HEADER_LENGTH || MAGIC != buffer.getInt(0))
            {
                throw new IllegalArgumentException(file + " is not a ledger");
            }
            return buffer;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }
}
