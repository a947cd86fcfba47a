package io.raet4j.transactions;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The inputs a {@link FuzzedStackPair} has run since it was launched, kept so that a finding that depends on what
 * earlier inputs left behind can be replayed: written as one file, an input of its own that
 * {@link StackReceiveFuzzTest} recognises by its first line and runs, episode after episode, on a freshly launched
 * pair. Layout: the line {@value #MAGIC_TEXT}, then each episode as a little-endian i32 length and its bytes.
 */
final class FuzzHistory
{
    static final String MAGIC_TEXT = "raet4j stack fuzz history";
    private static final byte[] MAGIC = (MAGIC_TEXT + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final long MAGIC_CRC = crcOf(MAGIC);

    private FuzzHistory()
    {
    }

    /**
     * Whether an input is a history rather than one episode.
     *
     * @param input the fuzz input.
     * @return true if it starts with the history line.
     */
    static boolean isHistory(final byte[] input)
    {
        if (input.length < MAGIC.length)
        {
            return false;
        }
        // Compared through a CRC, not byte for byte: Jazzer's comparison hooks would otherwise hand the fuzzer the
        // line, and every input it then starts with relaunches the pair.
        final CRC32 crc = new CRC32();
        crc.update(input, 0, MAGIC.length);

        return MAGIC_CRC == crc.getValue() && Arrays.equals(input, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * The episodes of an input: itself if it is not a history, else those it holds, as far as they are whole.
     *
     * @param input the fuzz input.
     * @return the episodes, in order.
     */
    static List<byte[]> episodes(final byte[] input)
    {
        final List<byte[]> episodes = new ArrayList<>();
        if (!isHistory(input))
        {
            episodes.add(input);
            return episodes;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(input, MAGIC.length, input.length - MAGIC.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.remaining() >= Integer.BYTES)
        {
            final int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining())
            {
                break;
            }
            final byte[] episode = new byte[length];
            buffer.get(episode);
            episodes.add(episode);
        }

        return episodes;
    }

    private static long crcOf(final byte[] bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes);

        return crc.getValue();
    }

    /**
     * A history of episodes, as one input.
     *
     * @param episodes in the order they ran.
     * @return the input.
     */
    static byte[] write(final List<byte[]> episodes)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        final ByteBuffer length = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (final byte[] episode : episodes)
        {
            out.writeBytes(length.putInt(0, episode.length).array());
            out.writeBytes(episode);
        }

        return out.toByteArray();
    }
}
