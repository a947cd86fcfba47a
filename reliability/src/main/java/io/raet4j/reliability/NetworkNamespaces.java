package io.raet4j.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts for partition tests: network namespaces, each with one interface ({@code eth0}) on a private /24, all
 * plugged into a bridge that lives in a namespace of its own (the switch). Nothing is created in the root namespace:
 * each veth pair is made with its ends already in the host and the switch, so deleting the namespaces removes every
 * link, and a run can neither clash with the machine's interfaces nor with another run (the subnet is private to the
 * switch of each run).
 * <p>
 * Faults, all silent for the sender (no error returned by {@code sendto}, no ICMP):
 * <ul>
 *     <li>{@link #linkDown(Host)}: the host's port on the switch goes down, as if its cable were pulled at the
 *     switch; its interface keeps its address and routes but has no carrier, so nothing gets in or out.</li>
 *     <li>{@link #block(Host, Host)}: datagrams from one host to another are dropped, the other way still works.
 *     Neither {@code nft} nor {@code iptables} is needed: the sending host is given a permanent neighbour entry that
 *     maps the receiver's address to a MAC no interface has, so its frames are flooded by the bridge and discarded by
 *     every host as addressed to another. The receiver's answers and ARP are unaffected.</li>
 *     <li>{@link #partition(Host, Host)}: both directions between two hosts, others unaffected.</li>
 * </ul>
 * Names are <code>r4j-&lt;pid&gt;-&lt;n&gt;-sw</code> and <code>r4j-&lt;pid&gt;-&lt;n&gt;-h&lt;i&gt;</code>: the pid
 * of the JVM that made them, so {@link #cleanupStale()} can remove what a dead run left, and never what a live one
 * uses. A shutdown hook closes whatever is still open when the JVM exits.
 * <p>
 * Needs root and iproute2 ({@code ip netns}); {@link #unavailableReason()} says why not before a test starts.
 * <p>
 * Thread safe: changes are made by {@code ip} commands under this object's lock.
 */
public final class NetworkNamespaces implements AutoCloseable
{
    /** Start of every namespace name made here. */
    public static final String PREFIX = "r4j-";
    /** Network of the hosts unless another is given: host i has {@code 10.77.0.i}. */
    public static final String DEFAULT_SUBNET = "10.77.0";
    /** Name of each host's interface. */
    public static final String HOST_INTERFACE = "eth0";
    /** A locally administered unicast MAC no interface here has: frames sent to it are dropped by every host. */
    public static final String NOWHERE_MAC = "02:72:34:6a:00:00";
    /** Most hosts in one set, so each has an address in the /24 and the switch's port names stay short. */
    public static final int MAX_HOSTS = 250;

    private static final Pattern OWN_NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");
    private static final Pattern SUBNET = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Set<NetworkNamespaces> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final String BRIDGE = "br0";
    private static String unavailableReason;
    private static boolean isChecked;

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(NetworkNamespaces::closeAllOpen, "r4j-netns-cleanup"));
    }

    private final String prefix;
    private final String switchName;
    private final List<Host> hosts;
    private final Set<String> blocks = new LinkedHashSet<>();
    private final Set<Host> downLinks = new LinkedHashSet<>();
    private final List<String> created = new ArrayList<>();
    private boolean isClosed;

    /**
     * One host: a network namespace with an address on the switch.
     *
     * @param index   from 1.
     * @param name    of its namespace.
     * @param address its IPv4 address, without a prefix length.
     * @param port    name of its port on the switch.
     */
    public record Host(int index, String name, String address, String port)
    {
        /**
         * The host's address with a port, as a command's {@code --bind} or {@code --peer} takes it.
         *
         * @param udpPort the port.
         * @return {@code ADDRESS:PORT}.
         */
        public String address(final int udpPort)
        {
            return address + ":" + udpPort;
        }

        /**
         * A command that runs inside this host: {@code ip netns exec NAME command...}. The command keeps the pid
         * that {@code ip} had, so signals reach it directly.
         *
         * @param command and its arguments.
         * @return the wrapped command.
         */
        public List<String> wrap(final List<String> command)
        {
            final List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
            wrapped.addAll(command);
            return wrapped;
        }

        /**
         * Run a short command inside this host to completion.
         *
         * @param command and its arguments.
         * @return what it did.
         */
        public Exec.Result exec(final String... command)
        {
            return Exec.run(wrap(List.of(command)));
        }

        /**
         * The host as tests print it.
         *
         * @return e.g. {@code h1 (10.77.0.1 in r4j-123-0-h1)}.
         */
        @Override
        public String toString()
        {
            return "h" + index + " (" + address + " in " + name + ")";
        }
    }

    private NetworkNamespaces(final int hostCount, final String subnet)
    {
        prefix = PREFIX + ProcessHandle.current().pid() + "-" + INSTANCES.getAndIncrement() + "-";
        switchName = prefix + "sw";
        final List<Host> made = new ArrayList<>();
        for (int i = 1; i <= hostCount; i++)
        {
            made.add(new Host(i, prefix + "h" + i, subnet + "." + i, "p" + i));
        }
        hosts = List.copyOf(made);
    }

    /**
     * Why namespaces cannot be made here, checked once: not root, no {@code ip}, or {@code ip netns add} refused.
     *
     * @return the reason, or null when they can be made.
     */
    public static synchronized String unavailableReason()
    {
        if (!isChecked)
        {
            isChecked = true;
            unavailableReason = checkAvailable();
        }
        return unavailableReason;
    }

    /**
     * Make hosts on {@value #DEFAULT_SUBNET}.0/24.
     *
     * @param hostCount number of hosts, 1..{@value #MAX_HOSTS}.
     * @return the hosts, joined by the switch, every link up.
     * @throws IllegalStateException if a command fails; what was made is removed first.
     */
    public static NetworkNamespaces create(final int hostCount)
    {
        return create(hostCount, DEFAULT_SUBNET);
    }

    /**
     * Make hosts on a private /24.
     *
     * @param hostCount number of hosts, 1..{@value #MAX_HOSTS}.
     * @param subnet    first three octets, e.g. {@code 10.77.0}; host i gets {@code subnet.i}.
     * @return the hosts, joined by the switch, every link up.
     * @throws IllegalStateException if a command fails; what was made is removed first.
     */
    public static NetworkNamespaces create(final int hostCount, final String subnet)
    {
        if (hostCount < 1 || hostCount > MAX_HOSTS)
        {
            throw new IllegalArgumentException("hostCount must be 1.." + MAX_HOSTS + ", was " + hostCount);
        }
        final Matcher matcher = SUBNET.matcher(subnet);
        if (!matcher.matches() || !isPrivate(matcher))
        {
            throw new IllegalArgumentException("subnet must be the first three octets of a private /24 " +
                "(10.x.y, 172.16-31.x, 192.168.x), was '" + subnet + "'");
        }
        final NetworkNamespaces namespaces = new NetworkNamespaces(hostCount, subnet);
        OPEN.add(namespaces);
        try
        {
            namespaces.build();
        }
        catch (final RuntimeException ex)
        {
            namespaces.close();
            throw ex;
        }
        return namespaces;
    }

    /**
     * Remove namespaces a dead JVM left behind: every {@value #PREFIX}{@code <pid>-...} namespace whose pid is no
     * longer a live process. The links went with them, since none is made outside a namespace.
     *
     * @return the names removed.
     */
    public static List<String> cleanupStale()
    {
        final List<String> removed = new ArrayList<>();
        for (final String name : listNamespaces())
        {
            final Matcher matcher = OWN_NAME.matcher(name);
            if (matcher.matches())
            {
                final long pid = Long.parseLong(matcher.group(1));
                final boolean isLive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!isLive && Exec.run(List.of("ip", "netns", "delete", name)).isOk())
                {
                    removed.add(name);
                }
            }
        }
        return removed;
    }

    /**
     * The names of every network namespace on the machine.
     *
     * @return the names, as {@code ip netns list} gives them.
     */
    public static List<String> listNamespaces()
    {
        final List<String> names = new ArrayList<>();
        for (final String line : Exec.check("ip", "netns", "list").split("\n"))
        {
            if (!line.isBlank())
            {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }

    /**
     * The hosts.
     *
     * @return in order, h1 first.
     */
    public List<Host> hosts()
    {
        return hosts;
    }

    /**
     * One host.
     *
     * @param index from 1.
     * @return the host.
     */
    public Host host(final int index)
    {
        if (index < 1 || index > hosts.size())
        {
            throw new IllegalArgumentException("host index must be 1.." + hosts.size() + ", was " + index);
        }
        return hosts.get(index - 1);
    }

    /**
     * The start of every namespace name of this set.
     *
     * @return e.g. {@code r4j-1234-0-}.
     */
    public String prefix()
    {
        return prefix;
    }

    /**
     * The namespace of the switch, where the bridge and the hosts' ports are.
     *
     * @return its name.
     */
    public String switchName()
    {
        return switchName;
    }

    /**
     * Cut a host off: its port on the switch goes down, so nothing reaches it or leaves it. Silent for its
     * processes: their sends succeed and go nowhere.
     *
     * @param host to cut off.
     */
    public synchronized void linkDown(final Host host)
    {
        requireOwn(host);
        ip("-n", switchName, "link", "set", host.port(), "down");
        downLinks.add(host);
    }

    /**
     * Plug a host in again.
     *
     * @param host to reconnect.
     */
    public synchronized void linkUp(final Host host)
    {
        requireOwn(host);
        ip("-n", switchName, "link", "set", host.port(), "up");
        downLinks.remove(host);
    }

    /**
     * Drop what one host sends to another; the other way keeps working. Silent for the sender.
     *
     * @param from the host whose datagrams are dropped.
     * @param to   the host they no longer reach.
     */
    public synchronized void block(final Host from, final Host to)
    {
        requireOwn(from);
        requireOwn(to);
        if (from.equals(to))
        {
            throw new IllegalArgumentException("a host cannot be blocked from itself: " + from);
        }
        ip("-n", from.name(), "neigh", "replace", to.address(), "lladdr", NOWHERE_MAC, "dev", HOST_INTERFACE,
            "nud", "permanent");
        blocks.add(from.index() + ">" + to.index());
    }

    /**
     * Let one host reach another again after {@link #block(Host, Host)}: the neighbour entry goes, and the next
     * datagram resolves the real address.
     *
     * @param from the host that was blocked.
     * @param to   the host it could not reach.
     */
    public synchronized void unblock(final Host from, final Host to)
    {
        requireOwn(from);
        requireOwn(to);
        if (blocks.remove(from.index() + ">" + to.index()))
        {
            ip("-n", from.name(), "neigh", "del", to.address(), "dev", HOST_INTERFACE);
        }
    }

    /**
     * Drop everything between two hosts, both ways; other hosts still reach both.
     *
     * @param a one host.
     * @param b the other.
     */
    public synchronized void partition(final Host a, final Host b)
    {
        block(a, b);
        block(b, a);
    }

    /**
     * Undo {@link #partition(Host, Host)}.
     *
     * @param a one host.
     * @param b the other.
     */
    public synchronized void heal(final Host a, final Host b)
    {
        unblock(a, b);
        unblock(b, a);
    }

    /**
     * Undo every fault: every link up, every block removed.
     */
    public synchronized void healAll()
    {
        for (final Host host : new ArrayList<>(downLinks))
        {
            linkUp(host);
        }
        for (final String block : new ArrayList<>(blocks))
        {
            final String[] ends = block.split(">");
            unblock(host(Integer.parseInt(ends[0])), host(Integer.parseInt(ends[1])));
        }
    }

    /**
     * Remove every namespace of this set, and with them their links. Processes still running inside keep a
     * namespace alive until they exit, without a name; stop them first. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        final List<String> failures = new ArrayList<>();
        for (int i = created.size() - 1; i >= 0; i--)
        {
            final Exec.Result result = Exec.run(List.of("ip", "netns", "delete", created.get(i)));
            if (!result.isOk())
            {
                failures.add(result.describe());
            }
        }
        created.clear();
        OPEN.remove(this);
        if (!failures.isEmpty())
        {
            throw new IllegalStateException("could not remove every namespace: " + failures);
        }
    }

    /**
     * The set as tests print it.
     *
     * @return the prefix and the hosts.
     */
    @Override
    public String toString()
    {
        return prefix + "* " + hosts;
    }

    private synchronized void build()
    {
        addNamespace(switchName);
        ip("-n", switchName, "link", "set", "lo", "up");
        ip("-n", switchName, "link", "add", BRIDGE, "type", "bridge");
        ip("-n", switchName, "link", "set", BRIDGE, "up");
        for (final Host host : hosts)
        {
            addNamespace(host.name());
            ip("-n", host.name(), "link", "set", "lo", "up");
            ip("link", "add", "name", HOST_INTERFACE, "netns", host.name(), "type", "veth",
                "peer", "name", host.port(), "netns", switchName);
            ip("-n", switchName, "link", "set", host.port(), "master", BRIDGE);
            ip("-n", switchName, "link", "set", host.port(), "up");
            ip("-n", host.name(), "addr", "add", host.address() + "/24", "dev", HOST_INTERFACE);
            ip("-n", host.name(), "link", "set", HOST_INTERFACE, "up");
        }
    }

    private void addNamespace(final String name)
    {
        ip("netns", "add", name);
        created.add(name);
    }

    private void requireOwn(final Host host)
    {
        if (isClosed || !hosts.contains(host))
        {
            throw new IllegalArgumentException(host + " is not an open host of " + prefix + "*");
        }
    }

    private static void ip(final String... args)
    {
        final String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        Exec.check(command);
    }

    private static boolean isPrivate(final Matcher octets)
    {
        final int a = Integer.parseInt(octets.group(1));
        final int b = Integer.parseInt(octets.group(2));
        final int c = Integer.parseInt(octets.group(3));
        final boolean isInRange = a <= 255 && b <= 255 && c <= 255;
        return isInRange && (10 == a || (172 == a && b >= 16 && b <= 31) || (192 == a && 168 == b));
    }

    private static String checkAvailable()
    {
        try
        {
            final String uid = Exec.check("id", "-u").strip();
            if (!"0".equals(uid))
            {
                return "network namespaces need root, and this runs as uid " + uid;
            }
            if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip")) &&
                !Exec.run(List.of("ip", "-V")).isOk())
            {
                return "iproute2's ip command is not installed";
            }
            final String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
            final Exec.Result add = Exec.run(List.of("ip", "netns", "add", probe));
            if (!add.isOk())
            {
                return "ip netns add failed: " + add.describe();
            }
            final Exec.Result veth = Exec.run(List.of("ip", "-n", probe, "link", "add", "name", "va", "type",
                "veth", "peer", "name", "vb"));
            final Exec.Result delete = Exec.run(List.of("ip", "netns", "delete", probe));
            if (!veth.isOk())
            {
                return "veth pairs cannot be made: " + veth.describe();
            }
            if (!delete.isOk())
            {
                return "ip netns delete failed: " + delete.describe();
            }
            return null;
        }
        catch (final IllegalStateException ex)
        {
            return "cannot run the commands namespaces need: " + ex.getMessage();
        }
    }

    private static void closeAllOpen()
    {
        final List<NetworkNamespaces> open;
        synchronized (OPEN)
        {
            open = new ArrayList<>(OPEN);
        }
        for (final NetworkNamespaces namespaces : open)
        {
            try
            {
                namespaces.close();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("r4j: " + ex.getMessage());
            }
        }
    }
}
