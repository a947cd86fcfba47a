package io.raet4j.examples.guide;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.pubsub.ReplyHandler;
import io.raet4j.pubsub.RequestFailure;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

public class RequestReply
{
    public static void main(final String[] args)
    {
        try (PubSub alpha = PubSub.launch(new PubSubContext(new StackContext(new Context().name("alpha")
                .bindAddress("127.0.0.1:0"))));
            PubSub beta = PubSub.launch(new PubSubContext(new StackContext(new Context().name("beta")
                .bindAddress("127.0.0.1:0")))))
        {
            final UnsafeBuffer answer = new UnsafeBuffer(new byte[256]);
            beta.respond("svc.upper", (topic, requesterEstateId, buffer, offset, length, replier) ->
            {
                final String text = buffer.getStringWithoutLengthAscii(offset, length).toUpperCase(Locale.ROOT);
                replier.reply(answer, 0, answer.putStringWithoutLengthAscii(0, text));
            });

            final Publisher upper = alpha.publisher("svc.upper");
            alpha.stack().join("127.0.0.1:" + ((InetSocketAddress)beta.stack().localAddress()).getPort());
            while (0 == upper.remoteResponders())            // joined, and beta's responder is known
            {
                alpha.doWork();
                beta.doWork();
            }

            final int[] ended = new int[1];
            final ReplyHandler print = new ReplyHandler()
            {
                public void onReply(
                    final long requestId, final long responderEstateId, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    ended[0]++;
                    System.out.println("reply " + buffer.getStringWithoutLengthAscii(offset, length));
                }

                public void onFailure(final long requestId, final RequestFailure reason)
                {
                    ended[0]++;
                    System.out.println("request failed: " + reason);
                }
            };
            final UnsafeBuffer request = new UnsafeBuffer(new byte[256]);
            final long timeoutNs = TimeUnit.SECONDS.toNanos(2);
            alpha.request(upper, request, 0, request.putStringWithoutLengthAscii(0, "hello"), timeoutNs, print);
            alpha.request(alpha.publisher("svc.nobody"), request, 0, 1, timeoutNs, print);
            while (ended[0] < 2)                             // each request ends exactly once
            {
                alpha.doWork();
                beta.doWork();
            }
        }
    }
}
