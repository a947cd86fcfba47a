package io.raet4j.transport;

import org.agrona.UnsafeApi;

/**
 * Checks that the JVM was started with the flags raet4j needs, so a missing one fails with a message that says what
 * to add and where, instead of an {@link IllegalAccessError} from inside Agrona on the first {@code UnsafeBuffer}.
 * <p>
 * Required: {@value #REQUIRED_FLAG}. Agrona 2.x reaches {@code jdk.internal.misc.Unsafe} directly
 * ({@code org.agrona.UnsafeApi}), which {@code java.base} does not export. Exporting the package
 * ({@code --add-exports}) is enough; {@code --add-opens} is what Agrona documents and implies the export.
 * <p>
 * Optional, and not checked: the other opens in the build's {@code raet.addOpens} ({@code java.base/java.nio},
 * {@code java.base/sun.nio.ch}, {@code java.base/java.util.zip}). A stack launches, joins and exchanges messages over
 * UDP and lanes without them: Agrona 2.x finds the address of a direct buffer through the internal {@code Unsafe}
 * (no opens of {@code java.nio} needed), nothing on raet4j's path reflects into {@code sun.nio.ch}, and only Agrona's
 * {@code Crc32}/{@code Crc32c} checksums, which raet4j does not use, open {@code java.util.zip}.
 * <p>
 * The check runs once per class loader and its result is kept, so {@link #check()} costs a field read afterwards.
 * Thread safe.
 */
public final class JvmFlags
{
    /** The package of {@code java.base} that must be exported (or opened) to Agrona. */
    public static final String REQUIRED_PACKAGE = "jdk.internal.misc";

    /** The flag to add to the java command line when Agrona is on the class path. */
    public static final String REQUIRED_FLAG = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    private JvmFlags()
    {
    }

    /**
     * Fail with a clear message if the JVM lacks a flag raet4j needs. Call before the first use of Agrona's buffers:
     * {@code Stack.launch} does. Cheap after the first call.
     *
     * @throws IllegalStateException naming the missing flag and where to add it.
     */
    public static void check()
    {
        final String problem = Result.PROBLEM;
        if (null != problem)
        {
            throw new IllegalStateException(problem);
        }
    }

    /**
     * What is wrong with the JVM's flags, if anything.
     *
     * @return null if the JVM has the flags raet4j needs, else the message {@link #check()} throws.
     */
    public static String problem()
    {
        return Result.PROBLEM;
    }

    private static String probe()
    {
        final Module agrona = UnsafeApi.class.getModule();
        final String target = agrona.isNamed() ? agrona.getName() : "ALL-UNNAMED";
        if (!Object.class.getModule().isExported(REQUIRED_PACKAGE, agrona))
        {
            return message(target, "this JVM was started without it");
        }

        try
        {
            Class.forName(UnsafeApi.class.getName(), true, UnsafeApi.class.getClassLoader());
            return null;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return message(target, "Agrona still cannot reach it (" + ex + ")");
        }
    }

    private static String message(final String target, final String what)
    {
        final String flag = "--add-opens java.base/" + REQUIRED_PACKAGE + "=" + target;
        return "raet4j needs the JVM flag " + flag + " (Agrona's buffers use jdk.internal.misc.Unsafe) and " + what +
            ". Add it where the JVM is started:\n" +
            "  java command line:  java " + flag + " -cp ... YourMain\n" +
            "  executable jar:     a manifest line 'Add-Opens: java.base/" + REQUIRED_PACKAGE + "' (java -jar needs " +
            "no flag then)\n" +
            "  any java launch:    JDK_JAVA_OPTIONS='" + flag + "'\n" +
            "  Maven tests:        maven-surefire-plugin <argLine>" + flag + "</argLine> (and failsafe)\n" +
            "  mvn exec:java:      MAVEN_OPTS='" + flag + "' (the main runs in Maven's own JVM)\n" +
            "  mvn exec:exec:      <argument>" + flag.replace(" ", "</argument><argument>") +
            "</argument> before -classpath\n" +
            "  Gradle:             jvmArgs '" + flag.replace(" ", "', '") + "' in test and application\n" +
            "--add-exports java.base/" + REQUIRED_PACKAGE + "=" + target + " is enough too; other opens are optional.";
    }

    /**
     * The outcome of the one probe, taken when first asked for.
     */
    private static final class Result
    {
        static final String PROBLEM = probe();
    }
}
