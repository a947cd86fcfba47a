package io.raet4j.examples;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Replier;
import io.raet4j.pubsub.Responder;
import io.raet4j.pubsub.Topics;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code reply}: answer requests on topic patterns by echoing each request back, for {@code request} to measure
 * round trips and check every reply.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class ReplyCommand implements Command
{
    private final Responder echo = this::onRequest;
    private long requests;
    private long replied;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "reply";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "answer requests on topic patterns by echoing them";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar reply --bind HOST:PORT --topic PATTERN [--topic PATTERN]... [options]\n" +
            "  --name NAME          estate name (default reply-PID)\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port), or unix:PATH or shm:PATH\n" +
            "                       for a yard on a lane\n" +
            "  --peer HOST:PORT     join this estate; may be repeated (default: none, wait to be joined)\n" +
            "  --topic PATTERN      answer requests on the topics this pattern matches; may be repeated\n" +
            "  --count N            exit after N requests (default 0: no limit)\n" +
            "  --idle-seconds S     exit after S seconds without a request (default 10)\n" +
            Main.COMMON_OPTIONS +
            StackOptions.USAGE +
            "Each reply is the request's bytes. Prints \"listening on HOST:PORT\" once bound, then last\n" +
            "{\"requests\",\"replied\",\"estateId\"}.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind", "--topic");
        final String name = args.string("--name", "reply-" + ProcessHandle.current().pid());
        final String bind = args.address("--bind", null, true);
        final List<String> peers = args.addresses("--peer", false);
        final List<String> patterns = args.strings("--topic");
        for (final String pattern : patterns)
        {
            try
            {
                Topics.requirePattern(pattern);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new Args.UsageException(args.command(), "--topic: " + ex.getMessage());
            }
        }
        final long count = args.number("--count", 0L, 0, Long.MAX_VALUE);
        final long idleTimeoutNs = args.seconds("--idle-seconds", 10, 0.001, 86_400);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "backoff");
        final StackOptions stackOptions = StackOptions.read(args, false);
        args.requireAllUsed();

        StopSignal.install();
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        long estateId = 0;
        try (PubSub pubSub = PubSub.launch(new PubSubContext(ctx)))
        {
            final Stack stack = pubSub.stack();
            estateId = stack.estateId();
            stack.addPresenceHandler(presence);
            stack.addJoinHandler(presence);
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name + " (estate " +
                Main.id(estateId) + ")");
            for (final String pattern : patterns)
            {
                pubSub.respond(pattern, echo);
            }
            out.println("answering on " + String.join(", ", patterns));
            for (final String peer : peers)
            {
                stack.join(peer);
            }
            out.flush();
            long lastActivityNs = System.nanoTime();
            long lastRequests = 0;
            while (!StopSignal.isStopRequested() && (0 == count || requests < count))
            {
                final int work = pubSub.doWork();
                final long nowNs = System.nanoTime();
                if (requests != lastRequests || presence.unreachableCount() > 0)
                {
                    lastRequests = requests;
                    lastActivityNs = nowNs;
                }
                if (nowNs - lastActivityNs >= idleTimeoutNs)
                {
                    break;
                }
                idle.idle(work);
            }
            final long lingerDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < lingerDeadlineNs && presence.joinedCount() > 0 &&
                !StopSignal.isStopRequested())
            {
                idle.idle(pubSub.doWork());
            }
        }
        out.println(new Json().put("requests", requests).put("replied", replied).put("estateId", Main.id(estateId)));
        return Main.EXIT_OK;
    }

    private void onRequest(
        final String topic,
        final long requesterEstateId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Replier replier)
    {
        requests++;
        if (replier.reply(buffer, offset, length) >= 0)
        {
            replied++;
        }
    }
}
