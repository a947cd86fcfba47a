package io.raet4j.pubsub;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler alone, on a clock the test sets: timers, yield, done, cancel, failures, inbox and reply wakeups.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedulerTest
{
    private static final long START_NS = 1_000;

    private final List<Throwable> errors = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private long clockNs = START_NS;
    private final Scheduler scheduler = new Scheduler(() -> clockNs, errors::add);
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldFireTimersInDeadlineOrderAndOnTimeWithEqualDeadlinesInSpawnOrder()
    {
        final String[] names = { "a", "b", "c", "d", "e" };
        final long[] sleepsNs = { 50, 10, 30, 10, 20 };
        for (int i = 0; i < names.length; i++)
        {
            scheduler.spawn(sleeper(names[i], sleepsNs[i]));
        }
        assertEquals(5, scheduler.doWork(START_NS), "each first step");
        assertEquals(5, scheduler.timerCount());

        final List<Long> busyCycles = new ArrayList<>();
        for (long nowNs = START_NS + 1; nowNs <= START_NS + 60; nowNs++)
        {
            if (scheduler.doWork(nowNs) > 0)
            {
                busyCycles.add(nowNs - START_NS);
            }
        }

        assertEquals(List.of("b@10", "d@10", "e@20", "c@30", "a@50"), log, "at its deadline, never before");
        assertEquals(List.of(10L, 20L, 30L, 50L), busyCycles, "the other cycles step nothing");
        assertEquals(5, scheduler.timersExpired());
        assertEquals(0, scheduler.taskCount());
    }

    @Test
    void shouldFireEveryPassedDeadlineInOrderWhenTimeJumps()
    {
        final long[] sleepsNs = { 50, 10, 30, 10, 20, 0 };
        for (int i = 0; i < sleepsNs.length; i++)
        {
            scheduler.spawn(sleeper("t" + i, sleepsNs[i]));
        }
        scheduler.doWork(START_NS);

        assertEquals(6, scheduler.doWork(START_NS + 1_000));
        assertEquals(List.of("t5@1000", "t1@1000", "t3@1000", "t4@1000", "t2@1000", "t0@1000"), log);
    }

    @Test
    void shouldCompareDeadlinesAcrossTheClocksWrap()
    {
        final long startNs = Long.MAX_VALUE - 15;
        final Scheduler wrapping = new Scheduler(() -> startNs, errors::add);
        final long[] woken = new long[2];
        wrapping.spawn(twoSteps((ctx) -> ctx.sleep(30), (ctx) -> woken[0] = ctx.nowNs()));
        wrapping.spawn(twoSteps((ctx) -> ctx.sleep(10), (ctx) -> woken[1] = ctx.nowNs()));
        wrapping.doWork(startNs);

        for (long i = 1; i <= 40; i++)
        {
            wrapping.doWork(startNs + i);
        }
        assertEquals(startNs + 30, woken[0], "after the wrap, at its deadline");
        assertEquals(startNs + 10, woken[1], "before the wrap, at its deadline");
    }

    @Test
    void shouldStepYieldingTasksOncePerCycleInTurn()
    {
        final int[] left = { 3, 2 };
        for (int i = 0; i < 2; i++)
        {
            final int task = i;
            scheduler.spawn((ctx) ->
            {
                log.add(task + "@" + (ctx.nowNs() - START_NS));
                if (left[task]-- > 0)
                {
                    ctx.yield();
                }
            });
        }

        for (int cycle = 0; cycle < 6; cycle++)
        {
            scheduler.doWork(START_NS + cycle);
        }
        assertEquals(List.of("0@0", "1@0", "0@1", "1@1", "0@2", "1@2", "0@3"), log);
        assertEquals(2, scheduler.tasksDone());
        assertEquals(0, scheduler.doWork(START_NS + 6));
    }

    @Test
    void shouldStepATaskMadeReadyDuringACycleAtTheNextCycle()
    {
        final TaskInbox inbox = new TaskInbox(4, 64);
        final TaskHandle receiver = scheduler.spawn(twoSteps(
            (ctx) -> ctx.waitFor(inbox), (ctx) -> log.add("received@" + (ctx.nowNs() - START_NS))));
        scheduler.doWork(START_NS);
        scheduler.spawn((ctx) ->
        {
            inbox.offer("t", 1, message, 0, 4);
            ctx.scheduler().spawn((child) -> log.add("child@" + (child.nowNs() - START_NS)));
        });

        assertEquals(1, scheduler.doWork(START_NS + 1), "only the sender: the receiver was woken during the cycle");
        assertEquals(TaskState.READY, receiver.state());
        assertEquals(2, scheduler.doWork(START_NS + 2));
        assertEquals(List.of("received@2", "child@2"), log);
    }

    @Test
    void shouldEndATaskThatReturnsWithoutAWaitOrSaysDoneAndReuseItsSlot()
    {
        final TaskHandle silent = scheduler.spawn((ctx) -> log.add("silent"));
        final TaskHandle done = scheduler.spawn(TaskContext::done);
        assertEquals(2, scheduler.taskCount());
        assertEquals(TaskState.READY, silent.state());

        assertEquals(2, scheduler.doWork(START_NS));
        assertEquals(TaskState.DONE, silent.state());
        assertEquals(TaskState.DONE, done.state());
        assertTrue(silent.isDone() && done.isDone());
        assertEquals(1, silent.steps());
        assertEquals(0, scheduler.taskCount());
        assertEquals(2, scheduler.tasksDone());
        assertEquals(0, scheduler.doWork(START_NS + 1), "never stepped again");

        final Scheduler small = new Scheduler(() -> clockNs, errors::add, 2);
        for (int i = 0; i < 1_000; i++)
        {
            final TaskHandle handle = small.spawn(TaskContext::done);
            assertTrue(handle.slot < 2, "a slot given back is used again: " + handle.slot);
            small.doWork(START_NS + i);
        }
        assertEquals(1_000, small.tasksDone());
    }

    @Test
    void shouldCancelATaskInEveryStateAndNeverStepItAgain()
    {
        final TaskInbox inbox = new TaskInbox(4, 64);
        final TaskHandle ready = scheduler.spawn(recorder("ready"));
        final TaskHandle sleeping = scheduler.spawn(twoSteps((ctx) -> ctx.sleep(5), recorder("sleeping")));
        final TaskHandle waiting = scheduler.spawn(twoSteps((ctx) -> ctx.waitFor(inbox, 5), recorder("waiting")));
        final TaskHandle self = scheduler.spawn((ctx) ->
        {
            assertTrue(ctx.handle().cancel());
            ctx.yield();
        });

        assertTrue(ready.cancel());
        assertEquals(3, scheduler.doWork(START_NS), "the cancelled ready task is skipped");
        assertEquals(TaskState.CANCELLED, self.state(), "its wait was ignored");
        assertEquals(TaskState.SLEEPING, sleeping.state());
        assertEquals(TaskState.WAITING, waiting.state());
        assertTrue(inbox.hasWaiter());
        assertEquals(2, scheduler.timerCount());

        assertTrue(sleeping.cancel());
        assertTrue(waiting.cancel());
        assertFalse(waiting.cancel(), "once");
        assertFalse(self.cancel());
        assertEquals(0, scheduler.timerCount(), "their timers left the heap");
        assertFalse(inbox.hasWaiter(), "the inbox forgot its waiter");
        assertTrue(inbox.offer("t", 1, message, 0, 4));
        for (long i = 1; i < 20; i++)
        {
            assertEquals(0, scheduler.doWork(START_NS + i));
        }
        assertEquals(List.of(), log);
        assertEquals(4, scheduler.tasksCancelled());
        assertEquals(0, scheduler.taskCount());

        final TaskHandle next = scheduler.spawn(twoSteps((ctx) -> ctx.waitFor(inbox), recorder("next")));
        scheduler.doWork(START_NS + 20);
        scheduler.doWork(START_NS + 21);
        assertEquals(List.of("next"), log, "another task may wait for the inbox");
        assertEquals(TaskState.DONE, next.state());
    }

    @Test
    void shouldStopAndReportAThrowingTaskWhileTheOthersGoOn()
    {
        final IllegalStateException bug = new IllegalStateException("task bug");
        final int[] steps = new int[3];
        final TaskHandle[] handles = new TaskHandle[3];
        for (int i = 0; i < 3; i++)
        {
            final int task = i;
            handles[i] = scheduler.spawn((ctx) ->
            {
                if (1 == task && 2 == ++steps[task])
                {
                    throw bug;
                }
                if (1 != task)
                {
                    steps[task]++;
                }
                ctx.yield();
            });
        }

        for (long i = 0; i < 10; i++)
        {
            scheduler.doWork(START_NS + i);
        }
        assertEquals(TaskState.FAILED, handles[1].state());
        assertSame(bug, handles[1].failure());
        assertEquals(List.of(bug), errors, "reported once to the error handler");
        assertEquals(1, scheduler.tasksFailed());
        assertEquals(2, handles[1].steps(), "stepped twice, the second threw");
        assertArrayEquals(new int[]{ 10, 2, 10 }, steps, "the others stepped every cycle, the one after it too");
        assertEquals(2, scheduler.taskCount());
    }

    @Test
    void shouldFailATaskThatSaysTwoWaitsInOneStepOrWaitsForAnInboxAnotherTaskWaitsFor()
    {
        final TaskInbox inbox = new TaskInbox(4, 64);
        final TaskHandle twice = scheduler.spawn((ctx) ->
        {
            ctx.sleep(10);
            ctx.yield();
        });
        final TaskHandle first = scheduler.spawn((ctx) -> ctx.waitFor(inbox));
        final TaskHandle second = scheduler.spawn((ctx) -> ctx.waitFor(inbox));
        scheduler.doWork(START_NS);
        scheduler.doWork(START_NS + 1);

        assertEquals(TaskState.FAILED, twice.state());
        assertEquals(TaskState.WAITING, first.state());
        assertEquals(TaskState.FAILED, second.state());
        assertEquals(2, errors.size());
        assertInstanceOf(IllegalStateException.class, errors.get(0));
        assertTrue(errors.get(0).getMessage().contains("at most one wait"), errors.get(0).getMessage());
        assertTrue(errors.get(1).getMessage().contains("already waits for"), errors.get(1).getMessage());
        assertEquals(0, scheduler.timerCount(), "the failed step's sleep was dropped");

        final TaskContext outside = new TaskContext(scheduler);
        assertThrows(IllegalStateException.class, outside::yield, "no wait outside a step");
    }

    @Test
    void shouldFailATaskThatRunsItsOwnSchedulersCycle()
    {
        final TaskHandle nested = scheduler.spawn((ctx) -> ctx.scheduler().doWork(ctx.nowNs()));
        final TaskHandle other = scheduler.spawn(recorder("other"));
        assertEquals(2, scheduler.doWork(START_NS));
        assertEquals(TaskState.FAILED, nested.state());
        assertInstanceOf(IllegalStateException.class, nested.failure());
        assertEquals(TaskState.DONE, other.state());
        assertEquals(List.of("other"), log, "stepped once, by the outer cycle");
    }

    @Test
    void shouldWakeATaskWhenAMessageArrivesInItsInboxAndLetItReadWithoutCopiesKept()
    {
        final TaskInbox inbox = new TaskInbox(8, 256);
        final List<String> read = new ArrayList<>();
        final PublicationHandler reader = (topic, estateId, buffer, offset, length) ->
            read.add(topic + "/" + estateId + "/" + buffer.getInt(offset) + "/" + length);
        final TaskHandle handle = scheduler.spawn((ctx) ->
        {
            inbox.poll(reader, 2);
            log.add("step@" + (ctx.nowNs() - START_NS));
            ctx.waitFor(inbox);
        });

        assertEquals(1, scheduler.doWork(START_NS));
        for (long i = 1; i < 10; i++)
        {
            assertEquals(0, scheduler.doWork(START_NS + i), "waiting: not stepped");
        }
        assertEquals(TaskState.WAITING, handle.state());

        for (int i = 0; i < 3; i++)
        {
            message.putInt(0, 100 + i);
            inbox.onPublication("sensors.t", 7, message, 0, 4 + i);
        }
        assertEquals(TaskState.READY, handle.state(), "woken by the first");
        assertEquals(1, scheduler.doWork(START_NS + 10));
        assertEquals(1, scheduler.doWork(START_NS + 11), "one message left: ready again at once");
        assertEquals(0, scheduler.doWork(START_NS + 12));
        assertEquals(List.of("sensors.t/7/100/4", "sensors.t/7/101/5", "sensors.t/7/102/6"), read);
        assertEquals(List.of("step@0", "step@10", "step@11"), log);
        assertEquals(3, inbox.received());
    }

    @Test
    void shouldEndAnInboxWaitAtItsTimeoutUnlessAMessageComesFirst()
    {
        final TaskInbox inbox = new TaskInbox(8, 256);
        final PublicationHandler ignore = (topic, estateId, buffer, offset, length) -> {};
        scheduler.spawn((ctx) ->
        {
            log.add((inbox.isEmpty() ? "empty@" : "message@") + (ctx.nowNs() - START_NS));
            inbox.poll(ignore, 10);
            ctx.waitFor(inbox, 100);
        });
        scheduler.doWork(START_NS);
        for (long i = 1; i <= 150; i++)
        {
            if (50 == i)
            {
                inbox.offer("t", 1, message, 0, 4);
            }
            scheduler.doWork(START_NS + i);
        }
        assertEquals(List.of("empty@0", "message@50", "empty@150"), log, "the message cancelled the first timeout");
        assertEquals(1, scheduler.timersExpired());
        assertEquals(1, scheduler.timerCount());
    }

    @Test
    void shouldKeepInboxMessagesWholeAndInOrderAcrossTheRingsEndAndCountDrops()
    {
        final TaskInbox inbox = new TaskInbox(8, 256);
        final Random random = new Random(12);
        final ArrayDeque<byte[]> expected = new ArrayDeque<>();
        final List<byte[]> got = new ArrayList<>();
        final PublicationHandler collect = (topic, estateId, buffer, offset, length) ->
        {
            assertEquals(0, offset % TaskInbox.ALIGNMENT, "aligned");
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            got.add(bytes);
        };
        long refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (random.nextInt(3) > 0)
            {
                final int length = random.nextInt(5) == 0 ? random.nextInt(257) : random.nextInt(40);
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                message.putBytes(0, bytes);
                final boolean wasEmpty = inbox.isEmpty();
                if (inbox.offer("t", i, message, 0, length))
                {
                    expected.add(bytes);
                }
                else
                {
                    assertFalse(wasEmpty, "an empty inbox takes any payload that fits its capacity");
                    refused++;
                }
            }
            else
            {
                got.clear();
                inbox.poll(collect, 1 + random.nextInt(3));
                for (final byte[] bytes : got)
                {
                    assertArrayEquals(expected.poll(), bytes);
                }
            }
            assertEquals(expected.size(), inbox.size());
        }
        assertEquals(refused, inbox.dropped());
        assertTrue(refused > 0 && inbox.received() > 5_000, "refused " + refused + " of " + inbox.received());
        assertFalse(inbox.offer("t", 0, new UnsafeBuffer(new byte[300]), 0, 257), "larger than the inbox");
    }

    @Test
    void shouldGiveAWaitingTaskItsReplyExactlyOnce()
    {
        final TaskReply reply = new TaskReply(4);
        reply.expect(41);
        final TaskHandle handle = scheduler.spawn(twoSteps((ctx) -> ctx.waitFor(reply),
            (ctx) -> log.add(reply.state() + ":" + reply.buffer().getLong(0) + ":" + reply.length() + ":" +
                reply.responderEstateId())));
        scheduler.doWork(START_NS);
        assertTrue(reply.hasWaiter());

        reply.onReply(40, 9, message, 0, 8);
        assertEquals(0, scheduler.doWork(START_NS + 1), "another request's end does not wake it");
        message.putLong(0, 1234567890123L);
        reply.onReply(41, 9, message, 0, 16);
        message.putLong(0, -1);
        reply.onReply(41, 9, message, 0, 8);
        reply.onFailure(41, RequestFailure.TIMEOUT);
        for (long i = 2; i < 10; i++)
        {
            scheduler.doWork(START_NS + i);
        }
        assertEquals(List.of("REPLIED:1234567890123:16:9"), log, "the reply, copied, once, longer than the room");
        assertEquals(TaskState.DONE, handle.state());
        assertEquals(3, reply.staleEnds());
    }

    @Test
    void shouldGiveAWaitingTaskItsRequestFailureExactlyOnceEvenWhenItEndedBeforeTheWait()
    {
        final TaskReply reply = new TaskReply(16);
        reply.expect(7);
        reply.onFailure(7, RequestFailure.NO_RESPONDERS);
        scheduler.spawn(twoSteps((ctx) -> ctx.waitFor(reply), (ctx) -> log.add(reply.state() + ":" + reply.failure())));
        scheduler.doWork(START_NS);
        reply.onFailure(7, RequestFailure.TIMEOUT);
        for (long i = 1; i < 10; i++)
        {
            scheduler.doWork(START_NS + i);
        }
        assertEquals(List.of("FAILED:NO_RESPONDERS"), log);

        final TaskReply idle = new TaskReply(16);
        final TaskHandle waitsForNothing = scheduler.spawn((ctx) -> ctx.waitFor(idle));
        scheduler.doWork(START_NS + 10);
        assertEquals(TaskState.FAILED, waitsForNothing.state(), "no request was made through it");
    }

    @Test
    void shouldBoundTheStepsOfACycleAndKeepTheRestInOrder()
    {
        scheduler.stepLimit(3);
        for (int i = 0; i < 7; i++)
        {
            final int task = i;
            scheduler.spawn((ctx) -> log.add("t" + task));
        }
        assertEquals(3, scheduler.doWork(START_NS));
        assertEquals(3, scheduler.doWork(START_NS + 1));
        assertEquals(1, scheduler.doWork(START_NS + 2));
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6"), log);
    }

    @Test
    void shouldCancelEveryTaskOnCloseAndRefuseNewOnes()
    {
        final TaskInbox inbox = new TaskInbox(4, 64);
        scheduler.spawn((ctx) -> ctx.sleep(10));
        scheduler.spawn((ctx) -> ctx.waitFor(inbox));
        scheduler.spawn((ctx) -> ctx.scheduler().close());
        scheduler.spawn(recorder("after close"));
        assertEquals(3, scheduler.doWork(START_NS), "the rest of the cycle is skipped");
        assertTrue(scheduler.isClosed());
        assertEquals(0, scheduler.taskCount());
        assertEquals(4, scheduler.tasksCancelled());
        assertFalse(inbox.hasWaiter());
        assertEquals(0, scheduler.doWork(START_NS + 100));
        assertEquals(List.of(), log);
        assertThrows(IllegalStateException.class, () -> scheduler.spawn(TaskContext::done));
        scheduler.close();
    }

    @Test
    void shouldSpendNothingOnTenThousandSleepingTasksWhenNoneIsDue()
    {
        final Scheduler big = new Scheduler(() -> clockNs, errors::add, 10_000);
        final Random random = new Random(3);
        final long[] periodsNs = new long[10_000];
        final long[] ticks = new long[10_000];
        final Set<Long> deadlines = new HashSet<>();
        for (int i = 0; i < periodsNs.length; i++)
        {
            final int task = i;
            periodsNs[i] = 1_000 * (1 + random.nextInt(10));
            for (int tick = 1; tick < 5; tick++)
            {
                deadlines.add(tick * periodsNs[i]);
            }
            big.spawn((ctx) ->
            {
                if (++ticks[task] < 5)
                {
                    ctx.sleep(periodsNs[task]);
                }
            });
        }
        assertEquals(10_000, big.doWork(0));

        long idleCycles = 0;
        for (long nowNs = 1; nowNs <= 40_000; nowNs++)
        {
            final long stepped = big.tasksStepped();
            final long expired = big.timersExpired();
            if (0 == big.doWork(nowNs))
            {
                idleCycles++;
                assertEquals(stepped, big.tasksStepped());
                assertEquals(expired, big.timersExpired());
            }
            else
            {
                assertTrue(deadlines.contains(nowNs), "steps only when a deadline comes: " + nowNs);
            }
        }
        assertEquals(40_000 - deadlines.size(), idleCycles, "only cycles at a deadline stepped anything");
        assertEquals(50_000, big.tasksStepped(), "five ticks each");
        assertEquals(0, big.taskCount());
        assertEquals(Arrays.stream(ticks).min().getAsLong(), Arrays.stream(ticks).max().getAsLong());
    }

    private Task sleeper(final String name, final long sleepNs)
    {
        return twoSteps((ctx) -> ctx.sleep(sleepNs), (ctx) -> log.add(name + "@" + (ctx.nowNs() - START_NS)));
    }

    private Task recorder(final String name)
    {
        return (ctx) -> log.add(name);
    }

    private static Task twoSteps(final Task first, final Task second)
    {
        final boolean[] isFirst = { true };
        return (ctx) ->
        {
            if (isFirst[0])
            {
                isFirst[0] = false;
                first.step(ctx);
            }
            else
            {
                second.step(ctx);
            }
        };
    }
}
