package io.raet4j.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JvmFlagsTest
{
    private static final long CHILD_TIMEOUT_S = 60;

    @Test
    void shouldPassInThisJvmWhichHasTheFlags()
    {
        JvmFlags.check();
        assertNull(JvmFlags.problem());
    }

    @Test
    void shouldFailWithTheFlagToAddWhenAJvmLacksIt() throws Exception
    {
        final Child child = run(List.of());

        assertNotEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains("java.lang.IllegalStateException: raet4j needs the JVM flag " +
            "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED"), child.output);
        assertTrue(child.output.contains("MAVEN_OPTS="), child.output);
        assertTrue(child.output.contains("<argLine>--add-opens java.base/jdk.internal.misc=ALL-UNNAMED</argLine>"),
            child.output);
        assertTrue(child.output.contains("Add-Opens: java.base/jdk.internal.misc"), child.output);
        assertFalse(child.output.contains("IllegalAccessError"), "the check fails before Agrona does: " + child.output);
        assertFalse(child.output.contains(JvmFlagsChild.OK), child.output);
    }

    @Test
    void shouldPassWithTheOneRequiredFlagAlone() throws Exception
    {
        final Child child = run(List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"));

        assertEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains(JvmFlagsChild.OK + " 42"), child.output);
    }

    @Test
    void shouldPassWithTheExportAloneSinceAgronaNeedsNoDeepReflection() throws Exception
    {
        final Child child = run(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));

        assertEquals(0, child.exitCode, child.output);
        assertTrue(child.output.contains(JvmFlagsChild.OK + " 42"), child.output);
    }

    private static Child run(final List<String> jvmFlags) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JvmFlagsChild.class.getName());
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // the user's environment must not add the flag behind the test's back
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        try
        {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS), "child did not exit: " + output);
            return new Child(process.exitValue(), output);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static final class Child
    {
        final int exitCode;
        final String output;

        Child(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }
    }
}
