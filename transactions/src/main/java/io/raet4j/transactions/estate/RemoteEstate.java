package io.raet4j.transactions.estate;

import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.alive.AliveState;
import io.raet4j.transactions.join.JoinentState;
import io.raet4j.transactions.join.JoinerState;
import io.raet4j.transactions.message.Channels;
import io.raet4j.transactions.message.PathState;
import io.raet4j.transactions.security.SessionKeys;
import io.raet4j.transport.Estate;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A remote estate: its state ({@link EstateState}), what the pair agreed in the join, the link it is reached over
 * (keys, a datagram held back by a full socket queue), and one reusable object per transaction kind: the join this
 * stack initiates ({@link JoinerState}), the joins it accepts ({@link JoinentState}), liveness ({@link AliveState})
 * and the message channels ({@link Channels}). Channels are created on first use, so an idle estate costs a few
 * hundred bytes.
 * <p>
 * <b>Threading:</b> NOT thread safe; owned by the duty-cycle agent. Fields are public for the transaction packages of
 * this module only: nothing outside the module sees this class.
 */
public final class RemoteEstate extends Estate
{
    /** The join this stack initiates with the estate. */
    public final JoinerState joiner = new JoinerState();
    /** The joins this stack accepted from the estate. */
    public final JoinentState joinent = new JoinentState();
    /** Liveness: alive requests and answers owed. */
    public final AliveState alive = new AliveState();
    /** The message channels, both ways. */
    public final Channels channels = new Channels();
    /** Round-trip time, retransmission timeout and congestion window of the path to the estate. */
    public final PathState path;

    private EstateState state = EstateState.JOINING;
    /** Its counters in the status file, or null beyond {@code StackContext.estateCountersMax()}. */
    public EstateCounters counters;

    /** The estate's session, from its last join. */
    public int session;
    /** The pair's MTU: the smaller of the two announced in the join. */
    public int pairMtu;
    /** Largest segment payload sent to this estate. */
    public int maxPayload;
    /** Largest message this estate accepts. */
    public int peerMaxMessage;
    /** Credit this estate grants each channel before its first ack. */
    public int peerCredit;
    /**
     * What this estate's socket holds for each channel, in datagram charges ({@code PathState.datagramCharge}): its
     * credit of datagrams of its MTU. A channel's segments in flight, each charged as if alone in a datagram, stay
     * within it.
     */
    public long peerBufferBudget;
    /** Its signing key, as it signed its last join. */
    public byte[] peerSigningKey;

    /** Whether packets to it are sealed (lane or road setting, by its address). */
    public boolean isSealed;
    /** The session keys the newest join derived. */
    public SessionKeys keys;
    /** Keys of a crossing join, kept to open what the peer sealed with them. */
    public SessionKeys previousKeys;
    /** Whether {@link #blocked} holds a datagram its socket queue refused. */
    public boolean hasBlocked;
    /** A datagram waiting for room in the estate's socket queue. */
    public ByteBuffer blocked;

    /** Live time (stalls excluded) it was last heard from. */
    public long lastHeardLiveNs;
    /** Live time a datagram was last sent to it. */
    public long lastSentLiveNs;
    /** Live time its session ended. */
    public long deadSinceLiveNs;
    /** Its timer in the stack's wheel, or {@code Long.MAX_VALUE}. */
    public long timerId = Long.MAX_VALUE;
    /** Whether it is in the duty cycle's list of estates with work pending. */
    public boolean isActive;
    /** Whether it is in the list of estates holding messages for the application. */
    public boolean isReadable;

    /**
     * A remote estate, JOINING.
     *
     * @param id      its id, or 0 while only its address is known.
     * @param name    its name, or null while not known.
     * @param address where it is reached.
     * @param path    the path state to it.
     */
    public RemoteEstate(final long id, final String name, final SocketAddress address, final PathState path)
    {
        super(id, name, address);
        this.path = path;
    }

    /**
     * Its state.
     *
     * @return the state.
     */
    public EstateState state()
    {
        return state;
    }

    /**
     * Move it to a state and publish the state in its counters.
     *
     * @param state the new state.
     */
    public void state(final EstateState state)
    {
        this.state = state;
        if (null != counters)
        {
            counters.state(state);
        }
    }

    /**
     * Whether the estate has a session: joined, reachable or not. Messages may be offered to it.
     *
     * @return true if JOINED, UNREACHABLE or RENEWING.
     */
    public boolean isSessionUp()
    {
        return state.hasSession();
    }

    /**
     * Whether a join with the estate ever completed.
     *
     * @return false only while JOINING.
     */
    public boolean hasJoinedOnce()
    {
        return EstateState.JOINING != state;
    }

    /**
     * Whether only its address is known: a join this stack started that has not been answered yet.
     *
     * @return true if it has no id yet.
     */
    public boolean isPlaceholder()
    {
        return 0 == id();
    }

    /**
     * Install the keys a join derived.
     *
     * @param keys    the new keys, or null to destroy every key held.
     * @param dropOld true to destroy the keys in use, false to keep them to open what the peer sealed with them.
     */
    public void installKeys(final SessionKeys keys, final boolean dropOld)
    {
        if (null != previousKeys)
        {
            previousKeys.destroy();
            previousKeys = null;
        }
        if (dropOld)
        {
            if (null != this.keys)
            {
                this.keys.destroy();
            }
        }
        else
        {
            // Crossing joins make two key sets for one pair: the newest sends, both open, the oldest goes next time.
            previousKeys = this.keys;
        }
        this.keys = keys;
    }

    /**
     * The keys that open a packet sealed under a key id, if this estate holds them.
     *
     * @param keyId of the packet.
     * @return the keys, or null.
     */
    public SessionKeys keysFor(final int keyId)
    {
        if (null != keys && keys.knowsKey(keyId))
        {
            return keys;
        }
        return null != previousKeys && previousKeys.knowsKey(keyId) ? previousKeys : null;
    }
}
