package io.raet4j.pubsub;

/**
 * A micro-thread (an ioflo behaviour): a state machine that a {@link Scheduler} steps on the stack's duty-cycle thread.
 * Each step does a little work, never blocks, and says through the context what the task waits for next:
 * <pre>{@code
 * // Every second: ask a service, publish what it answered (or -1 when the request failed), sleep.
 * final class Poller implements Task
 * {
 *     private final TaskReply reply = new TaskReply(64);
 *     private boolean isAsking;
 *
 *     public void step(final TaskContext ctx)
 *     {
 *         if (isAsking)
 *         {
 *             isAsking = false;
 *             result.putInt(0, reply.isReplied() ? reply.buffer().getInt(0) : -1);
 *             answers.publish(result, 0, 4);
 *             ctx.sleep(1_000_000_000L);
 *         }
 *         else if (reply.request(pubSub, service, query, 0, 4, 200_000_000L) > 0)
 *         {
 *             isAsking = true;
 *             ctx.waitFor(reply);
 *         }
 *         else
 *         {
 *             ctx.sleep(1_000_000_000L);
 *         }
 *     }
 * }
 * }</pre>
 * A step that returns without saying what it waits for ends the task ({@link TaskState#DONE}): a forgotten wait stops
 * the task rather than spinning it. A step that throws ends the task ({@link TaskState#FAILED}); the exception goes to
 * the scheduler's error handler and the other tasks go on.
 * <p>
 * A task sees its peers only through the pub/sub API (publishers, subscriptions fed into a {@link TaskInbox},
 * requests ended into a {@link TaskReply}), so the same task runs unchanged whether its peers are in this process,
 * on a lane or across a road.
 */
@FunctionalInterface
public interface Task
{
    /**
     * Run one step on the duty-cycle thread: a little work, then at most one of the context's waits
     * ({@link TaskContext#sleep}, {@link TaskContext#waitUntil}, {@link TaskContext#waitFor(TaskInbox)},
     * {@link TaskContext#waitFor(TaskInbox, long)}, {@link TaskContext#waitFor(TaskReply)},
     * {@link TaskContext#yield()}, {@link TaskContext#done()}). No wait means done.
     *
     * @param ctx the scheduler's context, valid only during this call.
     */
    void step(TaskContext ctx);
}
