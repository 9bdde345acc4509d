package io.riffle.trainer.service;

import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trainer's Kafka clients, made apart from the {@link TrainerService} that uses them: the
 * consumer of the training topic (assigned every partition and positioned at the first record
 * younger than the window, so a restart rebuilds the window from the topic alone), the end
 * offsets at that moment (the window is rebuilt once it has read up to them), the producer of
 * model events, and the publisher of versions.
 */
record TrainerKafka(Consumer<byte[], byte[]> training, List<TopicPartition> partitions,
                    Map<TopicPartition, Long> endAtStart, Producer<byte[], byte[]> events, ModelPublisher publisher) {

    /**
     * Connects for {@code options}. The signing key is read first: a wrong key file fails the
     * start with nothing to close.
     *
     * @throws IllegalArgumentException if the signing key cannot be read
     * @throws IllegalStateException if the training topic does not exist
     */
    static TrainerKafka connect(TrainerOptions options) {
        ModelSigner signer = signer(options);
        Map<String, Object> props = new HashMap<>(options.kafkaProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-trainer-" + options.modelName());
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerProps = new HashMap<>(options.kafkaProperties());
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> events =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        ModelPublisher publisher = ModelPublisher.open(options.bootstrapServers(), options.modelsTopic(),
                options.kafkaProperties(), signer);
        List<TopicPartition> partitions = new ArrayList<>();
        try {
            Map<TopicPartition, Long> ends = seekToWindowStart(consumer, options, partitions);
            return new TrainerKafka(consumer, List.copyOf(partitions), Map.copyOf(ends), events, publisher);
        } catch (RuntimeException e) {
            // E.g. no training topic: the clients opened so far are closed, not leaked.
            new TrainerKafka(consumer, List.of(), Map.of(), events, publisher).close();
            throw e;
        }
    }

    private static ModelSigner signer(TrainerOptions options) {
        try {
            return ModelPublisher.signer(options.signingKey());
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("trainer for " + options.modelName() + ": " + e.getMessage(), e);
        }
    }

    /** Positions every partition at the first record younger than the window; returns the end offsets. */
    private static Map<TopicPartition, Long> seekToWindowStart(Consumer<byte[], byte[]> consumer,
                                                               TrainerOptions options, List<TopicPartition> partitions) {
        List<PartitionInfo> infos = consumer.partitionsFor(options.trainingTopic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("training topic " + options.trainingTopic() + " does not exist on "
                    + options.bootstrapServers() + "; create it (riffle demo and riffle score --create-topics do)");
        }
        for (PartitionInfo p : infos) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        long from = System.currentTimeMillis() - options.window().toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
        return ends;
    }

    /** Closes every client (the consumer after its owner's thread has left it). */
    void close() {
        training.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        events.close(Duration.ofSeconds(5));
        publisher.close();
    }
}
