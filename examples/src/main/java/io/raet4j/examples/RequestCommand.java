package io.raet4j.examples;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.pubsub.ReplyHandler;
import io.raet4j.pubsub.RequestFailure;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code request}: make requests on a topic, one at a time, to the {@code reply} estates that answer it; check each
 * reply (it must echo the request) and measure round trips in an HdrHistogram.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the stack in invoker mode.
 */
final class RequestCommand implements Command
{
    private static final long HIGHEST_RTT_NS = TimeUnit.SECONDS.toNanos(60);

    private final Map<RequestFailure, Long> failures = new EnumMap<>(RequestFailure.class);
    private final Payload payload = new Payload();
    private final ReplyHandler handler = new ReplyHandler()
    {
        public void onReply(
            final long requestId, final long responderEstateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (requestId != waitingFor)
            {
                return;
            }
            ended = true;
            replies++;
            if (length != requestLength || !payload.verify(buffer, offset, length) ||
                Payload.sequence(buffer, offset) != sequence)
            {
                wrong++;
            }
        }

        public void onFailure(final long requestId, final RequestFailure reason)
        {
            if (requestId != waitingFor)
            {
                return;
            }
            ended = true;
            failures.merge(reason, 1L, Long::sum);
        }
    };
    private long waitingFor;
    private boolean ended;
    private long replies;
    private long wrong;
    private long sequence;
    private int requestLength;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "request";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "make requests on a topic and measure round trips to reply estates";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar request --bind HOST:PORT --peer HOST:PORT --topic TOPIC --count N " +
            "[options]\n" +
            "  --name NAME          estate name (default request-PID)\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port), or unix:PATH or shm:PATH\n" +
            "                       for a yard on a lane\n" +
            "  --peer HOST:PORT     join this estate, e.g. a reply; may be repeated\n" +
            "  --topic TOPIC        the topic to request on\n" +
            "  --count N            requests to make, one at a time\n" +
            "  --size BYTES         request size, at least " + Payload.HEADER_LENGTH + " (default 32)\n" +
            "  --timeout-ms MS      how long each request waits for its reply (default 5000)\n" +
            "  --responders K       wait until K joined estates answer the topic (default 1)\n" +
            Main.COMMON_OPTIONS +
            StackOptions.USAGE +
            "Each request carries a sequence number and a CRC32C (as send's messages) and must come back as it\n" +
            "went. Prints \"listening on HOST:PORT\" once bound, then last {\"requests\",\"replies\",\"wrong\"," +
            "\"failures\",\"rttP50Us\",\"rttP90Us\",\"rttP99Us\",\"rttMaxUs\",\"seconds\"}.\n" +
            "Exit status 0 if every request was answered correctly, else 1.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind", "--peer", "--topic", "--count");
        final String name = args.string("--name", "request-" + ProcessHandle.current().pid());
        final String bind = args.address("--bind", null, true);
        final List<String> peers = args.addresses("--peer", false);
        final String topic = args.string("--topic", null);
        final long count = args.number("--count", null, 1, Long.MAX_VALUE);
        requestLength = (int)args.number("--size", 32L, Payload.HEADER_LENGTH, 64 * 1024);
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(args.number("--timeout-ms", 5000L, 1, 3_600_000));
        final long responders = args.number("--responders", 1L, 1, 1_000_000);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "spin");
        final StackOptions stackOptions = StackOptions.read(args, false);
        args.requireAllUsed();

        StopSignal.install();
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        final Histogram histogram = new Histogram(HIGHEST_RTT_NS, 3);
        final UnsafeBuffer request = new UnsafeBuffer(new byte[requestLength]);
        final long startNs = System.nanoTime();
        long made = 0;
        try (PubSub pubSub = PubSub.launch(new PubSubContext(ctx)))
        {
            final Stack stack = pubSub.stack();
            stack.addPresenceHandler(presence);
            stack.addJoinHandler(presence);
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name);
            final Publisher publisher;
            try
            {
                publisher = pubSub.publisher(topic);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new Args.UsageException(args.command(), "--topic: " + ex.getMessage());
            }
            for (final String peer : peers)
            {
                stack.join(peer);
            }
            final long waitDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (publisher.remoteResponders() < responders && !StopSignal.isStopRequested())
            {
                if (System.nanoTime() > waitDeadlineNs)
                {
                    err.println("request: " + publisher.remoteResponders() + " of " + responders +
                        " responders answer " + topic + " after 30 s: is a reply running with a matching --topic?");
                    return Main.EXIT_FAILED;
                }
                idle.idle(pubSub.doWork());
            }
            out.println(publisher.remoteResponders() + " estates answer " + topic);
            out.flush();
            while (made < count && !StopSignal.isStopRequested())
            {
                sequence = made;
                payload.encode(request, 0, requestLength, sequence);
                ended = false;
                final long sentNs = System.nanoTime();
                waitingFor = pubSub.request(publisher, request, 0, requestLength, timeoutNs, handler);
                made++;
                if (waitingFor < 0)
                {
                    err.println("request refused: " + waitingFor);
                    break;
                }
                while (!ended)
                {
                    idle.idle(pubSub.doWork());
                }
                histogram.recordValue(Math.min(HIGHEST_RTT_NS, System.nanoTime() - sentNs));
            }
        }
        out.printf("requests: %d, replies %d (wrong %d), rtt us: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f%n", made,
            replies, wrong, us(histogram, 50), us(histogram, 90), us(histogram, 99), histogram.getMaxValue() / 1e3);
        final Json json = new Json()
            .put("requests", made)
            .put("replies", replies)
            .put("wrong", wrong)
            .beginObject("failures");
        failures.forEach((reason, n) -> json.put(reason.name(), n));
        out.println(json.endObject()
            .put("rttP50Us", us(histogram, 50))
            .put("rttP90Us", us(histogram, 90))
            .put("rttP99Us", us(histogram, 99))
            .put("rttMaxUs", histogram.getMaxValue() / 1e3)
            .put("seconds", Math.round((System.nanoTime() - startNs) / 1e6) / 1e3));
        return replies == count && 0 == wrong ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return Math.round(histogram.getValueAtPercentile(percentile) / 100.0) / 10.0;
    }
}
