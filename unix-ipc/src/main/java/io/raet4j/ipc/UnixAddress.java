package io.raet4j.ipc;

import org.agrona.DirectBuffer;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The address of a Unix-domain socket, written {@code unix:PATH}: immutable, and equal to another exactly when
 * their path bytes, the {@code sun_path} of a {@code sockaddr_un} without its terminating NUL, are equal. So an
 * address from {@link #of(String)} equals the source that {@link UnixDatagramMedia} hands to a handler for a
 * datagram from the socket bound at that path, and either can be a map key.
 * <p>
 * Three kinds exist:
 * <ul>
 *     <li>a filesystem path, always held absolute and normalized ({@code unix:/run/raet/lane/yard.sock}), encoded
 *     in UTF-8, at most {@link #MAX_PATH_BYTES} bytes;</li>
 *     <li>a Linux abstract name, written with a leading {@code @} ({@code unix:@name}) and held with a leading NUL
 *     byte, at most 108 bytes with it;</li>
 *     <li>{@link #UNNAMED}, the source of a datagram from a socket that never bound; nothing can be sent to it.</li>
 * </ul>
 * <p>
 * Thread safe: immutable.
 */
public final class UnixAddress extends SocketAddress
{
    /**
     * Prefix of the written form.
     */
    public static final String PREFIX = "unix:";

    /**
     * Longest filesystem path in bytes: {@code sun_path} is 108 bytes including its terminating NUL.
     */
    public static final int MAX_PATH_BYTES = 107;

    /**
     * The source of a datagram sent from an unbound socket.
     */
    public static final UnixAddress UNNAMED = new UnixAddress(new byte[0]);

    static final int SUN_PATH_LENGTH = 108;

    private static final long serialVersionUID = 8041395270641093527L;

    /** The {@code sun_path} bytes without a terminating NUL; a leading NUL for an abstract name. */
    private final byte[] pathBytes;
    /** {@link #pathBytes} decoded, an abstract name with a leading {@code @}. */
    private final String path;
    /** {@link #PREFIX} and {@link #path}, built once so that {@link #toString()} allocates nothing. */
    private final String text;
    /** FNV-1a of {@link #pathBytes}, as {@link PathAddressCache} hashes them. */
    private final int hash;

    private UnixAddress(final byte[] pathBytes)
    {
        this.pathBytes = pathBytes;
        hash = PathAddressCache.hash(pathBytes);
        if (0 == pathBytes.length)
        {
            path = "";
        }
        else if (0 == pathBytes[0])
        {
            path = "@" + new String(pathBytes, 1, pathBytes.length - 1, StandardCharsets.UTF_8);
        }
        else
        {
            path = new String(pathBytes, StandardCharsets.UTF_8);
        }
        text = PREFIX + path;
    }

    /**
     * Parse {@code unix:PATH} or {@code unix:@abstract-name}. A relative path is made absolute against the working
     * directory, and any path is normalized ({@code .} and {@code ..} removed) but symbolic links are kept, so the
     * file need not exist. Control plane only: allocates.
     *
     * @param address in {@code unix:PATH} notation.
     * @return the address.
     * @throws IllegalArgumentException if the address is not {@code unix:} followed by a valid path or name that
     *                                  fits {@code sun_path}.
     */
    public static UnixAddress of(final String address)
    {
        if (null == address || !address.startsWith(PREFIX))
        {
            throw new IllegalArgumentException("address must be unix:PATH: " + address);
        }

        final String name = address.substring(PREFIX.length());
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("address has no path: " + address);
        }

        if ('@' == name.charAt(0))
        {
            final byte[] nameBytes = name.substring(1).getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length + 1 > SUN_PATH_LENGTH)
            {
                throw new IllegalArgumentException("abstract name longer than " + (SUN_PATH_LENGTH - 1) +
                    " bytes: " + address);
            }
            final byte[] pathBytes = new byte[nameBytes.length + 1];
            System.arraycopy(nameBytes, 0, pathBytes, 1, nameBytes.length);
            return new UnixAddress(pathBytes);
        }

        try
        {
            return ofPath(Path.of(name));
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException("invalid path in address " + address + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The address of a filesystem path, made absolute and normalized. Control plane only: allocates.
     *
     * @param path of the socket file.
     * @return the address.
     * @throws IllegalArgumentException if the path is longer than {@link #MAX_PATH_BYTES} in UTF-8.
     */
    public static UnixAddress ofPath(final Path path)
    {
        final String absolute = path.toAbsolutePath().normalize().toString();
        final byte[] pathBytes = absolute.getBytes(StandardCharsets.UTF_8);
        if (pathBytes.length > MAX_PATH_BYTES)
        {
            throw new IllegalArgumentException(
                "socket path longer than " + MAX_PATH_BYTES + " bytes (" + pathBytes.length + "): " + absolute);
        }

        return new UnixAddress(pathBytes);
    }

    /**
     * Copy an address out of the {@code sun_path} bytes in a buffer. Allocates: called on a cache miss only.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the path in bytes, without a terminating NUL.
     * @return the address.
     */
    static UnixAddress copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length)
        {
            return UNNAMED;
        }

        final byte[] pathBytes = new byte[length];
        buffer.getBytes(offset, pathBytes);
        return new UnixAddress(pathBytes);
    }

    /**
     * The path, or the abstract name with a leading {@code @}, or empty if {@link #UNNAMED}.
     *
     * @return the path without the {@code unix:} prefix.
     */
    public String path()
    {
        return path;
    }

    /**
     * Whether this is a filesystem path, neither abstract nor unnamed.
     *
     * @return true for a filesystem path.
     */
    public boolean isPathname()
    {
        return pathBytes.length > 0 && 0 != pathBytes[0];
    }

    /**
     * Whether this is a Linux abstract name.
     *
     * @return true for an abstract name.
     */
    public boolean isAbstract()
    {
        return pathBytes.length > 0 && 0 == pathBytes[0];
    }

    /**
     * Length of the {@code sockaddr_un} for this address, as given to {@code bind} or {@code sendmsg}: the family,
     * the path bytes and, for a filesystem path, the terminating NUL.
     *
     * @return the length in bytes.
     */
    int sockaddrLength()
    {
        return LibC.SUN_PATH_OFFSET + pathBytes.length + (isPathname() ? 1 : 0);
    }

    /**
     * The path bytes, shared: callers must not modify them.
     *
     * @return the path bytes without a terminating NUL.
     */
    byte[] pathBytes()
    {
        return pathBytes;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }

        if (!(o instanceof UnixAddress))
        {
            return false;
        }

        final UnixAddress that = (UnixAddress)o;
        return hash == that.hash && Arrays.equals(pathBytes, that.pathBytes);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return hash;
    }

    /**
     * The written form, {@code unix:PATH}, as {@link #of(String)} accepts it.
     *
     * @return the written form.
     */
    @Override
    public String toString()
    {
        return text;
    }
}
