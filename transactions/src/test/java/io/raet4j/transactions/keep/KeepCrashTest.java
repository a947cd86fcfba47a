package io.raet4j.transactions.keep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class KeepCrashTest
{
    private static final int KILLS = 5;
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long POLL_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(200);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLeaveAWholeRecordWhenAWriterProcessIsKilledMidWrite() throws Exception
    {
        final RemoteEstateRecord a = KeepTestRecords.versionA();
        final RemoteEstateRecord b = KeepTestRecords.versionB();
        final Random random = new Random();
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String classPath = System.getProperty("java.class.path");

        try (Keep keep = Keep.open(dir))
        {
            for (int kill = 0; kill < KILLS; kill++)
            {
                final long startCounter = keep.changeCounter();
                final long writesBeforeKill = 1 + random.nextInt(300);
                final Process child = new ProcessBuilder(
                    java, "-cp", classPath, KeepCrashChild.class.getName(), dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child-" + kill + ".log").toFile())
                    .start();
                try
                {
                    awaitCounter(keep, child, startCounter + writesBeforeKill);
                }
                finally
                {
                    child.destroyForcibly();
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
                }

                final RemoteEstateRecord found = keep.remote("bob").orElseThrow();
                assertTrue(found.equals(a) || found.equals(b), "torn record after kill " + kill + ": " + found);
                assertEquals(List.of(found), keep.remotes(), "a temp file was read as a record");
                for (final String name : listRemote())
                {
                    assertTrue(name.equals("bob.estate") || KeepFiles.isTempFile(name), "unexpected file " + name);
                }
                keep.changeCounter();
            }
        }
    }

    private static void awaitCounter(final Keep keep, final Process child, final long target) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (keep.changeCounter() < target)
        {
            if (!child.isAlive())
            {
                fail("child exited with " + child.exitValue());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("child did not write " + target + " times within " + START_TIMEOUT_MS + " ms");
            }
            LockSupport.parkNanos(POLL_INTERVAL_NS);
        }
    }

    private List<String> listRemote() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("remote")))
        {
            return files.map((p) -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }
}
