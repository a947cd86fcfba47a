package io.raet4j.transactions.keep;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Deterministic records for keep tests.
 */
final class KeepTestRecords
{
    private KeepTestRecords()
    {
    }

    static byte[] key(final String seed)
    {
        return Arrays.copyOf(KeepFormat.sha256(seed.getBytes(StandardCharsets.UTF_8)), 32);
    }

    static RemoteEstateRecord record(final String name, final Acceptance status)
    {
        return new RemoteEstateRecord(
            name, 42, key("sign " + name), key("agree " + name), status, 1_000, 2_000, "127.0.0.1:7531");
    }

    /** The two versions the crash child alternates between: different lengths and every field different. */
    static RemoteEstateRecord versionA()
    {
        return new RemoteEstateRecord(
            "bob", 1, key("sign A"), key("agree A"), Acceptance.PENDING, 1_000, 1_000, "10.0.0.1:7531");
    }

    static RemoteEstateRecord versionB()
    {
        return new RemoteEstateRecord(
            "bob", Long.MAX_VALUE, key("sign B"), key("agree B"), Acceptance.ACCEPTED, 2_000, 3_000_000,
            "unix:/var/run/raet4j/a-much-longer-address-than-version-a.sock");
    }
}
