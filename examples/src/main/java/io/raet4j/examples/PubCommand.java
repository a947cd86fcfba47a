package io.raet4j.examples;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.PubSubCounterDescriptor;
import io.raet4j.pubsub.Publisher;
import io.raet4j.pubsub.Topics;
import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code pub}: publish {@link Payload} publications on one topic through the pub/sub layer, to every estate whose
 * interest matches it, once enough of them subscribe; then wait until the outcome of every copy is known.
 * <p>
 * The layer sends one copy of a publication to each subscribing estate and skips an estate whose channel is full
 * ({@link Publisher#lastBackPressured()}), so that estate never gets it. To keep every copy, this command holds
 * publishing back while any joined estate has a window's worth of messages not yet acknowledged (see
 * {@link #window}); a skip can still happen, and is reported as {@code skipped}, never retried (a retry would reach
 * the other estates twice).
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the layer and its stack in invoker mode.
 */
final class PubCommand implements Command, DeliveryHandler
{
    /** Room left for the layer's Publish header (13 bytes in layer version 1) in the stack's largest message. */
    static final int PUBLISH_OVERHEAD_BYTES = 16;
    /** Largest publication {@code --size} accepts. */
    static final int MAX_PUBLICATION_BYTES = StackContext.MAX_MESSAGE_DEFAULT - PUBLISH_OVERHEAD_BYTES;
    /** Most publications offered per duty cycle. */
    private static final int PUBLISH_BATCH = 64;
    /** Most messages held unacknowledged per estate. */
    static final int MAX_WINDOW = 1024;
    /** A segment payload no smaller than any path's, so the window's segment count is an upper bound. */
    private static final int MIN_SEGMENT_PAYLOAD_BYTES = 512;
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private long dataDelivered;
    private long dataFailed;
    private long dataUncertain;
    private long lastOutcomeNs;
    private long lastPublishedNs;
    private long published;
    private long copies;
    private long skipped;
    private long unrouted;
    private long bytes;
    private long startNs;
    private int subscribers = -1;
    private int subscribersAtStart;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "pub";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "publish verifiable publications on a topic to its subscribers";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar pub --bind HOST:PORT --topic TOPIC --count N --size BYTES|MIN-MAX " +
            "[options]\n" +
            "  --name NAME          estate name (default pub-PID with a temporary keep, a new identity each run;\n" +
            "                       pub with --keep)\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port), or unix:PATH or shm:PATH\n" +
            "                       for a yard on a lane\n" +
            "  --peer HOST:PORT     join this estate, e.g. a sub; may be repeated (default: none, wait to be\n" +
            "                       joined)\n" +
            "  --topic TOPIC        topic to publish on: tokens separated by dots, no wildcards (spec/PUBSUB.md)\n" +
            "  --count N            number of publications, 1.." + Integer.MAX_VALUE + "\n" +
            "  --size BYTES|MIN-MAX publication size: fixed, or uniformly random in MIN-MAX, " +
            Payload.HEADER_LENGTH + ".." + MAX_PUBLICATION_BYTES + " bytes\n" +
            "  --seed N             seed of the random sizes (default 1)\n" +
            "  --subscribers K      wait until K estates subscribe to the topic before publishing (default 1;\n" +
            "                       0: publish at once)\n" +
            "  --rate N             at most N publications per second (default 0: as fast as the subscribers\n" +
            "                       take them)\n" +
            "  --timeout-seconds S  give up after S seconds in all, waiting and publishing (default 300)\n" +
            "  --retain             keep the topic's last value: an estate that subscribes later (or again, after a\n" +
            "                       restart) gets the last publication first (default: not kept)\n" +
            "  --linger-seconds S   after the last outcome, keep serving for S seconds (interest, last values) and\n" +
            "                       print subscriber changes; a stop signal ends it early (default 0)\n" +
            Main.COMMON_OPTIONS +
            StackOptions.USAGE +
            "Publication i (from 0) carries i and a checksum as send's messages do, for sub to verify. Each goes\n" +
            "once to every joined estate whose interest matches the topic, nowhere else. Publishing is held back\n" +
            "while any joined estate has a window of messages unacknowledged (" + MAX_WINDOW + " at most, fewer " +
            "for large sizes),\n" +
            "so a slow or silent subscriber slows it down instead of losing copies; one silent for the session\n" +
            "timeout is DEAD, its copies in flight end and its interest is dropped. A copy the layer still had to\n" +
            "skip (its channel full) is counted in skipped and not sent again.\n" +
            "Prints \"listening on HOST:PORT\" once bound, \"subscribers of TOPIC: K (was J)\" when that changes,\n" +
            "progress every second, and last\n" +
            "{\"published\",\"subscribers\",\"subscribersAtEnd\",\"copies\",\"delivered\",\"failed\"," +
            "\"uncertain\",\"skipped\",\"unrouted\",\n" +
            "\"declarations\",\"bytes\",\"seconds\",\"msgsPerSec\",\"estateId\",\"signingKey\"[,\"error\"]}\n" +
            "(subscribers: estates subscribed when publishing began; copies: copies taken, one per subscriber and\n" +
            "publication; delivered, failed, uncertain: their outcomes, as send's, delivered + failed + uncertain\n" +
            "= copies; unrouted: publications no estate subscribed to; declarations: the topic declarations the\n" +
            "layer sent before the first copy to each estate in each session, not counted in the outcomes;\n" +
            "seconds: from the first publication to the last one or the last outcome, whichever is later;\n" +
            "msgsPerSec: publications per second over that time).\n" +
            "Exit status 0 if every copy was delivered and none skipped, else 1.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind", "--topic", "--count", "--size");
        final String name = args.string("--name", args.has("--keep") ? "pub" : "pub-" + ProcessHandle.current().pid());
        final String bind = args.address("--bind", null, true);
        final List<String> peers = args.addresses("--peer", false);
        final String topic = topic(args);
        final long count = args.number("--count", null, 1, Integer.MAX_VALUE);
        final int[] sizes = args.sizeRange("--size", Payload.HEADER_LENGTH, MAX_PUBLICATION_BYTES);
        final long seed = args.number("--seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE);
        final int wanted = (int)args.number("--subscribers", 1L, 0, 1_000_000);
        final long rate = args.number("--rate", 0L, 0, 1_000_000_000);
        final long timeoutNs = args.seconds("--timeout-seconds", 300, 0.001, 86_400);
        final boolean isRetaining = args.flag("--retain");
        final long lingerNs = args.seconds("--linger-seconds", 0, 0, 86_400);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "backoff");
        final StackOptions stackOptions = StackOptions.read(args, false);
        args.requireAllUsed();

        StopSignal.install();
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long estateId = 0;
        String signingKey = "";
        String problem;
        long declarations = 0;
        try (PubSub pubSub = PubSub.launch(new PubSubContext(ctx)))
        {
            final Stack stack = pubSub.stack();
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addPresenceHandler(presence);
            stack.addJoinHandler(presence);
            pubSub.addDeliveryHandler(this);
            final Publisher publisher = pubSub.publisher(topic);
            if (isRetaining)
            {
                publisher.retainLastValue();
            }
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name + " (estate " +
                Main.id(estateId) + "), status " + stack.statusFile());
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            for (final String peer : peers)
            {
                stack.join(peer);
                out.println("joining " + peer);
            }
            out.printf("waiting for %d subscribers of %s%n", wanted, topic);
            out.flush();

            problem = awaitSubscribers(pubSub, publisher, wanted, idle, deadlineNs, out);
            if (null == problem)
            {
                final Sizes lengths = new Sizes(sizes[0], sizes[1], seed);
                final int window = window(sizes[1], ctx);
                out.printf("publishing %d publications of %s bytes on %s to %d subscribers (window %d)%n", count,
                    lengths.describe(), topic, subscribersAtStart, window);
                problem = publishAll(pubSub, publisher, presence, count, lengths, window, rate, idle, deadlineNs, out);
            }
            final String awaitProblem = awaitOutcomes(pubSub, idle, deadlineNs);
            problem = null == problem ? awaitProblem : problem;
            if (null == problem && lingerNs > 0)
            {
                linger(pubSub, publisher, isRetaining, lingerNs, idle, out);
            }
            declarations = pubSub.counter(PubSubCounterDescriptor.TOPICS_DECLARED);
        }

        // Closing the layer ended whatever was still in flight: every copy has its outcome now.
        if (null == problem && null != presence.joinFailure())
        {
            problem = "join to " + presence.joinFailure().address() + " failed (" + presence.joinFailure().reason() +
                "): " + presence.joinFailure().message();
        }
        report(out, err, problem, declarations, Main.id(estateId), signingKey);
        final boolean isClean = null == problem && published == count && 0 == skipped &&
            0 == dataFailed && 0 == dataUncertain;
        return isClean ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private void report(
        final PrintStream out,
        final PrintStream err,
        final String problem,
        final long declarations,
        final String estateId,
        final String signingKey)
    {
        final long endNs = Math.max(lastOutcomeNs, lastPublishedNs);
        final double seconds = 0 == startNs ? 0 : (endNs - startNs) / 1e9;
        final double msgsPerSec = seconds > 0 ? published / seconds : 0;
        out.printf("done: published %d publications (%d bytes) to %d subscribers, %d copies: delivered %d, " +
            "failed %d, uncertain %d; skipped %d, unrouted %d, in %.3f s, %.0f publications/s%n", published, bytes,
            subscribersAtStart, copies, dataDelivered, dataFailed, dataUncertain, skipped, unrouted, seconds,
            msgsPerSec);
        final Json result = new Json();
        if (null != problem)
        {
            err.println("raet4j pub: error: " + problem);
            result.put("error", problem);
        }
        out.println(result
            .put("published", published)
            .put("subscribers", subscribersAtStart)
            .put("subscribersAtEnd", Math.max(0, subscribers))
            .put("copies", copies)
            .put("delivered", dataDelivered)
            .put("failed", dataFailed)
            .put("uncertain", dataUncertain)
            .put("skipped", skipped)
            .put("unrouted", unrouted)
            .put("declarations", declarations)
            .put("bytes", bytes)
            .put("seconds", seconds)
            .put("msgsPerSec", msgsPerSec)
            .put("estateId", estateId)
            .put("signingKey", signingKey));
    }

    /**
     * Messages each joined estate may hold unacknowledged before publishing waits: at most {@link #MAX_WINDOW}, and
     * few enough that the publications of the largest size fit in half of one channel's send buffer, in bytes and
     * in segments, so that the layer is not refused for a full channel.
     *
     * @param maxLength largest publication.
     * @param ctx       of the stack.
     * @return the window, at least 1.
     */
    static int window(final int maxLength, final StackContext ctx)
    {
        final long messageBytes = (long)maxLength + 2 * PUBLISH_OVERHEAD_BYTES;
        final long byBytes = ctx.sendBufferMaxBytes() / 2 / messageBytes;
        final long segments = (messageBytes + MIN_SEGMENT_PAYLOAD_BYTES - 1) / MIN_SEGMENT_PAYLOAD_BYTES;
        final long bySegments = ctx.maxUnackedSegments() / 2 / segments;
        return (int)Math.max(1, Math.min(MAX_WINDOW, Math.min(byBytes, bySegments)));
    }

    private static String topic(final Args args)
    {
        final String topic = args.string("--topic", null);
        try
        {
            Topics.requireTopic(topic);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new Args.UsageException(args.command(), "--topic: " + ex.getMessage());
        }
        if (Topics.isSystem(topic))
        {
            throw new Args.UsageException(args.command(), "--topic \"" + topic + "\" is a system topic: only the " +
                "layer publishes there");
        }
        return topic;
    }

    private String awaitSubscribers(
        final PubSub pubSub,
        final Publisher publisher,
        final int wanted,
        final IdleStrategy idle,
        final long deadlineNs,
        final PrintStream out)
    {
        while (true)
        {
            final int work = pubSub.doWork();
            watchSubscribers(publisher, out);
            if (subscribers >= wanted)
            {
                subscribersAtStart = subscribers;
                return null;
            }
            if (StopSignal.isStopRequested())
            {
                return "stopped while waiting for subscribers (" + subscribers + " of " + wanted + ")";
            }
            if (System.nanoTime() >= deadlineNs)
            {
                return "gave up waiting for " + wanted + " subscribers of " + publisher.topic() + " after " +
                    "--timeout-seconds: " + subscribers + " subscribed";
            }
            idle.idle(work);
        }
    }

    private String publishAll(
        final PubSub pubSub,
        final Publisher publisher,
        final Presence presence,
        final long count,
        final Sizes lengths,
        final int window,
        final long rate,
        final IdleStrategy idle,
        final long deadlineNs,
        final PrintStream out)
    {
        final Stack stack = pubSub.stack();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[lengths.max]);
        final Payload payload = new Payload();
        startNs = System.nanoTime();
        lastOutcomeNs = startNs;
        long lastProgressNs = startNs;
        while (published < count)
        {
            int work = pubSub.doWork();
            watchSubscribers(publisher, out);
            final long nowNs = System.nanoTime();
            long allowance = Math.min(PUBLISH_BATCH, window - presence.mostOutstanding(stack));
            if (rate > 0)
            {
                allowance = Math.min(allowance, (long)((nowNs - startNs) / 1e9 * rate) + 1 - published);
            }
            for (long i = 0; i < allowance && published < count; i++)
            {
                final int length = lengths.next();
                payload.encode(buffer, 0, length, published);
                final long result = publisher.publish(buffer, 0, length);
                if (result < 0)
                {
                    return PubSub.MESSAGE_TOO_LARGE == result ? "publication of " + length + " bytes is too large " +
                        "for the stack" : "the layer closed (publish returned " + result + ")";
                }
                copies += result;
                skipped += publisher.lastBackPressured();
                if (0 == result && 0 == publisher.lastBackPressured())
                {
                    unrouted++;
                }
                published++;
                bytes += length;
                work++;
                lastPublishedNs = nowNs;
            }
            if (nowNs - lastProgressNs >= PROGRESS_INTERVAL_NS)
            {
                lastProgressNs = nowNs;
                printProgress(out, pubSub);
            }
            if (StopSignal.isStopRequested())
            {
                return "stopped";
            }
            if (nowNs >= deadlineNs)
            {
                return "timed out after " + published + " publications";
            }
            idle.idle(work);
        }
        return null;
    }

    /**
     * Drive the layer until every copy has its outcome.
     */
    private String awaitOutcomes(final PubSub pubSub, final IdleStrategy idle, final long deadlineNs)
    {
        while (dataDelivered + dataFailed + dataUncertain < copies)
        {
            if (StopSignal.isStopRequested())
            {
                return "stopped";
            }
            if (System.nanoTime() >= deadlineNs)
            {
                return "timed out with " + (copies - dataDelivered - dataFailed - dataUncertain) +
                    " copies in flight";
            }
            idle.idle(pubSub.doWork());
        }
        return null;
    }

    /**
     * Keep the layer running: interest comes and goes, an estate that subscribes gets the last value if kept.
     */
    private void linger(
        final PubSub pubSub,
        final Publisher publisher,
        final boolean isRetaining,
        final long lingerNs,
        final IdleStrategy idle,
        final PrintStream out)
    {
        out.printf("lingering %.1f s%s%n", lingerNs / 1e9, isRetaining ? ", the last value kept for new subscribers" :
            "");
        out.flush();
        final long endNs = System.nanoTime() + lingerNs;
        while (System.nanoTime() < endNs && !StopSignal.isStopRequested())
        {
            final int work = pubSub.doWork();
            watchSubscribers(publisher, out);
            idle.idle(work);
        }
    }

    private void watchSubscribers(final Publisher publisher, final PrintStream out)
    {
        final int now = publisher.remoteSubscribers();
        if (now != subscribers)
        {
            out.printf("subscribers of %s: %d%s%n", publisher.topic(), now, subscribers < 0 ? "" :
                " (was " + subscribers + ")");
            out.flush();
            subscribers = now;
        }
    }

    private void printProgress(final PrintStream out, final PubSub pubSub)
    {
        out.printf("published %d (copies %d, delivered %d, failed %d, uncertain %d, skipped %d) to %d " +
            "subscribers (segments retransmitted %d, nacks received %d)%n", published, copies, dataDelivered,
            dataFailed, dataUncertain, skipped, subscribers, pubSub.stack().counter(StackCounterDescriptor.RETRANSMITS),
            pubSub.stack().counter(StackCounterDescriptor.NACKS_RECEIVED));
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onDelivered(final long estateId, final int channel, final long messageId)
    {
        dataDelivered++;
        lastOutcomeNs = System.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        dataFailed++;
        lastOutcomeNs = System.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onUncertain(final long estateId, final int channel, final long messageId, final FailureReason reason)
    {
        dataUncertain++;
        lastOutcomeNs = System.nanoTime();
    }

    /**
     * Publication sizes: fixed, or uniformly random in a range, drawn in order from a seeded
     * {@link SplittableRandom}.
     */
    private static final class Sizes
    {
        private final int min;
        private final int max;
        private final SplittableRandom random;

        Sizes(final int min, final int max, final long seed)
        {
            this.min = min;
            this.max = max;
            this.random = new SplittableRandom(seed);
        }

        int next()
        {
            return min == max ? min : random.nextInt(min, max + 1);
        }

        String describe()
        {
            return min == max ? String.valueOf(min) : min + "-" + max;
        }
    }
}
