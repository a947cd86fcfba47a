package io.raet4j.transactions;

import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stack on its own thread (dedicated mode) with an application agent, talking to a stack in invoker mode.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DedicatedModeTest
{
    @TempDir
    Path tempDir;

    private Stack dedicated;
    private Stack invoked;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(dedicated, invoked);
    }

    @Test
    void shouldEchoFromApplicationAgentOnDedicatedThread()
    {
        dedicated = Stack.launch(new Context().name("server").threadingMode(Context.ThreadingMode.DEDICATED)
            .statusDir(tempDir.resolve("server")));
        final AtomicLong echoed = new AtomicLong();
        final Stack server = dedicated;
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[64]);
        server.start(new Agent()
        {
            public int doWork()
            {
                return server.poll((id, channel, buffer, offset, length) ->
                {
                    reply.putBytes(0, buffer, offset, length);
                    if (server.offer(id, channel, reply, 0, length) >= 0)
                    {
                        echoed.incrementAndGet();
                    }
                }, 16);
            }

            public String roleName()
            {
                return "echo";
            }
        });
        assertThrows(IllegalStateException.class, () -> server.start(null));

        invoked = Stack.launch(new Context().name("client").statusDir(tempDir.resolve("client")));
        final int port = ((InetSocketAddress)dedicated.localAddress()).getPort();
        invoked.join("127.0.0.1:" + port);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long serverId = 0;
        while (0 == serverId && System.nanoTime() < deadlineNs)
        {
            invoked.doWork();
            serverId = invoked.estateIdByName("server");
            serverId = invoked.isJoined(serverId) ? serverId : 0;
        }
        assertTrue(0 != serverId, "joined");

        final UnsafeBuffer msg = new UnsafeBuffer(new byte[8]);
        final long[] received = {0};
        for (long i = 0; i < 1000 && System.nanoTime() < deadlineNs; )
        {
            msg.putLong(0, i);
            if (invoked.offer(serverId, 2, msg, 0, 8) >= 0)
            {
                i++;
            }
            invoked.doWork();
            invoked.poll((id, channel, buffer, offset, length) -> received[0]++, 16);
        }
        while (received[0] < 1000 && System.nanoTime() < deadlineNs)
        {
            invoked.doWork();
            invoked.poll((id, channel, buffer, offset, length) -> received[0]++, 16);
        }
        assertEquals(1000, received[0]);
        assertEquals(1000, echoed.get());
    }

    @Test
    void shouldCloseFromAHandlerOnTheDedicatedThread()
    {
        dedicated = Stack.launch(new Context().name("server").threadingMode(Context.ThreadingMode.DEDICATED)
            .statusDir(tempDir.resolve("server")));
        final Stack server = dedicated;
        final Thread[] stackThread = new Thread[1];
        server.addPresenceHandler((id, name, event) ->
        {
            if (PresenceEvent.JOINED == event)
            {
                stackThread[0] = Thread.currentThread();
                server.close();
            }
        });
        server.start(null);
        invoked = Stack.launch(new Context().name("client").statusDir(tempDir.resolve("client")));
        invoked.join("127.0.0.1:" + ((InetSocketAddress)dedicated.localAddress()).getPort());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!server.isClosed() && System.nanoTime() < deadlineNs)
        {
            invoked.doWork();
        }
        assertTrue(server.isClosed(), "the handler closed its own stack on the stack's thread");
        try
        {
            stackThread[0].join(TimeUnit.SECONDS.toMillis(20));
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
        assertFalse(stackThread[0].isAlive(), "the stack's thread ended");
    }
}
