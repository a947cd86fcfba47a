package io.raet4j.bench;

/**
 * Settings shared by every benchmark fork and by {@link BenchMain}'s default run.
 */
final class BenchDefaults
{
    /**
     * JVM arguments every fork needs: Agrona 2.x reaches into {@code jdk.internal.misc}, and the JDK's NIO and
     * checksum internals are opened as in every other JVM of the project. The {@code @Fork} annotations of the
     * benchmark classes repeat the same list (an annotation cannot refer to an array constant).
     */
    static final String[] ADD_OPENS =
    {
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    };

    private BenchDefaults()
    {
    }
}
