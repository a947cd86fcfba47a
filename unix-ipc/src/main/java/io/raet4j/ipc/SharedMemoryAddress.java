package io.raet4j.ipc;

import org.agrona.DirectBuffer;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The address of a yard on a shared-memory lane, written {@code shm:PATH}: the path of the yard's inbox file (see
 * {@link SharedMemoryMedia}). Immutable, and equal to another exactly when their path bytes (UTF-8) are equal, so an
 * address from {@link #of(String)} equals the source that {@link SharedMemoryMedia} hands to a handler for a
 * datagram from the yard bound at that path, and either can be a map key.
 * <p>
 * Two forms are accepted:
 * <ul>
 *     <li>a path, with at least one {@code /}: made absolute against the working directory and normalized
 *     ({@code .} and {@code ..} removed, symbolic links kept), as {@link UnixAddress} does:
 *     {@code shm:/dev/shm/raet/yard-a}, {@code shm:./yard-a};</li>
 *     <li>a bare name without {@code /}, such as {@code shm:yard-a}: a file of that name in the default directory,
 *     {@code /dev/shm/raet4j-<user name>} (the {@code user.name} system property), or the directory named by the
 *     system property {@value #DIRECTORY_PROP_NAME}. {@code /dev/shm} is a memory-backed file system on Linux, so
 *     the inbox never touches a disk.</li>
 * </ul>
 * A path is at most {@link #MAX_PATH_BYTES} bytes in UTF-8, since it travels with every datagram as its source.
 * <p>
 * Thread safe: immutable.
 */
public final class SharedMemoryAddress extends SocketAddress
{
    /**
     * Prefix of the written form.
     */
    public static final String PREFIX = "shm:";

    /**
     * Longest path in bytes (UTF-8).
     */
    public static final int MAX_PATH_BYTES = 1024;

    /**
     * System property naming the directory of bare names; default {@code /dev/shm/raet4j-<user name>}.
     */
    public static final String DIRECTORY_PROP_NAME = "raet4j.shm.dir";

    private static final long serialVersionUID = -3570918626405624135L;

    /** The path bytes, UTF-8, absolute and normalized. */
    private final byte[] pathBytes;
    /** {@link #pathBytes} decoded. */
    private final String path;
    /** {@link #PREFIX} and {@link #path}, built once so that {@link #toString()} allocates nothing. */
    private final String text;
    /** FNV-1a of {@link #pathBytes}, as {@link PathAddressCache} hashes them. */
    private final int hash;

    private SharedMemoryAddress(final byte[] pathBytes)
    {
        this.pathBytes = pathBytes;
        hash = PathAddressCache.hash(pathBytes);
        path = new String(pathBytes, StandardCharsets.UTF_8);
        text = PREFIX + path;
    }

    /**
     * Parse {@code shm:PATH} or {@code shm:NAME}. Control plane only: allocates.
     *
     * @param address in {@code shm:PATH} notation.
     * @return the address.
     * @throws IllegalArgumentException if the address is not {@code shm:} followed by a valid path or name of at
     *                                  most {@link #MAX_PATH_BYTES} bytes with a file name.
     */
    public static SharedMemoryAddress of(final String address)
    {
        if (null == address || !address.startsWith(PREFIX))
        {
            throw new IllegalArgumentException("address must be shm:PATH or shm:NAME: " + address);
        }

        final String name = address.substring(PREFIX.length());
        if (name.isEmpty())
        {
            throw new IllegalArgumentException("address has no path: " + address);
        }
        if (name.indexOf('/') < 0 && (".".equals(name) || "..".equals(name)))
        {
            throw new IllegalArgumentException("address names no file: " + address);
        }

        try
        {
            return ofPath(name.indexOf('/') < 0 ? defaultDirectory().resolve(name) : Path.of(name));
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException("invalid path in address " + address + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The address of a path, made absolute and normalized. Control plane only: allocates.
     *
     * @param path of the inbox file.
     * @return the address.
     * @throws IllegalArgumentException if the path has no file name or is longer than {@link #MAX_PATH_BYTES} in
     *                                  UTF-8.
     */
    public static SharedMemoryAddress ofPath(final Path path)
    {
        final Path normalized = path.toAbsolutePath().normalize();
        if (null == normalized.getFileName())
        {
            throw new IllegalArgumentException("path names no file: " + path);
        }
        final String absolute = normalized.toString();
        final byte[] pathBytes = absolute.getBytes(StandardCharsets.UTF_8);
        if (pathBytes.length > MAX_PATH_BYTES)
        {
            throw new IllegalArgumentException(
                "inbox path longer than " + MAX_PATH_BYTES + " bytes (" + pathBytes.length + "): " + absolute);
        }

        return new SharedMemoryAddress(pathBytes);
    }

    /**
     * The directory of bare names: the system property {@value #DIRECTORY_PROP_NAME} if set, else
     * {@code /dev/shm/raet4j-<user name>}. Control plane only: allocates.
     *
     * @return the directory, absolute.
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty(DIRECTORY_PROP_NAME);
        if (null != configured && !configured.isEmpty())
        {
            return Path.of(configured).toAbsolutePath().normalize();
        }

        return Path.of("/dev/shm", "raet4j-" + System.getProperty("user.name", "unknown"));
    }

    /**
     * Copy an address out of path bytes in a buffer. Allocates: called on a cache miss only.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the path in bytes, at least 1.
     * @return the address.
     */
    static SharedMemoryAddress copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] pathBytes = new byte[length];
        buffer.getBytes(offset, pathBytes);
        return new SharedMemoryAddress(pathBytes);
    }

    /**
     * The absolute path of the inbox file.
     *
     * @return the path without the {@code shm:} prefix.
     */
    public String path()
    {
        return path;
    }

    /**
     * The path bytes, shared: callers must not modify them.
     *
     * @return the path bytes, UTF-8.
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

        if (!(o instanceof SharedMemoryAddress))
        {
            return false;
        }

        final SharedMemoryAddress that = (SharedMemoryAddress)o;
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
     * The written form, {@code shm:PATH} with the absolute path, as {@link #of(String)} accepts it.
     *
     * @return the written form.
     */
    @Override
    public String toString()
    {
        return text;
    }
}
