package io.raet4j.examples;

import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import io.raet4j.transport.JvmFlags;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Entry point of {@code raet4j.jar}: {@code java -jar raet4j.jar <command> [options]}. Dispatches to a
 * {@link Command}, maps bad arguments to exit status 2 and runtime failures to 1, each with one line on stderr and
 * never a stack trace, and holds the helpers the commands share.
 */
public final class Main
{
    /** Exit status of a successful run. */
    public static final int EXIT_OK = 0;
    /** Exit status of a runtime failure. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of bad arguments. */
    public static final int EXIT_USAGE = 2;

    /** Liveness timeout of the command-line stacks: a silent peer is reported unreachable after this. */
    static final long CLI_LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);
    /** Keepalive interval of the command-line stacks. */
    static final long CLI_KEEPALIVE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** Usage lines of the options every networked command shares. */
    static final String COMMON_OPTIONS =
        "  --dir DIR            parent of the stack's status directory (default " +
        "${java.io.tmpdir}/raet4j-${user.name})\n" +
        "  --idle spin|yield|backoff  idle strategy of the invoker loop\n";

    private static final List<Supplier<Command>> COMMANDS = List.of(
        DemoCommand::new, SendCommand::new, RecvCommand::new, PubCommand::new, SubCommand::new, RequestCommand::new,
        ReplyCommand::new, MeshCommand::new, ReactorCommand::new, RxJavaCommand::new,
        PingCommand::new, PongCommand::new, StatCommand::new, KeysCommand::new);

    private Main()
    {
    }

    /**
     * Run a command and exit with its status.
     *
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        try
        {
            JvmFlags.check();
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("raet4j: error: " + ex.getMessage());
            System.exit(EXIT_FAILED);
        }
        final int status = run(args, System.out, System.err);
        System.out.flush();
        StopSignal.finished();
        System.exit(status);
    }

    /**
     * Run a command without exiting: the testable entry point.
     *
     * @param args the command and its options.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit status: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (0 == args.length)
        {
            err.println("raet4j: missing command (try --help)");
            return EXIT_USAGE;
        }
        if (isHelp(args[0]))
        {
            out.print(usage());
            return EXIT_OK;
        }

        final Command command = commands().get(args[0]);
        if (null == command)
        {
            err.println("raet4j: unknown command '" + args[0] + "' (try --help)");
            return EXIT_USAGE;
        }

        final String[] tokens = Arrays.copyOfRange(args, 1, args.length);
        for (final String token : tokens)
        {
            if ("--help".equals(token) || "-h".equals(token))
            {
                out.print(command.usage());
                return EXIT_OK;
            }
        }

        try
        {
            return command.run(Args.parse(command.name(), tokens, command.maxOperands()), out, err);
        }
        catch (final Args.UsageException ex)
        {
            err.println(ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final RuntimeException ex)
        {
            final String message = oneLine(ex);
            err.println("raet4j " + command.name() + ": error: " + message);
            out.println(new Json().put("error", message));
            return EXIT_FAILED;
        }
        finally
        {
            out.flush();
            err.flush();
        }
    }

    /**
     * Usage of the whole tool.
     *
     * @return the usage text.
     */
    static String usage()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("usage: java -jar raet4j.jar <command> [options]     (<command> --help for its options)\n\n");
        for (final Command command : commands().values())
        {
            sb.append(String.format("  %-6s %s%n", command.name(), command.summary()));
        }
        sb.append("\nEach command prints progress lines and, last, one line of JSON with its result.\n")
            .append("Exit status: 0 success, 1 runtime failure, 2 bad arguments.\n");
        return sb.toString();
    }

    /**
     * A context for a command-line stack: short liveness timeout so a dead peer is noticed quickly, unless the
     * system properties of {@link StackContext} say otherwise.
     *
     * @param name         of the estate.
     * @param bindAddress  {@code host:port}.
     * @param statusParent parent of the status directory, or null for the default.
     * @return the context, not concluded.
     */
    static StackContext cliContext(final String name, final String bindAddress, final Path statusParent)
    {
        final Context transport = new Context()
            .name(name)
            .bindAddress(bindAddress);
        if (null != statusParent)
        {
            transport.statusDir(statusParent.resolve(name + "-" + ProcessHandle.current().pid()));
        }
        return new StackContext(transport)
            .livenessTimeoutNs(CLI_LIVENESS_TIMEOUT_NS)
            .keepaliveIntervalNs(CLI_KEEPALIVE_INTERVAL_NS);
    }

    /**
     * A context for a command-line stack as {@link #cliContext(String, String, Path)} makes it, with the identity
     * and security options of the command applied.
     *
     * @param name         of the estate.
     * @param bindAddress  {@code host:port}.
     * @param statusParent parent of the status directory, or null for the default.
     * @param options      {@code --keep}, {@code --accept} and {@code --no-encryption}.
     * @return the context, not concluded.
     */
    static StackContext cliContext(
        final String name, final String bindAddress, final Path statusParent, final StackOptions options)
    {
        return options.applyTo(cliContext(name, bindAddress, statusParent));
    }

    /**
     * The {@code --dir} option: parent of the stack's status directory.
     *
     * @param args of the command.
     * @return the directory, or null when not given.
     */
    static Path statusParent(final Args args)
    {
        return args.has("--dir") ? Path.of(args.string("--dir", null)) : null;
    }

    /**
     * The {@code --idle} option.
     *
     * @param args         of the command.
     * @param defaultAlias {@code spin}, {@code yield} or {@code backoff}.
     * @return the idle strategy.
     */
    static IdleStrategy idleStrategy(final Args args, final String defaultAlias)
    {
        final String alias = args.string("--idle", defaultAlias);
        switch (alias)
        {
            case "spin":
                return new BusySpinIdleStrategy();
            case "yield":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MICROSECONDS.toNanos(100));
            default:
                throw new Args.UsageException(args.command(), "--idle must be spin, yield or backoff, was '" +
                    alias + "'");
        }
    }

    /**
     * Describe an idle strategy for the progress output.
     *
     * @param idle strategy in use.
     * @return a human-readable description.
     */
    static String describe(final IdleStrategy idle)
    {
        if (idle instanceof BusySpinIdleStrategy)
        {
            return "busy spin (invoker mode: this thread spins on the duty cycle and keeps one core busy)";
        }
        if (idle instanceof YieldingIdleStrategy)
        {
            return "yield (invoker mode: Thread.yield when a cycle did no work)";
        }
        return "backoff (invoker mode: spin, then yield, then park up to 100 us when idle)";
    }

    /**
     * Format an address as {@code host:port}, IPv6 as {@code [addr]:port}.
     *
     * @param address to format.
     * @return the text.
     */
    static String format(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress)
        {
            final InetSocketAddress inet = (InetSocketAddress)address;
            final InetAddress ip = inet.getAddress();
            if (null == ip)
            {
                return inet.getHostString() + ":" + inet.getPort();
            }
            final boolean isV6 = ip instanceof Inet6Address;
            final String host = ip.isAnyLocalAddress() ? (isV6 ? "::" : "0.0.0.0") : ip.getHostAddress();
            return (isV6 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * An estate id as every command prints it, in text and JSON alike: 16 lower-case hex digits.
     *
     * @param id the estate id.
     * @return the id in hex.
     */
    static String id(final long id)
    {
        return String.format("%016x", id);
    }

    /**
     * One line saying what went wrong, without a stack trace.
     *
     * @param ex what was thrown.
     * @return its message, or its type if it has none.
     */
    static String oneLine(final Throwable ex)
    {
        final String message = null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * A fresh instance of every command by name: commands keep per-run state.
     */
    private static Map<String, Command> commands()
    {
        final Map<String, Command> byName = new LinkedHashMap<>();
        for (final Supplier<Command> factory : COMMANDS)
        {
            final Command command = factory.get();
            byName.put(command.name(), command);
        }
        return byName;
    }

    private static boolean isHelp(final String token)
    {
        return "--help".equals(token) || "-h".equals(token) || "help".equals(token);
    }
}
