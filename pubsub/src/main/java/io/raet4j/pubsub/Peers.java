package io.raet4j.pubsub;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * The other estates the layer knows, by estate id and by slot: a small number reused when an estate goes, so the
 * interest tries can name an estate by an int.
 */
final class Peers
{
    private final Long2ObjectHashMap<Peer> byId = new Long2ObjectHashMap<>();
    private Peer[] bySlot = new Peer[16];

    Peer get(final long estateId)
    {
        return byId.get(estateId);
    }

    Peer getOrAdd(final long estateId)
    {
        Peer peer = byId.get(estateId);
        if (null == peer)
        {
            int slot = 0;
            while (slot < bySlot.length && null != bySlot[slot])
            {
                slot++;
            }
            if (slot == bySlot.length)
            {
                bySlot = Arrays.copyOf(bySlot, slot * 2);
            }
            peer = new Peer(estateId, slot);
            bySlot[slot] = peer;
            byId.put(estateId, peer);
        }
        return peer;
    }

    Peer remove(final long estateId)
    {
        final Peer peer = byId.remove(estateId);
        if (null != peer)
        {
            bySlot[peer.slot] = null;
        }
        return peer;
    }

    Peer bySlot(final int slot)
    {
        return slot < bySlot.length ? bySlot[slot] : null;
    }

    /**
     * The slots in use are below this.
     *
     * @return one above the highest slot ever used.
     */
    int slotLimit()
    {
        return bySlot.length;
    }
}
