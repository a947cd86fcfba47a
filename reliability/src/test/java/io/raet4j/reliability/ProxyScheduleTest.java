package io.raet4j.reliability;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyScheduleTest
{
    @Test
    void shouldReadOutagesOfBothDirectionsAndOfOneSortedByStart()
    {
        final ProxySchedule schedule = ProxySchedule.parse("down:t2c@20s+2s, down@5s+8s");

        assertEquals(List.of(
            new ProxySchedule.Outage(null, Duration.ofSeconds(5), Duration.ofSeconds(8)),
            new ProxySchedule.Outage(Direction.TARGET_TO_CLIENT, Duration.ofSeconds(20), Duration.ofSeconds(2))),
            schedule.outages());
        assertEquals(Duration.ofSeconds(22), schedule.end());
        assertEquals("down@5s+8s,down:t2c@20s+2s", schedule.toString());
    }

    @Test
    void shouldReadDurationsInMillisecondsSecondsAndMinutes()
    {
        assertEquals(Duration.ofMillis(500), ProxySchedule.parseDuration("500ms"));
        assertEquals(Duration.ofMillis(2500), ProxySchedule.parseDuration("2.5s"));
        assertEquals(Duration.ofMinutes(2), ProxySchedule.parseDuration("2m"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parseDuration("5"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parseDuration("-1s"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parseDuration("5h"));
    }

    @Test
    void shouldTreatABlankScheduleAsNoOutage()
    {
        assertTrue(ProxySchedule.parse(" ").outages().isEmpty());
        assertEquals(Duration.ZERO, ProxySchedule.parse("").end());
    }

    @Test
    void shouldRefuseMalformedItems()
    {
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("up@5s+1s"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("down@5s"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("down:both@5s+1s"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("down@5s+0s"));
    }

    @Test
    void shouldRefuseOverlappingOutagesOfADirectionButAllowOtherDirectionsToOverlap()
    {
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("down@5s+8s,down@10s+1s"));
        assertThrows(IllegalArgumentException.class, () -> ProxySchedule.parse("down@5s+8s,down:c2t@10s+1s"));
        assertEquals(2, ProxySchedule.parse("down:c2t@5s+8s,down:t2c@10s+1s").outages().size());
        assertEquals(2, ProxySchedule.parse("down@5s+5s,down@10s+1s").outages().size(), "back to back is fine");
    }
}
