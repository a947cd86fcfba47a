package io.raet4j.pubsub;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Micro-threads on the layer's duty cycle over real stacks on loopback, with the mesh's clock: 10,000 sleeping tasks
 * beside producers, consumers fed by subscriptions and requesters, the same task classes whether the peers are across
 * a road (two stacks over UDP) or in this process (one stack); a cycle with no task due steps nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchedulerPubSubTest
{
    private static final long PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long REQUEST_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int SLEEPERS = 10_000;
    private static final int TICKS = 5;
    private static final int MAX_PERIODS = 8;
    private static final int PRODUCERS = 32;
    private static final int MESSAGES = 20;
    private static final int REQUESTERS = 16;
    private static final int REQUESTS = 5;
    /** Steps of a cycle after a whole period: messages and replies arrive within a few mesh steps of it. */
    private static final long BUSY_WINDOW_NS = TimeUnit.MICROSECONDS.toNanos(200);

    @TempDir
    Path tempDir;

    private PubSubMesh mesh;

    @BeforeEach
    void setUp()
    {
        mesh = new PubSubMesh(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        mesh.close();
        assertEquals(List.of(), mesh.errors);
    }

    @Test
    void shouldRunTenThousandTasksWithTheirPeersAcrossTheRoad()
    {
        final PubSub producers = mesh.launch("producers");
        final PubSub consumers = mesh.launch("consumers");
        final Workload workload = new Workload(producers, consumers);
        mesh.join(consumers, producers);
        mesh.run(500);

        workload.runAndCheck();
        assertTrue(producers.counter(PubSubCounterDescriptor.PUBLICATIONS_SENT) >= PRODUCERS * MESSAGES);
        assertEquals(REQUESTERS * REQUESTS, producers.counter(PubSubCounterDescriptor.REQUESTS_RECEIVED));
    }

    @Test
    void shouldRunTheSameTasksWithTheirPeersInThisProcess()
    {
        final PubSub solo = mesh.launch("solo");
        final Workload workload = new Workload(solo, solo);

        workload.runAndCheck();
        assertEquals(0, solo.counter(PubSubCounterDescriptor.PUBLICATIONS_SENT), "nothing left the process");
    }

    @Test
    void shouldReportAThrowingTaskToTheStacksErrorHandlerAndGoOn()
    {
        final PubSub pubSub = mesh.launch("alpha");
        final IllegalStateException bug = new IllegalStateException("task bug");
        final TaskHandle failing = pubSub.scheduler().spawn((ctx) ->
        {
            throw bug;
        });
        final int[] ticks = new int[1];
        final TaskHandle ticking = pubSub.scheduler().spawn((ctx) ->
        {
            if (++ticks[0] < 10)
            {
                ctx.sleep(PERIOD_NS);
            }
        });
        assertTrue(mesh.runUntil(ticking::isDone, 10_000));

        assertEquals(TaskState.FAILED, failing.state());
        assertEquals(List.of(bug), mesh.errors, "through the stack's error handler");
        assertEquals(1, pubSub.scheduler().tasksFailed());
        assertEquals(10, ticks[0]);
        mesh.errors.clear();
    }

    @Test
    void shouldWakeATaskOnceWithItsRequestsFailureAndCancelTasksWhenTheLayerCloses()
    {
        final PubSub alpha = mesh.launch("alpha");
        final PubSub beta = mesh.launch("beta");
        beta.respond("slow.op", (topic, estateId, buffer, offset, length, replier) -> replier.reply(buffer, 0, 4));
        mesh.join(beta, alpha);
        mesh.run(500);

        final UnsafeBuffer query = new UnsafeBuffer(new byte[4]);
        final List<String> ends = new ArrayList<>();
        final TaskReply nobody = new TaskReply(16);
        alpha.scheduler().spawn((ctx) ->
        {
            if (TaskReply.State.IDLE == nobody.state())
            {
                assertTrue(nobody.request(alpha, alpha.publisher("nobody.here"), query, 0, 4, REQUEST_TIMEOUT_NS) > 0);
                ctx.waitFor(nobody);
            }
            else
            {
                ends.add(nobody.state() + ":" + nobody.failure());
                ctx.waitFor(new TaskInbox(1, 0));
            }
        });
        mesh.run(100);
        assertEquals(List.of("FAILED:NO_RESPONDERS"), ends, "once");

        mesh.paused.add(beta);
        final TaskReply pending = new TaskReply(16);
        final TaskHandle waiting = alpha.scheduler().spawn((ctx) ->
        {
            assertTrue(pending.request(alpha, alpha.publisher("slow.op"), query, 0, 4, REQUEST_TIMEOUT_NS) > 0);
            ctx.waitFor(pending);
        });
        mesh.run(10);
        assertEquals(TaskState.WAITING, waiting.state());

        alpha.close();
        assertEquals(TaskState.CANCELLED, waiting.state());
        assertSame(RequestFailure.CLOSED, pending.failure(), "the request ended; its task was cancelled first");
        assertEquals(2, alpha.scheduler().tasksCancelled());
        assertTrue(alpha.scheduler().isClosed());
    }

    /**
     * The tasks, written once: they see their peers only through publishers, inboxes fed by subscriptions, and
     * requests ended into a reply.
     */
    private final class Workload
    {
        private final PubSub producerSide;
        private final PubSub consumerSide;
        private final Sleeper[] sleepers = new Sleeper[SLEEPERS];
        private final Consumer[] consumers = new Consumer[PRODUCERS];
        private final Requester[] requesters = new Requester[REQUESTERS];
        private final TaskInbox everything = new TaskInbox(PRODUCERS * MESSAGES, PRODUCERS * MESSAGES * 8);
        private final long[] everythingByProducer = new long[PRODUCERS];

        Workload(final PubSub producerSide, final PubSub consumerSide)
        {
            this.producerSide = producerSide;
            this.consumerSide = consumerSide;
            final UnsafeBuffer square = new UnsafeBuffer(new byte[4]);
            producerSide.respond("svc.square", (topic, estateId, buffer, offset, length, replier) ->
            {
                final int value = buffer.getInt(offset);
                square.putInt(0, value * value);
                replier.reply(square, 0, 4);
            });
            for (int i = 0; i < PRODUCERS; i++)
            {
                consumers[i] = new Consumer(new TaskInbox(64, 64 * 8));
                consumerSide.subscribe("ticks.p" + i, consumers[i].inbox);
            }
            consumerSide.subscribe("ticks.>", everything);
        }

        void runAndCheck()
        {
            final Scheduler consumerScheduler = consumerSide.scheduler();
            final Scheduler producerScheduler = producerSide.scheduler();
            final Random random = new Random(42);
            for (int i = 0; i < SLEEPERS; i++)
            {
                sleepers[i] = new Sleeper(PERIOD_NS * (1 + random.nextInt(MAX_PERIODS)));
                consumerScheduler.spawn(sleepers[i]);
            }
            for (int i = 0; i < PRODUCERS; i++)
            {
                producerScheduler.spawn(new Producer(producerSide.publisher("ticks.p" + i), i));
                consumerScheduler.spawn(consumers[i]);
            }
            final PublicationHandler countEverything = (topic, estateId, buffer, offset, length) ->
                everythingByProducer[buffer.getInt(offset + 4)]++;
            consumerScheduler.spawn((ctx) ->
            {
                everything.poll(countEverything, Integer.MAX_VALUE);
                ctx.waitFor(everything);
            });
            for (int i = 0; i < REQUESTERS; i++)
            {
                requesters[i] = new Requester(consumerSide, consumerSide.publisher("svc.square"), 100 * i);
                consumerScheduler.spawn(requesters[i]);
            }

            final long firstCycleNs = mesh.clock.nanoTime() + PubSubMesh.STEP_NS;
            long cycles = 0;
            long idleCycles = 0;
            long idleChecks = 0;
            while (consumerScheduler.taskCount() > 1 || producerScheduler.taskCount() > 1)
            {
                final long consumerSteps = consumerScheduler.tasksStepped();
                final long producerSteps = producerScheduler.tasksStepped();
                mesh.step();
                cycles++;
                final long sinceWholePeriodNs = (mesh.clock.nanoTime() - firstCycleNs) % PERIOD_NS;
                final boolean isIdle = consumerSteps == consumerScheduler.tasksStepped() &&
                    producerSteps == producerScheduler.tasksStepped();
                if (isIdle)
                {
                    idleCycles++;
                }
                if (sinceWholePeriodNs >= BUSY_WINDOW_NS)
                {
                    assertTrue(isIdle, "a task stepped " + sinceWholePeriodNs + " ns after a whole period");
                    final long stepped = consumerScheduler.tasksStepped();
                    final long expired = consumerScheduler.timersExpired();
                    assertEquals(0, consumerScheduler.doWork(mesh.clock.nanoTime()), "nothing due");
                    assertEquals(stepped, consumerScheduler.tasksStepped());
                    assertEquals(expired, consumerScheduler.timersExpired());
                    idleChecks++;
                }
                assertTrue(cycles < 100_000, "the tasks did not end: " + consumerScheduler);
            }

            for (final Sleeper sleeper : sleepers)
            {
                assertEquals(TICKS, sleeper.ticks);
                assertEquals((TICKS - 1) * sleeper.periodNs, sleeper.lastNs - sleeper.firstNs, "each tick on time");
                assertEquals(firstCycleNs, sleeper.firstNs);
            }
            for (final Consumer consumer : consumers)
            {
                assertEquals(MESSAGES, consumer.received);
                assertEquals(0, consumer.outOfOrder);
                assertEquals(0, consumer.inbox.dropped());
            }
            for (int i = 0; i < PRODUCERS; i++)
            {
                assertEquals(MESSAGES, everythingByProducer[i], "the wide subscription got every publication");
            }
            for (final Requester requester : requesters)
            {
                assertEquals(REQUESTS, requester.answered);
                assertEquals(0, requester.wrongAnswers);
                assertEquals(Map.of(), requester.failures);
            }
            final long sleeperSteps = (long)SLEEPERS * TICKS;
            assertTrue(consumerScheduler.tasksStepped() >= sleeperSteps + PRODUCERS * 2L + REQUESTERS * REQUESTS);
            assertEquals(0, consumerScheduler.tasksFailed());
            assertTrue(idleCycles > cycles * 3 / 4, idleCycles + " idle cycles of " + cycles);
            assertTrue(idleChecks > cycles / 2, idleChecks + " checks of " + cycles);
        }
    }

    /**
     * Counts ticks of its own period, then ends.
     */
    private static final class Sleeper implements Task
    {
        private final long periodNs;
        private int ticks;
        private long firstNs;
        private long lastNs;

        Sleeper(final long periodNs)
        {
            this.periodNs = periodNs;
        }

        @Override
        public void step(final TaskContext ctx)
        {
            if (0 == ticks)
            {
                firstNs = ctx.nowNs();
            }
            lastNs = ctx.nowNs();
            if (++ticks < TICKS)
            {
                ctx.sleep(periodNs);
            }
        }
    }

    /**
     * Publishes its sequence once a period; a value nobody took (no subscriber yet, channel full) is sent again.
     */
    private static final class Producer implements Task
    {
        private final Publisher publisher;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        private int sent;

        Producer(final Publisher publisher, final int index)
        {
            this.publisher = publisher;
            payload.putInt(4, index);
        }

        @Override
        public void step(final TaskContext ctx)
        {
            payload.putInt(0, sent);
            if (publisher.publish(payload, 0, payload.capacity()) > 0)
            {
                sent++;
            }
            if (sent < MESSAGES)
            {
                ctx.sleep(PERIOD_NS);
            }
        }
    }

    /**
     * Reads its inbox whenever a message arrives, checking the sequence.
     */
    private static final class Consumer implements Task
    {
        private final TaskInbox inbox;
        private final PublicationHandler onMessage = this::onMessage;
        private int received;
        private int outOfOrder;

        Consumer(final TaskInbox inbox)
        {
            this.inbox = inbox;
        }

        @Override
        public void step(final TaskContext ctx)
        {
            inbox.poll(onMessage, Integer.MAX_VALUE);
            if (received < MESSAGES)
            {
                ctx.waitFor(inbox);
            }
        }

        private void onMessage(
            final String topic, final long estateId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (buffer.getInt(offset) != received)
            {
                outOfOrder++;
            }
            received++;
        }
    }

    /**
     * Asks for a square once a period, on a fixed schedule, and checks the answer.
     */
    private static final class Requester implements Task
    {
        private final PubSub pubSub;
        private final Publisher service;
        private final int base;
        private final UnsafeBuffer query = new UnsafeBuffer(new byte[4]);
        private final TaskReply reply = new TaskReply(4);
        private final Map<RequestFailure, Integer> failures = new EnumMap<>(RequestFailure.class);
        private long firstNs = -1;
        private int asked;
        private int answered;
        private int wrongAnswers;

        Requester(final PubSub pubSub, final Publisher service, final int base)
        {
            this.pubSub = pubSub;
            this.service = service;
            this.base = base;
        }

        @Override
        public void step(final TaskContext ctx)
        {
            if (firstNs < 0)
            {
                firstNs = ctx.nowNs();
            }
            if (reply.isPending())
            {
                throw new IllegalStateException("woken before the end of its request");
            }
            if (TaskReply.State.REPLIED == reply.state() && reply.requestId() > 0 && asked > answered)
            {
                final int value = base + answered;
                wrongAnswers += reply.buffer().getInt(0) == value * value ? 0 : 1;
                answered++;
                if (answered < REQUESTS)
                {
                    ctx.waitUntil(firstNs + answered * PERIOD_NS);
                }
                return;
            }
            if (TaskReply.State.FAILED == reply.state() && asked > answered)
            {
                failures.merge(reply.failure(), 1, Integer::sum);
                asked = answered;
                ctx.waitUntil(ctx.nowNs() + PERIOD_NS);
                return;
            }
            query.putInt(0, base + answered);
            if (reply.request(pubSub, service, query, 0, 4, REQUEST_TIMEOUT_NS) > 0)
            {
                asked++;
                ctx.waitFor(reply);
            }
            else
            {
                ctx.sleep(PERIOD_NS);
            }
        }
    }
}
