package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Namespaces are made and removed completely, and what a dead run left is found and removed.
 */
@Timeout(60)
class NetworkNamespacesLifecycleTest
{
    @Test
    void shouldLeaveNoNamespaceBehindWhenClosed()
    {
        assumeNamespaces();
        final NetworkNamespaces net = NetworkNamespaces.create(3, "10.77.1");
        final String prefix = net.prefix();
        assertEquals(4, ownedBy(prefix).size(), "three hosts and the switch");
        assertTrue(net.host(3).exec("ip", "-br", "addr").stdout().contains("10.77.1.3/24"));

        net.close();
        net.close();

        assertEquals(List.of(), ownedBy(prefix));
    }

    @Test
    void shouldRemoveTheNamespacesOfDeadProcessesAndKeepThoseOfLiveOnes()
    {
        assumeNamespaces();
        final long deadPid = deadPid();
        final String stale = NetworkNamespaces.PREFIX + deadPid + "-0-h1";
        Exec.check("ip", "netns", "add", stale);
        try (NetworkNamespaces live = NetworkNamespaces.create(1, "10.77.2"))
        {
            final List<String> removed = NetworkNamespaces.cleanupStale();

            assertTrue(removed.contains(stale), removed::toString);
            assertFalse(NetworkNamespaces.listNamespaces().contains(stale));
            assertEquals(2, ownedBy(live.prefix()).size(), "a live run's namespaces stay");
        }
        finally
        {
            Exec.run(List.of("ip", "netns", "delete", stale));
        }
    }

    @Test
    void shouldRefuseASubnetThatIsNotPrivate()
    {
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespaces.create(2, "8.8.8"));
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespaces.create(2, "10.77"));
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespaces.create(0));
    }

    private static void assumeNamespaces()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespace tests skipped: " + reason);
    }

    private static List<String> ownedBy(final String prefix)
    {
        return NetworkNamespaces.listNamespaces().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    /**
     * The pid of a process that has just exited, so no live process has it (barring reuse within the test).
     */
    private static long deadPid()
    {
        final Exec.Result result = Exec.run(List.of("sh", "-c", "echo $$"), Duration.ofSeconds(10));
        final long pid = Long.parseLong(result.stdout().strip());
        Await.until(() -> ProcessHandle.of(pid).isEmpty(), Duration.ofSeconds(5), () -> "pid " + pid + " gone");
        return pid;
    }
}
