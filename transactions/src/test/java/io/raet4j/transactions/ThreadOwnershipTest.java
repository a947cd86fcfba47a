package io.raet4j.transactions;

import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The single-threaded API refuses calls from a thread that does not own the stack, loudly, instead of corrupting it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadOwnershipTest
{
    @TempDir
    Path tempDir;

    private Stack stack;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(stack);
    }

    @Test
    void shouldRefuseEveryDataCallFromAnotherThreadInInvokerMode() throws Exception
    {
        stack = Stack.launch(new Context().name("owned").statusDir(tempDir.resolve("s")));
        stack.doWork();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);

        final IllegalStateException offer = (IllegalStateException)onOtherThread(
            () -> stack.offer(1, 0, message, 0, 8));
        assertTrue(offer.getMessage().startsWith("Stack.offer called on thread 'intruder', but stack 'owned' is run " +
            "by thread '" + Thread.currentThread().getName() + "'"), offer.getMessage());
        assertInstanceOf(IllegalStateException.class, onOtherThread(() -> stack.poll((a, b, c, d, e) -> {}, 1)));
        assertInstanceOf(IllegalStateException.class, onOtherThread(() -> stack.join("127.0.0.1:9")));
        assertInstanceOf(IllegalStateException.class, onOtherThread(() -> stack.doWork()));
        assertInstanceOf(IllegalStateException.class, onOtherThread(() -> stack.tryClaim(1, 0, 8, new BufferClaim())));
        assertEquals(5, stack.counter(StackCounterDescriptor.API_MISUSE));

        // The owner is not disturbed.
        assertEquals(Stack.NOT_CONNECTED, stack.offer(1, 0, message, 0, 8));
        stack.doWork();
    }

    @Test
    void shouldLetTheFirstDutyCycleClaimAStackLaunchedOnAnotherThread() throws Exception
    {
        stack = Stack.launch(new Context().name("handed").statusDir(tempDir.resolve("s")));
        final Thread launcher = Thread.currentThread();
        final CompletableFuture<Object> running = new CompletableFuture<>();
        final CountDownLatch release = new CountDownLatch(1);
        final Thread worker = new Thread(() ->
        {
            stack.doWork();
            stack.doWork();
            running.complete(stack.estateCount());
            awaitQuietly(release);
        }, "worker");
        worker.start();
        assertEquals(0, running.get(10, TimeUnit.SECONDS));

        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> stack.estateCount());
        assertTrue(refused.getMessage().contains("on thread '" + launcher.getName() + "'") &&
            refused.getMessage().contains("run by thread 'worker'"), refused.getMessage());
        release.countDown();
        worker.join();

        assertEquals(0, stack.estateCount(), "the worker ended: the stack is free to take over");
        stack.doWork();
    }

    @Test
    void shouldPassTheStackOnWhenItsOwnerHandsItOver() throws Exception
    {
        stack = Stack.launch(new Context().name("passed").statusDir(tempDir.resolve("s")));
        stack.doWork();
        assertInstanceOf(IllegalStateException.class, onOtherThread(() -> stack.doWork()));
        stack.handOver();
        final CompletableFuture<Object> taken = new CompletableFuture<>();
        final CountDownLatch release = new CountDownLatch(1);
        final Thread next = new Thread(() ->
        {
            stack.doWork();
            taken.complete(stack.estateCount());
            awaitQuietly(release);
        }, "next");
        next.start();
        assertEquals(0, taken.get(10, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> stack.doWork(), "the new owner holds it");
        release.countDown();
        next.join();
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldGiveADedicatedStackToItsRunnerThreadAlone() throws Exception
    {
        stack = Stack.launch(new Context().name("dedicated").threadingMode(Context.ThreadingMode.DEDICATED)
            .statusDir(tempDir.resolve("s")));
        final AtomicReference<Object> fromAgent = new AtomicReference<>();
        stack.start(new Agent()
        {
            public int doWork()
            {
                if (null == fromAgent.get())
                {
                    fromAgent.set(stack.offer(1, 0, new UnsafeBuffer(new byte[8]), 0, 8));
                }
                return 0;
            }

            public String roleName()
            {
                return "application";
            }
        });

        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> stack.offer(1, 0, message, 0, 8));
        assertTrue(refused.getMessage().contains("from the application agent given to start"), refused.getMessage());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (null == fromAgent.get() && System.nanoTime() < deadlineNs)
        {
            Thread.onSpinWait();
        }
        assertEquals(Stack.NOT_CONNECTED, fromAgent.get(), "the application agent may call the data API");
    }

    private static Throwable onOtherThread(final Runnable call) throws InterruptedException, ExecutionException
    {
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                call.run();
                thrown.complete(null);
            }
            catch (final Throwable ex)
            {
                thrown.complete(ex);
            }
        }, "intruder");
        thread.start();
        thread.join();
        return thrown.get();
    }
}
