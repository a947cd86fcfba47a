package io.raet4j.pubsub;

import io.raet4j.transactions.EstateSnapshot;
import io.raet4j.transactions.EstateState;
import io.raet4j.transactions.Stack;
import org.agrona.collections.LongHashSet;

import java.util.List;

/**
 * A mesh without addresses beyond the first join: when an estate joins, this stack introduces it to the estates it is
 * joined with and them to it (an Introduce frame with the estate's id and the address this stack knows it at), and an
 * estate introduced to this stack is joined, by the side with the lower estate id only, so two introduced estates do
 * not both start a join. Joins still go through the keep: an introduction lets nobody in who would not be accepted.
 * Control plane: allocates.
 */
final class Introductions
{
    private final Stack stack;
    private final Peers peers;
    private final Frames frames;
    private final PubSubCounters counters;
    private final boolean isEnabled;
    private final LongHashSet attempted = new LongHashSet();

    Introductions(
        final Stack stack, final Peers peers, final Frames frames, final PubSubCounters counters,
        final boolean isEnabled)
    {
        this.stack = stack;
        this.peers = peers;
        this.frames = frames;
        this.counters = counters;
        this.isEnabled = isEnabled;
    }

    /**
     * An estate joined or renewed: introduce it and the others to each other.
     */
    void onJoined(final Peer peer)
    {
        attempted.remove(peer.estateId);
        if (!isEnabled)
        {
            return;
        }
        final List<EstateSnapshot> estates = stack.estates();
        String newAddress = null;
        for (final EstateSnapshot estate : estates)
        {
            if (estate.id() == peer.estateId)
            {
                newAddress = estate.address();
            }
        }
        for (final EstateSnapshot other : estates)
        {
            if (other.id() == peer.estateId || EstateState.JOINED != other.state() || null == other.address())
            {
                continue;
            }
            frames.introduce(peer, other.id(), other.address());
            final Peer otherPeer = peers.get(other.id());
            if (null != otherPeer && null != newAddress)
            {
                frames.introduce(otherPeer, peer.estateId, newAddress);
            }
        }
    }

    /**
     * An estate is gone: it may be introduced and joined again later.
     */
    void onGone(final long estateId)
    {
        attempted.remove(estateId);
    }

    /**
     * This stack was introduced to an estate.
     */
    void onIntroduce(final long estateId, final String address)
    {
        if (!isEnabled || 0 == estateId || estateId == stack.estateId() || stack.isJoined(estateId) ||
            estateId < stack.estateId() || !attempted.add(estateId))
        {
            // Of two introduced estates, the one with the lower id joins the other.
            return;
        }
        counters.estatesIntroduced.incrementRelease();
        stack.join(address);
    }
}
