package io.riffle.cli.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.schemas.Label;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a {@link History} to the pipeline's topics as it would have arrived live: event i at
 * {@code start + i / rate} (key = its entity), and its label {@code labelDelay} after the event
 * was sent (key = event id), as a JSON object of the pipeline's label fields only (or an Avro
 * {@code Label} when the pipeline reads Avro labels). A label
 * therefore takes its time from when it is sent, as a live label does (the trainer's window is
 * measured in label time). Runs on its own thread; {@link #stop()} ends it early.
 */
public final class ReplayProducer implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record PendingLabel(long dueNanos, String eventId, int label) { }

    private final History history;
    private final String eventsTopic;
    private final String labelsTopic;
    private final boolean avroLabels;
    private final AvroSerde<Label> labelSerde = AvroSerde.of(Label.class);
    private final String labelIdField;
    private final String labelField;
    private final double rate;
    private final long labelDelayNanos;
    private final Map<String, Object> producerProperties;

    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong labelsSent = new AtomicLong();
    private volatile boolean stopped;
    private volatile boolean finished;
    private volatile Exception failure;

    /**
     * @param clientProperties the pipeline file's Kafka properties (security settings)
     * @param rate events per second
     */
    public ReplayProducer(History history, String bootstrapServers, Map<String, String> clientProperties,
                          String eventsTopic, String labelsTopic, boolean avroLabels, String labelIdField,
                          String labelField, double rate, Duration labelDelay) {
        this.history = history;
        this.eventsTopic = eventsTopic;
        this.labelsTopic = labelsTopic;
        this.avroLabels = avroLabels;
        this.labelIdField = labelIdField;
        this.labelField = labelField;
        this.rate = rate;
        this.labelDelayNanos = labelDelay.toNanos();
        this.producerProperties = new HashMap<>(clientProperties);
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProperties.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-replay");
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    }

    @Override
    public void run() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            ArrayDeque<PendingLabel> labels = new ArrayDeque<>();   // due times only grow: a FIFO is in order
            long start = System.nanoTime();
            int n = history.size();
            for (int i = 0; i < n && !stopped && failure == null; i++) {
                long due = start + (long) (i * 1e9 / rate);
                waitUntil(due, labels, producer);
                History.Event e = history.events().get(i);
                producer.send(new ProducerRecord<>(eventsTopic, e.key().getBytes(StandardCharsets.UTF_8), e.json()),
                        (meta, error) -> fail(error));
                eventsSent.incrementAndGet();
                Integer label = history.label(e.id());
                if (label != null) {
                    labels.add(new PendingLabel(System.nanoTime() + labelDelayNanos, e.id(), label));
                }
            }
            while (!labels.isEmpty() && !stopped && failure == null) {
                waitUntil(labels.peek().dueNanos(), labels, producer);
                sendDueLabels(labels, producer);
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            finished = true;
        }
    }

    /** Sends the labels that are due until {@code nanos}, then parks until it. */
    private void waitUntil(long nanos, ArrayDeque<PendingLabel> labels, KafkaProducer<byte[], byte[]> producer) {
        while (!stopped) {
            sendDueLabels(labels, producer);
            long now = System.nanoTime();
            if (now >= nanos) {
                return;
            }
            long next = labels.isEmpty() ? nanos : Math.min(nanos, labels.peek().dueNanos());
            LockSupport.parkNanos(Math.max(0, next - now));
        }
    }

    private void sendDueLabels(ArrayDeque<PendingLabel> labels, KafkaProducer<byte[], byte[]> producer) {
        long now = System.nanoTime();
        while (!labels.isEmpty() && labels.peek().dueNanos() <= now) {
            PendingLabel l = labels.poll();
            producer.send(new ProducerRecord<>(labelsTopic, l.eventId().getBytes(StandardCharsets.UTF_8),
                            encode(l.eventId(), l.label())),
                    (meta, error) -> fail(error));
            labelsSent.incrementAndGet();
        }
    }

    /** The label as the pipeline reads it: an Avro {@link Label} timed now, or JSON of the file's label fields. */
    private byte[] encode(String eventId, int label) {
        if (avroLabels) {
            return labelSerde.encode(new Label(eventId, label, System.currentTimeMillis(), null));
        }
        ObjectNode o = JSON.createObjectNode();
        o.put(labelIdField, eventId);
        o.put(labelField, label);
        try {
            return JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void fail(Exception error) {
        if (error != null && failure == null) {
            failure = error;
        }
    }

    public long eventsSent() {
        return eventsSent.get();
    }

    public long labelsSent() {
        return labelsSent.get();
    }

    /** Every event and label was sent (or it stopped, or failed). */
    public boolean finished() {
        return finished;
    }

    /** The first send that failed, or null. */
    public Exception failure() {
        return failure;
    }

    public void stop() {
        stopped = true;
    }
}
