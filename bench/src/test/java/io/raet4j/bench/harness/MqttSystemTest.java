package io.raet4j.bench.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MqttSystemTest
{
    @Test
    void shouldConfigureMosquittoOnLoopbackOnlyWithoutDroppingForASlowSubscriber()
    {
        final List<String> lines = List.of(MqttSystem.mosquittoConfig(18_830).split("\n"));

        assertTrue(lines.contains("listener 18830 127.0.0.1"), lines::toString);
        assertTrue(lines.contains("allow_anonymous true"), lines::toString);
        assertTrue(lines.contains("persistence false"), lines::toString);
        assertTrue(lines.contains("max_queued_messages 0"), lines::toString);
        assertTrue(lines.contains("set_tcp_nodelay true"), lines::toString);
        assertTrue(lines.stream().filter((line) -> line.startsWith("listener")).count() == 1, lines::toString);
    }

    @Test
    void shouldRefuseAPortOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> MqttSystem.mosquittoConfig(0));
        assertThrows(IllegalArgumentException.class, () -> MqttSystem.mosquittoConfig(65_536));
    }

    @Test
    void shouldRefuseAQosOtherThanZeroOrOne()
    {
        assertThrows(IllegalArgumentException.class, () -> new MqttSystem(1883, 2, "mosquitto"));
    }
}
