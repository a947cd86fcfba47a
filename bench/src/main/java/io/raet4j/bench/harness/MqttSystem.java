package io.raet4j.bench.harness;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * MQTT 3.1.1 as a {@link PubSubSystem}: a {@code mosquitto} broker the pubsub section started on a loopback port with
 * {@link #mosquittoConfig(int)}, and Eclipse Paho's asynchronous client ({@code MqttAsyncClient}, in-memory
 * persistence, clean sessions), one client per publisher or subscriber, every publication and subscription at one
 * QoS: 1 (at least once, acknowledged hop by hop, the closest to raet4j's reliable topics) or 0 (at most once).
 * Both ends set {@code TCP_NODELAY}, as NATS and jnats do by default: without it a QoS 1 round trip waits on Nagle's
 * algorithm and delayed acknowledgements (88 ms at p50 on loopback in a smoke run here, with it well under 1 ms).
 * <ul>
 *     <li>{@link #roundTrip}: client A publishes on {@code bench/ping} and waits for the pong its callback thread
 *     hands over; client B publishes each ping back on {@code bench/pong} from its callback thread.</li>
 *     <li>{@link #fanOut}: a publisher thread publishes on {@code bench/data} through its client; each of the N
 *     subscriber clients counts in its callback thread.</li>
 * </ul>
 * Threading: each call connects its clients and closes them before it returns; NOT for calls from two threads at
 * once.
 */
public final class MqttSystem implements PubSubSystem
{
    /** Row value of {@link Row#system()}. */
    public static final String SYSTEM = "mqtt";
    /** The broker's executable, from Debian's {@code mosquitto} package. */
    public static final String EXECUTABLE = "mosquitto";
    /** Idle of the round-trip rows: every thread is the client library's or blocks in it. */
    public static final String IDLE = "blocking (Paho threads)";
    /** Idle of the fan-out rows. */
    public static final String FAN_OUT_IDLE = "blocking (Paho threads); publisher backs off (spin, yield, park)";
    /** Threading of the round-trip rows. */
    public static final String ROUND_TRIP_THREADING = "Paho async, 2 clients: pinger on its own thread (publish, " +
        "then blocking wait for the pong), ponger replying from its callback thread; each client has sender, " +
        "receiver and callback threads; mosquitto a separate single-threaded process";

    private static final String PING = "bench/ping";
    private static final String PONG = "bench/pong";
    private static final String DATA = "bench/data";
    private static final long TIMEOUT_MS = 5_000;
    private static final int MQTT_3_1_1 = 4;

    private final int port;
    private final int qos;
    private final String serverVersion;

    /**
     * Against a running broker.
     *
     * @param port          its loopback port.
     * @param qos           0 or 1, for every publication and subscription.
     * @param serverVersion for the label, e.g. {@code mosquitto version 2.0.11}.
     */
    public MqttSystem(final int port, final int qos, final String serverVersion)
    {
        if (0 != qos && 1 != qos)
        {
            throw new IllegalArgumentException("qos must be 0 or 1: " + qos);
        }
        this.port = port;
        this.qos = qos;
        this.serverVersion = serverVersion;
    }

    /**
     * The broker's configuration file for a run: loopback only, anonymous clients, nothing persisted, errors and
     * warnings to its log, {@code TCP_NODELAY} on its client sockets ({@code set_tcp_nodelay true}), and no limit on
     * the messages it queues for a subscriber ({@code max_queued_messages 0}), because by default it drops QoS 0
     * publications (and queues at most 1000 QoS 1 ones) for a subscriber that falls behind; {@link FanOut}'s window
     * bounds the queue instead. Everything else is mosquitto's default.
     *
     * @param port the loopback port to listen on.
     * @return the file's text.
     */
    public static String mosquittoConfig(final int port)
    {
        if (port < 1 || port > 65_535)
        {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return "# Written by the raet4j harness for one run of its pubsub section.\n" +
            "listener " + port + " 127.0.0.1\n" +
            "allow_anonymous true\n" +
            "persistence false\n" +
            "set_tcp_nodelay true\n" +
            "max_queued_messages 0\n" +
            "log_dest stderr\n" +
            "log_type error\n" +
            "log_type warning\n";
    }

    /**
     * The media of the rows: TCP and the QoS.
     *
     * @return e.g. {@code tcp qos1}.
     */
    public String media()
    {
        return "tcp qos" + qos;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String label()
    {
        return "mqtt QoS " + qos + " (" + serverVersion + ", Paho async)";
    }

    /**
     * The threading text of a fan-out row.
     *
     * @param subscribers the fan-out.
     * @return the text.
     */
    static String fanOutThreading(final int subscribers)
    {
        return String.format(Locale.ROOT, "Paho async, 1+%d clients: publisher thread (backs off while %d ahead of " +
            "the slowest subscriber or at Paho's in-flight limit) and its client's sender, receiver and callback " +
            "threads; each subscriber client with its own three (counts in the callback thread); mosquitto a " +
            "separate single-threaded process", subscribers, FanOut.WINDOW);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> roundTrip(final int sizeBytes, final int warmup, final int count) throws Exception
    {
        if (sizeBytes < 8 || warmup < 0 || count < 1)
        {
            throw new IllegalArgumentException("need sizeBytes >= 8, warmup >= 0 and count >= 1");
        }
        final Histogram histogram = Rows.newHistogram();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Consumer<Throwable> onFailure = (cause) -> failure.compareAndSet(null, cause);
        final BlockingQueue<byte[]> pongs = new ArrayBlockingQueue<>(16);
        final List<MqttAsyncClient> clients = new ArrayList<>();
        try
        {
            final MqttAsyncClient ponger = client("harness-pong", clients);
            ponger.setCallback(callback(onFailure, (topic, message) ->
            {
                try
                {
                    ponger.publish(PONG, message.getPayload(), qos, false);
                }
                catch (final MqttException ex)
                {
                    onFailure.accept(ex);
                }
            }));
            final MqttAsyncClient pinger = client("harness-ping", clients);
            pinger.setCallback(callback(onFailure, (topic, message) -> pongs.add(message.getPayload())));
            connectAll(clients, 0);
            ponger.subscribe(PING, qos).waitForCompletion(TIMEOUT_MS);
            pinger.subscribe(PONG, qos).waitForCompletion(TIMEOUT_MS);

            final int total = warmup + count;
            final long runStartNs = System.nanoTime();
            for (int i = 0; i < total; i++)
            {
                PubSubSystem.checkBudget("mqtt qos" + qos, runStartNs, i, total);
                final byte[] ping = new byte[sizeBytes];
                final long startNs = System.nanoTime();
                FanOut.number(ping, startNs);
                pinger.publish(PING, ping, qos, false);
                final byte[] pong = pongs.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                final long rttNs = System.nanoTime() - startNs;
                if (null != failure.get())
                {
                    throw new IllegalStateException("mqtt: " + failure.get(), failure.get());
                }
                if (null == pong)
                {
                    throw new TimeoutException("mqtt: no pong within " + TIMEOUT_MS + " ms");
                }
                if (!Arrays.equals(ping, pong))
                {
                    throw new IllegalStateException("mqtt: pong echoed another ping");
                }
                if (i >= warmup)
                {
                    histogram.recordValue(Math.min(rttNs, Rows.HIGHEST_NS));
                }
            }
        }
        finally
        {
            closeAll(clients);
        }
        return Rows.latency(SYSTEM, media(), false, sizeBytes, histogram, IDLE, ROUND_TRIP_THREADING);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<Row> fanOut(final int sizeBytes, final int subscribers, final double seconds) throws Exception
    {
        final FanOut run = new FanOut("mqtt qos" + qos + " 1:" + subscribers, subscribers, sizeBytes);
        final List<MqttAsyncClient> clients = new ArrayList<>();
        final FanOut.Window window;
        try
        {
            for (int i = 0; i < subscribers; i++)
            {
                final int subscriber = i;
                final MqttAsyncClient sink = client("harness-sub-" + i, clients);
                sink.setCallback(callback(run::fail,
                    (topic, message) -> run.onMessage(subscriber, message.getPayload())));
            }
            final MqttAsyncClient source = client("harness-pub", clients);
            source.setCallback(callback(run::fail, (topic, message) ->
            {
            }));
            connectAll(clients, FanOut.WINDOW);
            final List<IMqttToken> subscriptions = new ArrayList<>();
            for (int i = 0; i < subscribers; i++)
            {
                subscriptions.add(clients.get(i).subscribe(DATA, qos));
            }
            for (final IMqttToken token : subscriptions)
            {
                token.waitForCompletion(TIMEOUT_MS);
            }
            window = run.run(List.of(new Thread(() -> publish(run, source, sizeBytes), "mqtt-pub")), seconds);
        }
        finally
        {
            closeAll(clients);
        }
        return Rows.throughput(SYSTEM, PubSubSystem.fanOutMedia(media(), subscribers), false, sizeBytes,
            window.publications(), window.seconds(), FAN_OUT_IDLE, fanOutThreading(subscribers));
    }

    private void publish(final FanOut run, final MqttAsyncClient source, final int sizeBytes)
    {
        try
        {
            final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            long sequence = 0;
            long limit = 0;
            byte[] data = null;
            while (run.isPublishing())
            {
                if (sequence >= limit)
                {
                    limit = run.limit();
                    if (sequence >= limit)
                    {
                        idle.idle(0);
                        continue;
                    }
                }
                if (null == data)
                {
                    // Paho keeps the array until its sender thread writes it: a new one per publication.
                    data = new byte[sizeBytes];
                    FanOut.number(data, sequence);
                }
                try
                {
                    source.publish(DATA, data, qos, false);
                    data = null;
                    sequence++;
                    idle.reset();
                }
                catch (final MqttException ex)
                {
                    if (MqttException.REASON_CODE_MAX_INFLIGHT != ex.getReasonCode())
                    {
                        throw ex;
                    }
                    idle.idle(0);
                }
            }
            run.published(sequence);
        }
        catch (final MqttException | RuntimeException ex)
        {
            run.fail(ex);
        }
    }

    private MqttAsyncClient client(final String name, final List<MqttAsyncClient> clients) throws MqttException
    {
        final MqttAsyncClient client = new MqttAsyncClient(
            "tcp://127.0.0.1:" + port, name + "-" + System.nanoTime(), new MemoryPersistence());
        clients.add(client);
        return client;
    }

    /**
     * Connect every client at once: Paho takes about 300 ms to complete a connect here, whatever the broker does, so
     * seventeen in turn would cost five seconds of setup per run.
     */
    private static void connectAll(final List<MqttAsyncClient> clients, final int maxInflight) throws MqttException
    {
        final List<IMqttToken> tokens = new ArrayList<>();
        for (final MqttAsyncClient client : clients)
        {
            final MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MQTT_3_1_1);
            options.setCleanSession(true);
            options.setAutomaticReconnect(false);
            options.setKeepAliveInterval(60);
            options.setConnectionTimeout((int)TimeUnit.MILLISECONDS.toSeconds(TIMEOUT_MS));
            options.setSocketFactory(NoDelaySocketFactory.INSTANCE);
            if (maxInflight > 0)
            {
                options.setMaxInflight(maxInflight);
            }
            tokens.add(client.connect(options));
        }
        for (final IMqttToken token : tokens)
        {
            token.waitForCompletion(TIMEOUT_MS);
        }
    }

    private static MqttCallback callback(
        final Consumer<Throwable> onFailure, final BiConsumer<String, MqttMessage> onMessage)
    {
        return new MqttCallback()
        {
            public void connectionLost(final Throwable cause)
            {
                onFailure.accept(new IllegalStateException("mqtt connection lost: " + cause, cause));
            }

            public void messageArrived(final String topic, final MqttMessage message)
            {
                onMessage.accept(topic, message);
            }

            public void deliveryComplete(final IMqttDeliveryToken token)
            {
            }
        };
    }

    private static void closeAll(final List<MqttAsyncClient> clients)
    {
        for (final MqttAsyncClient client : clients)
        {
            try
            {
                if (client.isConnected())
                {
                    // Not disconnectForcibly: it waits out its whole timeout, a second per client.
                    client.disconnect(0).waitForCompletion(TIMEOUT_MS);
                }
                client.close(true);
            }
            catch (final MqttException ex)
            {
                // Closing after the measurement: nothing is left to lose.
            }
        }
    }

    /**
     * Paho's sockets with {@code TCP_NODELAY}. Paho creates an unconnected socket and connects it itself, so only
     * {@link #createSocket()} is used.
     */
    private static final class NoDelaySocketFactory extends SocketFactory
    {
        static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

        public Socket createSocket() throws IOException
        {
            final Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            return socket;
        }

        public Socket createSocket(final String host, final int port) throws IOException
        {
            final Socket socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            return socket;
        }

        public Socket createSocket(
            final String host, final int port, final InetAddress localHost, final int localPort) throws IOException
        {
            final Socket socket = new Socket(host, port, localHost, localPort);
            socket.setTcpNoDelay(true);
            return socket;
        }

        public Socket createSocket(final InetAddress host, final int port) throws IOException
        {
            final Socket socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            return socket;
        }

        public Socket createSocket(
            final InetAddress address, final int port, final InetAddress localAddress, final int localPort)
            throws IOException
        {
            final Socket socket = new Socket(address, port, localAddress, localPort);
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
