package io.raet4j.micrometer.guide;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raet4j.micrometer.RaetMetrics;
import io.raet4j.transactions.Stack;
import io.raet4j.transport.Context;

public class MetricsStart
{
    public static void main(final String[] args)
    {
        final MeterRegistry registry = new SimpleMeterRegistry();     // the application's: Prometheus, OTLP, JMX...
        try (Stack stack = Stack.launch(new Context().name("alpha").bindAddress("127.0.0.1:0"));
            RaetMetrics metrics = new RaetMetrics(stack, Tags.of("service", "orders")))
        {
            metrics.bindTo(registry);
            stack.doWork();
            System.out.println(registry.get("raet4j.transport.duty.cycles").tag("service", "orders")
                .functionCounter().count());                           // 1.0
        }
    }
}
