package io.raet4j.sodium;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.intptr_t;

/**
 * libsodium, bound once through jnr-ffi, and whether it loaded. The library is looked up as {@code sodium} (the
 * development symlink {@code libsodium.so}) and then by the names of the runtime packages ({@code libsodium.so.23},
 * Debian's {@code libsodium23}), so only the runtime package is needed; {@code sodium_init} must succeed.
 * <p>
 * Every pointer is passed as a {@code long} address into memory the caller owns, so a call allocates nothing.
 * <p>
 * The one six-argument function, {@code crypto_stream_chacha20_ietf_xor_ic}, is called through jffi's
 * {@link Invoker#invokeN6} directly ({@link #streamXorIc}): jnr-ffi 2.3.3 passes a wrong sixth argument (its output
 * did not match RFC 8439 here; {@code io.raet4j.ipc.LibC} saw the same with {@code sendto}), while jffi's own
 * six-argument invoker, checked against the five-argument keystream, is exact and allocates nothing. Functions of
 * more than six arguments are not used at all: jffi has no allocation-free invoker for them.
 * <p>
 * Thread safe: libsodium's functions used here are, after {@code sodium_init}.
 */
public final class Sodium
{
    /**
     * The libsodium functions bound. Public so the class jnr-ffi generates, in its own class loader, can implement
     * it. The methods carry libsodium's own names, as jnr-ffi binds them by name and so they read as its documentation.
     */
    @SuppressWarnings("checkstyle:MethodName")
    public interface Calls
    {
        /**
         * {@code sodium_init}: must be called before any other function; idempotent.
         *
         * @return 0 on success, 1 if already initialised, -1 on failure.
         */
        int sodium_init();

        /**
         * {@code sodium_version_string}.
         *
         * @return the library's version, such as {@code "1.0.18"}.
         */
        String sodium_version_string();

        /**
         * {@code crypto_stream_chacha20_ietf}: IETF ChaCha20 keystream from block 0.
         *
         * @param c    address of the output.
         * @param clen length of keystream wanted.
         * @param n    address of the 12-byte nonce.
         * @param k    address of the 32-byte key.
         * @return 0.
         */
        int crypto_stream_chacha20_ietf(@intptr_t long c, long clen, @intptr_t long n, @intptr_t long k);

        /**
         * {@code crypto_onetimeauth_poly1305_statebytes}.
         *
         * @return the size of a {@code crypto_onetimeauth_poly1305_state}.
         */
        long crypto_onetimeauth_poly1305_statebytes();

        /**
         * {@code crypto_onetimeauth_poly1305_init}.
         *
         * @param state address of a {@code crypto_onetimeauth_poly1305_state}, 16-byte aligned.
         * @param key   address of the 32-byte one-time key.
         * @return 0.
         */
        int crypto_onetimeauth_poly1305_init(@intptr_t long state, @intptr_t long key);

        /**
         * {@code crypto_onetimeauth_poly1305_update}.
         *
         * @param state address of the state.
         * @param in    address of the input.
         * @param inlen its length.
         * @return 0.
         */
        int crypto_onetimeauth_poly1305_update(@intptr_t long state, @intptr_t long in, long inlen);

        /**
         * {@code crypto_onetimeauth_poly1305_final}.
         *
         * @param state address of the state.
         * @param out   address of the 16-byte tag output.
         * @return 0.
         */
        int crypto_onetimeauth_poly1305_final(@intptr_t long state, @intptr_t long out);

        /**
         * {@code crypto_verify_16}: compare 16 bytes in constant time.
         *
         * @param x address of 16 bytes.
         * @param y address of 16 bytes.
         * @return 0 if equal, -1 otherwise.
         */
        int crypto_verify_16(@intptr_t long x, @intptr_t long y);
    }

    private static final String[] LIBRARY_NAMES = { "sodium", "libsodium.so.23", "libsodium.so.26" };
    private static final String[] SHARED_OBJECT_NAMES = { "libsodium.so", "libsodium.so.23", "libsodium.so.26" };
    private static final String XOR_IC = "crypto_stream_chacha20_ietf_xor_ic";
    private static final CallContext XOR_IC_CONTEXT = CallContext.getCallContext(
        Type.SINT32,
        new Type[]{ Type.POINTER, Type.POINTER, Type.UINT64, Type.POINTER, Type.UINT32, Type.POINTER },
        CallingConvention.DEFAULT,
        false);
    private static final long XOR_IC_ADDRESS;

    private static final Calls CALLS;
    private static final String VERSION;
    private static final String UNAVAILABLE_REASON;

    static
    {
        Calls calls = null;
        String version = null;
        String reason = null;
        try
        {
            calls = LibraryLoader.create(Calls.class).failImmediately().load(LIBRARY_NAMES[0]);
        }
        catch (final LinkageError | RuntimeException first)
        {
            reason = first.getMessage();
            for (int i = 1; i < LIBRARY_NAMES.length && null == calls; i++)
            {
                try
                {
                    calls = LibraryLoader.create(Calls.class).failImmediately().load(LIBRARY_NAMES[i]);
                }
                catch (final LinkageError | RuntimeException ignore)
                {
                    // The first failure's message says what went wrong; the others are the same lookup by name.
                }
            }
        }

        if (null != calls)
        {
            try
            {
                if (calls.sodium_init() < 0)
                {
                    reason = "sodium_init failed";
                    calls = null;
                }
                else
                {
                    version = calls.sodium_version_string();
                    reason = null;
                }
            }
            catch (final LinkageError | RuntimeException ex)
            {
                reason = "libsodium did not initialise: " + ex;
                calls = null;
            }
        }
        else if (null == reason)
        {
            reason = "libsodium not found";
        }

        long xorIc = 0;
        if (null != calls)
        {
            for (int i = 0; i < SHARED_OBJECT_NAMES.length && 0 == xorIc; i++)
            {
                final Library library = Library.getCachedInstance(SHARED_OBJECT_NAMES[i], Library.LAZY);
                xorIc = null == library ? 0 : library.getSymbolAddress(XOR_IC);
            }
            if (0 == xorIc)
            {
                reason = XOR_IC + " not found";
                calls = null;
            }
        }

        XOR_IC_ADDRESS = xorIc;
        CALLS = calls;
        VERSION = version;
        UNAVAILABLE_REASON = null == calls ? "libsodium not loaded (" + reason + ")" : null;
    }

    private Sodium()
    {
    }

    /**
     * Whether libsodium loaded and initialised.
     *
     * @return true if {@link #calls()} may be used.
     */
    public static boolean isAvailable()
    {
        return null != CALLS;
    }

    /**
     * Why libsodium cannot be used, or null if it can.
     *
     * @return a reason for an operator, or null.
     */
    public static String unavailableReason()
    {
        return UNAVAILABLE_REASON;
    }

    /**
     * The library's version.
     *
     * @return such as {@code "1.0.18"}, or null if it did not load.
     */
    public static String version()
    {
        return VERSION;
    }

    /**
     * {@code crypto_stream_chacha20_ietf_xor_ic}: XOR with the IETF ChaCha20 keystream from a block counter.
     * Allocates nothing. Only once {@link #isAvailable()}.
     *
     * @param c    address of the output, may equal {@code m}.
     * @param m    address of the input.
     * @param mlen length.
     * @param n    address of the 12-byte nonce.
     * @param ic   initial block counter: 1 for an AEAD payload (block 0 keys Poly1305).
     * @param k    address of the 32-byte key.
     * @return 0.
     */
    static int streamXorIc(final long c, final long m, final long mlen, final long n, final int ic, final long k)
    {
        return (int)Invoker.getInstance().invokeN6(XOR_IC_CONTEXT, XOR_IC_ADDRESS, c, m, mlen, n, ic, k);
    }

    /**
     * The bound functions.
     *
     * @return the bound functions.
     * @throws IllegalStateException if libsodium did not load.
     */
    static Calls calls()
    {
        if (null == CALLS)
        {
            throw new IllegalStateException(UNAVAILABLE_REASON);
        }
        return CALLS;
    }
}
