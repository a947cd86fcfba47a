package io.raet4j.examples.guide;

import io.raet4j.transactions.JoinFailure;
import io.raet4j.transactions.JoinHandler;
import io.raet4j.transactions.Stack;
import io.raet4j.transactions.StackContext;
import io.raet4j.transport.Context;

import java.net.InetSocketAddress;

public class Acceptance
{
    public static void main(final String[] args)
    {
        try (Stack alpha = Stack.launch(new Context().name("alpha").bindAddress("127.0.0.1:0"));
            Stack beta = Stack.launch(new StackContext(new Context().name("beta").bindAddress("127.0.0.1:0"))
                .acceptPolicy("never")))                     // an operator accepts each new estate
        {
            final JoinFailure[] pending = new JoinFailure[1];
            beta.addJoinHandler(new JoinHandler()
            {
                public void onJoinFailed(final long correlationId, final JoinFailure failure)
                {
                    System.out.println("beta's join failed: " + failure.message());
                }

                public void onJoinRefused(final JoinFailure refusal)   // beta refused a join: tell its operator
                {
                    pending[0] = refusal;
                }
            });
            final byte[] betaKey = beta.signingKey();        // learnt out of band, e.g. from `raet4j.jar keys`

            alpha.join("127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort(), betaKey); // key pinned
            while (null == pending[0])
            {
                alpha.doWork();
                beta.doWork();
            }
            System.out.println("beta refused " + pending[0].peerName() + ": " + pending[0].reason());
            System.out.println("beta's operator accepts alpha: " + beta.accept("alpha"));

            while (!alpha.isJoined(beta.estateId()))         // alpha's join, still retrying, now succeeds
            {
                alpha.doWork();
                beta.doWork();
            }
            System.out.println("alpha joined beta");
        }
    }
}
