package io.raet4j.examples.guide;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.Context;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;

public class QuickStart
{
    public static void main(final String[] args)
    {
        try (Stack alpha = Stack.launch(new Context().name("alpha").bindAddress("127.0.0.1:0"));
            Stack beta = Stack.launch(new Context().name("beta").bindAddress("127.0.0.1:0")))
        {
            final int[] outcomes = new int[1];
            alpha.addPresenceHandler((id, name, event) -> System.out.println("alpha sees " + name + " " + event));
            alpha.addJoinHandler((correlationId, failure) -> System.out.println("join failed: " + failure.message()));
            alpha.addDeliveryHandler(new DeliveryHandler()
            {
                public void onDelivered(final long estateId, final int channel, final long messageId)
                {
                    outcomes[0]++;
                    System.out.println("message " + messageId + " delivered");
                }

                public void onFailed(final long estateId, final int channel, final long id, final FailureReason why)
                {
                    outcomes[0]++;
                    System.out.println("message " + id + " failed (not delivered): " + why);
                }

                public void onUncertain(final long estateId, final int channel, final long id, final FailureReason why)
                {
                    outcomes[0]++;
                    System.out.println("message " + id + " uncertain (may have been delivered): " + why);
                }
            });

            alpha.join("127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort());
            long betaId = 0;
            while (0 == betaId)
            {
                alpha.doWork();                       // invoker mode: each stack's duty cycle runs in this loop
                beta.doWork();
                betaId = alpha.isJoined(alpha.estateIdByName("beta")) ? alpha.estateIdByName("beta") : 0;
            }

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 10; i++)
            {
                final int length = buffer.putStringWithoutLengthAscii(0, "hello " + i);
                while (alpha.offer(betaId, 0, buffer, 0, length) < 0)   // a message id, or a status such as
                {                                                        // BACK_PRESSURED: run the loop and retry
                    alpha.doWork();
                    beta.doWork();
                }
            }
            while (outcomes[0] < 10)
            {
                alpha.doWork();
                beta.doWork();
                beta.poll((from, channel, message, offset, length) ->
                    System.out.println("beta got " + message.getStringWithoutLengthAscii(offset, length)), 16);
            }
        }
    }
}
