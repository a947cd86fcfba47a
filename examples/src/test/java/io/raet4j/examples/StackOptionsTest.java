package io.raet4j.examples;

import io.raet4j.transactions.StackContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The identity and security options of the networked commands, read from a command line and applied to the
 * {@link StackContext} of the command's stack.
 */
@Timeout(30)
class StackOptionsTest
{
    private static final String KEY = "a9eaa1828fbafab57156ce4afb8e35d0be532375e9d7f2e85033b44ed88760de";

    @Test
    void shouldLeaveTheLibraryDefaultsWhenNoOptionIsGiven()
    {
        final StackOptions options = read(true);

        assertNull(options.keepDir());
        assertNull(options.acceptPolicy());
        assertTrue(options.encryption());
        assertNull(options.pinnedSigningKey());

        final StackContext ctx = Main.cliContext("x", "127.0.0.1:0", null, options).conclude();
        assertNull(ctx.keepDir(), "no --keep: a temporary keep");
        assertEquals("once", ctx.acceptPolicy());
        assertTrue(ctx.encryption());
    }

    @Test
    void shouldUseTheKeepDirectoryGiven()
    {
        final StackOptions options = read(false, "--keep", "/var/lib/raet4j/alice");

        assertEquals(Path.of("/var/lib/raet4j/alice"), options.keepDir());
        assertEquals(Path.of("/var/lib/raet4j/alice"), options.applyTo(new StackContext()).keepDir());
    }

    @ParameterizedTest
    @ValueSource(strings = { "always", "once", "never" })
    void shouldTakeEveryAcceptPolicy(final String policy)
    {
        final StackOptions options = read(false, "--accept", policy);

        assertEquals(policy, options.acceptPolicy());
        assertEquals(policy, options.applyTo(new StackContext()).conclude().acceptPolicy());
    }

    @Test
    void shouldTurnEncryptionOffOnlyWhenAskedTo()
    {
        final StackOptions options = read(false, "--no-encryption");

        assertFalse(options.encryption());
        assertFalse(options.applyTo(new StackContext()).encryption());
    }

    @Test
    void shouldReadThePinnedKeyInEitherCase()
    {
        final byte[] expected = HexFormat.of().parseHex(KEY);

        assertArrayEquals(expected, read(true, "--pin", KEY).pinnedSigningKey());
        assertArrayEquals(expected, read(true, "--pin", KEY.toUpperCase()).pinnedSigningKey());
    }

    @Test
    void shouldHandOutACopyOfThePinnedKey()
    {
        final StackOptions options = read(true, "--pin", KEY);
        options.pinnedSigningKey()[0] ^= 1;

        assertEquals(KEY, StackOptions.hex(options.pinnedSigningKey()));
    }

    @Test
    void shouldTakeEveryOptionTogether()
    {
        final Args args = Args.parse("send", new String[]{
            "--keep=/tmp/k", "--accept", "never", "--no-encryption", "--pin", KEY });

        final StackOptions options = StackOptions.read(args, true);
        args.requireAllUsed();

        assertEquals(Path.of("/tmp/k"), options.keepDir());
        assertEquals("never", options.acceptPolicy());
        assertFalse(options.encryption());
        assertEquals(KEY, StackOptions.hex(options.pinnedSigningKey()));
    }

    @Test
    void shouldLeavePinUnreadForACommandThatDoesNotJoin()
    {
        final Args args = Args.parse("recv", new String[]{ "--pin", KEY });

        assertNull(StackOptions.read(args, false).pinnedSigningKey());
        assertThrows(Args.UsageException.class, args::requireAllUsed);
    }

    @ParameterizedTest
    @ValueSource(strings = { "sometimes", "Once", "" })
    void shouldRefuseAnUnknownAcceptPolicy(final String policy)
    {
        assertThrows(Args.UsageException.class, () -> read(false, "--accept=" + policy));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00",
        "a9eaa1828fbafab57156ce4afb8e35d0be532375e9d7f2e85033b44ed88760d",
        "a9eaa1828fbafab57156ce4afb8e35d0be532375e9d7f2e85033b44ed88760de00",
        "a9eaa1828fbafab57156ce4afb8e35d0be532375e9d7f2e85033b44ed88760dx",
        "a9eaa1828fbafab57156ce4afb8e35d0be532375e9d7f2e85033b44ed88760 e",
    })
    void shouldRefuseAPinThatIsNot32BytesOfHex(final String pin)
    {
        final Args.UsageException ex = assertThrows(Args.UsageException.class, () -> read(true, "--pin=" + pin));

        assertTrue(ex.getMessage().startsWith("raet4j send: "), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
    }

    @Test
    void shouldRefuseAValueForTheEncryptionFlag()
    {
        assertThrows(Args.UsageException.class, () -> read(false, "--no-encryption=false"));
    }

    private static StackOptions read(final boolean isJoiner, final String... tokens)
    {
        return StackOptions.read(Args.parse("send", tokens), isJoiner);
    }
}
