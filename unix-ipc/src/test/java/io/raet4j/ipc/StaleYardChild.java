package io.raet4j.ipc;

/**
 * Run in a child JVM by {@link UnixDatagramMediaTest}: binds a media at the path given, prints {@link #READY} and
 * blocks on its standard input until it is killed with SIGKILL, which leaves the socket file behind as a crash does.
 * If the parent goes away first, standard input closes and the child exits, closing the media.
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
     * @throws java.io.IOException if standard input fails.
     */
    public static void main(final String[] args) throws java.io.IOException
    {
        final UnixDatagramMedia media = UnixDatagramMedia.open("unix:" + args[0], 1408, Throwable::printStackTrace);
        try
        {
            System.out.println(READY);
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // Nothing is ever written to the child: it waits here until it is killed or its parent is gone.
            }
        }
        finally
        {
            media.close();
        }
    }
}
