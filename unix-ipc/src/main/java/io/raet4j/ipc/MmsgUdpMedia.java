package io.raet4j.ipc;

import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import io.raet4j.transport.media.UdpMedia;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A UDP {@link Media} over IPv4 that batches system calls: up to {@link #BATCH} datagrams are received by one
 * {@code recvmmsg(2)} and sent by one {@code sendmmsg(2)}, called through jnr-ffi (see {@link LibC}) on a
 * non-blocking {@code AF_INET} socket. Addresses are written {@code udp:HOST:PORT} or {@code HOST:PORT}, and are
 * plain {@link InetSocketAddress} instances, so it interoperates with {@code UdpMedia} and any other UDP socket.
 * <p>
 * <b>Native memory.</b> One cache-line aligned block, allocated at construction and never grown:
 * <pre>
 *   receive: BATCH x struct mmsghdr (64 B)  | BATCH x struct iovec (16 B) | BATCH x struct sockaddr_in (16 B)
 *   send:    BATCH x struct mmsghdr (64 B)  | BATCH x struct iovec (16 B) | BATCH x struct sockaddr_in (16 B)
 *   scratch: 64 B for socket options and the bound address
 *   receive slots: BATCH x align(maxDatagramLength + 1, 64)
 *   send slots:    BATCH x align(maxDatagramLength, 64)
 * </pre>
 * Each {@code mmsghdr} points at its own {@code iovec}, {@code sockaddr_in} and slot for the life of the media. The
 * spare byte of a receive slot detects a datagram longer than {@link #maxDatagramLength()}: the kernel truncates it,
 * so it is counted in {@link #oversizeDrops()} and dropped rather than delivered truncated. With the largest UDP
 * payload the two directions take 4 MiB; with a 1,400-byte MTU, about 100 KiB.
 * <p>
 * <b>Receive.</b> {@link #receive(DatagramHandler, int)} asks the kernel for up to {@code min(limit, BATCH)}
 * datagrams with {@code MSG_DONTWAIT} in one call, and again while it is given a full batch and the limit allows.
 * Each is handed to the handler from its slot through an {@link UnsafeBuffer} made for that slot at construction;
 * its source is an interned {@link InetSocketAddress} from a cache keyed by IPv4 address and port (up to
 * {@link #ADDRESS_CACHE_ENTRIES} sources), so receiving from any number of interleaved peers allocates nothing; the
 * interned instance is equal to {@code new InetSocketAddress("a.b.c.d", port)} and safe to keep.
 * <p>
 * <b>Send.</b> {@link #send(ByteBuffer, SocketAddress)} copies the datagram into the next free send slot, writing
 * the slot's {@code sockaddr_in} only when the destination differs from the one the slot last held, and returns its
 * length: success means "queued for the kernel at the end of this duty cycle", which for UDP never meant delivery.
 * {@link #flush()}, called by the duty cycle after it has served the estates, hands the queued datagrams to the
 * kernel with {@code sendmmsg}. When every slot is queued, {@code send} first flushes; if the kernel still takes
 * nothing ({@code EAGAIN}), it returns {@link #SEND_WOULD_BLOCK} and the caller holds the datagram for later.
 * {@code EAGAIN}, {@code ENOBUFS} or {@code EINTR} during a flush leaves the rest queued for the next flush, counted
 * in {@link #sendWouldBlocks()}. A hard error on one datagram ({@code EACCES}, {@code EINVAL}, {@code ENETUNREACH},
 * {@code EHOSTUNREACH}...) skips that datagram, counted in {@link #sendFailures()}, and the rest of the batch goes
 * on. Errors go to the error handler rate-limited: the 1st, 2nd, 4th, 8th... occurrence of each errno.
 * <p>
 * Neither direction allocates in steady state. Linux on a 64-bit CPU only, IPv4 only: an IPv6 address is refused
 * with an {@link IllegalArgumentException}. NOT thread safe: only called from the duty-cycle agent thread, apart
 * from {@link #resolve(String)}, which may be called from any thread.
 */
public final class MmsgUdpMedia implements Media
{
    /**
     * The prefix of this media's address notation, {@code udp:HOST:PORT}.
     */
    public static final String PREFIX = "udp:";

    /**
     * Most datagrams received or sent by one system call, and the number of send slots.
     */
    public static final int BATCH = 32;

    /**
     * Largest UDP payload over IPv4: 65535 less the IP and UDP headers.
     */
    public static final int MAX_UDP_PAYLOAD = 65507;

    /**
     * Most datagram sources whose addresses are interned.
     */
    public static final int ADDRESS_CACHE_ENTRIES = 4096;

    private static final int RECV_HEADERS = 0;
    private static final int RECV_IOVECS = RECV_HEADERS + BATCH * LibC.MMSGHDR_LENGTH;
    private static final int RECV_NAMES = RECV_IOVECS + BATCH * LibC.IOVEC_LENGTH;
    private static final int SEND_HEADERS = RECV_NAMES + BATCH * LibC.SOCKADDR_IN_LENGTH;
    private static final int SEND_IOVECS = SEND_HEADERS + BATCH * LibC.MMSGHDR_LENGTH;
    private static final int SEND_NAMES = SEND_IOVECS + BATCH * LibC.IOVEC_LENGTH;
    private static final int SCRATCH_NAME = SEND_NAMES + BATCH * LibC.SOCKADDR_IN_LENGTH;
    private static final int SCRATCH_VALUE = SCRATCH_NAME + 32;
    private static final int SCRATCH_LENGTH = SCRATCH_VALUE + 8;
    private static final int RECV_SLOTS = SCRATCH_NAME + 64;

    private static final int FLAGS = LibC.MSG_DONTWAIT;

    private static final int ERROR_SLOTS = 256;
    private static final int MAX_ERRNO_SLOT = ERROR_SLOTS - 4;
    private static final int NOT_IPV4_SLOT = ERROR_SLOTS - 3;
    private static final int TOO_LONG_SLOT = ERROR_SLOTS - 2;
    private static final int CLOSED_SLOT = ERROR_SLOTS - 1;

    /**
     * Whether {@link Inet4Address#hashCode()} is the address itself, as in every OpenJDK: then the address of a
     * destination is read without the copy {@link InetAddress#getAddress()} makes.
     */
    private static final boolean IS_INET4_HASH_THE_ADDRESS = isInet4HashTheAddress();

    private final LibC.Calls libc = LibC.calls();
    private final int fd;
    private final InetSocketAddress localAddress;
    private final int maxDatagramLength;
    private final ErrorHandler errorHandler;
    private final int receiveBufferBytes;
    private final int sendBufferBytes;

    private final UnsafeBuffer memory;
    private final long recvHeadersAddress;
    private final long sendHeadersAddress;
    private final int sendSlots;
    private final int sendStride;
    private final UnsafeBuffer[] receiveBuffers = new UnsafeBuffer[BATCH];
    private final InetSocketAddress[] sendDestinations = new InetSocketAddress[BATCH];
    private final Inet4AddressCache addressCache = new Inet4AddressCache(ADDRESS_CACHE_ENTRIES);
    private int sendHead;
    private int sendTail;

    private final long[] sendErrorCounts = new long[ERROR_SLOTS];
    private final long[] receiveErrorCounts = new long[ERROR_SLOTS];
    private long datagramsSent;
    private long flushes;
    private long sendWouldBlocks;
    private long sendFailures;
    private long receiveFailures;
    private long oversizeDrops;
    private boolean closed;

    /**
     * Open a socket and bind it.
     *
     * @param bindAddress              an IPv4 address to bind to; port 0 binds an ephemeral port, see
     *                                 {@link #localAddress()}.
     * @param maxDatagramLength        largest datagram carried, in bytes; longer ones are not sent, and are dropped
     *                                 on receive.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             given the I/O failures of {@link #send}, {@link #flush()} and {@link #receive}.
     * @throws IllegalArgumentException      if a length is out of range or the address is not a resolved IPv4 one.
     * @throws UncheckedIOException          if the socket cannot be opened, configured or bound.
     * @throws UnsupportedOperationException if not on 64-bit Linux.
     */
    public MmsgUdpMedia(
        final InetSocketAddress bindAddress,
        final int maxDatagramLength,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(errorHandler, "errorHandler");
        if (maxDatagramLength <= 0 || maxDatagramLength > MAX_UDP_PAYLOAD)
        {
            throw new IllegalArgumentException(
                "maxDatagramLength must be in 1.." + MAX_UDP_PAYLOAD + ": " + maxDatagramLength);
        }
        if (socketReceiveBufferBytes < 0 || socketSendBufferBytes < 0)
        {
            throw new IllegalArgumentException("socket buffer lengths must be >= 0: SO_RCVBUF=" +
                socketReceiveBufferBytes + " SO_SNDBUF=" + socketSendBufferBytes);
        }
        if (!(bindAddress.getAddress() instanceof Inet4Address))
        {
            throw new IllegalArgumentException("MmsgUdpMedia binds IPv4 addresses only (use the default UDP media " +
                "for IPv6): " + bindAddress);
        }
        LibC.checkSupported("the batching UDP media (udp:)");

        this.maxDatagramLength = maxDatagramLength;
        this.errorHandler = errorHandler;

        final int receiveStride = BitUtil.align(maxDatagramLength + 1, BitUtil.CACHE_LINE_LENGTH);
        sendStride = BitUtil.align(maxDatagramLength, BitUtil.CACHE_LINE_LENGTH);
        sendSlots = RECV_SLOTS + BATCH * receiveStride;
        memory = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            sendSlots + BATCH * sendStride, BitUtil.CACHE_LINE_LENGTH));
        final long base = memory.addressOffset();
        recvHeadersAddress = base + RECV_HEADERS;
        sendHeadersAddress = base + SEND_HEADERS;
        for (int i = 0; i < BATCH; i++)
        {
            final long receiveSlot = base + RECV_SLOTS + (long)i * receiveStride;
            initHeader(RECV_HEADERS, RECV_IOVECS, RECV_NAMES, i, receiveSlot, maxDatagramLength + 1);
            receiveBuffers[i] = new UnsafeBuffer(receiveSlot, maxDatagramLength + 1);
            initHeader(SEND_HEADERS, SEND_IOVECS, SEND_NAMES, i, base + sendSlots + (long)i * sendStride, 0);
        }

        final int fd = libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new UncheckedIOException(
                LibC.failure("socket(AF_INET, SOCK_DGRAM) for " + bindAddress, LibC.errno()));
        }
        boolean done = false;
        try
        {
            if (socketReceiveBufferBytes > 0)
            {
                LibC.setIntOption(libc, fd, LibC.SO_RCVBUF, socketReceiveBufferBytes, memory, SCRATCH_VALUE, "");
            }
            if (socketSendBufferBytes > 0)
            {
                LibC.setIntOption(libc, fd, LibC.SO_SNDBUF, socketSendBufferBytes, memory, SCRATCH_VALUE, "");
            }

            writeSockaddr(SCRATCH_NAME, ipv4(bindAddress.getAddress()), bindAddress.getPort());
            if (0 != libc.bind(fd, base + SCRATCH_NAME, LibC.SOCKADDR_IN_LENGTH))
            {
                throw LibC.failure("bind to " + bindAddress, LibC.errno());
            }
            memory.putInt(SCRATCH_LENGTH, LibC.SOCKADDR_IN_LENGTH);
            if (0 != libc.getsockname(fd, base + SCRATCH_NAME, base + SCRATCH_LENGTH))
            {
                throw LibC.failure("getsockname after bind to " + bindAddress, LibC.errno());
            }
            localAddress = new InetSocketAddress(bindAddress.getAddress(), port(SCRATCH_NAME));
            receiveBufferBytes = LibC.getIntOption(libc, fd, LibC.SO_RCVBUF, memory, SCRATCH_VALUE, "");
            sendBufferBytes = LibC.getIntOption(libc, fd, LibC.SO_SNDBUF, memory, SCRATCH_VALUE, "");
            done = true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to bind mmsg UDP media to " + bindAddress + ": " + ex.getMessage(),
                ex);
        }
        finally
        {
            if (!done)
            {
                libc.close(fd);
            }
        }
        this.fd = fd;
    }

    /**
     * Open a media bound to {@code udp:HOST:PORT} or {@code HOST:PORT} with the OS default socket buffers. Control
     * plane only.
     *
     * @param bindAddress       to bind to.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param errorHandler      given the I/O failures of {@link #send}, {@link #flush()} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed or not IPv4.
     * @throws UncheckedIOException     if the bind fails.
     */
    public static MmsgUdpMedia open(
        final String bindAddress, final int maxDatagramLength, final ErrorHandler errorHandler)
    {
        return new MmsgUdpMedia(parse(bindAddress), maxDatagramLength, 0, 0, errorHandler);
    }

    /**
     * Open a media bound to {@code udp:HOST:PORT} or {@code HOST:PORT} with the socket buffers asked for. The kernel
     * may grant less (Linux caps {@code SO_RCVBUF} at {@code net.core.rmem_max}); {@link #receiveBufferBytes()} tells
     * what it granted. Control plane only.
     *
     * @param bindAddress              to bind to.
     * @param maxDatagramLength        largest datagram carried, in bytes.
     * @param socketReceiveBufferBytes for {@code SO_RCVBUF}, or 0 for the OS default.
     * @param socketSendBufferBytes    for {@code SO_SNDBUF}, or 0 for the OS default.
     * @param errorHandler             given the I/O failures of {@link #send}, {@link #flush()} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed or not IPv4.
     * @throws UncheckedIOException     if the bind fails.
     */
    public static MmsgUdpMedia open(
        final String bindAddress,
        final int maxDatagramLength,
        final int socketReceiveBufferBytes,
        final int socketSendBufferBytes,
        final ErrorHandler errorHandler)
    {
        return new MmsgUdpMedia(
            parse(bindAddress), maxDatagramLength, socketReceiveBufferBytes, socketSendBufferBytes, errorHandler);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The source handed to the handler is an interned {@link InetSocketAddress}, safe to keep. Datagrams longer than
     * {@link #maxDatagramLength()} are counted in {@link #oversizeDrops()} and not delivered, but they count towards
     * {@code limit} and the return value. An I/O failure other than {@code EAGAIN} goes to the error handler,
     * rate-limited, and ends the call, as does a receive on a closed media.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        if (closed)
        {
            onReceiveError(CLOSED_SLOT, "media is closed");
            return 0;
        }

        final UnsafeBuffer memory = this.memory;
        final int oversizeLength = maxDatagramLength + 1;
        int received = 0;
        while (received < limit)
        {
            final int wanted = Math.min(limit - received, BATCH);
            for (int i = 0; i < wanted; i++)
            {
                memory.putInt(
                    RECV_HEADERS + i * LibC.MMSGHDR_LENGTH + LibC.MSG_NAMELEN_OFFSET, LibC.SOCKADDR_IN_LENGTH);
            }

            final int count = libc.recvmmsg(fd, recvHeadersAddress, wanted, FLAGS, 0L);
            if (count < 0)
            {
                final int errno = LibC.errno();
                if (!LibC.isTransient(errno))
                {
                    onReceiveError(Math.min(errno, MAX_ERRNO_SLOT), "recvmmsg failed: " + LibC.describe(errno));
                }
                break;
            }

            for (int i = 0; i < count; i++)
            {
                final int header = RECV_HEADERS + i * LibC.MMSGHDR_LENGTH;
                final int length = memory.getInt(header + LibC.MMSG_LEN_OFFSET);
                if (length >= oversizeLength || 0 != (memory.getInt(header + LibC.MSG_FLAGS_OFFSET) & LibC.MSG_TRUNC))
                {
                    oversizeDrops++;
                    continue;
                }

                final int name = RECV_NAMES + i * LibC.SOCKADDR_IN_LENGTH;
                final InetSocketAddress source = addressCache.lookup(
                    memory.getInt(name + LibC.SIN_ADDR_OFFSET, ByteOrder.BIG_ENDIAN), port(name));
                handler.onDatagram(receiveBuffers[i], 0, length, source);
            }
            received += count;

            if (count < wanted || closed)
            {
                break;
            }
        }

        return received;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Queues the datagram, copied, for the next {@link #flush()}, and returns its length with the buffer's position
     * advanced past it. When the batch is full it is flushed first; if the kernel takes none of it, returns
     * {@link #SEND_WOULD_BLOCK}. Never throws: a destination that is not a resolved IPv4 {@link InetSocketAddress}, a
     * datagram longer than {@link #maxDatagramLength()} or a closed media goes to the error handler, rate-limited,
     * and returns {@link #SEND_FAILED}.
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        if (closed)
        {
            return failSend(CLOSED_SLOT, destination, "media is closed");
        }
        if (!canReach(destination))
        {
            return failSend(NOT_IPV4_SLOT, destination, "destination is not a resolved IPv4 socket address");
        }
        final int position = buffer.position();
        final int length = buffer.limit() - position;
        if (length > maxDatagramLength)
        {
            return failSend(TOO_LONG_SLOT, destination,
                "datagram of " + length + " bytes is longer than maxDatagramLength " + maxDatagramLength);
        }

        if (BATCH == sendTail)
        {
            flush();
            if (BATCH == sendTail)
            {
                if (sendHead > 0)
                {
                    compactSendSlots();
                }
                else
                {
                    sendWouldBlocks++;
                    return SEND_WOULD_BLOCK;
                }
            }
        }

        final int slot = sendTail;
        final UnsafeBuffer memory = this.memory;
        memory.putBytes(sendSlots + slot * sendStride, buffer, position, length);
        memory.putLong(SEND_IOVECS + slot * LibC.IOVEC_LENGTH + LibC.IOV_LEN_OFFSET, length);
        final InetSocketAddress to = (InetSocketAddress)destination;
        if (to != sendDestinations[slot])
        {
            writeSockaddr(SEND_NAMES + slot * LibC.SOCKADDR_IN_LENGTH, ipv4(to.getAddress()), to.getPort());
            sendDestinations[slot] = to;
        }
        sendTail = slot + 1;
        buffer.position(position + length);

        return length;
    }

    /**
     * {@inheritDoc}
     * <p>
     * One {@code sendmmsg} for the queued datagrams from the first unsent, and another after each datagram the kernel
     * refused with a hard error, which is skipped. Stops at {@code EAGAIN}, {@code ENOBUFS} or {@code EINTR}, leaving
     * the rest queued. Does nothing when nothing is queued or the media is closed.
     */
    @Override
    public int flush()
    {
        if (sendHead == sendTail || closed)
        {
            return 0;
        }

        flushes++;
        int sent = 0;
        while (sendHead < sendTail)
        {
            final int count = libc.sendmmsg(
                fd, sendHeadersAddress + (long)sendHead * LibC.MMSGHDR_LENGTH, sendTail - sendHead, FLAGS);
            if (count > 0)
            {
                sendHead += count;
                sent += count;
                continue;
            }

            final int errno = 0 == count ? LibC.EAGAIN : LibC.errno();
            if (LibC.isTransient(errno) || LibC.ENOBUFS == errno)
            {
                sendWouldBlocks++;
                break;
            }

            sendFailures++;
            if (LibC.isReportDue(sendErrorCounts, Math.min(errno, MAX_ERRNO_SLOT)))
            {
                errorHandler.onError(new IOException("sendmmsg from " + localAddress + " to " +
                    sendDestinations[sendHead] + " failed: " + LibC.describe(errno)));
            }
            sendHead++;
        }

        if (sendHead == sendTail)
        {
            sendHead = 0;
            sendTail = 0;
        }
        datagramsSent += sent;

        return sent;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Accepts {@code udp:HOST:PORT} and {@code HOST:PORT}, port in 0..65535; the host is resolved now and must be
     * IPv4. Thread safe.
     */
    @Override
    public InetSocketAddress resolve(final String address)
    {
        return parse(address);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Resolved IPv4 socket addresses.
     */
    @Override
    public boolean canReach(final SocketAddress address)
    {
        return address instanceof InetSocketAddress &&
            ((InetSocketAddress)address).getAddress() instanceof Inet4Address;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The address actually bound: an ephemeral port if port 0 was asked for.
     */
    @Override
    public InetSocketAddress localAddress()
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
     * {@inheritDoc}
     * <p>
     * {@code SO_RCVBUF} as the kernel granted it, which doubles the value asked for and caps it.
     */
    @Override
    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /**
     * {@code SO_SNDBUF} as the kernel granted it.
     *
     * @return the send buffer in bytes.
     */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /**
     * Datagrams queued by {@link #send} and not yet handed to the kernel.
     *
     * @return the number of queued datagrams.
     */
    public int queuedDatagrams()
    {
        return sendTail - sendHead;
    }

    /**
     * Datagrams the kernel has taken.
     *
     * @return the count of datagrams sent.
     */
    public long datagramsSent()
    {
        return datagramsSent;
    }

    /**
     * Flushes that found datagrams queued, each at least one {@code sendmmsg}.
     *
     * @return the count of flushes.
     */
    public long flushes()
    {
        return flushes;
    }

    /**
     * Flushes stopped by back-pressure and sends refused with {@link #SEND_WOULD_BLOCK}.
     *
     * @return the count.
     */
    public long sendWouldBlocks()
    {
        return sendWouldBlocks;
    }

    /**
     * Datagrams refused by {@link #send} with {@link #SEND_FAILED} or skipped by {@link #flush()} after a hard error.
     *
     * @return the count of failed sends.
     */
    public long sendFailures()
    {
        return sendFailures;
    }

    /**
     * Receives that failed with an error other than {@code EAGAIN} or {@code EINTR}, or found the media closed.
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
     * Flush what is queued, best effort, and close the socket. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            flush();
            closed = true;
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
        return "MmsgUdpMedia{localAddress=" + localAddress + ", maxDatagramLength=" + maxDatagramLength +
            ", SO_RCVBUF=" + receiveBufferBytes + ", SO_SNDBUF=" + sendBufferBytes + '}';
    }

    /**
     * Parse {@code udp:HOST:PORT} or {@code HOST:PORT} into a resolved IPv4 socket address. Control plane only.
     *
     * @param address to parse.
     * @return the resolved address.
     * @throws IllegalArgumentException if malformed, unknown or not IPv4.
     */
    static InetSocketAddress parse(final String address)
    {
        if (null == address || address.isEmpty())
        {
            throw new IllegalArgumentException("address must be udp:host:port or host:port, was empty");
        }

        final String hostPort = address.startsWith(PREFIX) ? address.substring(PREFIX.length()) : address;
        if (hostPort.startsWith("["))
        {
            throw new IllegalArgumentException("the batching UDP media (udp:) is IPv4 only: " + address);
        }
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || hostPort.indexOf(':') != colon)
        {
            throw new IllegalArgumentException("address must be udp:host:port or host:port (IPv4): " + address);
        }

        final InetSocketAddress resolved = UdpMedia.parse(hostPort, address);
        if (!(resolved.getAddress() instanceof Inet4Address))
        {
            throw new IllegalArgumentException("the batching UDP media (udp:) is IPv4 only: " + address);
        }

        return resolved;
    }

    /**
     * Move the datagrams still queued to the front, after a flush the kernel took part of.
     */
    private void compactSendSlots()
    {
        final UnsafeBuffer memory = this.memory;
        final int queued = sendTail - sendHead;
        for (int i = 0; i < queued; i++)
        {
            final int from = sendHead + i;
            final int length = (int)memory.getLong(SEND_IOVECS + from * LibC.IOVEC_LENGTH + LibC.IOV_LEN_OFFSET);
            memory.putBytes(sendSlots + i * sendStride, memory, sendSlots + from * sendStride, length);
            memory.putLong(SEND_IOVECS + i * LibC.IOVEC_LENGTH + LibC.IOV_LEN_OFFSET, length);
            memory.putBytes(SEND_NAMES + i * LibC.SOCKADDR_IN_LENGTH, memory,
                SEND_NAMES + from * LibC.SOCKADDR_IN_LENGTH, LibC.SOCKADDR_IN_LENGTH);
            sendDestinations[i] = sendDestinations[from];
        }
        sendHead = 0;
        sendTail = queued;
    }

    private void initHeader(
        final int headers, final int iovecs, final int names, final int index, final long slot, final int slotLength)
    {
        final long base = memory.addressOffset();
        final int header = headers + index * LibC.MMSGHDR_LENGTH;
        final int iovec = iovecs + index * LibC.IOVEC_LENGTH;
        final int name = names + index * LibC.SOCKADDR_IN_LENGTH;
        memory.putLong(header + LibC.MSG_NAME_OFFSET, base + name);
        memory.putInt(header + LibC.MSG_NAMELEN_OFFSET, LibC.SOCKADDR_IN_LENGTH);
        memory.putLong(header + LibC.MSG_IOV_OFFSET, base + iovec);
        memory.putLong(header + LibC.MSG_IOVLEN_OFFSET, 1);
        memory.putLong(header + LibC.MSG_CONTROL_OFFSET, 0);
        memory.putLong(header + LibC.MSG_CONTROLLEN_OFFSET, 0);
        memory.putInt(header + LibC.MSG_FLAGS_OFFSET, 0);
        memory.putInt(header + LibC.MMSG_LEN_OFFSET, 0);
        memory.putLong(iovec + LibC.IOV_BASE_OFFSET, slot);
        memory.putLong(iovec + LibC.IOV_LEN_OFFSET, slotLength);
    }

    /**
     * Write a {@code sockaddr_in}: native-endian family, port and address in network order, zero padding.
     */
    private void writeSockaddr(final int offset, final int address, final int port)
    {
        memory.putShort(offset, (short)LibC.AF_INET);
        memory.putShort(offset + LibC.SIN_PORT_OFFSET, (short)port, ByteOrder.BIG_ENDIAN);
        memory.putInt(offset + LibC.SIN_ADDR_OFFSET, address, ByteOrder.BIG_ENDIAN);
        memory.putLong(offset + 8, 0L);
    }

    private int port(final int sockaddrOffset)
    {
        return memory.getShort(sockaddrOffset + LibC.SIN_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    private static int ipv4(final InetAddress address)
    {
        if (IS_INET4_HASH_THE_ADDRESS)
        {
            return address.hashCode();
        }

        final byte[] bytes = address.getAddress();
        return ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    }

    private static boolean isInet4HashTheAddress()
    {
        try
        {
            final byte[][] samples = {{127, 0, 0, 1}, {(byte)192, (byte)168, 7, (byte)254}, {10, 1, 2, 3}};
            for (final byte[] bytes : samples)
            {
                final int expected = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) |
                    ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
                if (InetAddress.getByAddress(bytes).hashCode() != expected)
                {
                    return false;
                }
            }
            return true;
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
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

    private void onReceiveError(final int slot, final String reason)
    {
        receiveFailures++;
        if (LibC.isReportDue(receiveErrorCounts, slot))
        {
            errorHandler.onError(new IOException("receive on " + localAddress + ": " + reason));
        }
    }
}
