package io.raet4j.transport;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Main of a JVM started by {@link JvmFlagsTest}, with or without the flags: checks them as {@code Stack.launch} does,
 * then touches an {@link UnsafeBuffer} as a stack would.
 */
public final class JvmFlagsChild
{
    /** Printed when the check passed and the buffer worked. */
    static final String OK = "jvm flags ok";

    private JvmFlagsChild()
    {
    }

    /**
     * Check the flags, then write and read a direct buffer through Agrona.
     *
     * @param args ignored.
     */
    public static void main(final String[] args)
    {
        JvmFlags.check();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        buffer.putLong(8, 42L);
        System.out.println(OK + " " + buffer.getLong(8));
    }
}
