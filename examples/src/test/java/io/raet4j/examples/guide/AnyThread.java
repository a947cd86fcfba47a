package io.raet4j.examples.guide;

import io.raet4j.transactions.ConcurrentReceiver;
import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.MessageOutcome;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.Context;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;

public class AnyThread
{
    public static void main(final String[] args) throws Exception
    {
        try (Stack alpha = Stack.launch(new Context().name("alpha").bindAddress("127.0.0.1:0"));
            Stack beta = Stack.launch(new Context().name("beta").bindAddress("127.0.0.1:0")))
        {
            alpha.join("127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort());
            while (!alpha.isJoined(beta.estateId()))
            {
                alpha.doWork();
                beta.doWork();
            }
            // Attach on the thread that runs the stacks, before their duty cycles move to a thread of theirs.
            final ConcurrentSender sender = ConcurrentSender.attach(alpha);
            final ConcurrentReceiver receiver = ConcurrentReceiver.attach(beta);
            alpha.handOver();
            beta.handOver();
            final Thread dutyCycles = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    if (0 == alpha.doWork() + beta.doWork())
                    {
                        Thread.yield();                       // or an Agrona IdleStrategy
                    }
                }
            });
            dutyCycles.start();

            final Thread[] producers = new Thread[2];
            for (int p = 0; p < producers.length; p++)
            {
                final String name = "producer " + p;
                producers[p] = new Thread(() ->
                {
                    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
                    for (int i = 0; i < 5; i++)
                    {
                        final int length = buffer.putStringWithoutLengthAscii(0, name + " message " + i);
                        while (Stack.BACK_PRESSURED == sender.offer(beta.estateId(), 0, buffer, 0, length))
                        {
                            Thread.yield();                   // the ring is full: the stack is behind
                        }
                    }
                });
                producers[p].start();
            }
            final UnsafeBuffer last = new UnsafeBuffer(new byte[64]);
            final MessageOutcome outcome = sender.offerTracked(
                beta.estateId(), 0, last, 0, last.putStringWithoutLengthAscii(0, "tracked")).get();
            System.out.println("tracked message " + outcome.status());

            int received = 0;
            while (received < 11)                             // this thread consumes what beta received
            {
                final int polled = receiver.poll((estateId, channel, buffer, offset, length) ->
                    System.out.println("beta got " + buffer.getStringWithoutLengthAscii(offset, length)), 16);
                if (0 == polled)
                {
                    Thread.yield();
                }
                received += polled;
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            dutyCycles.interrupt();
            dutyCycles.join();
        }
    }
}
