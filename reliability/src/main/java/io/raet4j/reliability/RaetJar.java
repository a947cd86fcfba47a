package io.raet4j.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the command line under test, {@code raet4j.jar}: the system property {@value #PROPERTY} if set (and then
 * nothing else, so a wrong path fails instead of running some other build), else {@code examples/target/raet4j.jar}
 * in the reactor root, found by walking up from the working directory to the directory that has both a
 * {@code pom.xml} and an {@code examples} module.
 * <p>
 * Thread safe: no state.
 */
public final class RaetJar
{
    /** System property naming the jar; the module's test configuration sets it. */
    public static final String PROPERTY = "raet4j.jar";
    /** Where the examples module builds the jar, from the reactor root. */
    public static final String RELATIVE_PATH = "examples/target/raet4j.jar";
    /** How to build it without running any test. */
    public static final String BUILD_COMMAND = "mvn -B -q -pl examples -am package -DskipTests";

    private RaetJar()
    {
    }

    /**
     * The jar.
     *
     * @return its absolute path; the file exists.
     * @throws IllegalStateException naming every place looked at, and how to build the jar, if it is not there.
     */
    public static Path path()
    {
        final List<Path> looked = new ArrayList<>();
        final String property = System.getProperty(PROPERTY);
        if (null != property && !property.isBlank())
        {
            final Path jar = Path.of(property).toAbsolutePath().normalize();
            if (Files.isRegularFile(jar))
            {
                return jar;
            }
            throw notFound(List.of(jar));
        }
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("examples")))
            {
                final Path jar = dir.resolve(RELATIVE_PATH);
                if (Files.isRegularFile(jar))
                {
                    return jar;
                }
                looked.add(jar);
                break;
            }
        }
        throw notFound(looked);
    }

    private static IllegalStateException notFound(final List<Path> looked)
    {
        return new IllegalStateException("raet4j.jar not found (looked at " + (looked.isEmpty() ?
            "every parent of " + Path.of("").toAbsolutePath() + " for a reactor root" : looked.toString()) +
            "): build it from the reactor root with '" + BUILD_COMMAND + "'");
    }
}
