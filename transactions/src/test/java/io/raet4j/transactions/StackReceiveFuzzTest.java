package io.raet4j.transactions;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.JoinRefusal;
import io.raet4j.codec.sbe.JoinStatus;
import io.raet4j.codec.sbe.MessageHeaderEncoder;
import io.raet4j.codec.sbe.PacketHeaderEncoder;
import io.raet4j.codec.sbe.RenewReason;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.message.ReceiveChannel;
import io.raet4j.transactions.message.SendChannel;
import io.raet4j.transactions.security.SessionKeys;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;

import java.net.SocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Coverage-guided fuzz targets (Jazzer) for a stack's receive path: a real {@link Stack}, the target, joined to a
 * real peer over {@link MemoryMedia} (see {@link FuzzedStackPair}), is handed datagrams "from" the peer while the
 * fuzzer interleaves duty cycles, polls, offers and clock moves. Each input is a short program of such steps:
 * <ul>
 *     <li>raw bytes, optionally given a valid SBE header, the pair's ids and sessions, and a checksum (clear) or the
 *     SEALED flag with the peer's current key id and a nearby packet counter (sealed);</li>
 *     <li>frames the harness writes with {@link PacketWriter} from the fuzzer's fields, sequence numbers relative to
 *     the target's channels, nonces the target waits for: in clear text as they are, sealed with the peer's real
 *     session keys in the sealed target (so authentic but hostile frames reach the frame handlers), then possibly
 *     edited;</li>
 *     <li>the peer's own traffic, delivered in order, reversed, with one datagram dropped, duplicated, replayed from
 *     the last 64 or edited; the target's traffic to the peer delivered or lost;</li>
 *     <li>messages offered by either application, clock moves from nothing to past the session timeout, duty
 *     cycles, polls.</li>
 * </ul>
 * Then the pair settles, and must still work: see {@link FuzzedStackPair} for every rule checked (no error reaches
 * a stack's error handler or ERRORS counter, messages only from the joined estate, the applications' own messages
 * never forged, altered, duplicated or reordered, and a final message delivered).
 * <p>
 * <b>Inputs:</b> plain bytes read front to back by {@link FuzzInput}, so that inputs can be kept and chained. The
 * pair lives across inputs (a join costs milliseconds of signatures and key agreement), so an input meets what earlier
 * ones left: sequence numbers, keys, sessions renewed, gaps. A finding therefore comes with the pair's whole history,
 * written by {@link FuzzedStackPair#writeHistory()} as one {@link FuzzHistory} input, which runs on a freshly launched
 * pair; {@link FuzzHistoryToolsTest} cuts it down to the episodes that matter.
 * <p>
 * <b>Modes:</b> a plain {@code mvn verify} replays the inputs committed under
 * {@code src/test/resources/io/raet4j/transactions/StackReceiveFuzzTestInputs/<method>/}. A campaign runs one target
 * with the {@code fuzz} profile (see transactions/pom.xml): {@code mvn -B -pl transactions -am test -Pfuzz
 * -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest='StackReceiveFuzzTest#clearTextDatagramsFromAJoinedPeerAreCountedAndDropped' -Dfuzz.seconds=180}. With
 * {@code -Draet4j.fuzz.trace=true} every episode prints its steps and every datagram it hands over;
 * {@code -Draet4j.fuzz.replayJoins=false} leaves the peer's old Joins out of replays (see {@link #REPLAYS_JOINS}).
 */
class StackReceiveFuzzTest
{
    /** Set to true to print what each input did, step by step. */
    static final String TRACE_PROP_NAME = "raet4j.fuzz.trace";
    /**
     * Whether the peer's old Joins are among the datagrams replayed: on unless {@code -Draet4j.fuzz.replayJoins=false}.
     * The first campaigns ran without them, once they had found that a Join replayed within its cookie's lifetime
     * renewed the acceptor alone or desynchronised its keys (fixed: the acceptor remembers the joins it accepted and
     * drops a replay; the histories are in StackReceiveFuzzTestFindings/).
     */
    static final boolean REPLAYS_JOINS = Boolean.parseBoolean(System.getProperty("raet4j.fuzz.replayJoins", "true"));
    private static final int MAX_STEPS = 24;
    private static final int MAX_FRAMES = 8;
    private static final int HEADER_LENGTH = PacketWriter.HEADER_LENGTH;
    private static final DeliveryMode[] MODES = {
        DeliveryMode.RELIABLE_ORDERED, DeliveryMode.RELIABLE_UNORDERED, DeliveryMode.BEST_EFFORT };
    private static final JoinStatus[] STATUSES = {
        JoinStatus.ACCEPTED, JoinStatus.PENDING, JoinStatus.REJECTED, JoinStatus.VERSION_UNSUPPORTED };
    private static final JoinRefusal[] REFUSALS = {
        JoinRefusal.NONE, JoinRefusal.KEYS_CHANGED, JoinRefusal.REJECTED_BY_OPERATOR, JoinRefusal.ID_IN_USE,
        JoinRefusal.PINNED_KEY_MISMATCH, JoinRefusal.ENCRYPTION_MISMATCH, JoinRefusal.LIMITS_MISMATCH,
        JoinRefusal.PENDING_ACCEPTANCE };
    private static final RenewReason[] REASONS = { RenewReason.UNKNOWN_ESTATE, RenewReason.STALE_SESSION };
    /** Clock moves either side of the timers: RTOs, keepalive, liveness (5 s) and session (60 s) timeouts. */
    private static final long[] CLOCK_MOVES_NS = {
        0, 1_000, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(10),
        TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(250), TimeUnit.SECONDS.toNanos(1),
        TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(6), TimeUnit.SECONDS.toNanos(61) };
    private static final String[] STEPS = {
        "raw", "frames", "frames", "peer-traffic", "target-traffic", "peer-offer", "target-offer", "clock", "poll",
        "run", "run" };
    private static final String[] FRAMES = {
        "data", "data", "ack", "nack", "alive", "aliveAck", "leave", "renew", "joinCookie", "join", "joinAck" };
    private static final String[] DELIVERIES = {
        "peer-in-order", "peer-reversed", "peer-one-lost", "peer-one-twice", "peer-replay", "peer-one-edited" };
    private static final int[] MESSAGE_LENGTHS = {
        FuzzedStackPair.MESSAGE_HEADER_LENGTH, 100, 1_300, 1_340, 1_360, 1_400, 2_700, 4_000, 40_000 };

    private final PacketWriter writer = new PacketWriter(FuzzedStackPair.MTU);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[FuzzedStackPair.MTU]);
    private final long[] starts = new long[PacketWriter.MAX_ACK_RANGES];
    private final long[] ends = new long[PacketWriter.MAX_ACK_RANGES];
    /** When not null, what each input did, step by step, for picking seeds that between them do everything. */
    List<String> trace;

    @AfterAll
    static void closePairs()
    {
        FuzzedStackPair.closeAll();
    }

    /**
     * Clear text: anyone may forge any frame from the peer's address, so the rules are those that hold whatever is
     * forged.
     *
     * @param input the fuzzer's program: one episode, or a {@link FuzzHistory} of them.
     */
    @FuzzTest(maxDuration = "3m")
    void clearTextDatagramsFromAJoinedPeerAreCountedAndDropped(final byte[] input)
    {
        run(false, input);
    }

    /**
     * Sealed: only the peer's keys make a packet authentic; the harness uses them for its own frames, and the
     * fuzzer otherwise has only the peer's real packets to drop, repeat, reorder and edit.
     *
     * @param input the fuzzer's program: one episode, or a {@link FuzzHistory} of them.
     */
    @FuzzTest(maxDuration = "3m")
    void sealedDatagramsFromAJoinedPeerAreCountedAndDropped(final byte[] input)
    {
        run(true, input);
    }

    /**
     * Run an input: one episode on the pair as earlier inputs left it, or a history on a freshly launched pair. On a
     * finding the pair's whole history is written out (see {@link FuzzedStackPair#writeHistory()}).
     *
     * @param isSealed which pair.
     * @param input    the fuzzer's program.
     */
    void run(final boolean isSealed, final byte[] input)
    {
        final FuzzedStackPair pair = FuzzedStackPair.forThread(isSealed, FuzzHistory.isHistory(input));
        for (final byte[] episode : FuzzHistory.episodes(input))
        {
            pair.history.add(episode);
            try
            {
                runEpisode(pair, new FuzzInput(episode, 0, episode.length));
            }
            catch (final RuntimeException | Error ex)
            {
                pair.writeHistory();
                throw ex;
            }
        }
    }

    private void runEpisode(final FuzzedStackPair pair, final FuzzInput data)
    {
        if (Boolean.getBoolean(TRACE_PROP_NAME))
        {
            trace = new ArrayList<>();
        }
        try
        {
            pair.ensureJoined();
            final int steps = data.consumeInt(1, MAX_STEPS);
            for (int i = 0; i < steps && data.remainingBytes() > 0; i++)
            {
                step(pair, data);
                pair.check();
            }
            pair.settle();
            pair.check();
            pair.checkStillWorking();
        }
        finally
        {
            if (null != trace)
            {
                System.out.println("episode " + pair.inputs + ": " + trace);
            }
        }
    }

    private void step(final FuzzedStackPair pair, final FuzzInput data)
    {
        final int kind = data.consumeInt(0, 10);
        trace(STEPS[kind]);
        switch (kind)
        {
            case 0:
                injectRaw(pair, data);
                break;

            case 1:
            case 2:
                injectFrames(pair, data);
                break;

            case 3:
                deliverPeerTraffic(pair, data);
                break;

            case 4:
                deliverTargetTraffic(pair, data);
                break;

            case 5:
                pair.offerFromPeer(data.consumeInt(FuzzedStackPair.REAL_CHANNEL_MIN, FuzzedStackPair.FINAL_CHANNEL - 1),
                    messageLength(data));
                pair.runPeer();
                break;

            case 6:
                pair.offerFromTarget(data.consumeInt(0, FuzzedStackPair.FINAL_CHANNEL), messageLength(data));
                break;

            case 7:
            {
                final long moveNs = data.consumeBoolean() ?
                    data.pickValue(CLOCK_MOVES_NS) : data.consumeLong(0, TimeUnit.MILLISECONDS.toNanos(5));
                trace("clock-" + TimeUnit.NANOSECONDS.toMillis(moveNs) + "ms");
                pair.advance(moveNs);
                pair.runTarget();
                if (data.consumeBoolean())
                {
                    pair.runPeer();
                }
                break;
            }

            case 8:
                pair.pollTarget(data.consumeInt(1, 16));
                break;

            default:
                pair.runTarget();
                break;
        }
    }

    private void trace(final String what)
    {
        if (null != trace)
        {
            trace.add(what);
        }
    }

    private static int messageLength(final FuzzInput data)
    {
        return data.consumeBoolean() ?
            data.pickValue(MESSAGE_LENGTHS) : data.consumeInt(FuzzedStackPair.MESSAGE_HEADER_LENGTH, 6_000);
    }

    private static SocketAddress source(final FuzzInput data)
    {
        switch (data.consumeInt(0, 15))
        {
            case 0:
                return FuzzedStackPair.STRANGER_ADDRESS;

            case 1:
                return FuzzedStackPair.TARGET_ADDRESS;

            default:
                return FuzzedStackPair.PEER_ADDRESS;
        }
    }

    /**
     * Bytes of the fuzzer's, with what a forger would get right set right on request.
     */
    private void injectRaw(final FuzzedStackPair pair, final FuzzInput data)
    {
        final int fixes = data.consumeInt(0, 7);
        trace("raw-fixes-" + fixes);
        final SocketAddress source = source(data);
        final byte[] bytes = data.consumeBytes(data.consumeInt(0, FuzzedStackPair.MTU));
        if (bytes.length >= HEADER_LENGTH)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            if (0 != (fixes & 1))
            {
                new MessageHeaderEncoder().wrap(buffer, 0)
                    .blockLength(PacketHeaderEncoder.BLOCK_LENGTH)
                    .templateId(PacketHeaderEncoder.TEMPLATE_ID)
                    .schemaId(PacketHeaderEncoder.SCHEMA_ID)
                    .version(PacketHeaderEncoder.SCHEMA_VERSION);
            }
            if (0 != (fixes & 2))
            {
                buffer.putLong(16, FuzzedStackPair.PEER_ID, ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(24, FuzzedStackPair.TARGET_ID, ByteOrder.LITTLE_ENDIAN);
                buffer.putInt(32, pair.peer.session(), ByteOrder.LITTLE_ENDIAN);
                buffer.putInt(36, pair.target.session(), ByteOrder.LITTLE_ENDIAN);
            }
            if (0 != (fixes & 4))
            {
                if (pair.isSealed)
                {
                    sealedLooking(pair, data, buffer, bytes.length);
                }
                else
                {
                    buffer.putByte(12, (byte)(buffer.getByte(12) & ~PacketWriter.FLAG_SEALED));
                    PacketWriter.writeChecksum(buffer, 0, bytes.length);
                }
            }
        }
        pair.injectIntoTarget(pair.isSealed ? bytes : pair.confine(bytes), source);
    }

    /**
     * The SEALED flag, the key id of the peer's last real packet and a packet counter near its own: all a forger
     * without the key can get right, which takes the packet as far as the AEAD.
     */
    private static void sealedLooking(
        final FuzzedStackPair pair, final FuzzInput data, final UnsafeBuffer buffer, final int length)
    {
        buffer.putByte(12, (byte)(buffer.getByte(12) | PacketWriter.FLAG_SEALED));
        final byte[] last = pair.peerHistory.peekLast();
        if (null != last && last.length >= PacketWriter.SEALED_FRAMES_OFFSET &&
            length >= PacketWriter.SEALED_FRAMES_OFFSET)
        {
            final UnsafeBuffer real = new UnsafeBuffer(last);
            buffer.putInt(8, real.getInt(8, ByteOrder.LITTLE_ENDIAN), ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(HEADER_LENGTH, real.getLong(HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN) + data.consumeInt(-4, 4),
                ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * Frames written from the fuzzer's fields, as the peer (or someone at its address) would send them.
     */
    private void injectFrames(final FuzzedStackPair pair, final FuzzInput data)
    {
        final RemoteEstate peerAtTarget = StackInternals.estate(pair.target, FuzzedStackPair.PEER_ID);
        final RemoteEstate targetAtPeer = StackInternals.estate(pair.peer, FuzzedStackPair.TARGET_ID);
        final SessionKeys keys = null == targetAtPeer ? null : targetAtPeer.keys;
        final boolean isSealedHere = pair.isSealed && null != keys && data.consumeInt(0, 7) != 0;
        trace(isSealedHere ? "frames-sealed" : "frames-clear");
        final long srcId = data.consumeInt(0, 7) != 0 ? FuzzedStackPair.PEER_ID : data.consumeLong();
        final long dstId = data.consumeInt(0, 7) != 0 ? FuzzedStackPair.TARGET_ID : data.consumeLong();
        final int srcSession = data.consumeInt(0, 7) != 0 ? pair.peer.session() : data.consumeInt();
        final int dstSession = data.consumeInt(0, 7) != 0 ? pair.target.session() : data.consumeInt();
        if (isSealedHere)
        {
            writer.beginSealed(srcId, dstId, srcSession, dstSession);
        }
        else
        {
            writer.begin(srcId, dstId, srcSession, dstSession);
        }
        if (data.consumeInt(0, 7) == 0)
        {
            writer.flags(data.consumeInt(0, 0xFF) & ~PacketWriter.FLAG_SEALED);
        }
        final int frames = data.consumeInt(1, MAX_FRAMES);
        for (int i = 0; i < frames; i++)
        {
            if (!appendFrame(pair, peerAtTarget, data))
            {
                break;
            }
        }
        if (!writer.hasFrames())
        {
            writer.appendAlive(1L, pair.clock.nanoTime());
        }
        final int length = isSealedHere ? keys.seal(writer, pair.clock.nanoTime()) : writer.finish();
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        final byte[] edited = edit(data, bytes, !isSealedHere);
        pair.injectIntoTarget(pair.isSealed ? edited : pair.confine(edited), source(data));
    }

    private boolean appendFrame(
        final FuzzedStackPair pair, final RemoteEstate peerAtTarget, final FuzzInput data)
    {
        final long nowNs = pair.clock.nanoTime();
        final int kind = data.consumeInt(0, 10);
        trace(FRAMES[kind]);
        switch (kind)
        {
            case 0:
            case 1:
                return appendData(peerAtTarget, data);

            case 2:
            {
                final int channel = data.consumeInt(0, FuzzedStackPair.FINAL_CHANNEL - 1);
                final long cumulativeSeq = sentSeq(peerAtTarget, channel) + data.consumeInt(-3, 5);
                final long deliveredSeq = cumulativeSeq + data.consumeInt(-3, 1);
                final int window = data.consumeBoolean() ? data.consumeInt(-1, 4_096) : data.consumeInt();
                final int count = ranges(data, cumulativeSeq, PacketWriter.MAX_ACK_RANGES);
                return writer.appendAck(channel, cumulativeSeq, deliveredSeq, window, starts, ends, count);
            }

            case 3:
            {
                final int channel = data.consumeInt(0, FuzzedStackPair.FINAL_CHANNEL - 1);
                final long base = sentSeq(peerAtTarget, channel) + data.consumeInt(-8, 2);
                return writer.appendNack(channel, starts, ends, ranges(data, base, PacketWriter.MAX_NACK_RANGES));
            }

            case 4:
            {
                final long secondNs = TimeUnit.SECONDS.toNanos(1);
                return writer.appendAlive(data.consumeLong(), nowNs + data.consumeLong(-secondNs, secondNs));
            }

            case 5:
            {
                final long nonce = null != peerAtTarget && data.consumeBoolean() ?
                    peerAtTarget.alive.requestNonce() : data.consumeLong();
                final long echoNs = data.consumeBoolean() ?
                    nowNs - data.consumeLong(0, TimeUnit.SECONDS.toNanos(100)) : data.consumeLong();
                return writer.appendAliveAck(nonce, echoNs);
            }

            case 6:
                return writer.appendLeave(data.consumeBoolean());

            case 7:
                return writer.appendRenew(data.pickValue(REASONS));

            case 8:
                return writer.appendJoinCookie(joinNonce(peerAtTarget, data), bytes(data, PacketWriter.COOKIE_LENGTH));

            case 9:
            {
                final int minVersion = data.consumeInt(1, 4);
                return writer.appendJoin(minVersion, minVersion + data.consumeInt(0, 1), data.consumeLong(), "peer",
                    bytes(data, PacketWriter.COOKIE_LENGTH), bytes(data, PacketWriter.KEY_LENGTH),
                    bytes(data, PacketWriter.KEY_LENGTH), bytes(data, PacketWriter.KEY_LENGTH),
                    bytes(data, PacketWriter.SIGNATURE_LENGTH), limits(data));
            }

            default:
                return writer.appendJoinAck(data.pickValue(STATUSES), data.consumeInt(1, 4),
                    joinNonce(peerAtTarget, data), "peer", bytes(data, PacketWriter.KEY_LENGTH),
                    bytes(data, PacketWriter.KEY_LENGTH), bytes(data, PacketWriter.KEY_LENGTH),
                    bytes(data, PacketWriter.SIGNATURE_LENGTH), limits(data), data.pickValue(REFUSALS));
        }
    }

    /**
     * A Data frame on a channel below {@link FuzzedStackPair#REAL_CHANNEL_MIN}, its sequence near the next one the
     * target waits for there, one segment of a message that the fuzzer shapes.
     */
    private boolean appendData(final RemoteEstate peerAtTarget, final FuzzInput data)
    {
        final int channel = data.consumeInt(0, FuzzedStackPair.REAL_CHANNEL_MIN - 1);
        final DeliveryMode mode = data.pickValue(MODES);
        final long seq = data.consumeInt(0, 15) == 0 ?
            data.consumeLong() : receivedSeq(peerAtTarget, channel) + data.consumeInt(-3, 20);
        final int room = Math.min(payload.capacity(), writer.remaining() - PacketWriter.DATA_FRAME_OVERHEAD);
        if (room < 0)
        {
            return false;
        }
        final int length = data.consumeInt(0, room);
        final int segmentOffset;
        final int messageLength;
        switch (0 == length ? 0 : data.consumeInt(0, 2))
        {
            case 0:
                segmentOffset = 0;
                messageLength = length;
                break;

            case 1:
                segmentOffset = 0;
                messageLength = length + data.consumeInt(1, 100_000);
                break;

            default:
                segmentOffset = data.consumeInt(1, 100_000);
                messageLength = segmentOffset + length + (data.consumeBoolean() ? 0 : data.consumeInt(1, 100_000));
                break;
        }
        payload.putBytes(0, data.consumeBytes(length));

        return writer.appendData(channel, mode, 0 == segmentOffset, segmentOffset + length == messageLength, seq,
            messageLength, segmentOffset, data.consumeInt(0, 64), payload, 0, length);
    }

    private int ranges(final FuzzInput data, final long base, final int maxCount)
    {
        final int count = data.consumeInt(0, Math.min(4, maxCount));
        long next = base;
        for (int i = 0; i < count; i++)
        {
            starts[i] = next + data.consumeInt(0, 6);
            ends[i] = starts[i] + data.consumeInt(1, 8);
            next = data.consumeBoolean() ? ends[i] : base;
        }

        return count;
    }

    /**
     * The next sequence the target waits for from the peer on a channel, 0 when it has no state there.
     */
    private static long receivedSeq(final RemoteEstate peerAtTarget, final int channel)
    {
        final ReceiveChannel receiveChannel = null == peerAtTarget ? null : peerAtTarget.channels.receive(channel);

        return null == receiveChannel ? 0 : receiveChannel.cumulativeSeq();
    }

    /**
     * How many segments the target sent the peer on a channel: where its sequences are.
     */
    private static long sentSeq(final RemoteEstate peerAtTarget, final int channel)
    {
        final SendChannel sendChannel = null == peerAtTarget ? null : peerAtTarget.channels.send(channel);

        return null == sendChannel ? 0 : sendChannel.segmentsSent();
    }

    private static long joinNonce(final RemoteEstate peerAtTarget, final FuzzInput data)
    {
        return null != peerAtTarget && data.consumeBoolean() ? peerAtTarget.joiner.nonce() : data.consumeLong();
    }

    private static JoinLimits limits(final FuzzInput data)
    {
        return new JoinLimits(data.consumeInt(0, 0xFFFF), data.consumeInt(0, Integer.MAX_VALUE - 1),
            data.consumeInt(0, Integer.MAX_VALUE - 1), data.consumeBoolean());
    }

    private static byte[] bytes(final FuzzInput data, final int length)
    {
        final byte[] bytes = new byte[length];
        final byte[] chosen = data.consumeBytes(length);
        System.arraycopy(chosen, 0, bytes, 0, chosen.length);

        return bytes;
    }

    /**
     * None to three byte edits; a clear-text datagram may have its checksum set again after them.
     */
    private static byte[] edit(final FuzzInput data, final byte[] bytes, final boolean mayFixChecksum)
    {
        final int edits = data.consumeInt(0, 3);
        if (0 == edits || 0 == bytes.length)
        {
            return bytes;
        }
        final byte[] result = bytes.clone();
        for (int i = 0; i < edits; i++)
        {
            final int at = data.consumeInt(0, result.length - 1);
            if (data.consumeBoolean())
            {
                result[at] ^= (byte)(1 << data.consumeInt(0, 7));
            }
            else
            {
                result[at] = data.consumeByte();
            }
        }
        if (mayFixChecksum && result.length >= HEADER_LENGTH && data.consumeBoolean())
        {
            PacketWriter.writeChecksum(new UnsafeBuffer(result), 0, result.length);
        }

        return result;
    }

    /**
     * The peer runs, and what it sent the target arrives as the fuzzer says: in order, reversed, one dropped, one
     * twice, one of the last 64 again instead, or one edited. In clear text a datagram that is not one the peer just
     * sent is confined (see {@link FuzzedStackPair#confine}): a replay from an earlier session of the pair would
     * otherwise be a forgery no receiver can tell.
     */
    private void deliverPeerTraffic(final FuzzedStackPair pair, final FuzzInput data)
    {
        pair.runPeer();
        final List<byte[]> sent = new ArrayList<>(pair.takePeerOutput());
        final int how = data.consumeInt(0, 5);
        trace(DELIVERIES[how] + (sent.isEmpty() ? "-nothing" : ""));
        final int index = sent.isEmpty() ? 0 : data.consumeInt(0, sent.size() - 1);
        switch (how)
        {
            case 0:
                break;

            case 1:
                Collections.reverse(sent);
                break;

            case 2:
                if (!sent.isEmpty())
                {
                    sent.remove(index);
                }
                break;

            case 3:
                if (!sent.isEmpty())
                {
                    sent.add(data.consumeInt(0, sent.size()), sent.get(index));
                }
                break;

            case 4:
            {
                final List<byte[]> history = new ArrayList<>(pair.peerHistory);
                if (!history.isEmpty())
                {
                    final byte[] old = history.get(data.consumeInt(0, history.size() - 1));
                    final int at = data.consumeInt(0, sent.size());
                    if (REPLAYS_JOINS || !FuzzedStackPair.isJoin(old))
                    {
                        sent.add(at, pair.isSealed ? old : pair.confine(old));
                    }
                }
                break;
            }

            default:
                if (!sent.isEmpty())
                {
                    final byte[] edited = edit(data, sent.get(index), true);
                    sent.set(index, pair.isSealed ? edited : pair.confine(edited));
                }
                break;
        }
        for (final byte[] bytes : sent)
        {
            pair.injectIntoTarget(bytes, FuzzedStackPair.PEER_ADDRESS);
        }
    }

    /**
     * What the target sent the peer arrives, in order or reversed, or is lost.
     */
    private void deliverTargetTraffic(final FuzzedStackPair pair, final FuzzInput data)
    {
        final List<byte[]> sent = new ArrayList<>(pair.takeTargetOutput());
        switch (data.consumeInt(0, 2))
        {
            case 0:
                sent.forEach(pair::deliverToPeer);
                break;

            case 1:
                Collections.reverse(sent);
                sent.forEach(pair::deliverToPeer);
                break;

            default:
                break;
        }
        pair.runPeer();
    }
}
