package io.riffle.cli.replay;

import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a pipeline's outputs into {@link EventOutcomes} as a user would ({@code read_committed}):
 * scores, dead letters and model events from where their topics ended when this was opened (so
 * only the replay's own), model versions from the beginning of the models topic. Used from one thread.
 */
public final class ReplayOutcomes implements AutoCloseable {
    private final EventOutcomes outcomes;
    private final KafkaSpec.TopicNames topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);
    private final AvroSerde<ModelEvent> modelEvents = AvroSerde.of(ModelEvent.class);
    private final AvroSerde<ModelVersion> modelVersions = AvroSerde.of(ModelVersion.class);

    /**
     * @param clientProperties the pipeline file's Kafka properties (security settings)
     * @throws IllegalStateException when one of the topics does not exist
     */
    public ReplayOutcomes(EventOutcomes outcomes, String bootstrapServers, Map<String, String> clientProperties,
                          KafkaSpec.TopicNames topics) {
        this.outcomes = outcomes;
        this.topics = topics;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-replay");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> fromEnd = new ArrayList<>();
            List<TopicPartition> fromStart = new ArrayList<>();
            partitions(topics.scores(), fromEnd);
            partitions(topics.deadLetters(), fromEnd);
            partitions(topics.modelEvents(), fromEnd);
            partitions(topics.models(), fromStart);
            List<TopicPartition> all = new ArrayList<>(fromEnd);
            all.addAll(fromStart);
            consumer.assign(all);
            consumer.seekToEnd(fromEnd);
            consumer.seekToBeginning(fromStart);
            for (TopicPartition p : fromEnd) {
                consumer.position(p);   // fix the end now: what is written from here on is the replay's
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private void partitions(String topic, List<TopicPartition> into) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        for (PartitionInfo p : infos) {
            into.add(new TopicPartition(topic, p.partition()));
        }
    }

    /** Reads what arrived (waiting up to {@code wait}). */
    public void poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            try {
                accept(r);
            } catch (RuntimeException e) {
                outcomes.foreignRecord();   // not a record of Riffle's schemas: someone else's
            }
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (r.value() == null) {
            return;   // a tombstone on the compacted models topic
        }
        if (topic.equals(topics.scores())) {
            outcomes.score(scores.decode(r.value()));
        } else if (topic.equals(topics.deadLetters())) {
            outcomes.deadLetter(deadLetters.decode(r.value()), topics.labels());
        } else if (topic.equals(topics.modelEvents())) {
            outcomes.modelEvent(modelEvents.decode(r.value()));
        } else {
            outcomes.modelVersion(modelVersions.decode(r.value()));
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
