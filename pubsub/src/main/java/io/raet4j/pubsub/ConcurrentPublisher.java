package io.raet4j.pubsub;

import io.raet4j.transactions.DutyCycleTask;
import io.raet4j.transactions.TaskQueue;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publishing from any thread: publications go into a many-to-one ring buffer (Agrona's {@link ManyToOneRingBuffer})
 * that the layer's duty cycle drains into {@link Publisher#publish}, in the order written (so in each publishing
 * thread's order); {@link #execute} runs control calls on the duty cycle.
 * <p>
 * {@link #publish} copies the payload into the ring and returns at once; it allocates nothing and never blocks. A
 * full ring is back-pressure ({@link PubSub#BACK_PRESSURED}). What reaches the ring is published as the layer
 * publishes: each matching estate gets a copy unless its channel is full, in which case it is skipped and the skip
 * counted ({@link PubSubCounterDescriptor#PUBLICATIONS_BACK_PRESSURED}; {@link #skipped()} here); a blocking topic
 * ({@link Publisher#blocking()}) holds the ring back instead until every matching estate can take the publication,
 * which back-pressures the publishing threads. Outcomes of the copies come to the layer's delivery handlers
 * ({@link PubSub#addDeliveryHandler}), on the duty-cycle thread.
 * <p>
 * Thread safety: {@link #publish}, {@link #execute} and the counters from any thread; {@link #attach} and
 * {@link #close()} on the duty-cycle thread, and the {@link Publisher}s given to {@link #publish} are made there
 * ({@link PubSub#publisher}) before other threads use them.
 */
public final class ConcurrentPublisher implements DutyCycleTask, AutoCloseable
{
    /** {@link #publish} took the publication into the ring. */
    public static final long OFFERED = 0;
    /** Default ring capacity, 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1024 * 1024;
    /** Most publications drained per duty cycle. */
    public static final int DRAIN_LIMIT = 256;

    private static final int PUBLICATION = 1;
    private static final int TOPIC_ID_OFFSET = 0;
    private static final int HEADER_LENGTH = 8;
    private static final int TASK_LIMIT = 64;

    private final PubSub pubSub;
    private final RingBuffer ring;
    private final int maxLength;
    private final TaskQueue tasks = new TaskQueue();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicLong heldBack = new AtomicLong();
    /** Writers between their closed check and their commit: close waits for them, so none strands a record. */
    private final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();
    private final ControlledMessageHandler drain = this::onRecord;
    private volatile boolean isClosed;

    private ConcurrentPublisher(final PubSub pubSub, final int capacity)
    {
        this.pubSub = pubSub;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.maxLength = Math.min(ring.maxMsgLength() - HEADER_LENGTH, pubSub.maxPayload());
    }

    /**
     * Attach a publisher with a ring of {@link #DEFAULT_CAPACITY}.
     *
     * @param pubSub the layer.
     * @return the publisher.
     */
    public static ConcurrentPublisher attach(final PubSub pubSub)
    {
        return attach(pubSub, DEFAULT_CAPACITY);
    }

    /**
     * Attach a publisher to the layer, whose duty cycle drains it from now on. On the duty-cycle thread, or before
     * the layer runs.
     *
     * @param pubSub   the layer.
     * @param capacity of the ring in bytes, a power of two of at least 4 KiB: a publication may take an eighth of it.
     * @return the publisher.
     * @throws IllegalArgumentException if the capacity is not a power of two of at least 4 KiB.
     */
    public static ConcurrentPublisher attach(final PubSub pubSub, final int capacity)
    {
        if (capacity < 4096 || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least 4096 bytes, was " +
                capacity + ": the longest publication is an eighth of it");
        }
        final ConcurrentPublisher publisher = new ConcurrentPublisher(pubSub, capacity);
        pubSub.stack().addDutyCycleTask(publisher);
        return publisher;
    }

    /**
     * The longest publication {@link #publish} takes: an eighth of the ring less 8 bytes, and no more than the
     * layer takes.
     *
     * @return bytes.
     */
    public int maxPublicationLength()
    {
        return maxLength;
    }

    /**
     * Publish from any thread: the payload is copied into the ring, and the duty cycle publishes it. Never blocks,
     * allocates nothing.
     *
     * @param publisher of the topic, from {@link PubSub#publisher} of this layer.
     * @param buffer    holding the payload.
     * @param offset    of the payload.
     * @param length    of the payload, at most {@link #maxPublicationLength()}.
     * @return {@link #OFFERED}, or {@link PubSub#BACK_PRESSURED} (the ring is full: try again later),
     *         {@link PubSub#MESSAGE_TOO_LARGE}, {@link PubSub#CLOSED}.
     */
    public long publish(final Publisher publisher, final DirectBuffer buffer, final int offset, final int length)
    {
        writers.getAndIncrement();
        try
        {
            if (isClosed)
            {
                return PubSub.CLOSED;
            }
            if (length < 0 || length > maxLength)
            {
                return PubSub.MESSAGE_TOO_LARGE;
            }
            final int index = ring.tryClaim(PUBLICATION, HEADER_LENGTH + length);
            if (index < 0)
            {
                return PubSub.BACK_PRESSURED;
            }
            final MutableDirectBuffer ringBuffer = ring.buffer();
            ringBuffer.putInt(index + TOPIC_ID_OFFSET, publisher.topicId);
            if (length > 0)
            {
                ringBuffer.putBytes(index + HEADER_LENGTH, buffer, offset, length);
            }
            ring.commit(index);
            return OFFERED;
        }
        finally
        {
            writers.getAndDecrement();
        }
    }

    /**
     * Run a task on the duty-cycle thread, at a safe point of a later cycle; not ordered with publications.
     *
     * @param task to run.
     * @return true if queued, false if the queue is full (1,024 tasks) or the publisher closed.
     */
    public boolean execute(final Runnable task)
    {
        writers.getAndIncrement();
        try
        {
            return !isClosed && tasks.offer(task);
        }
        finally
        {
            writers.getAndDecrement();
        }
    }

    /**
     * Ask one responder on a topic from any thread ({@link PubSub#request} on the duty cycle): the future completes
     * with the reply, or exceptionally with a {@link RequestFailedException} saying why (NO_RESPONDERS, TIMEOUT,
     * PEER_DEAD, DENIED, ...; or refused at once: the task queue full, the layer closed, too large). Allocates (the
     * copy of the request, the future, the reply): the control path. The future completes on the duty-cycle thread:
     * chain with the {@code *Async} methods to run anything longer elsewhere.
     *
     * @param topic     from {@link PubSub#publisher} of this layer.
     * @param buffer    holding the request.
     * @param offset    of the request.
     * @param length    of the request.
     * @param timeoutNs how long to wait for a reply from another estate.
     * @return the future reply.
     */
    public CompletableFuture<Reply> request(
        final Publisher topic, final DirectBuffer buffer, final int offset, final int length, final long timeoutNs)
    {
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        final byte[] request = copy(buffer, offset, length);
        final boolean isQueued = execute(() ->
        {
            final long result = pubSub.request(topic, new UnsafeBuffer(request), 0, request.length, timeoutNs,
                new ReplyHandler()
                {
                    public void onReply(
                        final long requestId, final long responderEstateId, final DirectBuffer reply,
                        final int replyOffset, final int replyLength)
                    {
                        future.complete(new Reply(responderEstateId, copy(reply, replyOffset, replyLength)));
                    }

                    public void onFailure(final long requestId, final RequestFailure reason)
                    {
                        future.completeExceptionally(new RequestFailedException(topic.topic(), reason));
                    }
                });
            if (result < 0)
            {
                future.completeExceptionally(refused(topic, result));
            }
        });
        return notQueued(isQueued, topic, future);
    }

    /**
     * Ask every responder of a topic from any thread ({@link PubSub#requestAll} on the duty cycle): each reply goes
     * to {@code onReply} as it comes (on the duty-cycle thread: keep it short), and the future completes with the
     * number of replies once every responder asked has replied or failed (0 at once when none matched).
     * Allocates: the control path.
     *
     * @param topic     from {@link PubSub#publisher} of this layer.
     * @param buffer    holding the request.
     * @param offset    of the request.
     * @param length    of the request.
     * @param timeoutNs how long to wait for each estate's reply.
     * @param onReply   given each reply.
     * @return the future count of replies.
     */
    public CompletableFuture<Integer> requestAll(
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs,
        final Consumer<Reply> onReply)
    {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        final byte[] request = copy(buffer, offset, length);
        final boolean isQueued = execute(() ->
        {
            final long result = pubSub.requestAll(topic, new UnsafeBuffer(request), 0, request.length, timeoutNs,
                new GatherHandler()
                {
                    public void onReply(
                        final long requestId, final long responderEstateId, final DirectBuffer reply,
                        final int replyOffset, final int replyLength)
                    {
                        onReply.accept(new Reply(responderEstateId, copy(reply, replyOffset, replyLength)));
                    }

                    public void onEnd(final long requestId, final int replies, final int responders)
                    {
                        future.complete(replies);
                    }
                });
            if (result < 0)
            {
                future.completeExceptionally(refused(topic, result));
            }
        });
        return notQueued(isQueued, topic, future);
    }

    /**
     * Estates skipped because their channel was full, over the publications drained from this ring.
     *
     * @return the count so far.
     */
    public long skipped()
    {
        return skipped.get();
    }

    /**
     * Times the ring was held back because a blocking topic's estate could not take the publication at its head.
     *
     * @return the count so far.
     */
    public long heldBack()
    {
        return heldBack.get();
    }

    /**
     * Publications drained that the layer refused (it closed, or the topic id was not of this layer), or that
     * {@link #close()} found still in the ring.
     *
     * @return the count so far.
     */
    public long unpublished()
    {
        return unpublished.get();
    }

    /**
     * Drain the ring into the layer and run queued tasks. Called by the stack's duty cycle.
     *
     * @return the publications and tasks handled.
     */
    @Override
    public int doWork()
    {
        return ring.controlledRead(drain, DRAIN_LIMIT) + tasks.run(TASK_LIMIT);
    }

    /**
     * Stop: publish returns {@link PubSub#CLOSED} from now on; publications still in the ring are not published
     * (counted in {@link #unpublished()}); tasks accepted before the close still run, at once (a request among them
     * is made, or refused if the layer closed, so its future ends). On the duty-cycle thread.
     */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            pubSub.stack().removeDutyCycleTask(this);
            dropWhatIsLeft();
        }
    }

    /**
     * The layer's stack closed with this publisher attached: what is still in the ring is not published, as
     * {@link #close()} says.
     */
    @Override
    public void onClose()
    {
        if (!isClosed)
        {
            isClosed = true;
            dropWhatIsLeft();
        }
    }

    private void dropWhatIsLeft()
    {
        // A writer that saw the publisher open finishes its write first; none starts after the flag.
        while (writers.get() > 0)
        {
            Thread.onSpinWait();
        }
        int read;
        while ((read = ring.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE)) > 0)
        {
            unpublished.addAndGet(read);
        }
        // Tasks accepted before the close still run, once (a request among them then ends, refused).
        while (tasks.run(TaskQueue.CAPACITY) > 0)
        {
            Thread.onSpinWait();
        }
    }

    private <T> CompletableFuture<T> notQueued(
        final boolean isQueued, final Publisher topic, final CompletableFuture<T> future)
    {
        if (!isQueued)
        {
            future.completeExceptionally(new RequestFailedException("request on " + topic.topic() + " not made: " +
                (isClosed ? "the concurrent publisher is closed" : "its task queue is full: try again shortly")));
        }
        return future;
    }

    private static RequestFailedException refused(final Publisher topic, final long result)
    {
        return new RequestFailedException("request on " + topic.topic() + " not made: " +
            (PubSub.MESSAGE_TOO_LARGE == result ? "the request is larger than the layer takes" :
            "the layer is closed (status " + result + ")"));
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private ControlledMessageHandler.Action onRecord(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final Publisher publisher = pubSub.publisherById(buffer.getInt(index + TOPIC_ID_OFFSET));
        if (null == publisher)
        {
            unpublished.incrementAndGet();
            return ControlledMessageHandler.Action.CONTINUE;
        }
        final long result = publisher.publish(buffer, index + HEADER_LENGTH, length - HEADER_LENGTH);
        if (PubSub.BACK_PRESSURED == result)
        {
            heldBack.incrementAndGet();
            return ControlledMessageHandler.Action.ABORT;
        }
        if (result < 0)
        {
            unpublished.incrementAndGet();
        }
        else if (publisher.lastBackPressured() > 0)
        {
            skipped.addAndGet(publisher.lastBackPressured());
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }
}
