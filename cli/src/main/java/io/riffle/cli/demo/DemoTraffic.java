package io.riffle.cli.demo;

import io.riffle.schemas.Label;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces the demo's traffic at a steady rate: synthetic transactions (a small share of them
 * corrupt on purpose, to show dead letters), and each transaction's label after a delay, as
 * chargebacks arrive. Counts only what Kafka acknowledged, so the totals reconcile.
 */
final class DemoTraffic implements AutoCloseable {

    private final TransactionGenerator generator;
    private final String eventsTopic;
    private final String labelsTopic;
    private final double eventsPerSecond;
    private final double badRecordRate;
    private final long labelDelayMs;
    private final AckedProducer producer;
    private final AvroSerde<Transaction> events = AvroSerde.of(Transaction.class);
    private final AvroSerde<Label> labels = AvroSerde.of(Label.class);
    private final Random random;
    private final Set<String> fraudIds = ConcurrentHashMap.newKeySet();

    private final AtomicLong eventsAcked = new AtomicLong();
    private final AtomicLong badAcked = new AtomicLong();
    private final AtomicLong labelsAcked = new AtomicLong();
    private volatile boolean running;
    /** Set by the demo's thread, applied by the traffic thread (the generator is not thread-safe). */
    private volatile boolean driftRequested;
    private Thread thread;

    private record PendingLabel(long due, Label label) {}

    DemoTraffic(String bootstrapServers, String eventsTopic, String labelsTopic, long seed, int cards,
                double eventsPerSecond, double badRecordRate, Duration labelDelay) {
        this.generator = new TransactionGenerator(seed, cards);
        this.eventsTopic = eventsTopic;
        this.labelsTopic = labelsTopic;
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.eventsPerSecond = eventsPerSecond;
        this.badRecordRate = badRecordRate;
        this.labelDelayMs = labelDelay.toMillis();
        this.producer = new AckedProducer(bootstrapServers, "riffle-demo-traffic");
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "riffle-demo-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        PriorityQueue<PendingLabel> pending = new PriorityQueue<>((a, b) -> Long.compare(a.due(), b.due()));
        long started = System.currentTimeMillis();
        long sent = 0;
        while (running) {
            if (driftRequested && !generator.newFraudIntroduced()) {
                generator.introduceNewFraud();
            }
            long now = System.currentTimeMillis();
            long due = (long) ((now - started) * eventsPerSecond / 1000.0);
            for (; sent < due && running; sent++) {
                sendEvent(now, pending);
            }
            while (!pending.isEmpty() && pending.peek().due() <= now) {
                Label label = pending.poll().label();
                send(labelsTopic, label.getEventId(), labels.encode(label), labelsAcked);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void sendEvent(long now, PriorityQueue<PendingLabel> pending) {
        if (random.nextDouble() < badRecordRate) {
            byte[] garbage = ("corrupt record #" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
            send(eventsTopic, "corrupt", garbage, badAcked);
            return;
        }
        GeneratedEvent generated = generator.next(now);
        Transaction t = generated.transaction();
        if (generated.fraud()) {
            fraudIds.add(t.getEventId());
        }
        send(eventsTopic, t.getCardId(), events.encode(t), eventsAcked);
        long delay = labelDelayMs / 2 + (labelDelayMs <= 0 ? 0 : (long) (random.nextDouble() * labelDelayMs));
        pending.add(new PendingLabel(now + delay, new Label(t.getEventId(), generated.fraud() ? 1 : 0, now + delay, null)));
    }

    private void send(String topic, String key, byte[] value, AtomicLong acked) {
        producer.send(topic, key, value, acked, null);
    }

    /** From now on a new kind of fraud appears in the traffic (the models have never seen it). */
    void introduceNewFraud() {
        driftRequested = true;
    }

    /** Stops producing and waits until every record sent has been acknowledged or has failed. */
    void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.flush();
    }

    /** Events Kafka acknowledged, the corrupt ones included: each must end as a score or a dead letter. */
    long eventsIn() {
        return eventsAcked.get() + badAcked.get();
    }

    long corruptIn() {
        return badAcked.get();
    }

    long labelsIn() {
        return labelsAcked.get();
    }

    long sendFailures() {
        return producer.failures();
    }

    boolean isFraud(String eventId) {
        return fraudIds.contains(eventId);
    }

    long fraudEvents() {
        return fraudIds.size();
    }

    @Override
    public void close() {
        stop();
        producer.close();
    }
}
