package io.raet4j.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.regex.Pattern;

import static io.raet4j.reliability.Direction.CLIENT_TO_TARGET;
import static io.raet4j.reliability.Direction.TARGET_TO_CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The current command line end to end through the tools: {@code recv} and {@code send} as separate processes,
 * talking through a {@link UdpProxy}, each result read from its last JSON line.
 */
@Timeout(120)
class FleetSmokeIT
{
    static final Duration START = Duration.ofSeconds(30);
    static final Duration RUN = Duration.ofSeconds(60);
    static final Pattern LISTENING = Pattern.compile("listening on (\\S+) as ");
    private static final int MESSAGES = 300;

    @Test
    void shouldDeliverEveryMessageThroughTheProxyAndReportTheSameCountAtBothEnds()
    {
        try (Fleet fleet = Fleet.create("smoke"))
        {
            final String status = fleet.dir("status").toString();
            final RaetProcess recv = fleet.raet("recv").label("recv-b").args("--name", "b", "--bind", "127.0.0.1:0",
                "--count", Integer.toString(MESSAGES), "--dir", status).start();
            final String recvAddress = recv.awaitMatch(LISTENING, 0, START).group(1);

            try (UdpProxy proxy = UdpProxy.start("127.0.0.1:0", recvAddress))
            {
                final RaetProcess send = fleet.raet("send").label("send-a").args("--name", "a", "--bind",
                    "127.0.0.1:0", "--peer", proxy.localHostPort(), "--count", Integer.toString(MESSAGES),
                    "--size", "100", "--dir", status).start();

                final JsonObject sent = send.awaitResult(RUN);
                final JsonObject received = recv.awaitResult(RUN);

                assertEquals(0, send.awaitExit(RUN), send::transcript);
                assertEquals(0, recv.awaitExit(RUN), recv::transcript);
                assertEquals(MESSAGES, sent.getLong("sent"), send::transcript);
                assertEquals(MESSAGES, sent.getLong("delivered"), send::transcript);
                assertEquals(0, sent.getLong("failed"), send::transcript);
                assertEquals(MESSAGES, received.getLong("received"), recv::transcript);
                assertEquals(0, received.getLong("duplicates") + received.getLong("outOfOrder") +
                    received.getLong("corrupt"), recv::transcript);
                assertEquals(1, proxy.clients(), proxy::describeCounters);
                assertTrue(proxy.forwarded(CLIENT_TO_TARGET) > 0 && proxy.forwarded(TARGET_TO_CLIENT) > 0,
                    proxy::describeCounters);
                assertTrue(proxy.forwardedBytes(CLIENT_TO_TARGET) > MESSAGES * 100L, proxy::describeCounters);
            }
        }
    }
}
