package io.raet4j.transactions.keep;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writers' lock of one keep: an exclusive lock on {@code keep.lock} so one writer at a time, across processes,
 * does its read-modify-write of a record and of the change counter.
 * <p>
 * File locks belong to the whole JVM and, on POSIX, closing any channel of the file drops every lock the process holds
 * on it. So one channel per lock file is shared by all handles in the JVM (reference counted), and a JVM-wide
 * {@link ReentrantLock} serializes its threads before the file lock is taken.
 * <p>
 * Thread safe.
 */
final class KeepLock implements AutoCloseable
{
    private static final Map<Path, Shared> SHARED = new HashMap<>();

    private final Path lockFile;
    private final Shared shared;
    private boolean isClosed;

    private KeepLock(final Path lockFile, final Shared shared)
    {
        this.lockFile = lockFile;
        this.shared = shared;
    }

    /**
     * A handle on the lock of a file, opening (and creating 0600) the file on the JVM's first handle.
     *
     * @param lockFile absolute, real path of the lock file.
     * @return the handle, closed when the keep closes.
     */
    static KeepLock open(final Path lockFile)
    {
        synchronized (SHARED)
        {
            Shared shared = SHARED.get(lockFile);
            if (null == shared)
            {
                shared = new Shared(openChannel(lockFile));
                SHARED.put(lockFile, shared);
            }
            shared.references++;
            return new KeepLock(lockFile, shared);
        }
    }

    /**
     * Take the lock, waiting for other threads and processes that hold it. Writers hold it for one small file
     * write, so the wait is bounded by disk latency.
     */
    void lock()
    {
        shared.jvmLock.lock();
        if (1 == shared.jvmLock.getHoldCount())
        {
            try
            {
                if (!shared.channel.isOpen())
                {
                    // an interrupted thread closes an interruptible channel; take a new one
                    shared.channel = openChannel(lockFile);
                }
                shared.fileLock = shared.channel.lock();
            }
            catch (final IOException | RuntimeException ex)
            {
                shared.jvmLock.unlock();
                throw new KeepException(lockFile, "cannot lock: " + ex, ex);
            }
        }
    }

    /**
     * Release the lock taken by {@link #lock()}.
     */
    void unlock()
    {
        try
        {
            if (1 == shared.jvmLock.getHoldCount())
            {
                final FileLock fileLock = shared.fileLock;
                shared.fileLock = null;
                if (null != fileLock && fileLock.isValid())
                {
                    fileLock.release();
                }
            }
        }
        catch (final IOException ex)
        {
            throw new KeepException(lockFile, "cannot unlock: " + ex, ex);
        }
        finally
        {
            shared.jvmLock.unlock();
        }
    }

    /**
     * Drop the handle; the last handle in the JVM closes the channel.
     */
    public void close()
    {
        synchronized (SHARED)
        {
            if (isClosed)
            {
                return;
            }
            isClosed = true;
            if (0 == --shared.references)
            {
                SHARED.remove(lockFile);
                shared.jvmLock.lock();
                try
                {
                    shared.channel.close();
                }
                catch (final IOException ignore)
                {
                    // nothing is written through this channel; closing it only drops locks
                }
                finally
                {
                    shared.jvmLock.unlock();
                }
            }
        }
    }

    private static FileChannel openChannel(final Path lockFile)
    {
        try
        {
            final FileAttribute<?>[] attributes = KeepFiles.isPosix(lockFile) ?
                new FileAttribute<?>[]{ PosixFilePermissions.asFileAttribute(KeepFiles.FILE_PERMISSIONS) } :
                new FileAttribute<?>[0];
            return FileChannel.open(
                lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                attributes);
        }
        catch (final IOException ex)
        {
            throw new KeepException(lockFile, "cannot open the lock file: " + ex, ex);
        }
    }

    private static final class Shared
    {
        final ReentrantLock jvmLock = new ReentrantLock();
        FileChannel channel;
        FileLock fileLock;
        int references;

        Shared(final FileChannel channel)
        {
            this.channel = channel;
        }
    }
}
