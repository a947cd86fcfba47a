package io.raet4j.transactions.agent;

import io.raet4j.transactions.estate.RemoteEstate;
import org.agrona.DeadlineTimerWheel;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One timer per remote estate, in a {@link DeadlineTimerWheel}: join retries and deadlines, liveness, keepalives,
 * the session and reap timeouts all run from it (the message channels' retransmission timers are checked when an
 * estate is served). An idle stack that runs its duty cycle rarely moves the wheel ahead in one step instead of polling
 * every tick it missed.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class EstateTimers
{
    private static final int TIMER_LIMIT = 256;
    private static final int MAX_TICKS_PER_CYCLE = 1 << 20;
    private static final long TIMER_TICK_NS = 1L << 16;
    private static final int TICKS_PER_WHEEL = 1024;
    /** Ticks the wheel must lag the clock by before it is moved ahead in one step rather than polled tick by tick. */
    private static final long SKIP_AHEAD_MIN_TICKS = 4;
    /** Most timers scanned for the earliest deadline when the known bound has passed; beyond, poll tick by tick. */
    private static final int SKIP_AHEAD_SCAN_MAX_TIMERS = 16;

    private final DeadlineTimerWheel timerWheel;
    private final Long2ObjectHashMap<RemoteEstate> estateByTimerId = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler timerHandler = this::onTimer;
    private final Consumer<RemoteEstate> onEstateTimer;
    private final ErrorHandler errorHandler;
    private long earliestDeadlineBoundNs = Long.MAX_VALUE;
    private long timerWheelPolls;
    private long nowNs;

    /**
     * Timers starting at a time.
     *
     * @param startNs       the clock's time now.
     * @param onEstateTimer called when an estate's timer expires; it schedules the next one.
     * @param errorHandler  told of anything the callback throws.
     */
    public EstateTimers(final long startNs, final Consumer<RemoteEstate> onEstateTimer, final ErrorHandler errorHandler)
    {
        this.timerWheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TIMER_TICK_NS, TICKS_PER_WHEEL);
        this.onEstateTimer = onEstateTimer;
        this.errorHandler = errorHandler;
        this.nowNs = startNs;
    }

    /**
     * Set an estate's timer, replacing the one it had.
     *
     * @param estate     the estate.
     * @param deadlineNs when it expires, clock time.
     */
    public void schedule(final RemoteEstate estate, final long deadlineNs)
    {
        cancel(estate);
        final long timerId = timerWheel.scheduleTimer(deadlineNs);
        estate.timerId = timerId;
        estateByTimerId.put(timerId, estate);
        earliestDeadlineBoundNs = Math.min(earliestDeadlineBoundNs, deadlineNs);
    }

    /**
     * Cancel an estate's timer, if it has one.
     *
     * @param estate the estate.
     */
    public void cancel(final RemoteEstate estate)
    {
        if (Long.MAX_VALUE != estate.timerId)
        {
            timerWheel.cancelTimer(estate.timerId);
            estateByTimerId.remove(estate.timerId);
            estate.timerId = Long.MAX_VALUE;
        }
    }

    /**
     * Expire the timers due by a time. The wheel advances at most one tick per poll, so it is caught up to the clock by
     * polling in a loop, bounded per cycle; a stack whose duty cycle runs rarely (an idle estate driven every 50 ms
     * lags by about 760 ticks) first moves the wheel ahead in one step, see {@link #skipAhead()}.
     *
     * @param nowNs the clock's time.
     * @return the number of timers expired.
     */
    public int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        int expired = 0;
        for (int ticks = 0; ticks < MAX_TICKS_PER_CYCLE && timerWheel.currentTickTime() <= nowNs; ticks++)
        {
            skipAhead();
            timerWheelPolls++;
            expired += timerWheel.poll(nowNs, timerHandler, TIMER_LIMIT - expired);
            if (expired >= TIMER_LIMIT)
            {
                break;
            }
        }
        return expired;
    }

    /**
     * Polls of the timer wheel so far: one per tick walked, so a measure of what idle duty cycles cost. For tests.
     *
     * @return the number of polls.
     */
    public long timerWheelPolls()
    {
        return timerWheelPolls;
    }

    /**
     * When the wheel lags the clock by {@value #SKIP_AHEAD_MIN_TICKS} ticks or more, move it straight to the tick of
     * {@code min(nowNs, earliest deadline)}: the spokes in between hold no timer due by then, and polling them one by
     * one is the whole cost of an idle cycle. The wheel never moves past a deadline, since a timer whose spoke is
     * skipped is only looked at again a revolution later. {@link #earliestDeadlineBoundNs} is a lower bound on every
     * scheduled deadline, lowered by {@link #schedule} and left alone by expiries and cancellations; once the wheel
     * has reached it, it is recomputed from the timers if they are few, otherwise the wheel is polled tick by tick as
     * before (a stack with many timers runs its duty cycle often). Allocates nothing: the scan uses the map's cached
     * iterator.
     */
    private void skipAhead()
    {
        final long tickEndNs = timerWheel.currentTickTime();
        if (nowNs - tickEndNs < SKIP_AHEAD_MIN_TICKS * TIMER_TICK_NS)
        {
            return;
        }
        if (earliestDeadlineBoundNs < tickEndNs)
        {
            if (timerWheel.timerCount() > SKIP_AHEAD_SCAN_MAX_TIMERS)
            {
                return;
            }
            earliestDeadlineBoundNs = earliestDeadlineNs();
        }
        timerWheel.currentTickTime(Math.min(nowNs, earliestDeadlineBoundNs));
    }

    private long earliestDeadlineNs()
    {
        long earliestNs = Long.MAX_VALUE;
        final Long2ObjectHashMap<RemoteEstate>.KeyIterator timerIds = estateByTimerId.keySet().iterator();
        while (timerIds.hasNext())
        {
            earliestNs = Math.min(earliestNs, timerWheel.deadline(timerIds.nextLong()));
        }
        return earliestNs;
    }

    private boolean onTimer(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final RemoteEstate estate = estateByTimerId.remove(timerId);
        if (null == estate || estate.timerId != timerId)
        {
            return true;
        }
        estate.timerId = Long.MAX_VALUE;
        try
        {
            onEstateTimer.accept(estate);
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
        return true;
    }
}
