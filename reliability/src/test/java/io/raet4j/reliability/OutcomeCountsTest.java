package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link OutcomeCounts} on ledgers written here in the command line's layout: a 64-byte header with the magic, then
 * one byte per sequence number.
 */
class OutcomeCountsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountEachOutcomeAndTheMessagesStillWithoutOne() throws IOException
    {
        final Path ledger = dir.resolve("outcomes.ledger");
        final byte[] states = {2, 2, 2, 3, 4, 1, 1, 0, 0};
        final ByteBuffer buffer = ByteBuffer.allocate(64 + states.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(0, 0x4C454447);
        buffer.put(64, states);
        Files.write(ledger, buffer.array());

        assertEquals(new OutcomeCounts(7, 2, 3, 1, 1), OutcomeCounts.of(ledger));
    }

    @Test
    void shouldCountNothingBeforeTheSenderHasMadeItsLedger() throws IOException
    {
        assertEquals(OutcomeCounts.NONE, OutcomeCounts.of(dir.resolve("absent.ledger")));
        final Path empty = Files.createFile(dir.resolve("empty.ledger"));
        assertEquals(OutcomeCounts.NONE, OutcomeCounts.of(empty));
    }
}
