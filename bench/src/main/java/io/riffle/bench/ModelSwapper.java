package io.riffle.bench;

import io.riffle.modelops.registry.ModelPublisher;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/** Publishes a new fraud model version every interval while the Riffle job runs, noting when each went out. */
final class ModelSwapper implements AutoCloseable {
    private final ModelPublisher registry;
    private final Duration every;
    private final Map<Integer, Long> published = new ConcurrentSkipListMap<>();
    private final Thread thread;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile RuntimeException failure;
    private volatile int next;
    private final int firstVersion;

    ModelSwapper(ModelPublisher registry, int firstVersion, Duration every) {
        this.registry = registry;
        this.every = every;
        this.next = firstVersion;
        this.firstVersion = firstVersion;
        this.thread = new Thread(this::run, "riffle-bench-model-swapper");
        thread.setDaemon(true);
    }

    /** The first version this swapper publishes: lower ones were published before its phase. */
    int firstVersion() {
        return firstVersion;
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            // Never interrupted while publishing: an interrupted KafkaProducer send fails.
            while (!stop.await(every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                var mv = BenchModels.fraud(next);
                long at = System.currentTimeMillis();
                registry.publish(mv);
                published.put(next, at);
                next++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Version → epoch ms just before it was handed to the producer. */
    Map<Integer, Long> published() {
        return published;
    }

    /** The next version number this swapper would publish. */
    int nextVersion() {
        return next;
    }

    RuntimeException failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        thread.join(30_000);
    }
}
