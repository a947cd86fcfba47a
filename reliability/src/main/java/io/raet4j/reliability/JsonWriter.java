package io.raet4j.reliability;

/**
 * Writes the one-line JSON object a tool prints last, as the {@code raet4j.jar} commands do: members in the order
 * they are put, strings escaped, decimals rounded to three places.
 * <p>
 * NOT thread safe; control plane only.
 */
public final class JsonWriter
{
    private final StringBuilder sb = new StringBuilder(256).append('{');
    private boolean needsComma;

    /**
     * Creates a writer of one object, its opening brace written.
     */
    public JsonWriter()
    {
    }

    /**
     * Write a string member.
     *
     * @param name  of the member.
     * @param value to write, escaped.
     * @return this for a fluent API.
     */
    public JsonWriter put(final String name, final String value)
    {
        name(name);
        quote(value);
        return this;
    }

    /**
     * Write an integer member.
     *
     * @param name  of the member.
     * @param value to write.
     * @return this for a fluent API.
     */
    public JsonWriter put(final String name, final long value)
    {
        name(name);
        sb.append(value);
        return this;
    }

    /**
     * Write a decimal member rounded to three places; NaN and infinities are written as 0.
     *
     * @param name  of the member.
     * @param value to write.
     * @return this for a fluent API.
     */
    public JsonWriter put(final String name, final double value)
    {
        name(name);
        sb.append(Double.isFinite(value) ? Math.round(value * 1000.0) / 1000.0 : 0);
        return this;
    }

    /**
     * Write a boolean member.
     *
     * @param name  of the member.
     * @param value to write.
     * @return this for a fluent API.
     */
    public JsonWriter put(final String name, final boolean value)
    {
        name(name);
        sb.append(value);
        return this;
    }

    /**
     * Close the object and return its text.
     *
     * @return one line of JSON.
     */
    @Override
    public String toString()
    {
        return sb + "}";
    }

    private void name(final String name)
    {
        if (needsComma)
        {
            sb.append(',');
        }
        needsComma = true;
        quote(name);
        sb.append(':');
    }

    private void quote(final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if ('"' == c || '\\' == c)
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
