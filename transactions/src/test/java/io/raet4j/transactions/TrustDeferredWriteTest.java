package io.raet4j.transactions;

import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.AcceptancePolicy;
import io.raet4j.transactions.keep.Keep;
import io.raet4j.transactions.keep.KeepWriter;
import io.raet4j.transactions.keep.LocalIdentity;
import io.raet4j.transactions.keep.RemoteEstateRecord;
import io.raet4j.transactions.keep.Trust;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decision the keep writer cannot take at once (its queue is full: a burst of joins on a slow disk) is kept and
 * written later, in order, newest record per name; only what still waits when the stack closes is dropped, and
 * counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrustDeferredWriteTest
{
    private static final long WAIT_MS = 10_000;
    private static final int JOINERS = 10;

    @TempDir
    Path dir;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private Keep keep;
    private KeepWriter writer;
    private Trust trust;

    @BeforeEach
    void before() throws Exception
    {
        keep = Keep.open(dir);
        writer = new KeepWriter(keep, 4, errors::add);
        trust = new Trust(LocalIdentity.generate("hub", 1), AcceptancePolicy.parse("once"), List.of(), writer,
            new CachedEpochClock());

        // Hold the writer thread inside a task, then fill its queue: every record from now on is refused at once.
        assertTrue(writer.submitCompute("blocker", (current) ->
        {
            blocked.countDown();
            try
            {
                release.await(WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertTrue(blocked.await(WAIT_MS, TimeUnit.MILLISECONDS));
        int filled = 0;
        while (writer.submitCompute("filler-" + filled, (current) -> null))
        {
            filled++;
        }
        assertTrue(filled > 0, "the queue was filled");
    }

    @AfterEach
    void after()
    {
        release.countDown();
        writer.close();
        keep.close();
    }

    @Test
    void shouldWriteEveryDecisionOnceTheWriterHasRoomNewestRecordPerName()
    {
        for (int i = 0; i < JOINERS; i++)
        {
            assertEquals(Acceptance.ACCEPTED, decide(i, "10.0.0." + i + ":7530"));
        }
        // A later decision for a waiting name replaces its record in place: the newest address is what is written.
        assertEquals(Acceptance.ACCEPTED, decide(3, "10.0.9.9:7530"));
        assertTrue(trust.hasUnsaved());
        assertEquals(JOINERS + 1, trust.writesDeferred());
        assertEquals(0, trust.saveDeferred(), "nothing fits while the writer is held");

        release.countDown();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (trust.hasUnsaved() && System.nanoTime() < deadlineNs)
        {
            trust.saveDeferred();
            Thread.onSpinWait();
        }
        assertFalse(trust.hasUnsaved(), "every waiting record was handed over");
        assertTrue(writer.flush(WAIT_MS));

        for (int i = 0; i < JOINERS; i++)
        {
            final RemoteEstateRecord record = keep.remote(name(i)).orElseThrow();
            assertEquals(Acceptance.ACCEPTED, record.status());
            assertEquals(3 == i ? "10.0.9.9:7530" : "10.0.0." + i + ":7530", record.address());
        }
        assertEquals(0, trust.writesDropped());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldCountWhatStillWaitsAtCloseAsDropped()
    {
        decide(0, "10.0.0.1:7530");
        decide(1, "10.0.0.2:7530");
        assertTrue(trust.hasUnsaved());

        // The writer never gets room back within the close deadline.
        assertEquals(2, trust.saveDeferredBeforeClose(20));
        assertEquals(2, trust.writesDropped());
        assertFalse(trust.hasUnsaved());
    }

    private Acceptance decide(final int i, final String address)
    {
        final byte[] signKey = new byte[32];
        final byte[] agreeKey = new byte[32];
        Arrays.fill(signKey, (byte)(i + 1));
        Arrays.fill(agreeKey, (byte)(i + 101));
        return trust.decideJoiner(name(i), 1000 + i, signKey, agreeKey, address);
    }

    private static String name(final int i)
    {
        return "estate-" + i;
    }
}
