package io.raet4j.examples;

import java.io.PrintStream;

/**
 * One command of the command line. A command reads all its options first, so that bad arguments are refused
 * with a {@link Args.UsageException} before anything starts, then runs to completion on the calling thread.
 */
interface Command
{
    /**
     * Name typed on the command line.
     *
     * @return the command name.
     */
    String name();

    /**
     * One line for the list of commands.
     *
     * @return a short description.
     */
    String summary();

    /**
     * Full usage text, several lines, each ending in a newline.
     *
     * @return the usage.
     */
    String usage();

    /**
     * How many operands, tokens that are not options (as the action and name of {@code keys accept NAME}), the
     * command takes before or among its options.
     *
     * @return the most operands accepted, 0 by default.
     */
    default int maxOperands()
    {
        return 0;
    }

    /**
     * Run the command.
     *
     * @param args options after the command name.
     * @param out  for progress lines and the JSON result, last.
     * @param err  for error lines.
     * @return the process exit status: 0 success, 1 runtime failure.
     * @throws Args.UsageException if an option is bad.
     */
    int run(Args args, PrintStream out, PrintStream err);
}
