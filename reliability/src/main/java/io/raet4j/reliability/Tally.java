package io.raet4j.reliability;

import java.util.ArrayList;
import java.util.List;

/**
 * The sender's outcomes set against what the receiving application counted, from the JSON results of the current
 * command line: {@code send} prints {@code sent}, {@code delivered}, {@code failed}; {@code recv} prints
 * {@code received} (duplicates included), {@code duplicates}, {@code outOfOrder}, {@code corrupt}. Several receiver
 * results add up, for a receiver that was restarted; counts of a receiver killed before it printed a result can be
 * added with {@link #plusReceived(long)} (e.g. from its last progress line, a lower bound).
 * <p>
 * Immutable.
 *
 * @param sent       messages the sender offered.
 * @param delivered  messages the sender was told were delivered.
 * @param failed     messages the sender was told failed.
 * @param received   messages the receivers' applications got, duplicates included.
 * @param duplicates messages the receivers got more than once.
 * @param outOfOrder messages that came after a later one.
 * @param corrupt    messages whose content did not check.
 */
public record Tally(
    long sent, long delivered, long failed, long received, long duplicates, long outOfOrder, long corrupt)
{
    /**
     * Add up a sender's result and its receivers' results.
     *
     * @param sendResult    last JSON line of {@code send}.
     * @param recvResults   last JSON lines of every {@code recv} process that received the stream.
     * @return the tally.
     */
    public static Tally of(final JsonObject sendResult, final JsonObject... recvResults)
    {
        long received = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long corrupt = 0;
        for (final JsonObject result : recvResults)
        {
            received += result.getLong("received");
            duplicates += result.getLong("duplicates");
            outOfOrder += result.getLong("outOfOrder");
            corrupt += result.getLong("corrupt");
        }
        return new Tally(sendResult.getLong("sent"), sendResult.getLong("delivered"), sendResult.getLong("failed"),
            received, duplicates, outOfOrder, corrupt);
    }

    /**
     * The same tally with more messages received, e.g. by a receiver that was killed before printing its result.
     *
     * @param messages received, without duplicates.
     * @return the new tally.
     */
    public Tally plusReceived(final long messages)
    {
        return new Tally(sent, delivered, failed, received + messages, duplicates, outOfOrder, corrupt);
    }

    /**
     * Distinct messages the receivers got.
     *
     * @return received less duplicates.
     */
    public long distinctReceived()
    {
        return received - duplicates;
    }

    /**
     * Messages that reached the receiving application although the sender was not told they were delivered (it was
     * told they failed, or was stopped first): allowed, the application must tolerate them.
     *
     * @return distinct received less delivered, at least 0.
     */
    public long receivedWithoutDelivery()
    {
        return Math.max(0, distinctReceived() - delivered);
    }

    /**
     * What breaks the promise of a reliable, ordered channel: a message without an outcome, one reported delivered
     * that no receiver got, more received than sent, duplicates, reordering or corruption.
     *
     * @return one sentence per broken rule; empty when the run kept every promise.
     */
    public List<String> violations()
    {
        final List<String> violations = new ArrayList<>();
        if (sent != delivered + failed)
        {
            violations.add((sent - delivered - failed) + " messages sent without an outcome (sent " + sent +
                ", delivered " + delivered + ", failed " + failed + ")");
        }
        if (delivered > distinctReceived())
        {
            violations.add((delivered - distinctReceived()) + " messages reported delivered that no receiver got " +
                "(delivered " + delivered + ", received " + distinctReceived() + " distinct)");
        }
        if (distinctReceived() > sent)
        {
            violations.add("more distinct messages received (" + distinctReceived() + ") than sent (" + sent + ")");
        }
        if (duplicates > 0)
        {
            violations.add(duplicates + " duplicates handed to the application");
        }
        if (outOfOrder > 0)
        {
            violations.add(outOfOrder + " messages out of order on an ordered channel");
        }
        if (corrupt > 0)
        {
            violations.add(corrupt + " corrupt messages");
        }
        return violations;
    }
}
