package io.raet4j.bench;

import io.raet4j.pubsub.PublicationHandler;
import io.raet4j.pubsub.Scheduler;
import io.raet4j.pubsub.TaskContext;
import io.raet4j.pubsub.TaskInbox;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The micro-thread scheduler's duty cycle, one cycle per operation, each scheduler on a time the benchmark advances by
 * 1 ns an operation: a cycle that steps one ready (yielding) task; an idle cycle with {@value #SLEEPING_TASKS}
 * sleeping tasks none of which is due; a cycle in which one task's 1 ns sleep ends among those sleepers (a heap pop
 * and push about 14 levels deep); a cycle in which a message offered to an inbox wakes the task waiting for it, which
 * reads it. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} should be about 0 B/op for each.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
@State(Scope.Thread)
public class SchedulerBenchmark
{
    /**
     * Instantiated by JMH.
     */
    public SchedulerBenchmark()
    {
    }

    /** Sleeping tasks in the idle and timer benchmarks. */
    public static final int SLEEPING_TASKS = 10_000;

    /** How long the sleeping tasks sleep: longer than any run, so none is due. */
    public static final long LONG_SLEEP_NS = TimeUnit.HOURS.toNanos(1);

    private final Scheduler readyScheduler = new Scheduler(System::nanoTime, Throwable::printStackTrace);
    private final Scheduler idleScheduler =
        new Scheduler(System::nanoTime, Throwable::printStackTrace, SLEEPING_TASKS);
    private final Scheduler timerScheduler =
        new Scheduler(System::nanoTime, Throwable::printStackTrace, SLEEPING_TASKS + 1);
    private final Scheduler inboxScheduler = new Scheduler(System::nanoTime, Throwable::printStackTrace);
    private final TaskInbox inbox = new TaskInbox(16, 1024);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
    private final PublicationHandler reader = this::onMessage;
    private long readyNowNs;
    private long idleNowNs;
    private long timerNowNs;
    private long inboxNowNs;
    private long sum;

    /**
     * Spawn the tasks and run each scheduler's first cycle, so that the sleepers sleep and the inbox reader waits.
     */
    @Setup
    public void setup()
    {
        readyScheduler.spawn(TaskContext::yield);

        for (int i = 0; i < SLEEPING_TASKS; i++)
        {
            final long sleepNs = LONG_SLEEP_NS + i;
            idleScheduler.spawn((ctx) -> ctx.sleep(sleepNs));
            timerScheduler.spawn((ctx) -> ctx.sleep(sleepNs));
        }
        timerScheduler.spawn((ctx) -> ctx.sleep(1));

        inboxScheduler.spawn((ctx) ->
        {
            inbox.poll(reader, 16);
            ctx.waitFor(inbox);
        });

        readyScheduler.doWork(readyNowNs);
        idleScheduler.doWork(idleNowNs);
        timerScheduler.doWork(timerNowNs);
        inboxScheduler.doWork(inboxNowNs);
        if (SLEEPING_TASKS != idleScheduler.timerCount() || SLEEPING_TASKS + 1 != timerScheduler.timerCount())
        {
            throw new IllegalStateException("the sleepers did not go to sleep: " + idleScheduler);
        }
    }

    /**
     * One cycle stepping one ready task, which yields.
     *
     * @return the number of steps, 1.
     */
    @Benchmark
    public int stepReadyTask()
    {
        return readyScheduler.doWork(++readyNowNs);
    }

    /**
     * One cycle with {@value #SLEEPING_TASKS} sleeping tasks, none due.
     *
     * @return the number of steps, 0.
     */
    @Benchmark
    public int idleCycleWithSleepingTasks()
    {
        return idleScheduler.doWork(++idleNowNs);
    }

    /**
     * One cycle in which one task's sleep ends among {@value #SLEEPING_TASKS} sleepers; it sleeps again.
     *
     * @return the number of steps, 1.
     */
    @Benchmark
    public int wakeFromSleepAmongSleepingTasks()
    {
        return timerScheduler.doWork(++timerNowNs);
    }

    /**
     * Offer a message to an inbox, then one cycle in which the task waiting for it reads it and waits again.
     *
     * @return a value that depends on every message read.
     */
    @Benchmark
    public long inboxMessageWakesItsTask()
    {
        message.putLong(0, inboxNowNs);
        inbox.offer("bench.inbox", 7, message, 0, 8);
        inboxScheduler.doWork(++inboxNowNs);
        return sum;
    }

    private void onMessage(
        final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
    {
        sum += buffer.getLong(offset);
    }
}
