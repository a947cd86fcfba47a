package io.raet4j.ipc;

import io.raet4j.transport.PrivateDirectory;
import io.raet4j.transport.media.DatagramHandler;
import io.raet4j.transport.media.Media;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

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
import java.util.Objects;

/**
 * A {@link Media} over shared memory: each yard owns an inbox, a memory-mapped file holding an Agrona
 * {@link ManyToOneRingBuffer}, and any process on the host sends a datagram to a yard by claiming a record in that
 * yard's inbox, writing its own inbox path and the datagram, and committing it. Addresses are written
 * {@code shm:PATH} and are {@link SharedMemoryAddress} instances; {@code shm:NAME} names a file in
 * {@code /dev/shm/raet4j-<user name>}. The contract is that of {@link UnixDatagramMedia}: datagrams, kept whole and
 * in order per sender, never lost by the carrier, a full receiver holding the sender back.
 * <p>
 * <b>The inbox file.</b> A 128-byte header (native byte order): magic {@code RAET4SHM} (8 bytes, offset 0), layout
 * version 1 (int, 8), header length 128 (int, 12), ring capacity (int, 16), MTU (int, 20), owner pid (long, 24), the
 * owner's heartbeat in epoch ms (long, 64, on its own cache line), a closed flag (int, 72); then the ring's data,
 * {@code capacity} bytes, a power of two ({@value #RING_CAPACITY_DEFAULT} by default, or the system property
 * {@value #RING_CAPACITY_PROP_NAME}), and the ring's trailer. A record of type 1 carries one datagram: the source
 * path's length (int), the source path (UTF-8), padding to 8 bytes, the datagram. spec/PROTOCOL.md (12.2) has the
 * diagrams.
 * <p>
 * <b>Files.</b> The inbox's directory is created with mode 0700 if it is missing (an existing one is used as it is,
 * except the default directory, which must be owned by this user and writable by nobody else); the inbox is made
 * whole, mode 0600, under a temporary name, filled (so a full {@code /dev/shm} fails the bind rather than a later
 * write), and hard-linked to its path, so a peer never maps half an inbox and two processes binding at once cannot
 * both win. {@link #close()} sets the closed flag, unmaps, and deletes the file if it is still the one this media
 * made.
 * <p>
 * <b>Liveness.</b> The owner writes its heartbeat from {@link #receive} at most once a millisecond; a stack calls
 * receive every duty cycle. A file found at the bind path is stale, and replaced, when its closed flag is set or its
 * owner's process is gone ({@code kill(pid, 0)}); a file whose owner process is running is refused with an
 * {@link IllegalStateException}, even when its heartbeat is old (a stopped process); a file that is not an inbox is
 * never removed. A sender reads the peer's closed flag and heartbeat on each send; only when the inbox is closed,
 * or the heartbeat is older than {@link #STALE_HEARTBEAT_MS}, does it look further, at most every
 * {@link #PEER_CHECK_INTERVAL_MS}: if another file is at the path now (the peer restarted: a new inode) it maps that
 * one; if the file is gone, closed, or its owner's process is gone, the send returns {@link #SEND_FAILED}, as
 * {@code ENOENT} or {@code ECONNREFUSED} do on a Unix lane, and the stack finds the yard dead by its silence. A
 * stopped (SIGSTOP) owner is alive: its ring fills and its senders are held back. Process ids are compared in the
 * sender's pid namespace: lanes are for processes of one host and one namespace.
 * <p>
 * <b>Back-pressure and failures.</b> A ring with no room for the record returns {@link #SEND_WOULD_BLOCK}, counted
 * in {@link #sendWouldBlocks()}; nothing is dropped. A destination that is not a {@link SharedMemoryAddress}, a
 * datagram longer than this media's or the peer's MTU, a missing, closed, dead or malformed inbox returns
 * {@link #SEND_FAILED}, counted in {@link #sendFailures()}. Errors go to the error handler rate-limited: the 1st,
 * 2nd, 4th, 8th... occurrence of each kind. A malformed record in this yard's own inbox is counted and dropped. A
 * record claimed by a sender that died before committing it would stop the ring: after
 * {@link #BLOCKED_RECORD_TIMEOUT_MS} without progress the ring is unblocked (the record is skipped) and the event
 * reported.
 * <p>
 * <b>Data path.</b> Neither {@link #send} nor {@link #receive} allocates in steady state: a datagram is copied once,
 * from the caller's buffer into the peer's ring, and handed to the {@link DatagramHandler} straight from the mapped
 * ring (zero copy, valid only during the call); sources are interned by their path bytes in a cache of up to
 * {@link #ADDRESS_CACHE_ENTRIES} addresses; peers are held in a map by address, the last one remembered. A peer is
 * mapped on the first send to it (control plane: that send allocates), and remapped only if it restarts.
 * <p>
 * <b>Permissions and trust.</b> Only processes that may open the inbox read-write (its owner's user, by the 0600
 * mode) can send to it. The source path in a record is what the sender wrote, not checked by the kernel as a Unix
 * socket's is: every process of that user is trusted, as with a lane directory of 0600 sockets.
 * <p>
 * 64-bit Linux only. NOT thread safe: only called from the duty-cycle agent thread, apart from
 * {@link #resolve(String)}, which may be called from any thread. Truncating or rewriting an inbox file by other means
 * while it is mapped is not supported (a read beyond a truncated file ends the JVM with SIGBUS).
 */
public final class SharedMemoryMedia implements Media
{
    /**
     * Largest {@code maxDatagramLength} accepted.
     */
    public static final int MAX_DATAGRAM_LENGTH = 65_535;

    /**
     * System property for the ring capacity used by {@link #open(String, int, ErrorHandler)}, in bytes.
     */
    public static final String RING_CAPACITY_PROP_NAME = "raet4j.shm.capacity";

    /**
     * Default ring capacity: 4 MiB.
     */
    public static final int RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;

    /**
     * Smallest ring capacity: 64 KiB.
     */
    public static final int MIN_RING_CAPACITY = SharedMemoryInbox.MIN_CAPACITY;

    /**
     * Largest ring capacity: 1 GiB.
     */
    public static final int MAX_RING_CAPACITY = SharedMemoryInbox.MAX_CAPACITY;

    /**
     * Most datagram sources whose addresses are interned.
     */
    public static final int ADDRESS_CACHE_ENTRIES = 4096;

    /**
     * A peer's heartbeat older than this makes a sender check whether the peer's process is alive.
     */
    public static final long STALE_HEARTBEAT_MS = 1000;

    /**
     * Least time between two checks of one peer's inbox file and process.
     */
    public static final long PEER_CHECK_INTERVAL_MS = 100;

    /**
     * Time without progress, with records waiting, after which this yard's ring is unblocked past a record that a
     * dead sender claimed and never committed.
     */
    public static final long BLOCKED_RECORD_TIMEOUT_MS = 10_000;

    private static final long NONE = Long.MIN_VALUE;

    private static final int NOT_SHM_SLOT = 0;
    private static final int TOO_LONG_SLOT = 1;
    private static final int CLOSED_SLOT = 2;
    private static final int NO_INBOX_SLOT = 3;
    private static final int PEER_CLOSED_SLOT = 4;
    private static final int OWNER_GONE_SLOT = 5;
    private static final int NOT_AN_INBOX_SLOT = 6;
    private static final int OPEN_FAILED_SLOT = 7;
    private static final int TOO_LONG_FOR_PEER_SLOT = 8;
    private static final int WRITE_FAILED_SLOT = 9;
    private static final int SEND_SLOTS = 10;

    private static final int MALFORMED_SLOT = 0;
    private static final int OVERSIZE_SLOT = 1;
    private static final int CORRUPT_RING_SLOT = 2;
    private static final int UNBLOCKED_SLOT = 3;
    private static final int RECEIVE_SLOTS = 4;

    private final LibC.Calls libc = LibC.calls();
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final SharedMemoryAddress localAddress;
    private final Path inboxPath;
    private final int maxDatagramLength;
    private final SharedMemoryInbox inbox;
    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer ringBuffer;
    private final byte[] sourcePathBytes;
    private final int sourcePrefixLength;
    private final MessageHandler recordHandler = this::onRecord;
    private final PathAddressCache<SharedMemoryAddress> addressCache =
        new PathAddressCache<>(ADDRESS_CACHE_ENTRIES, SharedMemoryAddress::copyOf);
    private final Object2ObjectHashMap<SharedMemoryAddress, Peer> peers = new Object2ObjectHashMap<>();
    private SocketAddress lastDestination;
    private Peer lastPeer;
    private DatagramHandler datagramHandler;
    private boolean isDelivering;
    private long lastHeartbeatMs;
    private long blockedHead;
    private long blockedSinceMs = NONE;

    private final long[] sendErrorCounts = new long[SEND_SLOTS];
    private final long[] receiveErrorCounts = new long[RECEIVE_SLOTS];
    private long sendWouldBlocks;
    private long sendFailures;
    private long receiveFailures;
    private long malformedDrops;
    private long oversizeDrops;
    private long peerLivenessChecks;
    private long peerRemaps;
    private long unblockedRecords;
    private boolean closed;

    /**
     * Create the inbox directory if missing, and the inbox file, replacing a stale one.
     *
     * @param bindAddress       the inbox path.
     * @param maxDatagramLength largest datagram carried, in bytes: longer ones are not sent, and are dropped on
     *                          receive; at most an eighth of the ring less {@value SharedMemoryAddress#MAX_PATH_BYTES}
     *                          and 8 bytes (the longest source a record carries).
     * @param ringCapacity      of the inbox ring in bytes, a power of two from {@link #MIN_RING_CAPACITY} to
     *                          {@link #MAX_RING_CAPACITY}.
     * @param errorHandler      given the failures of {@link #send} and {@link #receive}.
     * @throws IllegalArgumentException      if a length is out of range.
     * @throws IllegalStateException         if a running process holds an inbox at the path, something that is not an
     *                                       inbox is in the way, or the default directory is not private.
     * @throws UncheckedIOException          if the directory or the file cannot be made.
     * @throws UnsupportedOperationException if not on 64-bit Linux.
     */
    public SharedMemoryMedia(
        final SharedMemoryAddress bindAddress,
        final int maxDatagramLength,
        final int ringCapacity,
        final ErrorHandler errorHandler)
    {
        this(bindAddress, maxDatagramLength, ringCapacity, errorHandler, SystemEpochClock.INSTANCE);
    }

    /**
     * As the public constructor, on a given clock: tests move time to make heartbeats stale.
     *
     * @param bindAddress       the inbox path.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param ringCapacity      of the inbox ring in bytes.
     * @param errorHandler      given the failures of {@link #send} and {@link #receive}.
     * @param clock             epoch milliseconds, for heartbeats and their age.
     */
    SharedMemoryMedia(
        final SharedMemoryAddress bindAddress,
        final int maxDatagramLength,
        final int ringCapacity,
        final ErrorHandler errorHandler,
        final EpochClock clock)
    {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(errorHandler, "errorHandler");
        Objects.requireNonNull(clock, "clock");
        if (maxDatagramLength <= 0 || maxDatagramLength > MAX_DATAGRAM_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxDatagramLength must be in 1.." + MAX_DATAGRAM_LENGTH + ": " + maxDatagramLength);
        }
        if (ringCapacity < MIN_RING_CAPACITY || ringCapacity > MAX_RING_CAPACITY ||
            !BitUtil.isPowerOfTwo(ringCapacity))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + MIN_RING_CAPACITY +
                " to " + MAX_RING_CAPACITY + ": " + ringCapacity);
        }
        if (maxDatagramLength > SharedMemoryInbox.maxDatagramLength(ringCapacity))
        {
            throw new IllegalArgumentException("a ring of " + ringCapacity + " bytes carries datagrams of at most " +
                SharedMemoryInbox.maxDatagramLength(ringCapacity) + " bytes, not " + maxDatagramLength +
                ": raise " + RING_CAPACITY_PROP_NAME + " or lower the MTU");
        }
        LibC.checkSupported();

        this.localAddress = bindAddress;
        this.maxDatagramLength = maxDatagramLength;
        this.errorHandler = errorHandler;
        this.clock = clock;
        inboxPath = Path.of(bindAddress.path());
        sourcePathBytes = bindAddress.pathBytes();
        sourcePrefixLength = SharedMemoryInbox.datagramOffset(sourcePathBytes.length);

        try
        {
            ensureDirectory(inboxPath.getParent());
            removeStaleInbox();
            inbox = SharedMemoryInbox.create(
                inboxPath, ringCapacity, maxDatagramLength, ProcessHandle.current().pid(), clock.time());
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalStateException("shm inbox " + inboxPath +
                " was made by another process while this one was binding it: another yard is bound there", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(
                "failed to bind shared-memory media to " + bindAddress + ": " + ex.getMessage(), ex);
        }
        ring = inbox.ring();
        ringBuffer = inbox.ringBuffer();
    }

    /**
     * Open a media bound to {@code shm:PATH} (or {@code shm:NAME}) with a ring of {@value #RING_CAPACITY_PROP_NAME}
     * bytes if that system property is set, else {@link #RING_CAPACITY_DEFAULT}. Control plane only.
     *
     * @param bindAddress       to bind to, {@code shm:PATH}.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param errorHandler      given the failures of {@link #send} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed or a length out of range.
     * @throws IllegalStateException    if the path is held by a running process or is not an inbox.
     * @throws UncheckedIOException     if the bind fails otherwise.
     */
    public static SharedMemoryMedia open(
        final String bindAddress, final int maxDatagramLength, final ErrorHandler errorHandler)
    {
        return open(bindAddress, maxDatagramLength, ringCapacityFromProperty(), errorHandler);
    }

    /**
     * Open a media bound to {@code shm:PATH} with a ring of a given capacity. Control plane only.
     *
     * @param bindAddress       to bind to, {@code shm:PATH}.
     * @param maxDatagramLength largest datagram carried, in bytes.
     * @param ringCapacity      of the inbox ring, a power of two in bytes.
     * @param errorHandler      given the failures of {@link #send} and {@link #receive}.
     * @return the bound media.
     * @throws IllegalArgumentException if the address is malformed or a length out of range.
     * @throws IllegalStateException    if the path is held by a running process or is not an inbox.
     * @throws UncheckedIOException     if the bind fails otherwise.
     */
    public static SharedMemoryMedia open(
        final String bindAddress, final int maxDatagramLength, final int ringCapacity, final ErrorHandler errorHandler)
    {
        return new SharedMemoryMedia(
            SharedMemoryAddress.of(bindAddress), maxDatagramLength, ringCapacity, errorHandler);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Writes this yard's heartbeat first, at most once a millisecond. The buffer handed to the handler is the mapped
     * ring itself, and the source an interned {@link SharedMemoryAddress}, safe to keep. Malformed records and
     * datagrams longer than {@link #maxDatagramLength()} are counted and not delivered, but they count towards
     * {@code limit} and the return value. An exception from the handler propagates, as it would from any media; a
     * corrupt ring is counted, reported rate-limited, and ends the call.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }

        final long nowMs = clock.time();
        final boolean isTick = nowMs != lastHeartbeatMs;
        if (isTick)
        {
            lastHeartbeatMs = nowMs;
            inbox.heartbeat(nowMs);
        }

        int received = 0;
        datagramHandler = handler;
        try
        {
            received = ring.read(recordHandler, limit);
            if (received < limit)
            {
                // One read stops at the end of the ring's buffer: a second one goes on from its start after a wrap.
                received += ring.read(recordHandler, limit - received);
            }
        }
        catch (final RuntimeException ex)
        {
            if (isDelivering)
            {
                isDelivering = false;
                throw ex;
            }
            onReceiveError(CORRUPT_RING_SLOT, "ring of " + localAddress + " is corrupt: " + ex);
        }

        if (received > 0)
        {
            blockedSinceMs = NONE;
        }
        else if (isTick)
        {
            checkBlocked(nowMs);
        }

        return received;
    }

    /**
     * {@inheritDoc}
     * <p>
     * On success the buffer's position is advanced past the bytes sent. Never throws: a destination that is not a
     * {@link SharedMemoryAddress}, a datagram longer than {@link #maxDatagramLength()} or the peer's MTU, a closed
     * media, or a peer whose inbox is missing, closed, malformed or whose process is gone goes to the error handler,
     * rate-limited, and returns {@link #SEND_FAILED}. A full ring returns {@link #SEND_WOULD_BLOCK}.
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        if (!(destination instanceof SharedMemoryAddress))
        {
            return failSend(NOT_SHM_SLOT, destination, "destination is not a shm: address");
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

        final Peer peer = destination == lastDestination ? lastPeer : peer((SharedMemoryAddress)destination);
        SharedMemoryInbox peerInbox = peer.inbox;
        if (null == peerInbox || peerInbox.isClosed() ||
            peerInbox.heartbeatMs() < clock.time() - STALE_HEARTBEAT_MS)
        {
            if (!isWritable(peer))
            {
                return failSend(peer.failureSlot, destination, peer.failure);
            }
            peerInbox = peer.inbox;
        }
        if (length > peerInbox.mtu())
        {
            return failSend(TOO_LONG_FOR_PEER_SLOT, destination,
                "datagram of " + length + " bytes is longer than the peer's MTU " + peerInbox.mtu());
        }

        final ManyToOneRingBuffer peerRing = peerInbox.ring();
        final int index = peerRing.tryClaim(SharedMemoryInbox.MSG_TYPE_DATAGRAM, sourcePrefixLength + length);
        if (index < 0)
        {
            sendWouldBlocks++;
            return SEND_WOULD_BLOCK;
        }
        try
        {
            final UnsafeBuffer peerBuffer = peerInbox.ringBuffer();
            peerBuffer.putInt(index, sourcePathBytes.length);
            peerBuffer.putBytes(index + SharedMemoryInbox.SOURCE_LENGTH_FIELD, sourcePathBytes);
            peerBuffer.putBytes(index + sourcePrefixLength, buffer, position, length);
            peerRing.commit(index);
        }
        catch (final RuntimeException ex)
        {
            abortQuietly(peerRing, index);
            return failSend(WRITE_FAILED_SLOT, destination, "write to the peer's ring failed: " + ex);
        }
        buffer.position(position + length);

        return length;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Accepts {@code shm:PATH}, a relative path being made absolute against the working directory, and
     * {@code shm:NAME} for a file in {@link SharedMemoryAddress#defaultDirectory()}. Thread safe.
     */
    @Override
    public SharedMemoryAddress resolve(final String address)
    {
        return SharedMemoryAddress.of(address);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Yards on shared memory: {@link SharedMemoryAddress} destinations.
     */
    @Override
    public boolean canReach(final SocketAddress address)
    {
        return address instanceof SharedMemoryAddress;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Always true: shared memory never leaves the host.
     */
    @Override
    public boolean isHostLocal(final SocketAddress address)
    {
        return address instanceof SharedMemoryAddress;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Zero: a full ring holds the sender back, nothing is dropped for want of room.
     */
    @Override
    public int receiveBufferBytes()
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The absolute, normalized inbox path, equal to the source peers see.
     */
    @Override
    public SharedMemoryAddress localAddress()
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
     * Capacity of this yard's inbox ring.
     *
     * @return bytes.
     */
    public int ringCapacity()
    {
        return inbox.capacity();
    }

    /**
     * Sends refused because the peer's ring was full, each returned as {@link #SEND_WOULD_BLOCK}.
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
     * Receives that found this yard's ring corrupt.
     *
     * @return the count of failed receives.
     */
    public long receiveFailures()
    {
        return receiveFailures;
    }

    /**
     * Records in this yard's inbox that were not datagrams of this layout, dropped.
     *
     * @return the count of malformed records.
     */
    public long malformedDrops()
    {
        return malformedDrops;
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
     * Times a peer's process was looked up because its heartbeat was stale.
     *
     * @return the count of liveness checks.
     */
    public long peerLivenessChecks()
    {
        return peerLivenessChecks;
    }

    /**
     * Times a peer's inbox was mapped again because another file had replaced it at its path.
     *
     * @return the count of remaps.
     */
    public long peerRemaps()
    {
        return peerRemaps;
    }

    /**
     * Times this yard's ring was unblocked past a record a dead sender claimed and never committed.
     *
     * @return the count of records skipped.
     */
    public long unblockedRecords()
    {
        return unblockedRecords;
    }

    /**
     * Mark the inbox closed, so that senders fail at once, delete it if it is still the file this media made, and
     * unmap it and every peer's. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            inbox.markClosed();
            try
            {
                if (Objects.equals(inbox.fileKey(), SharedMemoryInbox.fileKey(inboxPath)))
                {
                    Files.delete(inboxPath);
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
            inbox.unmap();

            for (final Peer peer : peers.values())
            {
                peer.release();
            }
            peers.clear();
            lastDestination = null;
            lastPeer = null;
            datagramHandler = null;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SharedMemoryMedia{localAddress=" + localAddress + ", maxDatagramLength=" + maxDatagramLength +
            ", ringCapacity=" + inbox.capacity() + '}';
    }

    private void onRecord(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final UnsafeBuffer ringBuffer = this.ringBuffer;
        if (SharedMemoryInbox.MSG_TYPE_DATAGRAM != msgTypeId || length < SharedMemoryInbox.SOURCE_LENGTH_FIELD)
        {
            onMalformed("record of type " + msgTypeId + " and " + length + " bytes");
            return;
        }
        final int pathLength = ringBuffer.getInt(index);
        if (pathLength < 1 || pathLength > SharedMemoryAddress.MAX_PATH_BYTES ||
            SharedMemoryInbox.datagramOffset(pathLength) > length)
        {
            onMalformed("record of " + length + " bytes with a source path of " + pathLength + " bytes");
            return;
        }
        final int datagramOffset = SharedMemoryInbox.datagramOffset(pathLength);
        final int datagramLength = length - datagramOffset;
        if (datagramLength > maxDatagramLength)
        {
            oversizeDrops++;
            if (LibC.isReportDue(receiveErrorCounts, OVERSIZE_SLOT))
            {
                errorHandler.onError(new IOException("datagram of " + datagramLength + " bytes in the inbox of " +
                    localAddress + " is longer than maxDatagramLength " + maxDatagramLength + ": dropped"));
            }
            return;
        }

        final SharedMemoryAddress source =
            addressCache.lookup(ringBuffer, index + SharedMemoryInbox.SOURCE_LENGTH_FIELD, pathLength);
        isDelivering = true;
        datagramHandler.onDatagram(ringBuffer, index + datagramOffset, datagramLength, source);
        isDelivering = false;
    }

    private void onMalformed(final String what)
    {
        malformedDrops++;
        if (LibC.isReportDue(receiveErrorCounts, MALFORMED_SLOT))
        {
            errorHandler.onError(new IOException("malformed " + what + " in the inbox of " + localAddress +
                ": dropped"));
        }
    }

    /**
     * Called once a millisecond when nothing was read: if records wait behind one that stays uncommitted, its sender
     * died between claim and commit, and after {@link #BLOCKED_RECORD_TIMEOUT_MS} the ring skips it.
     */
    private void checkBlocked(final long nowMs)
    {
        final long head = ring.consumerPosition();
        if (ring.producerPosition() == head)
        {
            blockedSinceMs = NONE;
        }
        else if (NONE == blockedSinceMs || head != blockedHead)
        {
            blockedHead = head;
            blockedSinceMs = nowMs;
        }
        else if (nowMs - blockedSinceMs >= BLOCKED_RECORD_TIMEOUT_MS)
        {
            blockedSinceMs = NONE;
            if (ring.unblock())
            {
                unblockedRecords++;
                onReceiveError(UNBLOCKED_SLOT, "inbox of " + localAddress + " unblocked: a record claimed " +
                    BLOCKED_RECORD_TIMEOUT_MS + " ms ago was never committed (its sender died?) and was skipped");
            }
        }
    }

    private Peer peer(final SharedMemoryAddress address)
    {
        Peer peer = peers.get(address);
        if (null == peer)
        {
            peer = new Peer(address);
            peers.put(address, peer);
        }
        lastDestination = address;
        lastPeer = peer;

        return peer;
    }

    /**
     * Whether a peer whose inbox is unmapped, closed or stale may be written to: the verdict of the last check,
     * unless a check is due, which looks at the file at the path and, when the heartbeat is stale, the process.
     */
    private boolean isWritable(final Peer peer)
    {
        final long nowMs = clock.time();
        if (NONE != peer.lastCheckMs && nowMs - peer.lastCheckMs < PEER_CHECK_INTERVAL_MS)
        {
            if (null != peer.inbox && peer.inbox.isClosed())
            {
                return peer.fail(PEER_CLOSED_SLOT, peer.closedReason);
            }
            return peer.isAlive && null != peer.inbox;
        }
        peer.lastCheckMs = nowMs;

        try
        {
            SharedMemoryInbox peerInbox = peer.inbox;
            if (null != peerInbox && !Objects.equals(peerInbox.fileKey(), fileKeyOrNull(peer.path)))
            {
                // Gone, or another file in its place: the peer closed, or restarted.
                peer.release();
                peerInbox = null;
            }
            if (null == peerInbox)
            {
                peerInbox = SharedMemoryInbox.map(peer.path);
                if (peer.wasMapped)
                {
                    peerRemaps++;
                }
                peer.inbox = peerInbox;
                peer.wasMapped = true;
            }

            if (peerInbox.isClosed())
            {
                return peer.fail(PEER_CLOSED_SLOT, peer.closedReason);
            }
            final long heartbeatMs = peerInbox.heartbeatMs();
            if (heartbeatMs < nowMs - STALE_HEARTBEAT_MS)
            {
                final long ageMs = nowMs - heartbeatMs;
                peerLivenessChecks++;
                if (!isProcessAlive(peerInbox.ownerPid()))
                {
                    return peer.fail(OWNER_GONE_SLOT, "the owner of inbox " + peer.path + ", process " +
                        peerInbox.ownerPid() + ", is gone; its heartbeat is " + ageMs + " ms old (like ECONNREFUSED)");
                }
            }
            peer.isAlive = true;
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return peer.fail(NO_INBOX_SLOT, peer.noInboxReason);
        }
        catch (final SharedMemoryInbox.NotAnInboxException ex)
        {
            return peer.fail(NOT_AN_INBOX_SLOT, ex.getMessage());
        }
        catch (final IOException | RuntimeException ex)
        {
            return peer.fail(OPEN_FAILED_SLOT, "cannot map inbox " + peer.path + ": " + ex);
        }
    }

    private boolean isProcessAlive(final long pid)
    {
        if (!SharedMemoryInbox.isValidPid(pid))
        {
            return false;
        }
        if (0 == libc.kill((int)pid, 0))
        {
            return true;
        }

        // EPERM: it exists, as another user's process; ESRCH: there is none.
        return LibC.EPERM == LibC.errno();
    }

    private int failSend(final int slot, final SocketAddress destination, final String reason)
    {
        sendFailures++;
        if (LibC.isReportDue(sendErrorCounts, slot))
        {
            final String message = "send from " + localAddress + " to " + destination + " failed: " + reason;
            errorHandler.onError(slot <= TOO_LONG_SLOT || TOO_LONG_FOR_PEER_SLOT == slot ?
                new IllegalArgumentException(message) : new IOException(message));
        }

        return SEND_FAILED;
    }

    private void onReceiveError(final int slot, final String message)
    {
        receiveFailures++;
        if (LibC.isReportDue(receiveErrorCounts, slot))
        {
            errorHandler.onError(new IOException(message));
        }
    }

    private static void abortQuietly(final ManyToOneRingBuffer ring, final int index)
    {
        try
        {
            ring.abort(index);
        }
        catch (final RuntimeException ignore)
        {
            // The claim is gone already: nothing left to release.
        }
    }

    private static Object fileKeyOrNull(final Path path) throws IOException
    {
        try
        {
            return SharedMemoryInbox.fileKey(path);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    /**
     * Create the inbox directory 0700 if it is missing. The default directory, which the user did not choose and
     * which sits in the world-writable {@code /dev/shm}, must also be private: a directory another user made there
     * first could have its files swapped under this yard.
     */
    private static void ensureDirectory(final Path directory) throws IOException
    {
        if (null == directory)
        {
            return;
        }
        PrivateDirectory.createIfAbsent(directory);
        if (directory.equals(SharedMemoryAddress.defaultDirectory()))
        {
            final String problem = PrivateDirectory.problem(directory);
            if (null != problem)
            {
                throw new IllegalStateException("cannot use the default shm directory " + directory + ": " + problem +
                    "; remove it or set " + SharedMemoryAddress.DIRECTORY_PROP_NAME);
            }
        }
    }

    /**
     * Remove the file at the bind path if it is an inbox whose owner closed it or is gone; refuse if its owner runs,
     * and never touch a file that is not an inbox.
     */
    private void removeStaleInbox() throws IOException
    {
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(inboxPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            return;
        }
        if (!attributes.isRegularFile())
        {
            throw new IllegalStateException("cannot bind " + inboxPath +
                ": the path exists and is not a raet4j shm inbox (not a regular file), so it is left alone");
        }

        final UnsafeBuffer header;
        try
        {
            header = SharedMemoryInbox.readHeader(inboxPath);
        }
        catch (final SharedMemoryInbox.NotAnInboxException ex)
        {
            throw new IllegalStateException("cannot bind " + ex.getMessage() + ", so it is left alone", ex);
        }

        final long pid = SharedMemoryInbox.ownerPid(header);
        if (!SharedMemoryInbox.isClosed(header) && isProcessAlive(pid))
        {
            final long ageMs = clock.time() - SharedMemoryInbox.heartbeatMs(header);
            throw new IllegalStateException("shm inbox " + inboxPath + " is in use by running process " + pid +
                " (heartbeat " + ageMs + " ms ago" + (ageMs > STALE_HEARTBEAT_MS ?
                ": stopped, or its pid now belongs to another program" : "") + "): another yard is bound there; " +
                "stop it or bind another path, and delete the file only if no raet4j process holds it");
        }

        // Closed, or its owner is gone: stale. Remove it if it is still the file whose header was read.
        if (Objects.equals(attributes.fileKey(), fileKeyOrNull(inboxPath)))
        {
            Files.deleteIfExists(inboxPath);
        }
    }

    private static int ringCapacityFromProperty()
    {
        final String value = System.getProperty(RING_CAPACITY_PROP_NAME);
        if (null == value || value.isBlank())
        {
            return RING_CAPACITY_DEFAULT;
        }
        try
        {
            return Integer.decode(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(RING_CAPACITY_PROP_NAME + " must be a number of bytes: " + value, ex);
        }
    }

    /**
     * A yard this media sends to: its inbox, mapped on the first send, and the verdict of the last check.
     */
    private static final class Peer
    {
        private final Path path;
        private final String closedReason;
        private final String noInboxReason;
        private SharedMemoryInbox inbox;
        private boolean wasMapped;
        private boolean isAlive;
        private long lastCheckMs = NONE;
        private int failureSlot;
        private String failure;

        private Peer(final SharedMemoryAddress address)
        {
            path = Path.of(address.path());
            closedReason = "inbox " + path + " was closed by its owner (like ECONNREFUSED)";
            noInboxReason = "no inbox at " + path + " (like ENOENT)";
        }

        private boolean fail(final int slot, final String reason)
        {
            isAlive = false;
            failureSlot = slot;
            failure = reason;
            return false;
        }

        private void release()
        {
            if (null != inbox)
            {
                inbox.unmap();
                inbox = null;
            }
        }
    }
}
