package io.raet4j.examples;

import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.JoinHandler;
import io.raet4j.transactions.PresenceEvent;
import io.raet4j.transactions.PresenceHandler;
import io.raet4j.transactions.Stack;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;

/**
 * Keeps track of which estates a command-line stack is joined to, prints every presence change as a progress line,
 * and runs a join to completion.
 * <p>
 * NOT thread safe: called on the duty-cycle thread, which in invoker mode is the command's thread.
 */
final class Presence implements PresenceHandler, JoinHandler
{
    private final PrintStream out;
    private JoinFailure joinFailure;
    private final LongHashSet joined = new LongHashSet();
    private final LongHashSet everJoined = new LongHashSet();
    private final LongHashSet unreachable = new LongHashSet();
    private long firstJoinedId;
    private String firstJoinedName;
    private boolean isJoinFailed;

    /**
     * Track presence, printing to a stream.
     *
     * @param out for one line per event.
     */
    Presence(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onPresence(final long estateId, final String name, final PresenceEvent event)
    {
        switch (event)
        {
            case JOINED:
            case ALIVE:
                joined.add(estateId);
                everJoined.add(estateId);
                if (0 == firstJoinedId)
                {
                    firstJoinedId = estateId;
                    firstJoinedName = name;
                }
                break;
            case DEAD:
            case REAPED:
                joined.remove(estateId);
                unreachable.remove(estateId);
                break;
            case UNREACHABLE:
                unreachable.add(estateId);
                break;
            case REACHABLE:
            case RENEWED:
                unreachable.remove(estateId);
                break;
            case JOIN_FAILED:
                isJoinFailed = true;
                break;
            default:
                break;
        }
        if (PresenceEvent.JOIN_FAILED != event)
        {
            out.println("estate " + name + " (" + Main.id(estateId) + ") " + event);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onJoinFailed(final long correlationId, final JoinFailure failure)
    {
        joinFailure = failure;
        isJoinFailed = true;
        out.println("join to " + failure.address() + " failed (" + failure.reason() + "): " + failure.message());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onJoinRefused(final JoinFailure refusal)
    {
        out.println("join from " + refusal.address() + " refused (" + refusal.reason() + "): " + refusal.message());
    }

    /**
     * Why the last join this stack started failed.
     *
     * @return the failure, or null if none failed.
     */
    JoinFailure joinFailure()
    {
        return joinFailure;
    }

    /**
     * Join an estate and run the duty cycle until the join completes, fails (refused, not accepted, not signed by
     * the pinned key, or timed out), or a stop is asked for.
     *
     * @param stack            to join from; its presence handler becomes this.
     * @param address          of the estate.
     * @param pinnedSigningKey the Ed25519 public key the estate must sign with, or null for any.
     * @param idle             strategy between duty cycles.
     * @return the id of the joined estate, or 0 if the join failed or was stopped.
     */
    long join(final Stack stack, final String address, final byte[] pinnedSigningKey, final IdleStrategy idle)
    {
        return join(stack, address, pinnedSigningKey, idle, Long.MAX_VALUE);
    }

    /**
     * Join as {@link #join(Stack, String, byte[], IdleStrategy)}, giving up at a deadline.
     *
     * @param stack            to join from; its presence and join handlers become this.
     * @param address          of the estate.
     * @param pinnedSigningKey the Ed25519 public key the estate must sign with, or null for any.
     * @param idle             strategy between duty cycles.
     * @param deadlineNs       {@link System#nanoTime()} after which to stop waiting.
     * @return the id of the joined estate, or 0 if the join failed, was stopped or ran out of time.
     */
    long join(
        final Stack stack,
        final String address,
        final byte[] pinnedSigningKey,
        final IdleStrategy idle,
        final long deadlineNs)
    {
        stack.addPresenceHandler(this);
        stack.addJoinHandler(this);
        stack.join(address, pinnedSigningKey);
        while (0 == firstJoinedId && !isJoinFailed && !StopSignal.isStopRequested() && System.nanoTime() < deadlineNs)
        {
            idle.idle(stack.doWork());
        }
        return isJoinFailed ? 0 : firstJoinedId;
    }

    /**
     * Is an estate joined and not declared dead since.
     *
     * @param estateId of the estate.
     * @return true if alive.
     */
    boolean isAlive(final long estateId)
    {
        return joined.contains(estateId);
    }

    /**
     * Number of estates silent past the liveness timeout whose sessions are still open: they may come back.
     *
     * @return the count.
     */
    int unreachableCount()
    {
        return unreachable.size();
    }

    /**
     * The most messages offered to one joined estate and not yet ended ({@link Stack#outstandingMessages}).
     *
     * @param stack the estates are joined to.
     * @return the largest count, 0 if none is joined.
     */
    long mostOutstanding(final Stack stack)
    {
        long most = 0;
        final LongHashSet.LongIterator iterator = joined.iterator();
        while (iterator.hasNext())
        {
            most = Math.max(most, stack.outstandingMessages(iterator.nextValue()));
        }
        return most;
    }

    /**
     * Number of estates joined now.
     *
     * @return the count.
     */
    int joinedCount()
    {
        return joined.size();
    }

    /**
     * Number of distinct estates joined since start.
     *
     * @return the count.
     */
    int everJoinedCount()
    {
        return everJoined.size();
    }

    /**
     * Name of the first estate joined.
     *
     * @return the name, or null if none.
     */
    String firstJoinedName()
    {
        return firstJoinedName;
    }
}
