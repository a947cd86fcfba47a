package io.raet4j.transactions.keep;

import io.raet4j.transport.PrivateDirectory;

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
 * File system operations of the keep: private directories (created 0700, never chmod-ed once they exist), atomic
 * replace with fsync, strict reads and permission checks. POSIX permissions are applied where the file system
 * supports them and skipped elsewhere.
 * <p>
 * Stateless and thread safe.
 */
final class KeepFiles
{
    static final String TEMP_SUFFIX = ".tmp";
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeepFiles()
    {
    }

    static boolean isPosix(final Path path)
    {
        return PrivateDirectory.isPosix(path);
    }

    /**
     * Create the keep directory 0700, or check an existing one without ever changing its mode: it is refused if it is
     * owned by another user or writable by group or others (see {@link PrivateDirectory}). Missing parents are
     * created with the default permissions.
     *
     * @param dir of the keep, as the user gave it.
     */
    static void keepDirectory(final Path dir)
    {
        final String problem = createOrCheck(dir);
        if (null != problem)
        {
            throw new KeepException(dir, "the keep directory " + problem + ": another user could replace the keep's " +
                "files; " + keepDirectoryFix(dir), null);
        }
    }

    /**
     * Create {@code local/} or {@code remote/} 0700 in an accepted keep directory, or check an existing one as
     * {@link #keepDirectory(Path)} does.
     *
     * @param dir inside the keep.
     */
    static void keepSubdirectory(final Path dir)
    {
        final String problem = createOrCheck(dir);
        if (null != problem)
        {
            throw new KeepException(dir, "the directory " + problem + ": another user could replace the keep's " +
                "files; " + subdirectoryFix(dir), null);
        }
    }

    private static String createOrCheck(final Path dir)
    {
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw new KeepException(dir, "exists and is not a directory", null);
        }
        try
        {
            return PrivateDirectory.createIfAbsent(dir) ? null : PrivateDirectory.problem(dir);
        }
        catch (final IOException ex)
        {
            throw new KeepException(dir, "cannot create or check the directory: " + ex, ex);
        }
    }

    /**
     * What to do about a keep directory that is not private. A directory of the user's own is made private by chmod;
     * a shared one (such as {@code /tmp}) must not be, so another is proposed: a new one inside it if the sticky bit
     * protects what the user creates there, else one in the user's home.
     */
    private static String keepDirectoryFix(final Path dir)
    {
        try
        {
            final String create = " (it is created 0700 if it does not exist)";
            if (PrivateDirectory.isSticky(dir))
            {
                return "give the keep a private directory instead, e.g. --keep " +
                    dir.resolve("raet4j-keep-" + System.getProperty("user.name")) + create;
            }
            if (PrivateDirectory.isOwnedByCurrentUser(dir))
            {
                return "if only you should write it, chmod 700 " + dir + "; else give the keep a private directory " +
                    "instead" + create;
            }
            return "give the keep a directory of your own instead, e.g. --keep " +
                Path.of(System.getProperty("user.home"), ".raet4j", "keep") + create;
        }
        catch (final IOException ex)
        {
            return "give the keep a private directory instead (it is created 0700 if it does not exist)";
        }
    }

    private static String subdirectoryFix(final Path dir)
    {
        try
        {
            return PrivateDirectory.isOwnedByCurrentUser(dir) ?
                "chmod 700 " + dir :
                "this keep belongs to another user; give this process a keep of its own";
        }
        catch (final IOException ex)
        {
            return "chmod 700 " + dir;
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
