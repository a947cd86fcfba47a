package io.raet4j.transactions.keep;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * File system operations of the keep: private directories, atomic replace with fsync, strict reads and permission
 * checks. POSIX permissions are applied where the file system supports them and skipped elsewhere.
 * <p>
 * Stateless and thread safe.
 */
final class KeepFiles
{
    static final String TEMP_SUFFIX = ".tmp";
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeepFiles()
    {
    }

    static boolean isPosix(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Create a directory 0700, or restrict an existing one to 0700.
     *
     * @param dir to create or restrict.
     */
    static void privateDirectory(final Path dir)
    {
        try
        {
            if (Files.isDirectory(dir))
            {
                if (isPosix(dir) && !DIRECTORY_PERMISSIONS.equals(Files.getPosixFilePermissions(dir)))
                {
                    Files.setPosixFilePermissions(dir, DIRECTORY_PERMISSIONS);
                }
                return;
            }
            if (Files.exists(dir))
            {
                throw new KeepException(dir, "exists and is not a directory", null);
            }
            if (isPosix(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
                Files.setPosixFilePermissions(dir, DIRECTORY_PERMISSIONS);
            }
            else
            {
                Files.createDirectories(dir);
            }
        }
        catch (final IOException ex)
        {
            throw new KeepException(dir, "cannot create or restrict the directory to 0700: " + ex, ex);
        }
    }

    /**
     * Whether a directory entry is a temporary file of an atomic write, never a record.
     *
     * @param fileName to test.
     * @return true for {@code .<name>.<random>.tmp} names.
     */
    static boolean isTempFile(final String fileName)
    {
        return fileName.startsWith(".") && fileName.endsWith(TEMP_SUFFIX);
    }

    /**
     * Replace a file atomically: write a 0600 temp file in the same directory, force it to disk, rename it over the
     * target, then force the directory so the rename is durable. A crash at any point leaves either the old or the new
     * content under the target name, and at worst a temp file that readers ignore.
     * <p>
     * Forcing the directory is skipped where the platform cannot open a directory as a channel (Windows).
     *
     * @param file    to replace.
     * @param content of the file.
     */
    static void writeAtomically(final Path file, final byte[] content)
    {
        final Path dir = file.getParent();
        final Path temp = dir.resolve(
            "." + file.getFileName() + "." + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + TEMP_SUFFIX);
        try
        {
            final FileAttribute<?>[] attributes = isPosix(dir) ?
                new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS) } :
                new FileAttribute<?>[0];
            try (FileChannel channel = FileChannel.open(
                temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try
            {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                throw new KeepException(
                    file, "the file system cannot rename atomically; a keep needs one that can", ex);
            }
            forceDirectory(dir);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new KeepException(temp, "temporary file name already in use (retry)", ex);
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp);
            throw new KeepException(file, "cannot write: " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(temp);
            throw ex;
        }
    }

    /**
     * Delete a file and force its directory.
     *
     * @param file to delete.
     * @return true if it existed.
     */
    static boolean delete(final Path file)
    {
        try
        {
            final boolean existed = Files.deleteIfExists(file);
            if (existed)
            {
                forceDirectory(file.getParent());
            }
            return existed;
        }
        catch (final IOException ex)
        {
            throw new KeepException(file, "cannot delete: " + ex, ex);
        }
    }

    /**
     * Read a whole file, refusing one larger than a keep file can be.
     *
     * @param file to read.
     * @return the content, or null if the file does not exist.
     */
    static byte[] readOrNull(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size > KeepFormat.MAX_FILE_BYTES)
            {
                throw new KeepException(file, "file is " + size + " bytes, more than a keep file can be (" +
                    KeepFormat.MAX_FILE_BYTES + ")", null);
            }
            final ByteBuffer buffer = ByteBuffer.allocate((int)size);
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer) < 0)
                {
                    break;
                }
            }
            final byte[] content = new byte[buffer.position()];
            buffer.flip().get(content);
            return content;
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new KeepException(file, "cannot read: " + ex, ex);
        }
    }

    /**
     * Refuse a private key file that group or others may access.
     *
     * @param file to check.
     */
    static void checkPrivate(final Path file)
    {
        if (!isPosix(file))
        {
            return;
        }
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            final Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
            open.addAll(permissions);
            open.retainAll(GROUP_OR_OTHERS);
            if (!open.isEmpty())
            {
                throw new KeepException(file, "permissions " + PosixFilePermissions.toString(permissions) +
                    " are too open for private keys; only the owner may read it (chmod 600)", null);
            }
        }
        catch (final IOException ex)
        {
            throw new KeepException(file, "cannot read permissions: " + ex, ex);
        }
    }

    /**
     * Delete temp files left by writers that died, when older than an age no live write takes.
     *
     * @param dir         to clean.
     * @param olderThanMs modification time before which a temp file is stale.
     */
    static void deleteStaleTempFiles(final Path dir, final long olderThanMs)
    {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path path : stream)
            {
                if (isTempFile(path.getFileName().toString()))
                {
                    try
                    {
                        if (Files.getLastModifiedTime(path).toMillis() < olderThanMs)
                        {
                            Files.deleteIfExists(path);
                        }
                    }
                    catch (final NoSuchFileException ignore)
                    {
                        // renamed or deleted by its writer meanwhile
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new KeepException(dir, "cannot list: " + ex, ex);
        }
    }

    /**
     * Force a directory to disk so a rename or delete in it is durable. Best effort: where a directory cannot be opened
     * as a channel (Windows) or the file system refuses to sync it, the failure is ignored; the renamed file's content
     * is already on disk, so at worst a crash undoes the rename and the previous version remains, never a torn file.
     *
     * @param dir to force.
     * @return true if the directory was forced.
     */
    static boolean forceDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
            return true;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // the temp file is ignored by readers and removed as stale on a later open
        }
    }
}
