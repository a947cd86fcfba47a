package io.raet4j.transactions.agent;

/**
 * The duty cycle's view of time, read once per cycle: the clock ({@link #nowNs()}), live time that excludes the
 * stalls of the duty-cycle thread itself ({@link #liveNs()}, which every liveness and session limit is measured in, so
 * a paused process does not declare its peers dead on waking), and the cycle's number.
 * <p>
 * <b>Threading:</b> written by the duty-cycle thread at the start of each cycle, read by the transactions in it.
 */
public final class Cycle
{
    private long nowNs;
    private long liveNs;
    private long count;
    private long lastCycleNs;
    private long totalStallNs;

    /**
     * Start the clock.
     *
     * @param startNs the clock's time now.
     */
    public Cycle(final long startNs)
    {
        nowNs = startNs;
        liveNs = startNs;
        lastCycleNs = startNs;
    }

    /**
     * Begin a cycle at a time of the clock.
     *
     * @param nowNs            the clock's time.
     * @param stallThresholdNs a gap since the last cycle longer than this is a stall of this thread.
     * @return the stall's length, or 0 if there was none.
     */
    public long begin(final long nowNs, final long stallThresholdNs)
    {
        this.nowNs = nowNs;
        count++;
        final long gapNs = nowNs - lastCycleNs;
        final long stallNs = gapNs > stallThresholdNs ? gapNs : 0;
        totalStallNs += stallNs;
        lastCycleNs = nowNs;
        liveNs = nowNs - totalStallNs;
        return stallNs;
    }

    /**
     * Set the clock outside a cycle (at close).
     *
     * @param nowNs the clock's time.
     */
    public void now(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * The clock's time this cycle.
     *
     * @return nanoseconds.
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * Live time this cycle: the clock less every stall of the duty-cycle thread so far.
     *
     * @return nanoseconds.
     */
    public long liveNs()
    {
        return liveNs;
    }

    /**
     * The number of this cycle.
     *
     * @return cycles begun since the stack started.
     */
    public long count()
    {
        return count;
    }
}
