package io.raet4j.transport.status;

import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer declares its own counters and allocates them beside the transport's in the same status file, without any
 * change to the transport: the way the transactions and pub/sub layers add theirs.
 */
class CounterSetTest
{
    /** The counters of a layer the transport knows nothing of. */
    enum LayerCounter implements CounterDescriptor
    {
        TOPICS_DECLARED(3000, "Topics declared"),
        PUBLICATIONS_DROPPED(3001, "Publications dropped");

        private final int id;
        private final String label;

        LayerCounter(final int id, final String label)
        {
            this.id = id;
            this.label = label;
        }

        public int id()
        {
            return id;
        }

        public String label()
        {
            return label;
        }
    }

    @TempDir
    Path tempDir;

    private StatusFile statusFile;
    private StatusFile.Reader reader;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(reader, statusFile);
    }

    @Test
    void shouldAllocateEachLayersCountersBesideTheOthersAndShowThemToAReader()
    {
        statusFile = StatusFile.create(tempDir.resolve("s"), "s", 64, 64 * 1024, new CachedEpochClock(), false);
        final CounterSet<TransportCounterDescriptor> transport =
            new CounterSet<>(statusFile.countersManager(), TransportCounterDescriptor.class);
        final CounterSet<LayerCounter> layer = new CounterSet<>(statusFile.countersManager(), LayerCounter.class);
        transport.get(TransportCounterDescriptor.PACKETS_SENT).increment();
        layer.get(LayerCounter.PUBLICATIONS_DROPPED).getAndAdd(7);

        reader = StatusFile.Reader.open(statusFile.directory());
        final Map<Integer, Long> byTypeId = new HashMap<>();
        final Map<Integer, String> labels = new HashMap<>();
        reader.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            byTypeId.put(typeId, reader.countersReader().getCounterValue(counterId));
            labels.put(typeId, label);
        });

        assertEquals(TransportCounterDescriptor.values().length + LayerCounter.values().length, byTypeId.size());
        assertEquals(1L, byTypeId.get(TransportCounterDescriptor.PACKETS_SENT.id()));
        assertEquals(7L, byTypeId.get(LayerCounter.PUBLICATIONS_DROPPED.id()));
        assertEquals(0L, byTypeId.get(LayerCounter.TOPICS_DECLARED.id()));
        assertEquals("Publications dropped", labels.get(3001));
        assertEquals(2, layer.size());
        layer.close();
        transport.close();
    }

    @Test
    void shouldKeepTheLastValuesOnceClosedAndFreeTheCounters()
    {
        statusFile = StatusFile.create(tempDir.resolve("c"), "c", 64, 64 * 1024, new CachedEpochClock(), false);
        final CounterSet<LayerCounter> layer = new CounterSet<>(statusFile.countersManager(), LayerCounter.class);
        layer.get(LayerCounter.TOPICS_DECLARED).getAndAdd(42);
        assertEquals(42, layer.value(LayerCounter.TOPICS_DECLARED));

        layer.close();
        layer.close();

        assertEquals(42, layer.value(LayerCounter.TOPICS_DECLARED));
        assertEquals(0, layer.value(LayerCounter.PUBLICATIONS_DROPPED));
        final int[] live = {0};
        statusFile.countersManager().forEach((counterId, label) -> live[0]++);
        assertEquals(0, live[0], "closing the set frees its counters in the status file");
    }

    @Test
    void shouldNameTheLayerAndTheSettingWhenTheStatusFileIsFull()
    {
        statusFile = StatusFile.create(tempDir.resolve("f"), "f", 1, 64 * 1024, new CachedEpochClock(), false);
        final int capacity = statusFile.countersManager().maxCounterId() + 1;
        for (int i = 0; i < capacity - 1; i++)
        {
            statusFile.countersManager().allocate("filler " + i, 5000);
        }

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new CounterSet<>(statusFile.countersManager(), LayerCounter.class));

        assertTrue(ex.getMessage().contains("LayerCounter") && ex.getMessage().contains("layerCountersMax"),
            ex.getMessage());
        final int[] live = {0};
        statusFile.countersManager().forEach((counterId, label) -> live[0]++);
        assertEquals(capacity - 1, live[0], "a set that did not fit frees what it took");
    }

    @Test
    void shouldLetAnotherThreadReadThroughTheCloseAndTheUnmapOfItsStatusFile() throws Exception
    {
        // A reader on another thread (a metrics registry) reads while the owner closes the set and the status file:
        // every read gives a value no older than the last written, and none touches the file once it is unmapped
        // (that would crash the JVM, not throw).
        for (int round = 0; round < 200; round++)
        {
            final StatusFile file = StatusFile.create(
                tempDir.resolve("r" + round), "r", 64, 64 * 1024, new CachedEpochClock(), false);
            final CounterSet<LayerCounter> layer = new CounterSet<>(file.countersManager(), LayerCounter.class);
            layer.get(LayerCounter.TOPICS_DECLARED).set(round);
            final AtomicBoolean isReading = new AtomicBoolean(true);
            final long[] lastRead = {-1};
            final Thread reader = new Thread(() ->
            {
                do
                {
                    lastRead[0] = layer.value(LayerCounter.TOPICS_DECLARED);
                }
                while (isReading.get());
            });
            reader.start();
            layer.close();
            file.close();
            isReading.set(false);
            reader.join();
            assertEquals(round, lastRead[0]);
            assertEquals(round, layer.value(LayerCounter.TOPICS_DECLARED));
        }
    }
}
