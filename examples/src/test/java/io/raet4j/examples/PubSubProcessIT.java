package io.raet4j.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pub} and {@code sub} in separate JVMs, over loopback UDP and over a lane: publications reach exactly the
 * subscriptions whose patterns match, once each and in order, and an estate whose patterns match nothing is sent
 * nothing; a subscriber killed with SIGKILL loses its interest at the publisher after the session timeout, and gets
 * its subscriptions back when it restarts from its keep, and the topic's last value when the publisher keeps it, as
 * does a subscriber that comes late. Every wait is on process output or exit with a deadline;
 * every process is killed afterwards.
 * <p>
 * Publications per publisher on the main topic: {@value #COUNT_PROP_NAME}, default {@value #DEFAULT_COUNT}.
 */
class PubSubProcessIT
{
    /** System property: publications of the main publisher in the mesh tests. */
    static final String COUNT_PROP_NAME = "raet4j.it.pubsub.count";
    static final int DEFAULT_COUNT = 100_000;
    private static final int COUNT = Integer.getInteger(COUNT_PROP_NAME, DEFAULT_COUNT);
    private static final int SECOND_COUNT = Math.max(1, COUNT / 10);
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration RUN = Duration.ofSeconds(180);
    private static final String SIZE = "16-256";

    private final List<JarProcess> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killProcesses()
    {
        processes.forEach(JarProcess::close);
    }

    @Test
    @Timeout(240)
    void shouldDeliverEachPublicationOnceInOrderToEveryMatchingSubscriptionAndNothingElsewhereOverUdp()
    {
        final List<Pub> pubs = List.of(
            new Pub("it-pub-abc", "a.b.c", COUNT),
            new Pub("it-pub-abd", "a.b.d", SECOND_COUNT));
        final List<Sub> subs = List.of(
            new Sub("it-sub-nothing", "x.>"),
            new Sub("it-sub-all-a", "a.>"),
            new Sub("it-sub-any-middle", "a.*.c"),
            new Sub("it-sub-any-last", "a.b.*"),
            new Sub("it-sub-any-first", "*.b.c"),
            new Sub("it-sub-everything", ">"),
            new Sub("it-sub-exact", "a.b.c"),
            new Sub("it-sub-overlapping", "a.b.*", "a.>"),
            new Sub("it-sub-half", "x.y", "*.b.c"));
        runMesh("udp", pubs, subs, (name) -> JarProcess.freeLoopbackAddress(), "127.0.0.1:0");
    }

    @Test
    @Timeout(180)
    void shouldDeliverEachPublicationOnceInOrderToEveryMatchingSubscriptionOverALane()
    {
        final Function<String, String> yard = (name) -> "unix:" + dir.resolve("lane").resolve(name + ".sock");
        final List<Pub> pubs = List.of(new Pub("lane-pub", "a.b.c", COUNT));
        final List<Sub> subs = List.of(
            new Sub("lane-sub-nothing", "x.>"),
            new Sub("lane-sub-all-a", "a.>"),
            new Sub("lane-sub-exact", "a.b.c"),
            new Sub("lane-sub-half", "*", "*.b.c"));
        runMesh("lane", pubs, subs, yard, null);
    }

    @Test
    @Timeout(120)
    void shouldDropTheInterestOfAKilledSubscriberAndGiveItBackWhenItRestartsFromItsKeep()
    {
        final int count = 30_000;
        final String pubAddress = JarProcess.freeLoopbackAddress();
        final String victimKeep = dir.resolve("victim-keep").toString();
        // Silent for 1 s: UNREACHABLE; for 2 s: DEAD, its copies in flight end and its interest is dropped.
        final JarProcess pub = start("pub", "--name", "it-pub", "--bind", pubAddress, "--topic", "a.b.c",
            "--count", String.valueOf(count), "--rate", "2000", "--size", SIZE, "--subscribers", "2",
            "--liveness-timeout-seconds", "1", "--session-timeout-seconds", "2", "--timeout-seconds", "100",
            "--dir", dir.toString());
        pub.awaitLine((line) -> line.startsWith("listening on " + pubAddress), START);
        final JarProcess stay = start("sub", "--name", "it-stay", "--bind", "127.0.0.1:0", "--peer", pubAddress,
            "--topic", "a.>", "--count", String.valueOf(count), "--idle-seconds", "60", "--dir", dir.toString());
        final JarProcess victim = start("sub", "--name", "it-victim", "--keep", victimKeep, "--bind", "127.0.0.1:0",
            "--peer", pubAddress, "--topic", "a.b.c", "--idle-seconds", "60", "--dir", dir.toString());
        final String victimId = estateId(victim.awaitLine((line) -> line.startsWith("listening on "), START));
        victim.awaitLine((line) -> line.startsWith("received "), RUN);

        victim.kill();
        final long killedNs = System.nanoTime();
        pub.awaitLine((line) -> line.equals("subscribers of a.b.c: 1 (was 2)"), Duration.ofSeconds(30));
        final double dropSeconds = (System.nanoTime() - killedNs) / 1e9;
        assertTrue(pub.stdout().contains("estate it-victim (" + victimId + ") DEAD"), pub::transcript);

        final long timesTwoBefore = pub.stdout().lines().filter(PubSubProcessIT::showsTwoSubscribers).count();
        final JarProcess again = start("sub", "--name", "it-victim", "--keep", victimKeep, "--bind", "127.0.0.1:0",
            "--peer", pubAddress, "--topic", "a.b.c", "--idle-seconds", "3", "--dir", dir.toString());
        pub.awaitLines(PubSubProcessIT::showsTwoSubscribers, (int)timesTwoBefore + 1, START);
        final double backSeconds = (System.nanoTime() - killedNs) / 1e9;

        assertEquals(1, pub.awaitExit(RUN), () -> "copies to the killed subscriber ended\n" + pub.transcript());
        assertEquals(0, stay.awaitExit(RUN), stay::transcript);
        assertEquals(0, again.awaitExit(RUN), again::transcript);
        final Map<String, Object> published = pub.lastJson();
        final Map<String, Object> stayed = stay.lastJson();
        final Map<String, Object> returned = again.lastJson();
        System.out.printf("pub/sub, a subscriber killed: its interest dropped %.1f s after the kill, back %.1f s " +
            "after%n  pub %s%n  stay %s%n  again %s%n", dropSeconds, backSeconds, published, stayed, returned);

        assertTrue(pub.stdout().contains("estate it-victim (" + victimId + ") ALIVE"), pub::transcript);
        assertEquals((double)count, published.get("published"), pub::transcript);
        assertEquals(2.0, published.get("subscribers"), pub::transcript);
        assertEquals(2.0, published.get("subscribersAtEnd"), pub::transcript);
        assertEquals(0.0, published.get("skipped"), pub::transcript);
        assertEquals(3.0, published.get("declarations"), "one per estate and session: " + published);
        final double copies = (Double)published.get("copies");
        final double ended = (Double)published.get("failed") + (Double)published.get("uncertain");
        assertEquals(copies, (Double)published.get("delivered") + ended, pub::transcript);
        assertTrue(ended > 0, () -> "the copies in flight to the killed subscriber ended\n" + pub.transcript());

        assertClean(stayed, stay);
        assertEquals((double)count, stayed.get("distinct"), stay::transcript);

        assertClean(returned, again);
        assertEquals(victimId, returned.get("estateId"), "the same estate, from its keep");
        final Map<String, Object> stream = onlyStream(returned, again);
        final double first = (Double)stream.get("first");
        assertTrue(first > 0, () -> "it missed what was published while it was away\n" + again.transcript());
        assertEquals(count - 1.0, stream.get("last"), again::transcript);
        assertEquals(count - first, stream.get("count"), () -> "everything after it rejoined\n" + again.transcript());
        assertEquals(count - first, returned.get("received"), again::transcript);
    }

    @Test
    @Timeout(120)
    void shouldGiveTheLastValueToASubscriberRestartedAfterSigkillAndToALateOne()
    {
        final int count = 500;
        final String pubAddress = JarProcess.freeLoopbackAddress();
        final String keep = dir.resolve("restarted-keep").toString();
        final JarProcess pub = start("pub", "--name", "it-retain", "--bind", pubAddress, "--topic", "a.b.c",
            "--count", String.valueOf(count), "--size", SIZE, "--subscribers", "1", "--retain",
            "--linger-seconds", "100", "--timeout-seconds", "100", "--dir", dir.toString());
        pub.awaitLine((line) -> line.startsWith("listening on " + pubAddress), START);
        final JarProcess first = start("sub", "--name", "it-restarted", "--keep", keep, "--bind", "127.0.0.1:0",
            "--peer", pubAddress, "--topic", "a.b.c", "--idle-seconds", "100", "--dir", dir.toString());
        final String firstId = estateId(first.awaitLine((line) -> line.startsWith("listening on "), START));
        // Lingering comes after every copy's outcome: delivered means the subscriber's application took all 500.
        pub.awaitLine((line) -> line.startsWith("lingering "), RUN);
        first.kill();

        final JarProcess again = start("sub", "--name", "it-restarted", "--keep", keep, "--bind", "127.0.0.1:0",
            "--peer", pubAddress, "--topic", "a.b.c", "--count", "1", "--idle-seconds", "30", "--dir",
            dir.toString());
        final JarProcess late = start("sub", "--name", "it-late", "--bind", "127.0.0.1:0", "--peer", pubAddress,
            "--topic", "a.*.c", "--topic", "x.>", "--count", "1", "--idle-seconds", "30", "--dir", dir.toString());
        assertEquals(0, again.awaitExit(RUN), again::transcript);
        assertEquals(0, late.awaitExit(RUN), late::transcript);
        pub.signal("TERM");
        assertEquals(143, pub.awaitExit(RUN), () -> "128 + SIGTERM, the JVM's status after its shutdown hooks\n" +
            pub.transcript());
        final Map<String, Object> published = pub.lastJson();
        assertEquals(null, published.get("error"), pub::transcript);
        final Map<String, Object> returned = again.lastJson();
        final Map<String, Object> lateResult = late.lastJson();
        System.out.printf("pub/sub, last values: pub %s%n  restarted after SIGKILL %s%n  late %s%n", published,
            returned, lateResult);

        assertEquals((double)count, published.get("published"), pub::transcript);
        assertEquals((double)count, published.get("copies"), "only the first subscriber was there: " + published);
        assertEquals((double)count, published.get("delivered"), "the layer's last values are not copies: " +
            published);
        assertEquals(0.0, (Double)published.get("failed") + (Double)published.get("uncertain"), pub::transcript);
        assertEquals(firstId, returned.get("estateId"), "the same estate, from its keep");
        for (final Map<String, Object> result : List.of(returned, lateResult))
        {
            final JarProcess process = result == returned ? again : late;
            assertClean(result, process);
            assertEquals(1.0, result.get("received"), () -> "the last value, nothing else\n" + process.transcript());
            final Map<String, Object> stream = onlyStream(result, process);
            assertEquals(count - 1.0, stream.get("first"), () -> "the last publication\n" + process.transcript());
            assertEquals(count - 1.0, stream.get("last"), process::transcript);
        }
    }

    private void runMesh(
        final String medium,
        final List<Pub> pubs,
        final List<Sub> subs,
        final Function<String, String> address,
        final String subBind)
    {
        final long startNs = System.nanoTime();
        final List<JarProcess> pubProcesses = new ArrayList<>();
        final List<String> pubAddresses = new ArrayList<>();
        for (final Pub pub : pubs)
        {
            final String bind = address.apply(pub.name);
            pubAddresses.add(bind);
            final JarProcess process = start("pub", "--name", pub.name, "--bind", bind, "--topic", pub.topic,
                "--count", String.valueOf(pub.count), "--size", SIZE, "--subscribers",
                String.valueOf(pub.subscribers(subs)), "--timeout-seconds", "170", "--dir", dir.toString());
            process.awaitLine((line) -> line.startsWith("listening on " + bind), START);
            pubProcesses.add(process);
        }

        // The subscriber that wants nothing joins first, so the publishers know it long before they publish.
        final List<JarProcess> subProcesses = new ArrayList<>();
        for (final Sub sub : subs)
        {
            final List<String> args = new ArrayList<>(List.of("sub", "--name", sub.name, "--bind",
                null == subBind ? address.apply(sub.name) : subBind, "--dir", dir.toString()));
            for (final String pubAddress : pubAddresses)
            {
                args.addAll(List.of("--peer", pubAddress));
            }
            for (final String pattern : sub.patterns)
            {
                args.addAll(List.of("--topic", pattern));
            }
            final long distinct = sub.distinct(pubs);
            args.addAll(0 == distinct ? List.of("--idle-seconds", "600") :
                List.of("--count", String.valueOf(distinct), "--idle-seconds", "120"));
            final JarProcess process = start(args.toArray(new String[0]));
            subProcesses.add(process);
            if (0 == distinct)
            {
                process.awaitLines((line) -> line.endsWith(" JOINED"), pubs.size(), START);
            }
        }

        for (final JarProcess pub : pubProcesses)
        {
            assertEquals(0, pub.awaitExit(RUN), pub::transcript);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        for (int i = 0; i < subs.size(); i++)
        {
            final JarProcess process = subProcesses.get(i);
            if (0 == subs.get(i).distinct(pubs))
            {
                process.signal("TERM");
                process.awaitExit(RUN);
            }
            else
            {
                assertEquals(0, process.awaitExit(RUN), process::transcript);
            }
        }

        System.out.printf("pub/sub over %s, %d publishers, %d subscribers, %.1f s from the first start to the last " +
            "publisher's exit:%n", medium, pubs.size(), subs.size(), seconds);
        for (int i = 0; i < pubs.size(); i++)
        {
            System.out.printf("  %s %s: %s%n", pubs.get(i).name, pubs.get(i).topic, pubProcesses.get(i).lastJson());
        }
        for (int i = 0; i < subs.size(); i++)
        {
            final Map<String, Object> result = subProcesses.get(i).lastJson();
            System.out.printf("  %s %s: received %s, distinct %s, subscriptions %s%n", subs.get(i).name,
                subs.get(i).patterns, result.get("received"), result.get("distinct"), result.get("subscriptions"));
        }

        for (int i = 0; i < pubs.size(); i++)
        {
            assertPublished(pubs.get(i), pubs.get(i).subscribers(subs), pubProcesses.get(i));
        }
        for (int i = 0; i < subs.size(); i++)
        {
            assertReceived(subs.get(i), pubs, subProcesses.get(i));
        }
    }

    private static void assertPublished(final Pub pub, final int subscribers, final JarProcess process)
    {
        final Map<String, Object> result = process.lastJson();
        assertEquals((double)pub.count, result.get("published"), process::transcript);
        assertEquals((double)subscribers, result.get("subscribers"), () -> "the estates whose patterns match " +
            pub.topic + ", and no other\n" + process.transcript());
        assertEquals((double)subscribers, result.get("subscribersAtEnd"), process::transcript);
        assertEquals((double)pub.count * subscribers, result.get("copies"), process::transcript);
        assertEquals((double)pub.count * subscribers, result.get("delivered"), process::transcript);
        assertEquals(0.0, result.get("failed"), process::transcript);
        assertEquals(0.0, result.get("uncertain"), process::transcript);
        assertEquals(0.0, result.get("skipped"), process::transcript);
        assertEquals(0.0, result.get("unrouted"), process::transcript);
        assertEquals((double)subscribers, result.get("declarations"), process::transcript);
    }

    @SuppressWarnings("unchecked")
    private static void assertReceived(final Sub sub, final List<Pub> pubs, final JarProcess process)
    {
        final Map<String, Object> result = process.lastJson();
        assertClean(result, process);
        final long distinct = sub.distinct(pubs);
        assertEquals((double)distinct, result.get("distinct"), process::transcript);
        assertEquals((double)distinct, result.get("publicationsReceived"),
            () -> "one copy per publication reaches the estate, however many of its patterns match\n" +
            process.transcript());
        final List<Object> subscriptions = (List<Object>)result.get("subscriptions");
        assertEquals(sub.patterns.size(), subscriptions.size(), process::transcript);
        long received = 0;
        for (int i = 0; i < sub.patterns.size(); i++)
        {
            final Map<String, Object> subscription = (Map<String, Object>)subscriptions.get(i);
            final long expected = expectedFor(sub.patterns.get(i), pubs);
            received += expected;
            assertEquals(sub.patterns.get(i), subscription.get("pattern"), process::transcript);
            assertEquals((double)expected, subscription.get("received"), () -> sub.patterns + ": every publication " +
                "it matches, once\n" + process.transcript());
        }
        assertEquals((double)received, result.get("received"), process::transcript);
        final Map<String, Object> topics = (Map<String, Object>)result.get("topics");
        for (final Pub pub : pubs)
        {
            final boolean isWanted = sub.wants(pub.topic);
            assertEquals(isWanted ? (Object)(double)pub.count : null, topics.get(pub.topic), process::transcript);
        }
    }

    private static void assertClean(final Map<String, Object> result, final JarProcess process)
    {
        assertEquals(0.0, result.get("duplicates"), process::transcript);
        assertEquals(0.0, result.get("outOfOrder"), process::transcript);
        assertEquals(0.0, result.get("corrupt"), process::transcript);
        assertEquals(0.0, result.get("missing"), process::transcript);
        assertEquals(0.0, result.get("unknownTopicIds"), process::transcript);
        assertNotEquals(null, result.get("estateId"), process::transcript);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> onlyStream(final Map<String, Object> result, final JarProcess process)
    {
        final List<Object> streams = (List<Object>)result.get("streams");
        assertEquals(1, streams.size(), process::transcript);
        return (Map<String, Object>)streams.get(0);
    }

    private static long expectedFor(final String pattern, final List<Pub> pubs)
    {
        long expected = 0;
        for (final Pub pub : pubs)
        {
            expected += matches(pattern, pub.topic) ? pub.count : 0;
        }
        return expected;
    }

    /**
     * spec/PUBSUB.md 1.6 for the patterns of these tests: {@code *} takes one token, a last {@code >} one or more.
     */
    private static boolean matches(final String pattern, final String topic)
    {
        final String[] p = pattern.split("\\.");
        final String[] t = topic.split("\\.");
        for (int i = 0; i < p.length; i++)
        {
            if (">".equals(p[i]))
            {
                return i == p.length - 1 && t.length > i;
            }
            if (i >= t.length || !("*".equals(p[i]) || p[i].equals(t[i])))
            {
                return false;
            }
        }
        return p.length == t.length;
    }

    private static boolean showsTwoSubscribers(final String line)
    {
        return line.startsWith("subscribers of a.b.c: 2");
    }

    private static String estateId(final String listeningLine)
    {
        final int at = listeningLine.indexOf("(estate ") + "(estate ".length();
        return listeningLine.substring(at, at + 16);
    }

    private JarProcess start(final String... args)
    {
        final JarProcess process = JarProcess.start(args);
        processes.add(process);
        return process;
    }

    private static final class Pub
    {
        private final String name;
        private final String topic;
        private final int count;

        Pub(final String name, final String topic, final int count)
        {
            this.name = name;
            this.topic = topic;
            this.count = count;
        }

        int subscribers(final List<Sub> subs)
        {
            int subscribers = 0;
            for (final Sub sub : subs)
            {
                subscribers += sub.wants(topic) ? 1 : 0;
            }
            return subscribers;
        }
    }

    private static final class Sub
    {
        private final String name;
        private final List<String> patterns;

        Sub(final String name, final String... patterns)
        {
            this.name = name;
            this.patterns = List.of(patterns);
        }

        boolean wants(final String topic)
        {
            for (final String pattern : patterns)
            {
                if (matches(pattern, topic))
                {
                    return true;
                }
            }
            return false;
        }

        long distinct(final List<Pub> pubs)
        {
            long distinct = 0;
            for (final Pub pub : pubs)
            {
                distinct += wants(pub.topic) ? pub.count : 0;
            }
            return distinct;
        }
    }
}
