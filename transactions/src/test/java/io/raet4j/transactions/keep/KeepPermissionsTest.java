package io.raet4j.transactions.keep;

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
import java.util.stream.Stream;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KeepPermissionsTest
{
    private static final Set<PosixFilePermission> AT_MOST_0644 = EnumSet.of(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

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
    void shouldRestrictAnExistingDirectoryTo0700() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(root));
        final Path dir = root.resolve("made-by-hand");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Keep.open(dir).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }
}
