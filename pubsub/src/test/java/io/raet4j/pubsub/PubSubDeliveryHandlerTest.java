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
 * {@link PubSub#addDeliveryHandler}: the outcomes of the layer's own messages, for a publisher that counts what its
 * copies became; the application's handlers never see them.
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
    void shouldReportTheOutcomeOfEveryCopyAndDeclarationOnTheDataChannel()
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
        final long expected = copies + publisher.counter(PubSubCounterDescriptor.TOPICS_DECLARED);
        assertTrue(mesh.runUntil(() -> expected == layer.data(), 100_000), () -> "data outcomes " + layer.data());
        mesh.run(1_000);

        assertEquals(100, copies);
        assertEquals(2, publisher.counter(PubSubCounterDescriptor.TOPICS_DECLARED), "one declaration per estate");
        assertEquals(102, layer.dataDelivered, "added twice, called once per outcome");
        assertEquals(0, layer.failed + layer.uncertain);
        assertTrue(layer.controlDelivered >= 2, "each estate got at least the Hello: " + layer.controlDelivered);
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
        final long controlOutcomes = layer.controlDelivered;

        for (int i = 0; i < 5; i++)
        {
            assertEquals(1, any.publish(payload, 0, payload.capacity()));
        }
        alpha.close();
        assertTrue(mesh.runUntil(() -> 6 == layer.data(), 100_000), () -> "data outcomes " + layer.data());

        assertEquals(0, layer.dataDelivered, "alpha left before taking any");
        assertEquals(6, layer.failed + layer.uncertain, "five copies and the declaration ended");
        assertEquals(controlOutcomes, layer.controlDelivered);
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
