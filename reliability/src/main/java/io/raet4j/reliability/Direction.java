package io.raet4j.reliability;

/**
 * A direction through a {@link UdpProxy}: from the clients to the target, or back.
 */
public enum Direction
{
    /** Datagrams a client sends, on their way to the target. */
    CLIENT_TO_TARGET("c2t"),
    /** Datagrams the target answers, on their way back to a client. */
    TARGET_TO_CLIENT("t2c");

    private final String code;

    Direction(final String code)
    {
        this.code = code;
    }

    /**
     * The short name used on the command line and in JSON member names.
     *
     * @return {@code c2t} or {@code t2c}.
     */
    public String code()
    {
        return code;
    }

    /**
     * The direction of a short name.
     *
     * @param code {@code c2t} or {@code t2c}.
     * @return the direction.
     * @throws IllegalArgumentException if the name is neither.
     */
    public static Direction ofCode(final String code)
    {
        for (final Direction direction : values())
        {
            if (direction.code.equals(code))
            {
                return direction;
            }
        }
        throw new IllegalArgumentException("direction must be c2t or t2c, was '" + code + "'");
    }
}
