package io.raet4j.examples;

import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The identity and security options shared by the networked commands ({@code send}, {@code recv}, {@code pub},
 * {@code sub}, {@code ping}, {@code pong}): {@code --keep}, {@code --accept}, {@code --no-encryption}, and for the
 * commands that join one peer ({@code send}, {@code ping}) {@code --pin}. Read and validated together with the other options, before anything starts, so a bad value is a
 * usage error (exit status 2); an option left out leaves the {@link Context} default in place.
 * <p>
 * Immutable once read.
 */
final class StackOptions
{
    /** Length of an Ed25519 public key, in bytes. */
    static final int SIGNING_KEY_LENGTH = 32;

    /** Usage lines of the options every networked command shares. */
    static final String USAGE =
        "  --keep DIR           keep directory: this estate's identity and the remote estates it knows\n" +
        "                       (default: a temporary keep, deleted on exit, so a new identity every run)\n" +
        "  --accept always|once|never  acceptance of estates that join (default once): always accept;\n" +
        "                       once: accept a name's first keys, refuse other keys for it later; never: keep\n" +
        "                       them pending until an operator runs keys accept NAME --keep DIR\n" +
        "  --no-encryption      send data in clear text with only a CRC32C: for benchmarks only; both ends\n" +
        "                       must say it\n" +
        "  --lane unix:PATH     also bind a yard on a lane (Unix-domain datagram socket PATH), beside --bind:\n" +
        "                       one stack reaches yards (unix:PATH) and estates (HOST:PORT) alike\n" +
        "  --lane shm:PATH      the same on a shared-memory lane: the yard's inbox is the mapped file PATH\n" +
        "                       (shm:NAME: /dev/shm/raet4j-USER/NAME); reaches shm: yards\n" +
        "  --lane-encryption    seal lane packets too (default: clear, the kernel is the only carrier)\n" +
        "Timeouts (seconds; time this process itself is stopped or paused does not count):\n" +
        "  --keepalive-seconds S         send an alive probe after S s without sending to a peer (default " +
        seconds(Main.CLI_KEEPALIVE_INTERVAL_NS) + ")\n" +
        "  --liveness-timeout-seconds S  a peer silent this long is reported UNREACHABLE; its session and the\n" +
        "                                messages in flight are kept (default " +
        seconds(Main.CLI_LIVENESS_TIMEOUT_NS) + ")\n" +
        "  --session-timeout-seconds S   a peer silent this long is DEAD: its session ends, and each message in\n" +
        "                                flight ends failed if it was never sent whole, else uncertain (default " +
        seconds(StackContext.SESSION_TIMEOUT_DEFAULT_NS) + ")\n" +
        "  --message-timeout-seconds S   a message not confirmed delivered this long after its offer ends the\n" +
        "                                peer's session (default " +
        seconds(StackContext.MESSAGE_TIMEOUT_DEFAULT_NS) + ")\n" +
        "  --join-timeout-seconds S      a join not answered this long fails, saying why (default " +
        seconds(StackContext.JOIN_TIMEOUT_DEFAULT_NS) + ")\n";

    /** Usage line of {@code --pin}, for the joining commands. */
    static final String PIN_USAGE =
        "  --pin HEX            join only if the peer proves it holds this Ed25519 signing key: 64 hex digits,\n" +
        "                       as keys keygen or keys list print it (default: any key)\n";

    private static final HexFormat HEX = HexFormat.of();

    private final Path keepDir;
    private final String acceptPolicy;
    private final boolean encryption;
    private final byte[] pinnedSigningKey;
    private String laneAddress;
    private boolean laneEncryption;
    private long keepaliveIntervalNs = Main.CLI_KEEPALIVE_INTERVAL_NS;
    private long livenessTimeoutNs = Main.CLI_LIVENESS_TIMEOUT_NS;
    private long sessionTimeoutNs = StackContext.SESSION_TIMEOUT_DEFAULT_NS;
    private long messageTimeoutNs = StackContext.MESSAGE_TIMEOUT_DEFAULT_NS;
    private long joinTimeoutNs = StackContext.JOIN_TIMEOUT_DEFAULT_NS;

    private StackOptions(
        final Path keepDir, final String acceptPolicy, final boolean encryption, final byte[] pinnedSigningKey)
    {
        this.keepDir = keepDir;
        this.acceptPolicy = acceptPolicy;
        this.encryption = encryption;
        this.pinnedSigningKey = pinnedSigningKey;
    }

    /**
     * Read the options of a command.
     *
     * @param args     of the command.
     * @param isJoiner true for a command that joins a peer, which alone takes {@code --pin}.
     * @return the options.
     * @throws Args.UsageException if a value is bad.
     */
    static StackOptions read(final Args args, final boolean isJoiner)
    {
        final Path keepDir = args.has("--keep") ? path(args, "--keep") : null;
        final String acceptPolicy = args.has("--accept") ? acceptPolicy(args) : null;
        final boolean encryption = !args.flag("--no-encryption");
        final byte[] pinnedSigningKey = isJoiner && args.has("--pin") ? signingKey(args, "--pin") : null;
        final StackOptions options = new StackOptions(keepDir, acceptPolicy, encryption, pinnedSigningKey);
        if (args.has("--lane"))
        {
            options.laneAddress = args.address("--lane", null, false);
            if (!Args.isLaneAddress(options.laneAddress))
            {
                throw new Args.UsageException(args.command(), "--lane must be unix:PATH or shm:PATH, was '" +
                    options.laneAddress + "'");
            }
        }
        options.laneEncryption = args.flag("--lane-encryption");
        options.keepaliveIntervalNs = args.seconds(
            "--keepalive-seconds", Main.CLI_KEEPALIVE_INTERVAL_NS / 1e9, 0.001, 3600);
        options.livenessTimeoutNs = args.seconds(
            "--liveness-timeout-seconds", Main.CLI_LIVENESS_TIMEOUT_NS / 1e9, 0.002, 86_400);
        options.sessionTimeoutNs = args.seconds(
            "--session-timeout-seconds", StackContext.SESSION_TIMEOUT_DEFAULT_NS / 1e9, 0.002, 86_400);
        options.messageTimeoutNs = args.seconds(
            "--message-timeout-seconds", StackContext.MESSAGE_TIMEOUT_DEFAULT_NS / 1e9, 0.001, 86_400);
        options.joinTimeoutNs = args.seconds(
            "--join-timeout-seconds", StackContext.JOIN_TIMEOUT_DEFAULT_NS / 1e9, 0.001, 86_400);
        if (options.livenessTimeoutNs <= options.keepaliveIntervalNs)
        {
            throw new Args.UsageException(args.command(), "--liveness-timeout-seconds (" +
                seconds(options.livenessTimeoutNs) + ") must exceed --keepalive-seconds (" +
                seconds(options.keepaliveIntervalNs) + ")");
        }
        if (options.sessionTimeoutNs < options.livenessTimeoutNs)
        {
            // A session timeout given alone below the default liveness timeout brings the liveness timeout down.
            if (args.has("--liveness-timeout-seconds"))
            {
                throw new Args.UsageException(args.command(), "--session-timeout-seconds (" +
                    seconds(options.sessionTimeoutNs) + ") must be at least --liveness-timeout-seconds (" +
                    seconds(options.livenessTimeoutNs) + ")");
            }
            options.livenessTimeoutNs = options.sessionTimeoutNs;
            options.keepaliveIntervalNs = Math.min(options.keepaliveIntervalNs, options.livenessTimeoutNs / 2);
        }
        return options;
    }

    /**
     * Set the options that were given on a context.
     *
     * @param ctx not concluded.
     * @return the context.
     */
    StackContext applyTo(final StackContext ctx)
    {
        if (null != keepDir)
        {
            ctx.keepDir(keepDir);
        }
        if (null != acceptPolicy)
        {
            ctx.acceptPolicy(acceptPolicy);
        }
        if (!encryption)
        {
            ctx.encryption(false);
        }
        if (null != laneAddress)
        {
            ctx.transport().laneAddress(laneAddress);
        }
        if (laneEncryption)
        {
            ctx.laneEncryption(true);
        }
        return ctx
            .keepaliveIntervalNs(keepaliveIntervalNs)
            .livenessTimeoutNs(livenessTimeoutNs)
            .sessionTimeoutNs(sessionTimeoutNs)
            .messageTimeoutNs(messageTimeoutNs)
            .joinTimeoutNs(joinTimeoutNs);
    }

    /**
     * The {@code --keep} directory.
     *
     * @return the directory, or null for a temporary keep.
     */
    Path keepDir()
    {
        return keepDir;
    }

    /**
     * The {@code --accept} policy.
     *
     * @return {@code always}, {@code once} or {@code never}, or null when not given.
     */
    String acceptPolicy()
    {
        return acceptPolicy;
    }

    /**
     * Whether packets are encrypted: false only with {@code --no-encryption}.
     *
     * @return true unless turned off.
     */
    boolean encryption()
    {
        return encryption;
    }

    /**
     * The {@code --pin} key.
     *
     * @return a copy of the 32-byte Ed25519 public key, or null when not given.
     */
    byte[] pinnedSigningKey()
    {
        return null == pinnedSigningKey ? null : pinnedSigningKey.clone();
    }

    /**
     * One line for the progress output of a launched stack: its identity and how it treats others.
     *
     * @param stack launched with these options.
     * @return the line.
     */
    String describe(final Stack stack)
    {
        final StackContext ctx = stack.context();
        return "identity: estate " + Main.id(stack.estateId()) + ", signing key " +
            hex(stack.signingKey()) + ", keep " + stack.keepDir() +
            (null == ctx.keepDir() ? " (temporary, deleted on exit)" : "") + ", accept " + ctx.acceptPolicy() +
            ", encryption " + (ctx.encryption() ? "on" : "OFF (benchmarks only)") +
            (null == pinnedSigningKey ? "" : ", peer pinned to " + hex(pinnedSigningKey));
    }

    /**
     * The join timeout, {@code --join-timeout-seconds}.
     *
     * @return nanoseconds.
     */
    long joinTimeoutNs()
    {
        return joinTimeoutNs;
    }

    /**
     * A duration in seconds, for usage lines and messages.
     *
     * @param ns the duration.
     * @return seconds, without a trailing ".0" for whole seconds.
     */
    static String seconds(final long ns)
    {
        final double seconds = ns / 1e9;
        return seconds == Math.rint(seconds) ? String.valueOf((long)seconds) : String.valueOf(seconds);
    }

    /**
     * Hex of a signing key, as the JSON results and the keys command print it.
     *
     * @param key the raw key.
     * @return lower-case hex.
     */
    static String hex(final byte[] key)
    {
        return HEX.formatHex(key);
    }

    private static Path path(final Args args, final String name)
    {
        final String text = args.string(name, null);
        try
        {
            return Path.of(text);
        }
        catch (final InvalidPathException ex)
        {
            throw new Args.UsageException(args.command(), name + " is not a valid path: '" + text + "'");
        }
    }

    private static String acceptPolicy(final Args args)
    {
        final String policy = args.string("--accept", null);
        switch (policy)
        {
            case "always":
            case "once":
            case "never":
                return policy;
            default:
                throw new Args.UsageException(
                    args.command(), "--accept must be always, once or never, was '" + policy + "'");
        }
    }

    private static byte[] signingKey(final Args args, final String name)
    {
        final String text = args.string(name, null);
        if (text.length() != 2 * SIGNING_KEY_LENGTH)
        {
            throw new Args.UsageException(args.command(), name + " must be " + 2 * SIGNING_KEY_LENGTH +
                " hex digits (a " + SIGNING_KEY_LENGTH + "-byte Ed25519 public key), was " + text.length() +
                " characters");
        }
        try
        {
            return HEX.parseHex(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new Args.UsageException(args.command(), name + " must be hex digits (0-9, a-f), was '" + text + "'");
        }
    }
}
