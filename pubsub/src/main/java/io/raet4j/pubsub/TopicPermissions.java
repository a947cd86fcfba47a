package io.raet4j.pubsub;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * What other estates may do on which topics at this stack, by estate name (the name the join authenticated, with its
 * keys accepted by the keep) and topic pattern, as WAMP's per-URI permissions. Rules are looked at in the order they
 * were added; the first whose estate, action and pattern match decides; with no matching rule an accepted estate may
 * do everything. Denials are counted ({@link PubSubCounterDescriptor#DENIALS}); a denied request is answered
 * {@link RequestFailure#DENIED}; a publication from an estate denied PUBLISH is dropped; an estate denied SUBSCRIBE is
 * not sent the topic; an estate denied RESPOND is not sent this stack's requests on the topic.
 * <p>
 * Decisions are kept per topic and estate until the rules change, so the data path does not look at the rules.
 * <p>
 * NOT thread safe: the stack's duty-cycle thread only.
 */
public final class TopicPermissions
{
    /** Stands for every estate in a rule. */
    public static final String ANY_ESTATE = "*";

    private final List<Rule> rules = new ArrayList<>();
    private final SubscriptionTrie[] tries = new SubscriptionTrie[TopicAction.values().length];
    private long version;
    private int best;

    TopicPermissions()
    {
        for (int i = 0; i < tries.length; i++)
        {
            tries[i] = new SubscriptionTrie(0, 1);
        }
    }

    /**
     * Allow an estate an action on the topics a pattern matches, unless an earlier rule decides.
     *
     * @param estateName the estate's name, or {@link #ANY_ESTATE}.
     * @param action     the action.
     * @param pattern    topic pattern (spec/PUBSUB.md section 1).
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the pattern is not valid.
     */
    public TopicPermissions allow(final String estateName, final TopicAction action, final String pattern)
    {
        return add(estateName, action, pattern, true);
    }

    /**
     * Deny an estate an action on the topics a pattern matches, unless an earlier rule decides.
     *
     * @param estateName the estate's name, or {@link #ANY_ESTATE}.
     * @param action     the action.
     * @param pattern    topic pattern (spec/PUBSUB.md section 1).
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the pattern is not valid.
     */
    public TopicPermissions deny(final String estateName, final TopicAction action, final String pattern)
    {
        return add(estateName, action, pattern, false);
    }

    /**
     * Remove every rule: accepted estates may do everything again.
     *
     * @return this for a fluent API.
     */
    public TopicPermissions clear()
    {
        for (final Rule rule : rules)
        {
            tries[rule.action.ordinal()].remove(rule.pattern, rule.index);
        }
        rules.clear();
        version++;
        return this;
    }

    /**
     * The number of rules.
     *
     * @return the rules added since the last {@link #clear()}.
     */
    public int size()
    {
        return rules.size();
    }

    private TopicPermissions add(
        final String estateName, final TopicAction action, final String pattern, final boolean isAllowed)
    {
        if (null == estateName || estateName.isEmpty())
        {
            throw new IllegalArgumentException(
                "estate name is empty: give an estate's name or TopicPermissions.ANY_ESTATE");
        }
        if (null == action)
        {
            throw new NullPointerException("action is null: PUBLISH, SUBSCRIBE, REQUEST or RESPOND");
        }
        Topics.requirePattern(pattern);
        final Rule rule = new Rule(rules.size(), estateName, action, pattern, isAllowed);
        rules.add(rule);
        tries[action.ordinal()].add(pattern, rule.index);
        version++;
        return this;
    }

    /**
     * The version of the rules: it changes whenever they do, so cached decisions can be checked.
     *
     * @return the version.
     */
    long version()
    {
        return version;
    }

    boolean isEmpty()
    {
        return rules.isEmpty();
    }

    /**
     * Whether an estate may do an action on a topic. Walks the rules: for the control path and for filling caches.
     */
    boolean isAllowed(final String estateName, final TopicAction action, final InboundTopic topic)
    {
        return isAllowed(estateName, action, topic.nameBytes);
    }

    boolean isAllowed(final String estateName, final TopicAction action, final UnsafeBuffer topic)
    {
        if (rules.isEmpty())
        {
            return true;
        }
        best = Integer.MAX_VALUE;
        tries[action.ordinal()].match(topic, 0, topic.capacity(), (index) ->
        {
            final Rule rule = rules.get(index);
            if (index < best && (ANY_ESTATE.equals(rule.estateName) || rule.estateName.equals(estateName)))
            {
                best = index;
            }
        });
        return Integer.MAX_VALUE == best || rules.get(best).isAllowed;
    }

    /**
     * Keep, of the peer slots matched for a topic, those whose estate may do an action on it; each left out is handed
     * to {@code onDenied} (a slot with no peer any more as null). Nothing to do without rules.
     *
     * @param slots    the peer slots, filtered in place.
     * @param peers    the peers by slot.
     * @param action   what the estates would do.
     * @param topic    the topic's bytes.
     * @param onDenied told of each estate left out.
     */
    void retainAllowed(
        final SlotList slots,
        final Peers peers,
        final TopicAction action,
        final UnsafeBuffer topic,
        final java.util.function.Consumer<Peer> onDenied)
    {
        if (rules.isEmpty())
        {
            return;
        }
        slots.retainIf((slot) ->
        {
            final Peer peer = peers.bySlot(slot);
            if (null != peer && isAllowed(peer.name, action, topic))
            {
                return true;
            }
            onDenied.accept(peer);
            return false;
        });
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "TopicPermissions" + rules;
    }

    private record Rule(int index, String estateName, TopicAction action, String pattern, boolean isAllowed)
    {
        @Override
        public String toString()
        {
            return (isAllowed ? "allow " : "deny ") + estateName + " " + action + " " + pattern;
        }
    }
}
