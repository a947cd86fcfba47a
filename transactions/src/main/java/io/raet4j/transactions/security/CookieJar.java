package io.raet4j.transactions.security;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Stateless join cookies: {@code HMAC-SHA256(secret, address | estate id | session | nonce)} truncated to 16 bytes,
 * so an acceptor keeps nothing for a joiner until it echoes a cookie, which proves it receives at the address it
 * sends from. The secret changes every {@link #SECRET_LIFETIME_NS}; cookies made under the current or the previous
 * secret are valid. A token bucket bounds how many cookies are made or checked per second: the CPU a flood of spoofed
 * joins can take is bounded, and what is refused is counted by the caller.
 * <p>
 * Control plane; not thread safe: one duty cycle.
 */
public final class CookieJar
{
    /** Length of a cookie in bytes. */
    public static final int COOKIE_LENGTH = 16;
    /** Lifetime of a cookie secret; a cookie stays valid for one to two lifetimes. */
    public static final long SECRET_LIFETIME_NS = TimeUnit.SECONDS.toNanos(60);

    private final HandshakeCrypto crypto;
    private final long tokensPerSecond;
    private final long burst;
    private byte[] secret = new byte[32];
    private byte[] previousSecret = new byte[32];
    private long secretSinceNs;
    private long tokens;
    private long lastRefillNs;
    private final byte[] scratch = new byte[COOKIE_LENGTH];

    /**
     * A jar with a fresh random secret.
     *
     * @param crypto          primitives and randomness.
     * @param tokensPerSecond cookies made or checked per second, at most.
     * @param nowNs           current time.
     */
    public CookieJar(final HandshakeCrypto crypto, final int tokensPerSecond, final long nowNs)
    {
        this.crypto = crypto;
        this.tokensPerSecond = tokensPerSecond;
        this.burst = Math.max(16, tokensPerSecond / 10);
        this.tokens = burst;
        this.lastRefillNs = nowNs;
        crypto.randomBytes(secret);
        crypto.randomBytes(previousSecret);
        secretSinceNs = nowNs;
    }

    /**
     * Take one token for a cookie computation, if the rate allows.
     *
     * @param nowNs current time.
     * @return true if the caller may compute or check a cookie now.
     */
    public boolean tryAcquire(final long nowNs)
    {
        final long elapsedNs = nowNs - lastRefillNs;
        if (elapsedNs > 0)
        {
            final long refill = elapsedNs >= TimeUnit.SECONDS.toNanos(1) ? burst :
                elapsedNs * tokensPerSecond / TimeUnit.SECONDS.toNanos(1);
            if (refill > 0)
            {
                tokens = Math.min(burst, tokens + refill);
                lastRefillNs = nowNs;
            }
        }
        if (tokens > 0)
        {
            tokens--;
            return true;
        }
        return false;
    }

    /**
     * Make the cookie for a joiner.
     *
     * @param address   the joiner's source address.
     * @param estateId  it claims.
     * @param session   it claims.
     * @param nonce     of its join.
     * @param nowNs     current time.
     * @param out       receives {@link #COOKIE_LENGTH} bytes.
     */
    public void make(
        final SocketAddress address,
        final long estateId,
        final int session,
        final long nonce,
        final long nowNs,
        final byte[] out)
    {
        rotateIfDue(nowNs);
        crypto.hmac(secret, input(address, estateId, session, nonce), out);
    }

    /**
     * Check a cookie echoed by a joiner, in constant time, against the current and previous secrets.
     *
     * @param address   the joiner's source address.
     * @param estateId  it claims.
     * @param session   it claims.
     * @param nonce     of its join.
     * @param cookie    echoed.
     * @param nowNs     current time.
     * @return true if valid.
     */
    public boolean check(
        final SocketAddress address,
        final long estateId,
        final int session,
        final long nonce,
        final byte[] cookie,
        final long nowNs)
    {
        rotateIfDue(nowNs);
        final byte[] input = input(address, estateId, session, nonce);
        crypto.hmac(secret, input, scratch);
        if (MessageDigest.isEqual(scratch, cookie))
        {
            return true;
        }
        crypto.hmac(previousSecret, input, scratch);
        return MessageDigest.isEqual(scratch, cookie);
    }

    private void rotateIfDue(final long nowNs)
    {
        if (nowNs - secretSinceNs >= SECRET_LIFETIME_NS)
        {
            final byte[] old = previousSecret;
            previousSecret = secret;
            crypto.randomBytes(old);
            secret = old;
            secretSinceNs = nowNs;
        }
    }

    private static byte[] input(final SocketAddress address, final long estateId, final int session, final long nonce)
    {
        final byte[] where;
        if (address instanceof InetSocketAddress)
        {
            final InetSocketAddress inet = (InetSocketAddress)address;
            final byte[] ip = null != inet.getAddress() ? inet.getAddress().getAddress() :
                inet.getHostString().getBytes(StandardCharsets.UTF_8);
            where = ByteBuffer.allocate(ip.length + 2).put(ip).putShort((short)inet.getPort()).array();
        }
        else
        {
            where = String.valueOf(address).getBytes(StandardCharsets.UTF_8);
        }
        return ByteBuffer.allocate(where.length + 20).order(ByteOrder.LITTLE_ENDIAN)
            .put(where).putLong(estateId).putInt(session).putLong(nonce).array();
    }
}
