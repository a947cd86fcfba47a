package io.raet4j.bench.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerProcessTest
{
    @Test
    void shouldFindNothingForAServerThatIsNotInstalled()
    {
        assertTrue(ServerProcess.find("raet4j-no-such-server").isEmpty());
    }

    @Test
    void shouldOfferALoopbackPortThatCanBeBound() throws Exception
    {
        final int port = ServerProcess.freePort();

        assertTrue(port > 0 && port < 65_536, () -> "port " + port);
    }
}
