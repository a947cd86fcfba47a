package io.raet4j.ipc;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedMemoryAddressTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));

    @Test
    void shouldBeEqualByPathAndUsableAsAMapKey()
    {
        final SharedMemoryAddress one = SharedMemoryAddress.of("shm:/dev/shm/raet/yard-a");
        final SharedMemoryAddress two = SharedMemoryAddress.of("shm:/dev/shm/raet/../raet/./yard-a");
        final SharedMemoryAddress other = SharedMemoryAddress.of("shm:/dev/shm/raet/yard-b");

        assertEquals(one, two);
        assertEquals(one.hashCode(), two.hashCode());
        assertNotEquals(one, other);
        assertNotEquals(one, UnixAddress.of("unix:/dev/shm/raet/yard-a"));
        assertEquals("shm:/dev/shm/raet/yard-a", two.toString());
        assertSame(two.toString(), two.toString(), "the written form is built once");
        assertEquals("/dev/shm/raet/yard-a", two.path());

        final Map<SharedMemoryAddress, String> map = new HashMap<>();
        map.put(one, "yard");
        assertEquals("yard", map.get(two));
    }

    @Test
    void shouldMakeARelativePathAbsolute()
    {
        final SharedMemoryAddress relative = SharedMemoryAddress.of("shm:./lane/yard-a");

        assertEquals(SharedMemoryAddress.ofPath(Path.of("lane", "yard-a").toAbsolutePath()), relative);
        assertTrue(relative.path().startsWith("/"));
    }

    @Test
    void shouldPutABareNameInTheDefaultDirectoryOfTheUser()
    {
        final SharedMemoryAddress bare = SharedMemoryAddress.of("shm:yard-a");

        assertEquals("shm:/dev/shm/raet4j-" + System.getProperty("user.name") + "/yard-a", bare.toString());
        assertEquals(SharedMemoryAddress.defaultDirectory().resolve("yard-a").toString(), bare.path());
    }

    @Test
    void shouldTakeTheDefaultDirectoryFromItsSystemProperty()
    {
        final String before = System.getProperty(SharedMemoryAddress.DIRECTORY_PROP_NAME);
        System.setProperty(SharedMemoryAddress.DIRECTORY_PROP_NAME, "/run/user/raet/../raet-lanes");
        try
        {
            assertEquals("shm:/run/user/raet-lanes/yard-a", SharedMemoryAddress.of("shm:yard-a").toString());
        }
        finally
        {
            if (null == before)
            {
                System.clearProperty(SharedMemoryAddress.DIRECTORY_PROP_NAME);
            }
            else
            {
                System.setProperty(SharedMemoryAddress.DIRECTORY_PROP_NAME, before);
            }
        }
    }

    @Test
    void shouldRejectAddressesThatNameNoInboxFile()
    {
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of(null));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:"));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:/"));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:."));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:.."));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("unix:/tmp/yard"));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("127.0.0.1:7000"));
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:/tmp/a\0b"));
    }

    @Test
    void shouldAcceptTheLongestPathAndNoLonger()
    {
        final String longest = "/" + "x".repeat(SharedMemoryAddress.MAX_PATH_BYTES - 1);

        assertEquals(longest, SharedMemoryAddress.of("shm:" + longest).path());
        assertThrows(IllegalArgumentException.class, () -> SharedMemoryAddress.of("shm:" + longest + "y"));
        assertThrows(IllegalArgumentException.class,
            () -> SharedMemoryAddress.of("shm:/" + "\u00e9".repeat(SharedMemoryAddress.MAX_PATH_BYTES / 2)),
            "the limit is in UTF-8 bytes, not characters");
    }

    @Test
    void shouldInternSourcesFoundInABufferAndMatchResolvedOnes()
    {
        final PathAddressCache<SharedMemoryAddress> cache =
            new PathAddressCache<>(16, SharedMemoryAddress::copyOf);
        final int length = put(8, "/dev/shm/raet/yard-a");

        final SharedMemoryAddress first = cache.lookup(buffer, 8, length);
        final SharedMemoryAddress second = cache.lookup(buffer, 8, length);

        assertSame(first, second);
        assertEquals(SharedMemoryAddress.of("shm:/dev/shm/raet/yard-a"), first);
        assertEquals(SharedMemoryAddress.of("shm:/dev/shm/raet/yard-a").hashCode(), first.hashCode());
        assertEquals(1, cache.size());
        assertNotEquals(first, cache.lookup(buffer, 8, put(8, "/dev/shm/raet/yard-b")));
        assertEquals(2, cache.size());
    }

    private int put(final int offset, final String path)
    {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(offset, bytes);
        return bytes.length;
    }
}
