package io.raet4j.examples;

/**
 * A tiny JSON writer for the one-line result every command prints last: objects, arrays, strings, numbers and
 * booleans, written in order into a {@link StringBuilder}. Names are given with the value; inside an array pass
 * null as the name.
 * <p>
 * NOT thread safe; control plane only.
 */
public final class Json
{
    private final StringBuilder sb = new StringBuilder(256);
    private boolean needsComma;

    /**
     * A writer that has opened the outer object.
     */
    public Json()
    {
        sb.append('{');
    }

    /**
     * Write a string member.
     *
     * @param name  of the member, or null inside an array.
     * @param value to write, escaped.
     * @return this for a fluent API.
     */
    public Json put(final String name, final String value)
    {
        name(name);
        quote(value);
        return this;
    }

    /**
     * Write an integer member.
     *
     * @param name  of the member, or null inside an array.
     * @param value to write.
     * @return this for a fluent API.
     */
    public Json put(final String name, final long value)
    {
        name(name);
        sb.append(value);
        return this;
    }

    /**
     * Write a decimal member rounded to three places; NaN and infinities are written as 0.
     *
     * @param name  of the member, or null inside an array.
     * @param value to write.
     * @return this for a fluent API.
     */
    public Json put(final String name, final double value)
    {
        name(name);
        if (Double.isFinite(value))
        {
            sb.append(Math.round(value * 1000.0) / 1000.0);
        }
        else
        {
            sb.append('0');
        }
        return this;
    }

    /**
     * Write a boolean member.
     *
     * @param name  of the member, or null inside an array.
     * @param value to write.
     * @return this for a fluent API.
     */
    public Json put(final String name, final boolean value)
    {
        name(name);
        sb.append(value);
        return this;
    }

    /**
     * Write a null member.
     *
     * @param name of the member, or null inside an array.
     * @return this for a fluent API.
     */
    public Json putNull(final String name)
    {
        name(name);
        sb.append("null");
        return this;
    }

    /**
     * Open a nested object.
     *
     * @param name of the member, or null inside an array.
     * @return this for a fluent API.
     */
    public Json beginObject(final String name)
    {
        name(name);
        sb.append('{');
        needsComma = false;
        return this;
    }

    /**
     * Close the innermost nested object.
     *
     * @return this for a fluent API.
     */
    public Json endObject()
    {
        sb.append('}');
        needsComma = true;
        return this;
    }

    /**
     * Open a nested array.
     *
     * @param name of the member, or null inside an array.
     * @return this for a fluent API.
     */
    public Json beginArray(final String name)
    {
        name(name);
        sb.append('[');
        needsComma = false;
        return this;
    }

    /**
     * Close the innermost nested array.
     *
     * @return this for a fluent API.
     */
    public Json endArray()
    {
        sb.append(']');
        needsComma = true;
        return this;
    }

    /**
     * Close the outer object and return the text.
     *
     * @return the JSON text, one line.
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
        if (null != name)
        {
            quote(name);
            sb.append(':');
        }
    }

    private void quote(final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
