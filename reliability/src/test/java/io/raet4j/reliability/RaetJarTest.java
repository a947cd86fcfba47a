package io.raet4j.reliability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaetJarTest
{
    private String property;

    @BeforeEach
    void saveProperty()
    {
        property = System.getProperty(RaetJar.PROPERTY);
    }

    @AfterEach
    void restoreProperty()
    {
        if (null == property)
        {
            System.clearProperty(RaetJar.PROPERTY);
        }
        else
        {
            System.setProperty(RaetJar.PROPERTY, property);
        }
    }

    @Test
    void shouldFailNamingThePathAndTheBuildCommandWhenTheNamedJarIsMissing()
    {
        System.setProperty(RaetJar.PROPERTY, "/nonexistent/raet4j.jar");

        final IllegalStateException ex = assertThrows(IllegalStateException.class, RaetJar::path);

        assertTrue(ex.getMessage().contains("/nonexistent/raet4j.jar"), ex.getMessage());
        assertTrue(ex.getMessage().contains(RaetJar.BUILD_COMMAND), ex.getMessage());
    }

    @Test
    void shouldFindTheJarInTheReactorRootWhenNoPropertyNamesIt()
    {
        System.clearProperty(RaetJar.PROPERTY);
        final Path root = Path.of("").toAbsolutePath().getParent();
        final Path expected = root.resolve(RaetJar.RELATIVE_PATH);

        if (Files.isRegularFile(expected))
        {
            assertEquals(expected, RaetJar.path());
        }
        else
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, RaetJar::path);
            assertTrue(ex.getMessage().contains(expected.toString()), ex.getMessage());
        }
    }
}
