package io.raet4j.examples;

import io.raet4j.pubsub.PubSub;
import io.raet4j.pubsub.PubSubContext;
import io.raet4j.pubsub.PublicationHandler;
import io.raet4j.pubsub.Publisher;
import io.raet4j.pubsub.Task;
import io.raet4j.pubsub.TaskContext;
import io.raet4j.pubsub.TaskInbox;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code mesh}: a reactive mesh in the spirit of ioflo, three estates in this process over UDP on loopback, each
 * running one micro-thread on its own duty cycle: a clock ticking on {@code clock.tick}, a pin that toggles on each
 * tick and publishes its state on {@code pin.state} (keeping its last value), and a buzzer that buzzes when the pin
 * goes high. The pin and the buzzer know only the clock's address: the clock introduces them to each other (pub/sub
 * introductions), they join, and the pin's state goes to the buzzer directly, found through presence and interest.
 * <p>
 * NOT thread safe: runs on the calling thread, which drives the three stacks in invoker mode.
 */
final class MeshCommand implements Command
{
    private final List<PubSub> estates = new ArrayList<>();

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "mesh";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "a clock, a pin and a buzzer found through presence and interest, as micro-threads";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar mesh [--ticks N] [--tick-ms MS] [--dir DIR]\n" +
            "  --ticks N            ticks of the clock before it stops (default 10)\n" +
            "  --tick-ms MS         time between ticks (default 100)\n" +
            "  --dir DIR            parent of the stacks' status directories\n" +
            "Three estates on loopback: clock, pin and buzzer; pin and buzzer join the clock only, are introduced\n" +
            "to each other and join. The pin toggles on every tick, the buzzer buzzes when it goes high.\n" +
            "Prints a line per event, then {\"ticks\",\"toggles\",\"buzzes\",\"pinJoinedBuzzer\",\"seconds\"}.\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        final int ticks = (int)args.number("--ticks", 10L, 1, 1_000_000);
        final long tickNs = TimeUnit.MILLISECONDS.toNanos(args.number("--tick-ms", 100L, 1, 60_000));
        final Path statusParent = Main.statusParent(args);
        args.requireAllUsed();

        final long startNs = System.nanoTime();
        try
        {
            final PubSub clock = launch("clock", statusParent);
            final PubSub pin = launch("pin", statusParent);
            final PubSub buzzer = launch("buzzer", statusParent);
            final Clock clockTask = new Clock(clock.publisher("clock.tick"), ticks, tickNs, out);
            final Pin pinTask = new Pin(pin.publisher("pin.state").retainLastValue(), out);
            final Buzzer buzzerTask = new Buzzer(out);
            pin.subscribe("clock.tick", pinTask.inbox);
            buzzer.subscribe("pin.*", buzzerTask.inbox);

            final String clockAddress = Main.format(clock.stack().localAddress());
            pin.stack().join(clockAddress);
            buzzer.stack().join(clockAddress);
            out.println("clock at " + clockAddress + "; pin and buzzer join it, and only it");
            final long meshDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pin.stack().isJoined(buzzer.stack().estateId()) &&
                !buzzer.stack().isJoined(pin.stack().estateId()))
            {
                if (System.nanoTime() > meshDeadlineNs)
                {
                    err.println("mesh: the clock did not introduce pin and buzzer within 10 s");
                    return Main.EXIT_FAILED;
                }
                runAll();
            }
            out.println("pin and buzzer joined each other, introduced by the clock");
            final Publisher state = pin.publisher("pin.state");
            while (state.remoteSubscribers() < 1 || clock.publisher("clock.tick").remoteSubscribers() < 1)
            {
                runAll();
            }

            clock.scheduler().spawn(clockTask);
            pin.scheduler().spawn(pinTask);
            buzzer.scheduler().spawn(buzzerTask);
            final long endDeadlineNs = System.nanoTime() + ticks * tickNs + TimeUnit.SECONDS.toNanos(5);
            while ((pinTask.toggles < ticks || buzzerTask.buzzes < (ticks + 1) / 2) &&
                System.nanoTime() < endDeadlineNs)
            {
                runAll();
            }
            final boolean isMesh = pin.stack().isJoined(buzzer.stack().estateId());
            out.println(new Json()
                .put("ticks", clockTask.ticked)
                .put("toggles", pinTask.toggles)
                .put("buzzes", buzzerTask.buzzes)
                .put("pinJoinedBuzzer", isMesh)
                .put("seconds", Math.round((System.nanoTime() - startNs) / 1e6) / 1e3));
            return pinTask.toggles == ticks && buzzerTask.buzzes == (ticks + 1) / 2 && isMesh ?
                Main.EXIT_OK : Main.EXIT_FAILED;
        }
        finally
        {
            CloseHelper.quietCloseAll(estates);
        }
    }

    private PubSub launch(final String name, final Path statusParent)
    {
        final Context transport = new Context().name(name).bindAddress("127.0.0.1:0");
        if (null != statusParent)
        {
            transport.statusDir(statusParent.resolve(name + "-" + ProcessHandle.current().pid()));
        }
        final PubSub pubSub = PubSub.launch(new PubSubContext(new StackContext(transport)).introductions(true));
        estates.add(pubSub);
        return pubSub;
    }

    private void runAll()
    {
        for (final PubSub estate : estates)
        {
            estate.doWork();
        }
    }

    /**
     * Publishes the tick number every period, then stops.
     */
    private static final class Clock implements Task
    {
        private final Publisher tick;
        private final int ticks;
        private final long tickNs;
        private final PrintStream out;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        private int ticked;

        Clock(final Publisher tick, final int ticks, final long tickNs, final PrintStream out)
        {
            this.tick = tick;
            this.ticks = ticks;
            this.tickNs = tickNs;
            this.out = out;
        }

        public void step(final TaskContext ctx)
        {
            if (ticked == ticks)
            {
                ctx.done();
                return;
            }
            buffer.putInt(0, ++ticked);
            tick.publish(buffer, 0, 4);
            out.println("clock: tick " + ticked);
            ctx.sleep(tickNs);
        }
    }

    /**
     * Toggles on each tick and publishes its state (1 high, 0 low) with the tick that caused it.
     */
    private static final class Pin implements Task
    {
        private final TaskInbox inbox = new TaskInbox(64, 4096);
        private final PublicationHandler onTick = this::onTick;
        private final Publisher state;
        private final PrintStream out;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        private boolean isHigh;
        private int toggles;

        Pin(final Publisher state, final PrintStream out)
        {
            this.state = state;
            this.out = out;
        }

        public void step(final TaskContext ctx)
        {
            inbox.poll(onTick, 64);
            ctx.waitFor(inbox);
        }

        private void onTick(
            final String topic, final long estateId, final DirectBuffer tick, final int offset, final int length)
        {
            isHigh = !isHigh;
            toggles++;
            buffer.putInt(0, isHigh ? 1 : 0);
            buffer.putInt(4, tick.getInt(offset));
            state.publish(buffer, 0, 8);
            out.println("pin: " + (isHigh ? "high" : "low") + " on tick " + tick.getInt(offset));
        }
    }

    /**
     * Buzzes when the pin goes high.
     */
    private static final class Buzzer implements Task
    {
        private final TaskInbox inbox = new TaskInbox(64, 4096);
        private final PublicationHandler onState = this::onState;
        private final PrintStream out;
        private int buzzes;

        Buzzer(final PrintStream out)
        {
            this.out = out;
        }

        public void step(final TaskContext ctx)
        {
            inbox.poll(onState, 64);
            ctx.waitFor(inbox);
        }

        private void onState(
            final String topic, final long estateId, final DirectBuffer state, final int offset, final int length)
        {
            if (1 == state.getInt(offset))
            {
                buzzes++;
                out.println("buzzer: BUZZ (pin high on tick " + state.getInt(offset + 4) + ")");
            }
        }
    }
}
