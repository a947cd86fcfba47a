package io.raet4j.micrometer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Micrometer example, compiled and run as written: the block after the "Metrics (Micrometer)" heading is
 * cut out of README.md, its imports kept and its statements put in a method, compiled against this module's class
 * path and run in this JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeMetricsExampleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCompileAndRunTheReadmeExampleAsWritten() throws Exception
    {
        final Path source = dir.resolve("ReadmeMetrics.java");
        Files.writeString(source, exampleFromReadme());
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int compiled = compiler.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror", "-d",
            dir.toString(), "-cp", System.getProperty("java.class.path"), source.toString());
        assertEquals(0, compiled, diagnostics::toString);

        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{ dir.toUri().toURL() }, getClass().getClassLoader());
            PrintStream capture = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            loader.loadClass("ReadmeMetrics").getMethod("run").invoke(null);
        }
        finally
        {
            System.setOut(out);
        }

        assertEquals("1.0", output.toString(StandardCharsets.UTF_8).strip(), "the README says what it prints");
    }

    private static String exampleFromReadme() throws Exception
    {
        final String readme = Files.readString(Path.of(System.getProperty("raet4j.root", ".."), "README.md"));
        final int heading = readme.indexOf("### Metrics (Micrometer)");
        assertTrue(heading >= 0, "README has the Micrometer section");
        final int start = readme.indexOf("```java\n", heading) + "```java\n".length();
        final int end = readme.indexOf("```", start);
        final StringBuilder imports = new StringBuilder();
        final StringBuilder body = new StringBuilder();
        for (final String line : readme.substring(start, end).split("\n"))
        {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + "\npublic final class ReadmeMetrics\n{\n    public static void run()\n    {\n" + body +
            "    }\n}\n";
    }
}
