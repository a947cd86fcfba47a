package io.raet4j.transport.media;

/**
 * The faults a {@link FaultInjectingMedia} applies in one direction: rates in 0..1 for loss, duplication,
 * reordering and corruption, a fixed delay with uniform jitter, and the seed of the random sequence that decides
 * which datagram gets which fault.
 * <p>
 * Fluent accessors named like the property. A {@link FaultInjectingMedia} copies the values when it is built, so
 * changing a profile afterwards does not change a media already built from it. NOT thread safe.
 */
public final class FaultProfile
{
    /** Seed used when none is set. */
    public static final long DEFAULT_SEED = 0x5241455434A1L;

    private double lossRate;
    private double duplicateRate;
    private double reorderRate;
    private double corruptRate;
    private long delayNs;
    private long delayJitterNs;
    private long seed = DEFAULT_SEED;

    /**
     * A profile with no faults.
     */
    public FaultProfile()
    {
    }

    /**
     * A new profile with no faults, to configure fluently.
     *
     * @return a new profile with no faults.
     */
    public static FaultProfile none()
    {
        return new FaultProfile();
    }

    /**
     * Probability that a datagram is lost.
     *
     * @return the loss rate in 0..1.
     */
    public double lossRate()
    {
        return lossRate;
    }

    /**
     * Probability that a datagram is lost.
     *
     * @param lossRate in 0..1.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not in 0..1.
     */
    public FaultProfile lossRate(final double lossRate)
    {
        this.lossRate = checkRate("lossRate", lossRate);
        return this;
    }

    /**
     * Probability that a datagram is delivered twice.
     *
     * @return the duplicate rate in 0..1.
     */
    public double duplicateRate()
    {
        return duplicateRate;
    }

    /**
     * Probability that a datagram is delivered twice.
     *
     * @param duplicateRate in 0..1.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not in 0..1.
     */
    public FaultProfile duplicateRate(final double duplicateRate)
    {
        this.duplicateRate = checkRate("duplicateRate", duplicateRate);
        return this;
    }

    /**
     * Probability that a datagram is held back and sent after the next one.
     *
     * @return the reorder rate in 0..1.
     */
    public double reorderRate()
    {
        return reorderRate;
    }

    /**
     * Probability that a datagram is held back and sent after the next one.
     *
     * @param reorderRate in 0..1.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not in 0..1.
     */
    public FaultProfile reorderRate(final double reorderRate)
    {
        this.reorderRate = checkRate("reorderRate", reorderRate);
        return this;
    }

    /**
     * Probability that one byte of a datagram is corrupted.
     *
     * @return the corruption rate in 0..1.
     */
    public double corruptRate()
    {
        return corruptRate;
    }

    /**
     * Probability that one byte of a datagram is corrupted.
     *
     * @param corruptRate in 0..1.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not in 0..1.
     */
    public FaultProfile corruptRate(final double corruptRate)
    {
        this.corruptRate = checkRate("corruptRate", corruptRate);
        return this;
    }

    /**
     * Fixed delay added to every datagram; 0 for none.
     *
     * @return the delay in nanoseconds.
     */
    public long delayNs()
    {
        return delayNs;
    }

    /**
     * Fixed delay added to every datagram; 0 for none.
     *
     * @param delayNs the delay in nanoseconds, not negative.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if negative.
     */
    public FaultProfile delayNs(final long delayNs)
    {
        this.delayNs = checkNotNegative("delayNs", delayNs);
        return this;
    }

    /**
     * Upper bound of a uniform random delay added on top of {@link #delayNs()}; 0 for none.
     *
     * @return the jitter bound in nanoseconds.
     */
    public long delayJitterNs()
    {
        return delayJitterNs;
    }

    /**
     * Upper bound of a uniform random delay added on top of {@link #delayNs()}; 0 for none.
     *
     * @param delayJitterNs the jitter bound in nanoseconds, not negative.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if negative.
     */
    public FaultProfile delayJitterNs(final long delayJitterNs)
    {
        this.delayJitterNs = checkNotNegative("delayJitterNs", delayJitterNs);
        return this;
    }

    /**
     * Seed of the random sequence: the same seed and the same traffic give the same faults.
     *
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * Seed of the random sequence: the same seed and the same traffic give the same faults.
     *
     * @param seed of the random sequence.
     * @return this for a fluent API.
     */
    public FaultProfile seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Whether any fault is configured.
     *
     * @return true if some rate or delay is non-zero.
     */
    public boolean hasFaults()
    {
        return lossRate > 0 || duplicateRate > 0 || reorderRate > 0 || corruptRate > 0 ||
            delayNs > 0 || delayJitterNs > 0;
    }

    /**
     * Whether the profile holds datagrams back, by delay or reordering.
     *
     * @return true if reordering or a delay is configured.
     */
    public boolean holdsDatagrams()
    {
        return reorderRate > 0 || delayNs > 0 || delayJitterNs > 0;
    }

    /**
     * A copy of this profile.
     *
     * @return a new profile with the same values.
     */
    public FaultProfile copy()
    {
        return new FaultProfile()
            .lossRate(lossRate)
            .duplicateRate(duplicateRate)
            .reorderRate(reorderRate)
            .corruptRate(corruptRate)
            .delayNs(delayNs)
            .delayJitterNs(delayJitterNs)
            .seed(seed);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "FaultProfile{" +
            "lossRate=" + lossRate +
            ", duplicateRate=" + duplicateRate +
            ", reorderRate=" + reorderRate +
            ", corruptRate=" + corruptRate +
            ", delayNs=" + delayNs +
            ", delayJitterNs=" + delayJitterNs +
            ", seed=" + seed +
            '}';
    }

    private static double checkRate(final String name, final double rate)
    {
        if (!(rate >= 0.0 && rate <= 1.0))
        {
            throw new IllegalArgumentException(name + " must be in 0..1: " + rate);
        }
        return rate;
    }

    private static long checkNotNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must be >= 0: " + value);
        }
        return value;
    }
}
