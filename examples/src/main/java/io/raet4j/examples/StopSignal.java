package io.raet4j.examples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command stop cleanly on SIGINT or SIGTERM: a shutdown hook raises a flag the command's loop
 * checks, then waits a little for the command to close its stack and print its JSON result before the JVM exits.
 * <p>
 * Thread safe: the flag is written by the hook thread and read by the command thread.
 */
final class StopSignal
{
    private static final long FINISH_WAIT_MS = 5_000;
    private static final CountDownLatch FINISHED = new CountDownLatch(1);
    private static volatile boolean isStopRequested;
    private static boolean isInstalled;

    private StopSignal()
    {
    }

    /**
     * Install the shutdown hook, once.
     */
    static synchronized void install()
    {
        if (!isInstalled)
        {
            isInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(StopSignal::onShutdown, "raet4j-stop"));
        }
    }

    /**
     * Has a stop been asked for.
     *
     * @return true once SIGINT or SIGTERM arrived.
     */
    static boolean isStopRequested()
    {
        return isStopRequested;
    }

    /**
     * The command has printed its result; the hook may let the JVM exit.
     */
    static void finished()
    {
        FINISHED.countDown();
    }

    private static void onShutdown()
    {
        isStopRequested = true;
        try
        {
            FINISHED.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
