package io.raet4j.transactions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Replays, on a fresh stack pair, every history of {@link StackReceiveFuzzTest} that once found a defect (resource
 * folder {@code StackReceiveFuzzTestFindings/}, a name starting {@code sealed-} on the sealed target): the defects
 * stay fixed. Each history is a whole run of the pair, several inputs long, so it cannot live among the single inputs
 * Jazzer replays.
 */
class FuzzFindingsTest
{
    @AfterAll
    static void closePairs()
    {
        FuzzedStackPair.closeAll();
    }

    @TestFactory
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> everyFindingStaysFixed() throws IOException, URISyntaxException
    {
        final Path dir = Path.of(FuzzFindingsTest.class.getResource("StackReceiveFuzzTestFindings").toURI());
        final List<Path> histories;
        try (Stream<Path> files = Files.list(dir))
        {
            histories = files.filter((file) -> !file.getFileName().toString().endsWith(".md")).sorted().toList();
        }
        assertFalse(histories.isEmpty(), "no findings under " + dir);
        return histories.stream().map((history) -> DynamicTest.dynamicTest(history.getFileName().toString(), () ->
        {
            try
            {
                new StackReceiveFuzzTest().run(
                    history.getFileName().toString().startsWith("sealed-"), Files.readAllBytes(history));
            }
            finally
            {
                FuzzedStackPair.closeAll();
            }
        }));
    }
}
