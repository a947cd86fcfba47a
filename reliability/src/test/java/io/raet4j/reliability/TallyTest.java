package io.raet4j.reliability;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TallyTest
{
    private static final String RECV = "{\"received\":%d,\"bytes\":0,\"duplicates\":%d,\"outOfOrder\":0," +
        "\"corrupt\":0,\"estates\":1,\"estateId\":\"1\",\"signingKey\":\"\"}";

    @Test
    void shouldFindNothingWrongWhenEveryMessageSentWasDeliveredAndReceivedOnce()
    {
        final Tally tally = Tally.of(send(300, 300, 0), recv(300, 0));

        assertEquals(List.of(), tally.violations());
        assertEquals(0, tally.receivedWithoutDelivery());
    }

    @Test
    void shouldAllowMessagesThatArrivedAlthoughTheSenderWasToldTheyFailed()
    {
        final Tally tally = Tally.of(send(300, 250, 50), recv(200, 0), recv(60, 0));

        assertEquals(List.of(), tally.violations());
        assertEquals(10, tally.receivedWithoutDelivery());
    }

    @Test
    void shouldReportDeliveredMessagesNoReceiverGotAndMessagesWithoutOutcome()
    {
        final Tally tally = Tally.of(send(300, 290, 0), recv(280, 2)).plusReceived(0);

        assertEquals(List.of(
            "10 messages sent without an outcome (sent 300, delivered 290, failed 0)",
            "12 messages reported delivered that no receiver got (delivered 290, received 278 distinct)",
            "2 duplicates handed to the application"), tally.violations());
    }

    @Test
    void shouldCountWhatAKilledReceiverReportedInItsProgress()
    {
        final Tally tally = Tally.of(send(300, 300, 0), recv(100, 0)).plusReceived(200);

        assertEquals(List.of(), tally.violations());
    }

    private static JsonObject send(final long sent, final long delivered, final long failed)
    {
        return JsonObject.parse("{\"sent\":" + sent + ",\"delivered\":" + delivered + ",\"failed\":" + failed + "}");
    }

    private static JsonObject recv(final long received, final long duplicates)
    {
        return JsonObject.parse(String.format(RECV, received, duplicates));
    }
}
