/**
 * Reactive Streams adapters over {@link java.util.concurrent.Flow}: {@link io.raet4j.reactive.MessagePublisher} hands
 * a stack's received messages to one {@link java.util.concurrent.Flow.Subscriber} as its demand allows, and
 * {@link io.raet4j.reactive.MessageSubscriber} sends what an upstream publisher produces to one estate and channel,
 * requesting more only as the stack takes it; {@link io.raet4j.reactive.TopicPublisher} and
 * {@link io.raet4j.reactive.TopicSubscriber} do the same for a pub/sub layer's topics. None queues without bound: a
 * subscriber that requests nothing stops the stack taking messages (the sender is back-pressured), and a full send
 * ring stops the requests upstream.
 * <p>
 * The demand and drain machinery is independent of where items come from or go to (a {@code RecordSource} feeds a
 * {@code SourcePublisher}, a {@code SinkSubscriber} offers into a {@code RecordSink}); a {@code DutyCycleSource} is a
 * source over a ring a duty cycle fills (a stack's messages, a pattern's publications).
 */
package io.raet4j.reactive;
