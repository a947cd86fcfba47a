package io.raet4j.examples;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one command, {@code --name value}, {@code --name=value} or a bare {@code --flag}, read by typed
 * accessors that validate as they go. An option may be given once, except those read as a list ({@link #strings},
 * {@link #addresses}), which may be repeated. Every problem is a {@link UsageException} whose message is one line
 * meant for the user; a command reads every option it knows first and then calls {@link #requireAllUsed()}, so that
 * bad arguments are refused before anything starts.
 * <p>
 * NOT thread safe; control plane only.
 */
public final class Args
{
    /** Prefix of a lane address: {@code unix:} then the yard's socket path. */
    public static final String LANE_PREFIX = "unix:";

    /** Prefix of a shared-memory lane address: {@code shm:} then the yard's inbox path, or a bare name. */
    public static final String SHM_LANE_PREFIX = "shm:";

    /** Prefix of a road address on the batching UDP media (raet4j-unix-ipc): {@code udp:} then {@code HOST:PORT}. */
    public static final String BATCHED_UDP_PREFIX = "udp:";

    private final String command;
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> used = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();

    private Args(final String command)
    {
        this.command = command;
    }

    /**
     * Parse the tokens after the command name.
     *
     * @param command name, for messages.
     * @param tokens  options with their values.
     * @return the parsed options.
     * @throws UsageException on a token that is not an option.
     */
    public static Args parse(final String command, final String[] tokens)
    {
        return parse(command, tokens, 0);
    }

    /**
     * Parse the tokens after the command name, taking up to {@code maxOperands} tokens that are neither an option
     * nor an option's value as operands, in order (as {@code keys accept NAME}).
     *
     * @param command     name, for messages.
     * @param tokens      operands and options with their values.
     * @param maxOperands most operands accepted.
     * @return the parsed options and operands; an option given twice is refused when it is read, unless it is read
     *         as a list.
     * @throws UsageException on an operand too many.
     */
    public static Args parse(final String command, final String[] tokens, final int maxOperands)
    {
        final Args args = new Args(command);
        int i = 0;
        while (i < tokens.length)
        {
            final String token = tokens[i++];
            if (!token.startsWith("--") || token.length() == 2)
            {
                if (args.operands.size() < maxOperands && !token.startsWith("-"))
                {
                    args.operands.add(token);
                    continue;
                }
                throw new UsageException(command, "unexpected argument '" + token + "'");
            }
            final int equals = token.indexOf('=');
            final String name;
            final String value;
            if (equals > 0)
            {
                name = token.substring(0, equals);
                value = token.substring(equals + 1);
            }
            else if (i < tokens.length && !tokens[i].startsWith("--"))
            {
                name = token;
                value = tokens[i++];
            }
            else
            {
                name = token;
                value = null;
            }
            args.options.computeIfAbsent(name, (ignore) -> new ArrayList<>(1)).add(value);
        }
        return args;
    }

    /**
     * Name of the command the options belong to.
     *
     * @return the command name.
     */
    public String command()
    {
        return command;
    }

    /**
     * The operands, tokens that are neither an option nor an option's value, in command line order.
     *
     * @return the operands, none unless parsed with room for them.
     */
    public List<String> operands()
    {
        return List.copyOf(operands);
    }

    /**
     * Whether a flag is present. A flag takes no value.
     *
     * @param name of the flag, with its dashes.
     * @return true if given.
     * @throws UsageException if the flag was given a value.
     */
    public boolean flag(final String name)
    {
        used.add(name);
        if (!options.containsKey(name))
        {
            return false;
        }
        final String value = single(name);
        if (null != value)
        {
            throw new UsageException(command, name + " takes no value, was given '" + value + "'");
        }
        return true;
    }

    /**
     * Check that every required option was given, reporting all that are missing at once (a user fixes the command
     * line in one go, not one option per run). Call before reading the options.
     *
     * @param names of the required options, with their dashes.
     * @throws UsageException naming every missing option.
     */
    public void require(final String... names)
    {
        final List<String> missing = new ArrayList<>();
        for (final String name : names)
        {
            if (!options.containsKey(name))
            {
                missing.add(name);
            }
        }
        if (1 == missing.size())
        {
            throw new UsageException(command, "missing required option " + missing.get(0));
        }
        if (!missing.isEmpty())
        {
            throw new UsageException(command, "missing required options " +
                String.join(", ", missing.subList(0, missing.size() - 1)) + " and " + missing.get(missing.size() - 1));
        }
    }

    /**
     * A string option.
     *
     * @param name         of the option, with its dashes.
     * @param defaultValue when absent; null makes the option required.
     * @return the value.
     * @throws UsageException if required and absent, or given without a value.
     */
    public String string(final String name, final String defaultValue)
    {
        used.add(name);
        if (!options.containsKey(name))
        {
            if (null == defaultValue)
            {
                throw new UsageException(command, "missing required option " + name);
            }
            return defaultValue;
        }
        return requireValue(name, single(name));
    }

    /**
     * An option that may be given any number of times, each time with a value.
     *
     * @param name of the option, with its dashes.
     * @return its values in command line order, none when absent.
     * @throws UsageException if given without a value.
     */
    public List<String> strings(final String name)
    {
        used.add(name);
        final List<String> values = options.get(name);
        if (null == values)
        {
            return List.of();
        }
        final List<String> checked = new ArrayList<>(values.size());
        for (final String value : values)
        {
            checked.add(requireValue(name, value));
        }
        return checked;
    }

    /**
     * Whether an option was given at all.
     *
     * @param name of the option, with its dashes.
     * @return true if present.
     */
    public boolean has(final String name)
    {
        return options.containsKey(name);
    }

    /**
     * An integer option within a range.
     *
     * @param name         of the option.
     * @param defaultValue when absent; null makes it required.
     * @param min          smallest value accepted.
     * @param max          largest value accepted.
     * @return the value.
     * @throws UsageException if absent and required, not a number, or out of range.
     */
    public long number(final String name, final Long defaultValue, final long min, final long max)
    {
        final String text = string(name, null == defaultValue ? null : String.valueOf(defaultValue));
        return parseNumber(name, text, min, max);
    }

    /**
     * A duration in seconds, fractions allowed, within a range.
     *
     * @param name           of the option.
     * @param defaultSeconds when absent.
     * @param minSeconds     smallest value accepted.
     * @param maxSeconds     largest value accepted.
     * @return the value in nanoseconds.
     * @throws UsageException if not a number or out of range.
     */
    public long seconds(
        final String name, final double defaultSeconds, final double minSeconds, final double maxSeconds)
    {
        final String text = string(name, String.valueOf(defaultSeconds));
        final double value;
        try
        {
            value = Double.parseDouble(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(command, name + " must be a number of seconds, was '" + text + "'");
        }
        if (!(value >= minSeconds && value <= maxSeconds))
        {
            throw new UsageException(
                command, name + " must be in " + minSeconds + ".." + maxSeconds + " seconds, was '" + text + "'");
        }
        return (long)(value * 1_000_000_000L);
    }

    /**
     * A size, one number of bytes or a range {@code MIN-MAX}.
     *
     * @param name     of the option.
     * @param minBytes smallest size accepted.
     * @param maxBytes largest size accepted.
     * @return {@code {min, max}}, equal for one size.
     * @throws UsageException if absent, malformed, out of range, or with min above max.
     */
    public int[] sizeRange(final String name, final int minBytes, final int maxBytes)
    {
        final String text = string(name, null);
        final int dash = text.indexOf('-', 1);
        final int low = (int)parseNumber(name, dash < 0 ? text : text.substring(0, dash), minBytes, maxBytes);
        final int high = dash < 0 ? low : (int)parseNumber(name, text.substring(dash + 1), minBytes, maxBytes);
        if (low > high)
        {
            throw new UsageException(command, name + " range must be MIN-MAX with MIN <= MAX, was '" + text + "'");
        }
        return new int[]{ low, high };
    }

    /**
     * An address option, {@code host:port} or {@code [ipv6]:port}, with the host resolved now, or a lane yard
     * {@code unix:PATH} or {@code shm:PATH}.
     *
     * @param name         of the option.
     * @param defaultValue when absent; null makes it required.
     * @param allowPortZero whether port 0 (any free port) is accepted, as for a bind address.
     * @return the address as given.
     * @throws UsageException if absent and required, malformed, or the host is unknown.
     */
    public String address(final String name, final String defaultValue, final boolean allowPortZero)
    {
        return checkAddress(name, string(name, defaultValue), allowPortZero);
    }

    /**
     * An address option that may be given any number of times, each checked as {@link #address} checks one.
     *
     * @param name          of the option.
     * @param allowPortZero whether port 0 (any free port) is accepted.
     * @return the addresses as given, in command line order, none when absent.
     * @throws UsageException if one is malformed or its host unknown.
     */
    public List<String> addresses(final String name, final boolean allowPortZero)
    {
        final List<String> addresses = strings(name);
        for (final String text : addresses)
        {
            checkAddress(name, text, allowPortZero);
        }
        return addresses;
    }

    /**
     * Whether an address names a yard on a lane, {@code unix:PATH} or {@code shm:PATH}, rather than an estate on a
     * road.
     *
     * @param text the address as given.
     * @return true for a lane address.
     */
    public static boolean isLaneAddress(final String text)
    {
        return text.startsWith(LANE_PREFIX) || text.startsWith(SHM_LANE_PREFIX);
    }

    private String checkAddress(final String name, final String text, final boolean allowPortZero)
    {
        if (isLaneAddress(text))
        {
            final String prefix = text.startsWith(LANE_PREFIX) ? LANE_PREFIX : SHM_LANE_PREFIX;
            if (text.length() == prefix.length())
            {
                throw new UsageException(command, name + " must be " + prefix + "PATH with a path, was '" + text + "'");
            }
            return text;
        }
        final String hostPort =
            text.startsWith(BATCHED_UDP_PREFIX) ? text.substring(BATCHED_UDP_PREFIX.length()) : text;
        final int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0)
        {
            host = "";
        }
        if (host.isEmpty())
        {
            throw new UsageException(command, name + " must be HOST:PORT (IPv6 as [ADDR]:PORT), was '" + text + "'");
        }
        final long port = parseNumber(name + " port", hostPort.substring(colon + 1), allowPortZero ? 0 : 1, 65535);
        if (new InetSocketAddress(host, (int)port).isUnresolved())
        {
            throw new UsageException(command, name + " has an unknown host '" + host + "'");
        }
        return text;
    }

    /**
     * Refuse any option the command did not read.
     *
     * @throws UsageException naming the first unknown option.
     */
    public void requireAllUsed()
    {
        for (final String name : options.keySet())
        {
            if (!used.contains(name))
            {
                throw new UsageException(command, "unknown option " + name + " (try: " + command + " --help)");
            }
        }
    }

    private String single(final String name)
    {
        final List<String> values = options.get(name);
        if (values.size() > 1)
        {
            throw new UsageException(command, "option " + name + " given twice");
        }
        return values.get(0);
    }

    private String requireValue(final String name, final String value)
    {
        if (null == value || value.isEmpty())
        {
            throw new UsageException(command, name + " needs a value");
        }
        return value;
    }

    private long parseNumber(final String name, final String text, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(command, name + " must be an integer, was '" + text + "'");
        }
        if (value < min || value > max)
        {
            throw new UsageException(command, name + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /**
     * Bad command line: the message is one line for the user, and the process exits with status 2.
     */
    public static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        /**
         * Bad usage of a command.
         *
         * @param command name, or null when no command applies.
         * @param message one line saying what is wrong.
         */
        public UsageException(final String command, final String message)
        {
            super((null == command ? "raet4j: " : "raet4j " + command + ": ") + message, null, false, false);
        }
    }
}
