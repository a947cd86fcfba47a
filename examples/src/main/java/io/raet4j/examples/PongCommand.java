package io.raet4j.examples;

import io.raet4j.transactions.MessageHandler;
import io.raet4j.transactions.Stack;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code pong}: accept joins and echo every message back to its sender on the channel it came on. A message is
 * copied out during poll and offered after poll returns (or, with {@code --answer-after-us}, that long after it was
 * polled, the duty cycle running meanwhile, as an application whose answer takes time), retried while back-pressured;
 * nothing more is polled until the echo has been accepted.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class PongCommand implements Command
{
    private final MessageHandler handler = this::onMessage;
    private UnsafeBuffer pending = new UnsafeBuffer(new byte[4096]);
    private boolean hasPending;
    private long pendingEstateId;
    private int pendingChannel;
    private int pendingLength;
    private long pendingSinceNs;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "pong";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "echo every message back to its sender";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar pong --bind HOST:PORT [options]\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port)\n" +
            "  --name NAME          estate name (default pong)\n" +
            "  --idle-seconds S     exit after S seconds without a message (default: run until interrupted)\n" +
            "  --answer-after-us N  echo each message N microseconds after polling it, running the duty cycle\n" +
            "                       meanwhile, as an application whose answer takes time (default 0)\n" +
            Main.COMMON_OPTIONS.replace("idle strategy of the invoker loop",
                "idle strategy of the invoker loop (default spin)") +
            StackOptions.USAGE +
            "Prints \"listening on HOST:PORT\" once bound and last\n" +
            "{\"echoed\",\"bytes\",\"dropped\",\"estates\",\"estateId\",\"signingKey\"} " +
            "(estateId: this estate's id,\n" +
            "16 hex digits; signingKey: its Ed25519 public key in hex, what a ping's --pin takes).\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind");
        final String bind = args.address("--bind", null, true);
        final String name = args.string("--name", "pong");
        final long idleTimeoutNs = args.has("--idle-seconds") ?
            args.seconds("--idle-seconds", 0, 0.001, 86_400) : Long.MAX_VALUE;
        final long answerAfterNs = TimeUnit.MICROSECONDS.toNanos(args.number("--answer-after-us", 0L, 0, 10_000_000));
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "spin");
        final StackOptions stackOptions = StackOptions.read(args, false);
        args.requireAllUsed();

        StopSignal.install();
        final Presence presence = new Presence(out);
        long estateId = 0;
        String signingKey = "";
        long echoed = 0;
        long bytes = 0;
        long dropped = 0;
        String reason = "stopped";
        try (Stack stack = Stack.launch(Main.cliContext(name, bind, statusParent, stackOptions)))
        {
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addPresenceHandler(presence);
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name + " (estate " +
                Main.id(estateId) + ")");
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            out.flush();

            long lastMessageNs = System.nanoTime();
            while (!StopSignal.isStopRequested())
            {
                int work = stack.doWork();
                if (!hasPending)
                {
                    work += stack.poll(handler, 1);
                }
                if (hasPending && (0 == answerAfterNs || System.nanoTime() - pendingSinceNs >= answerAfterNs))
                {
                    final long result = stack.offer(pendingEstateId, pendingChannel, pending, 0, pendingLength);
                    if (result >= 0)
                    {
                        hasPending = false;
                        echoed++;
                        bytes += pendingLength;
                        work++;
                    }
                    else if (Stack.BACK_PRESSURED != result)
                    {
                        hasPending = false;
                        dropped++;
                    }
                    lastMessageNs = System.nanoTime();
                }
                else if (!hasPending && System.nanoTime() - lastMessageNs >= idleTimeoutNs)
                {
                    reason = "idle for " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) / 1000.0 + " s";
                    break;
                }
                idle.idle(work);
            }
        }

        out.printf("done (%s): echoed %d messages, %d bytes, dropped %d, from %d estates%n",
            reason, echoed, bytes, dropped, presence.everJoinedCount());
        out.println(new Json()
            .put("echoed", echoed)
            .put("bytes", bytes)
            .put("dropped", dropped)
            .put("estates", presence.everJoinedCount())
            .put("estateId", Main.id(estateId))
            .put("signingKey", signingKey));
        return Main.EXIT_OK;
    }

    private void onMessage(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        if (pending.capacity() < length)
        {
            pending = new UnsafeBuffer(new byte[BitUtil.findNextPositivePowerOfTwo(length)]);
        }
        buffer.getBytes(offset, pending, 0, length);
        pendingEstateId = estateId;
        pendingChannel = channel;
        pendingLength = length;
        pendingSinceNs = System.nanoTime();
        hasPending = true;
    }
}
