package io.riffle.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.cli.demo.reco.Interaction;
import io.riffle.cli.demo.reco.InteractionGenerator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Produces the recommendations demo's traffic at a steady rate: shoppers' views and purchases
 * ({@link InteractionGenerator}) keyed by user, in the pipeline file's event format (Avro
 * single-object encoding of its schema, or JSON), a small share of them corrupt on
 * purpose (dead letters). There is no labels topic: what a user does next is the label. Counts
 * only what Kafka acknowledged, so the totals reconcile; each acknowledged interaction is also
 * handed to {@code sent} (the live recall measurement needs the users' next items).
 */
final class ShopTraffic implements AutoCloseable {

    private final InteractionGenerator generator;
    private final String eventsTopic;
    private final double eventsPerSecond;
    private final double badRecordRate;
    private final AckedProducer producer;
    private final ObjectMapper json = new ObjectMapper();
    /** Null when the events are JSON. */
    private final BinaryMessageEncoder<GenericRecord> avro;
    private final Schema schema;
    private final Random random;
    private final Consumer<Interaction> sent;

    private final AtomicLong eventsAcked = new AtomicLong();
    private final AtomicLong badAcked = new AtomicLong();
    private volatile boolean running;
    /** Set by the demo's thread, applied by the traffic thread (the generator is not thread-safe). */
    private volatile long shiftRequestedAt = Long.MIN_VALUE;
    private Thread thread;

    /** @param avroSchema the events' schema when they are Avro, null for JSON */
    ShopTraffic(String bootstrapServers, String eventsTopic, Schema avroSchema, InteractionGenerator generator,
                double eventsPerSecond, double badRecordRate, long seed, Consumer<Interaction> sent) {
        this.schema = avroSchema;
        this.avro = avroSchema == null ? null : new BinaryMessageEncoder<>(GenericData.get(), avroSchema);
        this.generator = generator;
        this.eventsTopic = eventsTopic;
        this.eventsPerSecond = eventsPerSecond;
        this.badRecordRate = badRecordRate;
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.sent = sent;
        this.producer = new AckedProducer(bootstrapServers, "riffle-demo-shop-traffic");
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "riffle-demo-shop-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long started = System.currentTimeMillis();
        long produced = 0;
        boolean shifted = false;
        while (running) {
            long now = System.currentTimeMillis();
            if (!shifted && shiftRequestedAt != Long.MIN_VALUE) {
                generator.shiftAt(shiftRequestedAt);
                shifted = true;
            }
            long due = (long) ((now - started) * eventsPerSecond / 1000.0);
            for (; produced < due && running; produced++) {
                sendOne(now);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void sendOne(long now) {
        if (random.nextDouble() < badRecordRate) {
            byte[] garbage = ("corrupt record #" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
            send("corrupt", garbage, badAcked, null);
            return;
        }
        Interaction i = generator.next(now);
        byte[] value;
        try {
            value = avro != null ? toArray(avro.encode(i.toRecord(schema))) : json.writeValueAsBytes(i);
        } catch (java.io.IOException | RuntimeException e) {
            // Strings and numbers always encode; count it as a failure if not.
            producer.failed("Could not encode interaction " + i.eventId() + ": " + e.getMessage());
            return;
        }
        send(i.userId(), value, eventsAcked, i);
    }

    private static byte[] toArray(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private void send(String key, byte[] value, AtomicLong acked, Interaction interaction) {
        producer.send(eventsTopic, key, value, acked, interaction == null ? null : () -> sent.accept(interaction));
    }

    /** From event time {@code timeMs} on, the generator's taste shift applies. */
    void shiftAt(long timeMs) {
        shiftRequestedAt = timeMs;
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

    long sendFailures() {
        return producer.failures();
    }

    @Override
    public void close() {
        stop();
        producer.close();
    }
}
