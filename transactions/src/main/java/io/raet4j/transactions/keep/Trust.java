package io.raet4j.transactions.keep;

import io.raet4j.codec.sbe.JoinRefusal;
import org.agrona.concurrent.EpochClock;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The duty cycle's view of the keep: the local identity's raw keys, the acceptance policy, and an in-memory copy of
 * the remote estate records, kept current from the keep writer's change queue (operator changes made through the API
 * or the {@code keys} command by another process arrive within the writer's watch interval). Decisions are made on
 * the copy without I/O; the records they create or change are written by the background {@link KeepWriter}.
 * <p>
 * Not thread safe: the duty cycle only.
 */
public final class Trust
{
    private final LocalIdentity identity;
    private final byte[] signPrivate;
    private final byte[] signPublic;
    private final byte[] agreePrivate;
    private final byte[] agreePublic;
    private final AcceptancePolicy policy;
    private final KeepWriter writer;
    private final EpochClock clock;
    private final Map<String, RemoteEstateRecord> records = new HashMap<>();
    private final LinkedHashMap<String, RemoteEstateRecord> unsaved = new LinkedHashMap<>();
    private long writesDropped;
    private long writesDeferred;

    /**
     * Trust from a keep's identity and records.
     *
     * @param identity       this estate's identity.
     * @param policy         the acceptance policy.
     * @param initialRecords the keep's records of remote estates.
     * @param writer         writes records back to the keep.
     * @param clock          for the records' times.
     */
    public Trust(
        final LocalIdentity identity,
        final AcceptancePolicy policy,
        final List<RemoteEstateRecord> initialRecords,
        final KeepWriter writer,
        final EpochClock clock)
    {
        this.identity = identity;
        this.signPrivate = identity.signPrivateRaw();
        this.signPublic = identity.signPublicKey();
        this.agreePrivate = identity.agreePrivateRaw();
        this.agreePublic = identity.agreePublicKey();
        this.policy = policy;
        this.writer = writer;
        this.clock = clock;
        for (final RemoteEstateRecord record : initialRecords)
        {
            records.put(record.name(), record);
        }
    }

    /**
     * This estate's identity.
     *
     * @return the identity.
     */
    public LocalIdentity identity()
    {
        return identity;
    }

    /**
     * This estate's Ed25519 private key.
     *
     * @return the key; not to be modified.
     */
    public byte[] signPrivate()
    {
        return signPrivate;
    }

    /**
     * This estate's Ed25519 public key.
     *
     * @return the key; not to be modified.
     */
    public byte[] signPublic()
    {
        return signPublic;
    }

    /**
     * This estate's X25519 private key.
     *
     * @return the key; not to be modified.
     */
    public byte[] agreePrivate()
    {
        return agreePrivate;
    }

    /**
     * This estate's X25519 public key.
     *
     * @return the key; not to be modified.
     */
    public byte[] agreePublic()
    {
        return agreePublic;
    }

    /**
     * The acceptance policy.
     *
     * @return the policy.
     */
    public AcceptancePolicy policy()
    {
        return policy;
    }

    /**
     * What the keep holds for a name.
     *
     * @param name of a remote estate.
     * @return its record, or null.
     */
    public RemoteEstateRecord record(final String name)
    {
        return records.get(name);
    }

    /**
     * Records the keep writer dropped.
     *
     * @return the count so far.
     */
    public long writesDropped()
    {
        return writesDropped;
    }

    /**
     * Records the writer's queue could not take when they were made, counted once each time; they are kept and
     * handed over again by {@link #saveDeferred()}.
     *
     * @return the count so far.
     */
    public long writesDeferred()
    {
        return writesDeferred;
    }

    /**
     * Whether records wait for room in the writer's queue.
     *
     * @return true if any do.
     */
    public boolean hasUnsaved()
    {
        return !unsaved.isEmpty();
    }

    /**
     * Hand waiting records to the writer, oldest first, until it refuses one. Duty cycle; allocates an iterator
     * only while records wait, which happens only when the writer falls behind.
     *
     * @return the number handed over.
     */
    public int saveDeferred()
    {
        int saved = 0;
        final Iterator<RemoteEstateRecord> waiting = unsaved.values().iterator();
        while (waiting.hasNext())
        {
            if (!writer.submitPut(waiting.next()))
            {
                break;
            }
            waiting.remove();
            saved++;
        }
        return saved;
    }

    /**
     * At close: hand every waiting record to the writer, waiting for room up to a deadline; what still does not fit
     * is dropped and counted in {@link #writesDropped()}.
     *
     * @param timeoutMs the longest wait.
     * @return the number of records dropped.
     */
    public int saveDeferredBeforeClose(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!unsaved.isEmpty() && System.nanoTime() - deadlineNs < 0)
        {
            if (0 == saveDeferred())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        final int dropped = unsaved.size();
        writesDropped += dropped;
        unsaved.clear();
        return dropped;
    }

    /**
     * Decide a join that proved possession of its keys, and record what the policy says to record.
     *
     * @param name     of the joiner.
     * @param id       of the joiner.
     * @param signKey  it presented.
     * @param agreeKey it presented.
     * @param address  it joined from, as people read it.
     * @return the decision.
     */
    public Acceptance decideJoiner(
        final String name, final long id, final byte[] signKey, final byte[] agreeKey, final String address)
    {
        final RemoteEstateRecord known = records.get(name);
        final Acceptance decision = policy.decide(known, signKey, agreeKey);
        final long nowMs = clock.time();
        RemoteEstateRecord updated = known;
        if (policy.recordsPresentedKeys(known, signKey, agreeKey, decision))
        {
            updated = null == known ?
                new RemoteEstateRecord(name, id, signKey, agreeKey, decision, nowMs, nowMs, address) :
                known.withIdentity(id, signKey, agreeKey, nowMs).withStatus(decision, nowMs);
        }
        else if (null != known && Acceptance.REJECTED != decision && known.id() != id)
        {
            updated = known.withIdentity(id, signKey, agreeKey, nowMs);
        }
        if (null != updated && Acceptance.REJECTED != decision && null != address &&
            !address.equals(updated.address()))
        {
            updated = updated.withAddress(address, nowMs);
        }
        if (null != updated && !updated.equals(known))
        {
            put(updated);
        }
        return decision;
    }

    /**
     * Why the keep refused a joiner it just decided on: an operator's rejection, or other keys already accepted for
     * the name. Call after {@link #decideJoiner} returned REJECTED.
     *
     * @param name     of the joiner.
     * @param signKey  it presented.
     * @param agreeKey it presented.
     * @return the refusal to tell the joiner.
     */
    public JoinRefusal refusalOf(final String name, final byte[] signKey, final byte[] agreeKey)
    {
        final RemoteEstateRecord known = records.get(name);
        if (null != known && Acceptance.REJECTED != known.status() && !known.hasKeys(signKey, agreeKey))
        {
            return JoinRefusal.KEYS_CHANGED;
        }
        return JoinRefusal.REJECTED_BY_OPERATOR;
    }

    /**
     * Check the keys an acceptor answered with, on the joiner's side: refused if the keep rejects the name, or, unless
     * the policy is {@code always}, records other keys for it as accepted. Otherwise recorded as accepted.
     *
     * @param name     of the acceptor.
     * @param id       of the acceptor.
     * @param signKey  it answered with.
     * @param agreeKey it answered with.
     * @param address  it answered from, as people read it.
     * @return {@link JoinRefusal#NONE} if accepted, else why not.
     */
    public JoinRefusal checkAcceptor(
        final String name, final long id, final byte[] signKey, final byte[] agreeKey, final String address)
    {
        final RemoteEstateRecord known = records.get(name);
        final long nowMs = clock.time();
        if (null != known)
        {
            if (Acceptance.REJECTED == known.status())
            {
                return JoinRefusal.REJECTED_BY_OPERATOR;
            }
            if (!known.hasKeys(signKey, agreeKey) && Acceptance.ACCEPTED == known.status() &&
                AcceptancePolicy.ALWAYS != policy)
            {
                return JoinRefusal.KEYS_CHANGED;
            }
        }
        RemoteEstateRecord updated = null == known ?
            new RemoteEstateRecord(name, id, signKey, agreeKey, Acceptance.ACCEPTED, nowMs, nowMs, address) :
            known.withIdentity(id, signKey, agreeKey, nowMs).withStatus(Acceptance.ACCEPTED, nowMs);
        if (null != address && !address.equals(updated.address()))
        {
            updated = updated.withAddress(address, nowMs);
        }
        if (!updated.equals(known))
        {
            put(updated);
        }
        return JoinRefusal.NONE;
    }

    /**
     * Apply a change seen in the keep (own writes echoed back, or an operator's change from any process).
     *
     * @param change the change.
     */
    public void onChange(final KeepChange change)
    {
        if (change.isDeleted())
        {
            records.remove(change.name());
        }
        else
        {
            records.put(change.name(), change.current());
        }
    }

    private void put(final RemoteEstateRecord record)
    {
        records.put(record.name(), record);
        if (null != writer && (unsaved.containsKey(record.name()) || !writer.submitPut(record)))
        {
            // The writer's queue is full, or an older record of this name still waits: keep the newest one (an
            // older one replaced in place) for saveDeferred, so that a decision is never left unsaved and an older
            // record never overwrites a newer one on disk.
            unsaved.put(record.name(), record);
            writesDeferred++;
        }
    }
}
