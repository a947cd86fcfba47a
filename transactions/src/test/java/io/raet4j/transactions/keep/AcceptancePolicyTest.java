package io.raet4j.transactions.keep;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.raet4j.transactions.keep.Acceptance.ACCEPTED;
import static io.raet4j.transactions.keep.Acceptance.PENDING;
import static io.raet4j.transactions.keep.Acceptance.REJECTED;
import static io.raet4j.transactions.keep.AcceptancePolicy.ALWAYS;
import static io.raet4j.transactions.keep.AcceptancePolicy.NEVER;
import static io.raet4j.transactions.keep.AcceptancePolicy.ONCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every row and column of the decision table in {@link AcceptancePolicy}'s Javadoc.
 */
class AcceptancePolicyTest
{
    private static final byte[] SIGN = filled(1);
    private static final byte[] AGREE = filled(2);
    private static final byte[] OTHER_SIGN = filled(3);
    private static final byte[] OTHER_AGREE = filled(4);

    private static byte[] filled(final int value)
    {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte)value);
        return key;
    }

    private static RemoteEstateRecord record(final Acceptance status)
    {
        return new RemoteEstateRecord("bob", 42, SIGN, AGREE, status, 1000, 2000, "127.0.0.1:7531");
    }

    private static void assertRow(
        final RemoteEstateRecord known,
        final byte[] sign,
        final byte[] agree,
        final Acceptance always,
        final Acceptance once,
        final Acceptance never)
    {
        assertEquals(always, ALWAYS.decide(known, sign, agree), "ALWAYS");
        assertEquals(once, ONCE.decide(known, sign, agree), "ONCE");
        assertEquals(never, NEVER.decide(known, sign, agree), "NEVER");
    }

    @Test
    void shouldDecideForAnUnknownName()
    {
        assertRow(null, SIGN, AGREE, ACCEPTED, ACCEPTED, PENDING);
    }

    @Test
    void shouldDecideForTheSameKeysAsRecorded()
    {
        assertRow(record(ACCEPTED), SIGN, AGREE, ACCEPTED, ACCEPTED, ACCEPTED);
        assertRow(record(PENDING), SIGN, AGREE, ACCEPTED, PENDING, PENDING);
    }

    @Test
    void shouldDecideForOtherKeysThanRecorded()
    {
        assertRow(record(ACCEPTED), OTHER_SIGN, AGREE, ACCEPTED, REJECTED, PENDING);
        assertRow(record(ACCEPTED), SIGN, OTHER_AGREE, ACCEPTED, REJECTED, PENDING);
        assertRow(record(PENDING), OTHER_SIGN, OTHER_AGREE, ACCEPTED, PENDING, PENDING);
    }

    @Test
    void shouldKeepAnOperatorRejectionWhateverThePolicyAndKeys()
    {
        assertRow(record(REJECTED), SIGN, AGREE, REJECTED, REJECTED, REJECTED);
        assertRow(record(REJECTED), OTHER_SIGN, OTHER_AGREE, REJECTED, REJECTED, REJECTED);
    }

    @Test
    void shouldRecordPresentedKeysOnlyForNewNamesAndAllowedChanges()
    {
        assertTrue(NEVER.recordsPresentedKeys(null, SIGN, AGREE, PENDING));
        assertFalse(ONCE.recordsPresentedKeys(record(ACCEPTED), SIGN, AGREE, ACCEPTED), "same keys");
        assertFalse(ONCE.recordsPresentedKeys(record(ACCEPTED), OTHER_SIGN, AGREE, REJECTED), "refused change");
        assertTrue(ALWAYS.recordsPresentedKeys(record(ACCEPTED), OTHER_SIGN, AGREE, ACCEPTED));
        assertTrue(NEVER.recordsPresentedKeys(record(ACCEPTED), OTHER_SIGN, AGREE, PENDING));
        assertFalse(ALWAYS.recordsPresentedKeys(record(REJECTED), OTHER_SIGN, AGREE, REJECTED));
    }

    @Test
    void shouldParseTheCommandLineNames()
    {
        assertEquals(ALWAYS, AcceptancePolicy.parse("always"));
        assertEquals(ONCE, AcceptancePolicy.parse("ONCE"));
        assertEquals(NEVER, AcceptancePolicy.parse("Never"));
        assertThrows(IllegalArgumentException.class, () -> AcceptancePolicy.parse("sometimes"));
    }
}
