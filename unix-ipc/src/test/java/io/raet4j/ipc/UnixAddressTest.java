package io.raet4j.ipc;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnixAddressTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));

    @Test
    void shouldBeEqualByPathAndUsableAsAMapKey()
    {
        final UnixAddress one = UnixAddress.of("unix:/run/raet/lane/yard.sock");
        final UnixAddress two = UnixAddress.of("unix:/run/raet/lane/../lane/./yard.sock");
        final UnixAddress other = UnixAddress.of("unix:/run/raet/lane/yard2.sock");

        assertEquals(one, two);
        assertEquals(one.hashCode(), two.hashCode());
        assertNotEquals(one, other);
        assertEquals("unix:/run/raet/lane/yard.sock", two.toString());
        assertEquals("/run/raet/lane/yard.sock", two.path());
        assertTrue(one.isPathname());
        assertFalse(one.isAbstract());

        final Map<UnixAddress, String> map = new HashMap<>();
        map.put(one, "yard");
        assertEquals("yard", map.get(two));
    }

    @Test
    void shouldMakeARelativePathAbsolute()
    {
        final UnixAddress relative = UnixAddress.of("unix:lane/yard.sock");

        assertEquals(UnixAddress.ofPath(Path.of("lane", "yard.sock").toAbsolutePath()), relative);
        assertTrue(relative.path().startsWith("/"));
    }

    @Test
    void shouldHoldAnAbstractNameWithALeadingNul()
    {
        final UnixAddress address = UnixAddress.of("unix:@raet-lane");

        assertTrue(address.isAbstract());
        assertEquals("unix:@raet-lane", address.toString());
        assertEquals(0, address.pathBytes()[0]);
        assertEquals(2 + 1 + "raet-lane".length(), address.sockaddrLength());
    }

    @Test
    void shouldCountTheTerminatingNulOfAPathInTheSockaddrLength()
    {
        assertEquals(2 + "/a/b".length() + 1, UnixAddress.of("unix:/a/b").sockaddrLength());
    }

    @Test
    void shouldAcceptTheLongestPathThatFitsSunPath()
    {
        final String longest = "/" + "x".repeat(UnixAddress.MAX_PATH_BYTES - 1);

        assertEquals(longest, UnixAddress.of("unix:" + longest).path());
        assertThrows(IllegalArgumentException.class, () -> UnixAddress.of("unix:" + longest + "y"));
    }

    @Test
    void shouldInternAddressesFoundInABufferAndMatchResolvedOnes()
    {
        final PathAddressCache<UnixAddress> cache = new PathAddressCache<>(16, UnixAddress::copyOf);
        final int length = put(8, "/run/raet/lane/a.sock");

        final UnixAddress first = cache.lookup(buffer, 8, length);
        final UnixAddress second = cache.lookup(buffer, 8, length);

        assertSame(first, second);
        assertEquals(UnixAddress.of("unix:/run/raet/lane/a.sock"), first);
        assertEquals(1, cache.size());
        assertSame(UnixAddress.UNNAMED, cache.lookup(buffer, 8, 0));
    }

    @Test
    void shouldKeepDistinctAddressesApartWhenTheyShareAPrefix()
    {
        final PathAddressCache<UnixAddress> cache = new PathAddressCache<>(1024, UnixAddress::copyOf);
        final UnixAddress[] interned = new UnixAddress[1000];
        for (int i = 0; i < interned.length; i++)
        {
            interned[i] = cache.lookup(buffer, 0, put(0, "/lane/yard-" + i + ".sock"));
        }
        for (int i = 0; i < interned.length; i++)
        {
            final UnixAddress again = cache.lookup(buffer, 0, put(0, "/lane/yard-" + i + ".sock"));
            assertSame(interned[i], again);
            assertEquals("/lane/yard-" + i + ".sock", again.path());
        }
        assertEquals(interned.length, cache.size());
        assertEquals(0, cache.uncachedLookups());
    }

    @Test
    void shouldAllocateEqualAddressesOnceFull()
    {
        final PathAddressCache<UnixAddress> cache = new PathAddressCache<>(2, UnixAddress::copyOf);
        cache.lookup(buffer, 0, put(0, "/a"));
        cache.lookup(buffer, 0, put(0, "/b"));

        final UnixAddress firstC = cache.lookup(buffer, 0, put(0, "/c"));
        final UnixAddress secondC = cache.lookup(buffer, 0, put(0, "/c"));

        assertNotSame(firstC, secondC);
        assertEquals(firstC, secondC);
        assertEquals(2, cache.uncachedLookups());
        assertEquals(2, cache.size());
        assertSame(cache.lookup(buffer, 0, put(0, "/a")), cache.lookup(buffer, 0, put(0, "/a")));
    }

    private int put(final int offset, final String path)
    {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(offset, bytes);
        return bytes.length;
    }
}
