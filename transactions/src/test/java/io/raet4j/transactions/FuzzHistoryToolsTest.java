package io.raet4j.transactions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Tools for a {@link FuzzHistory} written at a finding of {@link StackReceiveFuzzTest}, not part of the normal run.
 * From the repository root, with {@code F} the history file (relative to transactions/) and
 * {@code -Draet4j.fuzz.sealed=true} for one of the sealed target; {@code -am}, so that the codec and transport of
 * this tree are used, not whatever another build installed:
 * <ul>
 *     <li>replay it on a fresh pair, printing every step and datagram:
 *     {@code mvn -B -pl transactions -am test -Dsurefire.failIfNoSpecifiedTests=false
 *     -Dtest='FuzzHistoryToolsTest#shouldReplayAHistory' -Draet4j.fuzz.replay=F};</li>
 *     <li>cut it down to the episodes it needs (delta debugging over episodes, each trial on a freshly launched pair),
 *     keeping the failure the same (exception class, the rule broken with its numbers blanked, cause class):
 *     {@code mvn -B -pl transactions -am test -Dsurefire.failIfNoSpecifiedTests=false
 *     -Dtest='FuzzHistoryToolsTest#shouldCutAHistoryDownToTheEpisodesItsFindingNeeds' -Draet4j.fuzz.minimize=F};
 *     the result is written next to it as {@code F.min}, to commit under the target's inputs directory once the
 *     finding is fixed, named for what it finds.</li>
 * </ul>
 */
class FuzzHistoryToolsTest
{
    @Test
    @EnabledIfSystemProperty(named = "raet4j.fuzz.replay", matches = ".+")
    void shouldReplayAHistory() throws IOException
    {
        System.setProperty(StackReceiveFuzzTest.TRACE_PROP_NAME, "true");
        final byte[] history = Files.readAllBytes(Path.of(System.getProperty("raet4j.fuzz.replay")));
        try
        {
            new StackReceiveFuzzTest().run(Boolean.getBoolean("raet4j.fuzz.sealed"), history);
        }
        finally
        {
            FuzzedStackPair.closeAll();
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "raet4j.fuzz.minimize", matches = ".+")
    void shouldCutAHistoryDownToTheEpisodesItsFindingNeeds() throws IOException
    {
        final Path file = Path.of(System.getProperty("raet4j.fuzz.minimize"));
        final boolean isSealed = Boolean.getBoolean("raet4j.fuzz.sealed");
        List<byte[]> episodes = FuzzHistory.episodes(Files.readAllBytes(file));
        final String finding = failure(isSealed, episodes);
        assertNotNull(finding, "the history does not fail on a fresh pair");
        System.out.println("minimising " + episodes.size() + " episodes failing with " + finding);

        // Most findings need only a recent stretch: try the last few episodes first.
        for (int tail = 1; tail < episodes.size(); tail *= 4)
        {
            final List<byte[]> last = episodes.subList(episodes.size() - tail, episodes.size());
            if (finding.equals(failure(isSealed, last)))
            {
                episodes = new ArrayList<>(last);
                break;
            }
        }
        int chunks = 2;
        while (episodes.size() >= 2)
        {
            final int chunk = (episodes.size() + chunks - 1) / chunks;
            boolean isReduced = false;
            for (int start = 0; start < episodes.size(); start += chunk)
            {
                final List<byte[]> without = new ArrayList<>(episodes.subList(0, start));
                without.addAll(episodes.subList(Math.min(episodes.size(), start + chunk), episodes.size()));
                if (finding.equals(failure(isSealed, without)))
                {
                    episodes = without;
                    chunks = Math.max(chunks - 1, 2);
                    isReduced = true;
                    break;
                }
            }
            if (!isReduced)
            {
                if (chunk == 1)
                {
                    break;
                }
                chunks = Math.min(episodes.size(), chunks * 2);
            }
            System.out.println("  " + episodes.size() + " episodes");
        }
        FuzzedStackPair.closeAll();
        final Path result = Path.of(file + ".min");
        Files.write(result, FuzzHistory.write(episodes));
        System.out.println("minimal history of " + episodes.size() + " episodes in " + result.toAbsolutePath());
    }

    /**
     * Run episodes on a fresh pair.
     *
     * @return the failure's class and message with numbers blanked, or null if none.
     */
    private static String failure(final boolean isSealed, final List<byte[]> episodes)
    {
        try
        {
            new StackReceiveFuzzTest().run(isSealed, FuzzHistory.write(episodes));
            return null;
        }
        catch (final RuntimeException | Error ex)
        {
            // The rule broken, not the counters and states the message goes on with.
            final String message = String.valueOf(ex.getMessage()).split("[;{]", 2)[0];
            return ex.getClass().getName() + ": " + message.replaceAll("[0-9]+", "#") +
                (null == ex.getCause() ? "" : " caused by " + ex.getCause().getClass().getName());
        }
    }
}
