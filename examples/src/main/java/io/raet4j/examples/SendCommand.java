package io.raet4j.examples;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code send}: join a peer, send a number of {@link Payload} messages of fixed, random or
 * {@link Payload#mixedLength mixed} sizes, and wait until the outcome of every one is known: delivered, or failed
 * (peer dead, timeout, stack closed).
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class SendCommand implements Command, DeliveryHandler
{
    private static final int OFFER_BATCH = 64;
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private long rate;

    private final Map<FailureReason, Long> failuresByReason = new EnumMap<>(FailureReason.class);
    private final Map<FailureReason, Long> uncertainByReason = new EnumMap<>(FailureReason.class);
    private long delivered;
    private long failed;
    private long uncertain;
    private Ledger outcomes;
    private long lastOutcomeNs;
    private long sent;
    private long bytes;
    private long backPressured;
    private long startNs;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "send";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "join a peer, send verifiable messages, wait for every outcome";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar send --peer HOST:PORT --count N --size BYTES|MIN-MAX|mixed [options]\n" +
            "  --name NAME          estate name (default send-PID with a temporary keep, a new identity each run,\n" +
            "                       so that each run is a new estate to the receiver; send with --keep)\n" +
            "  --bind HOST:PORT     local address (default 0.0.0.0:0)\n" +
            "  --bind udp:HOST:PORT the same with batched system calls (recvmmsg, sendmmsg; Linux, IPv4)\n" +
            "  --peer HOST:PORT     address of the receiving estate (recv)\n" +
            "  --count N            number of messages, 1.." + Integer.MAX_VALUE + "\n" +
            "  --size BYTES|MIN-MAX|mixed\n" +
            "                       message size: fixed, or uniformly random in MIN-MAX, " + Payload.MIN_LENGTH +
            ".." + StackContext.MAX_MESSAGE_DEFAULT + " bytes; or mixed,\n" +
            "                       the stack tests' 1 B to 1 MiB: message i (from 0) is " + Payload.MIN_LENGTH +
            " B if i = 0, " + Payload.MIXED_MAX_LENGTH + " B if i = 1,\n" +
            "                       else " + Payload.MIXED_LARGE_MIN_LENGTH + ".." + Payload.MIXED_MAX_LENGTH +
            " if i % 1000 = 0, else " + Payload.MIXED_MEDIUM_MIN_LENGTH + ".." + Payload.MIXED_MEDIUM_MAX_LENGTH +
            " if i % 100 = 0, else " + Payload.MIN_LENGTH + ".." + Payload.MIXED_SMALL_MAX_LENGTH + ",\n" +
            "                       pseudo-random from i and --seed. A message of " + Payload.HEADER_LENGTH +
            " bytes or more carries its sequence\n" +
            "                       number and a CRC32C; a shorter one is only the pattern of its sequence number,\n" +
            "                       which recv checks against the one it expects next.\n" +
            "  --channel C          channel 0..255 (default 0, reliable ordered)\n" +
            "  --seed N             seed of the random and mixed sizes (default 1)\n" +
            "  --rate N             at most N messages per second (default 0: as fast as the stack takes them)\n" +
            "  --timeout-seconds S  give up after S seconds, joining included, ending what is in flight " +
            "(default 300)\n" +
            "  --outcomes FILE      record each message's outcome, one byte per sequence number in a memory-mapped\n" +
            "                       file (1 offered, 2 delivered, 3 failed, 4 uncertain after a 64-byte header),\n" +
            "                       kept if this process is killed; for checking against recv --record\n" +
            Main.COMMON_OPTIONS +
            StackOptions.PIN_USAGE +
            StackOptions.USAGE +
            "A peer silent for the liveness timeout is reported UNREACHABLE and sending goes on " +
            "(what it cannot take\n" +
            "waits); heard again, it is REACHABLE and nothing is lost. Silent for the session timeout, it is DEAD:\n" +
            "what is in flight ends and the run ends.\n" +
            "Every message offered ends in one outcome: delivered (the receiving application got it), failed (it\n" +
            "certainly did not), or uncertain (sent whole, then the session ended before it was confirmed).\n" +
            "Prints progress every second and last\n" +
            "{\"sent\",\"delivered\",\"failed\",\"uncertain\",\"bytes\",\"seconds\",\"msgsPerSec\",\"backPressured\"," +
            "\"estateId\",\"signingKey\"[,\"error\"]}\n" +
            "(estateId: 16 hex digits; signingKey: this estate's Ed25519 public key in hex; error: why the run\n" +
            "stopped early, e.g. why the join failed); sent == delivered + failed + uncertain. " +
            "Exit status 0 if every\n" +
            "message was delivered, else 1 (also when the join fails: no answer, pending acceptance, refused and\n" +
            "why, not signed by the --pin key, another version or encryption setting).\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--peer", "--count", "--size");
        final String name = args.string("--name",
            args.has("--keep") ? "send" : "send-" + ProcessHandle.current().pid());
        final String bind = args.address("--bind", "0.0.0.0:0", true);
        final String peer = args.address("--peer", null, false);
        final long count = args.number("--count", null, 1, Integer.MAX_VALUE);
        final int channel = (int)args.number("--channel", 0L, 0, StackContext.CHANNEL_COUNT - 1);
        final long seed = args.number("--seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE);
        rate = args.number("--rate", 0L, 0, 1_000_000_000);
        final MessageSizes sizes = MessageSizes.read(args, "--size", seed);
        final long timeoutNs = args.seconds("--timeout-seconds", 300, 0.001, 86_400);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "backoff");
        final StackOptions stackOptions = StackOptions.read(args, true);
        final Path outcomesFile = args.has("--outcomes") ? Path.of(args.string("--outcomes", null)) : null;
        args.requireAllUsed();

        StopSignal.install();
        outcomes = null == outcomesFile ? null : Ledger.open(outcomesFile, count);
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[sizes.maxLength()]);
        final Payload payload = new Payload();
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long estateId = 0;
        String signingKey = "";
        String problem = null;
        try (Stack stack = Stack.launch(ctx))
        {
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addDeliveryHandler(this);
            out.println("bound to " + Main.format(stack.localAddress()) + " as " + name + ", joining " + peer);
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            out.flush();
            final long peerId = presence.join(stack, peer, stackOptions.pinnedSigningKey(), idle, deadlineNs);
            if (0 == peerId)
            {
                problem = StopSignal.isStopRequested() ? "stopped before the join completed" :
                    null != presence.joinFailure() ? "join to " + peer + " failed (" +
                    presence.joinFailure().reason() + "): " + presence.joinFailure().message() :
                    "gave up joining " + peer + " after --timeout-seconds " +
                    StackOptions.seconds(timeoutNs) + " (the join timeout is --join-timeout-seconds " +
                    StackOptions.seconds(stackOptions.joinTimeoutNs()) + ")";
            }
            else
            {
                problem = sendAll(stack, presence, peerId, peer, count, channel, sizes, buffer, payload, idle,
                    deadlineNs, out);
            }
        }

        // Closing the stack ended whatever was still in flight, so every message offered has its outcome now.
        if (null != outcomes)
        {
            outcomes.close();
        }
        final double seconds = 0 == startNs ? 0 : (lastOutcomeNs - startNs) / 1e9;
        final double msgsPerSec = seconds > 0 ? delivered / seconds : 0;
        out.printf("done: sent %d messages (%d bytes), delivered %d, failed %d%s, uncertain %d%s in %.3f s, " +
            "%.0f msgs/s%n", sent, bytes, delivered, failed, failed > 0 ? " " + failuresByReason : "", uncertain,
            uncertain > 0 ? " " + uncertainByReason : "", seconds, msgsPerSec);
        if (null != problem)
        {
            err.println("raet4j send: error: " + problem);
        }
        final Json result = new Json();
        if (null != problem)
        {
            result.put("error", problem);
        }
        out.println(result
            .put("sent", sent)
            .put("delivered", delivered)
            .put("failed", failed)
            .put("uncertain", uncertain)
            .put("bytes", bytes)
            .put("seconds", seconds)
            .put("msgsPerSec", msgsPerSec)
            .put("backPressured", backPressured)
            .put("estateId", Main.id(estateId))
            .put("signingKey", signingKey));
        return null == problem && 0 == failed && 0 == uncertain && sent == count ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    /**
     * Offers the messages to the joined peer, driving the stack until each has an outcome, the peer is dead, a stop is
     * requested or the deadline passes.
     *
     * @return why the run ended early, or null if every message offered has its outcome.
     */
    private String sendAll(
        final Stack stack,
        final Presence presence,
        final long peerId,
        final String peer,
        final long count,
        final int channel,
        final MessageSizes sizes,
        final UnsafeBuffer buffer,
        final Payload payload,
        final IdleStrategy idle,
        final long deadlineNs,
        final PrintStream out)
    {
        String problem = null;
        out.printf("sending %d messages of %s bytes on channel %d to %s%n",
            count, sizes.describe(), channel,
            presence.firstJoinedName());
        startNs = System.nanoTime();
        lastOutcomeNs = startNs;
        long lastProgressNs = startNs;
        int length = -1;
        boolean isSending = true;
        while (true)
        {
            int work = stack.doWork();
            final long allowed = 0 == rate ? OFFER_BATCH :
                Math.min(OFFER_BATCH, (long)((System.nanoTime() - startNs) / 1e9 * rate) + 1 - sent);
            for (int i = 0; i < allowed && isSending && sent < count; i++)
            {
                if (length < 0)
                {
                    length = sizes.length(sent);
                    payload.encode(buffer, 0, length, sent);
                }
                final long result = stack.offer(peerId, channel, buffer, 0, length);
                if (result >= 0)
                {
                    if (result != sent)
                    {
                        throw new IllegalStateException("message id " + result + " for message " + sent);
                    }
                    if (null != outcomes)
                    {
                        outcomes.mark(sent, Ledger.OFFERED);
                    }
                    sent++;
                    bytes += length;
                    length = -1;
                    work++;
                }
                else if (Stack.BACK_PRESSURED == result)
                {
                    backPressured++;
                    break;
                }
                else if (Stack.NOT_CONNECTED == result && presence.isAlive(peerId))
                {
                    break;
                }
                else
                {
                    isSending = false;
                    problem = Stack.NOT_CONNECTED == result ? "peer " + peer + " is dead" :
                        "offer refused with status " + result;
                }
            }
            if (isSending && !presence.isAlive(peerId))
            {
                isSending = false;
                problem = "peer " + peer + " is dead";
            }

            final long nowNs = System.nanoTime();
            if (nowNs - lastProgressNs >= PROGRESS_INTERVAL_NS)
            {
                lastProgressNs = nowNs;
                out.printf("sent %d, delivered %d, failed %d (segments retransmitted %d, retransmit " +
                    "timeouts %d, nacks received %d)%n", sent, delivered, failed,
                    stack.counter(StackCounterDescriptor.RETRANSMITS),
                    stack.counter(StackCounterDescriptor.RETRANSMIT_TIMEOUTS),
                    stack.counter(StackCounterDescriptor.NACKS_RECEIVED));
                out.flush();
            }
            if ((sent == count || !isSending) && delivered + failed + uncertain == sent)
            {
                break;
            }
            if (StopSignal.isStopRequested())
            {
                problem = "stopped";
                break;
            }
            if (nowNs >= deadlineNs)
            {
                problem = "timed out with " + (sent - delivered - failed - uncertain) + " messages in flight";
                break;
            }
            idle.idle(work);
        }

        return problem;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long estateId, final int channel, final long messageId)
    {
        delivered++;
        if (null != outcomes)
        {
            outcomes.mark(messageId, Ledger.DELIVERED);
        }
        lastOutcomeNs = System.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        failed++;
        if (null != outcomes)
        {
            outcomes.mark(messageId, Ledger.FAILED);
        }
        lastOutcomeNs = System.nanoTime();
        failuresByReason.merge(reason, 1L, Long::sum);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        uncertain++;
        if (null != outcomes)
        {
            outcomes.mark(messageId, Ledger.UNCERTAIN);
        }
        lastOutcomeNs = System.nanoTime();
        uncertainByReason.merge(reason, 1L, Long::sum);
    }

    /**
     * The size of each message by sequence number, as {@code --size} gives it: fixed, uniformly random in a range
     * (drawn in sequence order from a {@link SplittableRandom} of the seed), or {@link Payload#mixedLength mixed}
     * (a function of the sequence number and the seed).
     * <p>
     * NOT thread safe: ask for the length of each sequence number once, in order.
     */
    static final class MessageSizes
    {
        /** The value of {@code --size} that asks for {@link Payload#mixedLength mixed} sizes. */
        static final String MIXED = "mixed";

        private final int minLength;
        private final int maxLength;
        private final boolean isMixed;
        private final long seed;
        private final SplittableRandom random;

        private MessageSizes(final int minLength, final int maxLength, final boolean isMixed, final long seed)
        {
            this.minLength = minLength;
            this.maxLength = maxLength;
            this.isMixed = isMixed;
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        /**
         * Read a size option: {@value #MIXED}, {@code BYTES} or {@code MIN-MAX}, from {@value Payload#MIN_LENGTH}
         * to {@link StackContext#MAX_MESSAGE_DEFAULT} bytes.
         *
         * @param args to read from.
         * @param name of the option.
         * @param seed of the random and mixed sizes.
         * @return the sizes.
         * @throws Args.UsageException if absent, malformed or out of range.
         */
        static MessageSizes read(final Args args, final String name, final long seed)
        {
            if (MIXED.equals(args.string(name, null)))
            {
                return new MessageSizes(Payload.MIN_LENGTH, Payload.MIXED_MAX_LENGTH, true, seed);
            }
            final int[] range = args.sizeRange(name, Payload.MIN_LENGTH, StackContext.MAX_MESSAGE_DEFAULT);
            return new MessageSizes(range[0], range[1], false, seed);
        }

        /**
         * Length of a message.
         *
         * @param sequence of the message; the next one after the last asked for, from 0.
         * @return its length in bytes, {@link #minLength()}..{@link #maxLength()}.
         */
        int length(final long sequence)
        {
            if (isMixed)
            {
                return Payload.mixedLength(sequence, seed);
            }
            return minLength == maxLength ? minLength : random.nextInt(minLength, maxLength + 1);
        }

        /**
         * Smallest length a message can have.
         *
         * @return the length in bytes.
         */
        int minLength()
        {
            return minLength;
        }

        /**
         * Largest length a message can have.
         *
         * @return the length in bytes.
         */
        int maxLength()
        {
            return maxLength;
        }

        /**
         * Whether the sizes are the {@link Payload#mixedLength mixed} ones.
         *
         * @return true if mixed.
         */
        boolean isMixed()
        {
            return isMixed;
        }

        /**
         * The sizes in a few words, for the log.
         *
         * @return {@code BYTES}, {@code MIN-MAX} or {@code mixed MIN-MAX}.
         */
        String describe()
        {
            final String range = minLength == maxLength ? String.valueOf(minLength) : minLength + "-" + maxLength;
            return isMixed ? MIXED + " " + range : range;
        }
    }
}
