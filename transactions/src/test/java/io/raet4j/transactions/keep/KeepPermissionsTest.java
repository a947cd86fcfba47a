package io.raet4j.transactions.keep;

import io.raet4j.transport.PrivateDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KeepPermissionsTest
{
    private static final Set<PosixFilePermission> AT_MOST_0644 = EnumSet.of(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    private static final int NOBODY_UID = 65534;

    @TempDir
    Path root;

    @Test
    void shouldKeepDirectoriesPrivateAndSecretsOwnerOnly() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = root.resolve("keeps/alice");
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
            keep.put(record("bob", Acceptance.PENDING));
        }
        for (final Path sub : List.of(dir, dir.resolve("local"), dir.resolve("remote")))
        {
            assertEquals(
                "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)), sub.toString());
        }
        assertEquals("rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("local/identity.secret"))));
        try (Stream<Path> files = Files.walk(dir))
        {
            files.filter(Files::isRegularFile).forEach((file) ->
            {
                try
                {
                    final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                    assertTrue(AT_MOST_0644.containsAll(permissions), file + " " + permissions);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }

    @Test
    void shouldCreateOnlyTheLastComponent0700AndItsParentsWithTheDefaultPermissions() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path reference = Files.createDirectory(root.resolve("made-with-defaults"));
        final Path dir = root.resolve("parent/keep");

        Keep.open(dir).close();

        assertEquals(0700, mode(dir));
        assertEquals(mode(reference), mode(dir.getParent()));
    }

    @Test
    void shouldUseAnExisting0755DirectoryOfOursWithoutChangingItsMode() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = Files.createDirectory(root.resolve("made-by-hand"));
        setMode(dir, 0755);

        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
        }

        assertEquals(0755, mode(dir));
        assertEquals(0700, mode(dir.resolve(Keep.LOCAL_DIR)));
        assertEquals(0700, mode(dir.resolve(Keep.REMOTE_DIR)));
    }

    @Test
    void shouldRefuseASharedStickyDirectoryLikeTmpAndLeaveItUntouched() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = Files.createDirectory(root.resolve("tmp"));
        setMode(dir, 01777);

        final KeepException ex = assertThrows(KeepException.class, () -> Keep.open(dir));

        final String message = ex.getMessage();
        assertTrue(message.startsWith(dir + ": the keep directory "), message);
        assertTrue(message.contains("is writable by group and others (mode rwxrwxrwt)"), message);
        assertTrue(message.contains("another user could replace the keep's files"), message);
        assertTrue(message.contains(
            "e.g. --keep " + dir.resolve("raet4j-keep-" + System.getProperty("user.name"))), message);
        assertTrue(message.contains("created 0700 if it does not exist"), message);
        assertFalse(message.contains("\n"), message);
        assertEquals(01777, mode(dir));
        assertEquals(List.of(), list(dir), "nothing is written into a refused directory");
    }

    @Test
    void shouldRefuseAGroupWritableDirectoryAndSayHowToMakeItPrivate() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = Files.createDirectory(root.resolve("team"));
        setMode(dir, 0775);

        final KeepException ex = assertThrows(KeepException.class, () -> Keep.open(dir));

        final String message = ex.getMessage();
        assertTrue(message.contains(dir + ": the keep directory is writable by group (mode rwxrwxr-x)"), message);
        assertTrue(message.contains("chmod 700 " + dir), message);
        assertEquals(0775, mode(dir));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void shouldRefuseADirectoryOthersCanWriteWithoutTheStickyBit() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = Files.createDirectory(root.resolve("open"));
        setMode(dir, 0777);

        final KeepException ex = assertThrows(KeepException.class, () -> Keep.open(dir));

        assertTrue(ex.getMessage().contains("is writable by group and others (mode rwxrwxrwx)"), ex.getMessage());
        assertEquals(0777, mode(dir));
    }

    @Test
    void shouldRefuseADirectoryOwnedByAnotherUserAndSayWhoOwnsIt() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = directoryOwnedByAnotherUser();
        final int modeBefore = mode(dir);
        final Object ownerBefore = Files.getAttribute(dir, "unix:uid");

        final KeepException ex = assertThrows(KeepException.class, () -> Keep.open(dir));

        final String message = ex.getMessage();
        assertTrue(message.contains("the keep directory is owned by " + Files.getOwner(dir).getName() +
            " (uid " + ownerBefore + "), not by " + System.getProperty("user.name")), message);
        assertTrue(message.contains("who runs this process"), message);
        assertEquals(modeBefore, mode(dir));
        assertEquals(ownerBefore, Files.getAttribute(dir, "unix:uid"));
    }

    @Test
    void shouldRefuseAKeepWhoseSubdirectoryOthersCanWrite() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = root.resolve("keep");
        Keep.open(dir).close();
        final Path remote = dir.resolve(Keep.REMOTE_DIR);
        setMode(remote, 0777);

        final KeepException ex = assertThrows(KeepException.class, () -> Keep.open(dir));

        assertTrue(ex.getMessage().contains(remote + ": the directory is writable by group and others"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("chmod 700 " + remote), ex.getMessage());
        assertEquals(0777, mode(remote));
    }

    /**
     * As root, a new directory given to nobody; as anyone else, the root directory if someone else owns it.
     */
    private Path directoryOwnedByAnotherUser() throws IOException
    {
        final Path dir = Files.createDirectory(root.resolve("theirs"));
        setMode(dir, 0755);
        try
        {
            Files.setAttribute(dir, "unix:uid", NOBODY_UID);
            return dir;
        }
        catch (final IOException ex)
        {
            final Path fileSystemRoot = root.getRoot();
            assumeFalse(PrivateDirectory.isOwnedByCurrentUser(fileSystemRoot), "no directory of another user here");
            return fileSystemRoot;
        }
    }

    private static int mode(final Path path) throws IOException
    {
        return ((Integer)Files.getAttribute(path, "unix:mode")) & 07777;
    }

    private static void setMode(final Path path, final int mode) throws IOException
    {
        Files.setAttribute(path, "unix:mode", mode);
    }

    private static List<String> list(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map((path) -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
