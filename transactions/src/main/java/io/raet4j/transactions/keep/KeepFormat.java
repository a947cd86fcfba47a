package io.raet4j.transactions.keep;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The text format of keep files and the rule mapping estate names to file names, as specified in spec/KEEP.md.
 * <p>
 * A file is UTF-8 text of {@code key = value} lines ending in a newline. The first line is
 * {@code format = raet4j-keep/1}; blank lines and lines starting with {@code #} are ignored; every other line is a
 * field, each field appears exactly once, unknown fields are errors.
 * <p>
 * Stateless and thread safe.
 */
final class KeepFormat
{
    static final String FORMAT = "raet4j-keep/1";
    static final String FORMAT_KEY = "format";
    static final String KIND_KEY = "kind";
    static final int MAX_FILE_BYTES = 64 * 1024;
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_STEM_CHARS = 200;
    static final int KEY_BYTES = 32;

    private static final HexFormat HEX = HexFormat.of();
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private KeepFormat()
    {
    }

    /**
     * Check an estate name: 1 to 255 bytes of well-formed UTF-8.
     *
     * @param name to check.
     * @return the UTF-8 bytes of the name.
     * @throws IllegalArgumentException if the name is not valid.
     */
    static byte[] nameBytes(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("estate name must not be empty");
        }
        final byte[] bytes = strictUtf8(name);
        if (null == bytes)
        {
            throw new IllegalArgumentException("estate name is not well-formed Unicode (unpaired surrogate)");
        }
        if (bytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException(
                "estate name is " + bytes.length + " bytes of UTF-8, the limit is " + MAX_NAME_BYTES);
        }
        return bytes;
    }

    /**
     * The file name stem for an estate name: bytes of [A-Za-z0-9_-], and '.' except as first byte, are kept; every
     * other byte of the UTF-8 name is written {@code %XX} (upper-case hex). A stem longer than 200 characters is
     * replaced by {@code ~} and the 64 hex digits of the SHA-256 of the UTF-8 name.
     *
     * @param name of the estate, valid for {@link #nameBytes(String)}.
     * @return the stem, without extension.
     */
    static String fileStem(final String name)
    {
        final byte[] bytes = nameBytes(name);
        final StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++)
        {
            final int b = bytes[i] & 0xFF;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-' ||
                (b == '.' && i > 0))
            {
                sb.append((char)b);
            }
            else
            {
                sb.append('%').append(UPPER_HEX[b >>> 4]).append(UPPER_HEX[b & 0xF]);
            }
        }
        if (sb.length() > MAX_STEM_CHARS)
        {
            return "~" + HEX.formatHex(sha256(bytes));
        }
        return sb.toString();
    }

    /**
     * Escape text for a value: '%', space, control characters (C0, DEL, C1) and line or paragraph separators become
     * {@code %XX} per UTF-8 byte; everything else is written as itself.
     *
     * @param text to escape.
     * @return the escaped value.
     */
    static String escapeValue(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); )
        {
            final int cp = text.codePointAt(i);
            final int count = Character.charCount(cp);
            if (mustEscape(cp))
            {
                final byte[] bytes = text.substring(i, i + count).getBytes(StandardCharsets.UTF_8);
                for (final byte b : bytes)
                {
                    sb.append('%').append(UPPER_HEX[(b >>> 4) & 0xF]).append(UPPER_HEX[b & 0xF]);
                }
            }
            else
            {
                sb.appendCodePoint(cp);
            }
            i += count;
        }
        return sb.toString();
    }

    /**
     * Undo {@link #escapeValue(String)}.
     *
     * @param value as written in the file.
     * @return the text.
     * @throws IllegalArgumentException with a description when the value is not a valid escaped value.
     */
    static String unescapeValue(final String value)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); )
        {
            final int cp = value.codePointAt(i);
            if (cp == '%')
            {
                if (i + 2 >= value.length())
                {
                    throw new IllegalArgumentException(
                        "'%' at position " + (i + 1) + " is not followed by two hex digits");
                }
                final int hi = Character.digit(value.charAt(i + 1), 16);
                final int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0)
                {
                    throw new IllegalArgumentException(
                        "'%' at position " + (i + 1) + " is not followed by two hex digits");
                }
                out.write((hi << 4) | lo);
                i += 3;
            }
            else
            {
                if (mustEscape(cp) && cp != ' ')
                {
                    throw new IllegalArgumentException(
                        String.format("raw control character U+%04X at position %d; write it as %%XX", cp, i + 1));
                }
                final int count = Character.charCount(cp);
                out.writeBytes(value.substring(i, i + count).getBytes(StandardCharsets.UTF_8));
                i += count;
            }
        }
        final String text = strictDecode(out.toByteArray());
        if (null == text)
        {
            throw new IllegalArgumentException("escaped bytes are not valid UTF-8");
        }
        return text;
    }

    /**
     * Hex of bytes, lower case.
     *
     * @param bytes to format.
     * @return the hex digits.
     */
    static String hex(final byte[] bytes)
    {
        return HEX.formatHex(bytes);
    }

    /**
     * SHA-256 of bytes.
     *
     * @param bytes to digest.
     * @return the 32-byte digest.
     */
    static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    /**
     * Render a file: the format line, then each field as {@code key = value}.
     *
     * @param fields alternating keys and already formatted values.
     * @return the UTF-8 bytes of the file.
     */
    static byte[] render(final List<String> fields)
    {
        final StringBuilder sb = new StringBuilder(512);
        sb.append(FORMAT_KEY).append(" = ").append(FORMAT).append('\n');
        for (int i = 0; i < fields.size(); i += 2)
        {
            sb.append(fields.get(i)).append(" = ").append(fields.get(i + 1)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parse a keep file strictly.
     *
     * @param file    the content came from, for messages.
     * @param content of the file.
     * @param kind    the {@code kind} field must have.
     * @param keys    every field the kind has, besides {@code format} and {@code kind}; all are required.
     * @return the fields.
     * @throws KeepException naming the file, line and field of the first problem found.
     */
    static Fields parse(final Path file, final byte[] content, final String kind, final List<String> keys)
    {
        if (0 == content.length)
        {
            throw new KeepException(file, "file is empty (truncated?)", null);
        }
        if (content.length > MAX_FILE_BYTES)
        {
            throw new KeepException(
                file, "file is " + content.length + " bytes, more than a keep file can be (" + MAX_FILE_BYTES + ")",
                null);
        }
        final String text = strictDecode(content);
        if (null == text)
        {
            throw new KeepException(file, "file is not UTF-8 text (garbage or binary content?)", null);
        }
        if (text.charAt(text.length() - 1) != '\n')
        {
            throw new KeepException(file, "file does not end with a newline (truncated?)", null);
        }

        final Fields fields = new Fields(file);
        final String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final int lineNumber = i + 1;
            String line = lines[i];
            if (line.endsWith("\r"))
            {
                line = line.substring(0, line.length() - 1);
            }
            final String trimmed = line.trim();
            if (0 == i)
            {
                parseFormatLine(file, trimmed);
                continue;
            }
            if (trimmed.isEmpty() || trimmed.charAt(0) == '#')
            {
                continue;
            }
            final int eq = trimmed.indexOf('=');
            if (eq < 0)
            {
                throw new KeepException(file, lineNumber, null, "expected 'key = value', found '" +
                    abbreviate(trimmed) + "'", null);
            }
            final String key = trimmed.substring(0, eq).trim();
            final String value = trimmed.substring(eq + 1).trim();
            if (!isKey(key))
            {
                throw new KeepException(file, lineNumber, null, "'" + abbreviate(key) + "' is not a field name", null);
            }
            if (!KIND_KEY.equals(key) && !keys.contains(key))
            {
                throw new KeepException(file, lineNumber, key, "unknown field in a '" + kind + "' file", null);
            }
            final Integer previous = fields.lines.get(key);
            if (null != previous)
            {
                throw new KeepException(file, lineNumber, key, "appears twice (first on line " + previous + ")", null);
            }
            fields.values.put(key, value);
            fields.lines.put(key, lineNumber);
        }

        final String foundKind = fields.values.get(KIND_KEY);
        if (null == foundKind)
        {
            throw new KeepException(file, 0, KIND_KEY, "missing (expected 'kind = " + kind + "')", null);
        }
        if (!kind.equals(foundKind))
        {
            throw new KeepException(file, fields.line(KIND_KEY), KIND_KEY, "is '" + abbreviate(foundKind) +
                "' but this file must be a '" + kind + "' file", null);
        }
        for (final String key : keys)
        {
            if (!fields.values.containsKey(key))
            {
                throw new KeepException(file, 0, key, "missing", null);
            }
        }
        return fields;
    }

    private static void parseFormatLine(final Path file, final String line)
    {
        final int eq = line.indexOf('=');
        if (eq < 0 || !FORMAT_KEY.equals(line.substring(0, eq).trim()))
        {
            throw new KeepException(file, 1, null, "first line must be 'format = " + FORMAT + "', found '" +
                abbreviate(line) + "'", null);
        }
        final String version = line.substring(eq + 1).trim();
        if (!FORMAT.equals(version))
        {
            throw new KeepException(file, 1, FORMAT_KEY, "unsupported format '" + abbreviate(version) +
                "'; this build reads " + FORMAT, null);
        }
    }

    private static boolean isKey(final String key)
    {
        if (key.isEmpty() || key.charAt(0) < 'a' || key.charAt(0) > 'z')
        {
            return false;
        }
        for (int i = 1; i < key.length(); i++)
        {
            final char c = key.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean mustEscape(final int cp)
    {
        return cp == '%' || cp == ' ' || Character.isISOControl(cp) ||
            Character.getType(cp) == Character.LINE_SEPARATOR ||
            Character.getType(cp) == Character.PARAGRAPH_SEPARATOR || cp == 0xFEFF;
    }

    static String abbreviate(final String text)
    {
        final String limited = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        final StringBuilder sb = new StringBuilder(limited.length());
        for (int i = 0; i < limited.length(); i++)
        {
            final char c = limited.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    private static byte[] strictUtf8(final String text)
    {
        try
        {
            final ByteBuffer buffer = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
            final byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    private static String strictDecode(final byte[] bytes)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * The fields of one parsed file, with typed accessors that throw a {@link KeepException} naming the file, line
     * and field when a value is malformed.
     */
    static final class Fields
    {
        final Path file;
        final Map<String, String> values = new HashMap<>();
        final Map<String, Integer> lines = new HashMap<>();

        Fields(final Path file)
        {
            this.file = file;
        }

        int line(final String key)
        {
            final Integer line = lines.get(key);
            return null == line ? 0 : line;
        }

        KeepException error(final String key, final String message)
        {
            return new KeepException(file, line(key), key, message, null);
        }

        String raw(final String key)
        {
            return values.get(key);
        }

        String text(final String key, final boolean allowEmpty)
        {
            final String value = values.get(key);
            if (value.isEmpty() && !allowEmpty)
            {
                throw error(key, "is empty");
            }
            try
            {
                return unescapeValue(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(key, ex.getMessage());
            }
        }

        String name(final String key)
        {
            final String name = text(key, false);
            try
            {
                nameBytes(name);
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(key, ex.getMessage());
            }
            return name;
        }

        long longValue(final String key)
        {
            final String value = values.get(key);
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                throw error(key, "'" + abbreviate(value) + "' is not a decimal 64-bit integer");
            }
        }

        long estateId(final String key)
        {
            final long id = longValue(key);
            if (0 == id)
            {
                throw error(key, "estate id must not be 0");
            }
            return id;
        }

        long timeMs(final String key)
        {
            final long ms = longValue(key);
            if (ms < 0)
            {
                throw error(key, "time must not be negative");
            }
            return ms;
        }

        byte[] key32(final String key)
        {
            final String value = values.get(key);
            if (value.length() != KEY_BYTES * 2)
            {
                throw error(key, "expected " + KEY_BYTES + " bytes as " + (KEY_BYTES * 2) + " hex digits, found " +
                    value.length() + " characters");
            }
            try
            {
                return HexFormat.of().parseHex(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(key, "is not hexadecimal");
            }
        }

        Acceptance status(final String key)
        {
            final String value = values.get(key);
            final Acceptance status = Acceptance.fromLabel(value);
            if (null == status)
            {
                throw error(
                    key, "'" + abbreviate(value) + "' is not a status (expected pending, accepted or rejected)");
            }
            return status;
        }
    }
}
