package io.raet4j.examples.guide;

import io.raet4j.pubsub.ConcurrentPublisher;
import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.Publisher;
import io.raet4j.reactive.Publication;
import io.raet4j.reactive.TopicPublisher;
import io.raet4j.reactive.TopicSubscriber;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

public class ReactiveTopics
{
    public static void main(final String[] args) throws Exception
    {
        try (PubSub alpha = PubSub.launch(new PubSubContext(new StackContext(new Context().name("alpha")
                .bindAddress("127.0.0.1:0")).maxMessageBytes(64 * 1024)));
            PubSub beta = PubSub.launch(new PubSubContext(new StackContext(new Context().name("beta")
                .bindAddress("127.0.0.1:0")).maxMessageBytes(64 * 1024))))
        {
            // On the thread that runs the layers, before their duty cycles move to a thread of theirs.
            final TopicPublisher temperatures = TopicPublisher.subscribe(beta, "sensors.*.temp");
            final Publisher kitchen = alpha.publisher("sensors.kitchen.temp").blocking();  // waits for a slow beta
            final ConcurrentPublisher publisher = ConcurrentPublisher.attach(alpha);
            alpha.stack().join("127.0.0.1:" + ((InetSocketAddress)beta.stack().localAddress()).getPort());
            while (0 == kitchen.remoteSubscribers())                   // beta's interest arrived
            {
                alpha.doWork();
                beta.doWork();
            }
            alpha.stack().handOver();
            beta.stack().handOver();
            final Thread dutyCycles = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    if (0 == alpha.doWork() + beta.doWork())
                    {
                        Thread.yield();
                    }
                }
            });
            dutyCycles.start();

            final CountDownLatch five = new CountDownLatch(5);
            final CountDownLatch complete = new CountDownLatch(1);
            temperatures.subscribe(new Flow.Subscriber<Publication>()
            {
                private Flow.Subscription subscription;

                public void onSubscribe(final Flow.Subscription subscription)
                {
                    this.subscription = subscription;
                    subscription.request(1);
                }

                public void onNext(final Publication publication)
                {
                    System.out.println("beta got " + publication.topic() + " " +
                        new String(publication.payload(), StandardCharsets.UTF_8));
                    subscription.request(1);
                    five.countDown();
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

            final TopicSubscriber toKitchen = TopicSubscriber.create(publisher, kitchen);
            try (SubmissionPublisher<byte[]> upstream = new SubmissionPublisher<>())
            {
                upstream.subscribe(toKitchen);
                for (int i = 0; i < 5; i++)
                {
                    upstream.submit(("2" + i + " C").getBytes(StandardCharsets.UTF_8));
                }
            }
            System.out.println("handed over: " + toKitchen.whenHandedOver().get());
            five.await();
            temperatures.close();                                      // then onComplete
            complete.await();
            dutyCycles.interrupt();
            dutyCycles.join();
        }
    }
}
