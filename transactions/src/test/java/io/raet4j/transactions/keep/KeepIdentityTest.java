package io.raet4j.transactions.keep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KeepIdentityTest
{
    private static final byte[] DATA = "join me".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void shouldGenerateOnFirstOpenAndLoadTheSameIdentityOnReopen()
    {
        final LocalIdentity first;
        try (Keep keep = Keep.open(dir))
        {
            assertTrue(keep.local().isEmpty());
            first = keep.loadOrCreateLocal("alice");
        }
        try (Keep keep = Keep.open(dir))
        {
            final LocalIdentity again = keep.loadOrCreateLocal("alice");
            assertEquals("alice", again.name());
            assertEquals(first.id(), again.id());
            assertEquals(first.createdMs(), again.createdMs());
            assertArrayEquals(first.signPublicKey(), again.signPublicKey());
            assertArrayEquals(first.agreePublicKey(), again.agreePublicKey());
            assertTrue(LocalIdentity.verify(first.signPublicKey(), DATA, again.sign(DATA)));
            assertArrayEquals(first.signPublicKey(), keep.local().orElseThrow().signPublicKey());
        }
    }

    @Test
    void shouldDeriveAStablePositiveIdFromTheSigningKey()
    {
        final LocalIdentity identity = LocalIdentity.generate("alice", 0);
        assertEquals(LocalIdentity.deriveId(identity.signPublicKey()), identity.id());
        assertTrue(identity.id() > 0);
        assertEquals(32, identity.signPublicKey().length);
        assertEquals(32, identity.agreePublicKey().length);
    }

    @Test
    void shouldVerifyItsOwnSignatureAndRejectForgeries()
    {
        final LocalIdentity alice = LocalIdentity.generate("alice", 0);
        final LocalIdentity mallory = LocalIdentity.generate("mallory", 0);
        final byte[] signature = alice.sign(DATA);
        assertEquals(LocalIdentity.SIGNATURE_LENGTH, signature.length);
        assertTrue(LocalIdentity.verify(alice.signPublicKey(), DATA, signature));

        final byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertFalse(LocalIdentity.verify(alice.signPublicKey(), DATA, flipped));
        assertFalse(LocalIdentity.verify(alice.signPublicKey(), DATA, mallory.sign(DATA)));
        assertFalse(LocalIdentity.verify(alice.signPublicKey(), "join you".getBytes(StandardCharsets.US_ASCII),
            signature));
        assertFalse(LocalIdentity.verify(alice.signPublicKey(), DATA, new byte[10]));
        final byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte)0xFF);
        assertFalse(LocalIdentity.verify(notAPoint, DATA, signature));
    }

    @Test
    void shouldAgreeOnTheSameSecretOnBothSides()
    {
        final LocalIdentity alice = LocalIdentity.generate("alice", 0);
        final LocalIdentity bob = LocalIdentity.generate("bob", 0);
        final byte[] aliceSecret = alice.agree(bob.agreePublicKey());
        assertEquals(LocalIdentity.SHARED_SECRET_LENGTH, aliceSecret.length);
        assertArrayEquals(aliceSecret, bob.agree(alice.agreePublicKey()));
        final LocalIdentity carol = LocalIdentity.generate("carol", 0);
        assertFalse(Arrays.equals(aliceSecret, alice.agree(carol.agreePublicKey())));
        assertThrows(IllegalArgumentException.class, () -> alice.agree(new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> alice.agree(new byte[31]));
    }

    @Test
    void shouldRefuseAnotherNameThanTheStoredOne()
    {
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
            final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("bob"));
            assertTrue(ex.getMessage().contains("identity.estate"), ex.getMessage());
            assertTrue(ex.getMessage().contains("'alice', not 'bob'"), ex.getMessage());
        }
    }

    @Test
    void shouldRebuildThePublicFileFromTheSecretAfterACrashBetweenTheTwo() throws Exception
    {
        final LocalIdentity first;
        try (Keep keep = Keep.open(dir))
        {
            first = keep.loadOrCreateLocal("alice");
        }
        Files.delete(dir.resolve("local/identity.estate"));
        try (Keep keep = Keep.open(dir))
        {
            assertEquals(first.id(), keep.loadOrCreateLocal("alice").id());
        }
        assertTrue(Files.exists(dir.resolve("local/identity.estate")));
    }

    @Test
    void shouldRefuseAKeepWhoseSecretIsMissing() throws Exception
    {
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
        }
        Files.delete(dir.resolve("local/identity.secret"));
        try (Keep keep = Keep.open(dir))
        {
            final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("alice"));
            assertTrue(ex.getMessage().contains("identity.secret"), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseASecretThatDoesNotMatchThePublicFile() throws Exception
    {
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
        }
        final Path other = dir.resolve("other");
        try (Keep keep = Keep.open(other))
        {
            keep.loadOrCreateLocal("alice");
        }
        Files.copy(other.resolve("local/identity.estate"), dir.resolve("local/identity.estate"),
            StandardCopyOption.REPLACE_EXISTING);
        try (Keep keep = Keep.open(dir))
        {
            final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("alice"));
            assertTrue(ex.getMessage().contains("identity.estate"), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseASecretWhosePrivateKeyDoesNotBelongToItsPublicKey() throws Exception
    {
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
        }
        final Path secret = dir.resolve("local/identity.secret");
        final String text = Files.readString(secret);
        final String line = text.lines().filter((l) -> l.startsWith("sign-private")).findFirst().orElseThrow();
        final String forged = "sign-private = " + "ab".repeat(32);
        assertNotEquals(line, forged);
        Files.writeString(secret, text.replace(line, forged));
        try (Keep keep = Keep.open(dir))
        {
            final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("alice"));
            assertTrue(ex.getMessage().contains("identity.secret"), ex.getMessage());
            assertTrue(ex.getMessage().contains("does not belong"), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseASecretReadableByOthers() throws Exception
    {
        assumeTrue(KeepFiles.isPosix(dir));
        try (Keep keep = Keep.open(dir))
        {
            keep.loadOrCreateLocal("alice");
        }
        Files.setPosixFilePermissions(
            dir.resolve("local/identity.secret"), PosixFilePermissions.fromString("rw-r--r--"));
        try (Keep keep = Keep.open(dir))
        {
            final KeepException ex = assertThrows(KeepException.class, () -> keep.loadOrCreateLocal("alice"));
            assertTrue(ex.getMessage().contains("identity.secret"), ex.getMessage());
            assertTrue(ex.getMessage().contains("too open"), ex.getMessage());
        }
    }
}
