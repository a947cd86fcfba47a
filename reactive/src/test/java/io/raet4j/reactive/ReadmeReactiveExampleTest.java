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
 * The README's Reactive Streams examples, compiled and run exactly as written: each block ({@code ReactiveStart},
 * {@code ReactiveTopics}) is cut out of README.md after the mention of its file, compiled against this module's class
 * path and run in a JVM of its own with the flag the README names.
 */
class ReadmeReactiveExampleTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldCompileAndRunTheReadmeReactiveExampleAsWritten() throws Exception
    {
        final String printed = compileAndRun("ReactiveStart");
        for (int i = 0; i < 10; i++)
        {
            assertTrue(printed.contains("beta got hello " + i + System.lineSeparator()), printed);
        }
        assertTrue(printed.indexOf("beta got hello 0") < printed.indexOf("beta got hello 9"), printed);
        assertTrue(printed.contains("handed over: 10"), printed);
        assertTrue(printed.contains("stream complete"), printed);
    }

    @Test
    @Timeout(120)
    void shouldCompileAndRunTheReadmeTopicsExampleAsWritten() throws Exception
    {
        final String printed = compileAndRun("ReactiveTopics");
        for (int i = 0; i < 5; i++)
        {
            assertTrue(printed.contains("beta got sensors.kitchen.temp 2" + i + " C" + System.lineSeparator()),
                printed);
        }
        assertTrue(printed.indexOf("temp 20 C") < printed.indexOf("temp 24 C"), printed);
        assertTrue(printed.contains("handed over: 5"), printed);
        assertTrue(printed.contains("stream complete"), printed);
    }

    /**
     * Compile the README's block for a class and run it.
     *
     * @param className of the example, its file named in the README as {@code src/main/java/<className>.java}.
     * @return what it printed.
     */
    private String compileAndRun(final String className) throws Exception
    {
        final Path source = dir.resolve(className + ".java");
        Files.writeString(source, exampleFromReadme(className));
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int compiled = compiler.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp",
            System.getProperty("java.class.path"), "-Xlint:all", "-Werror", source.toString());
        assertEquals(0, compiled, diagnostics::toString);

        final String classpath = dir + java.io.File.pathSeparator + System.getProperty("java.class.path");
        final List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classpath, className);
        final Path output = dir.resolve(className + ".out");
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
        return printed;
    }

    private static String exampleFromReadme(final String className) throws IOException
    {
        final String readme = Files.readString(Path.of(System.getProperty("raet4j.root", ".."), "README.md"));
        final int mention = readme.indexOf("`src/main/java/" + className + ".java`");
        assertTrue(mention >= 0, "README names the example's file");
        final int start = readme.indexOf("```java\n", mention) + "```java\n".length();
        final int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }
}
