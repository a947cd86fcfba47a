package io.raet4j.pubsub;

import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trie against a brute-force matcher written here from the rules of {@code spec/PUBSUB.md} 1.6: random pattern
 * sets and random topics over a small alphabet (so that matches are frequent), with {@code $raet} first tokens,
 * {@code *} and {@code >}, through random adds and removes and route caches of several sizes (one entry, so that
 * topics evict each other, up to one with room for all). Every topic is matched twice (a trie walk, then usually a
 * route cache hit) from a random place in a buffer full of other bytes.
 * <p>
 * Seeded: a failure prints the seed; rerun it with {@code -Draet4j.pubsub.seed=SEED}.
 */
class SubscriptionTriePropertyTest
{
    private static final String[] TOPIC_TOKENS = {"a", "b", "c", "ab", "$raet"};
    private static final String[] PATTERN_TOKENS = {"a", "b", "c", "$raet", "*", "*"};
    private static final int[][] ROUTE_CACHES = {{0, 1}, {1, 1}, {4, 2}, {64, 3}, {1024, 16}};
    private static final int ROUNDS = 1_500;
    private static final int TOPICS_PER_CHECK = 24;
    private static final int MIN_CASES = 100_000;

    private final long seed = Long.getLong("raet4j.pubsub.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2 * Topics.MAX_NAME_LENGTH_BYTES]);
    private final IntArrayList called = new IntArrayList();
    private final List<Subscription> model = new ArrayList<>();
    private int cases;
    private int casesWithMatches;
    private int systemCases;

    @Test
    void shouldMatchLikeTheBruteForceMatcherThroughAddsAndRemoves()
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final int[] cache = ROUTE_CACHES[round % ROUTE_CACHES.length];
            final SubscriptionTrie trie = new SubscriptionTrie(cache[0], cache[1]);
            model.clear();
            for (int i = 0; i < buffer.capacity(); i++)
            {
                buffer.putByte(i, (byte)".a*>$ ".charAt(random.nextInt(6)));
            }

            addRandom(trie, 1 + random.nextInt(12), round);
            checkTopics(trie, round, "after adds");

            removeRandom(trie, round);
            checkTopics(trie, round, "after removes");

            addRandom(trie, random.nextInt(4), round);
            checkTopics(trie, round, "after more adds");
        }

        assertTrue(cases >= MIN_CASES, () -> "seed " + seed + ": only " + cases + " cases");
        // The generator is meant to make matches frequent and system topics common; a change that stopped it would
        // leave the comparison with little to compare.
        assertTrue(casesWithMatches > cases / 4, () -> "seed " + seed + ": " + casesWithMatches + " cases matched");
        assertTrue(systemCases > cases / 10, () -> "seed " + seed + ": " + systemCases + " system topics");
    }

    private void addRandom(final SubscriptionTrie trie, final int count, final int round)
    {
        for (int i = 0; i < count; i++)
        {
            final Subscription subscription = new Subscription(randomPattern(), randomId());
            final boolean isNew = !model.contains(subscription);
            assertEquals(
                isNew, trie.add(subscription.pattern, subscription.id), () -> describe(round, "add " + subscription));
            if (isNew)
            {
                model.add(subscription);
            }
        }
        assertEquals(model.size(), trie.subscriptionCount(), () -> describe(round, "subscription count"));
    }

    private void removeRandom(final SubscriptionTrie trie, final int round)
    {
        for (int i = 0, attempts = random.nextInt(model.size() + 3); i < attempts; i++)
        {
            // Mostly a subscription that is there, sometimes one that may not be.
            final Subscription subscription = !model.isEmpty() && random.nextInt(4) > 0 ?
                model.get(random.nextInt(model.size())) :
                new Subscription(randomPattern(), randomId());
            final boolean present = model.remove(subscription);
            assertEquals(
                present,
                trie.remove(subscription.pattern, subscription.id),
                () -> describe(round, "remove " + subscription));
        }
        assertEquals(model.size(), trie.subscriptionCount(), () -> describe(round, "subscription count"));
        if (model.isEmpty())
        {
            assertEquals(1, trie.nodeCount(), () -> describe(round, "nodes left with no subscription"));
        }
    }

    private void checkTopics(final SubscriptionTrie trie, final int round, final String stage)
    {
        for (int i = 0; i < TOPICS_PER_CHECK; i++)
        {
            final String topic = randomTopic();
            final String expected = expectedIds(topic);
            assertEquals(expected, matchedIds(trie, topic), () -> describe(round, stage + ", first match of " + topic));
            assertEquals(expected, matchedIds(trie, topic), () -> describe(round, stage + ", again " + topic));
            cases++;
            casesWithMatches += "[]".equals(expected) ? 0 : 1;
            systemCases += topic.startsWith("$raet") ? 1 : 0;
        }
    }

    private String matchedIds(final SubscriptionTrie trie, final String topic)
    {
        final byte[] bytes = topic.getBytes(StandardCharsets.US_ASCII);
        final int offset = random.nextInt(buffer.capacity() - bytes.length + 1);
        buffer.putBytes(offset, bytes);

        called.clear();
        final int count = trie.match(buffer, offset, bytes.length, called::addInt);
        assertEquals(called.size(), count);
        final int[] ids = called.toIntArray();
        Arrays.sort(ids);
        return Arrays.toString(ids);
    }

    private String expectedIds(final String topic)
    {
        final TreeSet<Integer> ids = new TreeSet<>();
        for (final Subscription subscription : model)
        {
            if (matches(subscription.pattern.split("\\."), topic.split("\\.")))
            {
                ids.add(subscription.id);
            }
        }
        return ids.toString();
    }

    // The reference: the rules of spec/PUBSUB.md 1.6, token by token, recursively.
    static boolean matches(final String[] pattern, final String[] topic)
    {
        final boolean firstIsWildcard = "*".equals(pattern[0]) || ">".equals(pattern[0]);
        return !(firstIsWildcard && "$raet".equals(topic[0])) && matchesFrom(pattern, 0, topic, 0);
    }

    private static boolean matchesFrom(final String[] pattern, final int p, final String[] topic, final int t)
    {
        if (p == pattern.length)
        {
            return t == topic.length;
        }
        if (">".equals(pattern[p]))
        {
            return t < topic.length;
        }
        if (t == topic.length)
        {
            return false;
        }
        return ("*".equals(pattern[p]) || pattern[p].equals(topic[t])) && matchesFrom(pattern, p + 1, topic, t + 1);
    }

    private String randomTopic()
    {
        final StringBuilder topic = new StringBuilder();
        for (int i = 0, count = 1 + random.nextInt(4); i < count; i++)
        {
            if (i > 0)
            {
                topic.append('.');
            }
            topic.append(TOPIC_TOKENS[random.nextInt(TOPIC_TOKENS.length)]);
        }
        return topic.toString();
    }

    private String randomPattern()
    {
        final StringBuilder pattern = new StringBuilder();
        final int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                pattern.append('.');
            }
            final boolean full = i == count - 1 && 0 == random.nextInt(3);
            pattern.append(full ? ">" : PATTERN_TOKENS[random.nextInt(PATTERN_TOKENS.length)]);
        }
        return pattern.toString();
    }

    private int randomId()
    {
        // A few small ids so that one id often holds overlapping patterns, and now and then any int.
        return random.nextInt(10) > 0 ? random.nextInt(6) : random.nextInt();
    }

    private String describe(final int round, final String what)
    {
        return "seed " + seed + " (rerun with -Draet4j.pubsub.seed=" + seed + "), round " + round + ", " + what +
            ", subscriptions " + model;
    }

    private record Subscription(String pattern, int id)
    {
        @Override
        public String toString()
        {
            return pattern + "->" + id;
        }
    }
}
