package io.raet4j.transactions.message;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.AckDecoder;
import io.raet4j.codec.sbe.DataDecoder;
import io.raet4j.codec.sbe.DeliveryMode;
import io.raet4j.codec.sbe.LeaveDecoder;
import io.raet4j.codec.sbe.NackDecoder;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transport.Context;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model-based test of {@link SendChannel}, {@link ReceiveChannel} and {@link PathState} together: random sequences of
 * operations (offer, sender and receiver duty cycles, polls by the application, the clock advanced a little, to the
 * next arrival or past the retransmission timer, datagrams lost, duplicated and reordered in both directions, the
 * application pausing, the receiver vanishing, leaving or restarting, the session dying and joining again) run
 * through a {@link ChannelDriver} over a {@link LossyLink}, against a reference model of every message offered and of
 * every segment sent. After every step the invariants hold:
 * <ul>
 *     <li>every reliable message has at most one outcome, given in offer order: delivered only after the receiving
 *     application got it, failed only if it never did and (unless the receiver said so when it left) was never sent
 *     whole, uncertain only if it was sent whole; a failed message is never handed over later;</li>
 *     <li>the application gets each message at most once, intact, in offer order on ordered and best-effort
 *     channels;</li>
 *     <li>a new segment is sent only within the credit the receiver granted, so the receiver never finds a reliable
 *     segment out of its window; credit never exceeds what the receiver may grant;</li>
 *     <li>the path's window, RTO, probe timeout and RTT estimates stay within their documented bounds, the minimum RTT
 *     is never below the link's round trip (Karn), and its bytes in flight equal the sum over segments sent and not
 *     acknowledged;</li>
 *     <li>each channel's outstanding messages and segment counters agree with the model and the wire.</li>
 * </ul>
 * Each run ends with a drain on a lossless link, after the acks in flight are lost: every reliable message must then
 * end in exactly one outcome, the session may die only for a message whose deadline was already near, and a message
 * the application got must be confirmed to the sender within a few timeouts.
 * <p>
 * A failure names the seed and prints the last steps; replay one seed with {@code -Draet4j.model.seed=N} (and
 * {@code -Draet4j.model.steps}, {@code -Draet4j.model.seeds}, {@code -Draet4j.model.log} to change the run).
 */
class ChannelModelTest
{
    private static final int SEEDS = Integer.getInteger("raet4j.model.seeds", 200);
    private static final int STEPS = Integer.getInteger("raet4j.model.steps", 2_000);
    private static final Long SEED = Long.getLong("raet4j.model.seed");
    private static final int LOG_LINES = Integer.getInteger("raet4j.model.log", 200);

    @Test
    void shouldKeepEveryInvariantOverRandomSequencesOfOperations()
    {
        final Totals totals = new Totals();
        final long first = null == SEED ? 1 : SEED;
        final long count = null == SEED ? SEEDS : 1;
        final long startNs = System.nanoTime();
        for (long seed = first; seed < first + count; seed++)
        {
            new Run(seed, STEPS, totals).execute();
        }
        System.out.println("ChannelModelTest: " + count + " seeds x " + STEPS + " steps in " +
            (System.nanoTime() - startNs) / 1_000_000 + " ms: " + totals);

        if (null == SEED && SEEDS >= 100)
        {
            // The runs must reach the paths they are meant to test.
            assertTrue(totals.delivered > 0, "delivered");
            assertTrue(totals.failed > 0, "failed");
            assertTrue(totals.uncertain > 0, "uncertain");
            assertTrue(totals.backPressured > 0, "back pressure");
            assertTrue(totals.tailProbes > 0, "tail probes");
            assertTrue(totals.deliveryProbes > 0, "delivery probes");
            assertTrue(totals.retransmitTimeouts > 0, "retransmission timeouts");
            assertTrue(totals.lossesDetected > 0, "losses detected by acks");
            assertTrue(totals.nacks > 0, "nacks");
            assertTrue(totals.duplicates > 0, "duplicate segments");
            assertTrue(totals.creditStalls > 0, "credit exhausted");
            assertTrue(totals.deaths > 0, "sessions dead");
            assertTrue(totals.renewals > 0, "renewals");
            assertTrue(totals.finalLeaves > 0, "leaves whose final acks said what was delivered");
            assertTrue(totals.multiSegment > 0, "multi-segment messages delivered");
        }
    }

    /**
     * Counts over all runs, to show what they reached.
     */
    static final class Totals
    {
        long offered;
        long delivered;
        long failed;
        long uncertain;
        long backPressured;
        long received;
        long multiSegment;
        long tailProbes;
        long deliveryProbes;
        long retransmitTimeouts;
        long retransmits;
        long lossesDetected;
        long nacks;
        long duplicates;
        long creditStalls;
        long deaths;
        long renewals;
        long finalLeaves;
        long datagramsLost;

        public String toString()
        {
            return "offered=" + offered + " delivered=" + delivered + " failed=" + failed + " uncertain=" + uncertain +
                " backPressured=" + backPressured + " received=" + received + " multiSegment=" + multiSegment +
                " tailProbes=" + tailProbes + " deliveryProbes=" + deliveryProbes +
                " retransmitTimeouts=" + retransmitTimeouts + " retransmits=" + retransmits +
                " lossesDetected=" + lossesDetected + " nacks=" + nacks + " duplicates=" + duplicates +
                " creditStalls=" + creditStalls + " deaths=" + deaths + " renewals=" + renewals +
                " finalLeaves=" + finalLeaves + " datagramsLost=" + datagramsLost;
        }
    }

    /**
     * Outcome of a message as the sender reported it.
     */
    enum State
    {
        PENDING, DELIVERED, FAILED, UNCERTAIN
    }

    /**
     * One message offered and accepted.
     */
    static final class Msg
    {
        final int channel;
        final int index;
        final int length;
        final DeliveryMode mode;
        final long deadlineNs;
        State state = State.PENDING;
        int received;
        long firstSeq;
        long endSeq;
        long receivedNs;

        Msg(
            final int channel,
            final int index,
            final int length,
            final DeliveryMode mode,
            final long deadlineNs)
        {
            this.channel = channel;
            this.index = index;
            this.length = length;
            this.mode = mode;
            this.deadlineNs = deadlineNs;
        }

        public String toString()
        {
            return "msg[" + channel + "#" + index + " len=" + length + " seq=" + firstSeq + ".." + endSeq + " " +
                state + " received=" + received + "]";
        }
    }

    /**
     * The model of one channel: its messages, and the sender's segments of the current session as seen on the wire.
     */
    static final class ChannelModel
    {
        final int channel;
        final DeliveryMode mode;
        final boolean isReliable;
        final List<Msg> msgs = new ArrayList<>();
        final List<Msg> sessionMsgs = new ArrayList<>();
        int nextOutcome;
        int pending;
        int orderPointer;
        int lastReceivedIndex = -1;
        long wireFrames;

        long nextSegSeq;
        long nextSend;
        long ackedSeq;
        long windowEnd;
        boolean hasAck;
        int[] charge = new int[256];
        boolean[] acked = new boolean[256];

        ChannelModel(final int channel, final DeliveryMode mode)
        {
            this.channel = channel;
            this.mode = mode;
            this.isReliable = DeliveryMode.BEST_EFFORT != mode;
        }

        boolean isSentWhole(final Msg msg)
        {
            return msg.endSeq <= nextSend;
        }

        void resetSession(final long peerCredit)
        {
            nextSegSeq = 0;
            nextSend = 0;
            ackedSeq = 0;
            windowEnd = peerCredit;
            hasAck = false;
            Arrays.fill(acked, false);
        }

        void recordFirst(final long seq, final int bytes)
        {
            if (seq >= charge.length)
            {
                charge = Arrays.copyOf(charge, (int)Math.max(seq + 1, 2L * charge.length));
                acked = Arrays.copyOf(acked, charge.length);
            }
            charge[(int)seq] = bytes;
            acked[(int)seq] = false;
        }
    }

    /**
     * One seed.
     */
    static final class Run implements ChannelDriver.Wire, MessageOutcomeListener, ChannelMessageHandler
    {
        private static final DeliveryMode[] MODES =
            { DeliveryMode.RELIABLE_ORDERED, DeliveryMode.RELIABLE_UNORDERED, DeliveryMode.BEST_EFFORT };

        private final long seed;
        private final int steps;
        private final Totals totals;
        private final SplittableRandom random;
        private final ChannelDriver.Config config = new ChannelDriver.Config();
        private final ChannelDriver driver;
        private final LossyLink link = new LossyLink();
        private final PacketReader reader = new PacketReader();
        private final ArrayDeque<String> log = new ArrayDeque<>();
        private final List<Msg> all = new ArrayList<>();
        private final ChannelModel[] channels = new ChannelModel[256];
        private final List<ChannelModel> used = new ArrayList<>();
        private final UnsafeBuffer payload;
        private final String configLine;
        private final long oneWayNs;
        private final long jitterNs;
        private final long physicalMinRttNs;

        private double dataLoss;
        private double ackLoss;
        private double duplication;

        private long nowNs = 1_000_000_000L;
        private int step;
        private long shadowInflight;
        private boolean isAppPaused;
        private boolean isDraining;
        private long livenessFromNs = Long.MAX_VALUE;
        private boolean hasDeathCause;
        private long backPressured;
        private long creditStalls;
        private long datagramsLost;

        Run(final long seed, final int steps, final Totals totals)
        {
            this.seed = seed;
            this.steps = steps;
            this.totals = totals;
            random = new SplittableRandom(seed);

            // A quarter of the runs at about the smallest MTU, where an ack with many ranges fills a datagram.
            config.senderMtu = random.nextInt(4) == 0 ? Context.MTU_MIN + random.nextInt(16) :
                random.nextInt(Context.MTU_MIN, 1501);
            config.receiverMtu = random.nextBoolean() ? config.senderMtu : random.nextInt(Context.MTU_MIN, 1501);
            final int channelCount = random.nextInt(1, 4);
            while (used.size() < channelCount)
            {
                final int channel = random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(4);
                if (null == channels[channel])
                {
                    final int pick = random.nextInt(10);
                    final DeliveryMode mode = MODES[pick < 5 ? 0 : pick < 8 ? 1 : 2];
                    config.mode(channel, mode);
                    channels[channel] = new ChannelModel(channel, mode);
                    used.add(channels[channel]);
                }
            }
            config.receiveWindow = 1 << random.nextInt(4, 10);
            config.receiveCredit = random.nextBoolean() ? config.receiveWindow :
                random.nextInt(16, config.receiveWindow + 1);
            config.maxRingBytes = (64 * 1024) << random.nextInt(3);
            config.maxSegments = 64 << random.nextInt(5);
            final int payloadBytes = PacketWriter.maxDataPayload(Math.min(config.senderMtu, config.receiverMtu));
            config.maxMessageBytes = switch (random.nextInt(3))
            {
                case 0 -> 2 * payloadBytes;
                case 1 -> 8 * payloadBytes;
                default -> 40_000;
            };
            config.minRtoNs = new long[]{ 200_000, 1_000_000, 5_000_000 }[random.nextInt(3)];
            config.maxRtoNs = new long[]{ 100_000_000, 1_000_000_000 }[random.nextInt(2)];
            config.initialRtoNs = 50_000_000;
            config.minCwnd = new int[]{ 2, 4, 16 }[random.nextInt(3)];
            config.initialCwnd = Math.max(config.minCwnd, new int[]{ 4, 16, 64 }[random.nextInt(3)]);
            config.maxCwnd = Math.max(config.initialCwnd, new int[]{ 64, 256, 65536 }[random.nextInt(3)]);
            config.messageTimeoutNs = config.maxRtoNs * random.nextInt(3, 31);

            oneWayNs = new long[]{ 10_000, 100_000, 1_000_000, 10_000_000 }[random.nextInt(4)] +
                random.nextLong(10_000);
            jitterNs = oneWayNs * new int[]{ 0, 1, 4 }[random.nextInt(3)] / 2;
            final double[] losses = { 0, 0.01, 0.05, 0.2 };
            dataLoss = losses[random.nextInt(losses.length)];
            ackLoss = losses[random.nextInt(losses.length)];
            duplication = new double[]{ 0, 0.01, 0.05 }[random.nextInt(3)];
            physicalMinRttNs = 2 * oneWayNs;

            payload = new UnsafeBuffer(new byte[Math.max(config.maxMessageBytes, 64)]);
            driver = new ChannelDriver(config, this, this, this);
            for (final ChannelModel channel : used)
            {
                channel.resetSession(driver.peerCredit());
            }
            configLine = "config mtu=" + config.senderMtu + "/" + config.receiverMtu + " channels=" +
                describeChannels() + " window=" + config.receiveWindow + " credit=" + config.receiveCredit + " ring=" +
                config.maxRingBytes + " segments=" + config.maxSegments + " maxMessage=" + config.maxMessageBytes +
                " rto=" + config.minRtoNs + ".." + config.maxRtoNs + " cwnd=" + config.minCwnd + "/" +
                config.initialCwnd + "/" + config.maxCwnd + " timeout=" + config.messageTimeoutNs + " oneWay=" +
                oneWayNs + "+" + jitterNs + " loss=" + dataLoss + "/" + ackLoss + " dup=" + duplication;
        }

        void execute()
        {
            try
            {
                for (step = 0; step < steps; step++)
                {
                    randomStep();
                    checkInvariants();
                }
                drain();
            }
            catch (final Throwable ex)
            {
                final StringBuilder report = new StringBuilder();
                report.append("seed ").append(seed).append(" failed at step ").append(step)
                    .append(isDraining ? " (drain)" : "").append(": ").append(ex)
                    .append("\nreplay: -Draet4j.model.seed=").append(seed).append(" -Draet4j.model.steps=")
                    .append(steps).append('\n').append(configLine).append("\nlast ").append(log.size())
                    .append(" steps:\n");
                for (final String line : log)
                {
                    report.append(line).append('\n');
                }
                throw new AssertionError(report.toString(), ex);
            }
            totals.backPressured += backPressured;
            totals.creditStalls += creditStalls;
            totals.datagramsLost += datagramsLost;
            totals.tailProbes += driver.tailProbes;
            totals.deliveryProbes += driver.deliveryProbes;
            totals.retransmitTimeouts += driver.retransmitTimeouts;
            totals.retransmits += driver.retransmits;
            totals.lossesDetected += driver.lossesDetected;
            totals.nacks += driver.nacksSent;
            totals.duplicates += driver.duplicates;
            totals.deaths += driver.deadDeclared;
            totals.renewals += driver.renewals;
            totals.finalLeaves += driver.finalLeaves;
            for (final Msg msg : all)
            {
                totals.offered++;
                totals.received += msg.received;
                if (msg.received > 0 && msg.length > driver.sendPayload())
                {
                    totals.multiSegment++;
                }
                switch (msg.state)
                {
                    case DELIVERED -> totals.delivered++;
                    case FAILED -> totals.failed++;
                    case UNCERTAIN -> totals.uncertain++;
                    default ->
                    {
                    }
                }
            }
        }

        // -----------------------------------------------------------------------------------------------------
        // Operations
        // -----------------------------------------------------------------------------------------------------

        private void randomStep()
        {
            if (!driver.isSessionUp() && random.nextInt(4) == 0)
            {
                driver.rejoin();
                log("rejoin session=" + driver.session());
                return;
            }
            if (isAppPaused && random.nextInt(100) == 0)
            {
                isAppPaused = false;
                log("application polls again");
            }
            final int op = random.nextInt(1000);
            if (op < 200)
            {
                final int burst = random.nextInt(8) == 0 ? random.nextInt(2, 12) : 1;
                for (int i = 0; i < burst; i++)
                {
                    offer();
                }
            }
            else if (op < 380)
            {
                final int work = driver.serviceSender(nowNs);
                log("serviceSender work=" + work);
            }
            else if (op < 490)
            {
                final int work = driver.serviceReceiver(nowNs);
                log("serviceReceiver work=" + work);
            }
            else if (op < 600)
            {
                if (!isAppPaused)
                {
                    final int polled = driver.poll(random.nextInt(1, 16));
                    log("poll " + polled);
                }
            }
            else if (op < 760)
            {
                final int delivered = deliverDue();
                log("deliver " + delivered);
            }
            else if (op < 840)
            {
                nowNs += random.nextLong(oneWayNs + jitterNs + 1);
                log("advance");
            }
            else if (op < 900)
            {
                final long next = link.nextArrivalNs();
                if (Long.MAX_VALUE != next)
                {
                    nowNs = Math.max(nowNs, next);
                }
                log("advanceToArrival");
            }
            else if (op < 935)
            {
                final long deadline = driver.nextSenderDeadlineNs();
                if (Long.MAX_VALUE != deadline)
                {
                    nowNs = Math.max(nowNs, deadline) + random.nextLong(oneWayNs + 1);
                }
                log("timeout");
            }
            else if (op < 950)
            {
                // Holes all along what is in flight: acks with as many ranges as fit.
                final int count = link.count(true);
                for (int i = count - 1 - random.nextInt(2); i >= 0; i -= 2)
                {
                    link.drop(true, i);
                    datagramsLost++;
                }
                log("drop every other data datagram in flight of " + count);
            }
            else if (op < 955)
            {
                final boolean toReceiver = random.nextBoolean();
                final int count = link.count(toReceiver);
                if (count > 0)
                {
                    link.drop(toReceiver, random.nextInt(count));
                    datagramsLost++;
                    log("drop " + (toReceiver ? "data" : "ack") + " datagram in flight");
                }
            }
            else if (op < 970)
            {
                final boolean toReceiver = random.nextBoolean();
                final int count = link.count(toReceiver);
                if (count > 0)
                {
                    link.duplicate(toReceiver, random.nextInt(count), nowNs + delayNs());
                    log("duplicate " + (toReceiver ? "data" : "ack") + " datagram in flight");
                }
            }
            else if (op < 974)
            {
                isAppPaused = true;
                log("application paused");
            }
            else if (op < 977)
            {
                rareEvent();
            }
            else
            {
                // One whole duty cycle of both ends.
                final int delivered = deliverDue();
                final int polled = isAppPaused ? 0 : driver.poll(random.nextInt(1, 64));
                final int acks = driver.serviceReceiver(nowNs);
                final int work = driver.serviceSender(nowNs);
                log("cycle deliver " + delivered + " poll " + polled + " receiver " + acks + " sender " + work);
            }
        }

        private void rareEvent()
        {
            switch (random.nextInt(4))
            {
                case 0:
                    driver.vanish();
                    log("receiver vanishes");
                    break;
                case 1:
                    driver.leave();
                    log("receiver leaves");
                    break;
                case 2:
                {
                    final int mtu = random.nextBoolean() ? config.receiverMtu : random.nextInt(Context.MTU_MIN, 1501);
                    final int maxMessage = random.nextInt(5) == 0 ?
                        random.nextInt(8, config.maxMessageBytes + 1) : config.maxMessageBytes;
                    final int credit = random.nextBoolean() ? config.receiveCredit :
                        random.nextInt(16, config.receiveWindow + 1);
                    driver.renew(mtu, maxMessage, credit);
                    log("receiver restarts mtu=" + mtu + " maxMessage=" + maxMessage + " credit=" + credit +
                        " session=" + driver.session());
                    break;
                }
                default:
                    final long deadline = driver.nextSenderDeadlineNs();
                    if (Long.MAX_VALUE != deadline)
                    {
                        nowNs = Math.max(nowNs, deadline);
                    }
                    nowNs += config.maxRtoNs;
                    log("long silence");
                    break;
            }
        }

        private void offer()
        {
            final ChannelModel channel = used.get(random.nextInt(used.size()));
            final int length = randomLength();
            final int token = all.size();
            fill(token, length);
            final long deadlineNs = nowNs + config.messageTimeoutNs;
            final long result = driver.offer(channel.channel, payload, 0, length, nowNs);
            if (result >= 0)
            {
                assertEquals(channel.msgs.size(), result, "message ids are consecutive per channel");
                final Msg msg = new Msg(channel.channel, channel.msgs.size(), length, channel.mode, deadlineNs);
                msg.firstSeq = channel.nextSegSeq;
                channel.nextSegSeq += segmentCount(length, driver.sendPayload());
                msg.endSeq = channel.nextSegSeq;
                all.add(msg);
                channel.msgs.add(msg);
                channel.sessionMsgs.add(msg);
                if (channel.isReliable)
                {
                    channel.pending++;
                }
                log("offer " + msg);
            }
            else if (SendChannel.BACK_PRESSURED == result)
            {
                backPressured++;
                log("offer ch=" + channel.channel + " len=" + length + " back pressured");
            }
            else if (ChannelDriver.TOO_LARGE == result)
            {
                assertTrue(length > driver.receiverMaxMessage(), "refused as too large: " + length);
                log("offer ch=" + channel.channel + " len=" + length + " too large");
            }
            else
            {
                assertEquals(ChannelDriver.NOT_CONNECTED, result);
                assertTrue(!driver.isSessionUp(), "refused while the session is up");
                log("offer ch=" + channel.channel + " not connected");
            }
        }

        private int randomLength()
        {
            final int pick = random.nextInt(100);
            final int max = config.maxMessageBytes;
            if (pick < 60)
            {
                return random.nextInt(8, Math.min(64, max) + 1);
            }
            if (pick < 85)
            {
                return random.nextInt(8, Math.min(3 * driver.sendPayload(), max) + 1);
            }
            return random.nextInt(8, max + 1);
        }

        private int deliverDue()
        {
            int count = 0;
            LossyLink.Datagram datagram;
            while (null != (datagram = link.pollDue(nowNs)))
            {
                driver.onDatagram(datagram.bytes(), datagram.toReceiver(), nowNs);
                count++;
            }
            return count;
        }

        private long delayNs()
        {
            return oneWayNs + (0 == jitterNs ? 0 : random.nextLong(jitterNs + 1));
        }

        // -----------------------------------------------------------------------------------------------------
        // The drain: no more offers, no more loss; everything must end
        // -----------------------------------------------------------------------------------------------------

        private void drain()
        {
            log("drain");
            dataLoss = 0;
            ackLoss = 0;
            duplication = 0;
            isAppPaused = false;
            // The last acks before the drain are lost: only the sender's timers can find out what was delivered.
            int lostAcks = 0;
            while (null != link.drop(false, 0))
            {
                lostAcks++;
            }
            log("drain loses the " + lostAcks + " acks in flight");
            if (!driver.isReceiverPresent())
            {
                driver.renew(config.receiverMtu, config.maxMessageBytes, config.receiveCredit);
                log("receiver restarts for the drain, session=" + driver.session());
            }
            if (!driver.isSessionUp())
            {
                driver.rejoin();
                log("rejoin session=" + driver.session());
            }
            isDraining = true;
            // By then a timer backed off before the drain has fired, and the backlog has gone at the smallest window
            // a round trip: the session may die in the drain only for a message whose deadline was nearer.
            long backlog = 0;
            for (final Msg msg : all)
            {
                if (State.PENDING == msg.state)
                {
                    backlog += segmentCount(msg.length, driver.sendPayload());
                }
            }
            final long roundTripNs = 2 * (oneWayNs + jitterNs) + config.minRtoNs;
            livenessFromNs = nowNs + 3 * config.maxRtoNs + (backlog / config.minCwnd + 20) * roundTripNs;
            log("drain liveness from t=" + livenessFromNs + " backlog=" + backlog);
            final long drainStartNs = nowNs;
            final long confirmWithinNs = 3 * config.maxRtoNs + 20 * roundTripNs;
            for (int i = 0; i < 1_000_000; i++)
            {
                step++;
                deliverDue();
                driver.poll(Integer.MAX_VALUE);
                driver.serviceReceiver(nowNs);
                driver.serviceSender(nowNs);
                if (!driver.isSessionUp())
                {
                    driver.rejoin();
                    log("rejoin session=" + driver.session());
                }
                checkInvariants();
                checkConfirmations(drainStartNs, confirmWithinNs);
                if (0 == pendingReliable() && 0 == link.size())
                {
                    break;
                }
                final long next = Math.min(link.nextArrivalNs(), driver.nextSenderDeadlineNs());
                if (Long.MAX_VALUE == next)
                {
                    throw new AssertionError("stalled with " + pendingReliable() + " messages pending and nothing " +
                        "in flight or scheduled");
                }
                nowNs = Math.max(nowNs, next);
                if (i % 64 == 0)
                {
                    log("drain t=" + nowNs + " pending=" + pendingReliable() + " inFlight=" + link.size());
                }
            }
            assertEquals(0, pendingReliable(), "messages without an outcome after the drain");
            for (final Msg msg : all)
            {
                if (DeliveryMode.BEST_EFFORT != msg.mode)
                {
                    assertTrue(State.PENDING != msg.state, "no outcome: " + msg);
                    assertTrue(msg.received <= 1, "received more than once: " + msg);
                }
            }
            for (final ChannelModel channel : used)
            {
                final SendChannel send = driver.sendChannelOf(channel.channel);
                if (null != send && channel.isReliable)
                {
                    assertEquals(0, send.outstandingMessages(), "outstanding after the drain on " + channel.channel);
                }
            }
            assertEquals(0, driver.path().inflightBytes(), "bytes in flight after the drain");
        }

        /**
         * On a lossless link a message the application got is confirmed to the sender within a few timeouts: the
         * ack that says so, or the answer to a delivery probe. The oldest unconfirmed message of each channel is the
         * one that holds the others back.
         */
        private void checkConfirmations(final long drainStartNs, final long confirmWithinNs)
        {
            for (final ChannelModel channel : used)
            {
                if (channel.isReliable && channel.nextOutcome < channel.msgs.size())
                {
                    final Msg oldest = channel.msgs.get(channel.nextOutcome);
                    if (oldest.received > 0 && Math.max(oldest.receivedNs, drainStartNs) + confirmWithinNs < nowNs)
                    {
                        throw new AssertionError("received but not confirmed within " + confirmWithinNs +
                            " ns on a lossless link: " + oldest);
                    }
                }
            }
        }

        private int pendingReliable()
        {
            int pending = 0;
            for (final ChannelModel channel : used)
            {
                pending += channel.pending;
            }
            return pending;
        }

        // -----------------------------------------------------------------------------------------------------
        // Invariants after every step
        // -----------------------------------------------------------------------------------------------------

        private void checkInvariants()
        {
            final PathState path = driver.path();
            final int cwnd = path.cwnd();
            if (cwnd < config.minCwnd || cwnd > config.maxCwnd)

            {
                throw new AssertionError("cwnd out of bounds: " + cwnd);
            }
            final long rto = path.rtoNs();
            if (rto < config.minRtoNs || rto > config.maxRtoNs)

            {
                throw new AssertionError("rto out of bounds: " + rto);
            }
            final long srtt = path.srttNs();
            final long pto = path.probeTimeoutNs();
            if (srtt < 0)
            {
                throw new AssertionError("srtt negative");
            }
            if (0 == srtt)
            {
                if (0 != path.minRttNs())
                {
                    throw new AssertionError("minRtt without a sample");
                }
                if (pto != rto)
                {
                    throw new AssertionError("probe timeout before a sample is the rto: " + pto + " vs " + rto);
                }
            }
            else
            {
                final long minRtt = path.minRttNs();
                if (minRtt < physicalMinRttNs)
                {
                    throw new AssertionError("min rtt " + minRtt + " below the link's " + physicalMinRttNs +
                        ": a sample from a retransmission or a stale ack");
                }
                if (minRtt > srtt)
                {
                    throw new AssertionError("min rtt " + minRtt + " above srtt " + srtt);
                }
                if (pto > rto)
                {
                    throw new AssertionError("pto " + pto + " above rto " + rto);
                }
                if (pto < Math.min(rto, PathState.MIN_PROBE_TIMEOUT_NS))
                {
                    throw new AssertionError("pto below its floor: " + pto);
                }
                if (pto > Math.max(PathState.MIN_PROBE_TIMEOUT_NS, PathState.PTO_MIN_RTTS * minRtt))
                {
                    throw new AssertionError("pto above " + PathState.PTO_MIN_RTTS + " min rtts: " + pto);
                }
                if (path.inFlightNs() <= 0 || path.inFlightNs() > srtt)

                {
                    throw new AssertionError("inFlightNs " + path.inFlightNs());
                }
            }
            if (path.inflightBytes() != shadowInflight)
            {
                throw new AssertionError("path bytes in flight " + path.inflightBytes() +
                    " but the segments sent and not acked hold " +
                    shadowInflight);
            }

            for (final ChannelModel channel : used)
            {
                final SendChannel send = driver.sendChannelOf(channel.channel);
                if (null == send)
                {
                    continue;
                }
                if (channel.isReliable)
                {
                    if (send.outstandingMessages() != channel.pending)
                    {
                        throw new AssertionError("channel " + channel.channel +
                            " outstanding " + send.outstandingMessages() + " but the model has " + channel.pending);
                    }
                    if (send.hasNew() && !send.isWithinPeerWindow())
                    {
                        creditStalls++;
                    }
                }
                if (send.segmentsSent() + send.segmentsRetransmitted() != channel.wireFrames)
                {
                    throw new AssertionError("channel " + channel.channel + " counted " + send.segmentsSent() + "+" +
                        send.segmentsRetransmitted() + " segments sent but " + channel.wireFrames +
                        " went on the wire");
                }
                final ReceiveChannel receive = driver.receiveChannelOf(channel.channel);
                if (null != receive && channel.isReliable && driver.isSessionUp())
                {
                    if (receive.cumulativeSeq() > channel.nextSend)
                    {
                        throw new AssertionError("receiver's cumulative seq " +
                            receive.cumulativeSeq() + " beyond what was sent: " + channel.nextSend);
                    }
                }
            }
        }

        // -----------------------------------------------------------------------------------------------------
        // The wire: loss, duplication, delay; what the sender sends and applies
        // -----------------------------------------------------------------------------------------------------

        public void onDatagram(final byte[] bytes, final boolean toReceiver)
        {
            inspect(bytes, toReceiver);
            final double loss = toReceiver ? dataLoss : ackLoss;
            if (loss > 0 && random.nextDouble() < loss)
            {
                datagramsLost++;
                return;
            }
            link.send(bytes, toReceiver, nowNs + delayNs());
            if (duplication > 0 && random.nextDouble() < duplication)
            {
                link.send(bytes.clone(), toReceiver, nowNs + delayNs());
            }
        }

        private void inspect(final byte[] bytes, final boolean toReceiver)
        {
            if (bytes.length > driver.pairMtu())
            {
                throw new AssertionError("datagram of " + bytes.length + " B beyond the pair's MTU");
            }
            if (PacketReader.OK != reader.wrap(new UnsafeBuffer(bytes), 0, bytes.length))
            {
                throw new AssertionError("unreadable");
            }
            while (reader.nextFrame())
            {
                switch (reader.templateId())
                {
                    case DataDecoder.TEMPLATE_ID -> onDataSent(reader.data(), reader.dataPayloadLength());
                    case AckDecoder.TEMPLATE_ID -> onAckSent(reader.ack());
                    case NackDecoder.TEMPLATE_ID -> onNackSent(reader.nack());
                    case LeaveDecoder.TEMPLATE_ID ->
                    {
                    }
                    default -> throw new AssertionError("unexpected frame " + reader.templateId());
                }
            }
        }

        private void onDataSent(final DataDecoder data, final int length)
        {
            if (!driver.isSessionUp())

            {
                throw new AssertionError("data sent while the session is down");
            }
            final ChannelModel channel = channels[data.channel()];
            if (null == channel)
            {
                throw new AssertionError("data on an unused channel " + data.channel());
            }
            if (data.mode() != channel.mode)
            {
                throw new AssertionError("mode " + data.mode() + " on channel " + channel.channel);
            }
            channel.wireFrames++;
            final long seq = data.seq();
            if (seq > channel.nextSend)
            {
                throw new AssertionError("channel " + channel.channel + " sent seq " + seq +
                    " before seq " + channel.nextSend);
            }
            final Msg msg = findSessionMsg(channel, seq);
            if (null == msg)
            {
                throw new AssertionError("channel " + channel.channel + " seq " + seq + " belongs to no message");
            }
            final int payloadBytes = driver.sendPayload();
            final int segment = (int)(seq - msg.firstSeq);
            if (data.messageLength() != msg.length || data.segmentIndex() != segment ||
                data.segmentOffset() != segment * payloadBytes ||
                length != Math.min(payloadBytes, msg.length - segment * payloadBytes) ||
                data.flags().begin() != (seq == msg.firstSeq) || data.flags().end() != (seq == msg.endSeq - 1))
            {
                throw new AssertionError("segment " + seq + " does not match " + msg + ": " + data);
            }
            if (seq == channel.nextSend)
            {
                channel.nextSend++;
                if (channel.isReliable)
                {
                    if (seq >= channel.windowEnd)
                    {
                        throw new AssertionError("channel " + channel.channel + " sent new seq " + seq +
                            " beyond the credit granted up to " + channel.windowEnd);
                    }
                    final int bytes = length + PacketWriter.DATA_FRAME_OVERHEAD;
                    channel.recordFirst(seq, bytes);
                    shadowInflight += bytes;
                }
            }
        }

        private static Msg findSessionMsg(final ChannelModel channel, final long seq)
        {
            final List<Msg> msgs = channel.sessionMsgs;
            int low = 0;
            int high = msgs.size() - 1;
            while (low <= high)
            {
                final int mid = (low + high) >>> 1;
                final Msg msg = msgs.get(mid);
                if (seq < msg.firstSeq)
                {
                    high = mid - 1;
                }
                else if (seq >= msg.endSeq)
                {
                    low = mid + 1;
                }
                else
                {
                    return msg;
                }
            }
            return null;
        }

        private void onAckSent(final AckDecoder ack)
        {
            final int credit = ack.windowSegments();
            if (credit < 0 || credit > driver.receiveWindow())
            {
                throw new AssertionError("ack credit " + credit + " beyond the receive window " +
                    driver.receiveWindow());
            }
            final long cumulative = ack.cumulativeSeq();
            if (ack.deliveredSeq() > cumulative)
            {
                throw new AssertionError("delivered beyond cumulative: " + ack.deliveredSeq());
            }
            long previousEnd = cumulative;
            int count = 0;
            for (final AckDecoder.RangesDecoder range : ack.ranges())
            {
                if (range.startSeq() <= previousEnd || range.endSeq() <= range.startSeq())

                {
                    throw new AssertionError("ack ranges out of order or empty at " + range.startSeq());
                }
                previousEnd = range.endSeq();
                count++;
            }
            if (count > PacketWriter.MAX_ACK_RANGES)
            {
                throw new AssertionError("ack ranges " + count);
            }
        }

        private void onNackSent(final NackDecoder nack)
        {
            long previousEnd = -1;
            for (final NackDecoder.MissingDecoder range : nack.missing())
            {
                if (range.startSeq() <= previousEnd || range.endSeq() <= range.startSeq())

                {
                    throw new AssertionError("nack ranges out of order or empty at " + range.startSeq());
                }
                previousEnd = range.endSeq();
            }
        }

        public void onAckApplied(
            final int channelNumber,
            final long cumulativeSeq,
            final long deliveredSeq,
            final int credit,
            final long[] starts,
            final long[] ends,
            final int count)
        {
            final ChannelModel channel = channels[channelNumber];
            if (!channel.isReliable)
            {
                return;
            }
            final long cumulative = Math.min(cumulativeSeq, channel.nextSend);
            for (long seq = channel.ackedSeq; seq < cumulative; seq++)
            {
                ackShadow(channel, seq);
            }
            channel.ackedSeq = Math.max(channel.ackedSeq, cumulative);
            final long end = cumulative + Math.max(0, credit);
            channel.windowEnd = channel.hasAck ? Math.max(channel.windowEnd, end) : end;
            channel.hasAck = true;
            for (int i = 0; i < count; i++)
            {
                final long rangeEnd = Math.min(ends[i], channel.nextSend);
                for (long seq = Math.max(starts[i], channel.ackedSeq); seq < rangeEnd; seq++)
                {
                    ackShadow(channel, seq);
                }
            }
        }

        private void ackShadow(final ChannelModel channel, final long seq)
        {
            if (!channel.acked[(int)seq])
            {
                channel.acked[(int)seq] = true;
                shadowInflight -= channel.charge[(int)seq];
            }
        }

        public void onDataResult(final int channelNumber, final long seq, final int result)
        {
            final ChannelModel channel = channels[channelNumber];
            if (ReceiveChannel.INVALID == result)
            {
                throw new AssertionError("the receiver found seq " + seq + " invalid");
            }
            if (channel.isReliable && ReceiveChannel.OUT_OF_WINDOW == result)

            {
                throw new AssertionError(
                    "reliable seq " + seq + " on channel " + channelNumber + " out of the receiver's window");
            }
        }

        public void onSessionReset(final boolean isRenewal)
        {
            shadowInflight = 0;
            hasDeathCause = false;
            for (final ChannelModel channel : used)
            {
                final long bestEffortSent = channel.nextSend;
                final List<Msg> kept = new ArrayList<>();
                for (final Msg msg : channel.sessionMsgs)
                {
                    if (channel.isReliable ? State.PENDING == msg.state : isRenewal && msg.firstSeq >= bestEffortSent)
                    {
                        kept.add(msg);
                    }
                }
                if (!channel.isReliable && isLongerThan(kept, driver.receiverMaxMessage()))
                {
                    kept.clear();
                }
                channel.resetSession(driver.peerCredit());
                channel.sessionMsgs.clear();
                for (final Msg msg : kept)
                {
                    msg.firstSeq = channel.nextSegSeq;
                    channel.nextSegSeq += segmentCount(msg.length, driver.sendPayload());
                    msg.endSeq = channel.nextSegSeq;
                    channel.sessionMsgs.add(msg);
                }
            }
            log("session reset" + (isRenewal ? " (renewal)" : "") + " session=" + driver.session());
        }

        // -----------------------------------------------------------------------------------------------------
        // Outcomes and deliveries
        // -----------------------------------------------------------------------------------------------------

        public void onDelivered(final long estateId, final int channelNumber, final long messageId)
        {
            final Msg msg = outcome(channelNumber, messageId, "delivered");
            if (1 != msg.received)
            {
                throw new AssertionError("confirmed delivered but received " + msg.received + " times: " + msg);
            }
            msg.state = State.DELIVERED;
        }

        public void onFailed(final long estateId, final int channelNumber, final long messageId, final int reason)
        {
            final Msg msg = outcome(channelNumber, messageId, "failed");
            if (0 != msg.received)
            {
                throw new AssertionError("failed but the application got it: " + msg);
            }
            requireReason(reason);
            final boolean isKnownUndelivered =
                FailureReason.PEER_LEFT.ordinal() == reason && driver.lastDeathKnownUndelivered;
            if (!isKnownUndelivered && channels[channelNumber].isSentWhole(msg))

            {
                throw new AssertionError("failed (" + FailureReason.values()[reason] + ") although sent whole: " + msg);
            }
            msg.state = State.FAILED;
            requireLiveness(msg, reason);
        }

        public void onUncertain(final long estateId, final int channelNumber, final long messageId, final int reason)
        {
            final Msg msg = outcome(channelNumber, messageId, "uncertain");
            requireReason(reason);
            if (!channels[channelNumber].isSentWhole(msg))

            {
                throw new AssertionError("uncertain although not sent whole: " + msg);
            }
            msg.state = State.UNCERTAIN;
            requireLiveness(msg, reason);
        }

        private Msg outcome(final int channelNumber, final long messageId, final String what)
        {
            final ChannelModel channel = channels[channelNumber];
            if (null == channel || !channel.isReliable)

            {
                throw new AssertionError(what + " on channel " + channelNumber);
            }
            if (messageId != channel.nextOutcome)
            {
                throw new AssertionError(what + " message " + messageId + " out of order, expected " +
                    channel.nextOutcome);
            }
            final Msg msg = channel.msgs.get((int)messageId);
            if (State.PENDING != msg.state)
            {
                throw new AssertionError(what + " again: " + msg);
            }
            channel.nextOutcome++;
            channel.pending--;
            log("  " + what + " " + msg);
            return msg;
        }

        private void requireReason(final int reason)
        {
            if (FailureReason.TIMEOUT.ordinal() != reason && FailureReason.PEER_DEAD.ordinal() != reason &&
                FailureReason.PEER_LEFT.ordinal() != reason && FailureReason.PEER_RESTARTED.ordinal() != reason &&
                FailureReason.TOO_LARGE.ordinal() != reason)
            {
                throw new AssertionError("reason " + reason);
            }
        }

        private void requireLiveness(final Msg msg, final int reason)
        {
            if (!isDraining)
            {
                return;
            }
            if (FailureReason.TIMEOUT.ordinal() != reason && FailureReason.PEER_DEAD.ordinal() != reason)

            {
                throw new AssertionError("ended in the drain for " + FailureReason.values()[reason] + ": " + msg);
            }
            if (FailureReason.TIMEOUT.ordinal() == reason && !hasDeathCause)
            {
                // The oldest message of the channel whose deadline passed: the cause of the death.
                hasDeathCause = true;
                if (msg.deadlineNs > livenessFromNs)
                {
                    throw new AssertionError(
                        "timed out in the drain on a lossless link although its deadline was far: " + msg);
                }
            }
        }

        public void onMessage(
            final long estateId, final int channelNumber, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length < 8)
            {
                throw new AssertionError("message of " + length + " B");
            }
            final long token = buffer.getLong(offset);
            if (token < 0 || token >= all.size())

            {
                throw new AssertionError("unknown token " + token);
            }
            final Msg msg = all.get((int)token);
            if (msg.channel != channelNumber || msg.length != length)

            {
                throw new AssertionError("message " + msg + " handed over on " +
                    channelNumber + " with " + length + " B");
            }
            for (int i = 8; i < length; i++)
            {
                if (buffer.getByte(offset + i) != contentByte(token, i))
                {
                    throw new AssertionError("corrupt byte " + i + " of " + msg);
                }
            }
            if (0 != msg.received)
            {
                throw new AssertionError("handed over twice: " + msg);
            }
            if (State.FAILED == msg.state || State.DELIVERED == msg.state)

            {
                throw new AssertionError("handed over after " + msg.state +
                    ": " + msg);
            }
            final ChannelModel channel = channels[channelNumber];
            if (DeliveryMode.RELIABLE_ORDERED == msg.mode)
            {
                while (channel.orderPointer < channel.msgs.size() && isResolved(channel.msgs.get(channel.orderPointer)))
                {
                    channel.orderPointer++;
                }
                if (channel.orderPointer < msg.index)
                {
                    throw new AssertionError("handed over out of order: " + msg + " before " +
                        channel.msgs.get(channel.orderPointer));
                }
            }
            else if (DeliveryMode.BEST_EFFORT == msg.mode)
            {
                if (msg.index <= channel.lastReceivedIndex)
                {
                    throw new AssertionError("best effort out of order: " + msg);
                }
                channel.lastReceivedIndex = msg.index;
            }
            msg.received++;
            msg.receivedNs = nowNs;
            log("  received " + msg);
        }

        private static boolean isLongerThan(final List<Msg> msgs, final int maxLength)
        {
            for (final Msg msg : msgs)
            {
                if (msg.length > maxLength)
                {
                    return true;
                }
            }
            return false;
        }

        private static boolean isResolved(final Msg msg)
        {
            return msg.received > 0 || State.FAILED == msg.state || State.UNCERTAIN == msg.state;
        }

        // -----------------------------------------------------------------------------------------------------
        // Helpers
        // -----------------------------------------------------------------------------------------------------

        private void fill(final long token, final int length)
        {
            payload.putLong(0, token);
            for (int i = 8; i < length; i++)
            {
                payload.putByte(i, contentByte(token, i));
            }
        }

        private static byte contentByte(final long token, final int index)
        {
            return (byte)(token * 31 + index * 7 + (index >>> 8));
        }

        private static int segmentCount(final int length, final int maxPayload)
        {
            return 0 == length ? 1 : (length + maxPayload - 1) / maxPayload;
        }

        private String describeChannels()
        {
            final StringBuilder builder = new StringBuilder();
            for (final ChannelModel channel : used)
            {
                builder.append(channel.channel).append(':').append(channel.mode).append(' ');
            }
            return builder.toString().trim();
        }

        private void log(final String line)
        {
            if (LOG_LINES <= 0)
            {
                return;
            }
            if (log.size() == LOG_LINES)
            {
                log.removeFirst();
            }
            final PathState path = driver.path();
            log.addLast(step + " t=" + nowNs + " " + line + " | cwnd=" + path.cwnd() + " rto=" + path.rtoNs() +
                " srtt=" + path.srttNs() + " inflight=" + path.inflightBytes() + " link=" + link.size());
        }

    }
}
