package io.raet4j.transactions.keep;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.raet4j.transactions.keep.KeepTestRecords.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeepCorruptFileTest
{
    @TempDir
    Path dir;

    private Keep keep;
    private Path bobFile;
    private String bobText;

    @BeforeEach
    void before() throws Exception
    {
        keep = Keep.open(dir);
        keep.put(record("bob", Acceptance.PENDING));
        bobFile = dir.resolve("remote/bob.estate");
        bobText = Files.readString(bobFile);
    }

    @AfterEach
    void after()
    {
        keep.close();
    }

    @Test
    void shouldReadTheFileItWrote()
    {
        assertEquals(record("bob", Acceptance.PENDING), keep.remote("bob").orElseThrow());
        assertTrue(bobText.startsWith("format = raet4j-keep/1\nkind = remote\nname = bob\n"), bobText);
    }

    @Test
    void shouldRejectATruncatedFile() throws Exception
    {
        final byte[] content = Files.readAllBytes(bobFile);
        Files.write(bobFile, Arrays.copyOf(content, content.length / 2));
        assertCorrupt(0, null, "truncated");
        Files.write(bobFile, new byte[0]);
        assertCorrupt(0, null, "empty");
    }

    @Test
    void shouldRejectATruncatedFileEndingAtALineBoundary() throws Exception
    {
        final String cut = bobText.substring(0, bobText.indexOf("status"));
        Files.writeString(bobFile, cut);
        assertCorrupt(0, "status", "missing");
    }

    @Test
    void shouldRejectGarbage() throws Exception
    {
        final byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        Files.write(bobFile, garbage);
        assertCorrupt(0, null, "not UTF-8");
        Files.writeString(bobFile, "hello world\n");
        assertCorrupt(1, null, "first line must be");
    }

    @Test
    void shouldRejectAnotherFormatVersion() throws Exception
    {
        rewrite("format = raet4j-keep/1", "format = raet4j-keep/2");
        assertCorrupt(1, "format", "unsupported format 'raet4j-keep/2'");
    }

    @Test
    void shouldRejectAKeyOfTheWrongLength() throws Exception
    {
        final String line = line("sign-public");
        rewrite(line, line.substring(0, line.length() - 2));
        assertCorrupt(lineNumber("sign-public"), "sign-public", "found 62 characters");
    }

    @Test
    void shouldRejectAKeyThatIsNotHex() throws Exception
    {
        final String line = line("agree-public");
        rewrite(line, line.substring(0, line.length() - 2) + "zz");
        assertCorrupt(lineNumber("agree-public"), "agree-public", "not hexadecimal");
    }

    @Test
    void shouldRejectANameThatDoesNotMatchTheFileName() throws Exception
    {
        rewrite("name = bob", "name = carol");
        assertCorrupt(3, "name", "does not belong in this file");
    }

    @Test
    void shouldRejectAHandEditedBadStatus() throws Exception
    {
        rewrite("status = pending", "status = accpeted");
        assertCorrupt(lineNumber("status"), "status", "'accpeted' is not a status");
    }

    @Test
    void shouldAcceptAHandEditedStatusInAnyCaseWithCommentsAndBlankLines() throws Exception
    {
        rewrite("status = pending", "# accepted by hand\n\n  status   =   ACCEPTED  ");
        assertEquals(Acceptance.ACCEPTED, keep.remote("bob").orElseThrow().status());
    }

    @Test
    void shouldRejectDuplicateUnknownAndMalformedFields() throws Exception
    {
        rewrite("status = pending", "status = pending\nstatus = accepted");
        assertCorrupt(lineNumber("status") + 1, "status", "appears twice");
        rewrite("status = pending\nstatus = accepted", "status = pending\ncolour = blue");
        assertCorrupt(lineNumber("status") + 1, "colour", "unknown field");
        rewrite("colour = blue", "just some words");
        assertCorrupt(lineNumber("status") + 1, null, "expected 'key = value'");
    }

    @Test
    void shouldRejectAZeroIdAndANegativeTime() throws Exception
    {
        rewrite("id = 42", "id = 0");
        assertCorrupt(4, "id", "must not be 0");
        rewrite("id = 0", "id = 42x");
        assertCorrupt(4, "id", "not a decimal");
        rewrite("id = 42x", "id = 42");
        rewrite("first-seen-ms = 1000", "first-seen-ms = -1");
        assertCorrupt(lineNumber("first-seen-ms"), "first-seen-ms", "must not be negative");
    }

    @Test
    void shouldRejectAFileOfAnotherKind() throws Exception
    {
        rewrite("kind = remote", "kind = local");
        assertCorrupt(2, "kind", "must be a 'remote' file");
    }

    @Test
    void shouldRejectAFileWithoutAFinalNewline() throws Exception
    {
        Files.writeString(bobFile, bobText.substring(0, bobText.length() - 1));
        assertCorrupt(0, null, "does not end with a newline");
    }

    @Test
    void shouldRejectABadEscapeInAName() throws Exception
    {
        rewrite("address = 127.0.0.1:7531", "address = 127.0.0.1:75%3");
        assertCorrupt(lineNumber("address"), "address", "two hex digits");
    }

    @Test
    void shouldRejectACorruptCounterFileOnTheNextWrite() throws Exception
    {
        Files.writeString(dir.resolve("changes"), "format = raet4j-keep/1\nkind = changes\ncounter = many\n");
        final KeepException ex = assertThrows(KeepException.class, keep::changeCounter);
        assertTrue(ex.getMessage().contains("changes"), ex.getMessage());
        assertThrows(KeepException.class, () -> keep.put(record("carol", Acceptance.PENDING)));
    }

    @Test
    void shouldRejectACorruptSecret() throws Exception
    {
        keep.loadOrCreateLocal("alice");
        final Path secret = dir.resolve("local/identity.secret");
        final String text = Files.readString(secret);
        Files.writeString(secret, text.substring(0, text.indexOf("sign-private")));
        final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("alice"));
        assertTrue(ex.getMessage().contains("identity.secret"), ex.getMessage());
        assertEquals("sign-private", ex.field());
    }

    private void rewrite(final String from, final String to) throws Exception
    {
        final String text = Files.readString(bobFile);
        assertTrue(text.contains(from), from);
        Files.writeString(bobFile, text.replace(from, to));
    }

    private String line(final String key)
    {
        return bobText.lines().filter((l) -> l.startsWith(key + " = ")).findFirst().orElseThrow();
    }

    private int lineNumber(final String key)
    {
        return Arrays.asList(bobText.split("\n")).indexOf(line(key)) + 1;
    }

    private void assertCorrupt(final int line, final String field, final String fragment)
    {
        final List<Executable> reads = List.of(() -> keep.remote("bob"), keep::remotes);
        for (final Executable read : reads)
        {
            final KeepException ex = assertThrows(KeepException.class, read);
            assertTrue(ex.getMessage().contains(bobFile.toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
            assertEquals(line, ex.line(), ex.getMessage());
            assertEquals(field, ex.field(), ex.getMessage());
            assertEquals(bobFile.toString(), ex.file());
        }
    }
}
