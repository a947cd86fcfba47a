package io.raet4j.transactions.keep;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeepWriterTest
{
    private static final long FLUSH_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private Keep keep;
    private KeepWriter writer;

    @BeforeEach
    void before()
    {
        keep = Keep.open(dir);
    }

    @AfterEach
    void after()
    {
        if (null != writer)
        {
            writer.close();
        }
        keep.close();
    }

    @Test
    void shouldWriteSubmittedChangesByFlush()
    {
        writer = new KeepWriter(keep, 16, errors::add);
        assertTrue(writer.submitPut(record("bob", Acceptance.PENDING)));
        assertTrue(writer.submitPut(record("carol", Acceptance.PENDING)));
        assertTrue(writer.submitStatus("bob", Acceptance.ACCEPTED));
        assertTrue(writer.submitCompute("carol", (current) -> current.withAddress("10.0.0.9:1", 5)));
        assertTrue(writer.submitDelete("nobody"));
        assertTrue(writer.flush(FLUSH_TIMEOUT_MS));
        assertEquals(Acceptance.ACCEPTED, keep.remote("bob").orElseThrow().status());
        assertEquals("10.0.0.9:1", keep.remote("carol").orElseThrow().address());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldRefuseWithoutBlockingWhenTheQueueIsFull() throws Exception
    {
        writer = new KeepWriter(keep, 4, errors::add);
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        assertTrue(writer.submitCompute("bob", (current) ->
        {
            started.countDown();
            awaitQuietly(release);
            return record("bob", Acceptance.PENDING);
        }));
        assertTrue(started.await(FLUSH_TIMEOUT_MS, TimeUnit.MILLISECONDS));

        final int capacity = writer.capacity();
        assertEquals(4, capacity);
        for (int i = 0; i < capacity; i++)
        {
            assertTrue(writer.submitPut(record("e" + i, Acceptance.PENDING)), "submit " + i);
        }
        assertFalse(writer.submitPut(record("overflow", Acceptance.PENDING)));
        assertFalse(writer.submitStatus("bob", Acceptance.ACCEPTED));
        assertFalse(writer.flush(0));

        release.countDown();
        assertTrue(writer.flush(FLUSH_TIMEOUT_MS));
        assertEquals(capacity + 1, keep.remotes().size());
        assertTrue(keep.remote("overflow").isEmpty());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldReportFailedTasksToTheErrorHandlerAndKeepGoing() throws Exception
    {
        writer = new KeepWriter(keep, 16, errors::add);
        keep.put(record("bob", Acceptance.PENDING));
        Files.writeString(dir.resolve("remote/bob.estate"), "format = raet4j-keep/9\n");
        assertTrue(writer.submitStatus("bob", Acceptance.ACCEPTED));
        assertTrue(writer.submitCompute("carol", (current) ->
        {
            throw new IllegalStateException("boom");
        }));
        assertTrue(writer.submitPut(record("dave", Acceptance.PENDING)));
        assertTrue(writer.flush(FLUSH_TIMEOUT_MS));

        assertEquals(2, errors.size());
        assertTrue(errors.get(0) instanceof KeepException);
        assertTrue(errors.get(0).getMessage().contains("bob.estate"), errors.get(0).getMessage());
        assertEquals("boom", errors.get(1).getMessage());
        assertTrue(keep.remote("dave").isPresent());
    }

    @Test
    void shouldDeliverChangesMadeByAnotherKeepToTheDutyCycle()
    {
        keep.put(record("bob", Acceptance.PENDING));
        try (KeepWatcher watcher = new KeepWatcher(keep, errors::add); Keep cli = Keep.open(dir))
        {
            writer = new KeepWriter(keep, 16, errors::add, watcher, 20, 2);
            assertTrue(cli.setStatus("bob", Acceptance.ACCEPTED));
            for (int i = 0; i < 3; i++)
            {
                cli.put(record("n" + i, Acceptance.PENDING));
            }

            final List<KeepChange> received = new ArrayList<>();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() < 4)
            {
                if (writer.drainChanges(received::add) == 0)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        fail("changes not delivered: " + received);
                    }
                    Thread.onSpinWait();
                }
            }
            assertEquals("bob", received.get(0).name());
            assertEquals(Acceptance.ACCEPTED, received.get(0).current().status());
            assertEquals(List.of("n0", "n1", "n2"), received.subList(1, 4).stream().map(KeepChange::name).toList());
            writer.close();
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void shouldRefuseSubmissionsAfterClose()
    {
        writer = new KeepWriter(keep, 16, errors::add);
        assertTrue(writer.submitPut(record("bob", Acceptance.PENDING)));
        writer.close();
        writer.close();
        assertTrue(keep.remote("bob").isPresent());
        assertFalse(writer.submitPut(record("carol", Acceptance.PENDING)));
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
