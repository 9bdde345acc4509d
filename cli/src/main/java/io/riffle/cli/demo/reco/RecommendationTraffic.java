package io.riffle.cli.demo.reco;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces the recommendations demo's traffic at a steady rate: {@link InteractionGenerator}'s
 * interactions, keyed by shopper, in Avro single-object encoding with the pipeline file's event
 * schema ({@code pipelines/recommendations.avsc}), event time = wall-clock time of sending. No
 * labels: the pipeline takes them from each shopper's next event. Counts only what Kafka
 * acknowledged, so the totals reconcile.
 */
public final class RecommendationTraffic implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecommendationTraffic.class);

    private final InteractionGenerator generator;
    private final String eventsTopic;
    private final Schema schema;
    private final BinaryMessageEncoder<GenericRecord> encoder;
    private final double eventsPerSecond;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong eventsAcked = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile boolean running;
    /** Set by the demo's thread, applied by the traffic thread (the generator is not thread-safe). */
    private volatile long shiftRequestedAtMs = Long.MAX_VALUE;
    private Thread thread;

    /**
     * @param schema the Interaction record schema of the pipeline file
     * @param shoppers e.g. 20,000 for 1,000-2,000 events/s (see {@link InteractionGenerator})
     * @param items catalogue size, at least 1,000 for the demo
     */
    public RecommendationTraffic(String bootstrapServers, String eventsTopic, Schema schema, long seed, int shoppers,
                                 int items, double eventsPerSecond) {
        this.generator = new InteractionGenerator(seed, shoppers, items, eventsPerSecond);
        this.eventsTopic = eventsTopic;
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
        this.eventsPerSecond = eventsPerSecond;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-demo-recommendations");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The catalogue's item ids: the class labels a model over it ranks. */
    public List<String> itemIds() {
        return generator.catalogue().itemIds();
    }

    /** The category that becomes popular at the shift. */
    public String shiftCategory() {
        return generator.shiftCategory();
    }

    public void start() {
        running = true;
        thread = new Thread(this::run, "riffle-demo-recommendations");
        thread.setDaemon(true);
        thread.start();
    }

    /** The taste shift starts with the sessions opened from {@code timeMs} (wall-clock event time) on. */
    public void shiftAt(long timeMs) {
        shiftRequestedAtMs = timeMs;
    }

    private void run() {
        long started = System.currentTimeMillis();
        long sent = 0;
        while (running) {
            if (shiftRequestedAtMs != generator.shiftAtMs()) {
                generator.shiftAt(shiftRequestedAtMs);
            }
            long now = System.currentTimeMillis();
            long due = (long) ((now - started) * eventsPerSecond / 1000.0);
            for (; sent < due && running; sent++) {
                Interaction interaction = generator.next(now);
                send(interaction.userId(), encode(interaction));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private byte[] encode(Interaction interaction) {
        try {
            ByteBuffer buffer = encoder.encode(interaction.toRecord(schema));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode interaction " + interaction.eventId(), e);
        }
    }

    private void send(String key, byte[] value) {
        producer.send(new ProducerRecord<>(eventsTopic, key.getBytes(StandardCharsets.UTF_8), value), (meta, error) -> {
            if (error == null) {
                eventsAcked.incrementAndGet();
            } else if (sendFailures.incrementAndGet() == 1) {
                LOG.warn("Kafka refused a demo interaction on {}: {}", eventsTopic, error.getMessage());
            }
        });
    }

    /** Stops producing and waits until every record sent has been acknowledged or has failed. */
    public void stop() {
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

    /** Events Kafka acknowledged: each must end as a score or a dead letter. */
    public long eventsIn() {
        return eventsAcked.get();
    }

    public long sendFailures() {
        return sendFailures.get();
    }

    @Override
    public void close() {
        stop();
        producer.close(Duration.ofSeconds(5));
    }
}
