package io.raet4j.transactions;

import io.raet4j.transactions.agent.StackAgent;
import io.raet4j.transactions.estate.Estates;
import io.raet4j.transactions.estate.RemoteEstate;

import java.lang.reflect.Field;

/**
 * What a fuzz harness needs to see inside a running {@link Stack} and that no accessor offers: the stack's record of
 * a remote estate, for its session keys (to seal frames as the peer would), its receive channels' next sequence and
 * its outstanding alive nonce. Read by reflection on two private fields, {@code Stack.agent} and
 * {@code StackAgent.estates}, so that the main code gains no test hook; a rename fails here loudly.
 * <p>
 * <b>Threading:</b> the stack's duty-cycle thread only, like the stack itself.
 */
final class StackInternals
{
    private static final Field AGENT = field(Stack.class, "agent");
    private static final Field REGISTRY = field(StackAgent.class, "estates");

    private StackInternals()
    {
    }

    /**
     * The stack's record of an estate.
     *
     * @param stack the stack.
     * @param id    of the remote estate.
     * @return the record, or null if the stack holds none.
     */
    static RemoteEstate estate(final Stack stack, final long id)
    {
        try
        {
            return ((Estates)REGISTRY.get(AGENT.get(stack))).byId(id);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Field field(final Class<?> type, final String name)
    {
        try
        {
            final Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        }
        catch (final NoSuchFieldException ex)
        {
            throw new IllegalStateException(type.getSimpleName() + " has no field " + name, ex);
        }
    }
}
