package io.raet4j.transactions;

import io.raet4j.transactions.estate.LocalEstate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The credit a stack grants each peer is bounded by what its socket can hold unread, with the kernel's per-datagram
 * charge (measured on Linux loopback: 2,304 B for a 1,408 B datagram, 832 B for 60 B, 16,640 B for 8,192 B).
 */
class ReceiveCreditTest
{
    @Test
    void shouldGrantTheWholeWindowWhenTheSocketHoldsIt()
    {
        // 4 MiB asked for, 8 MiB reported: 3/4 of it holds 2,656 datagrams of 1,408 B at 2,368 B each.
        assertEquals(2048, LocalEstate.receiveCredit(8 * 1024 * 1024, 1408, StackContext.RECEIVE_WINDOW_DEFAULT));
    }

    @Test
    void shouldBoundCreditByTheSocketOnAnUntunedKernel()
    {
        // net.core.rmem_max at its usual 208 KiB: 425,984 B reported, room for 184 datagrams of 1,408 B measured;
        // 3/4 of the estimate is granted.
        assertEquals(134, LocalEstate.receiveCredit(425_984, 1408, StackContext.RECEIVE_WINDOW_DEFAULT));
        // Jumbo segments cost twice their size: 8 KiB datagrams at 16,704 B each.
        assertEquals(376, LocalEstate.receiveCredit(8 * 1024 * 1024, 8192, StackContext.RECEIVE_WINDOW_DEFAULT));
    }

    @Test
    void shouldNeverGrantLessThanTheMinimumNorBoundAMediaThatDoesNotDrop()
    {
        assertEquals(16, LocalEstate.receiveCredit(16 * 1024, 1408, StackContext.RECEIVE_WINDOW_DEFAULT));
        assertEquals(StackContext.RECEIVE_WINDOW_DEFAULT,
            LocalEstate.receiveCredit(0, 1408, StackContext.RECEIVE_WINDOW_DEFAULT));
    }
}
