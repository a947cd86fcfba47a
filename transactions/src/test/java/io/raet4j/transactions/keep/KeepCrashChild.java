package io.raet4j.transactions.keep;

import java.nio.file.Path;

/**
 * Child process of {@link KeepCrashTest}: rewrites the record of "bob" with alternating contents until killed.
 */
public final class KeepCrashChild
{
    private KeepCrashChild()
    {
    }

    /**
     * Run the loop.
     *
     * @param args the keep directory.
     */
    public static void main(final String[] args)
    {
        final RemoteEstateRecord a = KeepTestRecords.versionA();
        final RemoteEstateRecord b = KeepTestRecords.versionB();
        try (Keep keep = Keep.open(Path.of(args[0])))
        {
            for (long i = 0; ; i++)
            {
                keep.put((i & 1) == 0 ? a : b);
            }
        }
    }
}
