package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * The end of one request at a time, for a task to wait for: make the request through
 * {@link #request(PubSub, Publisher, DirectBuffer, int, int, long)}, wait with {@link TaskContext#waitFor(TaskReply)},
 * and read the reply (copied into a buffer the reply keeps) or the failure when the task is stepped again. The task is
 * woken exactly once a request; the end stays readable until the next request.
 * <pre>{@code
 * if (reply.request(pubSub, service, query, 0, length, timeoutNs) > 0)
 * {
 *     ctx.waitFor(reply);
 * }
 * // next step:
 * if (reply.isReplied())
 * {
 *     use(reply.buffer(), 0, reply.length());
 * }
 * else
 * {
 *     handle(reply.failure());
 * }
 * }</pre>
 * An end of any other request (one this reply no longer waits for) is ignored and counted ({@link #staleEnds()}).
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class TaskReply implements ReplyHandler
{
    /**
     * Where the reply is.
     */
    public enum State
    {
        /** No request made yet, or the last could not be made. */
        IDLE,
        /** A request was made and has not ended. */
        PENDING,
        /** The request was answered: {@link #buffer()} holds the reply. */
        REPLIED,
        /** The request ended without a reply: {@link #failure()} says why. */
        FAILED
    }

    private final ExpandableArrayBuffer buffer;
    private State state = State.IDLE;
    private long requestId;
    private long responderEstateId;
    private int length;
    private RequestFailure failure;
    private long staleEnds;
    /** The task waiting for the end, if any; set and cleared by its scheduler. */
    TaskHandle waiter;

    /**
     * A reply with room for replies of up to {@code initialCapacityBytes} bytes; a longer reply grows the buffer
     * once (an allocation), which then serves every later reply.
     *
     * @param initialCapacityBytes room for the reply; give the largest expected reply to allocate only here.
     */
    public TaskReply(final int initialCapacityBytes)
    {
        this.buffer = new ExpandableArrayBuffer(Math.max(initialCapacityBytes, 8));
    }

    /**
     * Make a request through the layer with this reply as its handler: the end reaches this reply at a later duty
     * cycle, never inside this call.
     *
     * @param pubSub    the layer.
     * @param topic     the request's topic, from {@link PubSub#publisher(String)}.
     * @param buffer    holding the request.
     * @param offset    of the request.
     * @param length    of the request.
     * @param timeoutNs how long to wait for a reply from another estate.
     * @return as {@link PubSub#request}: the request id (1 or more), now {@link State#PENDING}; or
     *         {@link PubSub#MESSAGE_TOO_LARGE} or {@link PubSub#CLOSED}, and the reply stays {@link State#IDLE}.
     * @throws IllegalStateException if a request of this reply is still pending.
     */
    public long request(
        final PubSub pubSub,
        final Publisher topic,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs)
    {
        if (State.PENDING == state)
        {
            throw new IllegalStateException(
                "request " + requestId + " of this reply is still pending: wait for its end, or use another reply");
        }
        state = State.IDLE;
        failure = null;
        this.length = 0;
        final long id = pubSub.request(topic, buffer, offset, length, timeoutNs, this);
        if (id > 0)
        {
            expect(id);
        }
        return id;
    }

    /**
     * Wait for the end of this request id: the other request ends are stale from now on.
     */
    void expect(final long requestId)
    {
        this.requestId = requestId;
        this.responderEstateId = 0;
        this.length = 0;
        this.failure = null;
        this.state = State.PENDING;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onReply(
        final long requestId,
        final long responderEstateId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (State.PENDING != state || requestId != this.requestId)
        {
            staleEnds++;
            return;
        }
        this.buffer.putBytes(0, buffer, offset, length);
        this.length = length;
        this.responderEstateId = responderEstateId;
        end(State.REPLIED);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onFailure(final long requestId, final RequestFailure reason)
    {
        if (State.PENDING != state || requestId != this.requestId)
        {
            staleEnds++;
            return;
        }
        failure = reason;
        end(State.FAILED);
    }

    private void end(final State state)
    {
        this.state = state;
        final TaskHandle waiter = this.waiter;
        if (null != waiter)
        {
            waiter.scheduler.wake(waiter);
        }
    }

    /**
     * Where the reply is.
     *
     * @return the state.
     */
    public State state()
    {
        return state;
    }

    /**
     * Whether the request was made and has not ended.
     *
     * @return true while pending.
     */
    public boolean isPending()
    {
        return State.PENDING == state;
    }

    /**
     * Whether the request was answered.
     *
     * @return true if {@link #buffer()} holds the reply.
     */
    public boolean isReplied()
    {
        return State.REPLIED == state;
    }

    /**
     * The id of the last request made.
     *
     * @return the request id, 0 if none.
     */
    public long requestId()
    {
        return requestId;
    }

    /**
     * The reply, from offset 0, when {@link #isReplied()}; kept until the next request.
     *
     * @return the reply's buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Length of the reply.
     *
     * @return the length in bytes, 0 unless replied.
     */
    public int length()
    {
        return length;
    }

    /**
     * The estate that replied.
     *
     * @return its id (this stack's own for a local responder), 0 unless replied.
     */
    public long responderEstateId()
    {
        return responderEstateId;
    }

    /**
     * Why the request ended without a reply.
     *
     * @return the reason when {@link State#FAILED}, else null.
     */
    public RequestFailure failure()
    {
        return failure;
    }

    /**
     * Ends of requests this reply did not wait for (one made before the last, or a repeat), ignored.
     *
     * @return the number ignored.
     */
    public long staleEnds()
    {
        return staleEnds;
    }

    /**
     * Whether a task waits for this reply now.
     *
     * @return true if a task waits.
     */
    public boolean hasWaiter()
    {
        return null != waiter;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "TaskReply{requestId=" + requestId + ", state=" + state +
            (null == failure ? "" : ", failure=" + failure) + "}";
    }
}
