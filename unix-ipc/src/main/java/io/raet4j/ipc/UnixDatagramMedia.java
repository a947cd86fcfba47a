package io.raet4j.ipc;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Media} over a non-blocking Unix-domain datagram socket ({@code AF_UNIX}, {@code SOCK_DGRAM}) bound to
 * a file: the yard socket of one stack, in a lane directory shared by the stacks of one host. Addresses are written
 * {@code unix:PATH} and are {@link UnixAddress} instances.
 * <p>
 * <b>Files.</b> The lane directory, the socket's parent, is created with mode 0700 if it is missing; an existing
 * one is used as it is. The socket file is made 0600 right after {@code bind}, and is removed by {@link #close()}
 * if it is still the file this media bound. A socket file left at the path by a process that died without closing
 * is stale: {@code bind} fails with {@code EADDRINUSE}, so the media connects a probe socket to the path, and
 * {@code ECONNREFUSED} (nobody bound) means the file is removed and bound again, whereas a successful connect means
 * a live process holds the path and the media refuses with an {@link IllegalStateException}. A file at the path
 * that is not a socket is never removed.
 * <p>
 * <b>Data path.</b> Datagrams go through libc {@code recvmsg} and {@code sendmsg} bound with jnr-ffi (see
 * {@link LibC}), with {@code MSG_DONTWAIT}, on preallocated native memory: one receive buffer of
 * {@code maxDatagramLength} bytes wrapped once by the {@link UnsafeBuffer} handed to the {@link DatagramHandler}, and
 * a 512-byte block holding a {@code struct msghdr}, an {@code iovec} and a {@code sockaddr_un} for each direction.
 * Neither {@link #receive(DatagramHandler, int)} nor {@link #send(ByteBuffer, SocketAddress)} allocates in steady
 * state:
 * <ul>
 *     <li>the source of a datagram is looked up, by its raw {@code sun_path} bytes, in a cache of up to
 *     {@link #ADDRESS_CACHE_ENTRIES} interned {@link UnixAddress} instances; beyond that, each datagram from a new
 *     source allocates an equal address (counted in {@link #uncachedSources()});</li>
 *     <li>the destination's {@code sockaddr_un} is written to native memory only when it differs from the previous
 *     send's;</li>
 *     <li>a direct buffer is sent from where it is; a heap buffer is first copied into a preallocated direct one;</li>
 *     <li>{@code EAGAIN} is a return value, never an exception, and errno is read without allocation.</li>
 * </ul>
 * <p>
 * <b>Back-pressure and failures.</b> Linux queues at most {@code /proc/sys/net/unix/max_dgram_qlen} datagrams (often
 * 10) for a receiver and charges the bytes in flight to the sender's {@code SO_SNDBUF}; past either, {@code send}
 * returns {@link #SEND_WOULD_BLOCK} ({@code EAGAIN}, {@code ENOBUFS}, {@code EINTR}), counted in
 * {@link #sendWouldBlocks()}. A destination with no socket bound ({@code ECONNREFUSED}), no file
 * ({@code ENOENT}) or any other error returns {@link #SEND_FAILED}, counted in {@link #sendFailures()}. Errors go to
 * the error handler rate-limited: the 1st, 2nd, 4th, 8th... occurrence of each errno, so a peer that stays gone
 * costs a few exceptions in all, not one per send.
 * <p>
 * 64-bit Linux only. NOT thread safe: only called from the duty-cycle agent thread, apart from
 * {@link #resolve(String)}, which may be called from any thread.
 */
public final class UnixDatagramMedia implements Media
{
    /**
     * Largest {@code maxDatagramLength} accepted.
     */
    public static final int MAX_DATAGRAM_LENGTH = 65_535;

    /**
     * {@code SO_SNDBUF} and {@code SO_RCVBUF} asked for by {@link #open(String, int, ErrorHandler)}; the kernel
     * caps them at {@code net.core.wmem_max} and {@code net.core.rmem_max}, doubled.
     */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    /**
     * Most datagram sources whose addresses are interned.
     */
    public static final int ADDRESS_CACHE_ENTRIES = 4096;

    /**
     * Bytes Linux reserves in {@code SO_SNDBUF} beside the largest datagram it lets a socket send.
     */
    static final int SNDBUF_OVERHEAD = 32;

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private static final int RECV_MSGHDR = 0;
    private static final int RECV_IOVEC = 64;
    private static final int RECV_NAME = 128;
    private static final int SEND_MSGHDR = 256;
    private static final int SEND_IOVEC = 320;
    private static final int SEND_NAME = 384;
    // A socket option's value; its length 8 bytes on (LibC.getIntOption).
    private static final int OPTION_VALUE = 496;
    private static final int CONTROL_LENGTH = 512;

    private static final int SEND_FLAGS = LibC.MSG_DONTWAIT;
    private static final int RECEIVE_FLAGS = LibC.MSG_DONTWAIT;

    private static final int ERROR_SLOTS = 256;
    private static final int MAX_ERRNO_SLOT = ERROR_SLOTS - 4;
    private static final int NOT_A_UNIX_ADDRESS_SLOT = ERROR_SLOTS - 3;
    private static final int TOO_LONG_SLOT = ERROR_SLOTS - 2;
    private static final int CLOSED_SLOT = ERROR_SLOTS - 1;

    private final LibC.Calls libc = LibC.calls();
    private final int fd;
    private final UnixAddress localAddress;
    private final Path socketPath;
    private final Object socketFileKey;
    private final int maxDatagramLength;
    private final ErrorHandler errorHandler;
    private final int socketReceiveBufferBytes;
    private final int socketSendBufferBytes;

    private final UnsafeBuffer control;
    private final long recvMsghdrAddress;
    private final long sendMsghdrAddress;
    private final UnsafeBuffer receiveBuffer;
    private final UnsafeBuffer sendScratch;
    private final long sendScratchAddress;
    private final PathAddressCache<UnixAddress> addressCache =
        new PathAddressCache<>(ADDRESS_CACHE_ENTRIES, UnixAddress::copyOf);
    private UnixAddress lastDestination;

    private final long[] sendErrorCounts = new long[ERROR_SLOTS];
    private final long[] receiveErrorCounts = new long[ERROR_SLOTS];
    private long sendWouldBlocks;
    private long sendFailures;
    private long receiveFailures;
    private long oversizeDrops;
    private boolean closed;

    /**
     * Create the lane directory if missing, open a socket and bind it to a path, replacing a stale socket file.
     *
     * @param bindAddress              the filesystem path to bind.
     * @param maxDatagramLength        largest datagram carried, in bytes; longer ones are not sent, and are dropped
     *                                 on receive.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             given the I/O failures of {@link #send} and {@link #receive}.
     * @throws IllegalArgumentException      if a length is out of range or the address is not a filesystem path.
     * @throws IllegalStateException         if a running process is bound at the path, a file that is not a socket
     *                                       is in the way, or the kernel grants too small an {@code SO_SNDBUF} for
     *                                       {@code maxDatagramLength}.
     * @throws UncheckedIOException          if the directory, the socket or the bind fails otherwise.
     * @throws UnsupportedOperationException if not on 64-bit Linux.
     */
    public UnixDatagramMedia(
        final UnixAddress bindAddress,
        final int maxDatagramLength,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(errorHandler, "errorHandler");
        if (maxDatagramLength <= 0 || maxDatagramLength > MAX_DATAGRAM_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxDatagramLength must be in 1.." + MAX_DATAGRAM_LENGTH + ": " + maxDatagramLength);
        }
        if (socketReceiveBufferBytes < 0 || socketSendBufferBytes < 0)
        {
            throw new IllegalArgumentException("socket buffer lengths must be >= 0: SO_RCVBUF=" +
                socketReceiveBufferBytes + " SO_SNDBUF=" + socketSendBufferBytes);
        }
        if (!bindAddress.isPathname())
        {
            throw new IllegalArgumentException("bind address must be a filesystem path: " + bindAddress);
        }
        LibC.checkSupported();

        this.localAddress = bindAddress;
        this.maxDatagramLength = maxDatagramLength;
        this.errorHandler = errorHandler;
        socketPath = Path.of(bindAddress.path());

        control = new UnsafeBuffer(BufferUtil.allocateDirectAligned(CONTROL_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        final long controlAddress = control.addressOffset();
        recvMsghdrAddress = controlAddress + RECV_MSGHDR;
        sendMsghdrAddress = controlAddress + SEND_MSGHDR;
        receiveBuffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(BitUtil.align(maxDatagramLength, 64), BitUtil.CACHE_LINE_LENGTH),
            0,
            maxDatagramLength);
        sendScratch = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(BitUtil.align(maxDatagramLength, 64), BitUtil.CACHE_LINE_LENGTH),
            0,
            maxDatagramLength);
        sendScratchAddress = sendScratch.addressOffset();
        initMsghdr(RECV_MSGHDR, controlAddress + RECV_NAME, controlAddress + RECV_IOVEC);
        control.putLong(RECV_IOVEC + LibC.IOV_BASE_OFFSET, receiveBuffer.addressOffset());
        control.putLong(RECV_IOVEC + LibC.IOV_LEN_OFFSET, maxDatagramLength);
        initMsghdr(SEND_MSGHDR, controlAddress + SEND_NAME, controlAddress + SEND_IOVEC);

        int fd = -1;
        boolean bound = false;
        boolean done = false;
        try
        {
            ensureLaneDirectory(socketPath.getParent());

            fd = libc.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw LibC.failure("socket(AF_UNIX, SOCK_DGRAM) for " + bindAddress, LibC.errno());
            }
            final String on = " on " + bindAddress;
            if (socketReceiveBufferBytes > 0)
            {
                LibC.setIntOption(libc, fd, LibC.SO_RCVBUF, socketReceiveBufferBytes, control, OPTION_VALUE, on);
            }
            if (socketSendBufferBytes > 0)
            {
                LibC.setIntOption(libc, fd, LibC.SO_SNDBUF, socketSendBufferBytes, control, OPTION_VALUE, on);
            }
            this.socketReceiveBufferBytes = LibC.getIntOption(libc, fd, LibC.SO_RCVBUF, control, OPTION_VALUE, on);
            this.socketSendBufferBytes = LibC.getIntOption(libc, fd, LibC.SO_SNDBUF, control, OPTION_VALUE, on);
            if (this.socketSendBufferBytes - SNDBUF_OVERHEAD < maxDatagramLength)
            {
                throw new IllegalStateException("SO_SNDBUF granted " + this.socketSendBufferBytes +
                    " bytes, too small for maxDatagramLength " + maxDatagramLength + " (needs " +
                    (maxDatagramLength + SNDBUF_OVERHEAD) + "): raise net.core.wmem_max or lower the MTU");
            }

            bind(fd, bindAddress);
            bound = true;
            Files.setPosixFilePermissions(socketPath, OWNER_ONLY_FILE);
            socketFileKey = Files.readAttributes(
                socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            done = true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(
                "failed to bind Unix datagram media to " + bindAddress + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (!done)
            {
                if (bound)
                {
                    deleteQuietly(socketPath);
                }
                if (fd >= 0)
                {
                    libc.close(fd);
                }
            }
        }
        this.fd = fd;
    }

    /**
     * Open a media bound to {@code unix:PATH}, asking for {@link #DEFAULT_SOCKET_BUFFER_BYTES} socket buffers.
     * Control plane only.
     *
     * @param bindAddress       to bind to, {@code unix:PATH}.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param errorHandler      given the I/O failures of {@link #send} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed or a length out of range.
     * @throws IllegalStateException    if the path is in use by a running process or is not a socket.
     * @throws UncheckedIOException     if the bind fails otherwise.
     */
    public static UnixDatagramMedia open(
        final String bindAddress, final int maxDatagramLength, final ErrorHandler errorHandler)
    {
        return new UnixDatagramMedia(
            UnixAddress.of(bindAddress),
            maxDatagramLength,
            DEFAULT_SOCKET_BUFFER_BYTES,
            DEFAULT_SOCKET_BUFFER_BYTES,
            errorHandler);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The source handed to the handler is an interned {@link UnixAddress}, safe to keep. Datagrams longer than
     * {@link #maxDatagramLength()} are counted in {@link #oversizeDrops()} and not delivered, but they count towards
     * {@code limit} and the return value. An I/O failure other than {@code EAGAIN} goes to the error handler,
     * rate-limited, and ends the call.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }

        final UnsafeBuffer control = this.control;
        int received = 0;
        while (received < limit)
        {
            control.putInt(RECV_MSGHDR + LibC.MSG_NAMELEN_OFFSET, LibC.SOCKADDR_UN_LENGTH);
            final long length = libc.recvmsg(fd, recvMsghdrAddress, RECEIVE_FLAGS);
            if (length < 0)
            {
                final int errno = LibC.errno();
                if (!LibC.isTransient(errno))
                {
                    onReceiveError(errno);
                }
                break;
            }

            received++;
            if (0 != (control.getInt(RECV_MSGHDR + LibC.MSG_FLAGS_OFFSET) & LibC.MSG_TRUNC))
            {
                oversizeDrops++;
            }
            else
            {
                handler.onDatagram(receiveBuffer, 0, (int)length, source());
            }
        }

        return received;
    }

    /**
     * {@inheritDoc}
     * <p>
     * On success the buffer's position is advanced past the bytes sent. Never throws: a destination that is not a
     * {@link UnixAddress}, a datagram longer than {@link #maxDatagramLength()}, a closed media, or an I/O failure
     * other than back-pressure goes to the error handler, rate-limited, and returns {@link #SEND_FAILED}.
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        if (!(destination instanceof UnixAddress))
        {
            return failSend(NOT_A_UNIX_ADDRESS_SLOT, destination, "destination is not a unix: address");
        }
        final int position = buffer.position();
        final int length = buffer.limit() - position;
        if (length > maxDatagramLength)
        {
            return failSend(TOO_LONG_SLOT, destination,
                "datagram of " + length + " bytes is longer than maxDatagramLength " + maxDatagramLength);
        }
        if (closed)
        {
            return failSend(CLOSED_SLOT, destination, "media is closed");
        }

        final UnsafeBuffer control = this.control;
        if (destination != lastDestination)
        {
            final UnixAddress address = (UnixAddress)destination;
            control.putInt(SEND_MSGHDR + LibC.MSG_NAMELEN_OFFSET, writeSockaddr(control, SEND_NAME, address));
            lastDestination = address;
        }

        final long address;
        if (buffer.isDirect())
        {
            address = BufferUtil.address(buffer) + position;
        }
        else
        {
            sendScratch.putBytes(0, buffer, position, length);
            address = sendScratchAddress;
        }
        control.putLong(SEND_IOVEC + LibC.IOV_BASE_OFFSET, address);
        control.putLong(SEND_IOVEC + LibC.IOV_LEN_OFFSET, length);

        final long sent = libc.sendmsg(fd, sendMsghdrAddress, SEND_FLAGS);
        if (sent >= 0)
        {
            buffer.position(position + (int)sent);
            return (int)sent;
        }

        final int errno = LibC.errno();
        if (LibC.isTransient(errno) || LibC.ENOBUFS == errno)
        {
            sendWouldBlocks++;
            return SEND_WOULD_BLOCK;
        }

        sendFailures++;
        final int slot = Math.min(errno, MAX_ERRNO_SLOT);
        if (LibC.isReportDue(sendErrorCounts, slot))
        {
            errorHandler.onError(new IOException("sendmsg from " + localAddress + " to " + destination +
                " failed: " + LibC.describe(errno)));
        }

        return SEND_FAILED;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Accepts {@code unix:PATH}, a relative path being made absolute against the working directory, and
     * {@code unix:@name} for a Linux abstract name. Thread safe.
     */
    @Override
    public UnixAddress resolve(final String address)
    {
        return UnixAddress.of(address);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Yards: {@link UnixAddress} destinations.
     */
    @Override
    public boolean canReach(final SocketAddress address)
    {
        return address instanceof UnixAddress;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Always true: a lane never leaves the host.
     */
    @Override
    public boolean isHostLocal(final SocketAddress address)
    {
        return address instanceof UnixAddress;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The absolute, normalized path bound, equal to the source peers see.
     */
    @Override
    public UnixAddress localAddress()
    {
        return localAddress;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    /**
     * {@code SO_RCVBUF} as granted by the kernel, which doubles the value asked for and caps it.
     *
     * @return the receive buffer in bytes.
     */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * {@code SO_SNDBUF} as granted by the kernel, which doubles the value asked for and caps it: the bytes this
     * socket may have queued at receivers that have not read them yet.
     *
     * @return the send buffer in bytes.
     */
    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /**
     * Sends refused for back-pressure, each returned as {@link #SEND_WOULD_BLOCK}.
     *
     * @return the count of sends that would have blocked.
     */
    public long sendWouldBlocks()
    {
        return sendWouldBlocks;
    }

    /**
     * Sends that failed, each returned as {@link #SEND_FAILED}.
     *
     * @return the count of failed sends.
     */
    public long sendFailures()
    {
        return sendFailures;
    }

    /**
     * Receives that failed with an error other than {@code EAGAIN} or {@code EINTR}.
     *
     * @return the count of failed receives.
     */
    public long receiveFailures()
    {
        return receiveFailures;
    }

    /**
     * Datagrams received that were longer than {@link #maxDatagramLength()} and dropped.
     *
     * @return the count of oversize datagrams dropped.
     */
    public long oversizeDrops()
    {
        return oversizeDrops;
    }

    /**
     * Datagrams whose source address was allocated because the address cache was full.
     *
     * @return the count of uncached sources.
     */
    public long uncachedSources()
    {
        return addressCache.uncachedLookups();
    }

    /**
     * Remove the socket file, if it is still the one this media bound, and close the socket. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                // Unlink while still bound: another process probing the path meanwhile sees it live, not stale.
                final BasicFileAttributes attributes = Files.readAttributes(
                    socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (Objects.equals(socketFileKey, attributes.fileKey()))
                {
                    Files.delete(socketPath);
                }
            }
            catch (final NoSuchFileException ignore)
            {
                // Already removed by someone else: nothing to clean up.
            }
            catch (final IOException ex)
            {
                errorHandler.onError(ex);
            }

            if (libc.close(fd) < 0)
            {
                errorHandler.onError(new IOException("close of " + localAddress + " failed: " +
                    LibC.describe(LibC.errno())));
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "UnixDatagramMedia{localAddress=" + localAddress + ", maxDatagramLength=" + maxDatagramLength +
            ", SO_RCVBUF=" + socketReceiveBufferBytes + ", SO_SNDBUF=" + socketSendBufferBytes + '}';
    }

    private UnixAddress source()
    {
        final UnsafeBuffer control = this.control;
        final int nameLength = Math.min(
            control.getInt(RECV_MSGHDR + LibC.MSG_NAMELEN_OFFSET), LibC.SOCKADDR_UN_LENGTH);
        final int offset = RECV_NAME + LibC.SUN_PATH_OFFSET;
        int length = nameLength - LibC.SUN_PATH_OFFSET;
        if (length > 0 && 0 != control.getByte(offset))
        {
            // A filesystem path: Linux reports its terminating NUL in the length, other kernels may not.
            while (length > 0 && 0 == control.getByte(offset + length - 1))
            {
                length--;
            }
        }

        return addressCache.lookup(control, offset, Math.max(length, 0));
    }

    private int failSend(final int slot, final SocketAddress destination, final String reason)
    {
        sendFailures++;
        if (LibC.isReportDue(sendErrorCounts, slot))
        {
            errorHandler.onError(new IllegalArgumentException(
                "send from " + localAddress + " to " + destination + " refused: " + reason));
        }

        return SEND_FAILED;
    }

    private void onReceiveError(final int errno)
    {
        receiveFailures++;
        if (LibC.isReportDue(receiveErrorCounts, Math.min(errno, MAX_ERRNO_SLOT)))
        {
            errorHandler.onError(new IOException("recvmsg on " + localAddress + " failed: " + LibC.describe(errno)));
        }
    }

    private void initMsghdr(final int offset, final long nameAddress, final long iovecAddress)
    {
        control.putLong(offset + LibC.MSG_NAME_OFFSET, nameAddress);
        control.putInt(offset + LibC.MSG_NAMELEN_OFFSET, 0);
        control.putLong(offset + LibC.MSG_IOV_OFFSET, iovecAddress);
        control.putLong(offset + LibC.MSG_IOVLEN_OFFSET, 1);
        control.putLong(offset + LibC.MSG_CONTROL_OFFSET, 0);
        control.putLong(offset + LibC.MSG_CONTROLLEN_OFFSET, 0);
        control.putInt(offset + LibC.MSG_FLAGS_OFFSET, 0);
    }

    /**
     * Write a {@code sockaddr_un} for an address: native-endian {@code sun_family}, path bytes, NUL for a path.
     *
     * @return its length.
     */
    private static int writeSockaddr(final UnsafeBuffer buffer, final int offset, final UnixAddress address)
    {
        final byte[] pathBytes = address.pathBytes();
        buffer.setMemory(offset, LibC.SOCKADDR_UN_LENGTH, (byte)0);
        buffer.putShort(offset, (short)LibC.AF_UNIX);
        buffer.putBytes(offset + LibC.SUN_PATH_OFFSET, pathBytes);

        return address.sockaddrLength();
    }

    private void bind(final int fd, final UnixAddress address) throws IOException
    {
        final int nameLength = writeSockaddr(control, SEND_NAME, address);
        final long nameAddress = control.addressOffset() + SEND_NAME;
        if (0 == libc.bind(fd, nameAddress, nameLength))
        {
            return;
        }

        final int errno = LibC.errno();
        if (LibC.EADDRINUSE != errno)
        {
            throw LibC.failure("bind to " + address, errno);
        }

        removeStaleSocketFile(address, nameAddress, nameLength);
        if (0 != libc.bind(fd, nameAddress, nameLength))
        {
            final int retryErrno = LibC.errno();
            if (LibC.EADDRINUSE == retryErrno)
            {
                throw new IllegalStateException("socket " + socketPath +
                    " was bound by another process while its stale file was being replaced");
            }
            throw LibC.failure("bind to " + address, retryErrno);
        }
    }

    /**
     * Remove the file at the bind path if it is a socket nobody is bound to, found by connecting a probe socket.
     */
    private void removeStaleSocketFile(final UnixAddress address, final long nameAddress, final int nameLength)
        throws IOException
    {
        final int mode;
        try
        {
            mode = (Integer)Files.getAttribute(socketPath, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            return;
        }
        if (LibC.S_IFSOCK != (mode & LibC.S_IFMT))
        {
            throw new IllegalStateException(
                "cannot bind " + socketPath + ": the path exists and is not a socket, so it is left alone");
        }

        final int probe = libc.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (probe < 0)
        {
            throw LibC.failure("socket(AF_UNIX, SOCK_DGRAM) for a probe of " + address, LibC.errno());
        }
        try
        {
            if (0 == libc.connect(probe, nameAddress, nameLength))
            {
                throw new IllegalStateException(
                    "socket " + socketPath + " is in use by a running process: another yard is bound there");
            }

            final int errno = LibC.errno();
            if (LibC.ECONNREFUSED == errno)
            {
                // Nobody is bound: the file was left by a process that died without closing.
                Files.deleteIfExists(socketPath);
            }
            else if (LibC.ENOENT != errno)
            {
                throw new IllegalStateException("cannot tell whether socket " + socketPath +
                    " is in use: probe connect failed with " + LibC.describe(errno));
            }
        }
        finally
        {
            libc.close(probe);
        }
    }

    private static void ensureLaneDirectory(final Path lane) throws IOException
    {
        if (null == lane || Files.isDirectory(lane))
        {
            return;
        }

        final Path parent = lane.getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        try
        {
            Files.createDirectory(lane, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            // The mode given at creation is filtered by the umask; set it outright.
            Files.setPosixFilePermissions(lane, OWNER_ONLY_DIRECTORY);
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(lane))
            {
                throw ex;
            }
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // Best effort while failing to open: the original failure is the one thrown.
        }
    }
}
