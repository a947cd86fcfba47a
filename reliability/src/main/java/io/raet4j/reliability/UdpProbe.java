package io.raet4j.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A tiny UDP endpoint to check what reaches a host, run as its own process (inside a network namespace, for
 * instance) and driven through its standard input and output. It prints {@code listening on HOST:PORT}, then
 * {@code recv TEXT from HOST:PORT} for each datagram it receives; the command {@code send HOST:PORT TEXT} sends one
 * datagram and prints {@code sent TEXT to HOST:PORT}; {@code quit} (or the end of input) prints
 * {@code {"received","sent","sendErrors"}} and exits.
 * <p>
 * Usage: {@code java -cp ... io.raet4j.reliability.UdpProbe --bind HOST:PORT}.
 * <p>
 * Thread safe: a receiving thread and the command thread print under one lock.
 */
public final class UdpProbe
{
    private static final int MAX_LENGTH = 2048;

    private final PrintStream out;
    private final DatagramSocket socket;
    private long received;
    private long sent;
    private long sendErrors;

    private UdpProbe(final PrintStream out, final DatagramSocket socket)
    {
        this.out = out;
        this.socket = socket;
    }

    /**
     * Run the probe until {@code quit} or the end of input.
     *
     * @param args {@code --bind HOST:PORT}.
     * @throws SocketException if the address cannot be bound.
     */
    public static void main(final String[] args) throws SocketException
    {
        if (2 != args.length || !"--bind".equals(args[0]))
        {
            System.err.println("usage: java -cp ... io.raet4j.reliability.UdpProbe --bind HOST:PORT");
            System.exit(2);
        }
        final InetSocketAddress bind = UdpProxy.address(args[1]);
        try (DatagramSocket socket = new DatagramSocket(bind))
        {
            final UdpProbe probe = new UdpProbe(System.out, socket);
            probe.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        }
        System.exit(0);
    }

    private void run(final BufferedReader in)
    {
        print("listening on " + socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort());
        final Thread receiver = new Thread(this::receive, "udp-probe-recv");
        receiver.setDaemon(true);
        receiver.start();
        try
        {
            String line;
            while (null != (line = in.readLine()) && !"quit".equals(line.strip()))
            {
                command(line.strip());
            }
        }
        catch (final IOException ignore)
        {
            // input closed: end as if told to quit
        }
        synchronized (this)
        {
            out.println(new JsonWriter().put("received", received).put("sent", sent).put("sendErrors", sendErrors));
            out.flush();
        }
    }

    private void command(final String line)
    {
        final String[] words = line.split("\\s+", 3);
        if (3 != words.length || !"send".equals(words[0]))
        {
            print("unknown command '" + line + "' (send HOST:PORT TEXT, quit)");
            return;
        }
        final byte[] text = words[2].getBytes(StandardCharsets.UTF_8);
        try
        {
            socket.send(new DatagramPacket(text, text.length, UdpProxy.address(words[1])));
            synchronized (this)
            {
                sent++;
            }
            print("sent " + words[2] + " to " + words[1]);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            synchronized (this)
            {
                sendErrors++;
            }
            print("send failed: " + words[2] + " to " + words[1] + ": " + ex.getMessage());
        }
    }

    private void receive()
    {
        final DatagramPacket packet = new DatagramPacket(new byte[MAX_LENGTH], MAX_LENGTH);
        try
        {
            while (true)
            {
                packet.setLength(MAX_LENGTH);
                socket.receive(packet);
                final String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                synchronized (this)
                {
                    received++;
                }
                print("recv " + text + " from " + packet.getAddress().getHostAddress() + ":" + packet.getPort());
            }
        }
        catch (final IOException ignore)
        {
            // socket closed at the end of the run
        }
    }

    private synchronized void print(final String line)
    {
        out.println(line);
        out.flush();
    }
}
