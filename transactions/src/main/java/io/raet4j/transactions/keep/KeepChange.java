package io.raet4j.transactions.keep;

import java.util.Objects;

/**
 * A remote estate record that changed in the keep since it was last seen: added, changed, or deleted. Reported by
 * {@link KeepWatcher} for changes made by another process or another {@link Keep} instance.
 * <p>
 * Immutable and thread safe.
 */
public final class KeepChange
{
    private final RemoteEstateRecord previous;
    private final RemoteEstateRecord current;

    /**
     * A change from one version of a record to another.
     *
     * @param previous version last seen, or null if the record is new.
     * @param current  version now in the keep, or null if the record was deleted.
     */
    public KeepChange(final RemoteEstateRecord previous, final RemoteEstateRecord current)
    {
        if (null == previous && null == current)
        {
            throw new IllegalArgumentException("a change needs a previous or a current record");
        }
        this.previous = previous;
        this.current = current;
    }

    /**
     * Name of the estate the change is about.
     *
     * @return the name.
     */
    public String name()
    {
        return null != current ? current.name() : previous.name();
    }

    /**
     * The record as last seen before the change.
     *
     * @return the previous record, or null if the record is new.
     */
    public RemoteEstateRecord previous()
    {
        return previous;
    }

    /**
     * The record as it is now in the keep.
     *
     * @return the current record, or null if it was deleted.
     */
    public RemoteEstateRecord current()
    {
        return current;
    }

    /**
     * Whether the record was deleted.
     *
     * @return true if there is no current record.
     */
    public boolean isDeleted()
    {
        return null == current;
    }

    /**
     * Whether the record is new.
     *
     * @return true if there was no previous record.
     */
    public boolean isAdded()
    {
        return null == previous;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof KeepChange))
        {
            return false;
        }
        final KeepChange that = (KeepChange)other;
        return Objects.equals(previous, that.previous) && Objects.equals(current, that.current);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(previous, current);
    }

    @Override
    public String toString()
    {
        return "KeepChange{name=" + name() + ", previous=" + previous + ", current=" + current + "}";
    }
}
