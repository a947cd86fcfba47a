package io.raet4j.transactions.security;

import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.crypto.PacketAead;
import io.raet4j.codec.crypto.PacketAeadFactory;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * The keys of one session between two estates, made by one join handshake: a send chain and a receive chain, each a
 * sequence of traffic secrets where secret n+1 = HKDF-Expand(secret n, "raet4j v2 update"), and from each secret a
 * ChaCha20-Poly1305 key and a 32-bit key id (HKDF-Expand(secret, "raet4j v2 key")). Rotation moves the sender to the
 * next secret after {@code rekeyAfterPackets} packets or {@code rekeyAfterNs}; the receiver recognises the next key
 * by its id (looking up to {@link #LOOKAHEAD} keys ahead, so lost packets cannot strand it), moves with it, and keeps
 * the previous key until the following rotation for packets still in flight. The packet counter runs on across
 * rotations, so one {@link ReplayWindow} covers the session and a nonce never repeats under a key. Old secrets are
 * wiped when left: forward secrecy within the session.
 * <p>
 * Sealing and opening are allocation free; a rotation (rare) allocates. Not thread safe: one duty cycle.
 */
public final class SessionKeys
{
    /** {@link #open} result: authentic, decrypted, counted in the window. */
    public static final int OPENED = 0;
    /** {@link #open} result: the key id is none this session knows. */
    public static final int UNKNOWN_KEY = 1;
    /** {@link #open} result: the counter was seen before or is below the window. */
    public static final int REPLAYED = 2;
    /** {@link #open} result: the tag does not match: forged, tampered or corrupt. */
    public static final int TAMPERED = 3;

    /** Receive keys recognised ahead of the current one. */
    public static final int LOOKAHEAD = 8;

    static final String SESSION_INFO = "raet4j v2 session";
    static final String KEY_INFO = "raet4j v2 key";
    static final String UPDATE_INFO = "raet4j v2 update";

    private static final int NONE = Integer.MIN_VALUE;

    private final long rekeyAfterPackets;
    private final long rekeyAfterNs;

    private final PacketAead sendAead;
    private byte[] sendSecret;
    private int sendKeyId;
    private long sendCounter;
    private long sendKeyPackets;
    private long sendKeyStartNs;
    private long sendUpdates;

    private PacketAead recvAead;
    private PacketAead prevAead;
    private PacketAead trialAead;
    private byte[] recvSecret;
    private int recvKeyId;
    private int prevKeyId;
    private boolean hasPrev;
    private final byte[][] futureSecrets = new byte[LOOKAHEAD][];
    private final int[] futureKeyIds = new int[LOOKAHEAD];
    private long recvUpdates;
    private final ReplayWindow window = new ReplayWindow();

    private SessionKeys(
        final byte[] sendSecret,
        final byte[] recvSecret,
        final long rekeyAfterPackets,
        final long rekeyAfterNs,
        final long nowNs,
        final PacketAeadFactory aeads)
    {
        this.sendAead = aeads.newAead();
        this.recvAead = aeads.newAead();
        this.prevAead = aeads.newAead();
        this.trialAead = aeads.newAead();
        this.rekeyAfterPackets = rekeyAfterPackets;
        this.rekeyAfterNs = rekeyAfterNs;
        this.sendSecret = sendSecret;
        this.sendKeyId = keyInto(sendAead, sendSecret);
        this.sendKeyStartNs = nowNs;
        this.recvSecret = recvSecret;
        this.recvKeyId = keyInto(recvAead, recvSecret);
        byte[] secret = recvSecret;
        for (int i = 0; i < LOOKAHEAD; i++)
        {
            secret = HandshakeCrypto.hkdfExpand(secret, UPDATE_INFO, 32);
            futureSecrets[i] = secret;
            futureKeyIds[i] = keyId(secret);
        }
    }

    /**
     * Derive a session's keys from the handshake, as both ends do.
     *
     * @param ephemeralShared   X25519 of the two ephemeral keys, 32 bytes.
     * @param staticShared      X25519 of the two long-term agreement keys, 32 bytes.
     * @param joinSignature     the joiner's signature over its Join.
     * @param ackSignature      the acceptor's signature over its JoinAck.
     * @param isInitiator       true at the joiner: it sends with the joiner-to-acceptor chain.
     * @param rekeyAfterPackets packets per send key.
     * @param rekeyAfterNs      time per send key.
     * @param nowNs             current time.
     * @param aeads             the AEAD implementation to seal and open with (any: they share the wire format).
     * @return the keys.
     */
    public static SessionKeys derive(
        final byte[] ephemeralShared,
        final byte[] staticShared,
        final byte[] joinSignature,
        final byte[] ackSignature,
        final boolean isInitiator,
        final long rekeyAfterPackets,
        final long rekeyAfterNs,
        final long nowNs,
        final PacketAeadFactory aeads)
    {
        final byte[] ikm = concat(ephemeralShared, staticShared);
        final byte[] salt = HandshakeCrypto.sha256(concat(joinSignature, ackSignature));
        final byte[] okm = HandshakeCrypto.hkdf(ikm, salt, SESSION_INFO, 64);
        Arrays.fill(ikm, (byte)0);
        final byte[] initiatorToAcceptor = Arrays.copyOfRange(okm, 0, 32);
        final byte[] acceptorToInitiator = Arrays.copyOfRange(okm, 32, 64);
        Arrays.fill(okm, (byte)0);
        return isInitiator ?
            new SessionKeys(initiatorToAcceptor, acceptorToInitiator, rekeyAfterPackets, rekeyAfterNs, nowNs, aeads) :
            new SessionKeys(acceptorToInitiator, initiatorToAcceptor, rekeyAfterPackets, rekeyAfterNs, nowNs, aeads);
    }

    /**
     * Seal the packet being built, rotating the send key first if it is due.
     *
     * @param writer holding a packet begun with {@link PacketWriter#beginSealed} and with frames.
     * @param nowNs  current time.
     * @return the datagram length.
     */
    public int seal(final PacketWriter writer, final long nowNs)
    {
        if (sendKeyPackets >= rekeyAfterPackets || nowNs - sendKeyStartNs >= rekeyAfterNs)
        {
            rotateSend(nowNs);
        }
        sendKeyPackets++;
        return writer.finishSealed(sendAead, sendKeyId, sendCounter++);
    }

    /**
     * Does a received key id belong to this session: the current receive key, the previous one, or one of the next
     * {@link #LOOKAHEAD}.
     *
     * @param keyId from the packet header.
     * @return true if this session should try to open the packet.
     */
    public boolean knowsKey(final int keyId)
    {
        return keyId == recvKeyId || (hasPrev && keyId == prevKeyId) || futureIndex(keyId) >= 0;
    }

    /**
     * Check and open a sealed packet in place, cheap checks first: key id, then the replay window, then the AEAD.
     *
     * @param reader holding the packet after a successful {@link PacketReader#wrapSealed}.
     * @param buffer holding the datagram.
     * @param offset of the datagram.
     * @param length of the datagram, tag included.
     * @return {@link #OPENED}, {@link #UNKNOWN_KEY}, {@link #REPLAYED} or {@link #TAMPERED}.
     */
    public int open(final PacketReader reader, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int keyId = reader.keyId();
        final long counter = reader.packetCounter();
        final PacketAead aead;
        int future = -1;
        if (keyId == recvKeyId)
        {
            aead = recvAead;
        }
        else if (hasPrev && keyId == prevKeyId)
        {
            aead = prevAead;
        }
        else if ((future = futureIndex(keyId)) >= 0)
        {
            aead = trialAead;
            aead.init(keyOf(futureSecrets[future]), keyId);
        }
        else
        {
            return UNKNOWN_KEY;
        }
        if (!window.isFresh(counter))
        {
            return REPLAYED;
        }
        final int ciphertextOffset = offset + PacketWriter.SEALED_FRAMES_OFFSET;
        if (!aead.open(
            counter, buffer, offset, PacketWriter.SEALED_FRAMES_OFFSET, ciphertextOffset,
            length - PacketWriter.SEALED_FRAMES_OFFSET))
        {
            return TAMPERED;
        }
        window.mark(counter);
        if (future >= 0)
        {
            advanceReceive(future);
        }
        return OPENED;
    }

    /**
     * Send-key rotations so far.
     *
     * @return count.
     */
    public long sendUpdates()
    {
        return sendUpdates;
    }

    /**
     * Receive-key rotations followed so far.
     *
     * @return count.
     */
    public long receiveUpdates()
    {
        return recvUpdates;
    }

    /**
     * Packets sealed so far in this session.
     *
     * @return the next packet counter.
     */
    public long sendCounter()
    {
        return sendCounter;
    }

    /**
     * Wipe every secret; the instance must not be used afterwards.
     */
    public void destroy()
    {
        wipe(sendSecret);
        wipe(recvSecret);
        for (final byte[] secret : futureSecrets)
        {
            wipe(secret);
        }
        sendAead.init(new byte[PacketAead.KEY_LENGTH]);
        recvAead.init(new byte[PacketAead.KEY_LENGTH]);
        prevAead.init(new byte[PacketAead.KEY_LENGTH]);
        trialAead.init(new byte[PacketAead.KEY_LENGTH]);
        hasPrev = false;
        recvKeyId = NONE;
        Arrays.fill(futureKeyIds, NONE);
    }

    private void rotateSend(final long nowNs)
    {
        final byte[] next = HandshakeCrypto.hkdfExpand(sendSecret, UPDATE_INFO, 32);
        wipe(sendSecret);
        sendSecret = next;
        sendKeyId = keyInto(sendAead, next);
        sendKeyPackets = 0;
        sendKeyStartNs = nowNs;
        sendUpdates++;
    }

    private void advanceReceive(final int future)
    {
        // The trial AEAD holds the key just used: it becomes the current one, the current one becomes the previous.
        final PacketAead oldPrev = prevAead;
        prevAead = recvAead;
        prevKeyId = recvKeyId;
        hasPrev = true;
        recvAead = trialAead;
        trialAead = oldPrev;
        wipe(recvSecret);
        recvSecret = futureSecrets[future];
        recvKeyId = futureKeyIds[future];
        for (int i = 0; i < future; i++)
        {
            wipe(futureSecrets[i]);
        }
        final int shift = future + 1;
        for (int i = 0; i < LOOKAHEAD; i++)
        {
            final int from = i + shift;
            if (from < LOOKAHEAD)
            {
                futureSecrets[i] = futureSecrets[from];
                futureKeyIds[i] = futureKeyIds[from];
            }
            else
            {
                final byte[] previous = 0 == i ? recvSecret : futureSecrets[i - 1];
                futureSecrets[i] = HandshakeCrypto.hkdfExpand(previous, UPDATE_INFO, 32);
                futureKeyIds[i] = keyId(futureSecrets[i]);
            }
        }
        recvUpdates += shift;
    }

    private int futureIndex(final int keyId)
    {
        for (int i = 0; i < LOOKAHEAD; i++)
        {
            if (futureKeyIds[i] == keyId)
            {
                return i;
            }
        }
        return -1;
    }

    private static int keyInto(final PacketAead aead, final byte[] secret)
    {
        final byte[] material = HandshakeCrypto.hkdfExpand(secret, KEY_INFO, 36);
        final int id = idOf(material);
        // The nonce is the key id then the packet counter (spec/PROTOCOL.md section 2.4).
        aead.init(Arrays.copyOf(material, 32), id);
        Arrays.fill(material, (byte)0);
        return id;
    }

    private static byte[] keyOf(final byte[] secret)
    {
        return Arrays.copyOf(HandshakeCrypto.hkdfExpand(secret, KEY_INFO, 36), 32);
    }

    private static int keyId(final byte[] secret)
    {
        return idOf(HandshakeCrypto.hkdfExpand(secret, KEY_INFO, 36));
    }

    private static int idOf(final byte[] material)
    {
        // Bytes 32 to 35 of a secret's key material, little endian.
        return (material[32] & 0xFF) | (material[33] & 0xFF) << 8 | (material[34] & 0xFF) << 16 |
            (material[35] & 0xFF) << 24;
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void wipe(final byte[] secret)
    {
        if (null != secret)
        {
            Arrays.fill(secret, (byte)0);
        }
    }
}
