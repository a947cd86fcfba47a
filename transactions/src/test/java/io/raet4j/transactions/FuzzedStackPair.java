package io.raet4j.transactions;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.transactions.estate.RemoteEstate;
import io.raet4j.transactions.message.ReceiveChannel;
import io.raet4j.transactions.message.SendChannel;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Two real stacks joined over {@link MemoryMedia}, for fuzzing the receive path of one of them, the target, with
 * datagrams "from" the other, the peer: launched and joined once per JVM and mode (clear or sealed), then reused by
 * every input, with one {@link CachedNanoClock} that only the harness moves. Nothing travels unless the harness moves
 * it: what each stack sends stays in its media until {@link #takePeerOutput()} or {@link #takeTargetOutput()}.
 * <p>
 * <b>What it holds the stacks to</b>, checked as it goes ({@link #check()} throws the first violation):
 * <ul>
 *     <li>nothing reaches either stack's error handler and its ERRORS counter stays where it was: malformed input is
 *     counted and dropped, never thrown;</li>
 *     <li>every message either application gets comes from the other estate, the only one ever joined;</li>
 *     <li>on channels {@value #REAL_CHANNEL_MIN} to 255, which carry only what the applications offered (the
 *     harness keeps forged Data off them, see {@link #confine(byte[])}), each message is one that was offered, on
 *     that channel, byte for byte, delivered at most once, and in offer order on the ordered channels;</li>
 *     <li>what the peer's application is told of its reliable messages is true: delivered only once the target's
 *     application has the message, failed only if it never gets it;</li>
 *     <li>{@link #checkStillWorking()}: after whatever an input did, the pair joins again if it must, a message from
 *     the peer on channel {@value #FINAL_CHANNEL} reaches the target and one from the target reaches the peer (each
 *     offered again, up to {@value #MAX_FINAL_ATTEMPTS} times, if a session that ended meanwhile made it end
 *     uncertain or failed).</li>
 * </ul>
 * <p>
 * <b>Threading:</b> NOT thread safe; the stacks belong to the thread that launched them (see {@link #forThread}).
 */
final class FuzzedStackPair implements AutoCloseable
{
    static final InetSocketAddress TARGET_ADDRESS = new InetSocketAddress("10.0.0.1", 7100);
    static final InetSocketAddress PEER_ADDRESS = new InetSocketAddress("10.0.0.2", 7200);
    static final InetSocketAddress STRANGER_ADDRESS = new InetSocketAddress("10.0.0.3", 7300);
    static final long TARGET_ID = 0x7A7A_0001L;
    static final long PEER_ID = 0x9E9E_0002L;
    /** Channels from here on carry only messages the applications offered. */
    static final int REAL_CHANNEL_MIN = 128;
    /** Ordered below this, unordered from here. */
    static final int UNORDERED_CHANNEL_MIN = 192;
    /** Best effort from here. */
    static final int BEST_EFFORT_CHANNEL_MIN = 224;
    /** The channel of the message that proves the pair still works after an input. */
    static final int FINAL_CHANNEL = 255;
    /** Header of every offered message: id (i64), channel (u8), length (i32), then a pattern of the id. */
    static final int MESSAGE_HEADER_LENGTH = 13;
    static final int MTU = Context.MTU_DEFAULT;
    static final long ROUND_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A frame kind no version defines: PROTOCOL.md 2.3 assigns or reserves template ids up to 49 only. */
    private static final int NEUTRAL_TEMPLATE_ID = 99;
    private static final int HISTORY = 64;
    private static final int WARM_UP_MESSAGES = 3;
    private static final int MAX_EPISODES = 20_000;
    private static final String MINIMIZE_PROP_NAME = "raet4j.fuzz.minimize";
    private static final Path HISTORY_DIRECTORY = Path.of("target", "stack-fuzz");
    /**
     * A gap the peer never fills (a Data frame forged far ahead) is nacked again every 2 x srtt for as long as the
     * session lasts (PROTOCOL.md 9.2), so the pair is never quiet then: settling stops after this many rounds.
     */
    private static final int MAX_SETTLE_ROUNDS = 20;
    private static final int MAX_JOIN_ROUNDS = 4_000;
    private static final int MAX_FINAL_ROUNDS = 6_000;
    private static final int MAX_FINAL_ATTEMPTS = 3;
    private static final long TARGET_MESSAGE_IDS = 1L << 40;

    private static FuzzedStackPair clear;
    private static FuzzedStackPair sealed;
    private static boolean hasShutdownHook;

    final boolean isSealed;
    final CachedNanoClock clock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final MemoryMedia targetMedia = new MemoryMedia(TARGET_ADDRESS, MTU);
    final MemoryMedia peerMedia = new MemoryMedia(PEER_ADDRESS, MTU);
    final Stack target;
    final Stack peer;
    /** The last real datagrams the peer sent the target, oldest first, for replays. */
    final ArrayDeque<byte[]> peerHistory = new ArrayDeque<>();
    final List<String> violations = new ArrayList<>();
    /** Every episode this pair has run, in order: what a replay of a finding needs. */
    final List<byte[]> history = new ArrayList<>();
    /** Inputs run, joins the peer had to start again, and inputs after which the pair had to join again. */
    long inputs;
    long joins;
    long rejoins;
    private long rejoinNs;

    private final Thread owner = Thread.currentThread();
    private final boolean isTracing = Boolean.getBoolean("raet4j.fuzz.trace");
    private final Path directory;
    private final List<Throwable> errors = new ArrayList<>();
    private final PacketReader reader = new PacketReader();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[StackContext.MAX_MESSAGE_DEFAULT / 256]);
    private final MessageHandler targetHandler = this::onTargetMessage;
    private final MessageHandler peerHandler = this::onPeerMessage;
    private final Received fromPeer = new Received(PEER_ID);
    private final Received fromTarget = new Received(TARGET_ID);
    private final Outcomes peerOutcomes = new Outcomes(fromPeer, true);
    private final Outcomes targetOutcomes = new Outcomes(fromTarget, false);
    private final long targetErrorsAtLaunch;
    private final long peerErrorsAtLaunch;
    private long nextPeerMessageId = 1;
    private long nextTargetMessageId = TARGET_MESSAGE_IDS;

    private FuzzedStackPair(final boolean isSealed)
    {
        this.isSealed = isSealed;
        clock.update(TimeUnit.SECONDS.toNanos(1));
        epochClock.update(1_000_000L);
        try
        {
            directory = Files.createTempDirectory("raet4j-stack-fuzz-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        target = Stack.launch(context("target", TARGET_ID, targetMedia));
        peer = Stack.launch(context("peer", PEER_ID, peerMedia));
        peer.addDeliveryHandler(peerOutcomes);
        target.addDeliveryHandler(targetOutcomes);
        targetErrorsAtLaunch = target.counter(TransportCounterDescriptor.ERRORS);
        peerErrorsAtLaunch = peer.counter(TransportCounterDescriptor.ERRORS);
        target.doWork();
        peer.doWork();
        ensureJoined();
        // A few messages on the final channel first, so that its sequences are past 0 in every input, even the
        // first of a replay: a side whose channel state was reset alone then shows.
        for (int i = 0; i < WARM_UP_MESSAGES; i++)
        {
            checkStillWorking();
        }
        inputs = 0;
        check();
    }

    /**
     * The pair for a mode, launched and joined on first use. Stacks refuse other threads, so a call from a thread
     * other than the one that launched the pair closes it and launches another; so does a pair that has run
     * {@value #MAX_EPISODES} episodes, so that its {@link #history} stays short enough to replay.
     *
     * @param isSealed true for the pair with encryption on.
     * @param isFresh  true to close the pair there is and launch another, as a {@link FuzzHistory} needs.
     * @return the pair, joined.
     */
    static synchronized FuzzedStackPair forThread(final boolean isSealed, final boolean isFresh)
    {
        FuzzedStackPair pair = isSealed ? sealed : clear;
        if (null != pair && (isFresh || pair.owner != Thread.currentThread() || pair.history.size() >= MAX_EPISODES))
        {
            pair.close();
            pair = null;
        }
        if (null == pair)
        {
            if (!hasShutdownHook)
            {
                hasShutdownHook = true;
                Runtime.getRuntime().addShutdownHook(new Thread(FuzzedStackPair::closeAll, "stack-fuzz-cleanup"));
            }
            pair = new FuzzedStackPair(isSealed);
            if (isSealed)
            {
                sealed = pair;
            }
            else
            {
                clear = pair;
            }
        }

        return pair;
    }

    /**
     * Close both pairs, if launched, and delete their files.
     */
    static synchronized void closeAll()
    {
        CloseHelper.quietCloseAll(clear, sealed);
        clear = null;
        sealed = null;
    }

    private StackContext context(final String name, final long estateId, final MemoryMedia media)
    {
        final StackContext ctx = new StackContext(new Context()
            .name(name)
            .estateId(estateId)
            .media(media)
            .nanoClock(clock)
            .epochClock(epochClock)
            .statusDir(directory.resolve("status-" + name))
            .deleteStatusDirOnClose(true)
            .errorHandler(errors::add))
            .encryption(isSealed)
            .keepDir(directory.resolve("keep-" + name))
            // Keys rotate every 64 packets, so that replays and reordering meet rotations and the lookahead.
            .rekeyAfterPackets(64);
        for (int channel = UNORDERED_CHANNEL_MIN; channel < BEST_EFFORT_CHANNEL_MIN; channel++)
        {
            ctx.channelMode(channel, DeliveryMode.RELIABLE_UNORDERED);
        }
        for (int channel = BEST_EFFORT_CHANNEL_MIN; channel < FINAL_CHANNEL; channel++)
        {
            ctx.channelMode(channel, DeliveryMode.BEST_EFFORT);
        }

        return ctx;
    }

    /**
     * Move the clock, the same for both stacks.
     *
     * @param ns how far.
     */
    void advance(final long ns)
    {
        clock.advance(ns);
        epochClock.advance(ns / 1_000_000);
    }

    /**
     * One duty cycle of the target.
     */
    void runTarget()
    {
        target.doWork();
    }

    /**
     * One duty cycle of the peer.
     */
    void runPeer()
    {
        peer.doWork();
    }

    /**
     * What the peer sent to the target since the last call, each remembered in {@link #peerHistory}; what it sent
     * elsewhere is dropped.
     *
     * @return the datagrams, in the order sent.
     */
    List<byte[]> takePeerOutput()
    {
        final List<byte[]> result = new ArrayList<>();
        for (final MemoryMedia.Datagram datagram : peerMedia.sent)
        {
            if (TARGET_ADDRESS.equals(datagram.address()))
            {
                result.add(datagram.bytes());
                if (peerHistory.size() == HISTORY)
                {
                    peerHistory.poll();
                }
                peerHistory.add(datagram.bytes());
            }
        }
        peerMedia.sent.clear();

        return result;
    }

    /**
     * What the target sent to the peer since the last call; what it sent elsewhere (Renews and JoinCookies to a
     * stranger's address) is dropped.
     *
     * @return the datagrams, in the order sent.
     */
    List<byte[]> takeTargetOutput()
    {
        final List<byte[]> result = new ArrayList<>();
        for (final MemoryMedia.Datagram datagram : targetMedia.sent)
        {
            if (PEER_ADDRESS.equals(datagram.address()))
            {
                result.add(datagram.bytes());
            }
        }
        targetMedia.sent.clear();

        return result;
    }

    /**
     * Hand a datagram to the target as if it came from an address.
     *
     * @param bytes  the datagram.
     * @param source where it claims to come from.
     */
    void injectIntoTarget(final byte[] bytes, final SocketAddress source)
    {
        if (isTracing)
        {
            System.out.println("  -> target from " + source + ": " + describe(bytes));
        }
        targetMedia.inject(bytes, source);
    }

    /**
     * Hand a datagram the target sent to the peer.
     *
     * @param bytes the datagram.
     */
    void deliverToPeer(final byte[] bytes)
    {
        if (isTracing)
        {
            System.out.println("  -> peer: " + describe(bytes));
        }
        peerMedia.inject(bytes, TARGET_ADDRESS);
    }

    /**
     * A datagram as text: its status, header and frames, for tracing.
     */
    private String describe(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes.clone());
        if (PacketReader.isSealed(buffer, 0, bytes.length))
        {
            final int status = reader.wrapSealed(buffer, 0, bytes.length);
            return "sealed " + bytes.length + " bytes " + PacketReader.statusName(status) +
                (PacketReader.OK == status ? " key " + reader.keyId() + " counter " + reader.packetCounter() : "");
        }
        final int status = reader.wrap(buffer, 0, bytes.length);
        if (PacketReader.OK != status)
        {
            return bytes.length + " bytes " + PacketReader.statusName(status);
        }
        final StringBuilder out = new StringBuilder().append(bytes.length).append(" bytes ")
            .append(Long.toHexString(reader.srcEstateId())).append('>').append(Long.toHexString(reader.dstEstateId()));
        while (reader.nextFrame())
        {
            out.append(' ');
            switch (reader.templateId())
            {
                case DataDecoder.TEMPLATE_ID:
                {
                    final DataDecoder data = reader.data();
                    out.append("Data(ch ").append(data.channel()).append(" seq ").append(data.seq()).append(' ')
                        .append(data.flags().begin() ? "B" : "").append(data.flags().end() ? "E" : "")
                        .append(" len ").append(reader.dataPayloadLength()).append('/').append(data.messageLength())
                        .append(" at ").append(data.segmentOffset()).append(')');
                    break;
                }
                case io.raet4j.codec.sbe.AckDecoder.TEMPLATE_ID:
                {
                    final io.raet4j.codec.sbe.AckDecoder ack = reader.ack();
                    out.append("Ack(ch ").append(ack.channel()).append(" cum ").append(ack.cumulativeSeq())
                        .append(" delivered ").append(ack.deliveredSeq()).append(" window ")
                        .append(ack.windowSegments()).append(" ranges ").append(ack.ranges().count()).append(')');
                    break;
                }
                case io.raet4j.codec.sbe.JoinDecoder.TEMPLATE_ID:
                    out.append("Join(nonce ").append(reader.join().nonce()).append(" flags ").append(reader.flags())
                        .append(')');
                    break;
                case io.raet4j.codec.sbe.JoinAckDecoder.TEMPLATE_ID:
                    out.append("JoinAck(").append(reader.joinAck().status()).append(" nonce ")
                        .append(reader.joinAck().nonce()).append(" flags ").append(reader.flags()).append(')');
                    break;
                default:
                    out.append(reader.templateId());
                    break;
            }
        }

        return out.toString();
    }

    /**
     * In clear text anyone can write any frame "from" the peer; so that channels {@value #REAL_CHANNEL_MIN} and up
     * carry only what the peer's application offered, and so that no forged Ack or Nack decides the fate of the
     * target's final message, a datagram that is not byte for byte one the peer just sent has each of its Data frames
     * on those channels, and its Acks and Nacks on {@value #FINAL_CHANNEL}, turned into a frame of a kind no version
     * defines ({@value #NEUTRAL_TEMPLATE_ID}, skipped by frameLength), and its checksum set again. A datagram the reader
     * refuses is left as it is: the stack's reader refuses it too.
     *
     * @param bytes a datagram about to be injected.
     * @return the same bytes, or a confined copy.
     */
    byte[] confine(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes.clone());
        if (PacketReader.isSealed(buffer, 0, bytes.length) || PacketReader.OK != reader.wrap(buffer, 0, bytes.length))
        {
            return bytes;
        }
        boolean isChanged = false;
        while (reader.nextFrame())
        {
            final int frame = reader.frameOffset();
            final int templateId = reader.templateId();
            // Data, Ack and Nack frames all have the channel right after frameLength.
            final int channel = buffer.getByte(frame + 8 + DataDecoder.channelEncodingOffset()) & 0xFF;
            if ((DataDecoder.TEMPLATE_ID == templateId && channel >= REAL_CHANNEL_MIN) ||
                ((AckDecoder.TEMPLATE_ID == templateId || NackDecoder.TEMPLATE_ID == templateId) &&
                FINAL_CHANNEL == channel))
            {
                buffer.putShort(frame + 2, (short)NEUTRAL_TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
                isChanged = true;
            }
        }
        if (!isChanged)
        {
            return bytes;
        }
        PacketWriter.writeChecksum(buffer, 0, bytes.length);

        return buffer.byteArray();
    }

    /**
     * Whether a clear-text datagram's first frame is a Join.
     *
     * @param bytes a datagram.
     * @return true for a Join the reader accepts.
     */
    static boolean isJoin(final byte[] bytes)
    {
        final PacketReader joinReader = new PacketReader();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);

        return !PacketReader.isSealed(buffer, 0, bytes.length) &&
            PacketReader.OK == joinReader.wrap(buffer, 0, bytes.length) && joinReader.nextFrame() &&
            io.raet4j.codec.sbe.JoinDecoder.TEMPLATE_ID == joinReader.templateId();
    }

    /**
     * The peer's application offers a message to the target.
     *
     * @param channel {@value #REAL_CHANNEL_MIN} to 255.
     * @param length  at least {@value #MESSAGE_HEADER_LENGTH}.
     * @return what offer returned.
     */
    long offerFromPeer(final int channel, final int length)
    {
        final long id = nextPeerMessageId++;
        final long result = peer.offer(TARGET_ID, channel, message, 0, writeMessage(id, channel, length));
        final boolean isReliable = channel < BEST_EFFORT_CHANNEL_MIN || FINAL_CHANNEL == channel;
        if (result >= 0 && isReliable)
        {
            peerOutcomes.offered(channel, result, id);
        }

        return result;
    }

    /**
     * The target's application offers a message to the peer, so that Acks and Nacks "from" the peer meet send state.
     *
     * @param channel 0 to 255.
     * @param length  at least {@value #MESSAGE_HEADER_LENGTH}.
     * @return what offer returned.
     */
    long offerFromTarget(final int channel, final int length)
    {
        final long id = nextTargetMessageId++;
        final long result = target.offer(PEER_ID, channel, message, 0, writeMessage(id, channel, length));
        if (result >= 0)
        {
            targetOutcomes.offered(channel, result, id);
        }

        return result;
    }

    /**
     * Poll the target's application.
     *
     * @param limit most messages.
     * @return messages handed over.
     */
    int pollTarget(final int limit)
    {
        return target.poll(targetHandler, limit);
    }

    /**
     * Let both stacks run and exchange everything, in order and without loss, one millisecond per round, polling both
     * applications, until nothing is in flight for two rounds or {@value #MAX_SETTLE_ROUNDS} rounds have passed.
     */
    void settle()
    {
        int quiet = 0;
        for (int round = 0; round < MAX_SETTLE_ROUNDS && quiet < 2; round++)
        {
            quiet = exchange(ROUND_NS) ? 0 : quiet + 1;
        }
    }

    /**
     * Join the pair again if an input ended or broke its session: run the pair, and have the peer join if neither
     * side does. Every such join is counted in {@link #rejoins}.
     *
     * @throws AssertionError if the pair cannot join within a bound.
     */
    void ensureJoined()
    {
        if (isJoined())
        {
            return;
        }
        boolean isJoining = false;
        for (int round = 0; round < MAX_JOIN_ROUNDS; round++)
        {
            exchange(round < 100 ? ROUND_NS : 10 * ROUND_NS);
            if (isJoined())
            {
                return;
            }
            if (!isJoining && round >= 100)
            {
                isJoining = true;
                joins++;
                peer.join(TARGET_ADDRESS.getHostString() + ":" + TARGET_ADDRESS.getPort());
            }
        }
        throw new AssertionError("the pair does not join again: target " + StackPair.nonZeroCounters(target) +
            " peer " + StackPair.nonZeroCounters(peer));
    }

    /**
     * The stack keeps working: joined again if need be, a message from the peer on {@value #FINAL_CHANNEL} reaches
     * the target's application.
     *
     * @throws AssertionError if it does not.
     */
    void checkStillWorking()
    {
        inputs++;
        if (!isJoined())
        {
            final long startNs = System.nanoTime();
            ensureJoined();
            rejoins++;
            rejoinNs += System.nanoTime() - startNs;
        }
        if (!isFinalMessageDelivered(true))
        {
            throw new AssertionError("the target no longer gets the peer's messages; " + describe() + "; target " +
                StackPair.nonZeroCounters(target) + " peer " + StackPair.nonZeroCounters(peer));
        }
        if (!isFinalMessageDelivered(false))
        {
            throw new AssertionError("the peer no longer gets the target's messages; " + describe() + "; target " +
                StackPair.nonZeroCounters(target) + " peer " + StackPair.nonZeroCounters(peer));
        }
    }

    /**
     * One side offers a message on {@value #FINAL_CHANNEL} and the pair runs until the other's application has it;
     * offered again, up to {@value #MAX_FINAL_ATTEMPTS} times, if it was not taken or if a session that ended
     * meanwhile made it end uncertain or failed, which the sender's application was told truly.
     */
    private boolean isFinalMessageDelivered(final boolean isFromPeer)
    {
        final Received received = isFromPeer ? fromPeer : fromTarget;
        final Outcomes outcomes = isFromPeer ? peerOutcomes : targetOutcomes;
        long result = Stack.NOT_CONNECTED;
        long id = 0;
        int attempts = 0;
        for (int round = 0; round < MAX_FINAL_ROUNDS; round++)
        {
            if (0 != id && received.has(id))
            {
                check();
                return true;
            }
            if (result < 0 || outcomes.hasEnded(FINAL_CHANNEL, result))
            {
                if (result >= 0 && ++attempts > MAX_FINAL_ATTEMPTS)
                {
                    break;
                }
                ensureJoined();
                id = isFromPeer ? nextPeerMessageId : nextTargetMessageId;
                final int length = MESSAGE_HEADER_LENGTH + (int)(id % 50);
                result = isFromPeer ? offerFromPeer(FINAL_CHANNEL, length) : offerFromTarget(FINAL_CHANNEL, length);
                outcomes.watch(FINAL_CHANNEL, result);
            }
            exchange(round < 200 ? ROUND_NS : 20 * ROUND_NS);
        }
        check();

        return false;
    }

    /**
     * Write {@link #history} as one {@link FuzzHistory} input under {@code target/stack-fuzz/}, for replaying and
     * minimising a finding that the last episode alone does not show.
     *
     * @return where it was written, or null if it could not be.
     */
    Path writeHistory()
    {
        if (null != System.getProperty(MINIMIZE_PROP_NAME))
        {
            // Trials of the minimiser fail on purpose: their histories are its business.
            return null;
        }
        try
        {
            Files.createDirectories(HISTORY_DIRECTORY);
            final Path file = HISTORY_DIRECTORY.resolve((isSealed ? "sealed" : "clear") + "-history-" +
                history.size() + "-episodes-" + System.currentTimeMillis() + ".bin");
            Files.write(file, FuzzHistory.write(history));
            System.out.println("stack fuzz: the " + history.size() + " episodes of this pair so far are in " +
                file.toAbsolutePath() + " (replay and minimise: see FuzzHistoryToolsTest)");
            return file;
        }
        catch (final IOException ex)
        {
            System.out.println("stack fuzz: cannot write the history: " + ex);
            return null;
        }
    }

    /**
     * Throw the first violation seen so far: an error given to either stack's error handler (as the cause), a change
     * of its ERRORS counter, or a message that broke a rule.
     */
    void check()
    {
        if (!errors.isEmpty())
        {
            final Throwable first = errors.get(0);
            throw new AssertionError("a stack's error handler got " + errors.size() + " error(s), first: " + first,
                first);
        }
        if (target.counter(TransportCounterDescriptor.ERRORS) != targetErrorsAtLaunch ||
            peer.counter(TransportCounterDescriptor.ERRORS) != peerErrorsAtLaunch)
        {
            throw new AssertionError("ERRORS counted: target " + StackPair.nonZeroCounters(target) + " peer " +
                StackPair.nonZeroCounters(peer));
        }
        if (!violations.isEmpty())
        {
            throw new AssertionError(String.join("; ", violations));
        }
    }

    /**
     * What each stack holds of the other, for a failure message.
     *
     * @return a line of text.
     */
    String describe()
    {
        return "peer at target: " + describe(StackInternals.estate(target, PEER_ID), peer.session()) +
            "; target at peer: " + describe(StackInternals.estate(peer, TARGET_ID), target.session());
    }

    private static String describe(final RemoteEstate estate, final int actualSession)
    {
        if (null == estate)
        {
            return "none";
        }
        final StringBuilder out = new StringBuilder()
            .append(estate.state()).append(" session ").append(estate.session == actualSession ? "current" : "OLD")
            .append(" renewRequested ").append(estate.joiner.isRenewRequested()).append(" joinNonce ")
            .append(estate.joiner.nonce())
            .append(" sealed ").append(estate.isSealed).append(" pairMtu ").append(estate.pairMtu)
            .append(" maxPayload ").append(estate.maxPayload).append(" peerCredit ").append(estate.peerCredit)
            .append(" rtoMs ").append(TimeUnit.NANOSECONDS.toMillis(estate.path.rtoNs()))
            .append(" cwnd ").append(estate.path.cwnd()).append(" inflight ").append(estate.path.inflightBytes())
            .append(" canSend ").append(estate.path.canSend());
        final SendChannel send = estate.channels.send(FINAL_CHANNEL);
        if (null != send)
        {
            out.append(" send255 outstanding ").append(send.outstandingMessages()).append(" sent ")
                .append(send.segmentsSent()).append(" hasNew ").append(send.hasNew()).append(" inWindow ")
                .append(send.isWithinPeerWindow()).append(" retransmit ").append(send.hasRetransmit());
        }
        final ReceiveChannel receive = estate.channels.receive(FINAL_CHANNEL);
        if (null != receive)
        {
            out.append(" receive255 cumulative ").append(receive.cumulativeSeq()).append(" gaps ")
                .append(receive.hasGaps()).append(" readable ").append(receive.hasReadable());
        }

        return out.toString();
    }

    /**
     * Both sides hold the session and neither has a join outstanding: a renewal half done (a Join sent, its JoinAck
     * not yet in) would end in uncertain outcomes what is offered meanwhile.
     *
     * @return true if the pair is joined and settled.
     */
    boolean isJoined()
    {
        return target.isJoined(PEER_ID) && peer.isJoined(TARGET_ID) &&
            isJoinSettled(StackInternals.estate(target, PEER_ID)) &&
            isJoinSettled(StackInternals.estate(peer, TARGET_ID));
    }

    private static boolean isJoinSettled(final RemoteEstate estate)
    {
        return null != estate && !estate.joiner.isInProgress() && EstateState.RENEWING != estate.state();
    }

    /**
     * One round: the clock moves, both stacks run, everything sent is delivered, both applications poll.
     *
     * @return whether anything was in flight.
     */
    private boolean exchange(final long stepNs)
    {
        advance(stepNs);
        peer.doWork();
        target.doWork();
        final List<byte[]> toTarget = takePeerOutput();
        final List<byte[]> toPeer = takeTargetOutput();
        for (final byte[] bytes : toTarget)
        {
            injectIntoTarget(bytes, PEER_ADDRESS);
        }
        for (final byte[] bytes : toPeer)
        {
            deliverToPeer(bytes);
        }
        target.poll(targetHandler, Integer.MAX_VALUE);
        peer.poll(peerHandler, Integer.MAX_VALUE);

        return !toTarget.isEmpty() || !toPeer.isEmpty() || targetMedia.pending() > 0 || peerMedia.pending() > 0;
    }

    private int writeMessage(final long id, final int channel, final int length)
    {
        final int bounded = Math.max(MESSAGE_HEADER_LENGTH, Math.min(length, message.capacity()));
        message.putLong(0, id, ByteOrder.LITTLE_ENDIAN);
        message.putByte(8, (byte)channel);
        message.putInt(9, bounded, ByteOrder.LITTLE_ENDIAN);
        for (int i = MESSAGE_HEADER_LENGTH; i < bounded; i++)
        {
            message.putByte(i, patternByte(id, i));
        }

        return bounded;
    }

    private static byte patternByte(final long id, final int index)
    {
        return (byte)(id * 31 + index * 7);
    }

    private void onTargetMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        fromPeer.onMessage(estateId, channel, buffer, offset, length, nextPeerMessageId);
    }

    private void onPeerMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        fromTarget.onMessage(estateId, channel, buffer, offset, length, nextTargetMessageId);
    }

    private void printSummary()
    {
        System.out.println((isSealed ? "sealed" : "clear") + " pair: " + inputs + " inputs, " + rejoins +
            " needed the pair to join again (" + TimeUnit.NANOSECONDS.toMillis(rejoinNs) + " ms), the peer joined " +
            joins + " times; target counters " + StackPair.nonZeroCounters(target));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        // What a campaign did to the pair, for its report; a plain test run stays quiet.
        if (isTracing || null != System.getenv("JAZZER_FUZZ"))
        {
            printSummary();
        }
        CloseHelper.quietCloseAll(target, peer);
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // Best effort: a temporary directory.
        }
    }

    /**
     * The outcomes an application is told for its reliable messages. The peer's must be true ({@link DeliveryHandler}):
     * delivered only once the target's application has the message, failed only if it never gets it. The target's
     * are not held to that (forged Acks from the peer's address are the target's to believe in clear text, and so are
     * the harness's own sealed ones), only watched for the final message.
     */
    private final class Outcomes implements DeliveryHandler
    {
        private final Received received;
        private final boolean isTruthChecked;
        private final Long2LongHashMap messageIds = new Long2LongHashMap(-1);
        private long watchedMessageId = -1;
        private boolean isWatchedEnded;

        Outcomes(final Received received, final boolean isTruthChecked)
        {
            this.received = received;
            this.isTruthChecked = isTruthChecked;
        }

        void offered(final int channel, final long messageId, final long id)
        {
            messageIds.put(key(channel, messageId), id);
        }

        /**
         * Message ids are numbered per channel: the key of one is both.
         */
        private static long key(final int channel, final long messageId)
        {
            return messageId * 256 + channel;
        }

        /**
         * Whether a message ended failed or uncertain since {@link #watch} was last called for it.
         */
        boolean hasEnded(final int channel, final long messageId)
        {
            return key(channel, messageId) == watchedMessageId && isWatchedEnded;
        }

        void watch(final int channel, final long messageId)
        {
            watchedMessageId = key(channel, messageId);
            isWatchedEnded = false;
        }

        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            final long id = messageIds.remove(key(channel, messageId));
            if (isTruthChecked && id > 0 && !received.has(id))
            {
                violations.add("message " + id + " on channel " + channel + " reported delivered, never handed over");
            }
        }

        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            final long id = end(channel, messageId);
            if (isTruthChecked && id > 0)
            {
                received.onReportedFailed(id, channel, reason);
            }
        }

        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            end(channel, messageId);
        }

        private long end(final int channel, final long messageId)
        {
            final long key = key(channel, messageId);
            isWatchedEnded |= key == watchedMessageId;

            return messageIds.remove(key);
        }
    }

    /**
     * What one application received from the other, and the rules it must follow.
     */
    private final class Received
    {
        private final long fromEstateId;
        private final BitSet delivered = new BitSet();
        /** Messages their sender's application was told had failed. */
        private final BitSet failed = new BitSet();
        private final long[] lastOnChannel = new long[256];
        private final long idBase;

        Received(final long fromEstateId)
        {
            this.fromEstateId = fromEstateId;
            this.idBase = PEER_ID == fromEstateId ? 0 : TARGET_MESSAGE_IDS;
        }

        boolean has(final long id)
        {
            return delivered.get((int)(id - idBase));
        }

        void onReportedFailed(final long id, final int channel, final FailureReason reason)
        {
            failed.set((int)(id - idBase));
            if (has(id))
            {
                violations.add("message " + id + " on channel " + channel + " reported failed (" + reason +
                    ") but handed over");
            }
        }

        void onMessage(
            final long estateId,
            final int channel,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final long nextId)
        {
            if (estateId != fromEstateId)
            {
                violations.add("a message from estate " + estateId + ", which never joined, channel " + channel);
                return;
            }
            if (channel < REAL_CHANNEL_MIN)
            {
                return;
            }
            if (length < MESSAGE_HEADER_LENGTH)
            {
                violations.add("a message of " + length + " bytes on channel " + channel + " that nobody offered");
                return;
            }
            final long id = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
            if (id < idBase || id >= nextId || (buffer.getByte(offset + 8) & 0xFF) != channel ||
                buffer.getInt(offset + 9, ByteOrder.LITTLE_ENDIAN) != length)
            {
                violations.add("message " + id + " of " + length + " bytes on channel " + channel +
                    " was not offered so");
                return;
            }
            for (int i = MESSAGE_HEADER_LENGTH; i < length; i++)
            {
                if (buffer.getByte(offset + i) != patternByte(id, i))
                {
                    violations.add("message " + id + " on channel " + channel + " altered at byte " + i);
                    return;
                }
            }
            final int bit = (int)(id - idBase);
            if (failed.get(bit))
            {
                violations.add("message " + id + " on channel " + channel +
                    " handed over after it was reported failed");
            }
            if (delivered.get(bit))
            {
                violations.add("message " + id + " on channel " + channel + " delivered twice");
            }
            delivered.set(bit);
            if (channel < UNORDERED_CHANNEL_MIN || FINAL_CHANNEL == channel)
            {
                if (id < lastOnChannel[channel])
                {
                    violations.add("message " + id + " on ordered channel " + channel + " after " +
                        lastOnChannel[channel]);
                }
            }
            lastOnChannel[channel] = Math.max(lastOnChannel[channel], id);
        }
    }
}
