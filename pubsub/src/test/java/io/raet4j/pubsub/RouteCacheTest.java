package io.raet4j.pubsub;

import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route cache on its own, where hashes can be forced to collide: a route is found only for the very bytes, length
 * and version it was stored with.
 */
class RouteCacheTest
{
    private static final int HASH = 0x5eed;

    private final RouteCache cache = new RouteCache(4, 3);
    private final IntArrayList emitted = new IntArrayList();

    @Test
    void shouldFindARouteOnlyForTheSameBytesUnderTheSameHash()
    {
        store("abcdefgh.1", 1, 10, 11);
        assertEquals(HASH & 3, find("abcdefgh.1", 1));
        assertEquals(-1, find("abcdefgh.2", 1), "differs in the tail after the first eight bytes");
        assertEquals(-1, find("abcdefgX.1", 1), "differs in the first eight bytes");
        assertEquals(-1, find("abcdefgh.1x", 1), "longer");
        assertEquals(-1, find("abcdefgh.", 1), "shorter");
        assertEquals(-1, find("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z", 1), "far longer");
        assertEquals(-1, find("abcdefgh.1", 2), "a later version");

        final UnsafeBuffer elsewhere = new UnsafeBuffer(new byte[32]);
        elsewhere.putStringWithoutLengthAscii(7, "abcdefgh.1");
        assertEquals(HASH & 3, cache.find(elsewhere, 7, 10, HASH, 1), "the same bytes at another offset");
    }

    @Test
    void shouldHandOverTheStoredIds()
    {
        store("a.b", 1, 10, 11, 12);
        assertEquals(3, cache.emit(find("a.b", 1), emitted::addInt));
        assertArrayEquals(new int[]{10, 11, 12}, emitted.toIntArray());

        store("short", 1);
        emitted.clear();
        assertEquals(0, cache.emit(find("short", 1), emitted::addInt), "an empty route");
        assertEquals(-1, find("a.b", 1), "overwritten: one place per hash");
    }

    @Test
    void shouldNotStoreARouteWithMoreIdsThanItHoldsAndKeepWhatWasThere()
    {
        store("a.b", 1, 10);
        store("a.c", 1, 1, 2, 3, 4);
        assertEquals(-1, find("a.c", 1));
        assertTrue(find("a.b", 1) >= 0);
    }

    @Test
    void shouldStoreNothingWhenDisabled()
    {
        final RouteCache none = new RouteCache(0, 1);
        assertFalse(none.isEnabled());
        final UnsafeBuffer topic = buffer("a");
        none.store(topic, 0, 1, HASH, 1, new int[]{1}, 1);
        assertEquals(-1, none.find(topic, 0, 1, HASH, 1));
    }

    @Test
    void shouldHashTheSameBytesTheSameWhereverTheyAre()
    {
        final UnsafeBuffer a = new UnsafeBuffer(new byte[64]);
        a.putStringWithoutLengthAscii(3, "sensor.kitchen.temp");
        final UnsafeBuffer b = buffer("sensor.kitchen.temp");
        assertEquals(RouteCache.hash(b, 0, 19), RouteCache.hash(a, 3, 19));
        assertFalse(RouteCache.hash(b, 0, 19) == RouteCache.hash(b, 0, 18));
    }

    private void store(final String topic, final long version, final int... ids)
    {
        cache.store(buffer(topic), 0, topic.length(), HASH, version, ids, ids.length);
    }

    private int find(final String topic, final long version)
    {
        return cache.find(buffer(topic), 0, topic.length(), HASH, version);
    }

    private static UnsafeBuffer buffer(final String topic)
    {
        return new UnsafeBuffer(topic.getBytes(StandardCharsets.US_ASCII));
    }
}
