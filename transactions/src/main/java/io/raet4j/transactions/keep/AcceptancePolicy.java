package io.raet4j.transactions.keep;

/**
 * How an accepting stack treats a joiner's keys, as RAET's auto-accept modes do. The decision depends on what the
 * keep already records for the joiner's name:
 * <pre>
 *   record               ALWAYS            ONCE              NEVER
 *   none                 ACCEPTED          ACCEPTED          PENDING
 *   same keys, ACCEPTED  ACCEPTED          ACCEPTED          ACCEPTED
 *   same keys, PENDING   ACCEPTED          PENDING           PENDING
 *   other keys, ACCEPTED ACCEPTED (new)    REJECTED          PENDING (new)
 *   other keys, PENDING  ACCEPTED (new)    PENDING (new)     PENDING (new)
 *   REJECTED, any keys   REJECTED          REJECTED          REJECTED
 * </pre>
 * An operator's rejection always stands, and an operator's acceptance of a name's keys always stands for those
 * keys. "(new)" means the keep should record the presented keys in place of the old ones; under ONCE different keys
 * for an accepted name are refused and the record is left as it is. A PENDING estate waits for an operator
 * ({@code keys accept NAME}) whatever the policy, except under ALWAYS.
 * <p>
 * Pure logic, thread safe, no I/O: the stack decides on its in-memory copy of the keep and writes any change
 * through the keep's background writer.
 */
public enum AcceptancePolicy
{
    /** Accept any estate and any keys, including changed keys for a known name. */
    ALWAYS,
    /** Accept a name's first keys; refuse different keys for an accepted name later. */
    ONCE,
    /** New names and changed keys wait as pending until an operator accepts them. */
    NEVER;

    /**
     * Decide what a join presenting these keys gets.
     *
     * @param known          what the keep records for the joiner's name, or null if nothing.
     * @param signPublicKey  32-byte Ed25519 public key the joiner proved it holds.
     * @param agreePublicKey 32-byte X25519 public key the joiner presented.
     * @return the status the joiner gets, which is also the status to record.
     */
    public Acceptance decide(
        final RemoteEstateRecord known, final byte[] signPublicKey, final byte[] agreePublicKey)
    {
        if (null == known)
        {
            return NEVER == this ? Acceptance.PENDING : Acceptance.ACCEPTED;
        }
        if (Acceptance.REJECTED == known.status())
        {
            return Acceptance.REJECTED;
        }
        final boolean isSameKeys = known.hasKeys(signPublicKey, agreePublicKey);
        if (ALWAYS == this)
        {
            return Acceptance.ACCEPTED;
        }
        if (isSameKeys)
        {
            return known.status();
        }
        if (ONCE == this && Acceptance.ACCEPTED == known.status())
        {
            return Acceptance.REJECTED;
        }
        return Acceptance.PENDING;
    }

    /**
     * Should the keep record the presented keys in place of the known ones after {@link #decide}.
     *
     * @param known          what the keep records, or null.
     * @param signPublicKey  presented signing key.
     * @param agreePublicKey presented agreement key.
     * @param decision       returned by {@link #decide}.
     * @return true if the record is to be created or its keys replaced.
     */
    public boolean recordsPresentedKeys(
        final RemoteEstateRecord known,
        final byte[] signPublicKey,
        final byte[] agreePublicKey,
        final Acceptance decision)
    {
        if (null == known)
        {
            return true;
        }
        return Acceptance.REJECTED != decision && !known.hasKeys(signPublicKey, agreePublicKey);
    }

    /**
     * Parse a policy name as the command line writes it: {@code always}, {@code once} or {@code never}.
     *
     * @param name of the policy, any case.
     * @return the policy.
     * @throws IllegalArgumentException if the name is not one of the three.
     */
    public static AcceptancePolicy parse(final String name)
    {
        for (final AcceptancePolicy policy : values())
        {
            if (policy.name().equalsIgnoreCase(name))
            {
                return policy;
            }
        }
        throw new IllegalArgumentException("accept policy must be always, once or never: " + name);
    }
}
