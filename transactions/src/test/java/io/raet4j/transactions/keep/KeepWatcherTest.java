package io.raet4j.transactions.keep;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeepWatcherTest
{
    @TempDir
    Path dir;

    private final List<Throwable> errors = new ArrayList<>();
    private Keep stackKeep;
    private Keep cliKeep;
    private KeepWatcher watcher;

    @BeforeEach
    void before()
    {
        stackKeep = Keep.open(dir);
        cliKeep = Keep.open(dir);
        stackKeep.put(record("bob", Acceptance.PENDING));
        watcher = new KeepWatcher(stackKeep, errors::add);
    }

    @AfterEach
    void after()
    {
        watcher.close();
        cliKeep.close();
        stackKeep.close();
    }

    @Test
    void shouldStartFromTheRecordsInTheKeep()
    {
        assertEquals(List.of(record("bob", Acceptance.PENDING)), watcher.records());
        assertEquals(List.of(), watcher.poll());
    }

    @Test
    void shouldNoticeAStatusChangedByAnotherKeepWithinOnePoll()
    {
        assertTrue(cliKeep.setStatus("bob", Acceptance.ACCEPTED));
        final List<KeepChange> changes = watcher.poll();
        assertEquals(1, changes.size());
        final KeepChange change = changes.get(0);
        assertEquals("bob", change.name());
        assertEquals(Acceptance.PENDING, change.previous().status());
        assertEquals(Acceptance.ACCEPTED, change.current().status());
        assertEquals(List.of(), watcher.poll());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldNoticeAddedAndDeletedRecords()
    {
        cliKeep.put(record("carol", Acceptance.REJECTED));
        assertTrue(cliKeep.delete("bob"));
        final List<KeepChange> changes = watcher.poll();
        assertEquals(2, changes.size());
        assertTrue(changes.get(0).isDeleted());
        assertEquals("bob", changes.get(0).name());
        assertTrue(changes.get(1).isAdded());
        assertEquals(record("carol", Acceptance.REJECTED), changes.get(1).current());
    }

    @Test
    void shouldNotReportItsOwnKeepsWrites()
    {
        stackKeep.put(record("carol", Acceptance.PENDING));
        stackKeep.setStatus("bob", Acceptance.REJECTED);
        assertEquals(List.of(), watcher.poll());
        assertEquals(2, watcher.records().size());
        assertEquals(stackKeep.changeCounter(), watcher.lastCounter());
    }

    @Test
    void shouldReportOwnWritesInterleavedWithForeignOnesWithoutLosingTheForeignOnes()
    {
        cliKeep.setStatus("bob", Acceptance.ACCEPTED);
        stackKeep.put(record("carol", Acceptance.PENDING));
        final List<KeepChange> changes = watcher.poll();
        assertEquals(2, changes.size());
        assertEquals(Acceptance.ACCEPTED, changes.get(0).current().status());
        assertEquals("carol", changes.get(1).name());
    }

    @Test
    void shouldReportACorruptFileAndKeepTheLastGoodRecord() throws Exception
    {
        Files.writeString(dir.resolve("remote/bob.estate"), "format = raet4j-keep/1\nstatus = accpeted\n");
        cliKeep.put(record("carol", Acceptance.PENDING));
        final List<KeepChange> changes = watcher.poll();
        assertEquals(1, changes.size());
        assertEquals("carol", changes.get(0).name());
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("bob.estate"), errors.get(0).getMessage());
        assertEquals(2, watcher.records().size());
    }

    @Test
    void shouldSeeChangesMadeWithoutAKeepOnRescan() throws Exception
    {
        Files.delete(dir.resolve("remote/bob.estate"));
        assertEquals(List.of(), watcher.poll());
        final List<KeepChange> changes = watcher.rescan();
        assertEquals(1, changes.size());
        assertNull(changes.get(0).current());
    }
}
