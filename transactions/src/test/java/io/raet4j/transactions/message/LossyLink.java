package io.raet4j.transactions.message;

import java.util.ArrayList;
import java.util.List;

/**
 * Datagrams in flight between the two ends of a {@link ChannelDriver}, each with the time it arrives: the test decides
 * delay, loss and duplication, and may drop or duplicate a datagram already in flight. Datagrams with different
 * arrival times are handed over in arrival order (jitter reorders them), those with the same arrival time in the
 * order they were sent.
 * <p>
 * NOT thread safe: the test and both ends run on one thread.
 */
final class LossyLink
{
    /**
     * One datagram in flight.
     *
     * @param bytes      the datagram.
     * @param toReceiver true if it goes from the sender to the receiver, false for the way back.
     * @param arrivalNs  when it arrives.
     * @param order      sending order, to break ties between equal arrival times.
     */
    record Datagram(byte[] bytes, boolean toReceiver, long arrivalNs, long order)
    {
    }

    private final List<Datagram> inFlight = new ArrayList<>();
    private long sent;

    /**
     * Put a datagram on the link.
     *
     * @param bytes      the datagram; kept, not copied.
     * @param toReceiver its direction.
     * @param arrivalNs  when it arrives.
     */
    void send(final byte[] bytes, final boolean toReceiver, final long arrivalNs)
    {
        inFlight.add(new Datagram(bytes, toReceiver, arrivalNs, sent++));
    }

    /**
     * Take the earliest datagram due by a time.
     *
     * @param nowNs current time.
     * @return the datagram, or null if none has arrived.
     */
    Datagram pollDue(final long nowNs)
    {
        int best = -1;
        for (int i = 0; i < inFlight.size(); i++)
        {
            final Datagram d = inFlight.get(i);
            if (d.arrivalNs() <= nowNs && (best < 0 || isEarlier(d, inFlight.get(best))))
            {
                best = i;
            }
        }
        return best < 0 ? null : inFlight.remove(best);
    }

    /**
     * Arrival time of the next datagram.
     *
     * @return the time, or {@link Long#MAX_VALUE} if nothing is in flight.
     */
    long nextArrivalNs()
    {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < inFlight.size(); i++)
        {
            next = Math.min(next, inFlight.get(i).arrivalNs());
        }
        return next;
    }

    /**
     * Datagrams in flight in one direction.
     *
     * @param toReceiver the direction.
     * @return their count.
     */
    int count(final boolean toReceiver)
    {
        int count = 0;
        for (int i = 0; i < inFlight.size(); i++)
        {
            if (inFlight.get(i).toReceiver() == toReceiver)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Datagrams in flight.
     *
     * @return their count.
     */
    int size()
    {
        return inFlight.size();
    }

    /**
     * Lose the n-th datagram in flight in one direction.
     *
     * @param toReceiver the direction.
     * @param n          index among the datagrams of that direction, in sending order.
     * @return the datagram lost, or null if there are not that many.
     */
    Datagram drop(final boolean toReceiver, final int n)
    {
        final int index = indexOf(toReceiver, n);
        return index < 0 ? null : inFlight.remove(index);
    }

    /**
     * Duplicate the n-th datagram in flight in one direction, the copy arriving at another time.
     *
     * @param toReceiver the direction.
     * @param n          index among the datagrams of that direction, in sending order.
     * @param arrivalNs  when the copy arrives.
     * @return true if there was such a datagram.
     */
    boolean duplicate(final boolean toReceiver, final int n, final long arrivalNs)
    {
        final int index = indexOf(toReceiver, n);
        if (index < 0)
        {
            return false;
        }
        send(inFlight.get(index).bytes().clone(), toReceiver, arrivalNs);
        return true;
    }

    /**
     * Lose everything in flight.
     */
    void clear()
    {
        inFlight.clear();
    }

    private int indexOf(final boolean toReceiver, final int n)
    {
        int seen = 0;
        for (int i = 0; i < inFlight.size(); i++)
        {
            if (inFlight.get(i).toReceiver() == toReceiver && seen++ == n)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean isEarlier(final Datagram a, final Datagram b)
    {
        return a.arrivalNs() < b.arrivalNs() || (a.arrivalNs() == b.arrivalNs() && a.order() < b.order());
    }
}
