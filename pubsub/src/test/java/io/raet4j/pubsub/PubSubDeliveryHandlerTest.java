package io.raet4j.pubsub;

import io.raet4j.transactions.DeliveryHandler;
import io.raet4j.transactions.FailureReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PubSub#addDeliveryHandler}: the outcomes of what the application offered through the layer, for a publisher
 * that counts what its copies became: one per copy, none for the layer's own frames; the stack's application
 * handlers never see them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PubSubDeliveryHandlerTest
{
    @TempDir
    Path tempDir;

    private PubSubMesh mesh;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    @BeforeEach
    void setUp()
    {
        mesh = new PubSubMesh(tempDir);
    }

    @AfterEach
    void tearDown()
    {
        mesh.close();
        assertEquals(List.of(), mesh.errors);
    }

    @Test
    void shouldReportTheOutcomeOfEveryCopyAndNoneOfTheLayersOwnFrames()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        final PubSub beta = mesh.launch("beta");
        final Outcomes layer = new Outcomes();
        final Outcomes application = new Outcomes();
        publisher.addDeliveryHandler(layer).addDeliveryHandler(layer);
        publisher.stack().addDeliveryHandler(application);
        alpha.subscribe("t.>", (topic, estateId, buffer, offset, length) -> {});
        beta.subscribe("t.x", (topic, estateId, buffer, offset, length) -> {});
        mesh.join(alpha, publisher);
        mesh.join(beta, publisher);
        final Publisher tx = publisher.publisher("t.x");
        assertTrue(mesh.runUntil(() -> 2 == tx.remoteSubscribers(), 10_000));

        long copies = 0;
        for (int i = 0; i < 50; i++)
        {
            copies += tx.publish(payload, 0, payload.capacity());
        }
        final long expected = copies;
        assertTrue(mesh.runUntil(() -> expected == layer.data(), 100_000), () -> "data outcomes " + layer.data());
        mesh.run(1_000);

        assertEquals(100, copies);
        assertEquals(2, publisher.counter(PubSubCounterDescriptor.TOPICS_DECLARED), "one declaration per estate");
        assertTrue(publisher.counter(PubSubCounterDescriptor.INTEREST_SENT) >= 2, "each estate got the Hello");
        assertEquals(100, layer.dataDelivered, "added twice, called once per outcome; no declaration's outcome");
        assertEquals(0, layer.failed + layer.uncertain);
        assertEquals(0, layer.controlDelivered, "no Hello's or Interest's outcome");
        assertEquals(0, application.data() + application.controlDelivered, "the application sees none of them");
    }

    @Test
    void shouldEndTheCopiesToAnEstateThatLeavesBeforeTakingThem()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub alpha = mesh.launch("alpha");
        final Outcomes layer = new Outcomes();
        publisher.addDeliveryHandler(layer);
        alpha.subscribe(">", (topic, estateId, buffer, offset, length) -> {});
        mesh.join(alpha, publisher);
        final Publisher any = publisher.publisher("any");
        assertTrue(mesh.runUntil(() -> 1 == any.remoteSubscribers(), 10_000));
        mesh.run(100);

        for (int i = 0; i < 5; i++)
        {
            assertEquals(1, any.publish(payload, 0, payload.capacity()));
        }
        alpha.close();
        assertTrue(mesh.runUntil(() -> 5 == layer.data(), 100_000), () -> "data outcomes " + layer.data());
        mesh.run(1_000);

        assertEquals(0, layer.dataDelivered, "alpha left before taking any");
        assertEquals(5, layer.failed + layer.uncertain, "the five copies ended, not the declaration");
        assertEquals(0, layer.controlDelivered);
    }

    @Test
    void shouldNotReportTheLastValueTheLayerSendsToALateSubscriber()
    {
        final PubSub publisher = mesh.launch("pub");
        final PubSub late = mesh.launch("late");
        final Outcomes layer = new Outcomes();
        publisher.addDeliveryHandler(layer);
        final Publisher kept = publisher.publisher("kept").retainLastValue();
        assertEquals(0, kept.publish(payload, 0, payload.capacity()), "nobody subscribes yet");
        final long[] received = new long[1];
        late.subscribe("kept", (topic, estateId, buffer, offset, length) -> received[0]++);
        mesh.join(late, publisher);
        assertTrue(mesh.runUntil(() -> 1 == received[0], 10_000), "the late subscriber gets the last value");
        mesh.run(1_000);
        assertEquals(0, layer.data(), "the layer sent the last value on its own: publish counted no copy");

        assertEquals(1, kept.publish(payload, 0, payload.capacity()));
        assertTrue(mesh.runUntil(() -> 1 == layer.data(), 10_000), () -> "data outcomes " + layer.data());
        mesh.run(1_000);
        assertEquals(1, layer.dataDelivered);
        assertEquals(2, received[0]);
    }

    @Test
    void shouldRefuseAHandlerOnAClosedLayer()
    {
        final PubSub publisher = mesh.launch("pub");
        publisher.close();

        assertThrows(IllegalStateException.class, () -> publisher.addDeliveryHandler(new Outcomes()));
        assertThrows(NullPointerException.class, () -> mesh.launch("other").addDeliveryHandler(null));
    }

    private static final class Outcomes implements DeliveryHandler
    {
        long dataDelivered;
        long controlDelivered;
        long failed;
        long uncertain;

        long data()
        {
            return dataDelivered + failed + uncertain;
        }

        @Override
        public void onDelivered(final long estateId, final int channel, final long messageId)
        {
            if (PubSub.DATA_CHANNEL == channel)
            {
                dataDelivered++;
            }
            else
            {
                controlDelivered++;
            }
        }

        @Override
        public void onFailed(final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            assertEquals(PubSub.DATA_CHANNEL, channel);
            failed++;
        }

        @Override
        public void onUncertain(
            final long estateId, final int channel, final long messageId, final FailureReason reason)
        {
            assertEquals(PubSub.DATA_CHANNEL, channel);
            uncertain++;
        }
    }
}
