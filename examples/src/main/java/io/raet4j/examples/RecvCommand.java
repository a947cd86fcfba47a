package io.raet4j.examples;

import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * {@code recv}: accept joins and verify every message {@code send} sends, in the {@link Payload} format: checksum,
 * body, and the order of sequence numbers per sending estate and channel.
 * <p>
 * A {@link Payload#isShort short} message carries no sequence number, so it is checked against the one expected
 * next from its estate and channel, one above the highest seen; it is never counted as a duplicate or out of order.
 * On an ordered channel a short message lost, duplicated or reordered shows as a corrupt message, or as the next
 * long message being out of order; on an unordered channel a short message that overtakes or is overtaken counts
 * as corrupt.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class RecvCommand implements Command
{
    private static final int POLL_LIMIT = 256;
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(2);
    /** Sequence numbers a record file holds: 256 Mi, a 256 MiB sparse file. */
    private static final long RECORD_CAPACITY = 1L << 28;

    private final Payload payload = new Payload();
    private final Long2ObjectHashMap<Stream[]> streamsByEstate = new Long2ObjectHashMap<>();
    private final MessageHandler handler = this::onMessage;
    private Ledger record;
    private long received;
    private long bytes;
    private long duplicates;
    private long outOfOrder;
    private long corrupt;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "recv";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "accept joins and verify the messages send sends";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar recv --bind HOST:PORT [options]\n" +
            "  --name NAME          estate name (default recv)\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port)\n" +
            "  --bind udp:HOST:PORT the same with batched system calls (recvmmsg, sendmmsg; Linux, IPv4)\n" +
            "  --count N            exit after N messages (default 0: no limit)\n" +
            "  --idle-seconds S     exit after S seconds without a message, not counting time while a sender is\n" +
            "                       UNREACHABLE with its session open (default 10)\n" +
            "  --record FILE        mark each message the application gets, one byte per sequence number in a\n" +
            "                       memory-mapped file (5 = received, after a 64-byte header whose long at offset 8\n" +
            "                       counts messages received twice); kept if this process is killed, and continued\n" +
            "                       by a restarted recv given the same file; for checking against send --outcomes\n" +
            Main.COMMON_OPTIONS +
            StackOptions.USAGE +
            "Each message is checked: bytes 0-7 sequence number, 8-11 CRC32C of the rest, body derived from\n" +
            "the sequence number. A message shorter than " + Payload.HEADER_LENGTH + " bytes carries no sequence " +
            "number: it must be the\n" +
            "pattern of the one expected next from its sender and channel, so a short message lost, duplicated\n" +
            "or reordered counts as corrupt (or makes the next message out of order), never as a duplicate.\n" +
            "Prints \"listening on HOST:PORT\" once bound, \"received N ...\" every second,\n" +
            "and last {\"received\",\"bytes\",\"duplicates\",\"outOfOrder\",\"corrupt\",\"estates\",\"estateId\"," +
            "\"signingKey\"}\n" +
            "(estates: distinct senders; estateId: this estate's id, 16 hex digits; signingKey: its\n" +
            "Ed25519 public key in hex, what a sender's --pin takes).\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind");
        final String name = args.string("--name", "recv");
        final String bind = args.address("--bind", null, true);
        final long count = args.number("--count", 0L, 0, Long.MAX_VALUE);
        final long idleTimeoutNs = args.seconds("--idle-seconds", 10, 0.001, 86_400);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "backoff");
        final StackOptions stackOptions = StackOptions.read(args, false);
        final Path recordFile = args.has("--record") ? Path.of(args.string("--record", null)) : null;
        args.requireAllUsed();
        record = null == recordFile ? null : Ledger.open(recordFile, RECORD_CAPACITY);

        StopSignal.install();
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        final long startNs = System.nanoTime();
        long estateId = 0;
        String signingKey = "";
        String reason = "stopped";
        try (Stack stack = Stack.launch(ctx))
        {
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addPresenceHandler(presence);
            stack.addJoinHandler(presence);
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name + " (estate " +
                Main.id(estateId) + "), status " + stack.statusFile());
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            out.flush();

            long lastMessageNs = startNs;
            long lastProgressNs = startNs;
            long lastProgressCount = 0;
            while (!StopSignal.isStopRequested())
            {
                final int messages = stack.poll(handler, POLL_LIMIT);
                final int work = stack.doWork() + messages;
                final long nowNs = System.nanoTime();
                if (messages > 0 || presence.unreachableCount() > 0)
                {
                    // A sender that fell silent keeps its session until the session timeout: wait for it, idle or not.
                    lastMessageNs = nowNs;
                }
                if (nowNs - lastProgressNs >= PROGRESS_INTERVAL_NS)
                {
                    if (received != lastProgressCount)
                    {
                        printProgress(out, stack, nowNs - lastProgressNs, received - lastProgressCount);
                    }
                    lastProgressNs = nowNs;
                    lastProgressCount = received;
                }
                if (count > 0 && received >= count)
                {
                    reason = "received " + count + " messages";
                    linger(stack, presence, idle);
                    break;
                }
                if (nowNs - lastMessageNs >= idleTimeoutNs)
                {
                    reason = "idle for " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) / 1000.0 + " s";
                    break;
                }
                idle.idle(work);
            }
        }

        final double seconds = (System.nanoTime() - startNs) / 1e9;
        out.printf("done (%s): received %d messages, %d bytes, %d duplicates, %d out of order, %d corrupt, " +
            "from %d estates in %.1f s%n", reason, received, bytes, duplicates, outOfOrder, corrupt,
            streamsByEstate.size(), seconds);
        out.println(new Json()
            .put("received", received)
            .put("bytes", bytes)
            .put("duplicates", duplicates)
            .put("outOfOrder", outOfOrder)
            .put("corrupt", corrupt)
            .put("estates", streamsByEstate.size())
            .put("estateId", Main.id(estateId))
            .put("signingKey", signingKey));
        if (null != record)
        {
            record.close();
        }
        return Main.EXIT_OK;
    }

    private void printProgress(final PrintStream out, final Stack stack, final long intervalNs, final long messages)
    {
        out.printf("received %d messages, %d bytes (%.0f msgs/s; duplicate segments %d, out of window %d, " +
            "nacks sent %d)%n", received, bytes, messages * 1e9 / intervalNs,
            stack.counter(StackCounterDescriptor.DUPLICATE_SEGMENTS),
            stack.counter(StackCounterDescriptor.OUT_OF_WINDOW_SEGMENTS),
            stack.counter(StackCounterDescriptor.NACKS_SENT));
        out.flush();
    }

    /**
     * Keep the duty cycle running after the last message so its acknowledgement reaches the sender, until the
     * senders leave or a short while has passed.
     */
    private static void linger(final Stack stack, final Presence presence, final IdleStrategy idle)
    {
        final long deadlineNs = System.nanoTime() + LINGER_NS;
        while (presence.joinedCount() > 0 && System.nanoTime() < deadlineNs && !StopSignal.isStopRequested())
        {
            idle.idle(stack.doWork());
        }
    }

    private void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        received++;
        bytes += length;
        final Stream[] streams = streamsByEstate.get(estateId);
        Stream stream = null == streams ? null : streams[channel];
        final long sequence;
        if (Payload.isShort(length))
        {
            // No room for a sequence number: the message can only be checked as the one expected next.
            sequence = null == stream ? 0 : stream.highest + 1L;
            if (!Payload.verifyShort(buffer, offset, length, sequence))
            {
                corrupt++;
                return;
            }
        }
        else
        {
            if (!payload.verify(buffer, offset, length))
            {
                corrupt++;
                return;
            }
            sequence = Payload.sequence(buffer, offset);
        }
        if (sequence < 0 || sequence >= Integer.MAX_VALUE)
        {
            corrupt++;
            return;
        }

        if (null == stream)
        {
            stream = stream(estateId, channel);
        }
        if (null != record)
        {
            record.mark(sequence, Ledger.RECEIVED);
        }
        final int index = (int)sequence;
        if (stream.seen.get(index))
        {
            duplicates++;
        }
        else
        {
            stream.seen.set(index);
            if (index != stream.highest + 1)
            {
                outOfOrder++;
            }
            stream.highest = Math.max(stream.highest, index);
        }
    }

    private Stream stream(final long estateId, final int channel)
    {
        Stream[] streams = streamsByEstate.get(estateId);
        if (null == streams)
        {
            streams = new Stream[StackContext.CHANNEL_COUNT];
            streamsByEstate.put(estateId, streams);
        }
        Stream stream = streams[channel];
        if (null == stream)
        {
            stream = new Stream();
            streams[channel] = stream;
        }
        return stream;
    }

    /**
     * Sequence numbers seen from one estate on one channel.
     */
    private static final class Stream
    {
        private final BitSet seen = new BitSet();
        private int highest = -1;
    }
}
