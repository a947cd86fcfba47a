package io.raet4j.transport;

import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories that hold files only the user running this process may replace: a stack's status directory and its
 * keep. One rule for both (spec/KEEP.md section 4):
 * <ul>
 *     <li>a directory that does not exist is created 0700, its missing parents with the default permissions;</li>
 *     <li>an existing directory is never chmod-ed, since the user gave it and may share it with others ({@code /tmp});
 *     it is fit for use when it is owned by the user running this process and neither group nor others may write it
 *     (others may read it: the files inside carry their own modes). {@link #problem(Path)} says why one is not, and
 *     the caller refuses it with that reason.</li>
 * </ul>
 * No private directory is made inside a shared one instead: in a directory others can write without the sticky bit
 * they could rename it away and put their own in its place, so the user is told to choose one.
 * <p>
 * Where the file system has no POSIX permissions (Windows) directories are created with its defaults and not checked:
 * protect them with the platform's ACLs.
 * <p>
 * Stateless and thread safe. Blocking file I/O: control plane only.
 */
public final class PrivateDirectory
{
    /** Mode of a directory this class creates: 0700. */
    public static final Set<PosixFilePermission> PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private static final int STICKY_BIT = 01000;
    private static final int SET_GID_BIT = 02000;
    private static final int SET_UID_BIT = 04000;

    private PrivateDirectory()
    {
    }

    /**
     * Whether the file system of a path has POSIX permissions, which this class creates and checks.
     *
     * @param path on the file system.
     * @return true where POSIX permissions apply.
     */
    public static boolean isPosix(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Create a directory 0700 if it does not exist, its missing parents with the default permissions. Only a
     * directory this call creates has its mode set; an existing one is left exactly as it is.
     *
     * @param dir to create.
     * @return true if this call created the directory, false if it existed (also when another process created it
     * meanwhile).
     * @throws FileAlreadyExistsException if something other than a directory has the name.
     * @throws IOException                if the directory cannot be created.
     */
    public static boolean createIfAbsent(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return false;
        }

        final Path parent = dir.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        try
        {
            if (isPosix(dir))
            {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PERMISSIONS));
                // created by this call, so ours to set: the umask may have filtered the mode given at creation
                Files.setPosixFilePermissions(dir, PERMISSIONS);
            }
            else
            {
                Files.createDirectory(dir);
            }
            return true;
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (Files.isDirectory(dir))
            {
                return false;
            }
            throw ex;
        }
    }

    /**
     * Why an existing directory is not fit to hold files only this user may replace.
     *
     * @param dir an existing directory.
     * @return null if the directory is owned by the user running this process and neither group nor others may write
     * it, or if the file system has no POSIX permissions; otherwise the reason, to follow the directory's name in a
     * message: {@code "is writable by group and others (mode rwxrwxrwt)"},
     * {@code "is owned by bob (uid 1001), not by alice (uid 1000) who runs this process"}, or both joined by
     * {@code ", and "}.
     * @throws IOException if the directory's attributes cannot be read.
     */
    public static String problem(final Path dir) throws IOException
    {
        if (!isPosix(dir))
        {
            return null;
        }

        final StringBuilder sb = new StringBuilder();
        if (!isOwnedByCurrentUser(dir))
        {
            sb.append("is owned by ").append(describeOwner(dir)).append(", not by ")
                .append(describeCurrentUser()).append(" who runs this process");
        }

        final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
        final boolean groupWrite = permissions.contains(PosixFilePermission.GROUP_WRITE);
        final boolean othersWrite = permissions.contains(PosixFilePermission.OTHERS_WRITE);
        if (groupWrite || othersWrite)
        {
            if (sb.length() > 0)
            {
                sb.append(", and ");
            }
            sb.append("is writable by ")
                .append(groupWrite && othersWrite ? "group and others" : groupWrite ? "group" : "others")
                .append(" (mode ").append(mode(dir)).append(')');
        }

        return sb.length() > 0 ? sb.toString() : null;
    }

    /**
     * Whether a path is owned by the user running this process: by user id where the file system reports one,
     * else by name.
     *
     * @param path to check.
     * @return true if owned by the user running this process, or if the file system has no POSIX permissions.
     * @throws IOException if the owner cannot be read.
     */
    public static boolean isOwnedByCurrentUser(final Path path) throws IOException
    {
        if (!isPosix(path))
        {
            return true;
        }

        final long currentUid = CurrentUser.UID;
        if (CurrentUser.UNKNOWN_UID != currentUid && hasUnixView(path))
        {
            return currentUid == ((Number)Files.getAttribute(path, "unix:uid")).longValue();
        }

        return Files.getOwner(path).getName().equals(System.getProperty("user.name"));
    }

    /**
     * Whether a directory has the sticky bit, so others who may write it cannot rename or delete what they do not own.
     *
     * @param dir to check.
     * @return true if the sticky bit is set; false also where the file system does not report it.
     * @throws IOException if the mode cannot be read.
     */
    public static boolean isSticky(final Path dir) throws IOException
    {
        return hasUnixView(dir) && 0 != (unixMode(dir) & STICKY_BIT);
    }

    /**
     * The mode of a file as {@code ls -l} shows it, without the type: {@code rwxrwxrwt} for {@code /tmp}.
     *
     * @param path to describe.
     * @return nine characters, with the set-user-id, set-group-id and sticky bits where the file system reports them.
     * @throws IOException if the mode cannot be read.
     */
    public static String mode(final Path path) throws IOException
    {
        if (!hasUnixView(path))
        {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        }

        final int mode = unixMode(path);
        final char[] chars = new char[9];
        for (int i = 0; i < 3; i++)
        {
            final int bits = mode >> (6 - 3 * i);
            chars[3 * i] = 0 != (bits & 4) ? 'r' : '-';
            chars[3 * i + 1] = 0 != (bits & 2) ? 'w' : '-';
            chars[3 * i + 2] = 0 != (bits & 1) ? 'x' : '-';
        }
        special(chars, 2, 0 != (mode & SET_UID_BIT), 's');
        special(chars, 5, 0 != (mode & SET_GID_BIT), 's');
        special(chars, 8, 0 != (mode & STICKY_BIT), 't');

        return new String(chars);
    }

    private static void special(final char[] chars, final int index, final boolean isSet, final char letter)
    {
        if (isSet)
        {
            chars[index] = 'x' == chars[index] ? letter : Character.toUpperCase(letter);
        }
    }

    private static boolean hasUnixView(final Path path)
    {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    private static int unixMode(final Path path) throws IOException
    {
        return ((Number)Files.getAttribute(path, "unix:mode")).intValue();
    }

    private static String describeOwner(final Path path) throws IOException
    {
        final String name = Files.getOwner(path).getName();
        if (hasUnixView(path))
        {
            final long uid = ((Number)Files.getAttribute(path, "unix:uid")).longValue();
            return name + " (uid " + uid + ")";
        }

        return name;
    }

    private static String describeCurrentUser()
    {
        final String name = System.getProperty("user.name");
        return CurrentUser.UNKNOWN_UID == CurrentUser.UID ? name : name + " (uid " + CurrentUser.UID + ")";
    }

    /**
     * The user id of this process, looked up once on first use, and only on POSIX file systems.
     */
    private static final class CurrentUser
    {
        static final long UNKNOWN_UID = -1;
        static final long UID = uid();

        private static long uid()
        {
            try
            {
                return new UnixSystem().getUid();
            }
            catch (final LinkageError | RuntimeException ex)
            {
                // a runtime without the jdk.security.auth module, or not Unix: owners are compared by name
                return UNKNOWN_UID;
            }
        }
    }
}
