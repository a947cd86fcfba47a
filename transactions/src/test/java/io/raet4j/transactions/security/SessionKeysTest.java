package io.raet4j.transactions.security;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.crypto.PacketAeadFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionKeysTest
{
    private final HandshakeCrypto crypto = new HandshakeCrypto();
    private final PacketWriter writer = new PacketWriter(1408);
    private final PacketReader reader = new PacketReader();

    private SessionKeys[] pair(final long rekeyPackets, final long rekeyNs)
    {
        final byte[] eI = crypto.newAgreementPrivateKey();
        final byte[] eR = crypto.newAgreementPrivateKey();
        final byte[] sI = crypto.newAgreementPrivateKey();
        final byte[] sR = crypto.newAgreementPrivateKey();
        final byte[] ephemeralI = new byte[32];
        final byte[] ephemeralR = new byte[32];
        final byte[] staticI = new byte[32];
        final byte[] staticR = new byte[32];
        assertTrue(HandshakeCrypto.agree(eI, HandshakeCrypto.agreementPublicKey(eR), ephemeralI, 0));
        assertTrue(HandshakeCrypto.agree(eR, HandshakeCrypto.agreementPublicKey(eI), ephemeralR, 0));
        assertTrue(HandshakeCrypto.agree(sI, HandshakeCrypto.agreementPublicKey(sR), staticI, 0));
        assertTrue(HandshakeCrypto.agree(sR, HandshakeCrypto.agreementPublicKey(sI), staticR, 0));
        assertArrayEquals(ephemeralI, ephemeralR);
        final byte[] joinSig = new byte[64];
        final byte[] ackSig = new byte[64];
        crypto.randomBytes(joinSig);
        crypto.randomBytes(ackSig);
        return new SessionKeys[]{
            SessionKeys.derive(ephemeralI, staticI, joinSig, ackSig, true, rekeyPackets, rekeyNs, 0,
                PacketAeadFactory.java()),
            SessionKeys.derive(ephemeralR, staticR, joinSig, ackSig, false, rekeyPackets, rekeyNs, 0,
                PacketAeadFactory.java()) };
    }

    private byte[] seal(final SessionKeys keys, final long nowNs, final int marker)
    {
        writer.beginSealed(1, 2, 3, 4);
        writer.appendAlive(marker, nowNs);
        final int length = keys.seal(writer, nowNs);
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }

    private int open(final SessionKeys keys, final byte[] datagram)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram.clone());
        assertEquals(PacketReader.OK, reader.wrapSealed(buffer, 0, datagram.length));
        final int result = keys.open(reader, buffer, 0, datagram.length);
        if (SessionKeys.OPENED == result)
        {
            assertEquals(PacketReader.OK, reader.wrapOpened(buffer, 0, datagram.length - 16));
            assertTrue(reader.nextFrame());
        }
        return result;
    }

    @Test
    void shouldOpenWhatThePeerSealsInBothDirectionsAndNeverTwice()
    {
        final SessionKeys[] keys = pair(1L << 30, Long.MAX_VALUE);
        final byte[] toAcceptor = seal(keys[0], 0, 1);
        final byte[] toInitiator = seal(keys[1], 0, 2);
        assertEquals(SessionKeys.OPENED, open(keys[1], toAcceptor));
        assertEquals(1, reader.alive().nonce());
        assertEquals(SessionKeys.OPENED, open(keys[0], toInitiator));
        assertEquals(SessionKeys.REPLAYED, open(keys[1], toAcceptor));
        assertEquals(SessionKeys.UNKNOWN_KEY, open(keys[0], toAcceptor), "each direction has its own key");
    }

    @Test
    void shouldRefuseEveryTamperedByteWithoutChangingTheBuffer()
    {
        final SessionKeys[] keys = pair(1L << 30, Long.MAX_VALUE);
        final byte[] sealed = seal(keys[0], 0, 9);
        for (int i = 0; i < sealed.length; i++)
        {
            if (i >= 8 && i < 12)
            {
                continue; // the key id: a changed id is an unknown key, tested above
            }
            final byte[] tampered = sealed.clone();
            tampered[i] ^= 0x40;
            final UnsafeBuffer buffer = new UnsafeBuffer(tampered);
            if (PacketReader.OK != reader.wrapSealed(buffer, 0, tampered.length))
            {
                continue; // structure check refused it before any cryptography
            }
            final byte[] before = tampered.clone();
            final int result = keys[1].open(reader, buffer, 0, tampered.length);
            assertTrue(SessionKeys.TAMPERED == result || SessionKeys.UNKNOWN_KEY == result, "byte " + i);
            assertArrayEquals(before, tampered, "buffer unchanged after a failed open, byte " + i);
        }
        assertEquals(SessionKeys.OPENED, open(keys[1], sealed), "the original still opens");
    }

    @Test
    void shouldRotateByPacketsAndByTimeAndFollowUpToTheLookahead()
    {
        final SessionKeys[] keys = pair(16, 1_000_000);
        long nowNs = 0;
        int lost = 0;
        for (int i = 0; i < 16 * (SessionKeys.LOOKAHEAD - 1); i++)
        {
            final byte[] sealed = seal(keys[0], nowNs, i);
            if (i < 16 * (SessionKeys.LOOKAHEAD - 2))
            {
                lost++; // the receiver misses several whole keys
                continue;
            }
            assertEquals(SessionKeys.OPENED, open(keys[1], sealed), "packet " + i);
        }
        assertTrue(lost > 0);
        assertEquals(SessionKeys.LOOKAHEAD - 2, keys[0].sendUpdates());
        assertEquals(SessionKeys.LOOKAHEAD - 2, keys[1].receiveUpdates());

        nowNs += 2_000_000;
        final byte[] afterTime = seal(keys[0], nowNs, 1000);
        assertEquals(SessionKeys.LOOKAHEAD - 1, keys[0].sendUpdates(), "rotated by time");
        assertEquals(SessionKeys.OPENED, open(keys[1], afterTime));
    }

    @Test
    void shouldBeStrandedBeyondTheLookaheadAndSaySo()
    {
        final SessionKeys[] keys = pair(16, Long.MAX_VALUE);
        byte[] last = null;
        for (int i = 0; i < 16 * (SessionKeys.LOOKAHEAD + 1) + 1; i++)
        {
            last = seal(keys[0], 0, i);
        }
        assertEquals(SessionKeys.UNKNOWN_KEY, open(keys[1], last));
    }

    @Test
    void shouldOpenPacketsOfThePreviousKeyAfterARotation()
    {
        final SessionKeys[] keys = pair(16, Long.MAX_VALUE);
        final byte[][] sealed = new byte[20][];
        for (int i = 0; i < sealed.length; i++)
        {
            sealed[i] = seal(keys[0], 0, i);
        }
        assertEquals(SessionKeys.OPENED, open(keys[1], sealed[17]), "first packet of the next key");
        for (int i = 0; i < 16; i++)
        {
            assertEquals(SessionKeys.OPENED, open(keys[1], sealed[i]), "late packet " + i + " of the previous key");
        }
        assertEquals(SessionKeys.REPLAYED, open(keys[1], sealed[3]));
        assertTrue(Arrays.stream(sealed).allMatch(b -> b.length == sealed[0].length));
    }
}
