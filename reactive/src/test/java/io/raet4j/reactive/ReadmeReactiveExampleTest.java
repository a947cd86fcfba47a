package io.raet4j.reactive;

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
 * The README's Reactive Streams example, compiled and run exactly as written: the {@code ReactiveStart} block is cut
 * out of README.md, compiled against this module's class path and run in a JVM of its own with the flag the README
 * names.
 */
class ReadmeReactiveExampleTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldCompileAndRunTheReadmeReactiveExampleAsWritten() throws Exception
    {
        final Path source = dir.resolve("ReactiveStart.java");
        Files.writeString(source, exampleFromReadme());
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int compiled = compiler.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp",
            System.getProperty("java.class.path"), "-Xlint:all", "-Werror", source.toString());
        assertEquals(0, compiled, diagnostics::toString);

        final String classpath = dir + java.io.File.pathSeparator + System.getProperty("java.class.path");
        final List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classpath, "ReactiveStart");
        final Path output = dir.resolve("run.out");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        final boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
        }
        final String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(exited, printed);
        assertEquals(0, process.exitValue(), printed);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(printed.contains("beta got hello " + i + System.lineSeparator()), printed);
        }
        assertTrue(printed.indexOf("beta got hello 0") < printed.indexOf("beta got hello 9"), printed);
        assertTrue(printed.contains("handed over: 10"), printed);
        assertTrue(printed.contains("stream complete"), printed);
    }

    private static String exampleFromReadme() throws IOException
    {
        final String readme = Files.readString(Path.of(System.getProperty("raet4j.root", ".."), "README.md"));
        final int mention = readme.indexOf("`src/main/java/ReactiveStart.java`");
        assertTrue(mention >= 0, "README names the example's file");
        final int start = readme.indexOf("```java\n", mention) + "```java\n".length();
        final int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }
}
