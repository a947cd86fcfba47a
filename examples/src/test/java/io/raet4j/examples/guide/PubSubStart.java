package io.raet4j.examples.guide;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;

public class PubSubStart
{
    public static void main(final String[] args)
    {
        try (PubSub alpha = PubSub.launch(new PubSubContext(new StackContext(new Context().name("alpha")
                .bindAddress("127.0.0.1:0"))));
            PubSub beta = PubSub.launch(new PubSubContext(new StackContext(new Context().name("beta")
                .bindAddress("127.0.0.1:0")))))
        {
            final int[] received = new int[1];
            beta.subscribe("sensors.*.temp", (topic, estateId, buffer, offset, length) ->
            {
                received[0]++;
                System.out.println("beta got " + topic + " " + buffer.getStringWithoutLengthAscii(offset, length));
            });
            beta.subscribe("sensors.>", (topic, estateId, buffer, offset, length) ->
                System.out.println("beta saw something on " + topic));

            final Publisher kitchen = alpha.publisher("sensors.kitchen.temp");
            alpha.stack().join("127.0.0.1:" + ((InetSocketAddress)beta.stack().localAddress()).getPort());
            while (0 == kitchen.remoteSubscribers())         // joined, and beta's interest has arrived
            {
                alpha.doWork();                              // the layer's duty cycle, which runs the stack's
                beta.doWork();
            }

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 3; i++)
            {
                final int length = buffer.putStringWithoutLengthAscii(0, "2" + i + " C");
                System.out.println("copies taken: " + kitchen.publish(buffer, 0, length));
            }
            while (received[0] < 3)
            {
                alpha.doWork();
                beta.doWork();
            }
        }
    }
}
