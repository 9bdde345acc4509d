package io.riffle.jobs;

import io.riffle.jobs.serde.DecodedFeatureVector;
import io.riffle.jobs.serde.DecodedLabel;
import io.riffle.jobs.serde.FeatureVectorDeserializer;
import io.riffle.jobs.serde.LabelDeserializer;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * What a {@link LabelJoinJob} reads, decoded in the source (a failure arrives carrying its dead
 * letter): the feature vectors the scorer wrote and the labels. {@link #kafka} is the production
 * pair; a test may hand in any sources. With labels from the next event
 * ({@link LabelJoinOptions#FROM_NEXT_EVENT}) there is no labels source: {@code labels} is null.
 */
public record LabelJoinSources(Source<DecodedFeatureVector, ?, ?> features, Source<DecodedLabel, ?, ?> labels) {

    /**
     * The features and labels topics from the committed offsets (or the start timestamp),
     * read_committed; only the features topic when labels come from the next event.
     */
    public static LabelJoinSources kafka(Configuration conf) {
        if (conf.get(LabelJoinOptions.FROM_NEXT_EVENT)) {
            return new LabelJoinSources(source(conf, conf.get(LabelJoinOptions.FEATURES_TOPIC),
                    new FeatureVectorDeserializer()), null);
        }
        return new LabelJoinSources(
                source(conf, conf.get(LabelJoinOptions.FEATURES_TOPIC), new FeatureVectorDeserializer()),
                source(conf, conf.get(LabelJoinOptions.LABELS_TOPIC), new LabelDeserializer(
                        conf.get(LabelJoinOptions.LABELS_FORMAT), conf.get(LabelJoinOptions.LABELS_EVENT_ID_FIELD),
                        conf.get(LabelJoinOptions.LABELS_LABEL_FIELD))));
    }

    private static <T> KafkaSource<T> source(Configuration conf, String topic,
                                             KafkaRecordDeserializationSchema<T> deserializer) {
        long startTimestamp = conf.get(LabelJoinOptions.START_TIMESTAMP);
        OffsetsInitializer start = startTimestamp >= 0 ? OffsetsInitializer.timestamp(startTimestamp)
                : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        KafkaSourceBuilder<T> builder = KafkaSource.<T>builder()
                .setBootstrapServers(conf.get(LabelJoinOptions.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(conf.get(LabelJoinOptions.GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(deserializer)
                // The scorer writes the features topic transactionally: never join aborted output.
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000");
        ScoringOptions.clientProperties(conf).forEach(builder::setProperty);
        return builder.build();
    }
}
