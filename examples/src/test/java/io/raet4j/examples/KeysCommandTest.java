package io.raet4j.examples;

import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.Keep;
import io.raet4j.transactions.keep.RemoteEstateRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keys} on a keep directory, checked through a separate {@link Keep} opened on the same directory, as a stack
 * running on it would see the changes.
 */
@Timeout(30)
class KeysCommandTest
{
    @TempDir
    Path tempDir;

    private Path keepDir;
    private Keep stackKeep;
    private ByteArrayOutputStream outBytes;
    private ByteArrayOutputStream errBytes;

    @BeforeEach
    void setUp()
    {
        keepDir = tempDir.resolve("keep");
        stackKeep = Keep.open(keepDir);
    }

    @AfterEach
    void tearDown()
    {
        stackKeep.close();
    }

    @Test
    void shouldCreateTheLocalIdentityThenReportTheSameOne()
    {
        assertEquals(Main.EXIT_OK, run("keygen", "--keep", keepDir.toString(), "--name", "alice"), this::transcript);
        final Map<String, Object> first = lastJson();
        assertEquals("keygen", first.get("action"));
        assertEquals("alice", first.get("name"));
        assertEquals(Boolean.TRUE, first.get("created"));
        assertEquals(16, ((String)first.get("id")).length());
        assertEquals(64, ((String)first.get("signingKey")).length());
        assertEquals(64, ((String)first.get("agreementKey")).length());
        assertTrue(out().contains((String)first.get("signingKey")), this::transcript);

        assertEquals(Main.EXIT_OK, run("keygen", "--keep", keepDir.toString(), "--name", "alice"), this::transcript);
        final Map<String, Object> second = lastJson();
        assertEquals(Boolean.FALSE, second.get("created"));
        assertEquals(first.get("id"), second.get("id"));
        assertEquals(first.get("signingKey"), second.get("signingKey"));
        assertEquals(first.get("agreementKey"), second.get("agreementKey"));
        assertEquals(String.format("%016x", stackKeep.local().orElseThrow().id()), second.get("id"));
    }

    @Test
    void shouldRefuseKeygenWithAnotherNameThanTheStoredOne()
    {
        stackKeep.loadOrCreateLocal("alice");

        assertEquals(Main.EXIT_FAILED, run("keygen", "--keep", keepDir.toString(), "--name", "bob"));

        assertOneErrorLine("this keep belongs to estate 'alice'");
    }

    @Test
    void shouldListTheLocalIdentityAndRemotesWithTheirStatus()
    {
        stackKeep.loadOrCreateLocal("alice");
        stackKeep.put(record("bob", 7, Acceptance.ACCEPTED, "192.0.2.7:7531"));
        stackKeep.put(record("carol smith", -3, Acceptance.PENDING, null));

        assertEquals(Main.EXIT_OK, run("list", "--keep", keepDir.toString()), this::transcript);

        final Map<String, Object> json = lastJson();
        assertEquals("list", json.get("action"));
        @SuppressWarnings("unchecked")
        final Map<String, Object> local = (Map<String, Object>)json.get("local");
        assertEquals("alice", local.get("name"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> remotes = (List<Map<String, Object>>)json.get("remotes");
        assertEquals(2, remotes.size());
        assertEquals("bob", remotes.get(0).get("name"));
        assertEquals("0000000000000007", remotes.get(0).get("id"));
        assertEquals("ACCEPTED", remotes.get(0).get("status"));
        assertEquals("192.0.2.7:7531", remotes.get(0).get("address"));
        assertEquals("carol smith", remotes.get(1).get("name"));
        assertEquals("fffffffffffffffd", remotes.get(1).get("id"));
        assertEquals("PENDING", remotes.get(1).get("status"));
        assertNull(remotes.get(1).get("address"));
        assertTrue(out().contains("192.0.2.7:7531"), this::transcript);
        assertTrue(out().contains("pending"), this::transcript);
    }

    @Test
    void shouldListAKeepWithoutLocalIdentityAsNull()
    {
        assertEquals(Main.EXIT_OK, run("list", "--keep", keepDir.toString()), this::transcript);

        final Map<String, Object> json = lastJson();
        assertTrue(json.containsKey("local"));
        assertNull(json.get("local"));
        assertEquals(List.of(), json.get("remotes"));
    }

    @Test
    void shouldAcceptAndRejectAsSeenByAnotherKeepOnTheSameDirectory()
    {
        stackKeep.put(record("bob", 7, Acceptance.PENDING, null));
        final long countBefore = stackKeep.changeCounter();

        assertEquals(Main.EXIT_OK, run("accept", "bob", "--keep", keepDir.toString()), this::transcript);
        assertEquals(Acceptance.ACCEPTED, stackKeep.remote("bob").orElseThrow().status());
        assertTrue(stackKeep.changeCounter() > countBefore);
        Map<String, Object> json = lastJson();
        assertEquals("accept", json.get("action"));
        assertEquals("bob", json.get("name"));
        assertEquals("ACCEPTED", json.get("status"));
        assertEquals(Boolean.TRUE, json.get("changed"));

        assertEquals(Main.EXIT_OK, run("accept", "bob", "--keep", keepDir.toString()), this::transcript);
        assertEquals(Boolean.FALSE, lastJson().get("changed"));

        assertEquals(Main.EXIT_OK, run("reject", "--keep", keepDir.toString(), "bob"), this::transcript);
        assertEquals(Acceptance.REJECTED, stackKeep.remote("bob").orElseThrow().status());
        json = lastJson();
        assertEquals("reject", json.get("action"));
        assertEquals("REJECTED", json.get("status"));
        assertEquals(Boolean.TRUE, json.get("changed"));
    }

    @Test
    void shouldDeleteARemote()
    {
        stackKeep.put(record("bob", 7, Acceptance.ACCEPTED, null));

        assertEquals(Main.EXIT_OK, run("delete", "bob", "--keep", keepDir.toString()), this::transcript);

        assertTrue(stackKeep.remote("bob").isEmpty());
        final Map<String, Object> json = lastJson();
        assertEquals("delete", json.get("action"));
        assertEquals("bob", json.get("name"));
        assertEquals(Boolean.TRUE, json.get("deleted"));
    }

    @Test
    void shouldFailWithStatusOneOnAnUnknownName()
    {
        for (final String action : new String[]{ "accept", "reject", "delete" })
        {
            assertEquals(Main.EXIT_FAILED, run(action, "nobody", "--keep", keepDir.toString()), this::transcript);
            assertOneErrorLine("no estate nobody in keep " + keepDir);
        }
    }

    @Test
    void shouldRefuseBadArgumentsWithStatusTwo()
    {
        final String[][] commandLines = {
            { "keys", "list" },
            { "keys", "accept", "bob" },
            { "keys" },
            { "keys", "frobnicate", "--keep", keepDir.toString() },
            { "keys", "keygen", "--keep", keepDir.toString() },
            { "keys", "accept", "--keep", keepDir.toString() },
            { "keys", "list", "extra", "--keep", keepDir.toString() },
            { "keys", "accept", "bob", "carol", "--keep", keepDir.toString() },
            { "keys", "list", "--keep", keepDir.toString(), "--colour", "blue" },
        };
        for (final String[] commandLine : commandLines)
        {
            final int status = runMain(commandLine);
            assertEquals(Main.EXIT_USAGE, status, () -> Arrays.toString(commandLine) + "\n" + transcript());
            assertEquals("", out(), this::transcript);
            assertEquals(1, err().lines().count(), this::transcript);
            assertFalse(err().contains("Exception"), this::transcript);
        }
    }

    @Test
    void shouldFailWithTheFileNameOnACorruptRecord() throws IOException
    {
        stackKeep.put(record("bob", 7, Acceptance.PENDING, null));
        final Path file = keepDir.resolve(Keep.REMOTE_DIR).resolve(Keep.fileNameFor("bob"));
        final String content = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, content.replace("status = pending", "status = accpeted"), StandardCharsets.UTF_8);

        assertEquals(Main.EXIT_FAILED, run("list", "--keep", keepDir.toString()), this::transcript);
        assertOneErrorLine("bob.estate");
        assertTrue(err().contains("accpeted"), this::transcript);
        assertTrue(lastJson().containsKey("error"));

        assertEquals(Main.EXIT_FAILED, run("accept", "bob", "--keep", keepDir.toString()), this::transcript);
        assertOneErrorLine("bob.estate");
    }

    @Test
    void shouldNotCreateAKeepToListAMistypedDirectory()
    {
        final Path missing = tempDir.resolve("no-such-keep");

        assertEquals(Main.EXIT_FAILED, run("list", "--keep", missing.toString()), this::transcript);

        assertOneErrorLine("no keep directory");
        assertFalse(Files.exists(missing));
    }

    private static RemoteEstateRecord record(
        final String name, final long id, final Acceptance status, final String address)
    {
        final byte[] signKey = new byte[32];
        final byte[] agreeKey = new byte[32];
        Arrays.fill(signKey, (byte)id);
        Arrays.fill(agreeKey, (byte)(id + 1));
        return new RemoteEstateRecord(name, id, signKey, agreeKey, status, 1_000, 2_000, address);
    }

    private void assertOneErrorLine(final String expected)
    {
        final String err = err();
        assertEquals(1, err.lines().count(), this::transcript);
        assertTrue(err.startsWith("raet4j keys: error: "), this::transcript);
        assertTrue(err.contains(expected), this::transcript);
        assertFalse(err.contains("Exception") || err.contains("\tat "), this::transcript);
    }

    private int run(final String... keysArgs)
    {
        final String[] args = new String[keysArgs.length + 1];
        args[0] = "keys";
        System.arraycopy(keysArgs, 0, args, 1, keysArgs.length);
        return runMain(args);
    }

    private int runMain(final String[] args)
    {
        outBytes = new ByteArrayOutputStream();
        errBytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8))
        {
            return Main.run(args, out, err);
        }
    }

    private Map<String, Object> lastJson()
    {
        final List<String> lines = out().lines().toList();
        return JsonParser.parseObject(lines.get(lines.size() - 1));
    }

    private String out()
    {
        return null == outBytes ? "" : outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return null == errBytes ? "" : errBytes.toString(StandardCharsets.UTF_8);
    }

    private String transcript()
    {
        return "stdout: " + out() + "\nstderr: " + err();
    }
}
