package io.raet4j.examples;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.PubSubCounterDescriptor;
import io.raet4j.pubsub.PublicationHandler;
import io.raet4j.pubsub.Topics;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code sub}: subscribe to topic patterns through the pub/sub layer, join the estates given (and accept joins), and
 * verify every publication {@code pub} sends: its checksum and body ({@link Payload}), and per subscription, per
 * publishing estate and topic, that sequence numbers come once each and in order.
 * <p>
 * The layer hands a publication once to each subscription whose pattern matches its topic, so with overlapping
 * patterns one publication is received several times: {@code received} counts those hand-overs, one per matching
 * subscription, and {@code distinct} the publications, each once however many subscriptions got it. {@code --count}
 * counts distinct publications. A stream (one publishing estate, one topic) starts where this process first hears it,
 * so a subscriber that joins mid-stream sees no loss before its first publication; a later number that skips ahead
 * counts as out of order, and the numbers between as missing.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the layer and its stack in invoker mode.
 */
final class SubCommand implements Command
{
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(2);

    private final Payload payload = new Payload();
    private final List<Tally> tallies = new ArrayList<>();
    private final Streams distinctStreams = new Streams();
    private final Map<String, Long> distinctByTopic = new TreeMap<>();
    private long received;
    private long distinct;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "sub";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "subscribe to topic patterns and verify the publications pub sends";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar sub --bind HOST:PORT --topic PATTERN [--topic PATTERN]... [options]\n" +
            "  --name NAME          estate name (default sub-PID with a temporary keep, a new identity each run;\n" +
            "                       sub with --keep)\n" +
            "  --bind HOST:PORT     address to listen on (port 0: any free port), or unix:PATH or shm:PATH\n" +
            "                       for a yard on a lane\n" +
            "  --peer HOST:PORT     join this estate, e.g. a pub; may be repeated (default: none, wait to be\n" +
            "                       joined)\n" +
            "  --topic PATTERN      subscribe to a pattern: tokens separated by dots, '*' for one token, '>' for\n" +
            "                       the rest (spec/PUBSUB.md); may be repeated, one subscription each\n" +
            "  --count N            exit after N distinct publications (default 0: no limit)\n" +
            "  --idle-seconds S     exit after S seconds without a publication, not counting time while an estate\n" +
            "                       is UNREACHABLE with its session open (default 10)\n" +
            Main.COMMON_OPTIONS +
            StackOptions.USAGE +
            "A publication is handed once to each subscription whose pattern matches its topic: with overlapping\n" +
            "patterns one publication is received once per matching subscription. received counts those, distinct\n" +
            "counts each publication once; --count counts distinct publications.\n" +
            "Each is checked as recv checks a message (bytes 0-7 sequence number, 8-11 CRC32C of the rest, body\n" +
            "derived from the sequence number; shorter than " + Payload.HEADER_LENGTH + " bytes is corrupt), and " +
            "per subscription, publishing\n" +
            "estate and topic: a number seen before is a duplicate; one that is not the next after the highest\n" +
            "seen is out of order, and the numbers it skipped are missing until they come. A stream starts with\n" +
            "the first publication this process gets from it.\n" +
            "Prints \"listening on HOST:PORT\" once bound, \"received N publications ...\" every second, and last\n" +
            "{\"received\",\"distinct\",\"duplicates\",\"outOfOrder\",\"corrupt\",\"missing\",\"publishers\"," +
            "\"topics\",\"subscriptions\",\"streams\",\n" +
            "\"publicationsReceived\",\"unknownTopicIds\",\"estateId\",\"signingKey\"[,\"error\"]}\n" +
            "(topics: distinct publications per topic; subscriptions: per --topic, its pattern and counts;\n" +
            "streams: per publishing estate and topic, first and last sequence number and distinct count;\n" +
            "publicationsReceived: publication frames the layer took from the network, before matching).\n" +
            "Exit status 0, or 1 if a join failed.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        args.require("--bind", "--topic");
        final String name = args.string("--name", args.has("--keep") ? "sub" : "sub-" + ProcessHandle.current().pid());
        final String bind = args.address("--bind", null, true);
        final List<String> peers = args.addresses("--peer", false);
        final List<String> patterns = patterns(args);
        final long count = args.number("--count", 0L, 0, Long.MAX_VALUE);
        final long idleTimeoutNs = args.seconds("--idle-seconds", 10, 0.001, 86_400);
        final Path statusParent = Main.statusParent(args);
        final IdleStrategy idle = Main.idleStrategy(args, "backoff");
        final StackOptions stackOptions = StackOptions.read(args, false);
        args.requireAllUsed();

        StopSignal.install();
        final StackContext ctx = Main.cliContext(name, bind, statusParent, stackOptions);
        final Presence presence = new Presence(out);
        final long startNs = System.nanoTime();
        long estateId = 0;
        String signingKey = "";
        String reason = "stopped";
        long publicationsReceived = 0;
        long unknownTopicIds = 0;
        try (PubSub pubSub = PubSub.launch(new PubSubContext(ctx)))
        {
            final Stack stack = pubSub.stack();
            estateId = stack.estateId();
            signingKey = StackOptions.hex(stack.signingKey());
            stack.addPresenceHandler(presence);
            stack.addJoinHandler(presence);
            out.println("listening on " + Main.format(stack.localAddress()) + " as " + name + " (estate " +
                Main.id(estateId) + "), status " + stack.statusFile());
            out.println(stackOptions.describe(stack));
            out.println("idle strategy: " + Main.describe(idle));
            for (final String pattern : patterns)
            {
                final Tally tally = new Tally(pattern);
                tallies.add(tally);
                pubSub.subscribe(pattern, tally);
            }
            out.println("subscribed to " + String.join(", ", patterns));
            for (final String peer : peers)
            {
                stack.join(peer);
                out.println("joining " + peer);
            }
            out.flush();

            long lastActivityNs = startNs;
            long lastProgressNs = startNs;
            long lastProgressCount = 0;
            long lastReceived = 0;
            while (!StopSignal.isStopRequested())
            {
                final int work = pubSub.doWork();
                final long nowNs = System.nanoTime();
                if (received != lastReceived || presence.unreachableCount() > 0)
                {
                    // A publisher that fell silent keeps its session until the session timeout: wait for it.
                    lastReceived = received;
                    lastActivityNs = nowNs;
                }
                if (nowNs - lastProgressNs >= PROGRESS_INTERVAL_NS)
                {
                    if (received != lastProgressCount)
                    {
                        printProgress(out, nowNs - lastProgressNs, received - lastProgressCount);
                    }
                    lastProgressNs = nowNs;
                    lastProgressCount = received;
                }
                if (count > 0 && distinct >= count)
                {
                    reason = "received " + count + " distinct publications";
                    linger(pubSub, presence, idle);
                    break;
                }
                if (nowNs - lastActivityNs >= idleTimeoutNs)
                {
                    reason = "idle for " + StackOptions.seconds(idleTimeoutNs) + " s";
                    break;
                }
                idle.idle(work);
            }
            publicationsReceived = pubSub.counter(PubSubCounterDescriptor.PUBLICATIONS_RECEIVED);
            unknownTopicIds = pubSub.counter(PubSubCounterDescriptor.UNKNOWN_TOPIC_IDS);
        }

        return finish(out, err, presence, reason, startNs, publicationsReceived, unknownTopicIds, estateId,
            signingKey);
    }

    private static List<String> patterns(final Args args)
    {
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
        return patterns;
    }

    private int finish(
        final PrintStream out,
        final PrintStream err,
        final Presence presence,
        final String reason,
        final long startNs,
        final long publicationsReceived,
        final long unknownTopicIds,
        final long estateId,
        final String signingKey)
    {
        long duplicates = 0;
        long outOfOrder = 0;
        long corrupt = 0;
        for (final Tally tally : tallies)
        {
            duplicates += tally.duplicates;
            outOfOrder += tally.outOfOrder;
            corrupt += tally.corrupt;
        }
        final long missing = distinctStreams.missing();
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        out.printf("done (%s): received %d publications, %d distinct, %d duplicates, %d out of order, %d corrupt, " +
            "%d missing, from %d publishers in %.1f s%n", reason, received, distinct, duplicates, outOfOrder,
            corrupt, missing, distinctStreams.estates(), seconds);
        final String problem = null == presence.joinFailure() ? null : "join to " +
            presence.joinFailure().address() + " failed (" + presence.joinFailure().reason() + "): " +
            presence.joinFailure().message();
        final Json result = new Json();
        if (null != problem)
        {
            err.println("raet4j sub: error: " + problem);
            result.put("error", problem);
        }
        result
            .put("received", received)
            .put("distinct", distinct)
            .put("duplicates", duplicates)
            .put("outOfOrder", outOfOrder)
            .put("corrupt", corrupt)
            .put("missing", missing)
            .put("publishers", distinctStreams.estates())
            .beginObject("topics");
        for (final Map.Entry<String, Long> entry : distinctByTopic.entrySet())
        {
            result.put(entry.getKey(), entry.getValue());
        }
        result.endObject().beginArray("subscriptions");
        for (final Tally tally : tallies)
        {
            result.beginObject(null)
                .put("pattern", tally.pattern)
                .put("received", tally.received)
                .put("duplicates", tally.duplicates)
                .put("outOfOrder", tally.outOfOrder)
                .put("corrupt", tally.corrupt)
                .put("missing", tally.streams.missing())
                .endObject();
        }
        result.endArray().beginArray("streams");
        distinctStreams.forEach((publisherId, topic, stream) -> result.beginObject(null)
            .put("estateId", Main.id(publisherId))
            .put("topic", topic)
            .put("first", stream.lowest)
            .put("last", stream.highest)
            .put("count", stream.count)
            .endObject());
        out.println(result.endArray()
            .put("publicationsReceived", publicationsReceived)
            .put("unknownTopicIds", unknownTopicIds)
            .put("estateId", Main.id(estateId))
            .put("signingKey", signingKey));
        return null == problem ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private void printProgress(final PrintStream out, final long intervalNs, final long publications)
    {
        long duplicates = 0;
        long outOfOrder = 0;
        long corrupt = 0;
        for (final Tally tally : tallies)
        {
            duplicates += tally.duplicates;
            outOfOrder += tally.outOfOrder;
            corrupt += tally.corrupt;
        }
        out.printf("received %d publications, %d distinct (%.0f/s) from %d publishers; %d duplicates, " +
            "%d out of order, %d corrupt%n", received, distinct, publications * 1e9 / intervalNs,
            distinctStreams.estates(), duplicates, outOfOrder, corrupt);
        out.flush();
    }

    /**
     * Keep the duty cycle running after the last publication so its acknowledgement reaches the publisher, until
     * the joined estates leave or a short while has passed.
     */
    private static void linger(final PubSub pubSub, final Presence presence, final IdleStrategy idle)
    {
        final long deadlineNs = System.nanoTime() + LINGER_NS;
        while (presence.joinedCount() > 0 && System.nanoTime() < deadlineNs && !StopSignal.isStopRequested())
        {
            idle.idle(pubSub.doWork());
        }
    }

    private void onDistinct(final long estateId, final String topic, final int sequence)
    {
        final Stream stream = distinctStreams.get(estateId, topic);
        if (stream.add(sequence))
        {
            distinct++;
            distinctByTopic.merge(topic, 1L, Long::sum);
        }
    }

    /**
     * What one subscription received: its own counts, and its streams.
     */
    private final class Tally implements PublicationHandler
    {
        private final String pattern;
        private final Streams streams = new Streams();
        private long received;
        private long duplicates;
        private long outOfOrder;
        private long corrupt;

        Tally(final String pattern)
        {
            this.pattern = pattern;
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public void onPublication(
            final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
        {
            received++;
            SubCommand.this.received++;
            if (!payload.verify(buffer, offset, length))
            {
                corrupt++;
                return;
            }
            final long sequence = Payload.sequence(buffer, offset);
            if (sequence < 0 || sequence >= Integer.MAX_VALUE)
            {
                corrupt++;
                return;
            }
            final Stream stream = streams.get(estateId, topic);
            final int index = (int)sequence;
            final boolean isNext = 0 == stream.count || index == stream.highest + 1;
            if (!stream.add(index))
            {
                duplicates++;
                return;
            }
            if (!isNext)
            {
                outOfOrder++;
            }
            onDistinct(estateId, topic, index);
        }
    }

    /**
     * Streams by publishing estate and topic.
     */
    private static final class Streams
    {
        private final Long2ObjectHashMap<Map<String, Stream>> byEstate = new Long2ObjectHashMap<>();

        Stream get(final long estateId, final String topic)
        {
            Map<String, Stream> byTopic = byEstate.get(estateId);
            if (null == byTopic)
            {
                byTopic = new HashMap<>();
                byEstate.put(estateId, byTopic);
            }
            Stream stream = byTopic.get(topic);
            if (null == stream)
            {
                stream = new Stream();
                byTopic.put(topic, stream);
            }
            return stream;
        }

        int estates()
        {
            return byEstate.size();
        }

        long missing()
        {
            long missing = 0;
            for (final Map<String, Stream> byTopic : byEstate.values())
            {
                for (final Stream stream : byTopic.values())
                {
                    missing += stream.missing();
                }
            }
            return missing;
        }

        void forEach(final StreamConsumer consumer)
        {
            for (final Map.Entry<Long, Map<String, Stream>> estate : byEstate.entrySet())
            {
                for (final Map.Entry<String, Stream> entry : new TreeMap<>(estate.getValue()).entrySet())
                {
                    consumer.accept(estate.getKey(), entry.getKey(), entry.getValue());
                }
            }
        }
    }

    /**
     * Takes the streams one by one.
     */
    @FunctionalInterface
    private interface StreamConsumer
    {
        void accept(long estateId, String topic, Stream stream);
    }

    /**
     * Sequence numbers seen from one estate on one topic.
     */
    private static final class Stream
    {
        private final BitSet seen = new BitSet();
        private int lowest = -1;
        private int highest = -1;
        private long count;

        /**
         * Record a sequence number.
         *
         * @return false if it was seen before.
         */
        boolean add(final int sequence)
        {
            if (seen.get(sequence))
            {
                return false;
            }
            seen.set(sequence);
            lowest = 0 == count ? sequence : Math.min(lowest, sequence);
            highest = 0 == count ? sequence : Math.max(highest, sequence);
            count++;
            return true;
        }

        long missing()
        {
            return 0 == count ? 0 : (long)highest - lowest + 1 - count;
        }
    }
}
