package io.raet4j.examples.guide;

import io.raet4j.transactions.JoinFailure;
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
            final JoinFailure[] failure = new JoinFailure[1];
            alpha.addJoinHandler((correlationId, why) -> failure[0] = why);
            final String betaAddress = "127.0.0.1:" + ((InetSocketAddress)beta.localAddress()).getPort();
            final byte[] betaKey = beta.signingKey();        // learnt out of band, e.g. from `raet4j.jar keys`

            alpha.join(betaAddress, betaKey);                // pinned: only an estate holding this key will do
            while (null == failure[0])
            {
                alpha.doWork();
                beta.doWork();
            }
            System.out.println("join failed: " + failure[0].reason());
            System.out.println("beta's operator accepts alpha: " + beta.accept("alpha"));

            alpha.join(betaAddress, betaKey);
            while (!alpha.isJoined(beta.estateId()))
            {
                alpha.doWork();
                beta.doWork();
            }
            System.out.println("alpha joined beta");
        }
    }
}
