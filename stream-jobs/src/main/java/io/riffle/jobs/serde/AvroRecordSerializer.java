package io.riffle.jobs.serde;

import io.riffle.modelops.spec.OutputTimestamp;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Writes a record to one topic in Avro single-object encoding, keyed by a string field, with the
 * Kafka timestamp the job is configured for ({@link OutputTimestamp}; by default none, so the
 * producer stamps the time of writing and broker retention never deletes fresh output).
 */
public final class AvroRecordSerializer<T extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A serializable key extractor; null keys are allowed. */
    public interface KeyOf<T> extends Function<T, String>, Serializable {}

    /** A serializable reader of a record's ingest time (its input's Kafka timestamp, epoch ms). */
    public interface IngestTimeOf<T> extends Function<T, Long>, Serializable {}

    private final String topic;
    private final AvroSerde<T> serde;
    private final KeyOf<T> key;
    private final OutputTimestamp stamp;
    /** Null when the records carry no ingest time (they get the write time under INGEST_TIME). */
    private final IngestTimeOf<T> ingestTime;

    /** Records stamped with the time of writing. */
    public AvroRecordSerializer(String topic, Class<T> type, KeyOf<T> key) {
        this(topic, type, key, OutputTimestamp.WRITE_TIME, null);
    }

    public AvroRecordSerializer(String topic, Class<T> type, KeyOf<T> key, OutputTimestamp stamp,
                                IngestTimeOf<T> ingestTime) {
        this.topic = topic;
        this.serde = AvroSerde.of(type);
        this.key = key;
        this.stamp = stamp;
        this.ingestTime = ingestTime;
    }

    /**
     * @param timestamp the Flink record's timestamp (event time where the job assigned one), or null
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key == null ? null : key.apply(element);
        return new ProducerRecord<>(topic, null, timestampOf(element, timestamp),
                k == null ? null : k.getBytes(StandardCharsets.UTF_8), serde.encode(element));
    }

    /** The Kafka timestamp to write, or null for the producer's clock at send time. */
    Long timestampOf(T element, Long flinkTimestamp) {
        Long t = switch (stamp) {
            case WRITE_TIME -> null;
            case INGEST_TIME -> ingestTime == null ? null : ingestTime.apply(element);
            case EVENT_TIME -> flinkTimestamp;
        };
        // Kafka refuses negative timestamps; Flink's "no timestamp" is Long.MIN_VALUE.
        return t == null || t < 0 ? null : t;
    }
}
