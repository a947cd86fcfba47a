package io.raet4j.ipc;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * One yard's inbox file mapped into memory: the owner's, to read, or a peer's, to write. A header, then an Agrona
 * {@link ManyToOneRingBuffer} (its data, a power of two in bytes, then its trailer of
 * {@link RingBufferDescriptor#TRAILER_LENGTH} bytes). All fields are in the host's native byte order (little-endian
 * on x86-64 and aarch64); the file never leaves the host.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Magic: the ASCII bytes RAET4SHM               |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Layout Version (1)                     |  8
 *  +---------------------------------------------------------------+
 *  |                      Header Length (128)                      | 12
 *  +---------------------------------------------------------------+
 *  |           Ring Capacity: data bytes, a power of two           | 16
 *  +---------------------------------------------------------------+
 *  |        MTU: the largest datagram the owner accepts            | 20
 *  +---------------------------------------------------------------+
 *  |                 Owner PID (the process that bound)            | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Reserved (zero) to 64                    | 32
 *  +---------------------------------------------------------------+
 *  |        Owner Heartbeat: epoch ms, written by the owner        | 64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Closed: 1 once the owner has closed              | 72
 *  +---------------------------------------------------------------+
 *  |                     Reserved (zero) to 128                    | 76
 *  +---------------------------------------------------------------+
 *  |      Ring data (ManyToOneRingBuffer records), Capacity bytes  | 128
 *  +---------------------------------------------------------------+
 *  |              Ring trailer (head, tail, ...) positions         |
 *  +---------------------------------------------------------------+
 * </pre>
 * Magic, layout version and owner PID keep these offsets in every layout version, so that a later version can still
 * tell whether a file it finds is held by a live process. The heartbeat is on its own cache line, away from the
 * fields read once.
 * <p>
 * Each datagram is one ring record of type {@link #MSG_TYPE_DATAGRAM}; its payload names the sender, since a ring,
 * unlike a socket, has no kernel-given source:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                 Source Path Length N (1..1024)                |  0
 *  +---------------------------------------------------------------+
 *  |       Source Path: the sender's inbox path, N bytes UTF-8    ...  4
 *  +---------------------------------------------------------------+
 *  |                  Padding to an 8-byte boundary                |
 *  +---------------------------------------------------------------+
 *  |          Datagram: the rest of the record                    ...  align(4 + N, 8)
 *  +---------------------------------------------------------------+
 * </pre>
 * NOT thread safe: used by one media on its duty-cycle thread. The fields written by other processes (the ring
 * positions, the heartbeat, the closed flag) are read and written with ordered or volatile access.
 */
final class SharedMemoryInbox
{
    /** The ASCII bytes {@code RAET4SHM} read as a little-endian long. */
    static final long MAGIC = 0x4D48533454454152L;
    static final int LAYOUT_VERSION = 1;
    static final int HEADER_LENGTH = 128;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 12;
    static final int CAPACITY_OFFSET = 16;
    static final int MTU_OFFSET = 20;
    static final int OWNER_PID_OFFSET = 24;
    static final int HEARTBEAT_OFFSET = 64;
    static final int CLOSED_OFFSET = 72;

    /** Record type of a datagram; records of other types are dropped. */
    static final int MSG_TYPE_DATAGRAM = 1;
    /** Length of the source path length field of a record. */
    static final int SOURCE_LENGTH_FIELD = BitUtil.SIZE_OF_INT;
    /** Longest source prefix of a record: the length field, the longest path, the padding. */
    static final int MAX_SOURCE_PREFIX_LENGTH = datagramOffset(SharedMemoryAddress.MAX_PATH_BYTES);

    /** Smallest ring capacity accepted. */
    static final int MIN_CAPACITY = 64 * 1024;
    /** Largest ring capacity accepted. */
    static final int MAX_CAPACITY = 1 << 30;

    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final Object fileKey;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer ringBuffer;
    private final ManyToOneRingBuffer ring;
    private final int capacity;
    private final int mtu;
    private final long ownerPid;
    private boolean isMapped = true;

    private SharedMemoryInbox(final Path path, final Object fileKey, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.fileKey = fileKey;
        this.mapped = mapped;
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        capacity = header.getInt(CAPACITY_OFFSET);
        mtu = header.getInt(MTU_OFFSET);
        ownerPid = header.getLong(OWNER_PID_OFFSET);
        ringBuffer = new UnsafeBuffer(mapped, HEADER_LENGTH, capacity + RingBufferDescriptor.TRAILER_LENGTH);
        ring = new ManyToOneRingBuffer(ringBuffer);
    }

    /**
     * Where the datagram starts in a record whose source path is {@code pathLength} bytes.
     *
     * @param pathLength of the source path.
     * @return the offset of the datagram in the record payload.
     */
    static int datagramOffset(final int pathLength)
    {
        return BitUtil.align(SOURCE_LENGTH_FIELD + pathLength, BitUtil.SIZE_OF_LONG);
    }

    /**
     * Length of the file for a ring capacity.
     *
     * @param capacity of the ring data.
     * @return the file length in bytes.
     */
    static long fileLength(final int capacity)
    {
        return (long)HEADER_LENGTH + capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * Largest datagram a ring of this capacity carries from any sender: its largest record less the longest
     * source prefix.
     *
     * @param capacity of the ring data.
     * @return the largest datagram in bytes.
     */
    static int maxDatagramLength(final int capacity)
    {
        return (capacity >> 3) - MAX_SOURCE_PREFIX_LENGTH;
    }

    /**
     * Create an inbox file at a path that must not exist: written whole under a temporary name in the same directory,
     * mode 0600, filled with zeros so that the memory is claimed now (a full {@code /dev/shm} fails here, not with a
     * SIGBUS later), and then hard-linked to the path, which fails if anything is there: a peer never sees a
     * half-written inbox, and two processes binding at once cannot both win.
     *
     * @param path     of the inbox.
     * @param capacity of the ring data, a power of two.
     * @param mtu      largest datagram accepted.
     * @param pid      of this process.
     * @param nowMs    epoch time for the first heartbeat.
     * @return the mapped inbox.
     * @throws FileAlreadyExistsException if a file appeared at the path meanwhile.
     * @throws IOException                if the file cannot be made.
     */
    static SharedMemoryInbox create(
        final Path path, final int capacity, final int mtu, final long pid, final long nowMs) throws IOException
    {
        final Path temporary = path.resolveSibling("." + path.getFileName() + "." + pid + ".new");
        // A leftover of this name was made by an earlier process with this pid, which is gone.
        Files.deleteIfExists(temporary);
        MappedByteBuffer mapped = null;
        boolean done = false;
        try
        {
            final long length = fileLength(capacity);
            try (FileChannel channel = FileChannel.open(
                temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)))
            {
                // The mode given at creation is filtered by the umask; set it outright.
                Files.setPosixFilePermissions(temporary, OWNER_ONLY_FILE);
                IoUtil.fill(channel, 0, length, (byte)0);
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            }

            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
            header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
            header.putInt(CAPACITY_OFFSET, capacity);
            header.putInt(MTU_OFFSET, mtu);
            header.putLong(OWNER_PID_OFFSET, pid);
            header.putLong(HEARTBEAT_OFFSET, nowMs);
            header.putLongOrdered(MAGIC_OFFSET, MAGIC);

            final Object fileKey = fileKey(temporary);
            Files.createLink(path, temporary);
            final SharedMemoryInbox inbox = new SharedMemoryInbox(path, fileKey, mapped);
            done = true;
            return inbox;
        }
        finally
        {
            Files.deleteIfExists(temporary);
            if (!done && null != mapped)
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    /**
     * Map an existing inbox, a peer's, to write to it, after checking its header and length.
     *
     * @param path of the inbox.
     * @return the mapped inbox.
     * @throws java.nio.file.NoSuchFileException if there is no file at the path.
     * @throws NotAnInboxException                if the file is not an inbox of this layout version.
     * @throws IOException                        if the file cannot be read or mapped.
     */
    static SharedMemoryInbox map(final Path path) throws IOException
    {
        final BasicFileAttributes attributes =
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile())
        {
            // Never opened: reading a FIFO would block the duty cycle.
            throw new NotAnInboxException(path + " is not a raet4j shm inbox: not a regular file");
        }
        final Object fileKey = attributes.fileKey();
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(
            path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
        {
            final UnsafeBuffer header = readHeader(channel, path);
            final String problem = problem(header, channel.size());
            if (null != problem)
            {
                throw new NotAnInboxException(path + " is not a raet4j shm inbox of layout version " +
                    LAYOUT_VERSION + ": " + problem);
            }
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }

        if (!Objects.equals(fileKey, fileKey(path)))
        {
            IoUtil.unmap(mapped);
            throw new IOException(path + " was replaced while it was being mapped");
        }

        return new SharedMemoryInbox(path, fileKey, mapped);
    }

    /**
     * Read the header of a file that may be an inbox, without mapping it. Control plane only.
     *
     * @param path of the file, a regular file (checked by the caller: a FIFO would block).
     * @return a buffer holding the header, whose fields the static accessors read.
     * @throws NotAnInboxException if the file is too short or has not the magic.
     * @throws IOException         if the file cannot be read.
     */
    static UnsafeBuffer readHeader(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            return readHeader(channel, path);
        }
    }

    private static UnsafeBuffer readHeader(final FileChannel channel, final Path path) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.nativeOrder());
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
        {
            // Read until the header is whole or the file ends.
        }
        if (bytes.hasRemaining())
        {
            throw new NotAnInboxException(path + " is not a raet4j shm inbox: " + bytes.position() +
                " bytes, shorter than a header");
        }
        final UnsafeBuffer header = new UnsafeBuffer(bytes.array());
        if (MAGIC != header.getLong(MAGIC_OFFSET))
        {
            throw new NotAnInboxException(path + " is not a raet4j shm inbox: no RAET4SHM magic");
        }

        return header;
    }

    /**
     * What is wrong with a header for this layout version and a file length, if anything.
     *
     * @param header     as read.
     * @param fileLength of the file.
     * @return the problem, or null if it is a valid inbox.
     */
    static String problem(final DirectBuffer header, final long fileLength)
    {
        final int version = header.getInt(VERSION_OFFSET);
        if (LAYOUT_VERSION != version)
        {
            return "layout version " + version;
        }
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        if (HEADER_LENGTH != headerLength)
        {
            return "header length " + headerLength;
        }
        final int capacity = header.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            return "ring capacity " + capacity;
        }
        if (fileLength(capacity) != fileLength)
        {
            return "file length " + fileLength + " for a ring of " + capacity + " bytes";
        }
        final int mtu = header.getInt(MTU_OFFSET);
        if (mtu < 1 || mtu > maxDatagramLength(capacity))
        {
            return "mtu " + mtu + " for a ring of " + capacity + " bytes";
        }
        if (!isValidPid(ownerPid(header)))
        {
            return "owner pid " + ownerPid(header);
        }

        return null;
    }

    /**
     * Whether a value can be a process id: {@code pid_t} is a positive 32-bit int, and 0 and negative values mean
     * process groups to {@code kill}.
     *
     * @param pid to check.
     * @return true if positive and at most {@link Integer#MAX_VALUE}.
     */
    static boolean isValidPid(final long pid)
    {
        return pid > 0 && pid <= Integer.MAX_VALUE;
    }

    /**
     * The owner's pid in a header.
     *
     * @param header of an inbox.
     * @return the pid.
     */
    static long ownerPid(final DirectBuffer header)
    {
        return header.getLong(OWNER_PID_OFFSET);
    }

    /**
     * The owner's last heartbeat in a header.
     *
     * @param header of an inbox.
     * @return epoch ms.
     */
    static long heartbeatMs(final DirectBuffer header)
    {
        return header.getLong(HEARTBEAT_OFFSET);
    }

    /**
     * Whether the owner closed the inbox, in a header.
     *
     * @param header of an inbox.
     * @return true once closed.
     */
    static boolean isClosed(final DirectBuffer header)
    {
        return 0 != header.getInt(CLOSED_OFFSET);
    }

    /**
     * The layout version in a header.
     *
     * @param header of an inbox.
     * @return the version.
     */
    static int version(final DirectBuffer header)
    {
        return header.getInt(VERSION_OFFSET);
    }

    /**
     * The identity of the file at a path, not following a symbolic link.
     *
     * @param path of the file.
     * @return the file key (device and inode on Linux).
     * @throws java.nio.file.NoSuchFileException if there is no file.
     * @throws IOException                        if it cannot be read.
     */
    static Object fileKey(final Path path) throws IOException
    {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * The path of the file.
     *
     * @return the path.
     */
    Path path()
    {
        return path;
    }

    /**
     * The identity of the file mapped, to tell it from a file made later at the same path.
     *
     * @return the file key.
     */
    Object fileKey()
    {
        return fileKey;
    }

    /**
     * The ring.
     *
     * @return the ring over the mapping.
     */
    ManyToOneRingBuffer ring()
    {
        return ring;
    }

    /**
     * The buffer the ring is over, whose indices {@link ManyToOneRingBuffer#tryClaim} and the message handler give.
     *
     * @return the ring's buffer.
     */
    UnsafeBuffer ringBuffer()
    {
        return ringBuffer;
    }

    /**
     * Ring data capacity.
     *
     * @return bytes.
     */
    int capacity()
    {
        return capacity;
    }

    /**
     * Largest datagram the owner accepts.
     *
     * @return bytes.
     */
    int mtu()
    {
        return mtu;
    }

    /**
     * The owner's pid, as written when the inbox was made.
     *
     * @return the pid.
     */
    long ownerPid()
    {
        return ownerPid;
    }

    /**
     * The owner's last heartbeat. Volatile read.
     *
     * @return epoch ms.
     */
    long heartbeatMs()
    {
        return header.getLongVolatile(HEARTBEAT_OFFSET);
    }

    /**
     * Write the owner's heartbeat. Ordered write; the owner only.
     *
     * @param nowMs epoch ms.
     */
    void heartbeat(final long nowMs)
    {
        header.putLongOrdered(HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Whether the owner has closed the inbox. Volatile read.
     *
     * @return true once closed.
     */
    boolean isClosed()
    {
        return 0 != header.getIntVolatile(CLOSED_OFFSET);
    }

    /**
     * Mark the inbox closed, so that senders stop writing to it. Ordered write; the owner only.
     */
    void markClosed()
    {
        header.putIntOrdered(CLOSED_OFFSET, 1);
    }

    /**
     * Release the mapping. Idempotent; nothing may touch the buffers afterwards.
     */
    void unmap()
    {
        if (isMapped)
        {
            isMapped = false;
            IoUtil.unmap(mapped);
        }
    }

    /**
     * A file that is not a raet4j shm inbox of this layout version, found where one was expected.
     */
    static final class NotAnInboxException extends IOException
    {
        private static final long serialVersionUID = 3398716244573126208L;

        /**
         * An exception with a one-line message.
         *
         * @param message saying what was found.
         */
        NotAnInboxException(final String message)
        {
            super(message);
        }
    }
}
