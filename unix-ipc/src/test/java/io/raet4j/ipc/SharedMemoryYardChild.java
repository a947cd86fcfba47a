package io.raet4j.ipc;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * Run in a child JVM by {@link SharedMemoryMediaTest}: binds a shared-memory media at the path given with the ring
 * capacity given, prints {@link #READY}, and then only heartbeats: it calls {@code receive} with a limit of 0, so its
 * ring is never drained and fills. It runs until it is killed (SIGKILL leaves the inbox file behind, as a crash
 * does) or stopped; if the parent goes away first, standard input closes and the child closes the media and exits.
 */
final class SharedMemoryYardChild
{
    static final String READY = "bound";

    private static volatile boolean isParentGone;

    private SharedMemoryYardChild()
    {
    }

    /**
     * Bind and heartbeat.
     *
     * @param args the inbox path and the ring capacity.
     */
    public static void main(final String[] args)
    {
        final SharedMemoryMedia media =
            SharedMemoryMedia.open("shm:" + args[0], 1408, Integer.parseInt(args[1]), Throwable::printStackTrace);
        final Thread stdin = new Thread(SharedMemoryYardChild::awaitEndOfInput, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        try
        {
            System.out.println(READY);
            System.out.flush();
            final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
            while (!isParentGone)
            {
                idle.idle(media.receive((buffer, offset, length, source) -> {}, 0));
            }
        }
        finally
        {
            media.close();
        }
    }

    private static void awaitEndOfInput()
    {
        try
        {
            while (System.in.read() >= 0)
            {
                // Nothing is ever written to the child: it waits here until its parent is gone.
            }
        }
        catch (final java.io.IOException ignore)
        {
            // Standard input failed: the parent is gone all the same.
        }
        isParentGone = true;
    }
}
