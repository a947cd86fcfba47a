package io.raet4j.transactions.keep;

/**
 * Whether the local estate accepts a remote estate's keys, as recorded in the keep.
 */
public enum Acceptance
{
    /** Seen but not decided yet: an operator (or the acceptance policy) has to accept or reject it. */
    PENDING("pending"),
    /** Trusted: joins from this estate with these keys are accepted. */
    ACCEPTED("accepted"),
    /** Refused: joins from this estate are rejected. */
    REJECTED("rejected");

    private static final Acceptance[] VALUES = values();

    private final String label;

    Acceptance(final String label)
    {
        this.label = label;
    }

    /**
     * The word written in keep files for this status.
     *
     * @return the lower-case label.
     */
    public String label()
    {
        return label;
    }

    /**
     * The status for a label as written in keep files, ignoring case.
     *
     * @param label to look up.
     * @return the status, or null if the label is not one.
     */
    public static Acceptance fromLabel(final String label)
    {
        for (final Acceptance value : VALUES)
        {
            if (value.label.equalsIgnoreCase(label))
            {
                return value;
            }
        }
        return null;
    }
}
