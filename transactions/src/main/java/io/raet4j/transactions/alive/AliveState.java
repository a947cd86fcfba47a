package io.raet4j.transactions.alive;

/**
 * Liveness with one remote estate (RAET's aliver): whether an Alive request is due to it, and the answer owed to its
 * own request. Read and written by {@link Aliver} only.
 * <p>
 * <b>Threading:</b> the duty-cycle thread only.
 */
public final class AliveState
{
    boolean isRequestDue;
    long requestNonce;
    boolean isAnswerDue;
    long answerNonce;
    long answerEchoNs;

    /**
     * Ask for an Alive request in the next datagram to the estate; the caller puts the estate in the work list.
     */
    public void request()
    {
        isRequestDue = true;
    }

    /**
     * The nonce of the last Alive request sent, which its AliveAck must echo.
     *
     * @return the nonce.
     */
    public long requestNonce()
    {
        return requestNonce;
    }

    /**
     * Whether an Alive or an AliveAck waits to be sent.
     *
     * @return true if either is due.
     */
    public boolean isDue()
    {
        return isRequestDue || isAnswerDue;
    }
}
