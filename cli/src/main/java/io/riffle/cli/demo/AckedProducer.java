package io.riffle.cli.demo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demos' traffic producer: idempotent, {@code acks=all}, and counting only what Kafka
 * acknowledged, so that what went in reconciles with what comes out. The first refusal is logged;
 * all are counted.
 */
final class AckedProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AckedProducer.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong failures = new AtomicLong();

    AckedProducer(String bootstrapServers, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends; once Kafka acknowledges, counts it in {@code acked} and runs {@code onAck} (may be null). */
    void send(String topic, String key, byte[] value, AtomicLong acked, Runnable onAck) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), (meta, error) -> {
            if (error == null) {
                acked.incrementAndGet();
                if (onAck != null) {
                    onAck.run();
                }
            } else {
                failed("Kafka refused a demo record on " + topic + ": " + error.getMessage());
            }
        });
    }

    /** Counts a record that never reached Kafka; the first such is logged. */
    void failed(String why) {
        if (failures.incrementAndGet() == 1) {
            LOG.warn(why);
        }
    }

    long failures() {
        return failures.get();
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
