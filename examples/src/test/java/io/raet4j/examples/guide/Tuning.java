package io.raet4j.examples.guide;

import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transactions.StackCounterDescriptor;
import io.raet4j.transport.Context;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

public class Tuning
{
    public static void main(final String[] args)
    {
        final StackContext tuned = new StackContext(new Context().name("alpha").bindAddress("127.0.0.1:0"))
            .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(3))   // silent this long: UNREACHABLE, session kept
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(120))  // silent this long: DEAD, its messages end
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(240))  // longest wait for one message's confirmation
            .joinTimeoutNs(TimeUnit.SECONDS.toNanos(5));
        try (Stack alpha = Stack.launch(tuned);
            Stack beta = Stack.launch(new Context().name("beta").bindAddress("127.0.0.1:0")))
        {
            alpha.join("127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort());
            while (!alpha.isJoined(beta.estateId()))
            {
                alpha.doWork();
                beta.doWork();
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            for (int i = 0; i < 100; i++)
            {
                while (alpha.offer(beta.estateId(), 0, buffer, 0, buffer.capacity()) < 0)
                {
                    alpha.doWork();
                    beta.doWork();
                }
            }
            final long[] bytes = new long[1];
            while (alpha.counter(StackCounterDescriptor.MESSAGES_DELIVERED) < 100)
            {
                alpha.doWork();
                beta.doWork();
                beta.poll((estateId, channel, message, offset, length) -> bytes[0] += length, 64);
            }

            System.out.println("status file: " + alpha.statusFile());
            System.out.println("messages delivered: " + alpha.counter(StackCounterDescriptor.MESSAGES_DELIVERED));
            System.out.println("beta received: " + beta.counter(StackCounterDescriptor.MESSAGES_RECEIVED) +
                " messages, " + bytes[0] + " bytes");
            System.out.println("joins: " + alpha.counter(StackCounterDescriptor.JOINS));
            System.out.println("duty cycles > 0: " + (alpha.counter(TransportCounterDescriptor.DUTY_CYCLES) > 0));
        }
    }
}
