package io.raet4j.pubsub;

import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The matcher: subscriptions as a set of (pattern, id) pairs, one callback per matching id, system topics, pruning,
 * the route cache and its invalidation, and misuse from inside a callback.
 */
class SubscriptionTrieTest
{
    private final SubscriptionTrie trie = new SubscriptionTrie();

    @Test
    void shouldCallBackAnIdOnceWhenSeveralOfItsPatternsMatch()
    {
        trie.add("a.*", 7);
        trie.add("a.>", 7);
        trie.add(">", 7);
        trie.add("a.b", 7);
        trie.add("*.b", 7);

        for (int i = 0; i < 3; i++)
        {
            assertArrayEquals(new int[]{7}, match("a.b"), "round " + i);
        }
        assertArrayEquals(new int[]{7}, match("a.b.c"));
        assertArrayEquals(new int[]{7}, match("x"));
    }

    @Test
    void shouldCallBackEachMatchingIdOnce()
    {
        trie.add("a.b", 1);
        trie.add("a.*", 2);
        trie.add("a.>", 3);
        trie.add("*.b", 4);
        trie.add("b.>", 5);
        trie.add("a.b.c", 6);
        trie.add("a", 7);

        assertArrayEquals(new int[]{1, 2, 3, 4}, match("a.b"));
        assertArrayEquals(new int[]{3, 6}, match("a.b.c"));
        assertArrayEquals(new int[]{7}, match("a"));
        assertArrayEquals(new int[]{}, match("c"));
        assertArrayEquals(new int[]{5}, match("b.a"));
    }

    @Test
    void shouldKeepASubscriptionOnceHoweverOftenItIsAdded()
    {
        assertTrue(trie.add("a.>", 1));
        final long version = trie.version();
        assertFalse(trie.add("a.>", 1));
        assertEquals(version, trie.version(), "nothing changed");
        assertEquals(1, trie.subscriptionCount());
        assertTrue(trie.add("a.*", 1), "another pattern, even an overlapping one, is another subscription");
        assertEquals(2, trie.subscriptionCount());
        assertEquals(1, trie.subscriberCount());

        assertTrue(trie.remove("a.>", 1));
        assertArrayEquals(new int[]{1}, match("a.b"), "a.* still holds");
        assertArrayEquals(new int[]{}, match("a.b.c"));
    }

    @Test
    void shouldRemoveOnlyWhatIsThere()
    {
        trie.add("a.b.c", 1);
        final long version = trie.version();
        assertFalse(trie.remove("a.b.c", 2), "unknown id");
        assertFalse(trie.remove("a.b", 1), "a prefix of the pattern");
        assertFalse(trie.remove("a.b.c.d", 1), "longer than the pattern");
        assertFalse(trie.remove("a.b.>", 1), "the '>' subscribers of a node on the path");
        assertFalse(trie.remove("a.*.c", 1), "no '*' node");
        assertEquals(version, trie.version());
        assertEquals(1, trie.subscriptionCount());
        assertArrayEquals(new int[]{1}, match("a.b.c"));
    }

    @Test
    void shouldTakeOutNodesNoSubscriptionNeeds()
    {
        trie.add("a.b.c", 1);
        trie.add("a.*.c", 1);
        trie.add("a.b.>", 2);
        trie.add("x.y", 3);
        assertEquals(8, trie.nodeCount());

        assertTrue(trie.remove("a.b.c", 1));
        assertEquals(7, trie.nodeCount(), "a.b stays for a.b.>");
        assertTrue(trie.remove("a.b.>", 2));
        assertEquals(6, trie.nodeCount(), "a stays for a.*.c");
        assertTrue(trie.remove("x.y", 3));
        assertTrue(trie.remove("a.*.c", 1));
        assertEquals(1, trie.nodeCount(), "the root alone");
        assertEquals(0, trie.subscriptionCount());
        assertEquals(0, trie.subscriberCount());
        assertArrayEquals(new int[]{}, match("a.b.c"));
    }

    @Test
    void shouldReuseSlotsOfIdsThatLeft()
    {
        for (int round = 0; round < 5; round++)
        {
            for (int id = 0; id < 100; id++)
            {
                trie.add("t." + (id % 10), id * 1000 + round);
            }
            final int[] expected = new int[10];
            for (int i = 0; i < 10; i++)
            {
                expected[i] = 10 * i * 1000 + round;
            }
            assertArrayEquals(expected, match("t.0"), "round " + round);
            assertEquals(100, trie.subscriberCount());
            for (int id = 0; id < 100; id++)
            {
                assertTrue(trie.remove("t." + (id % 10), id * 1000 + round));
            }
            assertEquals(0, trie.subscriberCount());
        }
        assertEquals(1, trie.nodeCount());
    }

    @Test
    void shouldTakeAnyIntAsAnId()
    {
        trie.add("a", Integer.MIN_VALUE);
        trie.add("a", -1);
        trie.add("a", 0);
        trie.add("a", Integer.MAX_VALUE);
        assertArrayEquals(new int[]{Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, match("a"));
        assertTrue(trie.remove("a", -1));
        assertArrayEquals(new int[]{Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, match("a"));
    }

    @Test
    void shouldKeepWildcardsOfTheFirstTokenAwayFromSystemTopics()
    {
        trie.add(">", 1);
        trie.add("*", 2);
        trie.add("*.stack", 3);
        trie.add("*.>", 4);
        trie.add("$raet.>", 5);
        trie.add("$raet.*", 6);
        trie.add("$raet", 7);
        trie.add("$raet.stack.>", 8);

        assertArrayEquals(new int[]{5, 6}, match("$raet.stack"));
        assertArrayEquals(new int[]{5, 8}, match("$raet.stack.joined"));
        assertArrayEquals(new int[]{7}, match("$raet"));
        assertArrayEquals(new int[]{1, 2}, match("$raetx"));
        assertArrayEquals(new int[]{1, 3, 4}, match("x.stack"));
        assertArrayEquals(new int[]{1, 4}, match("a.$raet"));
    }

    @Test
    void shouldRefuseAnInvalidTopicWithoutThrowingOrCallingBack()
    {
        trie.add(">", 1);
        final Recorder recorder = new Recorder();

        assertEquals(TopicError.EMPTY_TOKEN, recorder.matchIn(trie, "a..b"));
        assertEquals(TopicError.WILDCARD_IN_TOPIC, recorder.matchIn(trie, "a.*"));
        assertEquals(TopicError.WILDCARD_IN_TOPIC, recorder.matchIn(trie, ">"));
        assertEquals(TopicError.SPACE, recorder.matchIn(trie, "a b"));
        assertEquals(TopicError.NON_ASCII, recorder.matchIn(trie, "caf\u00e9"));
        assertEquals(TopicError.NON_ASCII, recorder.matchIn(trie, "a\ud800"), "not turned into a valid 'a?'");
        assertEquals(TopicError.TOO_LONG, recorder.matchIn(trie, "a".repeat(256)));
        assertEquals(TopicError.EMPTY, recorder.matchIn(trie, ""));
        assertEquals(0, recorder.ids.size());

        assertEquals(1, trie.match("a", recorder));
        assertEquals(TopicError.OK, trie.lastError(), "reset by a valid topic");
    }

    @Test
    void shouldRefuseAnInvalidPatternWholeAndKeepNothingOfIt()
    {
        final long version = trie.version();
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> trie.add("a.b.>.c", 1));
        assertEquals(
            "pattern \"a.b.>.c\": '>' at byte 4 is not the last token; '>' may only end a pattern",
            refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trie.add(null, 1));
        assertThrows(IllegalArgumentException.class, () -> trie.add("a..b", 1));
        assertThrows(IllegalArgumentException.class, () -> trie.remove("a b", 1));

        assertEquals(1, trie.nodeCount());
        assertEquals(0, trie.subscriptionCount());
        assertEquals(version, trie.version());
    }

    @Test
    void shouldReadTheTopicBetweenOffsetAndLength()
    {
        trie.add("a.b", 1);
        trie.add("a.b.c", 2);
        trie.add("x.a.b", 3);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putStringWithoutLengthAscii(3, "x.a.b.c.d");
        final Recorder recorder = new Recorder();

        assertEquals(1, trie.match(buffer, 5, 3, recorder));
        assertEquals(1, trie.match(buffer, 5, 5, recorder));
        assertEquals(1, trie.match(buffer, 3, 5, recorder));
        assertEquals(0, trie.match(buffer, 5, 7, recorder));
        assertEquals(SubscriptionTrie.INVALID_TOPIC, trie.match(buffer, 5, 4, recorder));
        assertEquals(TopicError.TRAILING_DOT, trie.lastError());
        assertEquals(SubscriptionTrie.INVALID_TOPIC, trie.match(buffer, 5, -3, recorder));
        assertEquals(TopicError.EMPTY, trie.lastError());
        assertArrayEquals(new int[]{1, 2, 3}, recorder.sorted());
    }

    @Test
    void shouldMatchTopicsAndPatternsOfTheMostTokens()
    {
        final String topic = String.join(".", Collections.nCopies(Topics.MAX_TOKENS, "t"));
        final String pattern = "*." + String.join(".", Collections.nCopies(Topics.MAX_TOKENS - 2, "t")) + ".>";
        trie.add(topic, 1);
        trie.add(pattern, 2);
        trie.add("t.>", 3);
        assertArrayEquals(new int[]{1, 2, 3}, match(topic));
        assertArrayEquals(new int[]{3}, match(topic.substring(2)));
    }

    @Test
    void shouldFindEachOfManyLiteralChildren()
    {
        for (int i = 0; i < 2000; i++)
        {
            trie.add("c" + i + ".x", i);
        }
        for (int i = 0; i < 2000; i += 7)
        {
            assertArrayEquals(new int[]{i}, match("c" + i + ".x"), "child " + i);
        }
        for (int i = 0; i < 2000; i += 2)
        {
            trie.remove("c" + i + ".x", i);
        }
        for (int i = 0; i < 2000; i++)
        {
            assertArrayEquals(0 == i % 2 ? new int[]{} : new int[]{i}, match("c" + i + ".x"), "child " + i);
        }
        assertArrayEquals(new int[]{}, match("c2000.x"));
    }

    @Test
    void shouldAnswerARepeatedTopicFromTheRouteCache()
    {
        trie.add("a.*", 1);
        trie.add("a.b", 2);
        assertArrayEquals(new int[]{1, 2}, match("a.b"));
        assertEquals(0, trie.routeCacheHits());
        assertEquals(1, trie.routeCacheMisses());

        assertArrayEquals(new int[]{1, 2}, match("a.b"));
        assertArrayEquals(new int[]{1, 2}, match("a.b"));
        assertEquals(2, trie.routeCacheHits());
        assertEquals(1, trie.routeCacheMisses());

        assertArrayEquals(new int[]{}, match("zz"));
        assertArrayEquals(new int[]{}, match("zz"));
        assertEquals(3, trie.routeCacheHits(), "an empty route is cached too");
    }

    @Test
    void shouldForgetCachedRoutesWhenSubscriptionsChange()
    {
        trie.add("a.*", 1);
        assertArrayEquals(new int[]{1}, match("a.b"));
        assertArrayEquals(new int[]{1}, match("a.b"));

        trie.add("a.>", 2);
        assertArrayEquals(new int[]{1, 2}, match("a.b"));
        trie.remove("a.*", 1);
        assertArrayEquals(new int[]{2}, match("a.b"));
        trie.remove("a.>", 2);
        assertArrayEquals(new int[]{}, match("a.b"));
        assertEquals(4, trie.routeCacheMisses());
        assertFalse(trie.remove("a.>", 2));
        assertArrayEquals(new int[]{}, match("a.b"));
        assertEquals(4, trie.routeCacheMisses(), "a remove that changed nothing keeps the cache");
    }

    @Test
    void shouldRouteThroughTheTrieWhenARouteHasTooManyIdsToCache()
    {
        final SubscriptionTrie small = new SubscriptionTrie(8, 2);
        small.add("a", 1);
        small.add("a", 2);
        small.add("a", 3);
        assertArrayEquals(new int[]{1, 2, 3}, match(small, "a"));
        assertArrayEquals(new int[]{1, 2, 3}, match(small, "a"));
        assertEquals(0, small.routeCacheHits());
        small.remove("a", 3);
        assertArrayEquals(new int[]{1, 2}, match(small, "a"));
        assertArrayEquals(new int[]{1, 2}, match(small, "a"));
        assertEquals(1, small.routeCacheHits());
    }

    @Test
    void shouldStayCorrectWhenTopicsEvictEachOtherFromTheCache()
    {
        final SubscriptionTrie one = new SubscriptionTrie(1, 4);
        one.add("a.*", 1);
        one.add("b.*", 2);
        one.add("*.x", 3);
        for (int i = 0; i < 10; i++)
        {
            assertArrayEquals(new int[]{1, 3}, match(one, "a.x"));
            assertArrayEquals(new int[]{2, 3}, match(one, "b.x"));
            assertArrayEquals(new int[]{1}, match(one, "a.xy"));
            assertArrayEquals(new int[]{1}, match(one, "a.xx"));
        }
        assertEquals(0, one.routeCacheHits(), "one entry, four topics in turn");
        assertArrayEquals(new int[]{1}, match(one, "a.xx"));
        assertEquals(1, one.routeCacheHits());
    }

    @Test
    void shouldMatchWithoutARouteCache()
    {
        final SubscriptionTrie uncached = new SubscriptionTrie(0, 1);
        uncached.add("a.>", 1);
        assertArrayEquals(new int[]{1}, match(uncached, "a.b"));
        assertArrayEquals(new int[]{1}, match(uncached, "a.b"));
        assertEquals(0, uncached.routeCacheHits());
        assertEquals(2, uncached.routeCacheMisses());
    }

    @Test
    void shouldRefuseRouteCacheSizesOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new SubscriptionTrie(-1, 1));
        assertThrows(IllegalArgumentException.class,
            () -> new SubscriptionTrie(SubscriptionTrie.MAX_ROUTE_CACHE_ENTRIES + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SubscriptionTrie(16, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new SubscriptionTrie(16, SubscriptionTrie.MAX_ROUTE_CACHE_MAX_IDS + 1));
        new SubscriptionTrie(3, 1).add("a", 1);
    }

    @Test
    void shouldRefuseChangesAndMatchesFromInsideACallback()
    {
        final SubscriptionTrie uncached = new SubscriptionTrie(0, 1);
        for (final SubscriptionTrie matcher : new SubscriptionTrie[]{uncached, trie})
        {
            matcher.add("a", 1);
            match(matcher, "a");
            assertThrows(IllegalStateException.class, () -> matcher.match("a", (id) -> matcher.add("b", 2)));
            assertThrows(IllegalStateException.class, () -> matcher.match("a", (id) -> matcher.remove("a", 1)));
            assertThrows(IllegalStateException.class, () -> matcher.match("a", (id) -> matcher.match("a", (x) -> {})));
            assertEquals(1, matcher.subscriptionCount());
            assertArrayEquals(new int[]{1}, match(matcher, "a"), "usable after a callback threw");
        }
        assertEquals(0, uncached.routeCacheHits(), "the trie walk's callbacks");
        assertEquals(4, trie.routeCacheHits(), "the route cache's callbacks");
    }

    @Test
    void shouldCollectIdsAgainAfterTheGenerationWrapsAround() throws ReflectiveOperationException
    {
        final SubscriptionTrie uncached = new SubscriptionTrie(0, 1);
        uncached.add("a", 1);
        assertArrayEquals(new int[]{1}, match(uncached, "a"), "marked with generation 1");

        final Field generation = SubscriptionTrie.class.getDeclaredField("generation");
        generation.setAccessible(true);
        generation.setInt(uncached, -1);
        assertArrayEquals(new int[]{1}, match(uncached, "a"), "the next generation is 1 again, after the marks reset");
        assertArrayEquals(new int[]{1}, match(uncached, "a"));
    }

    private int[] match(final String topic)
    {
        return match(trie, topic);
    }

    // Matches through a buffer with other bytes around the topic; checks the count against the callbacks and that no
    // id is called back twice.
    static int[] match(final SubscriptionTrie trie, final String topic)
    {
        final byte[] bytes = topic.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 6]);
        buffer.putStringWithoutLengthAscii(0, "x.");
        buffer.putBytes(2, bytes);
        buffer.putStringWithoutLengthAscii(2 + bytes.length, ".y.z");

        final Recorder recorder = new Recorder();
        final int count = trie.match(buffer, 2, bytes.length, recorder);
        assertEquals(TopicError.OK, trie.lastError(), topic);
        assertEquals(recorder.ids.size(), count, topic);
        final int[] ids = recorder.sorted();
        for (int i = 1; i < ids.length; i++)
        {
            if (ids[i - 1] == ids[i])
            {
                fail("id " + ids[i] + " called back twice for " + topic);
            }
        }
        return ids;
    }

    static final class Recorder implements IntConsumer
    {
        final IntArrayList ids = new IntArrayList();

        @Override
        public void accept(final int id)
        {
            ids.addInt(id);
        }

        int[] sorted()
        {
            final int[] sorted = ids.toIntArray();
            Arrays.sort(sorted);
            return sorted;
        }

        TopicError matchIn(final SubscriptionTrie trie, final String topic)
        {
            assertEquals(SubscriptionTrie.INVALID_TOPIC, trie.match(topic, this), topic);
            return trie.lastError();
        }
    }
}
