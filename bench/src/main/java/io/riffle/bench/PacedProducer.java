package io.riffle.bench;

import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces the latency phase's events: a trickle until the job's first output shows it is up,
 * then {@code rate} events/s for warm-up plus the measured time. Events from
 * {@link #measuredFrom()} on are the measured ones.
 */
final class PacedProducer {
    private static final long TRICKLE_PER_S = 200;

    private final String bootstrapServers;
    private final String topic;
    private final double rate;
    private final Duration warmup;
    private final Duration measured;
    private final int cards;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean up;
    private volatile boolean done;
    private volatile boolean stopped;
    private volatile long measuredFrom = Long.MAX_VALUE;

    PacedProducer(String bootstrapServers, String topic, double rate, Duration warmup, Duration measured, int cards) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.rate = rate;
        this.warmup = warmup;
        this.measured = measured;
        this.cards = cards;
        this.thread = new Thread(this::run, "riffle-bench-paced-producer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void jobUp() {
        up = true;
    }

    private void run() {
        AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
        try (KafkaProducer<byte[], byte[]> producer = BenchEvents.producer(bootstrapServers)) {
            long i = 0;
            while (!up && !stopped) {
                BenchEvents.send(producer, serde, topic, BenchRun.LATENCY_PREFIX, i++, cards, failure);
                producer.flush();
                Thread.sleep(1000 / TRICKLE_PER_S);
                sent.set(i);
            }
            long warmupEvents = (long) (rate * warmup.toMillis() / 1000.0);
            long total = (long) (rate * (warmup.toMillis() + measured.toMillis())
                    / 1000.0);
            measuredFrom = i + warmupEvents;
            long base = i;
            long t0 = System.nanoTime();
            while (i - base < total && !stopped) {
                long due = Math.min(total, (long) ((System.nanoTime() - t0) / 1e9 * rate));
                while (i - base < due) {
                    BenchEvents.send(producer, serde, topic, BenchRun.LATENCY_PREFIX, i++, cards, failure);
                }
                sent.set(i);
                Thread.sleep(1);
            }
            producer.flush();
            sent.set(i);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        } finally {
            done = true;
        }
    }

    boolean done() {
        return done;
    }

    long sent() {
        return sent.get();
    }

    long measuredFrom() {
        return measuredFrom;
    }

    Exception failure() {
        return failure.get();
    }

    void stop() throws InterruptedException {
        stopped = true;
        thread.join(30_000);
    }
}
