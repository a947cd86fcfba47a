package io.raet4j.examples;

import io.raet4j.pubsub.Reply;
import io.raet4j.reactive.Publication;
import io.raet4j.reactive.TopicPublisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code reactor}: a Project Reactor pipeline over raet4j topics ({@link ReactiveExample} for the estates). It fans in
 * two topic patterns as Flow publishers ({@link TopicPublisher}, adapted with {@link JdkFlowAdapter}), parses the
 * readings, converts each temperature by calling the {@code svc.convert} responder with a timeout and retries (the
 * converter stalls once, so some calls time out), and asks every {@code svc.quote} responder, keeping the fastest
 * reply.
 * <p>
 * Threading: the estates' duty cycles on threads of their own, the pipeline on Reactor's; this command's thread
 * waits for the pipeline.
 */
final class ReactorCommand implements Command, ReactiveExample.Pipeline
{
    private long timeoutMs;
    private Flux<Publication> temperatures;
    private Flux<Publication> humidities;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "reactor";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "a Project Reactor pipeline over raet4j topics: fan-in, transform, request with timeout and retry";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar reactor [--timeout-ms MS] [--dir DIR]\n" +
            "  --timeout-ms MS      how long the pipeline waits for a conversion before it retries (default 300)\n" +
            "  --dir DIR            parent of the stacks' status directories\n" +
            ReactiveExample.DESCRIPTION +
            "Prints each conversion, then " + ReactiveExample.RESULT + "\n";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int run(final Args args, final PrintStream out, final PrintStream err)
    {
        timeoutMs = args.number("--timeout-ms", 300L, 10, 60_000);
        final ReactiveExample example = new ReactiveExample(Main.statusParent(args));
        args.requireAllUsed();
        return example.run(out, this);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void subscribe(final ReactiveMesh mesh)
    {
        temperatures = JdkFlowAdapter.flowPublisherToFlux(TopicPublisher.subscribe(mesh.app, "sensor.*.temp"));
        humidities = JdkFlowAdapter.flowPublisherToFlux(TopicPublisher.subscribe(mesh.app, "sensor.*.humidity"));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Reply run(final ReactiveMesh mesh, final ReactiveExample.Stats stats) throws Exception
    {
        Flux.merge(temperatures, humidities)
            .take(ReactiveExample.READINGS)
            .map((publication) -> ReactiveMesh.reading(publication.payload()))
            .doOnNext(stats::onReading)
            .filter(ReactiveMesh.Reading::isTemperature)
            .concatMap((reading) -> convert(mesh, reading)
                .timeout(Duration.ofMillis(timeoutMs))
                .doOnError(TimeoutException.class, (ex) -> stats.timeouts.incrementAndGet())
                .retryWhen(Retry.max(ReactiveExample.MAX_RETRIES)
                    .doBeforeRetry((signal) -> stats.retries.incrementAndGet()))
                .map((reply) -> stats.onConversion(reading, new String(reply.payload(), StandardCharsets.US_ASCII))))
            .blockLast(Duration.ofSeconds(60));

        // The fastest of several responders: every reply as it comes, the first one kept.
        final AtomicReference<CompletableFuture<Integer>> gathered = new AtomicReference<>();
        final Reply fastest = Flux.<Reply>create((sink) -> gathered.set(mesh.requests.requestAll(mesh.quote,
                ReactiveMesh.ascii("ACME"), 0, 4, TimeUnit.SECONDS.toNanos(5), sink::next)
                .whenComplete((count, ex) -> sink.complete())))
            .next()
            .block(Duration.ofSeconds(30));
        stats.quotes = gathered.get().get(30, TimeUnit.SECONDS);
        return fastest;
    }

    private static Mono<Reply> convert(final ReactiveMesh mesh, final ReactiveMesh.Reading reading)
    {
        final String celsius = String.format(Locale.ROOT, "%.1f", reading.value());
        // Deferred: each retry makes a new request.
        return Mono.defer(() -> Mono.fromFuture(mesh.requests.request(
            mesh.convert, ReactiveMesh.ascii(celsius), 0, celsius.length(), TimeUnit.SECONDS.toNanos(5))));
    }
}
