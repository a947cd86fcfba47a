package io.raet4j.transactions;

import io.raet4j.codec.JoinLimits;
import io.raet4j.codec.PacketReader;
import io.raet4j.codec.PacketWriter;
import io.raet4j.codec.sbe.JoinCookieDecoder;
import io.raet4j.transactions.keep.Acceptance;
import io.raet4j.transactions.keep.RemoteEstateRecord;
import io.raet4j.transactions.security.HandshakeCrypto;
import io.raet4j.transactions.security.Transcripts;
import io.raet4j.transport.Context;
import io.raet4j.transport.media.FaultProfile;
import io.raet4j.transport.media.UdpMedia;
import io.raet4j.transport.status.TransportCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.raet4j.transactions.StackCounterDescriptor.BAD_SIGNATURES;
import static io.raet4j.transactions.StackCounterDescriptor.JOINS_PENDING;
import static io.raet4j.transactions.StackCounterDescriptor.JOINS_REFUSED;
import static io.raet4j.transactions.StackCounterDescriptor.PINNED_KEY_MISMATCH;
import static io.raet4j.transactions.StackCounterDescriptor.REPLAYED_PACKETS;
import static io.raet4j.transactions.StackCounterDescriptor.STALE_SESSION;
import static io.raet4j.transactions.StackCounterDescriptor.TAMPERED_PACKETS;
import static io.raet4j.transactions.StackCounterDescriptor.UNKNOWN_ESTATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the join, the session and the sealed packets, over real UDP sockets on loopback: each must be refused,
 * counted, and never reach the application, while the stack keeps serving the estates that belong.
 */
class SecurityTest
{
    @TempDir
    Path tempDir;

    private StackPair pair;
    private Stack third;
    private final List<String> presenceThird = new ArrayList<>();
    private static final JoinLimits LIMITS = new JoinLimits(1408, 16 * 1024 * 1024, 2048, true);

    private final StackTest.Outcomes outcomes = new StackTest.Outcomes();
    private final UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private long receivedAtB;
    private long receivedAtThird;

    /**
     * Checks an ordered stream whose messages start with their index, and counts anything else as corrupt.
     */
    static final class SequenceVerifier implements MessageHandler
    {
        long next;
        long corrupt;

        public void onMessage(
            final long estateId, final int channel, final org.agrona.DirectBuffer buffer, final int offset,
            final int length)
        {
            if (length < 8 || buffer.getLong(offset) != next || length != lengthOf(next))
            {
                corrupt++;
            }
            next++;
        }

        static int lengthOf(final long i)
        {
            return 8 + (int)(i * 7919 % 3000);
        }
    }

    @BeforeEach
    void setUp()
    {
        pair = new StackPair(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(third);
        pair.close();
    }

    private Stack launchThird(final String name, final String keep, final Consumer<StackContext> config)
    {
        final StackContext ctx = new StackContext(new Context().name(name).nanoClock(pair.clockB)
            .epochClock(pair.epochClock).media(UdpMedia.open("127.0.0.1:0", Context.MTU_DEFAULT, pair.mediaErrors::add))
            .statusDir(tempDir.resolve("status-" + name + "-" + System.nanoTime()))).keepDir(tempDir.resolve(keep));
        config.accept(ctx);
        third = Stack.launch(ctx);
        third.addPresenceHandler((id, estateName, event) -> presenceThird.add(estateName + ":" + event));
        return third;
    }

    private boolean run(final BooleanSupplier condition, final long maxSteps)
    {
        return pair.runUntil(() ->
        {
            if (null != third)
            {
                third.doWork();
                third.poll((id, ch, buf, off, len) -> receivedAtThird++, 100);
            }
            pair.b.poll((id, ch, buf, off, len) -> receivedAtB++, 100);
            return condition.getAsBoolean();
        }, maxSteps);
    }

    private long offerAtoB(final int count)
    {
        long offered = 0;
        for (int i = 0; i < count; i++)
        {
            msg.putLong(0, i);
            if (pair.a.offer(pair.b.estateId(), 0, msg, 0, 64) >= 0)
            {
                offered++;
            }
        }
        return offered;
    }

    private void joinedPairWithTraffic()
    {
        pair.startA(FaultProfile.none(), ctx -> {});
        pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        pair.a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        assertEquals(10, offerAtoB(10));
        assertTrue(run(() -> 10 == receivedAtB && 10 == outcomes.delivered.size(), 100_000));
    }

    private byte[] lastSealedDataFromA()
    {
        final PacketReader reader = new PacketReader();
        for (int i = pair.recorderA.sent.size() - 1; i >= 0; i--)
        {
            final byte[] datagram = pair.recorderA.sent.get(i);
            if (PacketReader.OK == reader.wrapSealed(new UnsafeBuffer(datagram), 0, datagram.length) &&
                datagram.length > 200)
            {
                return datagram.clone();
            }
        }
        throw new AssertionError("no sealed data packet recorded");
    }

    /**
     * The keep's records once it holds at least {@code count}: decisions are made in memory at once and written to
     * the keep by the background writer a moment later, so a reader of the keep waits for them (bounded).
     */
    private List<RemoteEstateRecord> awaitRecords(final Stack stack, final int count)
    {
        List<RemoteEstateRecord> records = stack.remoteEstates();
        for (int i = 0; i < 1_000 && records.size() < count; i++)
        {
            run(() -> false, 100);
            records = stack.remoteEstates();
        }
        return records;
    }

    private static long counterOf(final byte[] sealed)
    {
        return ByteBuffer.wrap(sealed).order(ByteOrder.LITTLE_ENDIAN).getLong(PacketWriter.HEADER_LENGTH);
    }

    private static void setCounter(final byte[] sealed, final long counter)
    {
        ByteBuffer.wrap(sealed).order(ByteOrder.LITTLE_ENDIAN).putLong(PacketWriter.HEADER_LENGTH, counter);
    }

    @Test
    void shouldRefuseJoinWithForgedSignatureAndKeepNoRecord() throws Exception
    {
        pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.acceptPolicy("always"), "127.0.0.1:0");
        final HandshakeCrypto crypto = new HandshakeCrypto();
        final byte[] victimSigningKey = pair.a.signingKey();
        final byte[] agreeKey = HandshakeCrypto.agreementPublicKey(crypto.newAgreementPrivateKey());
        final byte[] ephemeral = HandshakeCrypto.agreementPublicKey(crypto.newAgreementPrivateKey());
        final byte[] attackerSeed = new byte[32];
        crypto.randomBytes(attackerSeed);

        try (DatagramChannel raw = DatagramChannel.open())
        {
            raw.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
            final PacketWriter writer = new PacketWriter(1408);
            writer.begin(0x666, 0, 99, 0);
            writer.appendJoin(3, 3, 4242, "mallory", null, victimSigningKey, agreeKey, ephemeral, null, LIMITS);
            writer.finish();
            raw.send(writer.byteBuffer(), b.localAddress());
            final ByteBuffer answer = ByteBuffer.allocateDirect(1408);
            assertTrue(run(() -> receive(raw, answer) > 0, 10_000), "a cookie came back");
            final PacketReader reader = new PacketReader();
            assertEquals(PacketReader.OK, reader.wrap(new UnsafeBuffer(answer), 0, answer.position()));
            assertTrue(reader.nextFrame());
            assertEquals(JoinCookieDecoder.TEMPLATE_ID, reader.templateId());
            final byte[] cookie = new byte[16];
            reader.joinCookie().getCookie(cookie, 0, 16);
            assertEquals(0, b.estateCount(), "nothing kept before the cookie is echoed");

            // Claims the victim's signing key but signs with another: the signature cannot verify.
            final byte[] transcript = Transcripts.join(
                0, 0x666, 99, 3, 3, 4242, cookie, victimSigningKey, agreeKey, ephemeral, LIMITS, "mallory");
            final byte[] forged = HandshakeCrypto.sign(
                attackerSeed, HandshakeCrypto.signingPublicKey(attackerSeed), transcript);
            writer.begin(0x666, 0, 99, 0);
            writer.appendJoin(3, 3, 4242, "mallory", cookie, victimSigningKey, agreeKey, ephemeral, forged, LIMITS);
            writer.finish();
            raw.send(writer.byteBuffer(), b.localAddress());
            run(() -> b.counter(BAD_SIGNATURES) > 0, 10_000);
            assertEquals(1, b.counter(BAD_SIGNATURES));
            run(() -> false, 1_000);
            assertEquals(0, receive(raw, answer), "a forged join gets no answer");
        }
        assertEquals(0, b.estateCount());
        assertTrue(b.remoteEstates().isEmpty(), "nothing recorded in the keep");
        assertEquals(0, receivedAtB);
    }

    @Test
    void shouldRejectDifferentKeysForAcceptedNameUnderOnce()
    {
        joinedPairWithTraffic();
        final byte[] alphaKey = pair.a.signingKey();
        final Stack impostor =
            launchThird("alpha", "keep-impostor", ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        impostor.join(pair.addressOf(pair.b));
        assertTrue(run(() -> presenceThird.contains(pair.b.name() + ":JOIN_FAILED") ||
            presenceThird.stream().anyMatch(p -> p.endsWith("JOIN_FAILED")), 500_000), presenceThird.toString());
        assertTrue(pair.b.counter(JOINS_REFUSED) >= 1);
        assertFalse(impostor.isJoined(pair.b.estateId()));
        final RemoteEstateRecord record = awaitRecords(pair.b, 1).get(0);
        assertEquals("alpha", record.name());
        assertArrayEquals(alphaKey, record.signPublicKey(), "the accepted keys stand");
        assertEquals(Acceptance.ACCEPTED, record.status());

        final long before = receivedAtB;
        msg.putLong(0, 1);
        assertTrue(impostor.offer(pair.b.estateId(), 0, msg, 0, 8) < 0, "the impostor cannot even offer");
        assertTrue(pair.a.isJoined(pair.b.estateId()), "the real alpha is untouched");
        assertEquals(1, offerAtoB(1));
        assertTrue(run(() -> receivedAtB == before + 1, 100_000));
    }

    @Test
    void shouldKeepJoinerPendingUnderNeverUntilOperatorAccepts()
    {
        pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(600)));
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.acceptPolicy("never"), "127.0.0.1:0");
        pair.a.addDeliveryHandler(outcomes);
        pair.a.join(pair.addressOf(b));
        assertTrue(run(() -> b.counter(JOINS_PENDING) >= 3, 1_000_000));
        assertFalse(pair.a.isJoined(b.estateId()));
        assertEquals(0, b.estateCount(), "a pending estate has no state and no channels");
        final List<RemoteEstateRecord> records = awaitRecords(b, 1);
        assertEquals(1, records.size());
        assertEquals(Acceptance.PENDING, records.get(0).status());
        msg.putLong(0, 7);
        assertEquals(Stack.NOT_CONNECTED, pair.a.offer(b.estateId(), 0, msg, 0, 8));

        final long startNs = System.nanoTime();
        final long protocolStartNs = pair.clockA.nanoTime();
        assertTrue(b.accept("alpha"));
        assertTrue(run(() -> pair.a.isJoined(b.estateId()) && b.isJoined(pair.a.estateId()), 2_000_000));
        System.out.printf("pending under never: accepted through the API, joined %.1f ms later (%.1f ms of protocol " +
            "time, keep watch interval %d ms)%n", (System.nanoTime() - startNs) / 1e6,
            (pair.clockA.nanoTime() - protocolStartNs) / 1e6, Stack.KEEP_WATCH_INTERVAL_MS);
        assertEquals(1, offerAtoB(1));
        assertTrue(run(() -> 1 == receivedAtB && 1 == outcomes.delivered.size(), 100_000));
    }

    @Test
    void shouldDropReplayedPacketsAndDeliverNothingTwice()
    {
        joinedPairWithTraffic();
        final byte[] captured = lastSealedDataFromA();
        final InetSocketAddress bAddress = (InetSocketAddress)pair.b.localAddress();
        for (int i = 0; i < 5; i++)
        {
            pair.recorderA.inject(captured, bAddress);
        }
        assertTrue(run(() -> pair.b.counter(REPLAYED_PACKETS) >= 5, 100_000));
        run(() -> false, 10_000);
        assertEquals(10, receivedAtB, "nothing delivered twice");
        assertEquals(5, pair.b.counter(REPLAYED_PACKETS));
    }

    @Test
    void shouldDropTamperedPacketsAndKeepServing()
    {
        joinedPairWithTraffic();
        final byte[] captured = lastSealedDataFromA();
        final InetSocketAddress bAddress = (InetSocketAddress)pair.b.localAddress();
        final long fresh = counterOf(captured) + 1000;

        final byte[] flipped = captured.clone();
        setCounter(flipped, fresh);
        pair.recorderA.inject(flipped, bAddress);
        final byte[] bodyFlipped = captured.clone();
        setCounter(bodyFlipped, fresh + 1);
        bodyFlipped[PacketWriter.SEALED_FRAMES_OFFSET + 30] ^= 0x01;
        pair.recorderA.inject(bodyFlipped, bAddress);
        final byte[] tagFlipped = captured.clone();
        tagFlipped[tagFlipped.length - 1] ^= (byte)0x80;
        setCounter(tagFlipped, fresh + 2);
        pair.recorderA.inject(tagFlipped, bAddress);

        assertTrue(run(() -> pair.b.counter(TAMPERED_PACKETS) >= 3, 100_000));
        assertEquals(3, pair.b.counter(TAMPERED_PACKETS));
        assertEquals(10, receivedAtB);
        assertEquals(5, offerAtoB(5));
        assertTrue(run(() -> 15 == receivedAtB && 15 == outcomes.delivered.size(), 100_000), "the stack keeps serving");
    }

    @Test
    void shouldDropPacketsFromUnknownAndRejectedEstates()
    {
        joinedPairWithTraffic();
        final byte[] unknown = lastSealedDataFromA();
        ByteBuffer.wrap(unknown).order(ByteOrder.LITTLE_ENDIAN).putLong(8 + 8, 0x777L);
        final long unknownBefore = pair.b.counter(UNKNOWN_ESTATE);
        pair.recorderA.inject(unknown, pair.b.localAddress());
        assertTrue(run(() -> pair.b.counter(UNKNOWN_ESTATE) > unknownBefore, 100_000));
        assertEquals(10, receivedAtB);

        assertTrue(pair.b.reject("alpha"));
        assertTrue(run(() -> !pair.b.isJoined(pair.a.estateId()), 1_000_000), "cut off within the watch interval");
        final long refusedBefore = pair.b.counter(JOINS_REFUSED);
        final long offered = offerAtoB(20);
        assertTrue(run(() -> outcomes.total() == 10 + offered, 5_000_000), "every message has an outcome");
        assertEquals(10, receivedAtB, "nothing from a rejected estate reaches the application");
        assertEquals(10, outcomes.delivered.size());
        assertEquals(offered, outcomes.failed.size() + outcomes.uncertain.size(),
            "ended without a delivery: the sender cannot tell whether the estate got them before it cut it off");
        assertTrue(pair.b.counter(JOINS_REFUSED) > refusedBefore, "its joins are refused");
        assertEquals(0, outcomes.duplicateOutcomes);
    }

    @Test
    void shouldRefuseOldSessionPacketsAfterPeerRestartAndResendOnTheNewSession()
    {
        joinedPairWithTraffic();
        final byte[] oldSession = lastSealedDataFromA();
        final long aId = pair.a.estateId();
        pair.isARunning = false;
        pair.a.close();
        final StackTest.Outcomes second = new StackTest.Outcomes();
        final Stack a2 = pair.startA(FaultProfile.none(), ctx -> {});
        a2.addDeliveryHandler(second);
        assertEquals(aId, a2.estateId());
        pair.isARunning = true;
        a2.join(pair.addressOf(pair.b));
        assertTrue(run(() -> a2.isJoined(pair.b.estateId()) && pair.b.isJoined(aId), 200_000),
            "accepted again from its keep, no operator: " + StackPair.nonZeroCounters(pair.b));
        final long staleBefore = pair.b.counter(STALE_SESSION);
        pair.recorderA.inject(oldSession, pair.b.localAddress());
        assertTrue(run(() -> pair.b.counter(STALE_SESSION) > staleBefore, 100_000));
        assertEquals(10, receivedAtB, "the old session's packet is refused before any cryptography");

        for (int i = 0; i < 5; i++)
        {
            assertTrue(a2.offer(pair.b.estateId(), 0, msg, 0, 64) >= 0);
        }
        assertTrue(run(() -> 15 == receivedAtB && 5 == second.delivered.size(), 100_000));
    }

    @Test
    void shouldRefuseImpostorAnsweringForPinnedKey()
    {
        pair.startA(FaultProfile.none(), ctx -> ctx.joinTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        pair.startB(FaultProfile.none(), ctx -> {}, "127.0.0.1:0");
        final byte[] pinned = pair.b.signingKey();
        final Stack impostor = launchThird("beta", "keep-impostor", ctx -> ctx.acceptPolicy("always"));
        pair.a.join(pair.addressOf(impostor), pinned);
        assertTrue(run(() -> pair.presenceA.stream().anyMatch(p -> p.endsWith("JOIN_FAILED")), 1_000_000),
            pair.presenceA.toString());
        run(() -> false, 300_000);
        assertTrue(pair.a.counter(PINNED_KEY_MISMATCH) >= 1);
        assertFalse(pair.a.isJoined(impostor.estateId()), "not by answering the join");
        // The impostor accepted alpha's join on its own side; whatever it sends, alpha drops it.
        final long[] atA = {0};
        msg.putLong(0, 2);
        impostor.offer(pair.a.estateId(), 0, msg, 0, 8);
        run(() -> 0 < pair.a.poll((id, ch, buf, off, len) -> atA[0]++, 10), 300_000);
        assertEquals(0, atA[0], "nothing from the impostor reaches alpha's application");
        assertFalse(pair.a.isJoined(impostor.estateId()), "not by joining back either");
        msg.putLong(0, 1);
        assertEquals(Stack.NOT_CONNECTED, pair.a.offer(impostor.estateId(), 0, msg, 0, 8));
        assertEquals(0, receivedAtThird);

        pair.a.join(pair.addressOf(pair.b), pinned);
        assertTrue(run(() -> pair.a.isJoined(pair.b.estateId()), 200_000), "the real estate answers with the pin");
    }

    @Test
    void shouldRotateKeysWithoutLosingOrDuplicatingAMessage()
    {
        final FaultProfile faults = new FaultProfile().lossRate(0.05).reorderRate(0.05).duplicateRate(0.02).seed(3);
        pair.startA(faults, ctx -> ctx.rekeyAfterPackets(16));
        pair.startB(faults.copy().seed(4), ctx -> ctx.rekeyAfterPackets(16), "127.0.0.1:0");
        pair.a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        final int count = 3000;
        final SequenceVerifier verifier = new SequenceVerifier();
        final long[] offered = {0};
        assertTrue(pair.runUntil(() ->
        {
            while (offered[0] < count)
            {
                final int length = SequenceVerifier.lengthOf(offered[0]);
                msg.putLong(0, offered[0]);
                if (pair.a.offer(pair.b.estateId(), 0, msg, 0, length) < 0)
                {
                    break;
                }
                offered[0]++;
            }
            pair.b.poll(verifier, 100);
            return verifier.next == count && outcomes.total() == count;
        }, 5_000_000));
        assertEquals(0, verifier.corrupt);
        assertEquals(count, outcomes.delivered.size());
        assertEquals(0, outcomes.duplicateOutcomes);
        final long updates = pair.a.counter(StackCounterDescriptor.KEY_UPDATES);
        System.out.printf("key rotation every 16 packets: %d key updates at A, %d at B, %d replayed, %d tampered%n",
            updates, pair.b.counter(StackCounterDescriptor.KEY_UPDATES), pair.b.counter(REPLAYED_PACKETS),
            pair.b.counter(TAMPERED_PACKETS));
        assertTrue(updates > 50, "keys rotated: " + updates);
        assertEquals(0, pair.b.counter(TAMPERED_PACKETS));
    }

    @Test
    void shouldStayBoundedAndKeepServingDuringSpoofedHandshakeFlood() throws Exception
    {
        final int rate = 1000;
        pair.startA(FaultProfile.none(), ctx -> {});
        final Stack b = pair.startB(FaultProfile.none(), ctx -> ctx.handshakesPerSecond(rate), "127.0.0.1:0");
        pair.a.addDeliveryHandler(outcomes);
        pair.joinAtoB();
        pair.recorderA.isRecording = false;
        final long cookiesBefore = b.counter(StackCounterDescriptor.JOIN_COOKIES_SENT);
        final long protocolStartNs = pair.clockB.nanoTime();

        final int floodJoins = 60_000;
        final int count = 5_000;
        final Random random = new Random(11);
        final PacketWriter writer = new PacketWriter(1408);
        final byte[] key = new byte[32];
        final byte[] cookie = new byte[16];
        final SequenceVerifier verifier = new SequenceVerifier();
        System.gc();
        final long heapBefore = usedHeap();
        long peakHeap = heapBefore;
        int sent = 0;
        long offered = 0;
        final DatagramChannel[] spoofers = new DatagramChannel[4];
        try
        {
            for (int i = 0; i < spoofers.length; i++)
            {
                spoofers[i] = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            }
            while (sent < floodJoins || verifier.next < count || outcomes.total() < count)
            {
                for (int i = 0; i < 20 && sent < floodJoins; i++, sent++)
                {
                    random.nextBytes(key);
                    if (0 == (sent & 1))
                    {
                        random.nextBytes(cookie);
                    }
                    writer.begin(random.nextLong() | 1, 0, random.nextInt() | 1, 0);
                    writer.appendJoin(3, 3, random.nextLong(), "spoof-" + (sent % 997),
                        0 == (sent & 1) ? cookie : null, key, key, key, null, LIMITS);
                    writer.finish();
                    spoofers[sent % spoofers.length].send(writer.byteBuffer(), b.localAddress());
                }
                while (offered < count)
                {
                    msg.putLong(0, offered);
                    if (pair.a.offer(b.estateId(), 0, msg, 0, SequenceVerifier.lengthOf(offered)) < 0)
                    {
                        break;
                    }
                    offered++;
                }
                pair.step();
                b.poll(verifier, 100);
                if (0 == sent % 10_000)
                {
                    peakHeap = Math.max(peakHeap, usedHeap());
                }
                if (pair.steps > 20_000_000)
                {
                    throw new AssertionError("flood test did not finish");
                }
            }
            pair.runUntil(() -> false, 10_000);
        }
        finally
        {
            CloseHelper.quietCloseAll(spoofers);
        }
        System.gc();
        final long heapAfter = usedHeap();
        final double protocolSeconds = (pair.clockB.nanoTime() - protocolStartNs) / 1e9;
        final long cookies = b.counter(StackCounterDescriptor.JOIN_COOKIES_SENT) - cookiesBefore;
        final long limited = b.counter(StackCounterDescriptor.JOINS_RATE_LIMITED);
        final long badCookies = b.counter(StackCounterDescriptor.BAD_COOKIES);
        System.out.printf("spoofed-join flood: %d joins sent, %d received; %d cookies sent, %d bad cookies, " +
            "%d dropped " +
            "by the rate limit (%d/s) over %.2f s of protocol time; %d estates, %d keep records; heap after GC " +
            "%.1f MB before, %.1f MB after, peak seen %.1f MB; %d messages delivered exactly once meanwhile%n",
            floodJoins, b.counter(TransportCounterDescriptor.PACKETS_RECEIVED), cookies, badCookies, limited, rate,
            protocolSeconds, b.estateCount(), b.remoteEstates().size(), heapBefore / 1e6, heapAfter / 1e6,
            peakHeap / 1e6, outcomes.delivered.size());

        assertEquals(count, verifier.next, "legitimate traffic kept flowing");
        assertEquals(0, verifier.corrupt);
        assertEquals(count, outcomes.delivered.size());
        assertEquals(1, b.estateCount(), "no state for spoofed joiners");
        assertEquals(1, b.remoteEstates().size(), "no keep record for spoofed joiners");
        assertEquals(0, b.counter(BAD_SIGNATURES), "no signature was ever checked for them");
        assertTrue(limited > 0, "the rate limit was reached and counted");
        assertTrue(cookies + badCookies <= rate * protocolSeconds + rate / 10 + 16 + 16,
            "cookie work bounded by the rate: " + (cookies + badCookies));
        assertTrue(heapAfter - heapBefore < 8_000_000, "memory stays bounded: " + (heapAfter - heapBefore));
    }

    private static long usedHeap()
    {
        final Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private int receive(final DatagramChannel channel, final ByteBuffer buffer)
    {
        try
        {
            buffer.clear();
            return null == channel.receive(buffer) ? 0 : buffer.position();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
