package io.raet4j.transport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PrivateDirectoryTest
{
    @TempDir
    Path tempDir;

    @BeforeEach
    void before()
    {
        assumeTrue(tempDir.getFileSystem().supportedFileAttributeViews().contains("unix"));
    }

    @Test
    void shouldCreateAMissingDirectory0700AndReportThatItDidSo() throws Exception
    {
        final Path dir = tempDir.resolve("a/b/c");

        assertTrue(PrivateDirectory.createIfAbsent(dir));

        assertEquals(0700, mode(dir));
        assertNull(PrivateDirectory.problem(dir));
    }

    @Test
    void shouldLeaveAnExistingDirectoryExactlyAsItIs() throws Exception
    {
        final Path dir = Files.createDirectory(tempDir.resolve("given"));
        setMode(dir, 0751);

        assertFalse(PrivateDirectory.createIfAbsent(dir));

        assertEquals(0751, mode(dir));
    }

    @Test
    void shouldRefuseToCreateADirectoryWhereAFileIs() throws Exception
    {
        final Path file = Files.createFile(tempDir.resolve("file"));

        assertThrows(FileAlreadyExistsException.class, () -> PrivateDirectory.createIfAbsent(file));
    }

    @Test
    void shouldFindNoProblemWithADirectoryOfOursThatOthersMayOnlyRead() throws Exception
    {
        final Path dir = Files.createDirectory(tempDir.resolve("readable"));
        setMode(dir, 0755);

        assertNull(PrivateDirectory.problem(dir));
    }

    @Test
    void shouldSayWhoMayWriteADirectoryAndShowItsMode() throws Exception
    {
        final Path dir = Files.createDirectory(tempDir.resolve("shared"));

        setMode(dir, 01777);
        assertEquals("is writable by group and others (mode rwxrwxrwt)", PrivateDirectory.problem(dir));
        assertTrue(PrivateDirectory.isSticky(dir));

        setMode(dir, 0770);
        assertEquals("is writable by group (mode rwxrwx---)", PrivateDirectory.problem(dir));
        assertFalse(PrivateDirectory.isSticky(dir));

        setMode(dir, 0702);
        assertEquals("is writable by others (mode rwx----w-)", PrivateDirectory.problem(dir));
    }

    @Test
    void shouldShowSpecialBitsAsLsDoes() throws Exception
    {
        final Path dir = Files.createDirectory(tempDir.resolve("special"));

        setMode(dir, 01776);
        assertEquals("rwxrwxrwT", PrivateDirectory.mode(dir));
        setMode(dir, 02750);
        assertEquals("rwxr-s---", PrivateDirectory.mode(dir));
        setMode(dir, 04700);
        assertEquals("rws------", PrivateDirectory.mode(dir));
    }

    private static int mode(final Path path) throws IOException
    {
        return ((Integer)Files.getAttribute(path, "unix:mode")) & 07777;
    }

    private static void setMode(final Path path, final int mode) throws IOException
    {
        Files.setAttribute(path, "unix:mode", mode);
    }
}
