package io.raet4j.examples.guide;

import io.raet4j.reactive.Message;
import io.raet4j.reactive.MessagePublisher;
import io.raet4j.reactive.MessageSubscriber;
import io.raet4j.transactions.ConcurrentSender;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

public class ReactiveStart
{
    public static void main(final String[] args) throws Exception
    {
        try (Stack alpha = Stack.launch(new StackContext(new Context().name("alpha").bindAddress("127.0.0.1:0"))
                .maxMessageBytes(64 * 1024));                   // the publisher's ring holds 4/3 of the largest one
            Stack beta = Stack.launch(new StackContext(new Context().name("beta").bindAddress("127.0.0.1:0"))
                .maxMessageBytes(64 * 1024)))
        {
            alpha.join("127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort());
            while (!alpha.isJoined(beta.estateId()))
            {
                alpha.doWork();
                beta.doWork();
            }
            // Attach on the thread that runs the stacks: here, before their duty cycles move to a thread of theirs.
            final MessagePublisher received = MessagePublisher.attach(beta, 7);
            final ConcurrentSender sender = ConcurrentSender.attach(alpha);
            final MessageSubscriber toBeta = MessageSubscriber.create(sender, beta.estateId(), 7);
            alpha.handOver();
            beta.handOver();
            final Thread dutyCycles = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    if (0 == alpha.doWork() + beta.doWork())
                    {
                        Thread.yield();                           // or an Agrona IdleStrategy
                    }
                }
            });
            dutyCycles.start();

            final CountDownLatch ten = new CountDownLatch(10);
            final CountDownLatch complete = new CountDownLatch(1);
            received.subscribe(new Flow.Subscriber<Message>()
            {
                private Flow.Subscription subscription;
                private int count;

                public void onSubscribe(final Flow.Subscription subscription)
                {
                    this.subscription = subscription;
                    subscription.request(4);                      // nothing requested: nothing more taken in
                }

                public void onNext(final Message message)
                {
                    System.out.println("beta got " + new String(message.payload(), StandardCharsets.UTF_8));
                    if (0 == ++count % 4)
                    {
                        subscription.request(4);
                    }
                    ten.countDown();
                }

                public void onError(final Throwable error)
                {
                    System.out.println("stream failed: " + error.getMessage());
                }

                public void onComplete()
                {
                    System.out.println("stream complete");
                    complete.countDown();
                }
            });

            try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>())
            {
                upstream.subscribe(toBeta);
                for (int i = 0; i < 10; i++)
                {
                    upstream.submit(("hello " + i).getBytes(StandardCharsets.UTF_8));  // blocks while beta lags
                }
            }                                                     // close: onComplete to toBeta
            System.out.println("handed over: " + toBeta.whenHandedOver().get());
            ten.await();
            received.close();                                     // the subscriber then gets onComplete
            complete.await();
            dutyCycles.interrupt();
            dutyCycles.join();
        }
    }
}
