package io.riffle.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EmbeddedKafkaITCase {

    @Test
    void producesAndConsumesAcrossTwoPartitions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            kafka.createTopic("events", 2, Map.of());
            kafka.createTopic("events", 2, Map.of()); // idempotent
            kafka.createTopic("models", 1, Map.of("cleanup.policy", "compact"));

            int n = 500;
            try (KafkaProducer<String, String> producer = producer(kafka, null)) {
                for (int i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "v" + i));
                }
                producer.flush();
            }

            List<ConsumerRecord<String, String>> records = consumeAtLeast(kafka, "events", "read_uncommitted", n);
            assertThat(records).hasSize(n);
            assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1).contains(0, 1);
            assertThat(records).extracting(ConsumerRecord::value).doesNotHaveDuplicates();
        }
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("tx", 2, Map.of());
            try (KafkaProducer<String, String> producer = producer(kafka, "riffle-test-tx")) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("tx", "k" + i, "committed-" + i));
                }
                producer.commitTransaction();

                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("tx", "k" + i, "aborted-" + i));
                }
                producer.flush();
                producer.abortTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "last", "committed-last"));
                producer.commitTransaction();
            }

            List<ConsumerRecord<String, String>> records = consumeAtLeast(kafka, "tx", "read_committed", 11);
            assertThat(records).extracting(ConsumerRecord::value)
                    .hasSize(11)
                    .allMatch(v -> v.startsWith("committed-"));
        }
    }

    @Test
    void compactedTopicTakesRecordsOfSeveralMebibytes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("models", 1, Map.of("cleanup.policy", "compact"));
            String big = "x".repeat(8 * 1024 * 1024);
            Properties props = new Properties();
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
            try (KafkaProducer<String, String> producer = producer(kafka, null, props)) {
                producer.send(new ProducerRecord<>("models", "fraud", big)).get();
            }
            List<ConsumerRecord<String, String>> records = consumeAtLeast(kafka, "models", "read_uncommitted", 1);
            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).hasSize(big.length());
        }
    }

    @Test
    void rejectsTransactionTimeoutsAboveFifteenMinutes() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties props = new Properties();
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(3_600_000)); // Flink's default
            try (KafkaProducer<String, String> producer = producer(kafka, "riffle-test-long-tx", props)) {
                assertThatThrownBy(producer::initTransactions).isInstanceOf(KafkaException.class)
                        .hasMessageContaining("transaction.max.timeout.ms");
            }
        }
    }

    @Test
    void closesAndRestartsTwiceInOneJvm() throws Exception {
        for (int round = 0; round < 2; round++) {
            EmbeddedKafka kafka = EmbeddedKafka.start(0);
            try {
                kafka.createTopic("restart", 1, Map.of());
                try (KafkaProducer<String, String> producer = producer(kafka, null)) {
                    producer.send(new ProducerRecord<>("restart", "k", "round-" + round)).get();
                }
                assertThat(consumeAtLeast(kafka, "restart", "read_uncommitted", 1))
                        .extracting(ConsumerRecord::value).containsExactly("round-" + round);
            } finally {
                kafka.close();
                kafka.close(); // idempotent
            }
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId) {
        return producer(kafka, transactionalId, new Properties());
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId,
                                                          Properties overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        }
        props.putAll(overrides);
        return new KafkaProducer<>(props);
    }

    /** Reads from the beginning until {@code expected} records arrived, then polls once more for extras. */
    private static List<ConsumerRecord<String, String>> consumeAtLeast(
            EmbeddedKafka kafka, String topic, String isolation, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic + "-" + isolation);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }
}
