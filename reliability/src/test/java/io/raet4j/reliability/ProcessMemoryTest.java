package io.raet4j.reliability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProcessMemory} read on this test's own JVM, which runs with the performance counters on (the default).
 */
class ProcessMemoryTest
{
    @Test
    void shouldReadTheResidentSetAndTheHeapOfARunningJvm()
    {
        final ProcessMemory memory = ProcessMemory.of(ProcessHandle.current().pid());

        assertTrue(memory.rssBytes() > 1024 * 1024, memory::toString);
        assertTrue(memory.rssAnonBytes() > 0 && memory.rssAnonBytes() <= memory.rssBytes(), memory::toString);
        assertTrue(memory.heapUsedBytes() > 0, memory::toString);
        assertTrue(memory.heapCommittedBytes() >= memory.heapUsedBytes(), memory::toString);
        assertTrue(memory.heapCommittedBytes() <= Runtime.getRuntime().maxMemory() + 64L * 1024 * 1024,
            memory::toString);
    }

    @Test
    void shouldSayUnknownForAProcessThatDoesNotExist()
    {
        final ProcessMemory memory = ProcessMemory.of(Integer.MAX_VALUE);

        assertEquals(new ProcessMemory(-1, -1, -1, -1), memory);
    }
}
