package io.raet4j.ipc;

/**
 * Run in a child JVM by {@link UnixDatagramMediaTest}: binds a media at the path given, prints {@link #READY} and
 * waits to be killed with SIGKILL, which leaves the socket file behind as a crash does.
 */
final class StaleYardChild
{
    static final String READY = "bound";

    private StaleYardChild()
    {
    }

    /**
     * Bind and wait.
     *
     * @param args the socket path.
     * @throws InterruptedException never expected: the process is killed.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final UnixDatagramMedia media = UnixDatagramMedia.open("unix:" + args[0], 1408, Throwable::printStackTrace);
        System.out.println(READY);
        System.out.flush();
        while (media.maxDatagramLength() > 0)
        {
            Thread.sleep(1000);
        }
    }
}
