package io.raet4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's library example, compiled and run exactly as written: the {@code QuickStart} block is cut out of
 * README.md, compiled against the modules (the classpath a Maven project depending on raet4j-transactions gets), and
 * run in a JVM of its own with the one flag the README names, and again without it to see the failure the README
 * promises.
 */
class ReadmeQuickStartIT
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldCompileAndRunTheReadmeQuickStartAsWritten() throws Exception
    {
        final Path source = dir.resolve("QuickStart.java");
        Files.writeString(source, quickStartFromReadme());
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int compiled = compiler.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp",
            System.getProperty("java.class.path"), source.toString());
        assertEquals(0, compiled, diagnostics::toString);

        final String classpath = dir + java.io.File.pathSeparator + System.getProperty("java.class.path");
        final Run withFlag = run(List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classpath,
            "QuickStart"));
        assertEquals(0, withFlag.status, withFlag.output);
        assertTrue(withFlag.output.contains("alpha sees beta JOINED"), withFlag.output);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(withFlag.output.contains("beta got hello " + i), withFlag.output);
            assertTrue(withFlag.output.contains("message " + i + " delivered"), withFlag.output);
        }

        final Run withoutFlag = run(List.of("-cp", classpath, "QuickStart"));
        assertTrue(0 != withoutFlag.status, withoutFlag.output);
        assertTrue(withoutFlag.output.contains(
            "raet4j needs the JVM flag --add-opens java.base/jdk.internal.misc=ALL-UNNAMED"), withoutFlag.output);
    }

    private static String quickStartFromReadme() throws IOException
    {
        final String readme = Files.readString(Path.of(System.getProperty("raet4j.root", ".."), "README.md"));
        final int mention = readme.indexOf("`src/main/java/QuickStart.java`");
        assertTrue(mention >= 0, "README names the quick start file");
        final int start = readme.indexOf("```java\n", mention) + "```java\n".length();
        final int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }

    private Run run(final List<String> jvmArguments) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArguments);
        final Path output = dir.resolve("run-" + System.nanoTime() + ".out");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
        }
        return new Run(exited ? process.exitValue() : -1, Files.readString(output, StandardCharsets.UTF_8));
    }

    private record Run(int status, String output)
    {
    }
}
