/**
 * The stack: {@code io.raet4j.transactions.Stack} and its types, and the keep ({@code io.raet4j.transactions.keep}).
 * The transactions themselves (the duty cycle, packets, joins, liveness, messages, estates, events, handshake and
 * session keys) are internal: their packages are not exported.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.raet4j.transactions
{
    requires transitive io.raet4j.transport;
    requires org.bouncycastle.provider;

    exports io.raet4j.transactions;
    exports io.raet4j.transactions.keep;
}
