package io.raet4j.transactions;

import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The protocol's non-secret randomness (sessions, join and alive nonces) comes from the context, like the clock, so a
 * run can be replayed from a seed.
 */
class InjectedRandomTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldTakeTheSessionFromTheInjectedSource()
    {
        final Stack first = launch("first", 42);
        final Stack second = launch("second", 42);
        final Stack third = launch("third", 43);
        try
        {
            assertEquals(first.session(), second.session(), "same seed, same session");
            assertNotEquals(first.session(), third.session());
        }
        finally
        {
            CloseHelper.quietCloseAll(first, second, third);
        }
    }

    private Stack launch(final String name, final long seed)
    {
        return Stack.launch(new Context().name(name).bindAddress("127.0.0.1:0").random(new SplittableRandom(seed))
            .statusDir(tempDir.resolve(name)));
    }
}
