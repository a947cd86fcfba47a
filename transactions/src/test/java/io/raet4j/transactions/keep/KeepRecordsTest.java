package io.raet4j.transactions.keep;

import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeepRecordsTest
{
    private final AtomicLong nowMs = new AtomicLong(5_000);
    private final EpochClock clock = nowMs::get;

    @TempDir
    Path dir;

    private Keep keep;

    @BeforeEach
    void before()
    {
        keep = Keep.open(dir, clock);
    }

    @AfterEach
    void after()
    {
        keep.close();
    }

    @Test
    void shouldPutReadListAndDeleteRecords()
    {
        assertTrue(keep.remote("bob").isEmpty());
        assertEquals(0, keep.changeCounter());

        final RemoteEstateRecord bob = record("bob", Acceptance.PENDING);
        final RemoteEstateRecord carol = record("carol", Acceptance.ACCEPTED);
        keep.put(carol);
        keep.put(bob);
        assertEquals(bob, keep.remote("bob").orElseThrow());
        assertEquals(List.of(bob, carol), keep.remotes());
        assertEquals(2, keep.changeCounter());

        assertTrue(keep.delete("bob"));
        assertFalse(keep.delete("bob"));
        assertEquals(List.of(carol), keep.remotes());
        assertEquals(3, keep.changeCounter());
    }

    @Test
    void shouldSetStatusStampingTheChangeTimeAndSkipWritingWhenUnchanged()
    {
        keep.put(record("bob", Acceptance.PENDING));
        nowMs.set(9_000);
        assertTrue(keep.setStatus("bob", Acceptance.ACCEPTED));
        final RemoteEstateRecord accepted = keep.remote("bob").orElseThrow();
        assertEquals(Acceptance.ACCEPTED, accepted.status());
        assertEquals(9_000, accepted.lastChangedMs());
        assertEquals(1_000, accepted.firstSeenMs());
        final long counter = keep.changeCounter();

        assertTrue(keep.setStatus("bob", Acceptance.ACCEPTED));
        assertEquals(counter, keep.changeCounter());
        assertFalse(keep.setStatus("nobody", Acceptance.REJECTED));
    }

    @Test
    void shouldComputeFromTheCurrentRecord()
    {
        final RemoteEstateRecord bob = record("bob", Acceptance.PENDING);
        assertEquals(bob, keep.compute("bob", (current) -> null == current ? bob : current).orElseThrow());
        final RemoteEstateRecord moved = keep.compute("bob", (current) -> current.withAddress("10.1.1.1:1", 7))
            .orElseThrow();
        assertEquals("10.1.1.1:1", moved.address());
        assertEquals(Acceptance.PENDING, moved.status());
        assertEquals(moved, keep.remote("bob").orElseThrow());
        assertTrue(keep.compute("nobody", (current) -> null).isEmpty());
        assertThrows(IllegalArgumentException.class,
            () -> keep.compute("bob", (current) -> record("carol", Acceptance.PENDING)));
    }

    @Test
    void shouldRoundTripAwkwardNamesAndAddresses()
    {
        final String[] names = {
            "a b", "100%", ".hidden", "..", "../../etc/passwd", "line\nbreak", "tab\there", " lead", "trail ",
            "é😀", "#comment", "x = y", "CON", "~tilde", "a".repeat(255), "é".repeat(127) };
        for (final String name : names)
        {
            final RemoteEstateRecord record = new RemoteEstateRecord(
                name, -7, KeepTestRecords.key(name), KeepTestRecords.key(name + "2"), Acceptance.REJECTED, 0, 0,
                "unix:/tmp/a dir/" + name);
            keep.put(record);
            assertEquals(record, keep.remote(name).orElseThrow(), name);
        }
        assertEquals(names.length, keep.remotes().size());
        final RemoteEstateRecord noAddress = new RemoteEstateRecord(
            "quiet", 1, KeepTestRecords.key("q"), KeepTestRecords.key("r"), Acceptance.PENDING, 0, 0, null);
        keep.put(noAddress);
        assertEquals(noAddress, keep.remote("quiet").orElseThrow());
    }

    @Test
    void shouldMapNamesToSafeFileNames()
    {
        assertEquals("bob.estate", Keep.fileNameFor("bob"));
        assertEquals("Bob_1-x.y.estate", Keep.fileNameFor("Bob_1-x.y"));
        assertEquals("a%20b.estate", Keep.fileNameFor("a b"));
        assertEquals("%2Ehidden.estate", Keep.fileNameFor(".hidden"));
        assertEquals("%2E..estate", Keep.fileNameFor(".."));
        assertEquals("%2E.%2F..%2Fetc.estate", Keep.fileNameFor("../../etc"));
        assertEquals("100%25.estate", Keep.fileNameFor("100%"));
        assertEquals("%7Etilde.estate", Keep.fileNameFor("~tilde"));
        assertEquals("%C3%A9.estate", Keep.fileNameFor("é"));
        assertEquals("a".repeat(200) + ".estate", Keep.fileNameFor("a".repeat(200)));
        final String hashed = Keep.fileNameFor("a".repeat(201));
        assertTrue(hashed.matches("~[0-9a-f]{64}\\.estate"), hashed);
        assertThrows(IllegalArgumentException.class, () -> Keep.fileNameFor(""));
        assertThrows(IllegalArgumentException.class, () -> Keep.fileNameFor("a".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> Keep.fileNameFor("\uD800"));
    }

    @Test
    void shouldIgnoreTempAndForeignFilesInTheRemoteDirectory() throws Exception
    {
        final RemoteEstateRecord bob = record("bob", Acceptance.PENDING);
        keep.put(bob);
        final Path remote = dir.resolve("remote");
        Files.writeString(remote.resolve(".bob.estate.1234abcd.tmp"), "format = raet4j-keep/1\nkind = rem");
        Files.writeString(remote.resolve(".bob.estate.swp"), "garbage");
        Files.writeString(remote.resolve("bob.estate~"), "garbage");
        Files.writeString(remote.resolve("README"), "garbage");
        assertEquals(List.of(bob), keep.remotes());
    }

    @Test
    void shouldDeleteStaleTempFilesOnOpenButNotFreshOnes() throws Exception
    {
        final Path remote = dir.resolve("remote");
        final Path stale = remote.resolve(".bob.estate.00000001.tmp");
        final Path fresh = remote.resolve(".bob.estate.00000002.tmp");
        Files.writeString(stale, "x");
        Files.writeString(fresh, "x");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(
            System.currentTimeMillis() - Keep.STALE_TEMP_FILE_AGE_MS - 1_000));
        Keep.open(dir).close();
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void shouldReturnTheSameRecordWhenAWitherChangesNothing()
    {
        final RemoteEstateRecord bob = record("bob", Acceptance.PENDING);
        assertSame(bob, bob.withStatus(Acceptance.PENDING, 1));
        assertSame(bob, bob.withAddress(bob.address(), 1));
        assertSame(bob, bob.withIdentity(bob.id(), bob.signPublicKey(), bob.agreePublicKey(), 1));
        assertEquals(77, bob.withIdentity(bob.id(), KeepTestRecords.key("new"), bob.agreePublicKey(), 77)
            .lastChangedMs());
    }

    @Test
    void shouldWorkWithTwoKeepsOnOneDirectoryInOneJvm()
    {
        try (Keep other = Keep.open(dir, clock))
        {
            keep.put(record("bob", Acceptance.PENDING));
            assertTrue(other.setStatus("bob", Acceptance.ACCEPTED));
        }
        keep.put(record("carol", Acceptance.PENDING));
        assertEquals(Acceptance.ACCEPTED, keep.remote("bob").orElseThrow().status());
        assertEquals(3, keep.changeCounter());
    }
}
