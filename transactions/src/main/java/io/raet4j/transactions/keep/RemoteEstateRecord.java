package io.raet4j.transactions.keep;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the keep records about one remote estate: its name and id, its raw Ed25519 signing and X25519 agreement public
 * keys, whether it is accepted, when it was first seen and last changed, and the last address it was seen at.
 * <p>
 * Immutable and thread safe; the {@code with*} methods return changed copies. Equality compares every field, keys by
 * content.
 */
public final class RemoteEstateRecord
{
    private final String name;
    private final long id;
    private final byte[] signPublic;
    private final byte[] agreePublic;
    private final Acceptance status;
    private final long firstSeenMs;
    private final long lastChangedMs;
    private final String address;

    /**
     * A record; the keys are copied.
     *
     * @param name          of the estate, 1 to 255 bytes of UTF-8.
     * @param id            of the estate, non-zero.
     * @param signPublic    raw 32-byte Ed25519 public key.
     * @param agreePublic   raw 32-byte X25519 public key.
     * @param status        of acceptance.
     * @param firstSeenMs   epoch time the estate was first recorded, not negative.
     * @param lastChangedMs epoch time the record was last changed, not negative.
     * @param address       last address seen, {@code host:port} or {@code unix:path}, or null if unknown.
     * @throws IllegalArgumentException if a value is not valid.
     */
    public RemoteEstateRecord(
        final String name,
        final long id,
        final byte[] signPublic,
        final byte[] agreePublic,
        final Acceptance status,
        final long firstSeenMs,
        final long lastChangedMs,
        final String address)
    {
        KeepFormat.nameBytes(name);
        if (0 == id)
        {
            throw new IllegalArgumentException("estate id must not be 0");
        }
        if (null == signPublic || signPublic.length != LocalIdentity.PUBLIC_KEY_LENGTH)
        {
            throw new IllegalArgumentException("signing public key must be 32 bytes");
        }
        if (null == agreePublic || agreePublic.length != LocalIdentity.PUBLIC_KEY_LENGTH)
        {
            throw new IllegalArgumentException("agreement public key must be 32 bytes");
        }
        if (firstSeenMs < 0 || lastChangedMs < 0)
        {
            throw new IllegalArgumentException("times must not be negative");
        }
        if (null != address && address.isEmpty())
        {
            throw new IllegalArgumentException("address must be null when unknown, not empty");
        }
        this.name = name;
        this.id = id;
        this.signPublic = signPublic.clone();
        this.agreePublic = agreePublic.clone();
        this.status = Objects.requireNonNull(status, "status");
        this.firstSeenMs = firstSeenMs;
        this.lastChangedMs = lastChangedMs;
        this.address = address;
    }

    /**
     * Name of the estate, also its key in the keep.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Id of the estate.
     *
     * @return the non-zero id.
     */
    public long id()
    {
        return id;
    }

    /**
     * The estate's raw Ed25519 public key.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] signPublicKey()
    {
        return signPublic.clone();
    }

    /**
     * The estate's raw X25519 public key.
     *
     * @return a copy of the 32 bytes.
     */
    public byte[] agreePublicKey()
    {
        return agreePublic.clone();
    }

    /**
     * Whether the record holds these keys, without copying.
     *
     * @param signPublicKey  raw Ed25519 public key to compare.
     * @param agreePublicKey raw X25519 public key to compare.
     * @return true if both keys are equal to the recorded ones.
     */
    public boolean hasKeys(final byte[] signPublicKey, final byte[] agreePublicKey)
    {
        return Arrays.equals(signPublic, signPublicKey) && Arrays.equals(agreePublic, agreePublicKey);
    }

    /**
     * Acceptance status.
     *
     * @return the status.
     */
    public Acceptance status()
    {
        return status;
    }

    /**
     * Epoch time the estate was first recorded.
     *
     * @return milliseconds since the epoch.
     */
    public long firstSeenMs()
    {
        return firstSeenMs;
    }

    /**
     * Epoch time the record was last changed.
     *
     * @return milliseconds since the epoch.
     */
    public long lastChangedMs()
    {
        return lastChangedMs;
    }

    /**
     * Last address the estate was seen at.
     *
     * @return {@code host:port} or {@code unix:path}, or null if unknown.
     */
    public String address()
    {
        return address;
    }

    /**
     * This record with another status.
     *
     * @param status to set.
     * @param nowMs  epoch time of the change.
     * @return this if the status is unchanged, else a copy with the status and last-changed time set.
     */
    public RemoteEstateRecord withStatus(final Acceptance status, final long nowMs)
    {
        if (this.status == status)
        {
            return this;
        }
        return new RemoteEstateRecord(name, id, signPublic, agreePublic, status, firstSeenMs, nowMs, address);
    }

    /**
     * This record with another address.
     *
     * @param address to set, or null if unknown.
     * @param nowMs   epoch time of the change.
     * @return this if the address is unchanged, else a copy with the address and last-changed time set.
     */
    public RemoteEstateRecord withAddress(final String address, final long nowMs)
    {
        if (Objects.equals(this.address, address))
        {
            return this;
        }
        return new RemoteEstateRecord(name, id, signPublic, agreePublic, status, firstSeenMs, nowMs, address);
    }

    /**
     * This record with another id and keys, as when an estate comes back with new keys. The status is kept: the
     * caller decides whether new keys need acceptance again ({@link #withStatus}).
     *
     * @param id             to set.
     * @param signPublicKey  raw 32-byte Ed25519 public key.
     * @param agreePublicKey raw 32-byte X25519 public key.
     * @param nowMs          epoch time of the change.
     * @return this if id and keys are unchanged, else a copy with them and the last-changed time set.
     */
    public RemoteEstateRecord withIdentity(
        final long id, final byte[] signPublicKey, final byte[] agreePublicKey, final long nowMs)
    {
        if (this.id == id && hasKeys(signPublicKey, agreePublicKey))
        {
            return this;
        }
        return new RemoteEstateRecord(name, id, signPublicKey, agreePublicKey, status, firstSeenMs, nowMs, address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof RemoteEstateRecord))
        {
            return false;
        }
        final RemoteEstateRecord that = (RemoteEstateRecord)other;
        return id == that.id && firstSeenMs == that.firstSeenMs && lastChangedMs == that.lastChangedMs &&
            status == that.status && name.equals(that.name) && Arrays.equals(signPublic, that.signPublic) &&
            Arrays.equals(agreePublic, that.agreePublic) && Objects.equals(address, that.address);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        final int hash = Objects.hash(name, id, status, firstSeenMs, lastChangedMs, address);
        return (hash * 31 + Arrays.hashCode(signPublic)) * 31 + Arrays.hashCode(agreePublic);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RemoteEstateRecord{name=" + name + ", id=" + id + ", status=" + status.label() + ", sign=" +
            KeepFormat.hex(signPublic).substring(0, 16) + "..., agree=" + KeepFormat.hex(agreePublic).substring(0, 16) +
            "..., firstSeenMs=" + firstSeenMs + ", lastChangedMs=" + lastChangedMs + ", address=" + address + "}";
    }
}
