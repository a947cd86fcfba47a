package io.raet4j.transport.media;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a {@link Media} and injects seedable faults: loss, duplication, reordering, corruption and delay on the
 * datagrams sent, and loss, duplication and corruption on the datagrams received.
 * <p>
 * <b>Outbound</b>, each datagram offered to {@link #send(ByteBuffer, SocketAddress)} is, in this order:
 * <ol>
 *     <li>lost with {@code lossRate}: the call still returns its length, as the sender of a real network never
 *     knows;</li>
 *     <li>corrupted with {@code corruptRate}: one random byte of a copy is XORed with a random non-zero mask, the
 *     caller's buffer is left as it was;</li>
 *     <li>duplicated with {@code duplicateRate}: it is sent twice, back to back;</li>
 *     <li>delayed by {@code delayNs} plus a uniform jitter in {@code 0..delayJitterNs}: it is held until then;</li>
 *     <li>reordered with {@code reorderRate}: it is held, past any delay, until a datagram offered after it has
 *     been sent, or for at most {@link #REORDER_TIMEOUT_NS} more.</li>
 * </ol>
 * Held datagrams are copied into a pool of slots preallocated at construction, each {@code maxDatagramLength}
 * long, and are sent through the wrapped media by {@code send} and by {@link #receive(DatagramHandler, int)} once
 * their time has come, so an agent that only receives still flushes them. When the pool is full the datagram is
 * sent at once, never dropped. A held datagram the wrapped media refuses with {@link #SEND_WOULD_BLOCK} stays held
 * and is retried; one refused with {@link #SEND_FAILED} is gone.
 * <p>
 * <b>Inbound</b>, each datagram received is lost, corrupted (a corrupted copy from a scratch buffer is delivered)
 * or delivered twice, per the inbound profile; inbound delay and reordering are not supported.
 * <p>
 * The decisions come from a {@link SplittableRandom} per direction seeded from the profile, and time from the
 * {@link NanoClock} given, so the same seed, traffic and clock give the same faults. Nothing is allocated in steady
 * state.
 * <p>
 * NOT thread safe: only called from the duty-cycle agent thread, like the media it wraps.
 */
public final class FaultInjectingMedia implements Media
{
    /** Number of hold slots when none is given. */
    public static final int DEFAULT_HOLD_SLOTS = 1024;

    /** Longest a reordered datagram waits for a later one to go first. */
    public static final long REORDER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final long NO_WAIT = Long.MAX_VALUE;

    private final Media inner;
    private final NanoClock clock;
    private final int slotLength;

    private final double lossRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final double corruptRate;
    private final long delayNs;
    private final long delayJitterNs;
    private final boolean delays;
    private final SplittableRandom random;
    private final ByteBuffer corruptByteBuffer;
    private final UnsafeBuffer corruptBuffer;

    private final double inboundLossRate;
    private final double inboundDuplicateRate;
    private final double inboundCorruptRate;
    private final boolean inboundFaults;
    private final SplittableRandom inboundRandom;
    private final UnsafeBuffer inboundScratchBuffer;
    private final DatagramHandler inboundHandler = this::onInboundDatagram;
    private DatagramHandler delegateHandler;

    private final ByteBuffer poolByteBuffer;
    private final ByteBuffer poolSendView;
    private final UnsafeBuffer poolBuffer;
    private final int[] freeSlots;
    private final int[] heldSlots;
    private final long[] slotReleaseNs;
    private final long[] slotEarliestNs;
    private final long[] slotWaitForSeq;
    private final long[] slotSeq;
    private final int[] slotLengths;
    private final int[] slotCopies;
    private final SocketAddress[] slotDestinations;
    private int freeCount;
    private int heldCount;
    private long maxSentSeq;

    private long sentCount;
    private long droppedCount;
    private long duplicatedCount;
    private long reorderedCount;
    private long corruptedCount;
    private long delayedCount;
    private long poolExhaustedCount;
    private long receivedCount;
    private long inboundDroppedCount;
    private long inboundDuplicatedCount;
    private long inboundCorruptedCount;
    private boolean closed;
    private volatile boolean isBlackholed;
    private long blackholedCount;

    /**
     * Wrap a media with outbound faults only and {@link #DEFAULT_HOLD_SLOTS} hold slots.
     *
     * @param inner    the media to wrap; closed by {@link #close()}.
     * @param outbound faults applied to datagrams sent; copied.
     * @param clock    source of time for delays and the reorder timeout.
     */
    public FaultInjectingMedia(final Media inner, final FaultProfile outbound, final NanoClock clock)
    {
        this(inner, outbound, FaultProfile.none(), clock, DEFAULT_HOLD_SLOTS);
    }

    /**
     * Wrap a media.
     *
     * @param inner     the media to wrap; closed by {@link #close()}.
     * @param outbound  faults applied to datagrams sent; copied.
     * @param inbound   faults applied to datagrams received, loss, duplication and corruption only; copied.
     * @param clock     source of time for delays and the reorder timeout.
     * @param holdSlots number of datagrams that can be held back at once for delay or reordering.
     * @throws IllegalArgumentException if the inbound profile delays or reorders, or holdSlots is out of range.
     */
    public FaultInjectingMedia(
        final Media inner,
        final FaultProfile outbound,
        final FaultProfile inbound,
        final NanoClock clock,
        final int holdSlots)
    {
        if (null == inner || null == outbound || null == inbound || null == clock)
        {
            throw new NullPointerException("inner, outbound, inbound and clock are required");
        }
        if (inbound.holdsDatagrams())
        {
            throw new IllegalArgumentException(
                "inbound faults support loss, duplication and corruption only: " + inbound);
        }
        if (holdSlots < 0)
        {
            throw new IllegalArgumentException("holdSlots must be >= 0: " + holdSlots);
        }

        this.inner = inner;
        this.clock = clock;
        slotLength = inner.maxDatagramLength();

        lossRate = outbound.lossRate();
        duplicateRate = outbound.duplicateRate();
        reorderRate = outbound.reorderRate();
        corruptRate = outbound.corruptRate();
        delayNs = outbound.delayNs();
        delayJitterNs = outbound.delayJitterNs();
        delays = delayNs > 0 || delayJitterNs > 0;
        random = new SplittableRandom(outbound.seed());

        inboundLossRate = inbound.lossRate();
        inboundDuplicateRate = inbound.duplicateRate();
        inboundCorruptRate = inbound.corruptRate();
        inboundFaults = inbound.hasFaults();
        inboundRandom = new SplittableRandom(inbound.seed());

        corruptByteBuffer = allocate(corruptRate > 0 ? slotLength : 0);
        corruptBuffer = new UnsafeBuffer(corruptByteBuffer);
        inboundScratchBuffer = new UnsafeBuffer(allocate(inboundCorruptRate > 0 ? slotLength : 0));

        final int slots = outbound.holdsDatagrams() ? holdSlots : 0;
        final long poolLength = (long)slots * slotLength;
        if (poolLength > Integer.MAX_VALUE - BitUtil.CACHE_LINE_LENGTH)
        {
            throw new IllegalArgumentException(
                "holdSlots * maxDatagramLength too large: " + holdSlots + " * " + slotLength);
        }
        poolByteBuffer = allocate((int)poolLength);
        poolSendView = poolByteBuffer.duplicate();
        poolBuffer = new UnsafeBuffer(poolByteBuffer);
        freeSlots = new int[slots];
        heldSlots = new int[slots];
        slotReleaseNs = new long[slots];
        slotEarliestNs = new long[slots];
        slotWaitForSeq = new long[slots];
        slotSeq = new long[slots];
        slotLengths = new int[slots];
        slotCopies = new int[slots];
        slotDestinations = new SocketAddress[slots];
        for (int i = slots - 1; i >= 0; i--)
        {
            freeSlots[freeCount++] = i;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Sends any held datagrams whose time has come, then receives from the wrapped media applying the inbound
     * faults. Returns the number of datagrams the wrapped media received, before inbound faults.
     */
    @Override
    public int receive(final DatagramHandler handler, final int limit)
    {
        if (heldCount > 0)
        {
            releaseDue(clock.nanoTime());
        }

        if (!inboundFaults)
        {
            return inner.receive(handler, limit);
        }

        delegateHandler = handler;
        try
        {
            return inner.receive(inboundHandler, limit);
        }
        finally
        {
            delegateHandler = null;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Returns the datagram's length when it is lost or held, as if it had been sent, otherwise what the wrapped
     * media returns for it (for a duplicate, for the first copy).
     */
    @Override
    public int send(final ByteBuffer buffer, final SocketAddress destination)
    {
        final long nowNs = clock.nanoTime();
        final long seq = ++sentCount;
        final int length = buffer.remaining();

        if (heldCount > 0)
        {
            releaseDue(nowNs);
        }

        int result = length;
        if (isBlackholed)
        {
            blackholedCount++;
        }
        else if (lossRate > 0 && random.nextDouble() < lossRate)
        {
            droppedCount++;
        }
        else
        {
            ByteBuffer datagram = buffer;
            if (corruptRate > 0 && random.nextDouble() < corruptRate && length > 0 && length <= slotLength)
            {
                datagram = corruptCopy(buffer, length);
                corruptedCount++;
            }

            int copies = 1;
            if (duplicateRate > 0 && random.nextDouble() < duplicateRate)
            {
                copies = 2;
                duplicatedCount++;
            }

            long releaseNs = nowNs;
            long waitForSeq = NO_WAIT;
            boolean delayed = false;
            if (delays)
            {
                releaseNs += delayNs + (delayJitterNs > 0 ? random.nextLong(delayJitterNs + 1) : 0);
                delayed = true;
            }

            final long earliestNs = releaseNs;
            boolean reordered = false;
            if (reorderRate > 0 && random.nextDouble() < reorderRate)
            {
                releaseNs += REORDER_TIMEOUT_NS;
                waitForSeq = seq;
                reordered = true;
            }

            if ((delayed || reordered) &&
                hold(datagram, length, destination, copies, earliestNs, releaseNs, waitForSeq, seq))
            {
                delayedCount += delayed ? 1 : 0;
                reorderedCount += reordered ? 1 : 0;
            }
            else
            {
                result = sendNow(datagram, destination, copies, seq);
            }
        }

        if (heldCount > 0)
        {
            releaseDue(nowNs);
        }

        return result;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Sends any held datagrams whose time has come, then flushes the wrapped media.
     */
    @Override
    public int flush()
    {
        if (heldCount > 0)
        {
            releaseDue(clock.nanoTime());
        }

        return inner.flush();
    }

    /**
     * Drop every datagram sent from now on, until called again with false: a partition of this side's outbound path
     * (both sides' for a full partition). The datagrams are lost silently, as a network would lose them. Any thread.
     *
     * @param isBlackholed true to drop everything sent, false to let it through again.
     */
    public void blackhole(final boolean isBlackholed)
    {
        this.isBlackholed = isBlackholed;
    }

    /**
     * Datagrams dropped by {@link #blackhole(boolean)}.
     *
     * @return the count.
     */
    public long blackholedCount()
    {
        return blackholedCount;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean canReach(final SocketAddress address)
    {
        return inner.canReach(address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isHostLocal(final SocketAddress address)
    {
        return inner.isHostLocal(address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress resolve(final String address)
    {
        return inner.resolve(address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public SocketAddress localAddress()
    {
        return inner.localAddress();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxDatagramLength()
    {
        return inner.maxDatagramLength();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int receiveBufferBytes()
    {
        return inner.receiveBufferBytes();
    }

    /**
     * Close the wrapped media; datagrams still held are discarded. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            heldCount = 0;
            inner.close();
        }
    }

    /**
     * The wrapped media.
     *
     * @return the wrapped media.
     */
    public Media inner()
    {
        return inner;
    }

    /**
     * Datagrams offered to {@link #send(ByteBuffer, SocketAddress)}.
     *
     * @return the count of datagrams offered.
     */
    public long sentCount()
    {
        return sentCount;
    }

    /**
     * Outbound datagrams lost on purpose.
     *
     * @return the count of outbound datagrams dropped.
     */
    public long droppedCount()
    {
        return droppedCount;
    }

    /**
     * Outbound datagrams sent twice.
     *
     * @return the count of outbound datagrams duplicated.
     */
    public long duplicatedCount()
    {
        return duplicatedCount;
    }

    /**
     * Outbound datagrams held back to be sent after a later one.
     *
     * @return the count of outbound datagrams reordered.
     */
    public long reorderedCount()
    {
        return reorderedCount;
    }

    /**
     * Outbound datagrams with one byte corrupted.
     *
     * @return the count of outbound datagrams corrupted.
     */
    public long corruptedCount()
    {
        return corruptedCount;
    }

    /**
     * Outbound datagrams held back for the configured delay.
     *
     * @return the count of outbound datagrams delayed.
     */
    public long delayedCount()
    {
        return delayedCount;
    }

    /**
     * Outbound datagrams that should have been held but were sent at once because every hold slot was taken.
     *
     * @return the count of datagrams sent at once for want of a hold slot.
     */
    public long poolExhaustedCount()
    {
        return poolExhaustedCount;
    }

    /**
     * Outbound datagrams held now, waiting for their time.
     *
     * @return the number of datagrams held.
     */
    public int heldCount()
    {
        return heldCount;
    }

    /**
     * Datagrams received from the wrapped media while inbound faults are configured.
     *
     * @return the count of inbound datagrams seen.
     */
    public long receivedCount()
    {
        return receivedCount;
    }

    /**
     * Inbound datagrams lost on purpose.
     *
     * @return the count of inbound datagrams dropped.
     */
    public long inboundDroppedCount()
    {
        return inboundDroppedCount;
    }

    /**
     * Inbound datagrams delivered twice.
     *
     * @return the count of inbound datagrams duplicated.
     */
    public long inboundDuplicatedCount()
    {
        return inboundDuplicatedCount;
    }

    /**
     * Inbound datagrams delivered with one byte corrupted.
     *
     * @return the count of inbound datagrams corrupted.
     */
    public long inboundCorruptedCount()
    {
        return inboundCorruptedCount;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "FaultInjectingMedia{inner=" + inner + ", sent=" + sentCount + ", dropped=" + droppedCount +
            ", duplicated=" + duplicatedCount + ", reordered=" + reorderedCount + ", corrupted=" + corruptedCount +
            ", delayed=" + delayedCount + ", held=" + heldCount + '}';
    }

    private void onInboundDatagram(
        final UnsafeBuffer buffer, final int offset, final int length, final SocketAddress source)
    {
        receivedCount++;
        final SplittableRandom random = inboundRandom;
        if (inboundLossRate > 0 && random.nextDouble() < inboundLossRate)
        {
            inboundDroppedCount++;
            return;
        }

        UnsafeBuffer deliverBuffer = buffer;
        int deliverOffset = offset;
        if (inboundCorruptRate > 0 && random.nextDouble() < inboundCorruptRate &&
            length > 0 && length <= inboundScratchBuffer.capacity())
        {
            inboundScratchBuffer.putBytes(0, buffer, offset, length);
            corruptOneByte(inboundScratchBuffer, 0, length, random);
            deliverBuffer = inboundScratchBuffer;
            deliverOffset = 0;
            inboundCorruptedCount++;
        }

        final boolean duplicate = inboundDuplicateRate > 0 && random.nextDouble() < inboundDuplicateRate;
        final DatagramHandler handler = delegateHandler;
        handler.onDatagram(deliverBuffer, deliverOffset, length, source);
        if (duplicate)
        {
            inboundDuplicatedCount++;
            handler.onDatagram(deliverBuffer, deliverOffset, length, source);
        }
    }

    private ByteBuffer corruptCopy(final ByteBuffer buffer, final int length)
    {
        corruptBuffer.putBytes(0, buffer, buffer.position(), length);
        corruptOneByte(corruptBuffer, 0, length, random);
        corruptByteBuffer.clear().limit(length);

        return corruptByteBuffer;
    }

    private static void corruptOneByte(
        final UnsafeBuffer buffer, final int offset, final int length, final SplittableRandom random)
    {
        final int index = offset + random.nextInt(length);
        final int mask = 1 + random.nextInt(255);
        buffer.putByte(index, (byte)(buffer.getByte(index) ^ mask));
    }

    private boolean hold(
        final ByteBuffer datagram,
        final int length,
        final SocketAddress destination,
        final int copies,
        final long earliestNs,
        final long releaseNs,
        final long waitForSeq,
        final long seq)
    {
        if (length > slotLength)
        {
            return false;
        }
        if (0 == freeCount)
        {
            poolExhaustedCount++;
            return false;
        }

        final int slot = freeSlots[--freeCount];
        poolBuffer.putBytes(slot * slotLength, datagram, datagram.position(), length);
        slotLengths[slot] = length;
        slotCopies[slot] = copies;
        slotEarliestNs[slot] = earliestNs;
        slotReleaseNs[slot] = releaseNs;
        slotWaitForSeq[slot] = waitForSeq;
        slotSeq[slot] = seq;
        slotDestinations[slot] = destination;
        heldSlots[heldCount++] = slot;

        return true;
    }

    private int sendNow(final ByteBuffer datagram, final SocketAddress destination, final int copies, final long seq)
    {
        final int position = datagram.position();
        final int limit = datagram.limit();
        final int result = inner.send(datagram, destination);
        if (copies > 1)
        {
            datagram.limit(limit).position(position);
            inner.send(datagram, destination);
        }

        if (seq > maxSentSeq)
        {
            maxSentSeq = seq;
        }

        return result;
    }

    /**
     * Send held datagrams whose time has come, in the order they were offered. Sending one may release a reordered
     * one offered before it, hence the repeat until nothing changes.
     */
    private void releaseDue(final long nowNs)
    {
        boolean repeat;
        do
        {
            repeat = false;
            boolean blocked = false;
            int kept = 0;
            for (int i = 0, count = heldCount; i < count; i++)
            {
                final int slot = heldSlots[i];
                if (!blocked && isDue(slot, nowNs))
                {
                    final long maxSentSeqBefore = maxSentSeq;
                    final int result = sendSlot(slot);
                    if (SEND_WOULD_BLOCK == result)
                    {
                        blocked = true;
                    }
                    else
                    {
                        slotDestinations[slot] = null;
                        freeSlots[freeCount++] = slot;
                        repeat |= maxSentSeq != maxSentSeqBefore;
                        continue;
                    }
                }
                heldSlots[kept++] = slot;
            }
            heldCount = kept;
            repeat &= !blocked;
        }
        while (repeat);
    }

    private boolean isDue(final int slot, final long nowNs)
    {
        return nowNs - slotReleaseNs[slot] >= 0 ||
            (slotWaitForSeq[slot] < maxSentSeq && nowNs - slotEarliestNs[slot] >= 0);
    }

    private int sendSlot(final int slot)
    {
        final int offset = slot * slotLength;
        final int limit = offset + slotLengths[slot];
        final SocketAddress destination = slotDestinations[slot];
        final ByteBuffer view = poolSendView;

        view.clear().limit(limit).position(offset);
        final int result = inner.send(view, destination);
        if (SEND_WOULD_BLOCK != result)
        {
            if (slotCopies[slot] > 1 && SEND_FAILED != result)
            {
                view.clear().limit(limit).position(offset);
                inner.send(view, destination);
            }

            final long seq = slotSeq[slot];
            if (seq > maxSentSeq)
            {
                maxSentSeq = seq;
            }
        }

        return result;
    }

    private static ByteBuffer allocate(final int length)
    {
        return BufferUtil.allocateDirectAligned(
            BitUtil.align(Math.max(length, 1), BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH);
    }
}
