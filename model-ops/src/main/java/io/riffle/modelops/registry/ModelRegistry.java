package io.riffle.modelops.registry;

import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models topic as a registry. Records are keyed by model name (UTF-8) and hold a {@link
 * ModelVersion} in Avro single-object encoding.
 *
 * <p>Model records can be several MB: the producer allows requests up to {@value #MAX_MESSAGE_BYTES}
 * bytes, and the topic (or broker) needs {@code max.message.bytes} at least as large for big
 * models. Not thread-safe; create one per thread.
 */
public final class ModelRegistry implements ModelsTopic, AutoCloseable {

    /** 64 MiB: the largest model record this client writes or expects to read. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final String bootstrapServers;
    private final String topic;
    private final AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
    private final Map<String, String> clientProperties;
    private KafkaProducer<byte[], byte[]> producer;

    public ModelRegistry(String bootstrapServers, String modelsTopic) {
        this(bootstrapServers, modelsTopic, Map.of());
    }

    /** With extra Kafka client properties (security settings) for its producer and readers. */
    public ModelRegistry(String bootstrapServers, String modelsTopic, Map<String, String> clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = modelsTopic;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    public String topic() {
        return topic;
    }

    /**
     * Every version on the topic, read from the beginning to the end offsets at call time
     * (assigned partitions, no consumer group), in partition then offset order. Records that
     * cannot be decoded, and tombstones, are skipped with a warning.
     *
     * @throws ModelRegistryException if the topic does not exist or is not read in time
     */
    @Override
    public List<ModelVersion> list(Duration timeout) {
        return read(timeout, false);
    }

    private List<ModelVersion> read(Duration timeout, boolean missingTopicIsEmpty) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps())) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, timeout);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new ModelRegistryException("could not read the partitions of topic " + topic + " from "
                        + bootstrapServers + " within " + timeout + ": is Kafka running there?", e);
            }
            if (infos == null || infos.isEmpty()) {
                if (missingTopicIsEmpty) {
                    return List.of();
                }
                throw new ModelRegistryException("topic " + topic + " does not exist on " + bootstrapServers
                        + "; create it (compacted, max.message.bytes >= " + MAX_MESSAGE_BYTES + ") or publish a model first");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));

            Map<TopicPartition, List<ModelVersion>> byPartition = new java.util.HashMap<>();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new ModelRegistryException("reading topic " + topic + " from " + bootstrapServers
                            + " did not reach the end offsets " + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.getOrDefault(tp, 0L)) {
                        continue;
                    }
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        byPartition.computeIfAbsent(tp, k -> new ArrayList<>()).add(serde.decode(r.value()));
                    } catch (RuntimeException e) {
                        LOG.warn("skipping undecodable record at {}-{} offset {}: {}", r.topic(), r.partition(),
                                r.offset(), e.getMessage());
                    }
                }
            }
            List<ModelVersion> all = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                all.addAll(byPartition.getOrDefault(tp, List.of()));
            }
            return all;
        }
    }

    /** 1 + the highest version of {@code name} on the topic, or 1 if there is none (or no topic yet). */
    @Override
    public int nextVersion(String name, Duration timeout) {
        List<ModelVersion> versions = read(timeout, true);
        int max = 0;
        for (ModelVersion mv : versions) {
            if (mv.getName().equals(name)) {
                max = Math.max(max, mv.getVersion());
            }
        }
        return max + 1;
    }

    /**
     * Writes {@code mv} and waits for the broker's acknowledgement (acks=all, idempotent).
     *
     * @throws ModelRegistryException naming topic, broker and cause when the write fails
     */
    @Override
    public void publish(ModelVersion mv) {
        byte[] value = serde.encode(mv);
        byte[] key = mv.getName().getBytes(StandardCharsets.UTF_8);
        try {
            RecordMetadata md = producer().send(new ProducerRecord<>(topic, key, value)).get();
            LOG.info("published {} v{} ({} bytes) to {}-{} at offset {}", mv.getName(), mv.getVersion(), value.length,
                    md.topic(), md.partition(), md.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelRegistryException("interrupted while publishing " + ModelVersions.label(mv) + " to " + topic, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String hint = cause instanceof org.apache.kafka.common.errors.RecordTooLargeException
                    ? " (raise the topic's max.message.bytes to at least " + value.length + ")" : "";
            throw new ModelRegistryException("could not publish " + ModelVersions.label(mv) + " (" + value.length
                    + " bytes) to topic " + topic + " on " + bootstrapServers + ": " + cause.getMessage() + hint, cause);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ModelRegistryException("could not publish " + ModelVersions.label(mv) + " to topic " + topic
                    + " on " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.putAll(clientProperties);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
            // A record larger than buffer.memory can never be sent.
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * MAX_MESSAGE_BYTES);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-model-registry");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-model-registry-reader");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000L, deadlineNanos - System.nanoTime()));
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
