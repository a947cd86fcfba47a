package io.raet4j.ipc;

import jnr.constants.platform.Errno;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.socklen_t;
import jnr.ffi.types.ssize_t;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;

/**
 * The libc calls behind {@link UnixDatagramMedia}, {@link MmsgUdpMedia} and {@link SharedMemoryMedia} (which only
 * asks {@code kill} whether a process is alive), bound once through jnr-ffi, and the Linux constants and layouts they need.
 * <p>
 * Every pointer is passed as a {@code long} address into memory the caller preallocated, so a call allocates
 * nothing. The data path uses {@code sendmsg} and {@code recvmsg} with a preallocated {@code struct msghdr} rather
 * than {@code sendto} and {@code recvfrom}: with jnr-ffi 2.3.3 and jffi 1.4.3 the sixth argument of a six-argument
 * call reaches libc as garbage (seen with strace: {@code sendto} got a random {@code addrlen} and failed with
 * {@code EINVAL}), whereas three-argument calls are exact.
 * <p>
 * Linux on a 64-bit CPU only: the {@code msghdr} offsets and the flag values below are Linux LP64's.
 * {@link #checkSupported()} refuses anything else.
 * <p>
 * errno is saved by jnr-ffi after each call, per thread, and read without allocation by {@link #errno()}; it is only
 * meaningful right after a call that returned -1.
 * <p>
 * Thread safe: stateless apart from the per-thread errno.
 */
final class LibC
{
    /**
     * The libc functions bound. Public so the class jnr-ffi generates, in its own class loader, can implement it.
     */
    public interface Calls
    {
        /**
         * socket(2).
         *
         * @param domain   address family.
         * @param type     socket type and flags.
         * @param protocol 0.
         * @return the descriptor or -1.
         */
        int socket(int domain, int type, int protocol);

        /**
         * bind(2).
         *
         * @param fd          socket.
         * @param addr        address of a {@code sockaddr_un}.
         * @param addrLength  its length.
         * @return 0 or -1.
         */
        int bind(int fd, @intptr_t long addr, @socklen_t int addrLength);

        /**
         * connect(2).
         *
         * @param fd         socket.
         * @param addr       address of a {@code sockaddr_un}.
         * @param addrLength its length.
         * @return 0 or -1.
         */
        int connect(int fd, @intptr_t long addr, @socklen_t int addrLength);

        /**
         * setsockopt(2).
         *
         * @param fd          socket.
         * @param level       option level.
         * @param name        option name.
         * @param value       address of the value.
         * @param valueLength its length.
         * @return 0 or -1.
         */
        int setsockopt(int fd, int level, int name, @intptr_t long value, @socklen_t int valueLength);

        /**
         * getsockopt(2).
         *
         * @param fd                 socket.
         * @param level              option level.
         * @param name               option name.
         * @param value              address of the value.
         * @param valueLengthAddress address of a {@code socklen_t} holding the value's capacity, then its length.
         * @return 0 or -1.
         */
        int getsockopt(int fd, int level, int name, @intptr_t long value, @intptr_t long valueLengthAddress);

        /**
         * sendmsg(2).
         *
         * @param fd    socket.
         * @param msg   address of a {@code struct msghdr}.
         * @param flags message flags.
         * @return bytes sent or -1.
         */
        @ssize_t long sendmsg(int fd, @intptr_t long msg, int flags);

        /**
         * recvmsg(2).
         *
         * @param fd    socket.
         * @param msg   address of a {@code struct msghdr}.
         * @param flags message flags.
         * @return bytes received or -1.
         */
        @ssize_t long recvmsg(int fd, @intptr_t long msg, int flags);

        /**
         * recvmmsg(2): several datagrams in one call.
         *
         * @param fd      socket.
         * @param msgvec  address of an array of {@code struct mmsghdr}.
         * @param vlen    entries in the array.
         * @param flags   message flags.
         * @param timeout address of a {@code struct timespec}, or 0 for none.
         * @return datagrams received or -1.
         */
        int recvmmsg(int fd, @intptr_t long msgvec, int vlen, int flags, @intptr_t long timeout);

        /**
         * sendmmsg(2): several datagrams in one call.
         *
         * @param fd     socket.
         * @param msgvec address of an array of {@code struct mmsghdr}.
         * @param vlen   entries in the array.
         * @param flags  message flags.
         * @return datagrams sent, or -1 when the first could not be.
         */
        int sendmmsg(int fd, @intptr_t long msgvec, int vlen, int flags);

        /**
         * getsockname(2).
         *
         * @param fd                socket.
         * @param addr              address of a buffer for the bound address.
         * @param addrLengthAddress address of a {@code socklen_t} holding the buffer's capacity, then the length.
         * @return 0 or -1.
         */
        int getsockname(int fd, @intptr_t long addr, @intptr_t long addrLengthAddress);

        /**
         * kill(2): with signal 0, only whether the process exists and may be signalled.
         *
         * @param pid    a process id, positive: 0 and negative values name process groups.
         * @param signal 0 to probe.
         * @return 0 or -1.
         */
        int kill(int pid, int signal);

        /**
         * close(2).
         *
         * @param fd descriptor.
         * @return 0 or -1.
         */
        int close(int fd);
    }

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int S_IFMT = 0xF000;
    static final int S_IFSOCK = 0xC000;

    /** {@code sizeof(struct sockaddr_un)}: a 2-byte {@code sun_family} then 108 bytes of {@code sun_path}. */
    static final int SOCKADDR_UN_LENGTH = 110;
    /** Offset of {@code sun_path} in {@code struct sockaddr_un}. */
    static final int SUN_PATH_OFFSET = 2;

    /** {@code sizeof(struct sockaddr_in)}: family, port and address, then 8 bytes of zero. */
    static final int SOCKADDR_IN_LENGTH = 16;
    /** Offset of {@code sin_port}, in network byte order, in {@code struct sockaddr_in}. */
    static final int SIN_PORT_OFFSET = 2;
    /** Offset of {@code sin_addr}, in network byte order, in {@code struct sockaddr_in}. */
    static final int SIN_ADDR_OFFSET = 4;

    /** {@code sizeof(struct mmsghdr)} on Linux LP64: a {@code struct msghdr}, {@code msg_len}, padding. */
    static final int MMSGHDR_LENGTH = 64;
    /** Offset of {@code msg_len}, the bytes sent or received, in {@code struct mmsghdr}. */
    static final int MMSG_LEN_OFFSET = 56;
    /** {@code sizeof(struct iovec)} on LP64. */
    static final int IOVEC_LENGTH = 16;

    // Offsets in struct msghdr, 56 bytes on Linux LP64.
    static final int MSG_NAME_OFFSET = 0;
    static final int MSG_NAMELEN_OFFSET = 8;
    static final int MSG_IOV_OFFSET = 16;
    static final int MSG_IOVLEN_OFFSET = 24;
    static final int MSG_CONTROL_OFFSET = 32;
    static final int MSG_CONTROLLEN_OFFSET = 40;
    static final int MSG_FLAGS_OFFSET = 48;

    // Offsets in struct iovec, 16 bytes on LP64.
    static final int IOV_BASE_OFFSET = 0;
    static final int IOV_LEN_OFFSET = 8;

    static final int EAGAIN = Errno.EAGAIN.intValue();
    static final int EWOULDBLOCK = Errno.EWOULDBLOCK.intValue();
    static final int EINTR = Errno.EINTR.intValue();
    static final int ENOBUFS = Errno.ENOBUFS.intValue();
    static final int ENOENT = Errno.ENOENT.intValue();
    static final int ECONNREFUSED = Errno.ECONNREFUSED.intValue();
    static final int EADDRINUSE = Errno.EADDRINUSE.intValue();
    static final int EPERM = Errno.EPERM.intValue();

    private static final boolean SUPPORTED =
        Platform.OS.LINUX == Platform.getNativePlatform().getOS() && Platform.getNativePlatform().is64Bit();

    private static final Calls CALLS;
    private static final Runtime RUNTIME;

    static
    {
        if (SUPPORTED)
        {
            CALLS = LibraryLoader.create(Calls.class).load("c");
            RUNTIME = Runtime.getRuntime(CALLS);
        }
        else
        {
            CALLS = null;
            RUNTIME = null;
        }
    }

    private LibC()
    {
    }

    /**
     * Refuse a platform whose layouts this class does not know.
     *
     * @throws UnsupportedOperationException unless on 64-bit Linux.
     */
    static void checkSupported()
    {
        checkSupported("lanes (unix: and shm:)");
    }

    /**
     * Refuse a platform whose layouts this class does not know.
     *
     * @param what needs the platform, for the message.
     * @throws UnsupportedOperationException unless on 64-bit Linux.
     */
    static void checkSupported(final String what)
    {
        if (!SUPPORTED)
        {
            throw new UnsupportedOperationException(what + " need 64-bit Linux, not " +
                Platform.getNativePlatform().getOSName() + " " + Platform.getNativePlatform().getCPU());
        }
    }

    /**
     * Whether this platform is 64-bit Linux, whose layouts this class knows.
     *
     * @return true on 64-bit Linux.
     */
    static boolean isSupported()
    {
        return SUPPORTED;
    }

    /**
     * The bound libc functions.
     *
     * @return the bound libc functions.
     */
    static Calls calls()
    {
        return CALLS;
    }

    /**
     * errno as saved after the last call on this thread. Allocates nothing.
     *
     * @return the errno value.
     */
    static int errno()
    {
        return LastError.getLastError(RUNTIME);
    }

    /**
     * Whether an errno means "try again later" on a non-blocking socket.
     *
     * @param errno to test.
     * @return true for {@code EAGAIN}, {@code EWOULDBLOCK} and {@code EINTR}.
     */
    static boolean isTransient(final int errno)
    {
        return EAGAIN == errno || EWOULDBLOCK == errno || EINTR == errno;
    }

    /**
     * Name and text of an errno, for messages. Control plane and error path only: allocates.
     *
     * @param errno to describe.
     * @return e.g. {@code "ECONNREFUSED (Connection refused)"}.
     */
    static String describe(final int errno)
    {
        final Errno known = Errno.valueOf(errno);
        return null == known || !known.defined() ? "errno " + errno : known.name() + " (" + known.description() + ")";
    }

    /**
     * An {@link IOException} saying which call failed and why. Control plane and error path only: allocates.
     *
     * @param what  the call and its subject, e.g. {@code "bind to unix:/run/a.sock"}.
     * @param errno its error.
     * @return the exception, e.g. {@code "bind to ... failed: EADDRINUSE (Address already in use)"}.
     */
    static IOException failure(final String what, final int errno)
    {
        return new IOException(what + " failed: " + describe(errno));
    }

    /**
     * Count an occurrence of an error and say whether to report it: on the 1st, 2nd, 4th, 8th... of each kind, so a
     * peer that stays gone costs a few reports in all, not one per datagram. Allocation free.
     *
     * @param counts occurrences so far, one slot per kind of error.
     * @param slot   the kind of this one.
     * @return true if this occurrence is to be reported.
     */
    static boolean isReportDue(final long[] counts, final int slot)
    {
        final long count = ++counts[slot];
        return 0 == (count & (count - 1));
    }

    /**
     * Set an int socket option at {@code SOL_SOCKET}, through scratch native memory.
     *
     * @param libc    the bound calls.
     * @param fd      the socket.
     * @param name    {@link #SO_RCVBUF} or {@link #SO_SNDBUF}.
     * @param value   to set.
     * @param scratch native memory to pass the value in.
     * @param offset  of 4 free bytes in {@code scratch}.
     * @param subject appended to the message, e.g. {@code " on unix:/run/a.sock"}, or empty.
     * @throws IOException if setsockopt fails, saying why.
     */
    static void setIntOption(
        final Calls libc,
        final int fd,
        final int name,
        final int value,
        final UnsafeBuffer scratch,
        final int offset,
        final String subject) throws IOException
    {
        scratch.putInt(offset, value);
        if (0 != libc.setsockopt(fd, SOL_SOCKET, name, scratch.addressOffset() + offset, BitUtil.SIZE_OF_INT))
        {
            throw failure("setsockopt(" + optionName(name) + ", " + value + ")" + subject, errno());
        }
    }

    /**
     * Read an int socket option at {@code SOL_SOCKET}, through scratch native memory.
     *
     * @param libc    the bound calls.
     * @param fd      the socket.
     * @param name    {@link #SO_RCVBUF} or {@link #SO_SNDBUF}.
     * @param scratch native memory to take the value in.
     * @param offset  of 12 free bytes in {@code scratch}: the value at {@code offset}, its length at
     *                {@code offset + 8}.
     * @param subject appended to the message, e.g. {@code " on unix:/run/a.sock"}, or empty.
     * @return the option's value.
     * @throws IOException if getsockopt fails, saying why.
     */
    static int getIntOption(
        final Calls libc,
        final int fd,
        final int name,
        final UnsafeBuffer scratch,
        final int offset,
        final String subject) throws IOException
    {
        final long base = scratch.addressOffset();
        scratch.putInt(offset, 0);
        scratch.putInt(offset + BitUtil.SIZE_OF_LONG, BitUtil.SIZE_OF_INT);
        if (0 != libc.getsockopt(fd, SOL_SOCKET, name, base + offset, base + offset + BitUtil.SIZE_OF_LONG))
        {
            throw failure("getsockopt(" + optionName(name) + ")" + subject, errno());
        }

        return scratch.getInt(offset);
    }

    private static String optionName(final int name)
    {
        return SO_RCVBUF == name ? "SO_RCVBUF" : SO_SNDBUF == name ? "SO_SNDBUF" : "option " + name;
    }
}
