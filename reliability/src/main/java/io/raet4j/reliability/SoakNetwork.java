package io.raet4j.reliability;

/**
 * Where a {@link Soak} runs its {@code send} and {@code recv} and how it breaks the path between them: through a
 * {@link UdpProxy} on loopback (partitions, one-way drops and loss bursts), or between two hosts in
 * {@link NetworkNamespaces} (the receiver's link down, one-way blocks; no loss, which namespaces cannot inject here).
 * <p>
 * NOT thread safe: the soak's thread drives it.
 */
interface SoakNetwork extends AutoCloseable
{
    /**
     * Address {@code recv} binds, fixed for the whole soak so that a restarted receiver is found again.
     *
     * @return {@code HOST:PORT}.
     */
    String recvBind();

    /**
     * Address {@code send} binds.
     *
     * @return {@code HOST:PORT}, port 0.
     */
    String sendBind();

    /**
     * Address {@code send} joins: the proxy, or the receiver itself.
     *
     * @return {@code HOST:PORT}.
     */
    String sendPeer();

    /**
     * Place a process: in its host, or on this one.
     *
     * @param launch   to place.
     * @param isSender true for {@code send}, false for {@code recv}.
     * @return the launch.
     */
    Fleet.Launch place(Fleet.Launch launch, boolean isSender);

    /**
     * Nothing passes either way until {@link #heal()}.
     */
    void partition();

    /**
     * One direction is dropped until {@link #heal()}.
     *
     * @param isTowardsReceiver true to drop what the sender sends, false to drop what the receiver answers.
     */
    void dropOneWay(boolean isTowardsReceiver);

    /**
     * Whether {@link #loss(double)} can be done.
     *
     * @return true through a proxy.
     */
    boolean canLose();

    /**
     * Lose datagrams at random both ways.
     *
     * @param probability 0 to 1; 0 ends a burst.
     */
    void loss(double probability);

    /**
     * Undo every partition and drop.
     */
    void heal();

    /**
     * The network in a few words, for the report.
     *
     * @return e.g. {@code loopback through UdpProxy 127.0.0.1:40000}.
     */
    String describe();

    /**
     * Remove what was made.
     */
    @Override
    void close();

    /**
     * Send and recv on loopback, the sender joining through a {@link UdpProxy}.
     */
    final class Proxied implements SoakNetwork
    {
        private final String recvBind;
        private final UdpProxy proxy;

        Proxied(final String recvBind)
        {
            this.recvBind = recvBind;
            this.proxy = UdpProxy.start("127.0.0.1:0", recvBind);
        }

        @Override
        public String recvBind()
        {
            return recvBind;
        }

        @Override
        public String sendBind()
        {
            return "127.0.0.1:0";
        }

        @Override
        public String sendPeer()
        {
            return proxy.localHostPort();
        }

        @Override
        public Fleet.Launch place(final Fleet.Launch launch, final boolean isSender)
        {
            return launch;
        }

        @Override
        public void partition()
        {
            proxy.partition();
        }

        @Override
        public void dropOneWay(final boolean isTowardsReceiver)
        {
            proxy.partition(isTowardsReceiver ? Direction.CLIENT_TO_TARGET : Direction.TARGET_TO_CLIENT);
        }

        @Override
        public boolean canLose()
        {
            return true;
        }

        @Override
        public void loss(final double probability)
        {
            proxy.loss(probability);
        }

        @Override
        public void heal()
        {
            proxy.heal();
            proxy.loss(0);
        }

        @Override
        public String describe()
        {
            return "loopback, send -> UdpProxy " + proxy.localHostPort() + " -> recv " + recvBind + " (proxy: " +
                proxy.describeCounters() + ")";
        }

        @Override
        public void close()
        {
            proxy.close();
        }
    }

    /**
     * Send on host 1 and recv on host 2 of two network namespaces joined by a bridge.
     */
    final class Namespaced implements SoakNetwork
    {
        private static final int RECV_PORT = 7531;

        private final NetworkNamespaces net;
        private final NetworkNamespaces.Host sender;
        private final NetworkNamespaces.Host receiver;

        Namespaced()
        {
            net = NetworkNamespaces.create(2);
            sender = net.host(1);
            receiver = net.host(2);
        }

        @Override
        public String recvBind()
        {
            return receiver.address(RECV_PORT);
        }

        @Override
        public String sendBind()
        {
            return sender.address(0);
        }

        @Override
        public String sendPeer()
        {
            return recvBind();
        }

        @Override
        public Fleet.Launch place(final Fleet.Launch launch, final boolean isSender)
        {
            return launch.in(isSender ? sender : receiver);
        }

        @Override
        public void partition()
        {
            net.linkDown(receiver);
        }

        @Override
        public void dropOneWay(final boolean isTowardsReceiver)
        {
            if (isTowardsReceiver)
            {
                net.block(sender, receiver);
            }
            else
            {
                net.block(receiver, sender);
            }
        }

        @Override
        public boolean canLose()
        {
            return false;
        }

        @Override
        public void loss(final double probability)
        {
            throw new UnsupportedOperationException("no loss between namespaces here (no netem)");
        }

        @Override
        public void heal()
        {
            net.healAll();
        }

        @Override
        public String describe()
        {
            return "network namespaces, send on " + sender + " -> recv on " + receiver + " (partition = the " +
                "receiver's link down, one-way = a neighbour entry to nowhere)";
        }

        @Override
        public void close()
        {
            net.close();
        }
    }
}
