package io.raet4j.transactions.keep;

import java.nio.file.Path;

/**
 * A keep file is corrupt, malformed or unreadable, or the keep cannot be written. The message always names the file,
 * and the line and field when the problem is in one, so an operator can find and fix it.
 */
public final class KeepException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Line number of the problem, 1-based, or 0 when it is not on one line. */
    private final int line;
    /** Field the problem is in, or null. */
    private final String field;
    /** File the problem is in, kept as a string so the exception stays serializable. */
    private final String file;

    /**
     * A problem with a whole file or with I/O on it.
     *
     * @param file    the problem is in.
     * @param message saying what is wrong.
     * @param cause   of the problem, or null.
     */
    public KeepException(final Path file, final String message, final Throwable cause)
    {
        this(file, 0, null, message, cause);
    }

    /**
     * A problem on one line or with one field of a file.
     *
     * @param file    the problem is in.
     * @param line    1-based line number, or 0 when not on one line.
     * @param field   name of the field, or null.
     * @param message saying what is wrong.
     * @param cause   of the problem, or null.
     */
    public KeepException(
        final Path file, final int line, final String field, final String message, final Throwable cause)
    {
        super(describe(file, line, field, message), cause);
        this.file = String.valueOf(file);
        this.line = line;
        this.field = field;
    }

    /**
     * The file the problem is in.
     *
     * @return the path of the file as a string.
     */
    public String file()
    {
        return file;
    }

    /**
     * The line the problem is on.
     *
     * @return the 1-based line number, or 0 when the problem is not on one line.
     */
    public int line()
    {
        return line;
    }

    /**
     * The field the problem is in.
     *
     * @return the field name, or null when the problem is not in one field.
     */
    public String field()
    {
        return field;
    }

    private static String describe(final Path file, final int line, final String field, final String message)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (line > 0)
        {
            sb.append(": line ").append(line);
        }
        if (null != field)
        {
            sb.append(": field '").append(field).append('\'');
        }
        return sb.append(": ").append(message).toString();
    }
}
