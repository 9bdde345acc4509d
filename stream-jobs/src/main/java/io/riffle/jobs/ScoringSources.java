package io.riffle.jobs;

import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.GenericEventDeserializer;
import io.riffle.jobs.serde.ModelVersionDeserializer;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelVersion;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Map;

/**
 * What a {@link PipelineScoringJob} reads: the user's events, already decoded (an undecodable
 * record arrives as a {@link DecodedRecord} carrying its dead letter), and the model versions.
 * {@link #kafka} is the production pair; a test may hand in any bounded or unbounded sources.
 */
public record ScoringSources(Source<DecodedRecord, ?, ?> events, Source<ModelVersion, ?, ?> models) {

    /**
     * The events topic from the committed offsets (or the configured start timestamp), and the
     * whole compacted models topic, both read_committed, with the file's client properties.
     */
    public static ScoringSources kafka(PipelineSpec spec, Configuration conf) {
        Map<String, String> clientProperties = ScoringOptions.clientProperties(conf);
        OffsetResetStrategy reset = conf.get(ScoringOptions.FROM_EARLIEST) ? OffsetResetStrategy.EARLIEST
                : OffsetResetStrategy.LATEST;
        long startTimestamp = conf.get(ScoringOptions.START_TIMESTAMP);
        OffsetsInitializer start = startTimestamp >= 0 ? OffsetsInitializer.timestamp(startTimestamp)
                : OffsetsInitializer.committedOffsets(reset);
        KafkaSourceBuilder<DecodedRecord> events = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.EVENTS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(GenericEventDeserializer.of(spec))
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000")
                .setProperty("max.partition.fetch.bytes", String.valueOf(8 << 20));
        clientProperties.forEach(events::setProperty);

        // Always the whole compacted topic: every subtask must learn the latest version of every model.
        KafkaSourceBuilder<ModelVersion> models = KafkaSource.<ModelVersion>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.MODELS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID) + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelVersionDeserializer())
                .setProperty("max.partition.fetch.bytes", String.valueOf(64 << 20))
                .setProperty("fetch.max.bytes", String.valueOf(64 << 20));
        clientProperties.forEach(models::setProperty);
        return new ScoringSources(events.build(), models.build());
    }
}
