package io.riffle.jobs.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * Reads output topics from the beginning as a user would, with {@code isolation.level=read_committed},
 * handing each record to the test's own decoder; waits with deadlines, never bare sleeps.
 */
public final class CommittedTopics implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<ConsumerRecord<byte[], byte[]>> sink;

    public CommittedTopics(String servers, List<String> topics, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        this.sink = sink;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            sink.accept(r);
        }
    }

    /** Polls until {@code condition} holds; fails the test after {@code limit}. */
    public void awaitUntil(BooleanSupplier condition, Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(1)).until(() -> {
            poll();
            return condition.getAsBoolean();
        });
    }

    /** Keeps reading for {@code d}: a duplicate would arrive with the same checkpoint as what was awaited. */
    public void pollFor(Duration d) {
        long end = System.currentTimeMillis() + d.toMillis();
        while (System.currentTimeMillis() < end) {
            poll();
        }
    }

    /** A plain producer with acks=all. */
    public static KafkaProducer<byte[], byte[]> producer(String servers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
