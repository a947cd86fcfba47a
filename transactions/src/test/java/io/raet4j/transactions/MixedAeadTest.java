package io.raet4j.transactions;

import io.raet4j.codec.crypto.PacketAeadFactory;
import io.raet4j.transport.media.FaultProfile;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.raet4j.transactions.StackCounterDescriptor.AEAD_IMPLEMENTATION;
import static io.raet4j.transactions.StackCounterDescriptor.KEY_UPDATES;
import static io.raet4j.transactions.StackCounterDescriptor.TAMPERED_PACKETS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two stacks whose packets are sealed and opened by different AEAD implementations (libsodium at one end, pure Java
 * at the other, and each alone) join and exchange messages both ways across several key rotations: the
 * implementations share the wire format, so the ends need not agree. The chosen implementation shows in the
 * {@link StackCounterDescriptor#AEAD_IMPLEMENTATION} counter. Cases that need libsodium skip, with the reason, where
 * it does not load.
 */
class MixedAeadTest
{
    private static final int SODIUM_CODE = 2;
    private static final int MESSAGES = 300;

    @TempDir
    Path tempDir;

    private StackPair pair;
    private final UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private long receivedAtA;
    private long receivedAtB;
    private long corrupt;

    @BeforeEach
    void setUp()
    {
        pair = new StackPair(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @ParameterizedTest(name = "alpha {0}, beta {1}")
    @CsvSource({ "sodium, java", "java, sodium", "sodium, sodium", "java, java" })
    void shouldExchangeMessagesWhateverAeadEachEndUses(final String aeadA, final String aeadB)
    {
        if ("sodium".equals(aeadA) || "sodium".equals(aeadB))
        {
            assumeTrue(sodiumLoads(), PacketAeadFactory.select(PacketAeadFactory.AUTO)::description);
        }
        pair.startA(FaultProfile.none(), (ctx) -> ctx.aead(aeadA).rekeyAfterPackets(16));
        pair.startB(FaultProfile.none(), (ctx) -> ctx.aead(aeadB).rekeyAfterPackets(16), "127.0.0.1:0");
        assertEquals(codeOf(aeadA), pair.a.counter(AEAD_IMPLEMENTATION));
        assertEquals(codeOf(aeadB), pair.b.counter(AEAD_IMPLEMENTATION));
        pair.joinAtoB();

        for (int i = 0; i < MESSAGES; i++)
        {
            final int length = lengthOf(i);
            msg.putLong(0, i);
            msg.setMemory(8, length - 8, (byte)i);
            assertTrue(offerUntilTaken(pair.a, pair.b.estateId(), length), "A offers " + i);
            assertTrue(offerUntilTaken(pair.b, pair.a.estateId(), length), "B offers " + i);
        }
        assertTrue(run(() -> MESSAGES == receivedAtA && MESSAGES == receivedAtB, 200_000),
            "received A " + receivedAtA + " B " + receivedAtB);

        assertEquals(0, corrupt);
        assertEquals(0, pair.a.counter(TAMPERED_PACKETS));
        assertEquals(0, pair.b.counter(TAMPERED_PACKETS));
        assertTrue(pair.a.counter(KEY_UPDATES) > 2 && pair.b.counter(KEY_UPDATES) > 2, "keys rotated at both ends");
    }

    @Test
    void shouldChooseLibsodiumByDefaultWhenItLoadsAndJavaOtherwise()
    {
        pair.startA(FaultProfile.none(), (ctx) -> ctx.aead(PacketAeadFactory.AUTO));
        assertEquals(sodiumLoads() ? SODIUM_CODE : PacketAeadFactory.JAVA_CODE, pair.a.counter(AEAD_IMPLEMENTATION));
    }

    @Test
    void shouldRefuseToStartWhenAnUnknownAeadIsForced()
    {
        assertThrows(IllegalStateException.class, () ->
            new StackContext(new io.raet4j.transport.Context().name("x")).aead("rot13").conclude());
    }

    private boolean offerUntilTaken(final Stack from, final long to, final int length)
    {
        return run(() -> from.offer(to, 0, msg, 0, length) >= 0, 100_000);
    }

    private boolean run(final java.util.function.BooleanSupplier condition, final long maxSteps)
    {
        return pair.runUntil(() ->
        {
            pair.a.poll(this::onMessageAtA, 100);
            pair.b.poll(this::onMessageAtB, 100);
            return condition.getAsBoolean();
        }, maxSteps);
    }

    private void onMessageAtA(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        check(buffer, offset, length, receivedAtA++);
    }

    private void onMessageAtB(
        final long estateId, final int channel, final DirectBuffer buffer, final int offset, final int length)
    {
        check(buffer, offset, length, receivedAtB++);
    }

    private void check(final DirectBuffer buffer, final int offset, final int length, final long expected)
    {
        if (length != lengthOf(expected) || buffer.getLong(offset) != expected ||
            buffer.getByte(offset + length - 1) != (byte)expected)
        {
            corrupt++;
        }
    }

    private static int lengthOf(final long i)
    {
        return 8 + (int)(i * 7919 % 3000);
    }

    private static boolean sodiumLoads()
    {
        return SODIUM_CODE == PacketAeadFactory.select(PacketAeadFactory.AUTO).code();
    }

    private static int codeOf(final String aead)
    {
        return "sodium".equals(aead) ? SODIUM_CODE : PacketAeadFactory.JAVA_CODE;
    }
}
