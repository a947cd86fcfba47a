package io.raet4j.examples;

import io.raet4j.pubsub.Reply;
import io.raet4j.reactive.Publication;
import io.raet4j.reactive.TopicPublisher;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import org.reactivestreams.FlowAdapters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code rxjava}: the {@code reactor} example's pipeline in RxJava 3 ({@link ReactiveExample} for the estates): two
 * topic patterns as Flow publishers ({@link TopicPublisher}, adapted with Reactive Streams' {@link FlowAdapters}),
 * merged, parsed, each temperature converted through the {@code svc.convert} responder with a timeout and retries,
 * and the fastest of the {@code svc.quote} responders.
 * <p>
 * Threading: the estates' duty cycles on threads of their own, the pipeline on RxJava's; this command's thread
 * waits for the pipeline.
 */
final class RxJavaCommand implements Command, ReactiveExample.Pipeline
{
    private long timeoutMs;
    private Flowable<Publication> temperatures;
    private Flowable<Publication> humidities;

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return "rxjava";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String summary()
    {
        return "the reactor example's pipeline in RxJava 3";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String usage()
    {
        return "usage: java -jar raet4j.jar rxjava [--timeout-ms MS] [--dir DIR]\n" +
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
        temperatures = Flowable.fromPublisher(
            FlowAdapters.toPublisher(TopicPublisher.subscribe(mesh.app, "sensor.*.temp")));
        humidities = Flowable.fromPublisher(
            FlowAdapters.toPublisher(TopicPublisher.subscribe(mesh.app, "sensor.*.humidity")));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Reply run(final ReactiveMesh mesh, final ReactiveExample.Stats stats) throws Exception
    {
        Flowable.merge(temperatures, humidities)
            .take(ReactiveExample.READINGS)
            .map((publication) -> ReactiveMesh.reading(publication.payload()))
            .doOnNext(stats::onReading)
            .filter(ReactiveMesh.Reading::isTemperature)
            .concatMapSingle((reading) -> convert(mesh, reading)
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .doOnError((ex) ->
                {
                    if (ex instanceof TimeoutException)
                    {
                        stats.timeouts.incrementAndGet();
                    }
                })
                .retry((attempt, ex) ->
                {
                    final boolean isRetried = attempt <= ReactiveExample.MAX_RETRIES;
                    if (isRetried)
                    {
                        stats.retries.incrementAndGet();
                    }
                    return isRetried;
                })
                .map((reply) -> stats.onConversion(reading, new String(reply.payload(), StandardCharsets.US_ASCII))))
            .timeout(60, TimeUnit.SECONDS)
            .blockingSubscribe();

        // The fastest of several responders: every reply as it comes, the first one kept.
        final AtomicReference<CompletableFuture<Integer>> gathered = new AtomicReference<>();
        final Reply fastest = Flowable.<Reply>create((emitter) -> gathered.set(mesh.requests.requestAll(mesh.quote,
                ReactiveMesh.ascii("ACME"), 0, 4, TimeUnit.SECONDS.toNanos(5), emitter::onNext)
                .whenComplete((count, ex) -> emitter.onComplete())), BackpressureStrategy.BUFFER)
            .firstOrError()
            .timeout(30, TimeUnit.SECONDS)
            .blockingGet();
        stats.quotes = gathered.get().get(30, TimeUnit.SECONDS);
        return fastest;
    }

    private static Single<Reply> convert(final ReactiveMesh mesh, final ReactiveMesh.Reading reading)
    {
        final String celsius = String.format(Locale.ROOT, "%.1f", reading.value());
        // Deferred: each retry makes a new request.
        return Single.defer(() -> Single.fromCompletionStage(mesh.requests.request(
            mesh.convert, ReactiveMesh.ascii(celsius), 0, celsius.length(), TimeUnit.SECONDS.toNanos(5))));
    }
}
