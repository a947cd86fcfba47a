package io.raet4j.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object read from the last line a command printed: members in order, numbers as {@link Long} when written
 * without a fraction or exponent and as {@link Double} otherwise, nested objects as {@link JsonObject}, arrays as
 * {@link List}, plus strings, booleans and null. The reader refuses anything malformed, trailing text included.
 * <p>
 * Immutable once read.
 */
public final class JsonObject
{
    private final Map<String, Object> members;

    private JsonObject(final Map<String, Object> members)
    {
        this.members = Collections.unmodifiableMap(members);
    }

    /**
     * Read text holding exactly one JSON object.
     *
     * @param text the object, surrounding whitespace allowed.
     * @return the object.
     * @throws IllegalArgumentException if the text is not exactly one JSON object.
     */
    public static JsonObject parse(final String text)
    {
        final Reader reader = new Reader(text);
        reader.skipWhitespace();
        if (!reader.peek('{'))
        {
            throw reader.error("expected an object");
        }
        final JsonObject object = reader.object();
        reader.skipWhitespace();
        if (reader.position != text.length())
        {
            throw reader.error("trailing characters");
        }
        return object;
    }

    /**
     * Whether a member is present.
     *
     * @param name of the member.
     * @return true if present, even if null.
     */
    public boolean has(final String name)
    {
        return members.containsKey(name);
    }

    /**
     * A member as read.
     *
     * @param name of the member.
     * @return its value, or null if absent.
     */
    public Object get(final String name)
    {
        return members.get(name);
    }

    /**
     * An integer member.
     *
     * @param name of the member.
     * @return its value.
     * @throws IllegalArgumentException if absent or not an integer.
     */
    public long getLong(final String name)
    {
        final Object value = members.get(name);
        if (value instanceof Long)
        {
            return (Long)value;
        }
        if (value instanceof Double && (Double)value == Math.rint((Double)value))
        {
            return ((Double)value).longValue();
        }
        throw new IllegalArgumentException("member '" + name + "' is not an integer: " + value + " in " + this);
    }

    /**
     * A numeric member.
     *
     * @param name of the member.
     * @return its value.
     * @throws IllegalArgumentException if absent or not a number.
     */
    public double getDouble(final String name)
    {
        final Object value = members.get(name);
        if (value instanceof Number)
        {
            return ((Number)value).doubleValue();
        }
        throw new IllegalArgumentException("member '" + name + "' is not a number: " + value + " in " + this);
    }

    /**
     * A string member.
     *
     * @param name of the member.
     * @return its value.
     * @throws IllegalArgumentException if absent or not a string.
     */
    public String getString(final String name)
    {
        final Object value = members.get(name);
        if (value instanceof String)
        {
            return (String)value;
        }
        throw new IllegalArgumentException("member '" + name + "' is not a string: " + value + " in " + this);
    }

    /**
     * The members.
     *
     * @return an unmodifiable map in the order read.
     */
    public Map<String, Object> members()
    {
        return members;
    }

    /**
     * The members, for messages; not JSON.
     *
     * @return the text of the map.
     */
    @Override
    public String toString()
    {
        return members.toString();
    }

    /**
     * A recursive-descent reader over one text.
     */
    private static final class Reader
    {
        private final String text;
        private int position;

        Reader(final String text)
        {
            this.text = text;
        }

        JsonObject object()
        {
            final Map<String, Object> map = new LinkedHashMap<>();
            position++;
            skipWhitespace();
            if (peek('}'))
            {
                position++;
                return new JsonObject(map);
            }
            while (true)
            {
                skipWhitespace();
                if (!peek('"'))
                {
                    throw error("expected a member name");
                }
                final String name = string();
                skipWhitespace();
                expect(':');
                if (map.containsKey(name))
                {
                    throw error("duplicate member " + name);
                }
                map.put(name, value());
                skipWhitespace();
                if (!peek(','))
                {
                    expect('}');
                    return new JsonObject(map);
                }
                position++;
            }
        }

        private Object value()
        {
            skipWhitespace();
            if (position >= text.length())
            {
                throw error("unexpected end");
            }
            switch (text.charAt(position))
            {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private List<Object> array()
        {
            final List<Object> list = new ArrayList<>();
            position++;
            skipWhitespace();
            if (peek(']'))
            {
                position++;
                return Collections.unmodifiableList(list);
            }
            while (true)
            {
                list.add(value());
                skipWhitespace();
                if (!peek(','))
                {
                    expect(']');
                    return Collections.unmodifiableList(list);
                }
                position++;
            }
        }

        private String string()
        {
            final StringBuilder sb = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.length())
                {
                    throw error("unterminated string");
                }
                final char c = text.charAt(position++);
                if ('"' == c)
                {
                    return sb.toString();
                }
                if (c < 0x20)
                {
                    throw error("control character in string");
                }
                if ('\\' != c)
                {
                    sb.append(c);
                }
                else
                {
                    sb.append(escaped());
                }
            }
        }

        private char escaped()
        {
            if (position >= text.length())
            {
                throw error("unterminated escape");
            }
            final char c = text.charAt(position++);
            switch (c)
            {
                case '"':
                case '\\':
                case '/':
                    return c;
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'u':
                    if (position + 4 > text.length())
                    {
                        throw error("short unicode escape");
                    }
                    try
                    {
                        final char unit = (char)Integer.parseInt(text.substring(position, position + 4), 16);
                        position += 4;
                        return unit;
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw error("bad unicode escape");
                    }
                default:
                    throw error("bad escape");
            }
        }

        private Object literal(final String word, final Object value)
        {
            if (!text.startsWith(word, position))
            {
                throw error("expected " + word);
            }
            position += word.length();
            return value;
        }

        private Number number()
        {
            final int start = position;
            boolean isIntegral = true;
            while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
            {
                isIntegral &= Character.isDigit(text.charAt(position)) || '-' == text.charAt(position);
                position++;
            }
            final String number = text.substring(start, position);
            try
            {
                return isIntegral ? (Number)Long.valueOf(number) : (Number)Double.valueOf(number);
            }
            catch (final NumberFormatException ex)
            {
                throw error("bad number '" + number + "'");
            }
        }

        void skipWhitespace()
        {
            while (position < text.length() && Character.isWhitespace(text.charAt(position)))
            {
                position++;
            }
        }

        boolean peek(final char c)
        {
            return position < text.length() && text.charAt(position) == c;
        }

        private void expect(final char c)
        {
            if (!peek(c))
            {
                throw error("expected '" + c + "'");
            }
            position++;
        }

        IllegalArgumentException error(final String what)
        {
            return new IllegalArgumentException(what + " at " + position + " in: " + text);
        }
    }
}
